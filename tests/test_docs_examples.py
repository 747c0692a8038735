"""Every Python example in the documentation and the README runs here, so the docs cannot rot.

Two kinds of Python block:

* a block that defines tests (``def test_...``, ``class Test...``, a
  ``unittest.TestCase``) is saved as a test module and run by pytest, in one
  child process for all such blocks; each block must collect at least one test
  and every test in it must pass;
* any other block is a script: it is executed in a fresh namespace and must
  finish without an exception and without leaving a mock active.

Shell and JavaScript examples are run by ``tests/test_docs_shell_examples.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from docs_examples import ROOT, Example, all_examples, examples

from appfabric_mock import current_mock

#: Languages whose blocks are executed, and the test module that executes them.
EXECUTED = {
    "python": "tests/test_docs_examples.py",
    "console": "tests/test_docs_shell_examples.py",
    "bash": "tests/test_docs_shell_examples.py",
    "javascript": "tests/test_docs_shell_examples.py",
}
#: Blocks that are not code (program output, configuration files) are shown, not run.
NOT_CODE = {"text", "ini", "toml", "cfg", "none"}

PY_EXAMPLES = examples("python")
SCRIPTS = [example for example in PY_EXAMPLES if not example.is_test_module]
TEST_MODULES = [example for example in PY_EXAMPLES if example.is_test_module]


def test_the_docs_have_examples_of_both_kinds() -> None:
    assert len(SCRIPTS) >= 1 and len(TEST_MODULES) >= 1


def test_every_example_is_in_a_language_that_is_run() -> None:
    unknown = [(e.id, e.language) for e in all_examples() if e.language not in EXECUTED and e.language not in NOT_CODE]
    assert unknown == [], f"examples in a language no test runs: {unknown}"


@pytest.mark.parametrize("example", SCRIPTS, ids=[example.id for example in SCRIPTS])
def test_script_example_runs(example: Example, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    # An example may set variables of its own; the monkeypatch restores the rest of the suite's view.
    for key in list(os.environ):
        monkeypatch.setenv(key, os.environ[key])
    namespace: Dict[str, object] = {"__name__": "__docs_example__"}
    try:
        exec(compile(example.code, example.id, "exec"), namespace)
    finally:
        leaked = current_mock()
        while current_mock() is not None:
            current_mock().stop()  # type: ignore[union-attr]
    assert leaked is None, f"{example.id} left a mock active"


def _module_name(example: Example) -> str:
    stem = example.id.replace("/", "_").replace(".", "_").replace(":", "_line")
    return f"test_doc_{stem}"


def reader_env(home: Path) -> Dict[str, str]:
    """This process's environment as on a reader's machine with no AWS set-up at all.

    No region, credentials, profile or endpoint from the variables or from ``~/.aws``, and no
    instance metadata: an example that works here does not lean on the configuration of the
    machine that runs the suite (the traps of docs/guides/pitfalls.rst depend on exactly that).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update(AWS_CONFIG_FILE=str(home / "no-aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
               AWS_EC2_METADATA_DISABLED="true")
    return env


def _same_order_args(config: pytest.Config) -> List[str]:
    """pytest-randomly's arguments for a child pytest: the parent's seed, so one seed reproduces a run.

    The examples run in random order too when the suite does (readers' suites may), but a child
    left to itself would draw a seed of its own on every run.
    """
    seed = getattr(config.option, "randomly_seed", None)
    return ["-p", "randomly", f"--randomly-seed={seed}"] if isinstance(seed, int) else []


@pytest.fixture(scope="module")
def test_module_results(tmp_path_factory: pytest.TempPathFactory,
                        pytestconfig: pytest.Config) -> Dict[str, List[Tuple[str, str]]]:
    """Run every test-defining example in one pytest child process; outcomes per example."""
    folder = tmp_path_factory.mktemp("doc_examples")
    for example in TEST_MODULES:
        (folder / f"{_module_name(example)}.py").write_text(example.code, encoding="utf-8")
    report = folder / "report.xml"
    env = reader_env(folder)
    # The checkout itself, whether or not it is installed: the docs describe this code.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         *_same_order_args(pytestconfig), "--rootdir", str(folder), "--junitxml", str(report), str(folder)],
        cwd=str(folder), env=env, capture_output=True, text=True, timeout=600,
    )
    results: Dict[str, List[Tuple[str, str]]] = {}
    if not report.exists():
        pytest.fail(f"pytest did not run the doc examples:\n{completed.stdout}\n{completed.stderr}", pytrace=False)
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")[0]
        outcome = "passed"
        detail = ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = child.tag
                detail = (child.get("message") or "") + "\n" + (child.text or "")
        results.setdefault(module, []).append((case.get("name", "?"), outcome + detail))
    results["__output__"] = [("stdout", completed.stdout[-4000:])]
    return results


@pytest.mark.parametrize("example", TEST_MODULES, ids=[example.id for example in TEST_MODULES])
def test_test_example_passes(example: Example, test_module_results: Dict[str, List[Tuple[str, str]]]) -> None:
    cases = test_module_results.get(_module_name(example), [])
    assert cases, f"{example.id} collected no test\n{test_module_results['__output__'][0][1]}"
    failed = [(name, outcome) for name, outcome in cases if outcome != "passed"]
    assert failed == [], f"{example.id}: {failed}"
