"""Server mode: boto3 over real HTTP, the control API, the state page, robustness, start/stop.

Every request goes to 127.0.0.1 only.  Nothing here sleeps: waits are for a
process or a thread, bounded by a generous timeout.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from helpers import UUID_PATTERN

from appfabric_mock import control_api
from appfabric_mock.server import MAX_BODY_BYTES, AppFabricApp, ThreadedServer, raw_request_uri
from appfabric_mock.state import MockState

ACCOUNT = "123456789012"
NIL = "00000000-0000-4000-8000-000000000000"
#: Fake credentials: the server never checks signatures, but clients must sign.
ACCESS_KEY = "AKIDSERVERTEST"
SECRET_KEY = "fake-secret-key"
NO_RETRIES = Config(retries={"total_max_attempts": 1})
STRICT_STOP_SECONDS = 30.0  # a generous bound for a process to stop, never a sleep


def client_for(server: ThreadedServer, region: str = "us-east-1", access_key: str = ACCESS_KEY,
               **kwargs: Any) -> Any:
    return boto3.client("appfabric", endpoint_url=server.url, region_name=region, aws_access_key_id=access_key,
                        aws_secret_access_key=SECRET_KEY, config=kwargs.pop("config", NO_RETRIES), **kwargs)


def api_key_authorization(client: Any, bundle: str, *, app: str = "ASANA", tenant: str = "tenant-1",
                          api_key: str = "api-key-value") -> Dict[str, Any]:
    return dict(client.create_app_authorization(
        appBundleIdentifier=bundle, app=app, authType="apiKey",
        credential={"apiKeyCredential": {"apiKey": api_key}},
        tenant={"tenantIdentifier": tenant, "tenantDisplayName": tenant.title()},
    )["appAuthorization"])


def request(server: ThreadedServer, method: str, path: str, body: Any = None,
            headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    """One request on a fresh connection: (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def control(server: ThreadedServer, method: str, action: str, body: Any = None) -> Tuple[int, Any]:
    # A control request that changes the mock says it is JSON (browsers cannot send that cross-origin).
    headers = {"Content-Type": "application/json"} if method == "POST" else {}
    status, _, data = request(server, method, f"/_appfabric_mock/{action}", body, headers)
    return status, json.loads(data)


def raw_exchange(server: ThreadedServer, data: bytes, shut_write: bool = False) -> Tuple[int, Dict[str, str], bytes]:
    """Send raw bytes, read one response (for requests http.client refuses to send)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock, method=data.split(b" ", 1)[0].decode())
        response.begin()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def assert_still_serving(server: ThreadedServer) -> None:
    status, headers, body = request(server, "GET", "/appbundles")
    assert status == 200, body
    assert "appBundleSummaryList" in json.loads(body)


def assert_aws_error(status: int, headers: Dict[str, str], body: bytes, expected_status: int, code: str) -> Dict:
    assert status == expected_status, body
    assert headers["x-amzn-errortype"] == code
    assert headers["content-type"] == "application/json"
    assert re.fullmatch(UUID_PATTERN, headers["x-amzn-requestid"])  # every AWS answer carries one
    document = json.loads(body)
    assert document["__type"] == code  # the JavaScript SDK reads the body's code first
    assert document["message"]
    return dict(document)


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer() as running:
        yield running


# -- boto3 over HTTP ----------------------------------------------------------------------


def test_boto3_workflow_through_the_server(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle(tags=[{"key": "team", "value": "sec"}])["appBundle"]["arn"]
    assert bundle.startswith(f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/")
    auth = api_key_authorization(client, bundle)
    arn = auth["appAuthorizationArn"]
    assert auth["status"] == "PendingConnect"
    # ARNs travel as percent-encoded labels (%3A, %2F): the server routes on the raw path.
    connected = client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    assert connected["appAuthorizationSummary"]["status"] == "Connected"
    updated = client.update_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn,
                                              credential={"apiKeyCredential": {"apiKey": "rotated"}})
    assert updated["appAuthorization"]["status"] == "PendingConnect"
    # The short UUID form of an identifier works as well.
    short_id = arn.rsplit("/", 1)[1]
    fetched = client.get_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=short_id)
    assert fetched["appAuthorization"]["appAuthorizationArn"] == arn

    client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)  # after the update
    ingestion = client.create_ingestion(appBundleIdentifier=bundle, app="ASANA", tenantId="tenant-1",
                                        ingestionType="auditLog")["ingestion"]
    destination = client.create_ingestion_destination(
        appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"],
        processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "logs"}}}},
    )["ingestionDestination"]
    assert destination["status"] == "Active"
    client.tag_resource(resourceArn=destination["arn"], tags=[{"key": "k", "value": "v"}])
    assert client.list_tags_for_resource(resourceArn=destination["arn"])["tags"] == [{"key": "k", "value": "v"}]
    client.untag_resource(resourceArn=destination["arn"], tagKeys=["k"])
    assert "tags" not in client.list_tags_for_resource(resourceArn=destination["arn"])

    deleted = client.delete_ingestion_destination(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"],
                                                  ingestionDestinationIdentifier=destination["arn"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    client.stop_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"])
    client.delete_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"])
    client.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    client.delete_app_bundle(appBundleIdentifier=bundle)
    assert client.list_app_bundles()["appBundleSummaryList"] == []


def test_modelled_errors_reach_boto3_with_their_members(server: ThreadedServer) -> None:
    client = client_for(server)
    missing = f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/00000000-0000-4000-8000-000000000000"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_app_bundle(appBundleIdentifier=missing)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["resourceType"] == "AppBundle"
    assert error["resourceId"] == missing

    client.create_app_bundle()
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as quota:
        client.create_app_bundle()
    assert quota.value.response["quotaCode"] == "appfabric-app-bundles-per-account"

    unchecked = client_for(server, config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    with pytest.raises(unchecked.exceptions.ValidationException) as invalid:
        unchecked.list_app_bundles(maxResults=1000)
    assert invalid.value.response["reason"] == "fieldValidationFailed"
    assert invalid.value.response["fieldList"][0]["name"] == "maxResults"


def test_pagination_over_http(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    for index in range(5):
        api_key_authorization(client, bundle, tenant=f"tenant-{index}")
    pages = list(client.get_paginator("list_app_authorizations").paginate(
        appBundleIdentifier=bundle, PaginationConfig={"PageSize": 2}))
    assert [len(page["appAuthorizationSummaryList"]) for page in pages] == [2, 2, 1]
    tenants = [item["tenant"]["tenantIdentifier"] for page in pages for item in page["appAuthorizationSummaryList"]]
    assert sorted(tenants) == [f"tenant-{index}" for index in range(5)]


def test_region_comes_from_the_signing_scope(server: ThreadedServer) -> None:
    arn = client_for(server, region="eu-west-1").create_app_bundle()["appBundle"]["arn"]
    assert arn.startswith(f"arn:aws:appfabric:eu-west-1:{ACCOUNT}:")
    # Each (account, region) has its own state.
    assert client_for(server, region="us-east-1").list_app_bundles()["appBundleSummaryList"] == []


def test_account_from_access_key_mapping_and_from_header() -> None:
    with ThreadedServer(accounts={"AKIDMAPPED": "111122223333"}) as server:
        mapped = client_for(server, access_key="AKIDMAPPED").create_app_bundle()["appBundle"]["arn"]
        assert ":111122223333:" in mapped
        # The control API maps more keys at run time.
        mapping = {"accessKeyId": "AKIDLATER", "accountId": "444455556666"}
        assert control(server, "POST", "accounts", mapping) == (200, {})
        later = client_for(server, access_key="AKIDLATER").create_app_bundle()["appBundle"]["arn"]
        assert ":444455556666:" in later
        # Unsigned callers (other SDKs, curl) name the account in a header.
        status, _, body = request(server, "POST", "/appbundles", {},
                                  headers={"X-Appfabric-Mock-Account-Id": "777788889999"})
        assert status == 201
        assert ":777788889999:" in json.loads(body)["appBundle"]["arn"]
        default = client_for(server, access_key="AKIDUNMAPPED").create_app_bundle()["appBundle"]["arn"]
        assert f":{ACCOUNT}:" in default
        accounts = server.mock.snapshot()["accounts"]
        assert set(accounts) == {"111122223333", "444455556666", "777788889999", ACCOUNT}


def test_concurrent_clients(server: ThreadedServer) -> None:
    bundle = client_for(server).create_app_bundle()["appBundle"]["arn"]
    errors: List[BaseException] = []

    def worker(index: int) -> None:
        try:
            client = client_for(server)
            for number in range(5):
                api_key_authorization(client, bundle, tenant=f"t-{index}-{number}")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    snapshot = server.mock.snapshot()
    assert len(snapshot["accounts"][ACCOUNT]["us-east-1"]["appBundles"][0]["appAuthorizations"]) == 30


def test_strict_regions_answer_misdirected_request() -> None:
    with ThreadedServer(strict_regions=True) as server:
        with pytest.raises(ClientError) as caught:
            client_for(server, region="us-west-2").list_app_bundles()
        assert caught.value.response["Error"]["Code"] == "UnreachableRegion"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 421
        assert client_for(server, region="eu-west-1").list_app_bundles()["appBundleSummaryList"] == []


# -- the pytest fixture -------------------------------------------------------------------


def test_fixture_serves_a_fresh_state(appfabric_server: ThreadedServer) -> None:
    assert appfabric_server.url.startswith("http://127.0.0.1:")
    client = client_for(appfabric_server)
    client.create_app_bundle()
    assert len(appfabric_server.mock.resources()) == 1
    assert appfabric_server.state is appfabric_server.mock.state


@pytest.mark.appfabric_mock(quotas={"app_bundles": 2}, account_id="210987654321")
def test_fixture_takes_marker_options(appfabric_server: ThreadedServer) -> None:
    client = client_for(appfabric_server)
    arns = [client.create_app_bundle()["appBundle"]["arn"] for _ in range(2)]
    assert all(":210987654321:" in arn for arn in arns)


# -- the control API ----------------------------------------------------------------------


def test_control_reset_and_state(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    api_key_authorization(client, bundle, api_key="TOP-SECRET-API-KEY")
    client.create_app_authorization(
        appBundleIdentifier=bundle, app="SLACK", authType="oauth2",
        credential={"oauth2Credential": {"clientId": "cid", "clientSecret": "TOP-SECRET-CLIENT-SECRET"}},
        tenant={"tenantIdentifier": "T1", "tenantDisplayName": "Workspace"},
    )
    status, headers, body = request(server, "GET", "/_appfabric_mock/state")
    assert status == 200 and headers["content-type"] == "application/json"
    state = json.loads(body)
    bundles = state["accounts"][ACCOUNT]["us-east-1"]["appBundles"]
    assert [b["arn"] for b in bundles] == [bundle]
    assert {a["app"] for a in bundles[0]["appAuthorizations"]} == {"ASANA", "SLACK"}
    assert b"TOP-SECRET" not in body  # credentials are never kept, so never shown

    assert control(server, "POST", "reset") == (200, {})
    assert client.list_app_bundles()["appBundleSummaryList"] == []
    status, resources = control(server, "GET", "resources")
    assert (status, resources) == (200, {"resources": []})


def test_control_authorization_status_and_failing_connect(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    arn = api_key_authorization(client, bundle)["appAuthorizationArn"]
    assert control(server, "POST", "authorization-status", {"arn": arn, "status": "TokenAutoRotationFailed"}) == (
        200, {})
    got = client.get_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    assert got["appAuthorization"]["status"] == "TokenAutoRotationFailed"

    assert control(server, "POST", "fail-next-connect", {"arn": arn, "message": "bad key"}) == (200, {})
    with pytest.raises(client.exceptions.ValidationException):
        client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    got = client.get_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    assert got["appAuthorization"]["status"] == "ConnectionValidationFailed"
    # Only the next connect fails.
    connected = client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    assert connected["appAuthorizationSummary"]["status"] == "Connected"


def test_control_destination_failed_and_app_users(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    arn = api_key_authorization(client, bundle)["appAuthorizationArn"]
    client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)
    ingestion = client.create_ingestion(appBundleIdentifier=bundle, app="ASANA", tenantId="tenant-1",
                                        ingestionType="auditLog")["ingestion"]["arn"]
    destination = client.create_ingestion_destination(
        appBundleIdentifier=bundle, ingestionIdentifier=ingestion,
        processingConfiguration={"auditLog": {"schema": "raw", "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"firehoseStream": {"streamName": "stream"}}}},
    )["ingestionDestination"]["arn"]
    assert control(server, "POST", "destination-failed", {"arn": destination, "reason": "no access"}) == (200, {})
    got = client.get_ingestion_destination(appBundleIdentifier=bundle, ingestionIdentifier=ingestion,
                                           ingestionDestinationIdentifier=destination)["ingestionDestination"]
    assert (got["status"], got["statusReason"]) == ("Failed", "no access")

    assert control(server, "POST", "app-users", {"app": "ASANA", "tenantId": "tenant-1", "email": "ada@example.com",
                                                 "userId": "U1", "firstName": "Ada"}) == (200, {})
    started = client.start_user_access_tasks(appBundleIdentifier=bundle, email="ada@example.com")
    task_id = started["userAccessTasksList"][0]["taskId"]
    result = client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=[task_id])
    assert result["userAccessResultsList"][0]["resultStatus"] == "IN_PROGRESS"
    # A program in another process finishes the tasks at once through the control API.
    assert control(server, "POST", "user-access-tasks/complete", {}) == (200, {"completed": 1})
    assert control(server, "POST", "user-access-tasks/complete", {"taskIds": [task_id]}) == (200, {"completed": 0})
    status, error = control(server, "POST", "user-access-tasks/complete", {"taskIds": task_id})
    assert status == 400 and "taskIds" in error["error"]
    result = client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=[task_id])
    assert result["userAccessResultsList"][0]["userId"] == "U1"


def test_control_fails_user_access_tasks(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    arn = api_key_authorization(client, bundle)["appAuthorizationArn"]
    client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)

    def start() -> str:
        started = client.start_user_access_tasks(appBundleIdentifier=bundle, email="ada@example.com")
        return str(started["userAccessTasksList"][0]["taskId"])

    def result(task_id: str) -> Dict[str, Any]:
        read = client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=[task_id])
        return dict(read["userAccessResultsList"][0])

    first, second = start(), start()
    assert control(server, "POST", "user-access-tasks/fail", {
        "taskIds": [first], "errorCode": "AppRateLimitExceeded", "errorMessage": "Slow down"}) == (200, {"failed": 1})
    failed = result(first)
    assert failed["resultStatus"] == "FAILED"
    assert failed["taskError"] == {"errorCode": "AppRateLimitExceeded", "errorMessage": "Slow down"}
    assert result(second)["resultStatus"] == "IN_PROGRESS"
    # Without options: every task still in progress, with the mock's default error.
    assert control(server, "POST", "user-access-tasks/fail", {}) == (200, {"failed": 1})
    assert result(second)["taskError"]["errorCode"] == "AppServiceUnavailable"
    assert control(server, "POST", "user-access-tasks/fail", {}) == (200, {"failed": 0})
    assert control(server, "POST", "user-access-tasks/complete", {"taskIds": [first]}) == (200, {"completed": 0})

    for body, message in (({"taskIds": first}, "taskIds"), ({"errorCode": 7}, "errorCode"),
                          ({"errorMessage": ""}, "'errorMessage' must not be empty"),
                          ({"taskIds": [{}]}, "array of strings")):
        status, error = control(server, "POST", "user-access-tasks/fail", body)
        assert status == 400 and message in error["error"], (body, error)
    assert "POST user-access-tasks/fail" in control(server, "GET", "actions")[1]["actions"]


def test_control_clock(server: ThreadedServer) -> None:
    client = client_for(server)
    status, frozen = control(server, "POST", "clock/set", {"at": "2024-03-01T12:00:00Z"})
    assert (status, frozen) == (200, {"now": "2024-03-01T12:00:00.000Z", "frozen": True})
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    first = api_key_authorization(client, bundle)
    assert first["createdAt"].isoformat() == "2024-03-01T12:00:00+00:00"
    assert control(server, "POST", "clock/advance", {"seconds": 90})[1]["now"] == "2024-03-01T12:01:30.000Z"
    second = api_key_authorization(client, bundle, tenant="tenant-2")
    assert (second["createdAt"] - first["createdAt"]).total_seconds() == 90
    assert control(server, "GET", "clock")[1] == {"now": "2024-03-01T12:01:30.000Z", "frozen": True}
    assert control(server, "POST", "clock/unfreeze")[1]["frozen"] is False
    assert control(server, "POST", "clock/freeze")[1]["frozen"] is True
    assert control(server, "POST", "clock/freeze", {"at": "2030-01-01T00:00:00+00:00"})[1]["now"] == (
        "2030-01-01T00:00:00.000Z")


@pytest.mark.parametrize(
    ("method", "action", "body", "status", "fragment"),
    [
        ("POST", "no-such-action", {}, 404, "unknown control action"),
        ("GET", "reset", None, 405, "use POST"),
        ("POST", "authorization-status", b"{not json", 400, "not valid JSON"),
        ("POST", "authorization-status", b"[1, 2]", 400, "JSON object"),
        ("POST", "authorization-status", {"status": "Connected"}, 400, "missing required field 'arn'"),
        ("POST", "authorization-status", {"arn": 5, "status": "Connected"}, 400, "must be a string"),
        ("POST", "authorization-status", {"arn": "arn:aws:s3:::bucket", "status": "Connected"}, 400,
         "not an app authorization ARN"),
        ("POST", "authorization-status",
         {"arn": f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/{NIL}/appauthorization/{NIL}",
          "status": "Connected"},
         404, "no app authorization"),
        ("POST", "destination-failed",
         {"arn": f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/{NIL}/ingestion/{NIL}/ingestiondestination/{NIL}"},
         404, "no ingestion destination"),
        ("POST", "clock/set", {"at": "yesterday"}, 400, "ISO-8601"),
        ("POST", "clock/advance", {"seconds": "ten"}, 400, "must be a number"),
        ("POST", "clock/advance", {"seconds": 1e300}, 400, ""),
        ("POST", "accounts", {"accessKeyId": "AKID", "accountId": "12"}, 400, "12 digits"),
        ("POST", "app-users", {"app": "ASANA"}, 400, "tenantId"),
    ],
)
def test_control_errors_are_json_and_the_server_keeps_serving(
    server: ThreadedServer, method: str, action: str, body: Any, status: int, fragment: str
) -> None:
    json_type = {"Content-Type": "application/json"} if method == "POST" else {}
    got_status, headers, data = request(server, method, f"/_appfabric_mock/{action}", body, json_type)
    assert got_status == status
    assert headers["content-type"] == "application/json"
    document = json.loads(data)
    assert set(document) == {"error"}
    assert fragment in document["error"]
    assert "Traceback" not in document["error"]
    if status == 405:
        assert headers["allow"] == "POST"
    assert_still_serving(server)


def test_control_action_registration_is_one_line(server: ThreadedServer) -> None:
    control_api.register("POST", "test-echo", lambda controls, body: {"echo": body, "bundles": len(
        controls.resources())})
    try:
        assert control(server, "POST", "test-echo", {"x": 1}) == (200, {"echo": {"x": 1}, "bundles": 0})
        assert "POST test-echo" in control(server, "GET", "actions")[1]["actions"]
    finally:
        del control_api.ACTIONS[("POST", "test-echo")]


def test_control_action_bug_is_a_json_500(server: ThreadedServer) -> None:
    def broken(controls: Any, body: Dict[str, Any]) -> Any:
        raise RuntimeError("boom")

    control_api.register("POST", "test-broken", broken)
    try:
        assert control(server, "POST", "test-broken") == (500, {"error": "RuntimeError: boom"})
    finally:
        del control_api.ACTIONS[("POST", "test-broken")]
    assert_still_serving(server)


# -- the state page -------------------------------------------------------------------------


def test_state_page_shows_resources_escaped(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle(tags=[{"key": "note", "value": "<script>alert(1)</script>"}])["appBundle"]["arn"]
    api_key_authorization(client, bundle, tenant="<b>tenant</b>", api_key="PAGE-SECRET-KEY")
    client_for(server, region="eu-west-1").create_app_bundle()
    status, headers, body = request(server, "GET", "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    page = body.decode()
    assert bundle in page
    assert "Account <code>123456789012</code>, region <code>us-east-1</code>" in page
    assert "region <code>eu-west-1</code>" in page
    assert "PendingConnect" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>tenant</b>" not in page and "&lt;b&gt;tenant&lt;/b&gt;" in page
    assert "PAGE-SECRET-KEY" not in page

    head_status, head_headers, head_body = request(server, "HEAD", "/")
    assert (head_status, head_body) == (200, b"")
    assert head_headers["content-length"] == headers["content-length"]


def test_state_page_when_empty(server: ThreadedServer) -> None:
    status, _, body = request(server, "GET", "/")
    assert status == 200 and b"No resources yet" in body


# -- robustness -----------------------------------------------------------------------------


def test_unknown_paths_and_methods_get_aws_errors(server: ThreadedServer) -> None:
    for method, path in [("PUT", "/appbundles"), ("GET", "/nope"), ("POST", "/"), ("OPTIONS", "/appbundles"),
                         ("BREW", "/coffee"), ("GET", "/_appfabric_mock")]:
        status, headers, body = request(server, method, path)
        document = assert_aws_error(status, headers, body, 404, "UnknownOperationException")
        assert method in document["message"]
    assert_still_serving(server)


def test_head_does_not_crash_and_has_no_body(server: ThreadedServer) -> None:
    status, headers, body = request(server, "HEAD", "/appbundles")
    assert status == 404 and body == b""
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert int(headers["content-length"]) > 0
    assert_still_serving(server)


def test_wrong_content_type_and_malformed_json(server: ThreadedServer) -> None:
    bundle = client_for(server).create_app_bundle()["appBundle"]["arn"]
    path = f"/appbundles/{bundle.replace(':', '%3A').replace('/', '%2F')}/appauthorizations"
    cases = [
        (b"app=ASANA", {"Content-Type": "application/x-www-form-urlencoded"}, "content type"),
        (b"{\"app\": ", {"Content-Type": "application/json"}, "parse"),
        (b"[1, 2, 3]", {"Content-Type": "application/json"}, "JSON object"),
        (b"\xff\xfe\x00garbage", {"Content-Type": "application/json"}, "parse"),
    ]
    for body, headers, fragment in cases:
        status, response_headers, data = request(server, "POST", path, body, headers)
        document = assert_aws_error(status, response_headers, data, 400, "ValidationException")
        assert document["reason"] == "cannotParse"
        assert fragment in document["message"]
    assert_still_serving(server)


def test_a_body_needs_a_json_content_type(server: ThreadedServer) -> None:
    # Every SDK labels its body application/json; a browser page can send an unlabelled (Blob)
    # or text/plain body to 127.0.0.1 without asking first, so those are refused.
    payload = b'{"tags": [{"key": "a", "value": "b"}]}'
    for headers in ({}, {"Content-Type": "text/plain; x=json"}, {"Content-Type": "multipart/form-data; b=1"}):
        status, response_headers, body = request(server, "POST", "/appbundles", payload, headers)
        assert "content type" in assert_aws_error(status, response_headers, body, 400,
                                                  "ValidationException")["message"]
    for content_type in ("application/json", "application/json; charset=utf-8", "application/x-amz-json-1.1"):
        status, _, body = request(server, "POST", "/appbundles", payload, {"Content-Type": content_type})
        assert status == 201, body
        server.mock.reset()
    # Requests without a body (GET, DELETE, a bare POST) need none, as the SDKs send them.
    assert request(server, "POST", "/appbundles", None)[0] == 201
    assert_still_serving(server)


def test_huge_body_is_refused_with_413(server: ThreadedServer) -> None:
    # Refused on its Content-Length, before the body is read (the connection then closes).
    head = (b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
    status, headers, body = raw_exchange(server, head)
    document = assert_aws_error(status, headers, body, 413, "RequestEntityTooLarge")
    assert str(MAX_BODY_BYTES + 1) in document["message"]
    assert headers["connection"] == "close"
    # A body of exactly the limit is read (and then judged as JSON).
    exact = b'{"tags": "' + b"x" * (MAX_BODY_BYTES - 12) + b'"}'
    assert len(exact) == MAX_BODY_BYTES
    status, headers, body = request(server, "POST", "/appbundles", exact, {"Content-Type": "application/json"})
    assert_aws_error(status, headers, body, 400, "ValidationException")
    assert server.mock.resources() == []
    assert_still_serving(server)


def test_invalid_content_length_closes_the_connection(server: ThreadedServer) -> None:
    for value in (b"abc", b"-5", b"1e3", b"\xc2\xb2"):
        raw = b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + value + b"\r\n\r\n{}"
        status, headers, body = raw_exchange(server, raw)
        document = assert_aws_error(status, headers, body, 400, "ValidationException")
        assert "Content-Length" in document["message"]
        assert headers["connection"] == "close"
    assert_still_serving(server)


def test_truncated_body_closes_the_connection_unanswered(server: ThreadedServer) -> None:
    # The request never arrived whole: there is nothing to answer (RFC 9112 §8), and nothing is created.
    raw = (b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: 100\r\n\r\n{}")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1024) == b""
    assert server.mock.resources() == []
    assert_still_serving(server)


def test_missing_content_length_means_no_body(server: ThreadedServer) -> None:
    raw = b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, _, body = raw_exchange(server, raw)
    assert status == 201, body


def test_chunked_request_body(server: ThreadedServer) -> None:
    payload = b'{"tags": [{"key": "chunked", "value": "yes"}]}'
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (payload[:10], payload[10:]))
    raw = (b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n")
    status, _, body = raw_exchange(server, raw)
    assert status == 201, body
    assert server.mock.resources()[0]["tags"] == {"chunked": "yes"}

    broken = (b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    status, headers, body = raw_exchange(server, broken)
    assert_aws_error(status, headers, body, 400, "ValidationException")
    assert_still_serving(server)


def test_expect_100_continue(server: ThreadedServer) -> None:
    body = b'{"tags": [{"key": "expect", "value": "100"}]}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            chunk = sock.recv(1)
            assert chunk, "connection closed before 100 Continue"
            interim += chunk
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(body)
        response = http.client.HTTPResponse(sock, method="POST")
        response.begin()
        assert response.status == 201
        response.read()
    assert server.mock.resources()[0]["tags"] == {"expect": "100"}


def test_malformed_request_lines(server: ThreadedServer) -> None:
    status, headers, body = raw_exchange(server, b"THIS IS NOT HTTP\r\n\r\n")
    assert_aws_error(status, headers, body, 400, "ValidationException")
    # The request line counts against the header limit (64 KiB).
    status, headers, body = raw_exchange(server, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n")
    assert_aws_error(status, headers, body, 431, "RequestHeaderFieldsTooLarge")
    status, headers, body = raw_exchange(server, b"GET / HTTP/2.0\r\n\r\n")
    assert_aws_error(status, headers, body, 505, "HTTPVersionNotSupported")
    # A client that connects and says nothing, or hangs up at once, harms nobody.
    socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    assert_still_serving(server)


def test_204_has_no_body_and_no_content_length(server: ThreadedServer) -> None:
    bundle = client_for(server).create_app_bundle()["appBundle"]["arn"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("DELETE", "/appbundles/" + bundle.replace(":", "%3A").replace("/", "%2F"))
        response = conn.getresponse()
        assert response.status == 204
        assert response.getheader("Content-Length") in (None, "0")
        assert response.getheader("Content-Type") is None
        assert response.read() == b""
        # The connection stays usable: nothing was left unread on it.
        conn.request("GET", "/appbundles")
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_keep_alive_reuses_one_connection(server: ThreadedServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", "/appbundles", body=b"{}", headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.status == 201
        response.read()
        sock = conn.sock
        for _ in range(3):
            conn.request("GET", "/appbundles")
            response = conn.getresponse()
            assert response.status == 200
            response.read()
        conn.request("GET", "/nope")
        response = conn.getresponse()
        assert response.status == 404
        response.read()
        assert conn.sock is sock  # errors keep the connection too
    finally:
        conn.close()


def test_labels_are_routed_on_the_raw_path(server: ThreadedServer) -> None:
    client = client_for(server)
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    # A decoded path (/tags/arn:aws:...:appbundle/<id>) is not the ListTagsForResource route: "/" splits labels.
    status, _, _ = request(server, "GET", "/tags/" + bundle)
    assert status == 404
    status, _, body = request(server, "GET", "/tags/" + bundle.replace(":", "%3A").replace("/", "%2F"))
    assert status == 200, body


def test_raw_request_uri_fallback_for_other_wsgi_servers() -> None:
    environ = {"PATH_INFO": "/tags/arn:aws:appfabric:us-east-1:1:appbundle/x", "QUERY_STRING": "a=1"}
    # Without the raw target the best guess keeps ":" and "/" (what most clients send for other paths).
    assert raw_request_uri(environ) == "/tags/arn:aws:appfabric:us-east-1:1:appbundle/x?a=1"
    assert raw_request_uri({"RAW_URI": "/tags/a%2Fb", "PATH_INFO": "/tags/a/b"}) == "/tags/a%2Fb"
    assert raw_request_uri({"REQUEST_URI": "/x%3Ay"}) == "/x%3Ay"


def test_wsgi_app_in_another_server() -> None:
    from io import BytesIO
    from wsgiref.util import setup_testing_defaults

    app = AppFabricApp(MockState())
    environ: Dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": "/appbundles", "CONTENT_LENGTH": "2",
                               "CONTENT_TYPE": "application/json", "wsgi.input": BytesIO(b"{}")}
    setup_testing_defaults(environ)
    seen: List[Any] = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: seen.append((status, headers))))
    assert seen[0][0] == "201 Created"
    assert json.loads(body)["appBundle"]["arn"]


# -- start, stop and the command line ---------------------------------------------------------


def test_start_and_stop_take_milliseconds(record_property: Any) -> None:
    starts, stops = [], []
    for _ in range(5):
        server = ThreadedServer()
        began = time.perf_counter()
        server.start()
        started = time.perf_counter()
        assert_still_serving(server)
        halted = time.perf_counter()
        server.stop()
        stops.append((time.perf_counter() - halted) * 1000)
        starts.append((started - began) * 1000)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.requested_port or 1), timeout=5).close()
    # Reported, not asserted: timing depends on the machine.
    record_property("server_start_ms", round(min(starts), 3))
    record_property("server_stop_ms", round(min(stops), 3))
    print(f"\nThreadedServer start {min(starts):.2f} ms (max {max(starts):.2f}), "
          f"stop {min(stops):.2f} ms (max {max(stops):.2f})")


def test_stop_closes_idle_keep_alive_connections_and_frees_the_port() -> None:
    server = ThreadedServer().start()
    port = server.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/appbundles")
    conn.getresponse().read()
    assert conn.sock is not None
    server.stop()
    # The idle connection was shut by the server: reading it gives end-of-file, not a stale answer.
    assert conn.sock.recv(1) == b""
    conn.close()
    assert not server.running
    server.stop()  # idempotent
    # The same port can be bound again at once (a restart on a fixed port works).
    again = ThreadedServer(port=port).start()
    try:
        assert again.port == port
        assert_still_serving(again)
    finally:
        again.stop()


def test_start_twice_is_an_error() -> None:
    with ThreadedServer() as server:
        with pytest.raises(RuntimeError):
            server.start()
        with pytest.raises(TypeError):
            ThreadedServer(state=server.state, quotas={})


def _spawn_server(*args: str) -> Tuple[subprocess.Popen, str, "queue.Queue[str]"]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "appfabric_mock", "server", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines: "queue.Queue[str]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=STRICT_STOP_SECONDS)
    except queue.Empty:
        proc.kill()
        raise AssertionError(f"no URL printed; stderr: {proc.communicate(timeout=10)[1]}") from None
    prefix = "appfabric-mock serving on "
    assert first.startswith(prefix), first
    return proc, first[len(prefix):].strip(), lines


@pytest.mark.parametrize("stop_signal", ["SIGTERM", "SIGINT"])
def test_command_line_server_stops_cleanly_on_signal(stop_signal: str, record_property: Any) -> None:
    if not hasattr(signal, stop_signal) or sys.platform == "win32":
        pytest.skip("POSIX signals")
    proc, url, _ = _spawn_server()
    try:
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        client = boto3.client("appfabric", endpoint_url=url, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY, config=NO_RETRIES)
        bundle = client.create_app_bundle()["appBundle"]["arn"]
        client.create_app_authorization(
            appBundleIdentifier=bundle, app="ASANA", authType="apiKey",
            credential={"apiKeyCredential": {"apiKey": "CLI-LOG-SECRET"}},
            tenant={"tenantIdentifier": "t", "tenantDisplayName": "T"})
        client.list_app_bundles(maxResults=5)
        began = time.perf_counter()
        proc.send_signal(getattr(signal, stop_signal))
        _, stderr = proc.communicate(timeout=STRICT_STOP_SECONDS)
        record_property("cli_stop_ms", round((time.perf_counter() - began) * 1000, 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr
    # One line per request: method, path without query, status; never a body or a query.
    assert "POST /appbundles 201" in stderr
    assert "GET /appbundles 200" in stderr
    assert "maxResults" not in stderr
    assert "CLI-LOG-SECRET" not in stderr
    assert "Traceback" not in stderr
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_command_line_quiet_and_busy_port() -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX signals")
    proc, url, _ = _spawn_server("--quiet")
    try:
        status = http.client.HTTPConnection(url[len("http://"):], timeout=10)
        status.request("GET", "/appbundles")
        assert status.getresponse().status == 200
        status.close()
        port = url.rsplit(":", 1)[1]
        busy = subprocess.run([sys.executable, "-m", "appfabric_mock", "server", "--port", port],
                              capture_output=True, text=True, timeout=STRICT_STOP_SECONDS)
        assert busy.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=STRICT_STOP_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert stderr == ""


def test_command_line_server_takes_mock_options() -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX signals")
    proc, url, _ = _spawn_server("--quiet", "--option", 'quotas={"app_bundles": 2}', "--option",
                                 "account_id=210987654321", "--option", "seed=7")
    try:
        client = boto3.client("appfabric", endpoint_url=url, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY, config=NO_RETRIES)
        arns = [client.create_app_bundle()["appBundle"]["arn"] for _ in range(2)]
        assert all(arn.startswith("arn:aws:appfabric:us-east-1:210987654321:appbundle/") for arn in arns)
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            client.create_app_bundle()
        # seed=7: the ids are those of any seeded mock
        with ThreadedServer(seed=7, account_id="210987654321", quotas={"app_bundles": 2}) as twin:
            twin_client = boto3.client("appfabric", endpoint_url=twin.url, region_name="us-east-1",
                                       aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
            assert [twin_client.create_app_bundle()["appBundle"]["arn"] for _ in range(2)] == arns
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=STRICT_STOP_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0


@pytest.mark.parametrize("option, message", [
    ("quota=1", "unknown option(s) quota"),
    ('quotas={"bundles": 1}', "unknown quota(s) bundles"),
    ("account_id=12", "account_id must be 12 digits"),
    ("seed", "--option takes NAME=VALUE"),
])
def test_command_line_server_refuses_bad_options(option: str, message: str) -> None:
    refused = subprocess.run([sys.executable, "-m", "appfabric_mock", "server", "--port", "0", "--option", option],
                             capture_output=True, text=True, timeout=STRICT_STOP_SECONDS)
    assert refused.returncode == 2
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
