"""Sphinx extension: ``.. appfabric-operations::`` becomes a section for every AppFabric operation.

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

The text before ``Raises:`` is what the page says the operation does; each ``Raises:`` entry names an error
class of :mod:`appfabric_mock.errors`, when the mock answers with it, and in parentheses how
AWS's behaviour there is known: ``confirmed`` (a source states it, or code that ran against
AWS shows it), ``inferred`` (read from indirect evidence) or ``invented`` (no source; the
mock's choice), with the source or reason after a colon.

An operation of the model without a backend method, a method without a docstring or without
a ``Raises:`` section, an entry without an evidence level, or an entry naming an unknown error
or an error the operation may not answer (neither in its model's error list nor a documented
exception, see :mod:`appfabric_mock.backend.answerable`) stops the build with an error: a new operation in a
future botocore cannot slip into the documentation (or the mock) unnoticed.

The marker line ``.. appfabric-operations::`` (alone, at column 0, after the page's own
sections) is replaced before parsing by a section per group of operations (underlined ``-``)
and a subsection per operation (underlined ``~``): running text and lists, which wrap to any
screen width, and furo lists every operation in the page's contents.

:func:`operation_rows` and the rendering functions need neither Sphinx nor docutils (the test
suite imports them).
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

#: The line that stands for the generated sections in a document (at the top level, column 0).
MARKER = re.compile(r"^\.\. appfabric-operations::[ \t]*$", re.M)


def _title(text: str, char: str) -> List[str]:
    return [text, char * len(text), ""]


def operation_lines(row: OperationRow) -> List[str]:
    """reStructuredText for one operation, without its title: request, behaviour, errors.

    Running text and lists wrap to any screen width; a table with a column each for the
    behaviour and the errors is wider than a laptop's screen.
    """
    out = [f"Request: ``{row.http}``. Success: HTTP {row.status}.", ""]
    for paragraph in row.behaviour:
        out += [paragraph, ""]
    out += ["Errors the mock answers with:", ""]
    for error in row.errors:
        marker = "" if error.modelled else " †"
        out += [f"* ``{error.code}``{marker}: {error.when}"]
    if row.fault_only_errors:
        out.append("* Listed by the model, answered only through fault injection: "
                   + ", ".join(f"``{code}``" for code in row.fault_only_errors) + ".")
    return out + [""]


def operations_rst(rows: List[OperationRow], group_char: str = "-", operation_char: str = "~") -> List[str]:
    """reStructuredText for every operation: a section per group, a subsection per operation.

    ``group_char`` and ``operation_char`` are the title underlines of the two levels: the
    levels below the one the marker stands in, as the host document uses them (operations.rst
    underlines its title with ``=`` and its sections with ``-``, so groups are its sections).
    """
    out: List[str] = []
    groups: Dict[str, List[OperationRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    for group, members in groups.items():
        out += _title(group, group_char)
        for row in members:
            out += _title(row.operation, operation_char)
            out += operation_lines(row)
    return out


def expand_marker(source: str) -> str:
    """``source`` with the marker line replaced by the generated sections (unchanged without one).

    Raises :class:`OperationDocError` when the model or a docstring breaks the convention.
    """
    if not MARKER.search(source):
        return source
    generated = "\n".join(operations_rst(operation_rows()))
    return MARKER.sub(lambda _: generated, source, count=1)


def setup(app: Any) -> Dict[str, Any]:
    from docutils.parsers.rst import Directive
    from sphinx.errors import ExtensionError

    def on_source_read(app: Any, docname: str, source: List[str]) -> None:
        # Sections cannot come out of a directive (docutils nests them under the directive's
        # section, or refuses them), so the marker is replaced in the source before parsing:
        # the generated titles are then the document's own sections, in furo's page contents.
        try:
            source[0] = expand_marker(source[0])
        except OperationDocError as exc:
            # Not a warning: the build stops, with or without -W.
            raise ExtensionError(f"appfabric-operations ({docname}): {exc}") from None

    def always_reread(app: Any, env: Any, added: Any, changed: Any, removed: Any) -> List[str]:
        # The sections come from code, not from the .rst file: an incremental build must read the
        # page again even when the file did not change.
        return [name for name in env.found_docs if name not in added | changed
                and MARKER.search(_read(env.doc2path(name)))]

    class Misplaced(Directive):
        """The marker somewhere it cannot be replaced (indented, inside another directive)."""

        def run(self) -> List[Any]:
            raise ExtensionError("appfabric-operations: the marker must stand alone, at the top level of the "
                                 "document (column 0), where its sections can go")

    app.connect("source-read", on_source_read)
    app.connect("env-get-outdated", always_reread)
    app.add_directive("appfabric-operations", Misplaced)
    return {"version": "3.0", "parallel_read_safe": True}


def _read(path: Any) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""
