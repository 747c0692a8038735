"""Find the code examples in the documentation, so the tests can run every one of them.

An example is a ``.. code-block:: <language>`` (or ``.. code:: <language>``) in
``docs/**/*.rst``, or a fenced block in ``README.md``.  Each example is
self-contained: it runs on its own, in a fresh process or namespace, with no
state carried over from the block above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

_RST_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. (?:code-block|code|sourcecode)::[ \t]*(?P<lang>\S+)[ \t]*$")
_MD_FENCE = re.compile(r"^```(?P<lang>[\w+-]*)[ \t]*$")


@dataclass(frozen=True)
class Example:
    """One code block: where it is, its language and its text (dedented)."""

    path: Path
    line: int
    language: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def is_test_module(self) -> bool:
        """A block that defines tests is run by pytest rather than executed as a script."""
        return bool(re.search(r"^(?:async )?def test_|^class Test|unittest\.TestCase", self.code, re.M))


def _dedent(lines: List[str]) -> str:
    body = [line for line in lines]
    while body and not body[-1].strip():
        body.pop()
    indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in body) + "\n"


def rst_examples(path: Path) -> Iterator[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _RST_BLOCK.match(lines[i])
        if not match:
            i += 1
            continue
        indent = len(match.group("indent"))
        start = i + 1
        j = start
        # Directive options (":caption: x") come first, then a blank line, then the body.
        while j < len(lines) and lines[j].strip().startswith(":") and lines[j].strip():
            j += 1
        body: List[str] = []
        first_body_line = j + 1
        while j < len(lines):
            line = lines[j]
            if line.strip() and (len(line) - len(line.lstrip())) <= indent:
                break
            body.append(line)
            j += 1
        while body and not body[0].strip():
            body.pop(0)
            first_body_line += 1
        yield Example(path, first_body_line, match.group("lang").lower(), _dedent(body))
        i = j


def markdown_examples(path: Path) -> Iterator[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _MD_FENCE.match(lines[i])
        if not match or not match.group("lang"):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        yield Example(path, i + 2, match.group("lang").lower(), _dedent(lines[i + 1:j]))
        i = j + 1


def all_examples() -> List[Example]:
    """Every example of the documentation site and the README, in a stable order."""
    found: List[Example] = []
    for path in sorted(DOCS.rglob("*.rst")):
        if "_build" in path.parts:
            continue
        found.extend(rst_examples(path))
    found.extend(markdown_examples(ROOT / "README.md"))
    return found


def examples(*languages: str) -> List[Example]:
    return [example for example in all_examples() if example.language in languages]
