"""Instructions per call, counted by valgrind's callgrind: a deterministic figure for a noisy machine.

    python benchmarks/instructions.py                  # every case, 200 calls each
    python benchmarks/instructions.py --calls 50 GetAppBundle

Wall-clock figures (``benchmarks/run.py``) move with whatever else the machine runs;
an instruction count does not.  For each case the same script runs twice under
``valgrind --tool=callgrind``: once with no measured calls and once with ``--calls``
of them, after the same setup and warm-up.  The difference divided by the number of
calls is what one more call costs, setup and interpreter start-up cancelled out.
The hash seed is fixed, so two runs of the same code give the same count (to a few
hundred instructions).

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
from typing import Any, Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # run.py sits beside this file

from run import OAUTH, REGION, _authorization, _bundle, _ingestions, _with_authorization  # noqa: E402

WARM_UP = 20


def _authorizations(client: Any, count: int) -> Dict[str, Any]:
    bundle = _bundle(client)
    for index in range(count):
        _authorization(client, bundle, f"tenant-{index}")
    return {"bundle": bundle}


Seed = Callable[[Any], Dict[str, Any]]
Step = Callable[[Any, Dict[str, Any], int], Any]

#: name -> (seed, one call).  Creates use a fresh tenant per call (quotas are lifted).
CASES: Dict[str, "tuple[Seed, Step]"] = {
    "GetAppBundle": (
        lambda c: {"bundle": _bundle(c)},
        lambda c, a, i: c.get_app_bundle(appBundleIdentifier=a["bundle"]),
    ),
    "CreateAppAuthorization": (
        lambda c: {"bundle": _bundle(c)},
        lambda c, a, i: _authorization(c, a["bundle"], f"tenant-{i}"),
    ),
    "ListIngestions-50": (
        lambda c: _ingestions(c, 50),
        lambda c, a, i: c.list_ingestions(appBundleIdentifier=a["bundle"]),
    ),
    # Summaries with a nested tenant and a timestamp: the structure copies the serialiser plans.
    "ListAppAuthorizations-50": (
        lambda c: _authorizations(c, 50),
        lambda c, a, i: c.list_app_authorizations(appBundleIdentifier=a["bundle"]),
    ),
    "UpdateAppAuthorization": (
        _with_authorization,
        lambda c, a, i: c.update_app_authorization(
            appBundleIdentifier=a["bundle"], appAuthorizationIdentifier=a["auth"], credential=OAUTH),
    ),
}


def run_case(name: str, calls: int, collect: bool = True) -> None:
    """The measured program: set up, warm up, then ``calls`` calls of one case."""
    import boto3

    from appfabric_mock import mock_appfabric

    seed, step = CASES[name]
    with mock_appfabric(quotas=None, seed=1, now="2024-01-01T00:00:00Z") as m:
        client = boto3.client("appfabric", region_name=REGION, aws_access_key_id="AKIAINSTRUCTIONS0000",
                              aws_secret_access_key="instructions")
        args = seed(client)
        for i in range(WARM_UP):
            step(client, args, -1 - i)
        m.clear_calls()
        if not collect:
            gc.collect()
            gc.disable()
        for i in range(calls):
            step(client, args, i)


def _count(name: str, calls: int, collect: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, PYTHONHASHSEED="0")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
             os.path.abspath(__file__), "--run", name, "--calls", str(calls)] + ([] if collect else ["--no-gc"]),
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
    parser.add_argument("cases", nargs="*", help=f"cases to count: {', '.join(CASES)} (default: all)")
    parser.add_argument("--calls", type=int, default=200, help="measured calls per case (default 200)")
    parser.add_argument("--no-gc", action="store_true", help="no garbage collection during the measured calls")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.run:
        run_case(options.run, options.calls, collect=not options.no_gc)
        return 0
    names: List[str] = options.cases or list(CASES)
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; cases are {', '.join(CASES)}")
    collector = ", collector off" if options.no_gc else ""
    print(f"| case | instructions per call ({options.calls} calls, callgrind{collector}) |")
    print("|---|---:|")
    for name in names:
        collect = not options.no_gc
        per_call = (_count(name, options.calls, collect) - _count(name, 0, collect)) / options.calls
        print(f"| {name} | {per_call:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
