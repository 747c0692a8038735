"""Sphinx directive ``.. appfabric-operations::``: the table of all AppFabric operations.

Built when the documentation is built, from two sources, so it cannot drift from the code:

* botocore's service model: every operation, its HTTP method, path and success status, and
  the errors the model lists for it;
* the docstring of the backend method that implements each operation
  (``appfabric_mock/backend/*.py``), written in one convention::

      def delete_app_bundle(self, params):
          \"\"\"What the operation does and how it changes the state (one or more paragraphs).

          Raises:
              ResourceNotFoundException: when this error is answered.
              ConflictException: when this one is, and so on; an entry may
                  continue on more deeply indented lines.
          \"\"\"

The text before ``Raises:`` is the behaviour column; each ``Raises:`` entry names an error
class of :mod:`appfabric_mock.errors`, when the mock answers with it, and in parentheses how
AWS's behaviour there is known: ``confirmed`` (a source states it, or code that ran against
AWS shows it), ``inferred`` (read from indirect evidence) or ``invented`` (no source; the
mock's choice), with the source or reason after a colon.

An operation of the model without a backend method, a method without a docstring or without
a ``Raises:`` section, an entry without an evidence level, or an entry naming an unknown error
or an error the operation may not answer (neither in its model's error list nor a documented
exception, see :mod:`appfabric_mock.backend.answerable`) stops the build with an error: a new operation in a
future botocore cannot slip into the documentation (or the mock) unnoticed.

:func:`operation_rows` needs neither Sphinx nor docutils (the test suite imports it).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

RAISES = "Raises:"

#: Errors any operation may answer, whatever its docstring says: described once, above the table.
#: (ValidationException for a request that breaks the model's constraints, AccessDeniedException
#: under deny rules, ThrottlingException and InternalServerException through fault injection.)
COMMON_ERRORS = ("AccessDeniedException", "InternalServerException", "ThrottlingException", "ValidationException")

#: Heading of each group of operations, by the backend mixin that implements them.
GROUP_TITLES = {
    "BundleOperations": "App bundles",
    "AuthorizationOperations": "App authorizations",
    "IngestionOperations": "Ingestions",
    "DestinationOperations": "Ingestion destinations",
    "UserAccessOperations": "User access tasks",
    "TagOperations": "Tags",
}

_ENTRY = re.compile(r"^(?P<name>[A-Za-z]\w*):\s*(?P<text>.*)$")
#: The evidence levels every ``Raises:`` entry names, in parentheses: "(confirmed: modelled)".
EVIDENCE_LEVELS = ("confirmed", "inferred", "invented")
_EVIDENCE = re.compile(r"\b(" + "|".join(EVIDENCE_LEVELS) + r")\b")


class OperationDocError(Exception):
    """An operation of the model is not implemented, or its docstring breaks the convention."""


@dataclass
class ErrorNote:
    """One ``Raises:`` entry: the error code, when it is answered, and whether the model lists it.

    ``evidence`` holds the evidence levels the entry names (each situation it lists says how
    AWS's behaviour is known: confirmed by a source, inferred from one, or invented).
    """

    code: str
    when: str
    modelled: bool
    evidence: List[str] = field(default_factory=list)


@dataclass
class OperationRow:
    """One operation: what the model says about it and what its backend docstring says."""

    operation: str
    group: str
    method: str
    path: str
    status: int
    behaviour: List[str]
    errors: List[ErrorNote]
    modelled_errors: List[str]
    fault_only_errors: List[str] = field(default_factory=list)

    @property
    def http(self) -> str:
        return f"{self.method} {self.path}"


def parse_docstring(operation: str, doc: Optional[str]) -> Tuple[List[str], List[Tuple[str, str]]]:
    """(behaviour paragraphs, [(error code, when)]) of an operation method's docstring."""
    if not doc or not doc.strip():
        raise OperationDocError(f"{operation}: the backend method has no docstring")
    lines = inspect.cleandoc(doc).splitlines()
    try:
        split = next(i for i, line in enumerate(lines) if line.strip() == RAISES)
    except StopIteration:
        raise OperationDocError(f"{operation}: the docstring has no {RAISES!r} section") from None
    paragraphs: List[str] = []
    current: List[str] = []
    for line in lines[:split] + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if not paragraphs:
        raise OperationDocError(f"{operation}: the docstring does not describe the operation before {RAISES!r}")
    entries: List[Tuple[str, str]] = []
    body = [line for line in lines[split + 1:]]
    indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
    base = min(indents) if indents else 0
    for line in body:
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) == base:
            match = _ENTRY.match(line.strip())
            if match is None:
                raise OperationDocError(f"{operation}: {RAISES!r} entry is not 'ErrorName: when': {line.strip()!r}")
            entries.append((match.group("name"), match.group("text").strip()))
        elif entries:
            name, text = entries[-1]
            entries[-1] = (name, f"{text} {line.strip()}".strip())
    if not entries:
        raise OperationDocError(f"{operation}: the {RAISES!r} section lists no error")
    for name, text in entries:
        if not text:
            raise OperationDocError(f"{operation}: {RAISES!r} entry {name} does not say when it is raised")
    return paragraphs, entries


def operation_rows() -> List[OperationRow]:
    """One row per operation of the model, grouped by backend mixin, in source order.

    Raises :class:`OperationDocError` for an operation without a backend method, a
    docstring that breaks the convention, or an error name that is not an error class of
    :mod:`appfabric_mock.errors`.
    """
    from appfabric_mock.backend.answerable import answerable_errors
    from appfabric_mock.backend.backend import AppFabricBackend
    from appfabric_mock.errors import ERROR_CLASSES
    from appfabric_mock.protocol.compiled import protocol

    proto = protocol()
    mixins = list(AppFabricBackend.__bases__)
    rows: List[Tuple[Tuple[int, int], OperationRow]] = []
    problems: List[str] = []
    for name, spec in proto.operations.items():
        owner = next((cls for cls in AppFabricBackend.__mro__ if spec.method_name in vars(cls)), None)
        if owner is None:
            problems.append(f"{name}: AppFabricBackend has no method {spec.method_name}")
            continue
        method = vars(owner)[spec.method_name]
        try:
            behaviour, entries = parse_docstring(name, method.__doc__)
        except OperationDocError as exc:
            problems.append(str(exc))
            continue
        model = spec.model
        modelled = sorted(e.name for e in model.error_shapes)
        unknown = [code for code, _ in entries if code not in ERROR_CLASSES]
        if unknown:
            problems.append(f"{name}: {RAISES!r} names {', '.join(unknown)}, not an error of appfabric_mock.errors "
                            f"({', '.join(sorted(ERROR_CLASSES))})")
            continue
        outside = [code for code, _ in entries if code not in answerable_errors(model)]
        if outside:
            problems.append(f"{name}: {RAISES!r} names {', '.join(outside)}, which the model does not list for "
                            f"{name} and which is not a documented exception "
                            f"(appfabric_mock.backend.answerable.UNMODELLED_ERRORS)")
            continue
        unsourced = [code for code, when in entries if not _EVIDENCE.search(when)]
        if unsourced:
            problems.append(f"{name}: {RAISES!r} entry {', '.join(unsourced)} names no evidence level "
                            f"({', '.join(EVIDENCE_LEVELS)}, in parentheses)")
            continue
        errors = [ErrorNote(code, when, code in modelled, _EVIDENCE.findall(when)) for code, when in entries]
        raised = {code for code, _ in entries}
        fault_only = [code for code in modelled if code not in raised and code not in COMMON_ERRORS]
        order = (mixins.index(owner) if owner in mixins else len(mixins), inspect.getsourcelines(method)[1])
        rows.append((order, OperationRow(
            operation=name,
            group=GROUP_TITLES.get(owner.__name__, owner.__name__),
            method=model.http["method"],
            path=model.http["requestUri"],
            status=int(model.http.get("responseCode", 200)),
            behaviour=behaviour,
            errors=errors,
            modelled_errors=modelled,
            fault_only_errors=fault_only,
        )))
    if problems:
        raise OperationDocError("the operations table cannot be built:\n  " + "\n  ".join(problems))
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


# -- rendering ---------------------------------------------------------------------------------


def _cell(first: str, more: List[str]) -> List[str]:
    """A list-table cell: the first line after ``- ``, the others indented under it."""
    lines = [f"     - {first}"]
    for line in more:
        lines.append(f"       {line}" if line else "")
    return lines


def table_lines(rows: List[OperationRow]) -> List[str]:
    """reStructuredText for the table, a rubric and a list-table per group of operations."""
    out: List[str] = []
    groups: Dict[str, List[OperationRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    for group, members in groups.items():
        out += [f".. rubric:: {group}", "", ".. list-table::", "   :header-rows: 1", "   :widths: 24 42 34",
                "   :class: appfabric-operations", "",
                "   * - Operation", "     - Behaviour", "     - Errors the mock answers with", ""]
        for row in members:
            out.append(f"   * - ``{row.operation}``")
            out += ["", f"       ``{row.http}``", "", f"       Success: HTTP {row.status}"]
            behaviour = row.behaviour
            out += _cell(behaviour[0], [line for p in behaviour[1:] for line in ("", p)])
            items = [f"* ``{e.code}``{'' if e.modelled else ' †'}: {e.when}" for e in row.errors]
            if row.fault_only_errors:
                items.append("* Listed by the model, answered only through fault injection: "
                             + ", ".join(f"``{code}``" for code in row.fault_only_errors) + ".")
            out += _cell(items[0], items[1:])
            out.append("")
    return out


def setup(app: Any) -> Dict[str, Any]:
    from docutils import nodes
    from docutils.parsers.rst import Directive
    from docutils.statemachine import StringList
    from sphinx.errors import ExtensionError

    class OperationsTable(Directive):
        """``.. appfabric-operations::``: no arguments, no content."""

        has_content = False

        def run(self) -> List[Any]:
            try:
                rows = operation_rows()
            except OperationDocError as exc:
                # Not a warning: the build stops, with or without -W.
                raise ExtensionError(f"appfabric-operations: {exc}") from None
            container = nodes.section()
            container.document = self.state.document
            source = StringList(table_lines(rows), source="appfabric-operations")
            self.state.nested_parse(source, self.content_offset, container)
            return list(container.children)

    app.add_directive("appfabric-operations", OperationsTable)
    return {"version": "2.0", "parallel_read_safe": True}
