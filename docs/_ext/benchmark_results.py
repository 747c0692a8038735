"""Sphinx directive ``.. benchmark-results:: <heading>``: a table of the latest benchmark run.

The tables live in one place, ``benchmarks/RESULTS.md`` (the output of
``benchmarks/run.py``, copied unchanged); the performance page shows them from
there, so the page and the file cannot disagree.  ``<heading>`` is the start of a
``###`` heading of the "Latest run" section, or ``SUMMARY`` for the summary line.
A heading that is not found fails the build.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError

RESULTS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "RESULTS.md")


def latest_run() -> List[str]:
    """The lines of the "Latest run" section of RESULTS.md."""
    with open(RESULTS, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    start = lines.index("## Latest run")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start + 1:end]


def block(heading: str) -> str:
    """The table under the ``###`` heading that starts with ``heading`` (or the SUMMARY line)."""
    lines = latest_run()
    if heading == "SUMMARY":
        found = [line for line in lines if line.startswith("SUMMARY ")]
        if len(found) != 1:
            raise ExtensionError(f"benchmark-results: no single SUMMARY line in {RESULTS}")
        return found[0].replace("; ", ";\n    ")
    for index, line in enumerate(lines):
        if line.startswith("### ") and line[4:].startswith(heading):
            table = []
            for row in lines[index + 1:]:
                if row.startswith("|"):
                    table.append(row)
                elif table:
                    break
            if table:
                return "\n".join(table)
    raise ExtensionError(f"benchmark-results: no table under a heading starting {heading!r} in {RESULTS}")


class BenchmarkResults(Directive):
    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> List[Any]:
        text = block(self.arguments[0])
        self.state.document.settings.record_dependencies.add(os.path.abspath(RESULTS))
        return [nodes.literal_block(text, text)]


def setup(app: Any) -> Dict[str, Any]:
    app.add_directive("benchmark-results", BenchmarkResults)
    return {"version": "1.0", "parallel_read_safe": True}
