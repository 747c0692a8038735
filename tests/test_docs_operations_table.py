"""The generated table of supported operations (docs/_ext/operations_table.py) covers the whole model."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from appfabric_mock.errors import ERROR_CLASSES
from appfabric_mock.protocol.compiled import protocol

EXTENSION = Path(__file__).resolve().parent.parent / "docs" / "_ext" / "operations_table.py"


def _load() -> ModuleType:
    # The Sphinx extension is not a package module: load it from its file (it needs no Sphinx).
    name = "_appfabric_docs_operations_table"
    spec = importlib.util.spec_from_file_location(name, EXTENSION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


table = _load()


@pytest.fixture(scope="module")
def rows():
    return table.operation_rows()


def test_every_operation_of_the_model_has_a_row(rows):
    names = [row.operation for row in rows]
    assert len(names) == len(set(names)) == 26
    assert set(names) == set(protocol().operations)


def test_every_row_has_behaviour_and_errors(rows):
    for row in rows:
        assert row.behaviour and all(p.strip() for p in row.behaviour), row.operation
        assert row.errors, row.operation
        for error in row.errors:
            assert error.when.strip(), (row.operation, error.code)


def test_every_listed_error_is_an_error_class_of_the_mock(rows):
    modelled_shapes = set(protocol().error_shapes)
    for row in rows:
        for error in row.errors:
            cls = ERROR_CLASSES.get(error.code)
            assert cls is not None, f"{row.operation}: {error.code} is not in appfabric_mock.errors"
            # A class that stands for a model shape must be one of the model's shapes; the others
            # (IdempotentParameterMismatch) are documented as not modelled.
            assert (error.code in modelled_shapes) == cls.modeled, error.code
            assert error.modelled == (error.code in row.modelled_errors)


def test_http_and_status_come_from_the_model(rows):
    for row in rows:
        model = protocol().operations[row.operation].model
        assert row.http == f"{model.http['method']} {model.http['requestUri']}"
        assert row.status == model.http.get("responseCode", 200)


def test_errors_the_model_does_not_list_are_only_the_documented_exceptions(rows):
    by_name = {row.operation: row for row in rows}
    unmodelled = {(name, e.code) for name, row in by_name.items() for e in row.errors if not e.modelled}
    # A reused client token on the four Create operations, an expired page token on the four List
    # operations; a missing parent or a refused deletion where the model lists no NotFound or
    # Conflict is a ValidationException.
    creates = ("CreateAppBundle", "CreateAppAuthorization", "CreateIngestion", "CreateIngestionDestination")
    lists = ("ListAppBundles", "ListAppAuthorizations", "ListIngestions", "ListIngestionDestinations")
    assert unmodelled == {(c, "IdempotentParameterMismatch") for c in creates} | {(n, "InvalidToken") for n in lists}
    for name in ("DeleteAppBundle", "CreateIngestion", "CreateIngestionDestination", "DeleteAppAuthorization",
                 "DeleteIngestion", "UpdateAppAuthorization"):
        assert "ValidationException" in [e.code for e in by_name[name].errors]


def test_every_error_names_its_evidence_level(rows):
    levels = set()
    for row in rows:
        for error in row.errors:
            assert error.evidence, (row.operation, error.code)
            levels.update(error.evidence)
    assert levels == set(table.EVIDENCE_LEVELS)
    create_ingestion = {e.code: e for e in next(r for r in rows if r.operation == "CreateIngestion").errors}
    assert "Terraform AWS provider PR 37291" in create_ingestion["ValidationException"].when


@pytest.mark.parametrize(
    ("method", "doc", "problem"),
    [
        ("get_app_bundle", "The bundle.\n\nRaises:\n    NoSuchBundleException: never (invented).\n",
         "NoSuchBundleException, not an error of appfabric_mock.errors"),
        ("get_app_bundle", "The bundle.\n\nRaises:\n    ResourceNotFoundException: no such bundle.\n",
         "GetAppBundle: 'Raises:' entry ResourceNotFoundException names no evidence level"),
        ("delete_app_bundle", "Delete.\n\nRaises:\n    ResourceNotFoundException: gone (invented).\n",
         "DeleteAppBundle: 'Raises:' names ResourceNotFoundException, which the model does not list"),
    ],
    ids=["unknown-error", "no-evidence", "unmodelled-error"],
)
def test_a_bad_raises_entry_stops_the_build(monkeypatch, method, doc, problem):
    from appfabric_mock.backend.bundles import BundleOperations

    monkeypatch.setattr(getattr(BundleOperations, method), "__doc__", doc)
    with pytest.raises(table.OperationDocError, match=re.escape(problem)):
        table.operation_rows()


@pytest.fixture
def _parse(monkeypatch):
    """Parse reStructuredText with docutils alone; any warning fails. Sphinx's Python roles are
    stood in for by a literal (the Sphinx build resolves them; here only the structure matters)."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from docutils.parsers.rst import roles

    def literal_role(name, rawtext, text, lineno, inliner, options=None, content=None):
        return [nodes.literal(rawtext, text)], []

    for name in ("attr", "class", "data", "func", "meth", "mod", "doc", "ref", "exc", "obj"):
        monkeypatch.setitem(roles._roles, name, literal_role)

    def parse(rst: str):
        return publish_doctree(rst, settings_overrides={"report_level": 2, "halt_level": 2, "warning_stream": False})

    return parse


def _plain(text: str) -> str:
    """Text without reStructuredText's inline markup, for comparing a docstring with its rendering."""
    return " ".join(re.sub(r":\w+:`|`|\*\*", "", text).split())


def test_every_operation_gets_a_section_in_its_group(rows, _parse):
    """One section per group, one subsection per operation, with its request, behaviour and errors."""
    from docutils import nodes

    rst = "Supported operations\n====================\n\n" + "\n".join(table.operations_rst(rows))
    doctree = _parse(rst)  # halt_level 2: any docutils warning fails the test
    # The first title is the document's: the groups are its sections.
    groups = [s for s in doctree.children if isinstance(s, nodes.section)]
    assert [g[0].astext() for g in groups] == list(dict.fromkeys(row.group for row in rows))
    by_name = {row.operation: row for row in rows}
    seen = []
    for group in groups:
        for section in (s for s in group.children if isinstance(s, nodes.section)):
            name = section[0].astext()
            row = by_name[name]
            assert row.group == group[0].astext()
            paragraphs = [p.astext() for p in section.children if isinstance(p, nodes.paragraph)]
            assert paragraphs[0] == f"Request: {row.method} {row.path}. Success: HTTP {row.status}."
            assert [_plain(p) for p in paragraphs[1:-1]] == [_plain(p) for p in row.behaviour]
            assert paragraphs[-1] == "Errors the mock answers with:"
            items = [item.astext() for item in section.findall(nodes.list_item)]
            # Each error in docstring order, † on the ones the model does not list, then the
            # model's errors that only fault injection answers.
            assert len(items) == len(row.errors) + bool(row.fault_only_errors)
            for error, item in zip(row.errors, items):
                assert item.startswith(f"{error.code}{'' if error.modelled else ' †'}: "), item
                assert _plain(item).endswith(_plain(error.when))
            if row.fault_only_errors:
                assert items[-1] == ("Listed by the model, answered only through fault injection: "
                                     + ", ".join(row.fault_only_errors) + ".")
            seen.append(name)
    assert seen == [row.operation for row in rows]


def test_the_layout_wraps_to_any_width(rows, _parse):
    # Running text and bullet lists only: no table, whose columns cannot wrap below their widest word.
    text = "\n".join(table.operations_rst(rows))
    assert "list-table" not in text and "+---" not in text and "====  " not in text
    doctree = _parse("Page\n====\n\n" + text)
    from docutils import nodes

    assert not list(doctree.findall(nodes.table))


def test_the_marker_is_replaced_by_the_sections(rows):
    source = "Page\n====\n\nIntro.\n\n.. appfabric-operations::\n\nAfter.\n"
    expanded = table.expand_marker(source)
    assert ".. appfabric-operations::" not in expanded
    assert expanded.startswith("Page\n====\n\nIntro.\n\n") and expanded.endswith("\nAfter.\n")
    assert "\n".join(table.operations_rst(rows)) in expanded
    assert table.expand_marker("No marker here.\n") == "No marker here.\n"
    # Indented, the marker is not the page's: the directive of that name stops the build instead.
    assert table.expand_marker("   .. appfabric-operations::\n") == "   .. appfabric-operations::\n"


def test_an_undocumented_operation_stops_the_build(monkeypatch):
    from appfabric_mock.backend.bundles import BundleOperations

    monkeypatch.setattr(BundleOperations.get_app_bundle, "__doc__", None)
    with pytest.raises(table.OperationDocError, match="GetAppBundle: the backend method has no docstring"):
        table.operation_rows()


def test_a_missing_backend_method_stops_the_build(monkeypatch):
    from appfabric_mock.backend.tagging import TagOperations

    monkeypatch.delattr(TagOperations, "untag_resource")
    with pytest.raises(table.OperationDocError, match="UntagResource: AppFabricBackend has no method untag_resource"):
        table.operation_rows()


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ("Does things.", "no 'Raises:' section"),
        ("Does things.\n\nRaises:\n", "lists no error"),
        ("Raises:\n    ValidationException: always.", "does not describe the operation"),
        ("Does things.\n\nRaises:\n    not an entry", "is not 'ErrorName: when'"),
        ("Does things.\n\nRaises:\n    ValidationException:", "does not say when"),
    ],
)
def test_docstring_convention_is_enforced(doc, problem):
    with pytest.raises(table.OperationDocError, match=re.escape(problem)):
        table.parse_docstring("Op", doc)


def test_continuation_lines_join_their_entry():
    behaviour, entries = table.parse_docstring(
        "Op", "First paragraph\ncontinues.\n\nSecond.\n\nRaises:\n    ConflictException: one\n        two.\n"
    )
    assert behaviour == ["First paragraph continues.", "Second."]
    assert entries == [("ConflictException", "one two.")]
