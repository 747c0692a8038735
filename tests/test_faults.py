"""Fault injection: modelled errors on chosen calls, checked against the model, never touching state.

Retries without sleeping: botocore's retry handlers (legacy and standard mode) only
compute the delay; ``Endpoint._needs_retry`` sleeps through ``botocore.endpoint.time``.
``appfabric_mock.no_retry_sleep()`` swaps that one reference and yields the delays
botocore asked for, so a test proves the backoff happened without waiting for it.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any, List, Tuple

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from helpers import NO_RETRIES, appfabric_client, error_of, make_authorization, make_bundle

from appfabric_mock import AppFabricMock, mock_appfabric, no_retry_sleep
from appfabric_mock.protocol.compiled import protocol
from appfabric_mock.protocol.shapecheck import shape_problems


def _assert_modelled(response: dict) -> None:
    """The error body a client received matches its error shape (what the Stubber would check)."""
    code = response["Error"]["Code"]
    shape = protocol().error_shapes[code]
    body = {k: v for k, v in response.items() if k in shape.members}
    body["message"] = response["Error"]["Message"]
    assert shape_problems(shape, body) == []


@pytest.mark.appfabric_mock(retry_sleep=True)  # no_retry_sleep itself is under test, not the fixture's
@pytest.mark.parametrize("mode", ["standard", "legacy"])
def test_botocore_retries_recover_from_two_throttles_without_sleeping(appfabric_mock: AppFabricMock,
                                                                       mode: str) -> None:
    client = appfabric_client(config=Config(retries={"mode": mode, "max_attempts": 3}))
    bundle = make_bundle(client)
    fault = appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException", times=2, retry_after=0)

    with no_retry_sleep() as delays:
        response = client.get_app_bundle(appBundleIdentifier=bundle)

    assert response["appBundle"]["arn"] == bundle
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(delays) == 2 and all(d >= 0 for d in delays)  # botocore backed off twice; nobody slept
    assert (fault.hits, fault.remaining, appfabric_mock.faults) == (2, 0, [])
    assert [(c.status, c.error_code) for c in appfabric_mock.calls_to("GetAppBundle")] == [
        (429, "ThrottlingException"), (429, "ThrottlingException"), (200, None)]
    assert botocore.endpoint.time is time  # restored on exit


def test_no_retry_sleep_nests_and_restores_the_module() -> None:
    with no_retry_sleep() as outer:
        with no_retry_sleep() as inner:
            botocore.endpoint.time.sleep(1.5)
        assert botocore.endpoint.time is not time
        botocore.endpoint.time.sleep(2.5)
    assert (outer, inner) == ([1.5, 2.5], [1.5])
    assert botocore.endpoint.time is time


def test_a_throttle_without_retries_reaches_the_caller_with_retry_after(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    appfabric_mock.inject_fault("ListAppBundles", "ThrottlingException", retry_after=7, message="Slow down",
                                members={"quotaCode": "requests-per-second"})
    with pytest.raises(client.exceptions.ThrottlingException) as caught:
        client.list_app_bundles()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "7"
    assert response["retryAfterSeconds"] == 7
    assert (response["Error"]["Message"], response["quotaCode"]) == ("Slow down", "requests-per-second")
    _assert_modelled(response)


def test_required_members_get_defaults_from_the_request(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    bundle = make_bundle(client)
    appfabric_mock.inject_fault("CreateAppAuthorization", "ServiceQuotaExceededException")
    appfabric_mock.inject_fault("GetAppBundle", "ResourceNotFoundException")
    appfabric_mock.inject_fault("ListAppBundles", "ValidationException")

    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as caught:
        make_authorization(client, bundle)
    quota = caught.value.response
    assert quota["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert (quota["resourceId"], quota["resourceType"]) == (bundle, "AppAuthorization")
    assert (quota["serviceCode"], quota["quotaCode"]) == ("appfabric", "appfabric-app-authorizations-per-account")
    _assert_modelled(quota)

    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_app_bundle(appBundleIdentifier=bundle)
    assert (caught.value.response["resourceId"], caught.value.response["resourceType"]) == (bundle, "AppBundle")
    _assert_modelled(caught.value.response)

    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.list_app_bundles()
    assert caught.value.response["reason"] == "other"
    _assert_modelled(caught.value.response)


def test_explicit_members_override_the_defaults(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    appfabric_mock.inject_fault(
        "CreateAppBundle", "ValidationException", message="bad",
        members={"reason": "cannotParse", "fieldList": [{"name": "tags", "message": "nope"}]},
    )
    with pytest.raises(ClientError) as caught:
        client.create_app_bundle()
    response = caught.value.response
    assert (response["reason"], response["fieldList"]) == ("cannotParse", [{"name": "tags", "message": "nope"}])


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("GetAppBundle", "Boom"), {}, "not an error of the AppFabric model"),
        (("GetAppBundle", "UnknownOperationException"), {}, "not an error of the AppFabric model"),
        (("GetAppBundel", "ThrottlingException"), {}, "did you mean GetAppBundle"),
        (("CreateAppBundle", "ConflictException"), {"retry_after": 1}, "no Retry-After"),
        (("CreateAppBundle", "ConflictException"), {"members": {"resourceId": 3}}, "expected a string"),
        (("CreateAppBundle", "ConflictException"), {"members": {"quotaCode": "q"}}, "cannot be set"),
        # Only errors the operation's model lists: AWS sends no others.
        (("GetAppBundle", "ConflictException"), {},
         "the model of GetAppBundle does not list ConflictException; its errors are AccessDeniedException, "
         "InternalServerException, ResourceNotFoundException, ThrottlingException, ValidationException"),
        (("DeleteAppBundle", "ResourceNotFoundException"), {}, "does not list ResourceNotFoundException"),
        (("*", "ConflictException"), {},
         "not every operation's model lists ConflictException; with '[*]' use one that every operation lists "
         "[(]AccessDeniedException, InternalServerException, ThrottlingException, ValidationException[)]"),
        (("GetAppBundle", "ValidationException"), {"members": {"reason": "because"}}, "is not one of"),
        (("GetAppBundle", "ThrottlingException"), {"members": {"message": "m"}}, "message="),
        (("GetAppBundle", "ThrottlingException"), {"times": 0}, "times"),
        (("GetAppBundle", "ThrottlingException"), {"probability": 1.5}, "probability"),
        (("GetAppBundle", "ThrottlingException"), {"retry_after": -1}, "retry_after"),
    ],
)
def test_injected_errors_are_checked_against_the_model(appfabric_mock: AppFabricMock, args: tuple,
                                                       kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        appfabric_mock.inject_fault(*args, **kwargs)
    assert appfabric_mock.faults == []


def test_predicate_picks_the_calls_to_fail(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    bundle = make_bundle(client)
    seen: List[Any] = []

    def slack_only(params: Any) -> bool:
        seen.append(dict(params))
        return bool(params.get("app") == "SLACK")

    appfabric_mock.inject_fault("CreateAppAuthorization", "InternalServerException", when=slack_only)
    before = appfabric_mock.snapshot()
    with pytest.raises(ClientError) as caught:
        make_authorization(client, bundle, app="SLACK", auth_type="oauth2")
    assert error_of(caught)[:2] == ("InternalServerException", 500)
    # An injected 500 says what AWS says, never the prefix of a mock bug.
    assert not caught.value.response["Error"]["Message"].startswith("appfabric-mock internal error")
    assert appfabric_mock.snapshot() == before  # the backend never ran

    okta = make_authorization(client, bundle, app="OKTA", auth_type="oauth2")
    assert okta["app"] == "OKTA"
    assert [p["app"] for p in seen] == ["SLACK", "OKTA"]


@pytest.mark.appfabric_mock(unfired_faults="ignore")  # the fault is left unfired on purpose
def test_predicate_cannot_change_the_call(appfabric_mock: AppFabricMock, caplog: pytest.LogCaptureFixture) -> None:
    client = appfabric_client(config=NO_RETRIES)

    def meddle(params: Any) -> bool:
        params["tags"] = []
        return False

    appfabric_mock.inject_fault("CreateAppBundle", "ThrottlingException", when=meddle)
    with pytest.raises(ClientError) as caught:
        client.create_app_bundle(tags=[{"key": "k", "value": "v"}])
    # The predicate's own bug surfaces as an (unmodelled-cause) 500 naming its type, with the
    # traceback in the log; the bundle is not created.
    assert error_of(caught)[:2] == ("InternalServerException", 500)
    assert "(TypeError)" in caught.value.response["Error"]["Message"]
    assert "does not support item assignment" in caplog.text
    assert appfabric_mock.resources() == []


def _outcomes(seed: int, calls: int = 60) -> List[bool]:
    with mock_appfabric(seed=seed) as m:
        client = appfabric_client(config=NO_RETRIES)
        m.inject_fault("ListAppBundles", "ThrottlingException", probability=0.3)
        outcomes = []
        for _ in range(calls):
            try:
                client.list_app_bundles()
                outcomes.append(True)
            except ClientError:
                outcomes.append(False)
        assert [c.ok for c in m.calls] == outcomes
        return outcomes


def test_probability_is_reproducible_from_the_mock_seed() -> None:
    first = _outcomes(seed=5)
    assert first == _outcomes(seed=5)
    assert first != _outcomes(seed=6)
    failures = first.count(False)
    assert 5 <= failures <= 35  # about 30% of 60


def test_probability_does_not_shift_generated_ids() -> None:
    with mock_appfabric(seed=3, quotas=None) as m:
        plain = [make_bundle(appfabric_client()) for _ in range(3)]
    with mock_appfabric(seed=3, quotas=None) as m:
        m.inject_fault("ListAppBundles", "ThrottlingException", probability=0.5)
        client = appfabric_client(config=NO_RETRIES)
        faulted = []
        for _ in range(3):
            try:
                client.list_app_bundles()
            except ClientError:
                pass
            faulted.append(make_bundle(client))
    assert plain == faulted


def test_star_faults_every_operation_until_cleared(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    appfabric_mock.inject_fault("*", "AccessDeniedException")
    for call in (client.list_app_bundles, client.create_app_bundle):
        with pytest.raises(ClientError) as caught:
            call()
        assert error_of(caught)[:2] == ("AccessDeniedException", 403)

    appfabric_mock.clear_faults()

    assert make_bundle(client)
    assert appfabric_mock.faults == []


@pytest.mark.appfabric_mock(unfired_faults="ignore")  # the fault is left unfired on purpose
def test_cancel_removes_one_fault(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    keep = appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException")
    drop = appfabric_mock.inject_fault("ListAppBundles", "ThrottlingException")
    drop.cancel()
    drop.cancel()  # idempotent
    assert appfabric_mock.faults == [keep]
    assert client.list_app_bundles()["appBundleSummaryList"] == []
    assert "GetAppBundle -> ThrottlingException" in repr(keep)


@pytest.mark.appfabric_mock(unfired_faults="ignore")  # the fault is left unfired on purpose
def test_faults_hit_only_valid_requests(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    fault = appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException", times=1)
    with pytest.raises(ClientError) as caught:
        client.get_app_bundle(appBundleIdentifier="not-an-arn-or-uuid")
    assert error_of(caught)[0] == "ValidationException"
    assert (fault.hits, fault.remaining) == (0, 1)


def test_faults_are_first_come_first_served(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    appfabric_mock.inject_fault("*", "InternalServerException", times=1)
    appfabric_mock.inject_fault("ListAppBundles", "ThrottlingException", times=1)
    codes = []
    for _ in range(3):
        try:
            client.list_app_bundles()
            codes.append(None)
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
    assert codes == ["InternalServerException", "ThrottlingException", None]


# -- over the server's control API --------------------------------------------------------------
def _control(server: Any, method: str, action: str, body: Any = None) -> Tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, f"/_appfabric_mock/{action}", body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_faults_denials_and_calls_through_the_server() -> None:
    from appfabric_mock.server import ThreadedServer

    with ThreadedServer() as server:
        client = boto3.client("appfabric", endpoint_url=server.url, region_name="us-east-1", config=NO_RETRIES,
                              aws_access_key_id="AKIDFAULTS", aws_secret_access_key="fake-secret")
        bundle = make_bundle(client)
        fault = {"operation": "CreateAppAuthorization", "error": "ThrottlingException", "times": 1, "retryAfter": 3,
                 "when": {"app": "SLACK"}}
        assert _control(server, "POST", "faults", fault) == (
            200, {"operation": "CreateAppAuthorization", "error": "ThrottlingException", "hits": 0, "remaining": 1})
        make_authorization(client, bundle, app="ASANA")  # the predicate does not match
        with pytest.raises(client.exceptions.ThrottlingException) as caught:
            make_authorization(client, bundle, app="SLACK")
        assert caught.value.response["retryAfterSeconds"] == 3
        assert _control(server, "GET", "faults") == (200, {"faults": []})  # used up
        status, error = _control(server, "POST", "faults", {"operation": "GetAppBundle", "error": "Boom"})
        assert status == 400 and "not an error of the AppFabric model" in error["error"]

        assert _control(server, "POST", "access/deny", {"action": "appfabric:Delete*"}) == (200, {})
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.delete_app_bundle(appBundleIdentifier=bundle)
        assert _control(server, "DELETE", "access") == (200, {})

        status, body = _control(server, "GET", "calls")
        assert status == 200
        assert [(c["operation"], c["status"]) for c in body["calls"]] == [
            ("CreateAppBundle", 201), ("CreateAppAuthorization", 201), ("CreateAppAuthorization", 429),
            ("DeleteAppBundle", 403)]
        assert body["calls"][1]["params"]["credential"] == {"apiKeyCredential": {"apiKey": "<redacted>"}}
        assert _control(server, "DELETE", "calls") == (200, {})
        assert server.mock.calls == ()


def test_every_error_built_for_every_operation_matches_its_shape(appfabric_mock: AppFabricMock) -> None:
    from appfabric_mock.faults import build_error
    from appfabric_mock.state import CallContext

    bundle = "arn:aws:appfabric:us-east-1:123456789012:appbundle/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12
    checked = 0
    for operation in protocol().operations:
        context = CallContext(operation, {"appBundleIdentifier": bundle}, "123456789012", "us-east-1", None,
                              "GET", "/")
        for code, shape in protocol().error_shapes.items():
            error = build_error(code, "injected", {}, context)
            assert error.code == code and error.status == shape.metadata["error"]["httpStatusCode"]
            body = {"message": error.message, **error.members}
            assert shape_problems(shape, body) == [], (operation, code)
            if "resourceType" in body:
                assert body["resourceType"] in (
                    "AppBundle", "AppAuthorization", "Ingestion", "IngestionDestination", "UserAccessTask")
            checked += 1
    assert checked == 26 * 7


@pytest.mark.appfabric_mock(unfired_faults="ignore")  # the fault is left unfired on purpose
def test_an_injected_quota_error_carries_awss_message(appfabric_mock: AppFabricMock) -> None:
    appfabric_mock.inject_fault("CreateAppBundle", "ServiceQuotaExceededException", times=1)
    appfabric_mock.inject_fault("UpdateIngestionDestination", "ServiceQuotaExceededException", times=1)
    client = boto3.client("appfabric", region_name="us-east-1", config=NO_RETRIES)
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as caught:
        client.create_app_bundle()
    # The text AWS sends for this quota (Terraform AWS provider issue 39542).
    assert caught.value.response["Error"]["Message"] == (
        "You have exceeded the maximum number of app bundles per account, per AWS Region.")
    assert [f.message for f in appfabric_mock.faults] == [
        "You have exceeded the maximum number of ingestion destinations per ingestion."]
