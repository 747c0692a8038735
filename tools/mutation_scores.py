"""Mutation scores per module from the last ``mutmut run`` (see docs/contributing.rst).

Run in the folder where mutmut ran.  A mutant is caught when a test failed or timed out
with it.  The raw score of a module is caught / (caught + survived); the net score leaves
out the survivors listed in :data:`EQUIVALENT`, mutants that cannot change anything a
caller observes.  Mutants of lines no test runs are not made
(``mutate_only_covered_lines``), so the scores are on reachable code.  ``--survivors``
lists the survivors that are not known to be equivalent: each is a missing test.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from typing import Dict, List

CAUGHT = {"killed", "timeout"}
MISSED = {"survived"}
NOT_RUN = {"not checked"}
#: A mutant's name: the module, then ``x_<function>`` or ``xǁ<class>ǁ<method>``, then ``__mutmut_<n>``.
NAME = re.compile(r"^\s*(?P<name>(?P<module>[\w.]+?)\.x[_ǁ].*__mutmut_\d+): (?P<status>.+)$")

#: Survivors that change nothing observable, each with the reason.  A mutant's number is its
#: position in its function, so a change to that function can renumber them: the script warns
#: when a listed mutant is missing or caught, and the list must then be checked again
#: (``mutmut show NAME``).
EQUIVALENT: Dict[str, str] = {
    # A list or a map is written "Value" in a message whether or not it holds a secret
    # (validation._show), so the length check's sensitive flag cannot change its text.
    "appfabric_mock.protocol.validation.xǁ_Checksǁlist__mutmut_28":
        "sensitive=None for a list's length problem: a list is shown as 'Value' either way",
    "appfabric_mock.protocol.validation.xǁ_Checksǁmap__mutmut_28":
        "sensitive=None for a map's length problem: a map is shown as 'Value' either way",
    # A null element is written "Value null" unless it is sensitive; None is as false as False.
    "appfabric_mock.protocol.validation.xǁ_Checksǁlist__mutmut_44":
        "sensitive=None instead of False for a null list element: both are false",
}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list the survivors not known to be equivalent")
    args = parser.parse_args(argv)
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             capture_output=True, text=True, check=True).stdout
    counts: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    status_by_name: Dict[str, str] = {}
    for line in listing.splitlines():
        match = NAME.match(line)
        if match:
            status = match["status"].strip()
            status_by_name[match["name"]] = status
            counts[match["module"]][status] += 1
            if status in MISSED and match["name"] in EQUIVALENT:
                counts[match["module"]]["equivalent"] += 1
    if not counts:
        print("no mutants found: run `mutmut run` first", file=sys.stderr)
        return 1
    print(f"{'module':42} {'total':>5} {'killed':>6} {'timeout':>7} {'survived':>8} {'equiv.':>6} "
          f"{'not run':>7} {'other':>5} {'raw':>6} {'net':>6}")
    for module, statuses in sorted(counts.items()):
        total = sum(n for status, n in statuses.items() if status != "equivalent")
        caught = sum(statuses[s] for s in CAUGHT)
        missed = sum(statuses[s] for s in MISSED)
        equivalent = statuses["equivalent"]
        not_run = sum(statuses[s] for s in NOT_RUN)
        other = total - caught - missed - not_run
        raw = f"{100 * caught / (caught + missed):.1f}%" if caught + missed else "-"
        net = f"{100 * caught / (caught + missed - equivalent):.1f}%" if caught + missed - equivalent else "-"
        print(f"{module:42} {total:5} {statuses['killed']:6} {statuses['timeout']:7} {missed:8} {equivalent:6} "
              f"{not_run:7} {other:5} {raw:>6} {net:>6}")
    for name in EQUIVALENT:
        status = status_by_name.get(name)
        if status is None:
            print(f"warning: {name} is listed as equivalent but mutmut has no such mutant", file=sys.stderr)
        elif status in CAUGHT:
            print(f"warning: {name} is listed as equivalent but a test catches it ({status})", file=sys.stderr)
    if args.survivors:
        for name, status in sorted(status_by_name.items()):
            if status in MISSED and name not in EQUIVALENT:
                print(f"survivor: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
