"""Importing the package and creating a handle stay cheap: the machinery loads on the first start.

A handle is created wherever a test module decorates with ``mock_appfabric(...)``, often
while pytest collects; the backend, the protocol and botocore's service model are only
needed once a mock runs.  Checked in a fresh interpreter, by what it has imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Dict, List

#: Loaded by the first start or the first call, never by an import or a handle.
HEAVY = ("appfabric_mock.backend", "appfabric_mock.protocol", "appfabric_mock._model", "appfabric_mock.state",
         "appfabric_mock.recording", "appfabric_mock.intercept", "botocore.model", "botocore.loaders")


def _modules_after(code: str) -> Dict[str, List[str]]:
    """Run ``code`` in a fresh interpreter; the modules it has loaded at each ``mark(name)``."""
    program = textwrap.dedent("""
        import json, sys
        marks = {}
        def mark(name):
            marks[name] = sorted(sys.modules)
    """) + textwrap.dedent(code) + "\nprint(json.dumps(marks))\n"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _heavy(modules: List[str]) -> List[str]:
    return [name for name in modules if name.startswith(HEAVY)]


def test_creating_handles_loads_neither_backend_nor_protocol_nor_model() -> None:
    marks = _modules_after("""
        import appfabric_mock
        mark("import")
        from appfabric_mock import mock_appfabric
        mock_appfabric()
        mock_appfabric(account_id="111122223333", accounts={"AKIAEXAMPLE": "444455556666"}, seed=7,
                       now="2024-01-01T00:00:00Z", default_page_size=10, max_recorded_calls=5)

        @mock_appfabric()
        def decorated():
            pass

        @mock_appfabric(seed=1)
        class Decorated:
            def test_it(self):
                pass

        mark("handles")
        mock_appfabric().start().stop()
        mark("started")
    """)
    assert _heavy(marks["import"]) == []
    assert _heavy(marks["handles"]) == []
    # The check has teeth: a start does load them.
    assert "appfabric_mock.backend.backend" in marks["started"]
    assert "appfabric_mock.state" in marks["started"]


def test_the_error_classes_load_the_model_when_named() -> None:
    marks = _modules_after("""
        import pickle
        from appfabric_mock.errors import AppFabricError, UnknownOperationException
        mark("unmodelled")
        from appfabric_mock.errors import ConflictException
        error = ConflictException("taken", resource_id="r", resource_type="AppBundle")
        assert pickle.loads(pickle.dumps(error)).members == error.members
        mark("modelled")
    """)
    assert _heavy(marks["unmodelled"]) == []
    assert "botocore.model" in marks["modelled"]
