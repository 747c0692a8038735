"""The AWS CLI (v1, from PyPI) against the mock's HTTP server, as a user would run it.

Each call is a real ``python -m awscli`` process with ``--endpoint-url``: its own
argument parsing, serialisation, signing, response parsing, pagination and
error reporting.  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import boto3
import pytest
from botocore.config import Config
from helpers import isolated_aws_env

from appfabric_mock.server import ThreadedServer

#: awscli v1 exits with 255 when the service answers an error (v2 uses 254 for that).
SERVICE_ERROR_EXIT_CODE = 255
CLI_TIMEOUT = 120  # seconds; a CLI call takes about one


class Cli:
    """Runs ``aws`` commands against one server with fake credentials and no user configuration."""

    def __init__(self, server: ThreadedServer, home: Path) -> None:
        self.server = server
        env = isolated_aws_env(home, "AKIDAWSCLITEST", "fake-secret-for-tests")
        self.env = env

    def command(self, *args: str) -> List[str]:
        return [sys.executable, "-m", "awscli", "--endpoint-url", self.server.url, "--region", "us-east-1",
                "--output", "json", "appfabric", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), capture_output=True, text=True, env=self.env,
                              timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)

    def json(self, *args: str) -> Dict[str, Any]:
        done = self.run(*args)
        assert done.returncode == 0, f"aws {' '.join(args)} failed ({done.returncode}): {done.stderr}"
        return dict(json.loads(done.stdout)) if done.stdout.strip() else {}


@pytest.fixture
def access_log() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def cli(tmp_path: Path, access_log: io.StringIO) -> Iterator[Cli]:
    with ThreadedServer(quiet=False, log=access_log) as server:
        yield Cli(server, tmp_path)


def test_authorization_lifecycle_with_the_cli(cli: Cli) -> None:
    bundle = cli.json("create-app-bundle", "--tags", "key=team,value=security")["appBundle"]["arn"]
    assert bundle.startswith("arn:aws:appfabric:us-east-1:123456789012:appbundle/")

    created = cli.json(
        "create-app-authorization", "--app-bundle-identifier", bundle, "--app", "ASANA", "--auth-type", "apiKey",
        "--credential", json.dumps({"apiKeyCredential": {"apiKey": "cli-api-key"}}),
        "--tenant", "tenantIdentifier=cli-tenant,tenantDisplayName=CLI tenant",
    )["appAuthorization"]
    arn = created["appAuthorizationArn"]
    assert created["status"] == "PendingConnect"
    assert created["tenant"] == {"tenantIdentifier": "cli-tenant", "tenantDisplayName": "CLI tenant"}

    connected = cli.json("connect-app-authorization", "--app-bundle-identifier", bundle,
                         "--app-authorization-identifier", arn)
    assert connected["appAuthorizationSummary"]["status"] == "Connected"

    # New credentials need a new connect: the authorization goes back to PendingConnect.
    updated = cli.json("update-app-authorization", "--app-bundle-identifier", bundle,
                       "--app-authorization-identifier", arn,
                       "--credential", json.dumps({"apiKeyCredential": {"apiKey": "rotated-key"}}))
    assert updated["appAuthorization"]["status"] == "PendingConnect"

    # A 204 with no body: the CLI prints nothing and succeeds.
    deleted = cli.run("delete-app-authorization", "--app-bundle-identifier", bundle,
                      "--app-authorization-identifier", arn)
    assert (deleted.returncode, deleted.stdout.strip()) == (0, ""), deleted.stderr
    assert cli.server.mock.resources()[0]["tags"] == {"team": "security"}


def test_pagination_with_the_cli(cli: Cli, access_log: io.StringIO) -> None:
    client = boto3.client("appfabric", endpoint_url=cli.server.url, region_name="us-east-1",
                          aws_access_key_id="AKIDSEED", aws_secret_access_key="x",
                          config=Config(retries={"total_max_attempts": 1}))
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    for index in range(3):
        client.create_app_authorization(
            appBundleIdentifier=bundle, app="ASANA", authType="apiKey",
            credential={"apiKeyCredential": {"apiKey": f"key-{index}"}},
            tenant={"tenantIdentifier": f"tenant-{index}", "tenantDisplayName": f"Tenant {index}"})
    list_args = ("list-app-authorizations", "--app-bundle-identifier", bundle)

    first = cli.json(*list_args, "--max-items", "1")
    assert len(first["appAuthorizationSummaryList"]) == 1
    token = first["NextToken"]  # the CLI's own token, wrapping the service's nextToken
    second = cli.json(*list_args, "--max-items", "1", "--starting-token", token)
    assert len(second["appAuthorizationSummaryList"]) == 1
    seen = [page["appAuthorizationSummaryList"][0]["tenant"]["tenantIdentifier"] for page in (first, second)]
    assert seen[0] != seen[1]

    lines_before = access_log.getvalue().count("/appauthorizations 200")
    everything = cli.json(*list_args, "--page-size", "1")
    tenants = sorted(item["tenant"]["tenantIdentifier"] for item in everything["appAuthorizationSummaryList"])
    assert tenants == ["tenant-0", "tenant-1", "tenant-2"]
    assert "NextToken" not in everything
    # --page-size 1 made one ListAppAuthorizations call per item (the last page has no nextToken).
    assert access_log.getvalue().count("/appauthorizations 200") - lines_before == 3


def test_service_error_exit_code_and_message(cli: Cli) -> None:
    missing = "arn:aws:appfabric:us-east-1:123456789012:appbundle/00000000-0000-4000-8000-000000000000"
    done = cli.run("get-app-bundle", "--app-bundle-identifier", missing)
    assert done.returncode == SERVICE_ERROR_EXIT_CODE
    assert done.stdout == ""
    assert "An error occurred (ResourceNotFoundException) when calling the GetAppBundle operation" in done.stderr
    assert f"AppBundle {missing} does not exist" in done.stderr

    # The service's own validation (the CLI does not check enums): a modelled ValidationException.
    invalid = cli.run("create-ingestion", "--app-bundle-identifier", missing, "--app", "ASANA",
                      "--tenant-id", "t", "--ingestion-type", "notAType")
    assert invalid.returncode == SERVICE_ERROR_EXIT_CODE
    assert "An error occurred (ValidationException) when calling the CreateIngestion operation" in invalid.stderr


def test_ingestion_and_user_access_rules_with_the_cli(cli: Cli) -> None:
    bundle = cli.json("create-app-bundle")["appBundle"]["arn"]
    arn = cli.json(
        "create-app-authorization", "--app-bundle-identifier", bundle, "--app", "ASANA", "--auth-type", "apiKey",
        "--credential", json.dumps({"apiKeyCredential": {"apiKey": "cli-api-key"}}),
        "--tenant", "tenantIdentifier=acme,tenantDisplayName=Acme",
    )["appAuthorization"]["appAuthorizationArn"]
    ingestion_args = ("create-ingestion", "--app-bundle-identifier", bundle, "--app", "ASANA", "--tenant-id", "acme",
                      "--ingestion-type", "auditLog")

    # Not connected yet: AWS's own answer.
    refused = cli.run(*ingestion_args)
    assert refused.returncode == SERVICE_ERROR_EXIT_CODE
    assert ("An error occurred (ValidationException) when calling the CreateIngestion operation: The app "
            "authorization for the specified application and tenant was not connected.") in refused.stderr
    cli.json("connect-app-authorization", "--app-bundle-identifier", bundle, "--app-authorization-identifier", arn)
    assert cli.json(*ingestion_args)["ingestion"]["state"] == "enabled"

    # User access tasks take time: in progress on the first read, done on the next.
    cli.server.mock.add_app_user(app="ASANA", tenant_id="acme", email="ada@example.com", user_id="U-ADA")
    task = cli.json("start-user-access-tasks", "--app-bundle-identifier", bundle,
                    "--email", "ada@example.com")["userAccessTasksList"][0]["taskId"]
    reads = [cli.json("batch-get-user-access-tasks", "--app-bundle-identifier", bundle, "--task-id-list", task)
             ["userAccessResultsList"][0] for _ in range(2)]
    assert [r["resultStatus"] for r in reads] == ["IN_PROGRESS", "COMPLETED"]
    assert reads[1]["userId"] == "U-ADA"
