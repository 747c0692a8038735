"""``benchmarks/run.py --quick`` runs to the end and prints every row (no timing is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def output() -> str:
    pytest.importorskip("moto")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _row(output: str, first_cell: str) -> list:
    """The cells of the table row whose first cell is ``first_cell``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{output}")


NUMBER = re.compile(r"^[\d,]+(\.\d+)?x?$")
SIGNED = re.compile(r"^-?[\d,]+(\.\d+)?x?$")


@pytest.mark.parametrize(
    "operation",
    ["GetAppBundle", "ListIngestions, 1 item", "ListIngestions, 50 items", "CreateAppAuthorization",
     "UpdateAppAuthorization"],
)
def test_per_call_rows_compare_mock_floor_stubber_and_moto(output: str, operation: str) -> None:
    cells = _row(output, operation)
    mock, floor, over, _target, _met, stubber, over_stubber, moto_name, moto, moto_over = cells[1:]
    for value in (mock, floor, over, stubber, over_stubber, moto, moto_over):
        assert NUMBER.match(value), cells
    assert moto_name.split(",")[0] in {"get_schedule", "list_schedules", "create_schedule", "update_schedule"}


def test_recording_cost_rows(output: str) -> None:
    for operation in ("GetAppBundle", "ListIngestions, 50 items", "CreateAppAuthorization"):
        assert any(line.startswith(f"| {operation} ") and "%" in line for line in output.splitlines()), operation


def test_per_test_rows(output: str) -> None:
    pytest_row = _row(output, "a pytest test: appfabric_client fixture, one create, one get")
    # (A difference of two runs: with --quick's tiny files, noise can make it negative.)
    assert all(SIGNED.match(cell) for cell in pytest_row[1:4]) and pytest_row[4] == ">= 20x", pytest_row
    empty = _row(output, "`with mock_appfabric(): pass` / `with mock_aws(): pass`")
    assert NUMBER.match(empty[1]) and NUMBER.match(empty[2]), empty
    both = _row(output, "start() + stop() of a handle made beforehand")
    assert NUMBER.match(both[1]) and both[4] == "<= 50 µs", both
    full = _row(output, "start + boto3.client + one create call + stop")
    assert NUMBER.match(full[1]) and NUMBER.match(full[2]) and NUMBER.match(full[3]), full
    assert "split (medians): start" in output


def test_scale_inside_one_parent_and_memory_rows(output: str) -> None:
    for first in ("CreateAppAuthorization in a bundle holding N authorizations",
                  "CreateIngestion in a bundle holding N ingestions",
                  "a due delivery (one ingestion) among N app bundles"):
        cells = _row(output, first)
        assert all(NUMBER.match(c) for c in cells[1:6]) and cells[6] == "<= 1.20x" and cells[7] in ("met", "MISSED"), \
            cells
    memory = _row(output, "a stored app authorization (CreateAppAuthorization through boto3)")
    assert NUMBER.match(memory[1]) and memory[2] == "<= 2,048", memory
    assert NUMBER.match(_row(output, "a recorded GetAppBundle call, not yet read")[1])


def test_import_rows(output: str) -> None:
    assert NUMBER.match(_row(output, "python -c 'import boto3'")[1])
    ours = _row(output, "python -c 'import boto3; import appfabric_mock'")
    assert NUMBER.match(ours[1]) and NUMBER.match(ours[2]), ours


def test_scale_rows(output: str) -> None:
    for size in ("10", "100", "1,000"):  # --quick sizes
        cells = _row(output, size)
        assert all(NUMBER.match(c) for c in cells[1:]), cells


def test_server_rows(output: str) -> None:
    mock = _row(output, "appfabric-mock server")
    minimal = _row(output, "minimal server, same HTTP stack")
    available = NUMBER.match(mock[1]) and NUMBER.match(minimal[1])
    assert available or (mock[1] == minimal[1] == "not available"), (mock, minimal)


def test_server_load_rows(output: str) -> None:
    for level in ("1 keep-alive client", "8 keep-alive clients", "50 keep-alive clients",
                  "8 clients, new connection per request"):
        cells = _row(output, level)
        rps, p99, errors = cells[1:4]
        assert NUMBER.match(rps) and NUMBER.match(p99), cells
        assert errors.startswith("0/"), cells  # no error at any level
    assert "ThreadedServer start" in output


def test_delivery_rows(output: str) -> None:
    s3 = _row(output, "S3, OCSF JSON lines")
    firehose = _row(output, "Firehose, OCSF records")
    assert NUMBER.match(s3[1]) and NUMBER.match(s3[2]) and s3[3] == ">= 50,000", s3
    assert NUMBER.match(firehose[1]) and NUMBER.match(firehose[2]), firehose


def test_summary_line(output: str) -> None:
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("SUMMARY ") and "targets met" in summary
    for label in ("mock/floor", "recording share", "with mock_appfabric(): pass", "start + stop",
                  "pytest test moto/mock", "import", "scale Get", "scale List", "in a bundle", "due delivery",
                  "memory per authorization", "server", "server load errors", "delivery events/s"):
        assert label in summary, label


def test_async_per_call_rows(output: str) -> None:
    assert "### Per call through aiobotocore" in output
    for operation in ("GetAppBundle", "CreateAppAuthorization"):
        assert any(line.startswith(f"| {operation} ") and line.count("x |") >= 1 and "<= 1.15x" in line
                   for line in output.splitlines()), operation


def test_the_instruction_count_program_runs_every_case() -> None:
    # benchmarks/instructions.py runs this program under valgrind; here it runs bare, twice per case, on the
    # smallest sizes (the "large" scale variant seeds 100,000 bundles: that one is left to the real runs).
    program = (
        "import sys; sys.path.insert(0, 'benchmarks'); import instructions\n"
        "for section, (cases, variants) in instructions.SECTIONS.items():\n"
        "    for name in cases:\n"
        "        for variant in variants:\n"
        "            if variant not in ('large', 'moto'):\n"
        "                instructions.run_case(name, 2, section=section, variant=variant)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
