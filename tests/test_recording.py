"""Call recording: every call in order, read-only, with every secret redacted; assertions that explain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.model import ShapeResolver
from helpers import (
    CONSOLE_REDIRECT,
    NO_RETRIES,
    appfabric_client,
    connect,
    connected_authorization,
    label,
    make_authorization,
    make_bundle,
    make_destination,
    make_ingestion,
    raw_call,
)

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.protocol.redaction import Redaction
from appfabric_mock.protocol.shapes import ShapeCompiler
from appfabric_mock.recording import REDACTED, Call


def test_calls_are_recorded_in_order_with_everything_a_test_asserts_on(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    appfabric_mock.clock.set("2024-01-01T00:00:00Z")
    bundle = make_bundle(client, tags=[{"key": "team", "value": "sec"}])
    with pytest.raises(ClientError):
        client.get_app_bundle(appBundleIdentifier=bundle.replace(bundle[-4:], "ffff"))

    create, missing = appfabric_mock.calls
    assert isinstance(create, Call) and create.ok
    assert create.operation == "CreateAppBundle"
    assert create.params["tags"] == [{"key": "team", "value": "sec"}]
    assert create.params["clientToken"]  # botocore's idempotency token, as sent
    assert (create.status, create.error_code) == (201, None)
    assert create.response == {"appBundle": {"arn": bundle}}
    assert (create.account_id, create.region, create.method, create.path) == (
        "123456789012", "us-east-1", "POST", "/appbundles")
    assert create.access_key_id  # the caller (an identifier, not a secret: CloudTrail records it too)

    assert (missing.operation, missing.status, missing.error_code) == ("GetAppBundle", 404,
                                                                       "ResourceNotFoundException")
    assert missing.response["resourceType"] == "AppBundle"
    assert missing.response["message"]
    assert not missing.ok
    assert appfabric_mock.last_call == missing


def test_calls_is_a_read_only_sequence(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    make_bundle(client)
    client.list_app_bundles()
    calls = appfabric_mock.calls

    assert len(calls) == 2 and calls[0].operation == "CreateAppBundle" and calls[-1].operation == "ListAppBundles"
    assert [c.operation for c in calls] == ["CreateAppBundle", "ListAppBundles"]
    assert calls[1:] == (calls[1],)
    with pytest.raises(TypeError):
        calls[0] = calls[1]  # type: ignore[index]
    with pytest.raises(AttributeError):
        calls.append(calls[0])  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        calls[0].status = 500  # type: ignore[misc]
    client.list_app_bundles()
    assert len(calls) == 2  # a snapshot: later calls do not change it
    assert len(appfabric_mock.calls) == 3
    assert "CreateAppBundle 201" in repr(calls)


def test_recorded_values_are_copies_of_what_was_sent_and_returned(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    bundle = make_bundle(client)
    connected_authorization(client, bundle)
    ingestion = make_ingestion(client, bundle)
    destination = make_destination(client, ingestion, bucket="first-bucket")
    ids = {"appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["arn"],
           "ingestionDestinationIdentifier": destination["arn"]}
    client.get_ingestion_destination(**ids)
    seen = appfabric_mock.last_call
    assert seen is not None

    def bucket_of(response: Any) -> str:
        return str(response["ingestionDestination"]["destinationConfiguration"]["auditLog"]["destination"]
                   ["s3Bucket"]["bucketName"])

    client.update_ingestion_destination(
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "second-bucket"}}}}, **ids)
    assert bucket_of(seen.response) == "first-bucket"  # the record does not follow the state
    seen.response["ingestionDestination"]["destinationConfiguration"]["auditLog"] = "tampered"
    assert bucket_of(client.get_ingestion_destination(**ids)) == "second-bucket"  # nor the state the record
    assert bucket_of(appfabric_mock.last_call.response) == "second-bucket"  # type: ignore[union-attr]


def test_credentials_codes_emails_and_names_are_redacted(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    bundle = make_bundle(client)
    oauth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2",
                               credential={"oauth2Credential": {"clientId": "cid", "clientSecret": "SECRET-1"}})
    api = make_authorization(client, bundle, app="ASANA", credential={"apiKeyCredential": {"apiKey": "SECRET-2"}})
    connect(client, oauth, code="SECRET-3")
    connect(client, api)
    client.update_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=api["appAuthorizationArn"],
                                    credential={"apiKeyCredential": {"apiKey": "SECRET-4"}})
    appfabric_mock.add_app_user(app="SLACK", tenant_id="tenant-1", email="jane@example.com", user_id="U-SECRET-5",
                                first_name="Jane", last_name="Doe")
    tasks = client.start_user_access_tasks(appBundleIdentifier=bundle, email="jane@example.com")
    task_ids = [t["taskId"] for t in tasks["userAccessTasksList"] if "taskId" in t]
    assert appfabric_mock.complete_user_access_tasks(task_ids) == 1
    result = client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=task_ids)
    assert result["userAccessResultsList"][0]["email"] == "jane@example.com"  # the API returns it by design

    calls = {c.operation: c for c in appfabric_mock.calls}
    create = appfabric_mock.calls_to("CreateAppAuthorization")
    assert create[0].params["credential"] == {"oauth2Credential": {"clientId": "cid", "clientSecret": REDACTED}}
    assert create[1].params["credential"] == {"apiKeyCredential": {"apiKey": REDACTED}}
    assert appfabric_mock.calls_to("ConnectAppAuthorization")[0].params["authRequest"] == {
        "redirectUri": CONSOLE_REDIRECT, "code": REDACTED}
    assert calls["UpdateAppAuthorization"].params["credential"]["apiKeyCredential"]["apiKey"] == REDACTED
    assert calls["StartUserAccessTasks"].params["email"] == REDACTED
    found = calls["BatchGetUserAccessTasks"].response["userAccessResultsList"][0]
    assert {found[k] for k in ("email", "userId", "userFirstName", "userLastName", "userFullName")} == {REDACTED}
    assert found["resultStatus"] == "COMPLETED" and found["app"] == "SLACK"
    text = repr(appfabric_mock.calls)
    for secret in ("SECRET", "jane", "Jane", "Doe"):
        assert secret not in text


def test_malformed_requests_are_redacted_too(appfabric_mock: AppFabricMock) -> None:
    bundle = make_bundle(appfabric_client())
    path = f"/appbundles/{label(bundle)}/appauthorizations"
    tenant = {"tenantIdentifier": "t", "tenantDisplayName": "t"}
    # A credential that is not a structure at all: rejected, and recorded without it.
    response, _ = raw_call(appfabric_mock.state, "POST", path, {
        "app": "SLACK", "authType": "apiKey", "credential": "SECRET-as-a-string", "tenant": tenant})
    assert response.status == 400
    assert appfabric_mock.last_call is not None
    assert appfabric_mock.last_call.params["credential"] == REDACTED
    # A member the model does not know inside a structure that holds a secret: a secret too.
    response, _ = raw_call(appfabric_mock.state, "POST", path, {
        "app": "SLACK", "authType": "apiKey", "tenant": tenant,
        "credential": {"apiKeyCredential": {"apiKey": "SECRET-1", "extra": {"clientSecret": "SECRET-2"}}}})
    assert appfabric_mock.last_call.params["credential"] == {
        "apiKeyCredential": {"apiKey": REDACTED, "extra": REDACTED}}
    assert "SECRET" not in repr(appfabric_mock.calls)


def test_redaction_follows_the_models_sensitive_trait_and_secret_names() -> None:
    shapes = ShapeResolver({
        "Request": {"type": "structure", "members": {
            "token": {"shape": "Secret"},          # sensitive by the model's trait
            "clientSecret": {"shape": "Plain"},    # no longer marked: redacted by name
            "note": {"shape": "Plain"},
            "children": {"shape": "Children"},
            "blob": {"shape": "SecretBlob"},
        }},
        "Secret": {"type": "string", "sensitive": True},
        "SecretBlob": {"type": "structure", "members": {"x": {"shape": "Plain"}}, "sensitive": True},
        "Plain": {"type": "string"},
        "Children": {"type": "list", "member": {"shape": "Request"}},  # recursive
    })
    redact = ShapeCompiler(Redaction())(shapes.get_shape_by_name("Request"))
    value = {"token": "t", "clientSecret": "s", "note": "n", "blob": {"x": "y"},
             "children": [{"token": "t2", "note": "n2", "children": []}]}
    assert redact(value) == {"token": REDACTED, "clientSecret": REDACTED, "note": "n", "blob": REDACTED,
                             "children": [{"token": REDACTED, "note": "n2", "children": []}]}
    assert value["token"] == "t"  # the original is untouched
    assert redact({"children": "not-a-list"}) == {"children": REDACTED}  # may hide a secret


def test_calls_that_match_no_operation_are_recorded(appfabric_mock: AppFabricMock) -> None:
    response, body = raw_call(appfabric_mock.state, "GET", "/no/such/route")
    assert response.status == 404 and body["__type"] == "UnknownOperationException"
    call = appfabric_mock.last_call
    assert call is not None
    assert (call.operation, call.method, call.path, call.status) == (None, "GET", "/no/such/route", 404)
    assert "(no operation) GET /no/such/route 404 UnknownOperationException" in call.describe()


def test_assert_called_and_not_called_explain_what_happened(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    bundle = make_bundle(client)
    client.get_app_bundle(appBundleIdentifier=bundle)
    with pytest.raises(ClientError):
        make_bundle(client)

    got = appfabric_mock.assert_called("GetAppBundle", times=1)
    assert got == appfabric_mock.calls_to("GetAppBundle")
    assert len(appfabric_mock.assert_called("CreateAppBundle")) == 2
    appfabric_mock.assert_not_called("DeleteAppBundle")

    with pytest.raises(AssertionError) as caught:
        appfabric_mock.assert_called("UpdateAppAuthorization", times=1)
    assert str(caught.value) == (
        "expected UpdateAppAuthorization to be called once, it was called never.\n"
        "Calls made (3):\n"
        "  1. CreateAppBundle 201\n"
        "  2. GetAppBundle 200\n"
        "  3. CreateAppBundle 402 ServiceQuotaExceededException"
    )
    with pytest.raises(AssertionError, match=r"expected CreateAppBundle to be called 3 times, it was called 2 times"):
        appfabric_mock.assert_called("CreateAppBundle", times=3)
    with pytest.raises(AssertionError, match=r"not to be called, it was called once\.\nCalls made \(3\)"):
        appfabric_mock.assert_not_called("GetAppBundle")
    with pytest.raises(ValueError, match="did you mean GetAppBundle"):
        appfabric_mock.assert_called("GetAppBundel")
    with pytest.raises(ValueError):
        appfabric_mock.calls_to("Nope")


def test_assert_called_with_no_calls_says_so(appfabric_mock: AppFabricMock) -> None:
    with pytest.raises(AssertionError, match=r"Calls made \(0\):\n  \(none\)"):
        appfabric_mock.assert_called("ListAppBundles")
    assert appfabric_mock.last_call is None


def test_calls_stay_readable_after_stop_and_nested_handles_share_them() -> None:
    with mock_appfabric() as outer:
        appfabric_client().list_app_bundles()
        with mock_appfabric() as inner:
            appfabric_client().list_app_bundles()
            assert len(inner.calls) == len(outer.calls) == 2
    outer.assert_called("ListAppBundles", times=2)
    assert outer.last_call is not None and outer.last_call.ok
    with pytest.raises(RuntimeError, match="not active"):
        mock_appfabric().calls  # noqa: B018  (never started: nothing to read)


def test_clear_calls_keeps_resources(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    make_bundle(client)
    appfabric_mock.clear_calls()
    assert appfabric_mock.calls == ()
    assert len(appfabric_mock.resources()) == 1


def test_responses_are_recorded_as_the_client_parsed_them(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    appfabric_mock.clock.set("2024-01-01T00:00:00Z")
    auth = make_authorization(client, make_bundle(client))
    recorded: Any = appfabric_mock.last_call.response["appAuthorization"]  # type: ignore[union-attr]
    assert recorded["createdAt"] == auth["createdAt"] == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    assert recorded == auth
