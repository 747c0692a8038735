"""The AWS SDK for JavaScript v2 against the mock's HTTP server.

The SDK brings its own AppFabric model, serialiser and parser, so this checks
the wire format independently of botocore.  ``tests/js/workflow.js`` runs the
workflow and prints a JSON summary; this test asserts on it.

Node.js and npm are required (CI has them): without them the test fails, it
does not skip.  ``.ci/run`` installs ``tests/js/node_modules`` before pytest; the
fixture installs it when missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict

import pytest

from appfabric_mock.server import ThreadedServer

JS_DIR = Path(__file__).parent / "js"
SDK_MODEL = JS_DIR / "node_modules" / "aws-sdk" / "apis" / "appfabric-2023-05-19.min.json"
INSTALL_TIMEOUT = 600
RUN_TIMEOUT = 120


def _node_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] = "1"
    return env


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with the SDK installed in tests/js/node_modules."""
    node_path, npm_path = shutil.which("node"), shutil.which("npm")
    if node_path is None or npm_path is None:
        pytest.fail("Node.js and npm are required for the JavaScript SDK test (install Node.js >= 14; CI has it)",
                    pytrace=False)
    if not SDK_MODEL.exists():
        _npm_install(npm_path)
    if not SDK_MODEL.exists():
        pytest.fail(f"npm install did not provide the SDK's AppFabric model ({SDK_MODEL})", pytrace=False)
    return node_path


def _npm_install(npm_path: str, needed: Path = SDK_MODEL) -> None:
    """``npm install`` in tests/js unless ``needed`` (a file the install provides) is there."""
    # pytest-xdist workers share the folder: one installs, the others wait for it.
    lock_path = Path(tempfile.gettempdir()) / "appfabric-mock-npm-install.lock"
    with open(lock_path, "w") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # Windows: no lock, a lone pytest process is the norm there
            pass
        if needed.exists():
            return
        done = subprocess.run([npm_path, "install", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True,
                              text=True, timeout=INSTALL_TIMEOUT, env=_node_env(), stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            pytest.fail(f"npm install in {JS_DIR} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
                        pytrace=False)


def run_workflow(node: str, server: ThreadedServer) -> Dict[str, Any]:
    env = _node_env()
    env["APPFABRIC_ENDPOINT"] = server.url
    done = subprocess.run([node, str(JS_DIR / "workflow.js")], cwd=JS_DIR, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"workflow.js failed ({done.returncode}):\n{done.stderr}"
    return dict(json.loads(done.stdout))


def test_javascript_sdk_workflow(node: str) -> None:
    with ThreadedServer() as server:
        summary = run_workflow(node, server)
        final_state = server.mock.snapshot()

    bundle = summary["bundleArn"]
    assert bundle.startswith("arn:aws:appfabric:us-east-1:123456789012:appbundle/")
    assert summary["bundleFromGet"] == bundle  # the ARN label went out percent-encoded and came back
    assert summary["bundleCount"] == 1

    # Create, connect, update (back to PendingConnect), connect again.
    assert summary["authorizationStatuses"] == ["PendingConnect", "Connected", "PendingConnect", "Connected"]
    assert summary["createdAtIsDate"] is True
    assert summary["authorizationPages"] == [["ASANA"], ["TERRAFORMCLOUD"]]
    assert summary["lastPageHasToken"] is False

    # User access: the user registered through the control API is found in the connected app only.
    assert summary["userAccessStarted"] == [
        {"app": "ASANA", "hasTask": True, "errorCode": None},
        {"app": "TERRAFORMCLOUD", "hasTask": False, "errorCode": "InvalidAppAuthorization"},
    ]
    # The task was in progress on the first read, and done on the next.
    assert summary["userAccessPolls"] == [["IN_PROGRESS"], ["COMPLETED"]]
    assert summary["userAccessResults"] == [
        {"app": "ASANA", "resultStatus": "COMPLETED", "userId": "U-ADA", "email": "ada@example.com"}
    ]

    assert summary["ingestionStates"][-1] == "enabled"
    assert summary["destinationStatuses"] == ["Active", "Failed", "Active"]
    assert summary["destinationStatusReason"] == "bucket policy denies writes"
    assert summary["destinationKind"] == ["firehoseStream"]
    assert summary["destinationCount"] == 1
    assert summary["ingestionTags"] == [{"key": "owner", "value": "js"}]
    assert summary["destinationTags"] == [{"key": "env", "value": "test"}]

    errors = summary["errors"]
    assert errors["notFound"]["code"] == "ResourceNotFoundException"
    assert errors["notFound"]["statusCode"] == 404
    assert errors["notFound"]["resourceType"] == "AppBundle"
    assert errors["notFound"]["resourceId"].endswith("appbundle/00000000-0000-4000-8000-000000000000")
    assert errors["validation"]["code"] == "ValidationException"
    assert errors["validation"]["statusCode"] == 400
    assert errors["validation"]["reason"] == "fieldValidationFailed"
    assert errors["validation"]["fieldList"][0]["name"] == "ingestionType"
    assert errors["conflict"]["code"] == "ConflictException"
    assert errors["conflict"]["statusCode"] == 409
    assert errors["conflict"]["resourceId"] == bundle
    assert errors["quota"]["code"] == "ServiceQuotaExceededException"
    assert errors["quota"]["statusCode"] == 402
    assert errors["quota"]["message"] == (
        "You have exceeded the maximum number of app bundles per account, per AWS Region.")
    assert (errors["notConnected"]["code"], errors["notConnected"]["statusCode"]) == ("ValidationException", 400)
    assert errors["notConnected"]["message"].startswith(
        "The app authorization for the specified application and tenant was not connected.")
    assert (errors["deleteUnknownBundle"]["code"], errors["deleteUnknownBundle"]["statusCode"]) == (
        "ValidationException", 400)
    # The SDK's own parser takes an unmodelled code as it comes.
    assert (errors["expiredToken"]["code"], errors["expiredToken"]["statusCode"]) == ("InvalidToken", 400)
    assert "expired" in errors["expiredToken"]["message"]
    assert summary["untaggedHasTags"] is False

    # Every delete answered 204 with no body, which Node's HTTP parser requires.
    assert summary["deleteResults"] == [0, 0, 0, 0, 0]
    assert summary["bundlesAfter"] == 0
    for state in (summary["state"], final_state):
        assert [bundle for regions in state["accounts"].values() for region in regions.values()
                for bundle in region["appBundles"]] == []
    # Secrets sent by the SDK are nowhere in the state it could read back.
    assert "js-sdk-api-key-secret" not in json.dumps(summary)
