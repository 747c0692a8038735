"""Sphinx directive ``.. appfabric-operations::``: the table of all AppFabric operations.

Generated at build time from botocore's service model (method, path, success
code, modelled errors) and from the docstrings of the backend's operation
methods (behaviour notes), so it cannot drift from the code.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, List

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList


def operation_rows() -> List[Dict[str, str]]:
    """One row per operation of the model, in the model's order."""
    from appfabric_mock.backend.backend import AppFabricBackend
    from appfabric_mock.protocol.compiled import protocol

    proto = protocol()
    rows = []
    for name in sorted(proto.operations):
        spec = proto.operations[name]
        model = spec.model
        method = getattr(AppFabricBackend, spec.method_name, None)
        notes = inspect.getdoc(method) if method is not None else None
        rows.append(
            {
                "operation": name,
                "http": f"{model.http['method']} {model.http['requestUri']}",
                "status": str(model.http.get("responseCode", 200)),
                "errors": ", ".join(sorted(e.name for e in model.error_shapes)),
                "implemented": "yes" if method is not None else "no",
                "notes": " ".join((notes or "").split()),
            }
        )
    return rows


class OperationsTable(Directive):
    has_content = False

    def run(self) -> List[Any]:
        rows = operation_rows()
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 18 24 6 22 30",
            "",
            "   * - Operation",
            "     - HTTP",
            "     - OK",
            "     - Modelled errors",
            "     - Behaviour",
        ]
        for row in rows:
            lines += [
                f"   * - ``{row['operation']}``",
                f"     - ``{row['http']}``",
                f"     - {row['status']}",
                f"     - {row['errors']}",
                f"     - {row['notes'] or 'Implemented.'}",
            ]
        container = nodes.section()
        container.document = self.state.document
        self.state.nested_parse(StringList(lines, source="appfabric-operations"), self.content_offset, container)
        return list(container.children)


def setup(app: Any) -> Dict[str, Any]:
    app.add_directive("appfabric-operations", OperationsTable)
    return {"version": "1.0", "parallel_read_safe": True}
