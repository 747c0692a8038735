"""Mutation scores per module from the last ``mutmut run`` (see docs/contributing.rst).

Run in the folder where mutmut ran.  A mutant is caught when a test failed or timed out
with it; the score of a module is caught / (caught + survived).  Mutants of lines no test
runs are not made (``mutate_only_covered_lines``), so the scores are on reachable code.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
from typing import Dict

CAUGHT = {"killed", "timeout"}
MISSED = {"survived"}
#: A mutant's name: the module, then ``x_<function>`` or ``xǁ<class>ǁ<method>``, then ``__mutmut_<n>``.
NAME = re.compile(r"^\s*(?P<module>[\w.]+?)\.x[_ǁ].*__mutmut_\d+: (?P<status>.+)$")


def main() -> int:
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             capture_output=True, text=True, check=True).stdout
    counts: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in listing.splitlines():
        match = NAME.match(line)
        if match:
            counts[match["module"]][match["status"].strip()] += 1
    if not counts:
        print("no mutants found: run `mutmut run` first", file=sys.stderr)
        return 1
    print(f"{'module':48} {'caught':>7} {'survived':>9} {'other':>6} {'score':>7}")
    for module, statuses in sorted(counts.items()):
        caught = sum(statuses[s] for s in CAUGHT)
        missed = sum(statuses[s] for s in MISSED)
        other = sum(statuses.values()) - caught - missed
        score = f"{100 * caught / (caught + missed):.1f}%" if caught + missed else "-"
        print(f"{module:48} {caught:7} {missed:9} {other:6} {score:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
