"""What docs/guides/pitfalls.rst says happens before a mock starts, checked as it says it.

The page's code blocks that are tests run in tests/test_docs_examples.py like every other;
this module checks what those cannot: the collection error it shows (a real pytest run on a
machine with no AWS configuration), the fix that lives in a ``conftest.py``, and the facts it
states about ``setUpClass`` under a decorated ``unittest.TestCase``, in any test order.
"""

from __future__ import annotations

import io
import subprocess
import sys
import unittest
from pathlib import Path
from typing import Any, Dict, List, Tuple

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from docs_examples import DOCS, ROOT, Example, rst_examples
from test_docs_examples import reader_env
from test_docs_shell_examples import appears_in_order

from appfabric_mock import current_mock, mock_appfabric

PAGE = DOCS / "guides" / "pitfalls.rst"
EXAMPLES = list(rst_examples(PAGE))


def _block(language: str, containing: str) -> Example:
    found = [e for e in EXAMPLES if e.language == language and containing in e.code]
    assert len(found) == 1, f"{PAGE.name}: {len(found)} {language} blocks contain {containing!r}"
    return found[0]


def _files(block: Example) -> Dict[str, str]:
    """The files of a block that shows several, each introduced by a ``# name.py`` line."""
    files: Dict[str, List[str]] = {}
    current: List[str] = []
    for line in block.code.splitlines():
        if line.startswith("# ") and line.endswith(".py") and " " not in line[2:]:
            current = files.setdefault(line[2:], [])
        else:
            current.append(line)
    return {name: "\n".join(lines).strip() + "\n" for name, lines in files.items()}


def _run_pytest(folder: Path) -> Tuple[int, List[str]]:
    env = reader_env(folder)
    env["COLUMNS"] = "80"  # the width the page's output was printed at
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist",
         "--rootdir", str(folder), str(folder)],
        cwd=str(folder), env=env, capture_output=True, text=True, timeout=300,
    )
    return done.returncode, (done.stdout + done.stderr).splitlines()


@pytest.fixture
def trap(tmp_path: Path) -> Path:
    """The page's module-level client and its test, written out as the page shows them."""
    files = _files(_block("text", "# app.py"))
    assert sorted(files) == ["app.py", "test_app.py"]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_module_level_client_without_a_region_stops_collection_as_shown(trap: Path) -> None:
    status, output = _run_pytest(trap)
    shown = _block("text", "Interrupted: 1 error during collection").code.splitlines()
    assert status == 2, "\n".join(output)  # pytest's "interrupted"
    assert appears_in_order(shown, output), "the page shows\n" + "\n".join(shown) + "\npytest printed\n" + "\n".join(
        output)


def test_the_conftest_fix_makes_the_same_files_pass(trap: Path) -> None:
    conftest = _block("python", "# conftest.py")
    (trap / "conftest.py").write_text(conftest.code, encoding="utf-8")
    status, output = _run_pytest(trap)
    assert status == 0, "\n".join(output)
    assert any(line.startswith("=") and " 1 passed" in line for line in output), "\n".join(output)


# -- setUpClass under a decorated TestCase -----------------------------------------------------


def _run_cases(case: type, order: List[str]) -> unittest.TestResult:
    suite = unittest.TestSuite(case(name) for name in order)
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert result.testsRun == len(order)
    return result


@pytest.fixture
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere (variables, files, instance metadata), and a session that sees it."""
    for name, value in reader_env(tmp_path).items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APPFABRIC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.mark.parametrize("order", [["test_one", "test_two"], ["test_two", "test_one"]])
def test_set_up_class_runs_without_a_mock_and_each_test_gets_its_own(no_aws_configuration: None,
                                                                     order: List[str]) -> None:
    seen: Dict[str, Any] = {}

    @mock_appfabric
    class Decorated(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            seen["mock in setUpClass"] = current_mock()
            cls.client = boto3.client("appfabric", region_name="us-east-1")
            try:
                cls.client.create_app_bundle()
            except Exception as exc:  # noqa: BLE001 - what the call raised is the point
                seen["call in setUpClass"] = exc
            with mock_appfabric():
                cls.client.create_app_bundle()  # answered: by a mock that ends with the block

        def setUp(self) -> None:
            self.handle = current_mock()

        def _check(self, name: str) -> None:
            self.assertIsNotNone(self.handle)
            # The class's client is answered by this test's mock, which starts empty.
            self.assertEqual(self.client.list_app_bundles()["appBundleSummaryList"], [])
            self.client.create_app_bundle()
            seen[name] = self.handle

        def test_one(self) -> None:
            self._check("test_one")

        def test_two(self) -> None:
            self._check("test_two")

    result = _run_cases(Decorated, order)
    assert result.wasSuccessful(), result.failures + result.errors
    assert seen["mock in setUpClass"] is None
    # Not answered by any mock: botocore looked for credentials to sign a real request.
    assert isinstance(seen["call in setUpClass"], NoCredentialsError)
    assert seen["test_one"] is not seen["test_two"]
    assert current_mock() is None


def test_the_pages_saved_state_pattern_gives_each_test_the_same_data_in_any_order() -> None:
    block = _block("python", "class TenantTests")
    namespace: Dict[str, Any] = {"__name__": "pitfalls_example"}
    exec(compile(block.code, block.id, "exec"), namespace)
    case = namespace["TenantTests"]
    names = sorted(name for name in vars(case) if name.startswith("test"))
    assert len(names) == 2
    for order in (names, names[::-1]):
        result = _run_cases(case, order)
        assert result.wasSuccessful(), result.failures + result.errors
    assert current_mock() is None
