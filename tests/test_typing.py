"""The fixtures' types, as the pytest guide documents them, check with mypy in the user's own project.

mypy runs in another directory (so it finds appfabric-mock as an installed package, as a user's
project does: the README's editable install uses compat mode for this) on the typed example of
docs/guides/pytest.rst and on a file of mistakes that the types must catch.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest
from docs_examples import DOCS, ROOT, rst_examples

pytest.importorskip("mypy", reason="mypy is in the test extra")

#: Mistakes the fixtures' types catch (line -> the error mypy must report there).
WRONG = '''\
from mypy_boto3_appfabric import AppFabricClient

from appfabric_mock import AppFabricMock
from appfabric_mock.aio_clients import AsyncClientFactory
from appfabric_mock.server import ThreadedServer


def test_wrong(appfabric_mock: AppFabricMock, appfabric_client: AppFabricClient,
               appfabric_server: ThreadedServer) -> None:
    arn: int = appfabric_client.create_app_bundle()["appBundle"]["arn"]
    appfabric_mock.assert_called_with(1)
    port: str = appfabric_server.port


async def test_wrong_async(appfabric_async_client: AsyncClientFactory) -> None:
    async with appfabric_async_client as client:
        arn: int = (await client.create_app_bundle())["appBundle"]["arn"]
'''
EXPECTED = {
    10: 'expression has type "str", variable has type "int"',
    11: 'Argument 1 to "assert_called_with" of "Controls" has incompatible type "int"',
    12: 'expression has type "int", variable has type "str"',
    17: 'expression has type "str", variable has type "int"',
}


def _typed_example() -> str:
    [example] = [e for e in rst_examples(DOCS / "guides" / "pytest.rst")
                 if "from mypy_boto3_appfabric import AppFabricClient" in e.code]
    return example.code


def test_mypy_finds_the_package_and_checks_the_fixtures_types(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_typed.py").write_text(_typed_example(), encoding="utf-8")
    (tmp_path / "test_wrong.py").write_text(WRONG, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MYPYPATH")}
    done = subprocess.run(
        # The cache of the repository's own mypy runs (kept between runs: the stubs of boto3 are big).
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir",
         str(ROOT / ".mypy_cache" / "tests-typing"),
         "test_typed.py", "test_wrong.py"],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert "import-not-found" not in output and "import-untyped" not in output, output
    errors = {}
    for line in output.splitlines():
        match = re.match(r"(test_\w+)\.py:(\d+): error: (.*)", line)
        assert match, line
        assert match.group(1) == "test_wrong", line  # the documented example type-checks
        errors[int(match.group(2))] = match.group(3)
    assert sorted(errors) == sorted(EXPECTED), output
    for line, text in EXPECTED.items():
        assert text in errors[line], (line, errors[line])
