"""A pytest test as users write it, timed as pytest runs it: appfabric-mock's fixture against moto.

    python benchmarks/pytest_bench.py              # 200 tests each, a few interleaved rounds

Each kind of test is written into a generated file of N identical tests, which
``pytest.main`` runs in this process.  A test's cost is what one more test adds to
the run (fixture set-up and tear-down, the calls, pytest's own work per test):
the time of a run of N tests less the time of a run of one, divided by N - 1, so
the session's fixed cost (plugins, collection start, the summary) is left out.

* appfabric-mock: a test that takes the ``appfabric_client`` fixture, creates an
  app bundle and gets it;
* moto: a fixture that enters ``mock_aws()`` and creates a new boto3 Scheduler
  client (moto's documented pattern), and a test that creates a schedule and
  gets it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from typing import Dict, Iterator, List, Optional

HEADER = {
    "mock": '''
def test_bundle_{index}(appfabric_client):
    arn = appfabric_client.create_app_bundle()["appBundle"]["arn"]
    assert appfabric_client.get_app_bundle(appBundleIdentifier=arn)["appBundle"]["arn"] == arn
''',
    "moto": '''
def test_schedule_{index}(scheduler):
    scheduler.create_schedule(Name="bench", ScheduleExpression="rate(1 hour)",
                              FlexibleTimeWindow={{"Mode": "OFF"}}, Target=TARGET)
    assert scheduler.get_schedule(Name="bench")["Name"] == "bench"
''',
}

PREAMBLE = {
    "mock": "",
    "moto": '''
import boto3
import pytest
from moto import mock_aws

TARGET = {"Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
          "RoleArn": "arn:aws:iam::123456789012:role/bench"}


@pytest.fixture
def scheduler():
    with mock_aws():
        yield boto3.client("scheduler", region_name="us-east-1")
''',
}

KINDS = tuple(HEADER)
#: pytest options of every run: quiet, no cache directory, no random order (the order is the file's).
OPTIONS = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-W", "ignore::DeprecationWarning"]
_written = 0


def write(directory: str, kind: str, count: int) -> str:
    """A test file of ``count`` tests of ``kind`` (a new module name each time: pytest imports it afresh)."""
    global _written
    _written += 1
    path = os.path.join(directory, f"test_{kind}_{_written}.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(PREAMBLE[kind])
        for index in range(count):
            handle.write(HEADER[kind].format(index=index))
    return path


def run(path: str) -> float:
    """Seconds ``pytest.main`` takes over the file (its output swallowed); fails loudly when a test fails."""
    import pytest

    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = pytest.main([path, *OPTIONS, "--rootdir", os.path.dirname(path)])
    elapsed = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"pytest failed on {path} (exit {code}):\n{out.getvalue()[-3000:]}")
    return elapsed


@contextlib.contextmanager
def workspace() -> Iterator[str]:
    """A directory of its own for the generated files (no conftest above it but the user's)."""
    with tempfile.TemporaryDirectory(prefix="appfabric-mock-pytest-bench-") as directory:
        yield directory


def per_test(directory: str, kind: str, count: int) -> float:
    """Seconds one more test of ``kind`` adds to a run: (T(count) - T(1)) / (count - 1)."""
    many = run(write(directory, kind, count))
    one = run(write(directory, kind, 1))
    return (many - one) / (count - 1)


def measure(counts: Dict[str, int], rounds: int) -> Dict[str, List[float]]:
    """µs per test of each kind, ``rounds`` interleaved rounds (each kind's order rotates)."""
    samples: Dict[str, List[float]] = {kind: [] for kind in counts}
    names = list(counts)
    with workspace() as directory:
        for kind in names:  # warm up: the first run imports pytest's plugins, moto, botocore's models
            run(write(directory, kind, 2))
        for round_ in range(rounds):
            offset = round_ % len(names)
            for kind in names[offset:] + names[:offset]:
                samples[kind].append(per_test(directory, kind, counts[kind]) * 1e6)
    return samples


def main(argv: Optional[List[str]] = None) -> int:
    import statistics

    samples = measure({"mock": 200, "moto": 20}, 3)
    mock, moto = statistics.median(samples["mock"]), statistics.median(samples["moto"])
    print(f"appfabric_client test: {mock:,.0f} µs; moto test: {moto:,.0f} µs; moto/mock {moto / mock:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
