"""Instructions counted by valgrind's callgrind: deterministic figures for a noisy machine.

    python benchmarks/instructions.py                    # the per-call cases: mock, floor, recording off
    python benchmarks/instructions.py --calls 50 GetAppBundle
    python benchmarks/instructions.py --section async    # aiobotocore: mock and floor
    python benchmarks/instructions.py --section activation   # `with mock_appfabric(): pass`, start + stop
    python benchmarks/instructions.py --section test     # a pytest test: appfabric_client against moto
    python benchmarks/instructions.py --section scale    # creates beside 10 or 10,000 children, due deliveries

Wall-clock figures (``benchmarks/run.py``) move with whatever else the machine runs;
an instruction count does not.  For each case and variant the same program runs twice
under ``valgrind --tool=callgrind``: once with no measured operations and once with
``--calls`` of them, after the same setup and warm-up.  The difference divided by the
number of operations is what one more costs, setup and interpreter start-up cancelled
out.  The hash seed is fixed, so two runs of the same code give the same count (to a
few hundred instructions).  The variants are those of ``benchmarks/run.py``: ``mock``
against ``floor`` (the same boto3 call answered by a ``before-send`` handler with the
mock's bytes), ``norec`` (the recorder taken out), ``moto`` for the pytest test.

The count includes the garbage collector's share, and when a full collection falls
inside the measured calls moves with everything the process keeps alive: two revisions
whose calls do the same work can differ by half a percent.  ``--no-gc`` turns the
collector off for the measured calls (after one collection), which leaves the work of
the calls themselves.

Use it to compare two revisions: run it in each checkout and compare the columns.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # run.py sits beside this file

import run  # noqa: E402
from run import Case, _authorization, _bundle  # noqa: E402

WARM_UP = 20
#: Handles the start + stop case makes beforehand: enough for the warm-up and 1,000 measured
#: operations (past that, the others are made, and counted, in the measured part).
HANDLES = WARM_UP + 1000


def _authorizations(client: Any, count: int) -> Dict[str, Any]:
    bundle = _bundle(client)
    for index in range(count):
        _authorization(client, bundle, f"tenant-{index}")
    return {"bundle": bundle}


#: The per-call cases: run.py's five, and a 50-item ListAppAuthorizations (summaries with a
#: nested tenant and a timestamp: the structure copies the serialiser plans).
CALL_CASES: Dict[str, Case] = {case.name: case for case in run.CASES}
CALL_CASES["ListAppAuthorizations, 50 items"] = Case(
    "ListAppAuthorizations, 50 items", "ListAppAuthorizations",
    lambda c: _authorizations(c, 50),
    lambda c, a, i: c.list_app_authorizations(appBundleIdentifier=a["bundle"]),
    "", lambda c: {}, lambda c, a, i: None,
)

#: section -> (cases, variants); the first variant is the one the others are compared with.
SECTIONS: Dict[str, Tuple[List[str], List[str]]] = {
    "call": (list(CALL_CASES), ["mock", "floor", "norec"]),
    "async": (list(run.ASYNC_CASES), ["mock", "floor"]),
    "activation": (["with mock_appfabric(): pass", "start() + stop() of a handle made beforehand"], ["mock"]),
    "test": (["a pytest test: create + get"], ["mock", "moto"]),
    "scale": (["CreateAppAuthorization", "CreateIngestion", "due delivery"], ["small", "large"]),
}
#: The scale section's sizes: children in the bundle (bundles beside the delivering one).
SCALE = {"small": (10, 10), "large": (10_000, 100_000)}


def _measured(batch: Callable[[int], Any], calls: int, collect: bool) -> None:
    batch(WARM_UP)
    if not collect:
        gc.collect()
        gc.disable()
    batch(calls)


def _run_call(name: str, variant: str, calls: int, collect: bool) -> None:
    from appfabric_mock import mock_appfabric

    case = CALL_CASES[name]
    with mock_appfabric(quotas=None, seed=1, now="2024-01-01T00:00:00Z") as m:
        client = run._client()
        captured = run.capture(client, case)
        if variant == "floor":
            batch = run.floor_batch(run._client(), case, captured)
        else:
            batch = run.mock_batch(m, client, case, captured, recording=variant != "norec")
        _measured(batch, calls, collect)


def _run_async(name: str, variant: str, calls: int, collect: bool) -> None:
    import asyncio

    from appfabric_mock import mock_appfabric

    case = next(c for c in run.CASES if c.name == name)
    loop = asyncio.new_event_loop()
    with mock_appfabric(quotas=None, seed=1, now="2024-01-01T00:00:00Z") as m:
        sync = run._client()
        captured = run.capture(sync, case)
        with run.AsyncClients(loop) as clients:
            if variant == "floor":
                batch = clients.floor_batch(case, captured)
            else:
                batch = clients.mock_batch(m, case, captured, sync)
            _measured(batch, calls, collect)
    loop.close()


def _run_activation(name: str, variant: str, calls: int, collect: bool) -> None:
    from appfabric_mock import mock_appfabric

    # As benchmarks/run.py times it, start + stop leaves the making of the handles out: the
    # same number are made whatever ``calls`` is, so that the difference holds none of them.
    handles = [mock_appfabric() for _ in range(HANDLES)] if name.startswith("start()") else []

    def batch(n: int) -> None:
        if name.startswith("start()"):
            for _ in range(n):
                handle = handles.pop() if handles else mock_appfabric()
                handle.start()
                handle.stop()
            return
        for _ in range(n):
            with mock_appfabric():
                pass

    _measured(batch, calls, collect)


def _run_test(name: str, variant: str, calls: int, collect: bool) -> None:
    import pytest_bench

    with pytest_bench.workspace() as directory:
        # Warm-up tests in the same file, so that the measured ones find every cache filled.
        pytest_bench.run(pytest_bench.write(directory, variant, WARM_UP // 4 + calls))


def _run_scale(name: str, variant: str, calls: int, collect: bool) -> None:
    from appfabric_mock import mock_appfabric

    children, bundles = SCALE[variant]
    prepared = WARM_UP + calls
    with mock_appfabric(quotas=None, seed=1, now="2024-01-01T00:00:00Z") as m:
        backend = m.backend()
        client = run._client()
        if name == "due delivery":
            run.seed_delivery(backend, bundles)
            m.run_due_deliveries()
            state = m.state

            def deliver(n: int) -> None:
                for _ in range(n):
                    run.due_delivery(state)

            _measured(deliver, calls, collect)
            return
        if name == "CreateAppAuthorization":
            bundle = run.seed_authorizations(backend, children)
        else:
            bundle = run.seed_ingestions(backend, children)
            for index in range(prepared):
                run.new_authorization(backend, bundle, f"new-{index}", connect=True)
        made = [0]

        def create(n: int) -> None:
            for _ in range(n):
                tenant = f"new-{made[0]}"
                made[0] += 1
                if name == "CreateAppAuthorization":
                    _authorization(client, bundle, tenant)
                else:
                    client.create_ingestion(appBundleIdentifier=bundle, app="SLACK", tenantId=tenant,
                                            ingestionType="auditLog")

        _measured(create, calls, collect)


PROGRAMS = {"call": _run_call, "async": _run_async, "activation": _run_activation, "test": _run_test,
            "scale": _run_scale}


def run_case(name: str, calls: int, collect: bool = True, section: str = "call", variant: str = "mock") -> None:
    """The measured program: set up, warm up, then ``calls`` operations of one case and variant."""
    PROGRAMS[section](name, variant, calls, collect)


def _count(section: str, name: str, variant: str, calls: int, collect: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, PYTHONHASHSEED="0")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
             os.path.abspath(__file__), "--run", name, "--section", section, "--variant", variant,
             "--calls", str(calls)] + ([] if collect else ["--no-gc"]),
            check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        with open(out, encoding="utf-8") as handle:
            text = handle.read()
    match = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no instruction total in callgrind's output for {name}")
    return int(match.group(1))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help="cases to count (default: every case of the section)")
    parser.add_argument("--section", choices=sorted(SECTIONS), default="call")
    parser.add_argument("--variant", action="append", help="variants to count (default: every one)")
    parser.add_argument("--calls", type=int, default=200, help="measured operations per case (default 200)")
    parser.add_argument("--no-gc", action="store_true", help="no garbage collection during the measured calls")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    collect = not options.no_gc
    if options.run:
        run_case(options.run, options.calls, collect, options.section, (options.variant or ["mock"])[0])
        return 0
    known, variants = SECTIONS[options.section]
    names: List[str] = options.cases or known
    unknown = sorted(set(names) - set(known))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; cases are {', '.join(known)}")
    variants = options.variant or variants
    collector = ", collector off" if options.no_gc else ""
    # mock/floor for calls; moto/mock and large/small for the others (what the targets compare).
    first_over = options.section in ("call", "async")
    labels = [f"{variants[0]}/{v}" if first_over else f"{v}/{variants[0]}" for v in variants[1:]]
    print(f"| case | {' | '.join(variants)} | {' | '.join(labels)} |"
          f" ({options.calls} operations, instructions each, callgrind{collector})")
    print("|---" * (2 * len(variants)) + "|")
    for name in names:
        counts = [(_count(options.section, name, v, options.calls, collect)
                   - _count(options.section, name, v, 0, collect)) / options.calls for v in variants]
        ratios = [(f"{counts[0] / c:.3f}" if first_over else f"{c / counts[0]:.3f}") if c and counts[0] else "n/a"
                  for c in counts[1:]]
        print(f"| {name} | " + " | ".join(f"{c:,.0f}" for c in counts) + " | " + " | ".join(ratios) + " |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
