"""The wire protocol: server-side validation, routing, status codes, error bodies and headers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from typing import Any, Dict, Iterator, List

import pytest
from botocore.exceptions import ClientError
from helpers import (
    NO_CLIENT_VALIDATION,
    NO_RETRIES,
    appfabric_client,
    credential_for,
    error_of,
    field_names,
    label,
    make_authorization,
    make_bundle,
    raw_call,
    resource_id,
)

from appfabric_mock import (
    mock_appfabric,
)
from appfabric_mock.backend.backend import AppFabricBackend
from appfabric_mock.dispatch import dispatch
from appfabric_mock.errors import (
    InternalServerException,
    ResourceNotFoundException,
    ThrottlingException,
    ValidationException,
)
from appfabric_mock.protocol.serialization import iso8601, serialize_error
from appfabric_mock.state import MockState

MISSING_BUNDLE = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def state() -> MockState:
    """A mock state of its own, answered through ``dispatch`` (no patching)."""
    fresh = MockState()
    fresh.check_responses = True
    return fresh


@pytest.fixture
def client() -> Any:
    """A boto3 client whose own input validation is off: the mock's validation answers."""
    with mock_appfabric():
        yield appfabric_client(config=NO_CLIENT_VALIDATION)


def _bundle(state: MockState) -> str:
    response, body = raw_call(state, "POST", "/appbundles", {})
    assert response.status == 201
    return str(body["appBundle"]["arn"])


def _authorization_body(**overrides: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "app": "TERRAFORMCLOUD",
        "credential": credential_for("apiKey"),
        "tenant": {"tenantIdentifier": "tenant-1", "tenantDisplayName": "Tenant 1"},
        "authType": "apiKey",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _assert_validation_error(response: Any, body: Dict[str, Any], fields: List[str]) -> None:
    assert response.status == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert body["__type"] == "ValidationException"
    assert body["reason"] == "fieldValidationFailed"
    assert sorted(field_names(body)) == sorted(fields)
    for entry in body["fieldList"]:
        assert entry["name"] in entry["message"]
    assert body["message"]


def _assert_client_validation_error(excinfo: "pytest.ExceptionInfo[ClientError]", fields: List[str]) -> None:
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ValidationException"
    assert response["reason"] == "fieldValidationFailed"
    assert sorted(field_names(response)) == sorted(fields)


# -- validation through boto3 (client-side validation off) --------------------------------------
@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"app": None}, ["app"]),
        ({"tenant": {"tenantIdentifier": "t"}}, ["tenant.tenantDisplayName"]),
        ({"app": "A" * 256}, ["app"]),
        ({"tenant": {"tenantIdentifier": "t" * 1025, "tenantDisplayName": "T"}}, ["tenant.tenantIdentifier"]),
        ({"authType": "password"}, ["authType"]),
        ({"clientToken": "not-a-uuid"}, ["clientToken"]),
        ({"clientToken": "0A1B2C3D-0000-4000-8000-000000000000"}, ["clientToken"]),
        ({"credential": {**credential_for("apiKey"), **credential_for("oauth2")}}, ["credential"]),
        ({"credential": {}}, ["credential"]),
        ({"credential": {"apiKeyCredential": {}}}, ["credential.apiKeyCredential.apiKey"]),
        ({"tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]}, ["tags"]),
        ({"tags": [{"key": "", "value": "v"}]}, ["tags.1.member.key"]),
        ({"app": "A" * 256, "authType": "password", "clientToken": "nope"}, ["app", "authType", "clientToken"]),
    ],
)
def test_create_app_authorization_is_validated_by_the_mock(
    client: Any, overrides: Dict[str, Any], fields: List[str]
) -> None:
    bundle = make_bundle(client)
    with pytest.raises(ClientError) as excinfo:
        client.create_app_authorization(appBundleIdentifier=bundle, **_authorization_body(**overrides))
    _assert_client_validation_error(excinfo, fields)
    assert client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"] == []


@pytest.mark.parametrize("max_results", [0, 101, "abc"])
def test_max_results_out_of_range_or_not_a_number(client: Any, max_results: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.list_app_bundles(maxResults=max_results)
    _assert_client_validation_error(excinfo, ["maxResults"])


def test_max_results_bounds_are_accepted(client: Any) -> None:
    for value in (1, 100):
        assert client.list_app_bundles(maxResults=value)["appBundleSummaryList"] == []


def test_redirect_uri_must_be_https(client: Any) -> None:
    bundle = make_bundle(client)
    auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2")
    with pytest.raises(ClientError) as excinfo:
        client.connect_app_authorization(
            appBundleIdentifier=bundle,
            appAuthorizationIdentifier=auth["appAuthorizationArn"],
            authRequest={"redirectUri": "http://example.com/callback", "code": "c"},
        )
    _assert_client_validation_error(excinfo, ["authRequest.redirectUri"])
    status = client.get_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"]
    )["appAuthorization"]["status"]
    assert status == "PendingConnect"


def test_identifier_that_is_neither_arn_nor_uuid(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.get_app_bundle(appBundleIdentifier="my-bundle")
    _assert_client_validation_error(excinfo, ["appBundleIdentifier"])


def test_more_than_fifty_tags_on_tag_resource(client: Any) -> None:
    bundle = make_bundle(client)
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(resourceArn=bundle, tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    _assert_client_validation_error(excinfo, ["tags"])


# -- validation through raw HTTP ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"app": None, "authType": None}, ["app", "authType"]),
        ({"app": "A" * 256}, ["app"]),
        ({"app": 7}, ["app"]),
        ({"authType": "basic"}, ["authType"]),
        ({"clientToken": "123"}, ["clientToken"]),
        ({"credential": {**credential_for("apiKey"), **credential_for("oauth2")}}, ["credential"]),
        ({"tags": [{"key": str(i), "value": ""} for i in range(51)]}, ["tags"]),
    ],
)
def test_raw_create_app_authorization_validation(
    state: MockState, overrides: Dict[str, Any], fields: List[str]
) -> None:
    bundle = _bundle(state)
    response, body = raw_call(state, "POST", f"/appbundles/{label(bundle)}/appauthorizations",
                              _authorization_body(**overrides))
    _assert_validation_error(response, body, fields)


@pytest.mark.parametrize("query", ["maxResults=0", "maxResults=101", "maxResults=abc", "maxResults=-1"])
def test_raw_max_results(state: MockState, query: str) -> None:
    response, body = raw_call(state, "GET", f"/appbundles?{query}")
    _assert_validation_error(response, body, ["maxResults"])


def test_raw_redirect_uri_not_https(state: MockState) -> None:
    bundle = _bundle(state)
    _, created = raw_call(
        state, "POST", f"/appbundles/{label(bundle)}/appauthorizations",
        _authorization_body(app="SLACK", authType="oauth2", credential=credential_for("oauth2")),
    )
    auth = created["appAuthorization"]["appAuthorizationArn"]
    response, body = raw_call(
        state, "POST", f"/appbundles/{label(bundle)}/appauthorizations/{label(auth)}/connect",
        {"authRequest": {"redirectUri": "ftp://example.com", "code": "c"}},
    )
    _assert_validation_error(response, body, ["authRequest.redirectUri"])


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", "\u00e9t\u00e9".encode("latin-1"), b'"a string"'])
def test_malformed_json_cannot_parse(state: MockState, payload: bytes) -> None:
    response, body = raw_call(state, "POST", "/appbundles", payload)
    assert response.status == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert body["reason"] == "cannotParse"
    assert body["__type"] == "ValidationException"


def test_non_json_content_type_cannot_parse(state: MockState) -> None:
    response, body = raw_call(state, "POST", "/appbundles", b"tags=a", headers={"Content-Type": "text/plain"})
    assert response.status == 400 and body["reason"] == "cannotParse"


def test_empty_body_is_an_empty_request(state: MockState) -> None:
    response, body = raw_call(state, "POST", "/appbundles", b"")
    assert response.status == 201
    assert body["appBundle"]["arn"].startswith("arn:aws:appfabric:us-east-1:123456789012:appbundle/")


# -- routing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nothing/here"), ("PUT", "/appbundles"), ("POST", "/appbundles/x/unknown"), ("GET", "/")],
)
def test_unknown_route(state: MockState, method: str, path: str) -> None:
    response, body = raw_call(state, method, path)
    assert response.status == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert body["__type"] == "UnknownOperationException"
    assert method in body["message"] and path in body["message"]


def test_percent_encoded_arn_labels_route(state: MockState) -> None:
    bundle = _bundle(state)
    encoded = label(bundle)
    assert "%3A" in encoded and "%2F" in encoded
    response, body = raw_call(state, "GET", f"/appbundles/{encoded}")
    assert response.status == 200 and body == {"appBundle": {"arn": bundle}}
    # A bare UUID works the same way.
    response, body = raw_call(state, "GET", f"/appbundles/{resource_id(bundle)}")
    assert response.status == 200 and body == {"appBundle": {"arn": bundle}}

    _, created = raw_call(state, "POST", f"/appbundles/{encoded}/appauthorizations", _authorization_body())
    auth = created["appAuthorization"]["appAuthorizationArn"]
    response, body = raw_call(state, "GET", f"/appbundles/{encoded}/appauthorizations/{label(auth)}")
    assert response.status == 200 and body["appAuthorization"]["appAuthorizationArn"] == auth
    # Lower-case escapes are the same characters.
    response, body = raw_call(state, "GET", f"/appbundles/{encoded.replace('%3A', '%3a').replace('%2F', '%2f')}")
    assert response.status == 200 and body["appBundle"]["arn"] == bundle

    response, _ = raw_call(state, "POST", f"/tags/{label(auth)}", {"tags": [{"key": "team", "value": "sec"}]})
    assert response.status == 200
    response, body = raw_call(state, "GET", f"/tags/{label(auth)}")
    assert body == {"tags": [{"key": "team", "value": "sec"}]}
    response, _ = raw_call(state, "DELETE", f"/tags/{label(auth)}?tagKeys=team")
    assert response.status == 200
    assert raw_call(state, "GET", f"/tags/{label(auth)}")[1] == {}  # no tags: the optional member is left out


def test_no_content_responses_have_no_body(state: MockState) -> None:
    bundle = _bundle(state)
    response, body = raw_call(state, "DELETE", f"/appbundles/{label(bundle)}")
    assert response.status == 204
    assert response.body == b""
    assert body is None
    assert "Content-Type" not in response.headers


def test_success_responses_are_json_with_a_request_id(state: MockState) -> None:
    created, _ = raw_call(state, "POST", "/appbundles", {})
    listed, _ = raw_call(state, "GET", "/appbundles")
    for response in (created, listed):
        assert set(response.headers) == {"Content-Type", "x-amzn-RequestId"}
        assert response.headers["Content-Type"] == "application/json"


@pytest.fixture
def kolkata_time() -> Iterator[None]:
    """The process's local time zone set to UTC+05:30 for the test, and restored after it."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX-only")
def test_timestamps_are_utc_whatever_the_local_time_zone(kolkata_time: None) -> None:
    assert time.localtime(0).tm_gmtoff == 19800  # the zone is in effect
    instant = dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc)
    assert iso8601(instant) == "2024-01-02T03:04:05.678Z"
    assert iso8601(instant.astimezone(dt.timezone(dt.timedelta(hours=-7)))) == "2024-01-02T03:04:05.678Z"
    assert iso8601(instant.replace(tzinfo=None)) == "2024-01-02T03:04:05.678Z"  # naive: already UTC
    with mock_appfabric(now="2024-01-02T03:04:05.678Z"):
        client = appfabric_client()
        auth = make_authorization(client, make_bundle(client))
        assert auth["createdAt"] == auth["updatedAt"] == instant.replace(microsecond=678000)


def test_no_content_through_boto3() -> None:
    with mock_appfabric():
        client = appfabric_client()
        bundle = make_bundle(client)
        response = client.delete_app_bundle(appBundleIdentifier=bundle)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert set(response) == {"ResponseMetadata"}


def test_a_raw_path_with_a_host_header_is_enough(state: MockState) -> None:
    created = dispatch(state, "post", "/appbundles", {"host": "appfabric.eu-west-1.amazonaws.com"}, None)
    assert created.status == 201
    arn = json.loads(created.body)["appBundle"]["arn"]
    assert arn.startswith("arn:aws:appfabric:eu-west-1:123456789012:appbundle/")
    listed = dispatch(state, "GET", "/appbundles?maxResults=1", {"Host": "appfabric.eu-west-1.amazonaws.com"}, b"")
    assert json.loads(listed.body) == {"appBundleSummaryList": [{"arn": arn}]}


def test_header_names_and_str_bodies_are_accepted(state: MockState) -> None:
    response, body = raw_call(state, "POST", "/appbundles", "{}", headers={"content-type": "application/json"})
    assert response.status == 201 and "appBundle" in body


# -- error bodies and headers -------------------------------------------------------------------
def test_not_found_error_body(state: MockState) -> None:
    response, body = raw_call(state, "GET", f"/appbundles/{MISSING_BUNDLE}")
    assert response.status == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.headers["Content-Type"] == "application/json"
    assert body["__type"] == response.headers["x-amzn-ErrorType"]
    assert body["resourceId"] == MISSING_BUNDLE
    assert body["resourceType"] == "AppBundle"
    assert set(body) == {"message", "resourceId", "resourceType", "__type"}


def test_quota_error_body(state: MockState) -> None:
    _bundle(state)
    response, body = raw_call(state, "POST", "/appbundles", {})
    assert response.status == 402
    assert body["__type"] == response.headers["x-amzn-ErrorType"] == "ServiceQuotaExceededException"
    assert body["serviceCode"] == "appfabric"
    assert body["quotaCode"] == "appfabric-app-bundles-per-account"
    assert body["resourceType"] == "AppBundle" and body["resourceId"]
    assert body["message"]


def test_validation_error_members_are_top_level(state: MockState) -> None:
    response, body = raw_call(state, "GET", "/appbundles?maxResults=0")
    assert set(body) == {"message", "reason", "fieldList", "__type"}
    assert body["__type"] == response.headers["x-amzn-ErrorType"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ThrottlingException(retry_after_seconds=7), 429),
        (InternalServerException("try later", retry_after_seconds=7), 500),
    ],
)
def test_retry_after_is_a_header(error: Any, status: int) -> None:
    code, headers, raw = serialize_error(error)
    body = json.loads(raw)
    assert code == status
    assert headers["Retry-After"] == "7"
    assert headers["x-amzn-ErrorType"] == error.code == body["__type"]
    assert "retryAfterSeconds" not in body
    assert body["message"] == error.message


@pytest.mark.parametrize("error", [ThrottlingException(), InternalServerException()])
def test_no_retry_after_without_retry_after_seconds(error: Any) -> None:
    _, headers, _ = serialize_error(error)
    assert "Retry-After" not in headers


def test_throttling_from_a_hook_reaches_boto3_with_retry_after() -> None:
    with mock_appfabric() as m:
        def throttle(context: Any) -> None:
            if context.operation == "ListAppBundles":
                raise ThrottlingException(retry_after_seconds=3, service_code="appfabric", quota_code="rate")

        m.state.pre_backend_guards.append(throttle)
        client = appfabric_client(config=NO_RETRIES)
        with pytest.raises(ClientError) as excinfo:
            client.list_app_bundles()
        code, status, response = error_of(excinfo)
        assert (code, status) == ("ThrottlingException", 429)
        assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "3"
        assert response["retryAfterSeconds"] == 3
        assert response["serviceCode"] == "appfabric" and response["quotaCode"] == "rate"
        make_bundle(client)  # other operations are not throttled


def test_error_shapes_carry_the_header_in_the_body_type(state: MockState) -> None:
    def deny(context: Any) -> None:
        raise ResourceNotFoundException("gone", resource_id="x", resource_type="AppBundle")

    state.pre_validation_guards.append(deny)
    response, body = raw_call(state, "GET", "/appbundles/00000000-0000-4000-8000-000000000000")  # GetAppBundle
    assert body["__type"] == response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"


# -- bugs in the mock ---------------------------------------------------------------------------
def test_a_backend_bug_is_an_internal_server_exception(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Any, params: Any) -> Any:
        raise KeyError("text-that-may-hold-a-secret")

    monkeypatch.setattr(AppFabricBackend, "get_app_bundle", broken)
    with mock_appfabric():
        client = appfabric_client(config=NO_RETRIES)
        bundle = make_bundle(client)
        with caplog.at_level(logging.ERROR, logger="appfabric_mock"), pytest.raises(ClientError) as excinfo:
            client.get_app_bundle(appBundleIdentifier=bundle)
        code, status, response = error_of(excinfo)
        assert (code, status) == ("InternalServerException", 500)
        assert isinstance(excinfo.value, client.exceptions.InternalServerException)
        request_id = excinfo.value.response["ResponseMetadata"]["RequestId"]
        # Where and what kind of bug, and where to read more: never the exception's text.
        assert response["message"] == (
            "appfabric-mock internal error in GetAppBundle (KeyError); the appfabric_mock logger has the "
            f"traceback (request id {request_id})")
        # The log has it all, under the same request id.
        [record] = [r for r in caplog.records if r.exc_info]
        assert request_id in record.getMessage() and "text-that-may-hold-a-secret" in caplog.text
        # The mock keeps working afterwards.
        assert client.list_app_bundles()["appBundleSummaryList"] == [{"arn": bundle}]
    assert any(record.exc_info for record in caplog.records)


def test_a_backend_bug_through_raw_http(state: MockState, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, params: Any) -> Any:
        raise AttributeError("nope")

    monkeypatch.setattr(AppFabricBackend, "list_app_bundles", broken)
    response, body = raw_call(state, "GET", "/appbundles")
    assert response.status == 500
    assert body["__type"] == "InternalServerException"
    assert body["message"].startswith("appfabric-mock internal error in ListAppBundles (AttributeError);")
    assert "nope" not in body["message"]


def test_a_server_bug_outside_dispatch_is_an_internal_server_exception_without_its_text(
    state: MockState, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from appfabric_mock.server import AppFabricApp

    def broken(*args: Any) -> Any:
        raise ValueError("text-that-may-hold-a-secret")

    app = AppFabricApp(state)
    monkeypatch.setattr(app, "_answer", broken)
    started: List[Any] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/appbundles", "REQUEST_URI": "/appbundles",
               "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80"}
    with caplog.at_level(logging.ERROR, logger="appfabric_mock"):
        body = json.loads(b"".join(app(environ, lambda status, headers: started.append((status, headers)))))
    [(status, headers)] = started
    request_id = dict(headers)["x-amzn-RequestId"]
    assert status.startswith("500 ") and body["__type"] == "InternalServerException"
    assert body["message"] == ("appfabric-mock internal error in the server (ValueError); the appfabric_mock "
                               f"logger has the traceback (request id {request_id})")
    assert request_id in caplog.text and "text-that-may-hold-a-secret" in caplog.text


def test_a_response_that_breaks_its_shape_is_an_internal_server_exception(
    state: MockState, monkeypatch: pytest.MonkeyPatch
) -> None:
    def wrong(self: Any, params: Any) -> Any:
        return {"appBundleSummaryList": [{"arn": "x", "name": "not in the model"}]}

    monkeypatch.setattr(AppFabricBackend, "list_app_bundles", wrong)
    response, body = raw_call(state, "GET", "/appbundles")
    assert response.status == 500
    assert "name" in body["message"] and "ListAppBundlesResponse" in body["message"]


def test_validation_exception_for_fields_message() -> None:
    error = ValidationException.for_fields([("a", "bad a"), ("b", "bad b")])
    assert error.message == "2 validation errors detected: bad a; bad b"
    assert error.members == {
        "reason": "fieldValidationFailed",
        "fieldList": [{"name": "a", "message": "bad a"}, {"name": "b", "message": "bad b"}],
    }
