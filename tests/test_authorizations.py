"""App authorizations through boto3: every operation, the status machine, authUrl, quotas, tags."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from botocore.exceptions import ClientError
from helpers import (
    ACCOUNT,
    AUTHORIZATION_ARN_PATTERN,
    CONSOLE_REDIRECT,
    MISSING,
    appfabric_client,
    connect,
    connected_authorization,
    credential_for,
    error_of,
    field_names,
    make_authorization,
    make_bundle,
    make_ingestion,
    new_token,
    resource_id,
)

from appfabric_mock import AppFabricMock, mock_appfabric

SUMMARY_KEYS = {"appAuthorizationArn", "appBundleArn", "app", "tenant", "status", "updatedAt"}


@pytest.fixture
def m() -> Iterator[AppFabricMock]:
    with mock_appfabric() as handle:
        yield handle


@pytest.fixture
def client(m: AppFabricMock) -> Any:
    return appfabric_client()


@pytest.fixture
def bundle(client: Any) -> str:
    return make_bundle(client)


def _get(client: Any, auth: Dict[str, Any]) -> Dict[str, Any]:
    return dict(
        client.get_app_authorization(
            appBundleIdentifier=auth["appBundleArn"], appAuthorizationIdentifier=auth["appAuthorizationArn"]
        )["appAuthorization"]
    )


def _status(client: Any, auth: Dict[str, Any]) -> str:
    return str(_get(client, auth)["status"])


# -- create -------------------------------------------------------------------------------------
def test_create_api_key_authorization(client: Any, bundle: str) -> None:
    response = client.create_app_authorization(
        appBundleIdentifier=bundle,
        app="TERRAFORMCLOUD",
        credential={"apiKeyCredential": {"apiKey": "key"}},
        tenant={"tenantIdentifier": "org-1", "tenantDisplayName": "Org 1"},
        authType="apiKey",
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    auth = response["appAuthorization"]
    assert re.match(AUTHORIZATION_ARN_PATTERN, auth["appAuthorizationArn"])
    assert auth["appAuthorizationArn"].startswith(bundle + "/appauthorization/")
    assert auth["appBundleArn"] == bundle
    assert auth["app"] == "TERRAFORMCLOUD"
    assert auth["tenant"] == {"tenantIdentifier": "org-1", "tenantDisplayName": "Org 1"}
    assert auth["authType"] == "apiKey"
    assert auth["status"] == "PendingConnect"
    assert auth["persona"] == "admin"
    assert auth["createdAt"] == auth["updatedAt"]
    assert "authUrl" not in auth
    assert "credential" not in auth


def test_create_oauth2_authorization_has_an_auth_url(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2",
                              credential=credential_for("oauth2", client_id="slack-client-42"))
    assert auth["authType"] == "oauth2" and auth["status"] == "PendingConnect"
    _check_auth_url(auth["authUrl"], "slack-client-42")


def test_create_by_bundle_uuid(client: Any, bundle: str) -> None:
    auth = make_authorization(client, resource_id(bundle))
    assert auth["appBundleArn"] == bundle


@pytest.mark.parametrize("identifier", [MISSING, f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/{MISSING}"])
def test_create_in_an_unknown_bundle(client: Any, identifier: str) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        make_authorization(client, identifier)
    _, status, response = error_of(excinfo)
    assert status == 404
    assert (response["resourceId"], response["resourceType"]) == (identifier, "AppBundle")


@pytest.mark.parametrize(("auth_type", "other"), [("oauth2", "apiKey"), ("apiKey", "oauth2")])
def test_credential_must_match_auth_type(client: Any, bundle: str, auth_type: str, other: str) -> None:
    app = "SLACK" if auth_type == "oauth2" else "ASANA"
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        make_authorization(client, bundle, app=app, auth_type=auth_type, credential=credential_for(other))
    _, status, response = error_of(excinfo)
    assert status == 400
    assert response["reason"] == "fieldValidationFailed"
    assert field_names(response) == ["credential"]
    assert client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"] == []


def test_duplicate_app_and_tenant_is_a_conflict(client: Any, bundle: str) -> None:
    first = make_authorization(client, bundle, app="OKTA", tenant="dev-1.okta.com")
    with pytest.raises(client.exceptions.ConflictException) as excinfo:
        make_authorization(client, bundle, app="OKTA", tenant="dev-1.okta.com", tenant_name="Other name")
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ConflictException", 409)
    assert response["resourceId"] == first["appAuthorizationArn"]
    assert response["resourceType"] == "AppAuthorization"
    # Same tenant, another app; same app, another tenant: both fine.
    make_authorization(client, bundle, app="ZOOM", tenant="dev-1.okta.com")
    make_authorization(client, bundle, app="OKTA", tenant="dev-2.okta.com")
    assert len(client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"]) == 3


# -- quotas -------------------------------------------------------------------------------------
def test_fifty_first_authorization_exceeds_the_quota(client: Any, bundle: str) -> None:
    for index in range(50):
        make_authorization(client, bundle, tenant=f"tenant-{index}")
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        make_authorization(client, bundle, tenant="tenant-50")
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert response["serviceCode"] == "appfabric"
    assert response["quotaCode"] == "appfabric-app-authorizations-per-account"
    assert response["resourceType"] == "AppAuthorization"
    pages = client.get_paginator("list_app_authorizations").paginate(appBundleIdentifier=bundle)
    assert sum(len(p["appAuthorizationSummaryList"]) for p in pages) == 50


def test_authorization_quota_raised() -> None:
    with mock_appfabric(quotas={"app_authorizations": 2}):
        client = appfabric_client()
        bundle = make_bundle(client)
        make_authorization(client, bundle, tenant="a")
        make_authorization(client, bundle, tenant="b")
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            make_authorization(client, bundle, tenant="c")


def test_authorization_quota_lifted() -> None:
    with mock_appfabric(quotas={"app_authorizations": None}):
        client = appfabric_client()
        bundle = make_bundle(client)
        for index in range(55):
            make_authorization(client, bundle, tenant=f"tenant-{index}")
        pages = client.get_paginator("list_app_authorizations").paginate(appBundleIdentifier=bundle)
        assert sum(len(p["appAuthorizationSummaryList"]) for p in pages) == 55


def test_authorization_quota_counts_the_whole_account_and_region() -> None:
    with mock_appfabric(quotas={"app_bundles": 2, "app_authorizations": 2}):
        client = appfabric_client()
        first, second = make_bundle(client), make_bundle(client)
        make_authorization(client, first)
        make_authorization(client, second)
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            make_authorization(client, second, tenant="another")
        # Another region has its own.
        west = appfabric_client("eu-west-1")
        make_authorization(west, make_bundle(west))


# -- idempotency --------------------------------------------------------------------------------
def test_idempotent_create(client: Any, bundle: str) -> None:
    token = new_token()
    first = make_authorization(client, bundle, clientToken=token)
    again = make_authorization(client, bundle, clientToken=token)  # no ConflictException, no new resource
    assert again["appAuthorizationArn"] == first["appAuthorizationArn"]
    summaries = client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"]
    assert len(summaries) == 1


def test_idempotent_create_does_not_charge_the_quota() -> None:
    with mock_appfabric(quotas={"app_authorizations": 1}):
        client = appfabric_client()
        bundle = make_bundle(client)
        token = new_token()
        first = make_authorization(client, bundle, clientToken=token)
        again = make_authorization(client, bundle, clientToken=token)
        assert again["appAuthorizationArn"] == first["appAuthorizationArn"]


def test_idempotent_create_with_other_parameters_is_a_mismatch(client: Any, bundle: str) -> None:
    token = new_token()
    make_authorization(client, bundle, clientToken=token, tenant="one")
    with pytest.raises(ClientError) as excinfo:
        make_authorization(client, bundle, clientToken=token, tenant="two")
    code, status, _ = error_of(excinfo)
    assert (code, status) == ("IdempotentParameterMismatch", 400)


def test_idempotent_create_with_another_secret_is_a_mismatch(client: Any, bundle: str) -> None:
    token = new_token()
    make_authorization(client, bundle, clientToken=token, credential=credential_for("apiKey", api_key="one"))
    with pytest.raises(ClientError) as excinfo:
        make_authorization(client, bundle, clientToken=token, credential=credential_for("apiKey", api_key="two"))
    assert error_of(excinfo)[0] == "IdempotentParameterMismatch"


# -- get / list ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("bundle_by", "auth_by"), [("arn", "arn"), ("uuid", "uuid"), ("uuid", "arn"), ("arn", "uuid")])
def test_get_by_arn_or_uuid(client: Any, bundle: str, bundle_by: str, auth_by: str) -> None:
    created = make_authorization(client, bundle)
    arn = created["appAuthorizationArn"]
    response = client.get_app_authorization(
        appBundleIdentifier=bundle if bundle_by == "arn" else resource_id(bundle),
        appAuthorizationIdentifier=arn if auth_by == "arn" else resource_id(arn),
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["appAuthorization"] == created


@pytest.mark.parametrize("kind", ["uuid", "arn"])
def test_get_unknown_authorization(client: Any, bundle: str, kind: str) -> None:
    identifier = MISSING if kind == "uuid" else f"{bundle}/appauthorization/{MISSING}"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.get_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=identifier)
    _, status, response = error_of(excinfo)
    assert status == 404
    assert (response["resourceId"], response["resourceType"]) == (identifier, "AppAuthorization")


def test_get_in_an_unknown_bundle(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.get_app_authorization(
            appBundleIdentifier=MISSING, appAuthorizationIdentifier=auth["appAuthorizationArn"]
        )
    assert error_of(excinfo)[2]["resourceType"] == "AppBundle"


def test_authorization_arn_of_another_bundle_is_not_found() -> None:
    with mock_appfabric(quotas={"app_bundles": 2}):
        client = appfabric_client()
        first, second = make_bundle(client), make_bundle(client)
        auth = make_authorization(client, first)
        arn = auth["appAuthorizationArn"]
        for operation in ("get", "update", "connect", "delete"):
            with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
                kwargs = {"appBundleIdentifier": second, "appAuthorizationIdentifier": arn}
                if operation == "get":
                    client.get_app_authorization(**kwargs)
                elif operation == "update":
                    client.update_app_authorization(**kwargs, credential=credential_for("apiKey"))
                elif operation == "connect":
                    client.connect_app_authorization(**kwargs)
                else:
                    client.delete_app_authorization(**kwargs)
            response = error_of(excinfo)[2]
            assert (response["resourceId"], response["resourceType"]) == (arn, "AppAuthorization")
        # The UUID alone is not found in the other bundle either.
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_app_authorization(appBundleIdentifier=second, appAuthorizationIdentifier=resource_id(arn))
        assert _status(client, auth) == "PendingConnect"


def test_list_app_authorizations(client: Any, bundle: str) -> None:
    assert client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"] == []
    api = make_authorization(client, bundle, tenant="a")
    oauth = make_authorization(client, bundle, app="SLACK", tenant="b", auth_type="oauth2")
    summaries = client.list_app_authorizations(appBundleIdentifier=resource_id(bundle))["appAuthorizationSummaryList"]
    assert [s["appAuthorizationArn"] for s in summaries] == [api["appAuthorizationArn"], oauth["appAuthorizationArn"]]
    for summary, full in zip(summaries, (api, oauth)):
        assert set(summary) == SUMMARY_KEYS
        assert summary == {k: full[k] for k in SUMMARY_KEYS}


def test_list_in_an_unknown_bundle(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.list_app_authorizations(appBundleIdentifier=MISSING)
    assert error_of(excinfo)[2]["resourceId"] == MISSING


def test_list_pagination(client: Any, bundle: str) -> None:
    arns = [make_authorization(client, bundle, tenant=f"t{i}")["appAuthorizationArn"] for i in range(4)]
    paginator = client.get_paginator("list_app_authorizations")
    pages = list(paginator.paginate(appBundleIdentifier=bundle, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 4
    assert [p["appAuthorizationSummaryList"][0]["appAuthorizationArn"] for p in pages] == arns
    first = client.list_app_authorizations(appBundleIdentifier=bundle, maxResults=1)
    with pytest.raises(client.exceptions.ValidationException):
        client.list_app_authorizations(appBundleIdentifier=bundle, nextToken=first["nextToken"] + "x")
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.list_app_authorizations(appBundleIdentifier=bundle, nextToken="garbage")
    assert "nextToken" in field_names(error_of(excinfo)[2])


# -- update -------------------------------------------------------------------------------------
def test_update_from_connected_returns_to_pending_connect(m: AppFabricMock, client: Any, bundle: str) -> None:
    m.clock.freeze("2024-03-01T10:00:00Z")
    auth = make_authorization(client, bundle)
    m.clock.advance(seconds=30)
    assert connect(client, auth)["status"] == "Connected"
    connected_at = _get(client, auth)["updatedAt"]
    assert connected_at - auth["createdAt"] == dt.timedelta(seconds=30)

    m.clock.advance(minutes=5)
    updated = client.update_app_authorization(
        appBundleIdentifier=bundle,
        appAuthorizationIdentifier=auth["appAuthorizationArn"],
        credential=credential_for("apiKey", api_key="rotated"),
        tenant={"tenantIdentifier": "tenant-1", "tenantDisplayName": "Renamed"},
    )
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    after = updated["appAuthorization"]
    assert after["status"] == "PendingConnect"
    assert after["tenant"] == {"tenantIdentifier": "tenant-1", "tenantDisplayName": "Renamed"}
    assert after["updatedAt"] - connected_at == dt.timedelta(minutes=5)
    assert after["createdAt"] == auth["createdAt"]
    assert _get(client, auth) == after

    assert connect(client, auth)["status"] == "Connected"


def test_update_with_nothing_changes_nothing(m: AppFabricMock, client: Any, bundle: str) -> None:
    m.clock.freeze("2024-03-01T10:00:00Z")
    auth = make_authorization(client, bundle)
    connect(client, auth)
    before = _get(client, auth)
    m.clock.advance(seconds=10)
    after = client.update_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"]
    )["appAuthorization"]
    assert after == before


def test_update_credential_must_match_auth_type(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2")
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.update_app_authorization(
            appBundleIdentifier=bundle,
            appAuthorizationIdentifier=auth["appAuthorizationArn"],
            credential=credential_for("apiKey"),
        )
    assert field_names(error_of(excinfo)[2]) == ["credential"]
    assert _get(client, auth)["updatedAt"] == auth["updatedAt"]


def test_update_oauth2_client_id_changes_the_auth_url(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2",
                              credential=credential_for("oauth2", client_id="old-client"))
    updated = client.update_app_authorization(
        appBundleIdentifier=bundle,
        appAuthorizationIdentifier=auth["appAuthorizationArn"],
        credential=credential_for("oauth2", client_id="new-client"),
    )["appAuthorization"]
    _check_auth_url(updated["authUrl"], "new-client")


def test_update_tenant_to_a_taken_one_is_a_validation_error(client: Any, bundle: str) -> None:
    # UpdateAppAuthorization models no ConflictException: the refusal is a ValidationException.
    taken = make_authorization(client, bundle, tenant="taken")
    auth = make_authorization(client, bundle, tenant="mine")
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.update_app_authorization(
            appBundleIdentifier=bundle,
            appAuthorizationIdentifier=auth["appAuthorizationArn"],
            tenant={"tenantIdentifier": "taken", "tenantDisplayName": "x"},
        )
    code, status, response = error_of(excinfo)
    assert (code, status, response["reason"]) == ("ValidationException", 400, "other")
    assert taken["appAuthorizationArn"] in response["Error"]["Message"]
    assert _get(client, auth)["tenant"]["tenantIdentifier"] == "mine"


def test_update_unknown_authorization(client: Any, bundle: str) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.update_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=MISSING, credential=credential_for("apiKey")
        )
    response = error_of(excinfo)[2]
    assert (response["resourceId"], response["resourceType"]) == (MISSING, "AppAuthorization")


# -- connect and the status machine --------------------------------------------------------------
def test_connect_api_key_without_auth_request(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle)
    response = client.connect_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=resource_id(auth["appAuthorizationArn"])
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    summary = response["appAuthorizationSummary"]
    assert set(summary) == SUMMARY_KEYS
    assert summary["status"] == "Connected"
    assert _status(client, auth) == "Connected"


def test_connect_oauth2_needs_an_auth_request(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2")
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.connect_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"]
        )
    response = error_of(excinfo)[2]
    assert response["fieldList"] == [{
        "name": "authRequest",
        "message": "Value null at 'authRequest' failed to satisfy constraint: Member must not be null for an "
                   "oauth2 app authorization",
    }]
    assert _status(client, auth) == "PendingConnect"
    assert connect(client, auth, code="consent-code")["status"] == "Connected"


def test_connect_a_connected_authorization_again(m: AppFabricMock, client: Any, bundle: str) -> None:
    m.clock.freeze("2024-03-01T10:00:00Z")
    auth = make_authorization(client, bundle)
    first = connect(client, auth)
    m.clock.advance(seconds=1)
    second = connect(client, auth)
    assert second == first  # already Connected: success, nothing changes


def test_fail_next_connect(m: AppFabricMock, client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle)
    m.fail_next_connect(auth["appAuthorizationArn"])
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        connect(client, auth)
    code, status, response = error_of(excinfo)
    assert (code, status, response["reason"]) == ("ValidationException", 400, "other")
    assert "could not be validated" in response["message"]
    assert _status(client, auth) == "ConnectionValidationFailed"
    # Only the next one fails.
    assert connect(client, auth)["status"] == "Connected"


def test_fail_next_connect_with_a_message_on_oauth2(m: AppFabricMock, client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2")
    m.fail_next_connect(auth["appAuthorizationArn"], message="invalid_grant: code expired")
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        connect(client, auth)
    assert error_of(excinfo)[2]["message"] == "invalid_grant: code expired"
    summaries = client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"]
    assert summaries[0]["status"] == "ConnectionValidationFailed"


@pytest.mark.parametrize("status", ["TokenAutoRotationFailed", "ConnectionValidationFailed", "Connected"])
def test_set_authorization_status_then_update_returns_to_pending(
    m: AppFabricMock, client: Any, bundle: str, status: str
) -> None:
    m.clock.freeze("2024-03-01T10:00:00Z")
    auth = make_authorization(client, bundle)
    m.clock.advance(seconds=5)
    m.set_authorization_status(auth["appAuthorizationArn"], status)
    got = _get(client, auth)
    assert got["status"] == status
    assert got["updatedAt"] - auth["updatedAt"] == dt.timedelta(seconds=5)
    updated = client.update_app_authorization(
        appBundleIdentifier=bundle,
        appAuthorizationIdentifier=auth["appAuthorizationArn"],
        credential=credential_for("apiKey", api_key="new"),
    )["appAuthorization"]
    assert updated["status"] == "PendingConnect"
    assert connect(client, auth)["status"] == "Connected"


def test_test_controls_reject_bad_input(m: AppFabricMock, client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle)
    with pytest.raises(ValueError, match="PendingConnect"):
        m.set_authorization_status(auth["appAuthorizationArn"], "Broken")
    with pytest.raises(ValueError):
        m.fail_next_connect(bundle)
    with pytest.raises(KeyError):
        m.fail_next_connect(f"{bundle}/appauthorization/{MISSING}")


def test_connect_unknown_authorization(client: Any, bundle: str) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=MISSING)
    assert error_of(excinfo)[2]["resourceType"] == "AppAuthorization"


# -- authUrl ------------------------------------------------------------------------------------
def _check_auth_url(url: str, client_id: str) -> Tuple[str, Dict[str, List[str]]]:
    parts = urlsplit(url)
    assert parts.scheme == "https"
    # Terraform keeps the URL up to the first "oauth2" and needs that part to stay the same
    # on every read: it must come before the state.
    assert url.index("oauth2") < url.index("state=")
    assert quote(CONSOLE_REDIRECT, safe="") in url
    query = parse_qs(parts.query)
    assert query["client_id"] == [client_id]
    assert query["redirect_uri"] == [CONSOLE_REDIRECT]
    assert query["state"][0]
    return url, query


def test_auth_url_state_is_fresh_on_every_read(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, app="GOOGLE", auth_type="oauth2",
                              credential=credential_for("oauth2", client_id="g-client"))
    _, first = _check_auth_url(_get(client, auth)["authUrl"], "g-client")
    _, second = _check_auth_url(_get(client, auth)["authUrl"], "g-client")
    assert first["state"] != second["state"]


def test_auth_url_uses_the_region_of_the_console() -> None:
    with mock_appfabric():
        client = appfabric_client("eu-west-1")
        auth = make_authorization(client, make_bundle(client), app="SLACK", auth_type="oauth2")
        query = parse_qs(urlsplit(auth["authUrl"]).query)
        assert query["redirect_uri"] == ["https://eu-west-1.console.aws.amazon.com/appfabric/oauth2"]


def test_no_auth_url_for_api_key_anywhere(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle)
    assert "authUrl" not in _get(client, auth)
    connect(client, auth)
    assert "authUrl" not in _get(client, auth)


# -- delete -------------------------------------------------------------------------------------
@pytest.mark.parametrize("by", ["arn", "uuid"])
def test_delete_app_authorization(client: Any, bundle: str, by: str) -> None:
    auth = make_authorization(client, bundle)
    arn = auth["appAuthorizationArn"]
    response = client.delete_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=arn if by == "arn" else resource_id(arn)
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        _get(client, auth)
    # The same app and tenant can be authorized again.
    make_authorization(client, bundle)


def test_delete_unknown_authorization(client: Any, bundle: str) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=MISSING)
    response = error_of(excinfo)[2]
    assert (response["resourceId"], response["resourceType"]) == (MISSING, "AppAuthorization")


def test_delete_authorization_used_by_an_ingestion_is_a_validation_error(client: Any, bundle: str) -> None:
    # DeleteAppAuthorization models no ConflictException: the refusal is a ValidationException.
    auth = connected_authorization(client, bundle)
    ingestion = make_ingestion(client, bundle)
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.delete_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"]
        )
    code, status, response = error_of(excinfo)
    assert (code, status, response["reason"]) == ("ValidationException", 400, "other")
    assert ingestion["arn"] in response["Error"]["Message"]
    assert "resourceId" not in response
    client.delete_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"])
    client.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"])


# -- tags ---------------------------------------------------------------------------------------
def test_tags_on_an_authorization(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, tags=[{"key": "owner", "value": "secops"}])
    arn = auth["appAuthorizationArn"]
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "owner", "value": "secops"}]
    client.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "prod"}])
    client.untag_resource(resourceArn=arn, tagKeys=["owner"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "prod"}]
    # Tags of the bundle are separate (it has none: the optional member is left out).
    assert "tags" not in client.list_tags_for_resource(resourceArn=bundle)


@pytest.mark.parametrize("operation", ["tag", "untag", "list"])
def test_tags_of_an_unknown_authorization(client: Any, bundle: str, operation: str) -> None:
    arn = f"{bundle}/appauthorization/{MISSING}"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        if operation == "tag":
            client.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "b"}])
        elif operation == "untag":
            client.untag_resource(resourceArn=arn, tagKeys=["a"])
        else:
            client.list_tags_for_resource(resourceArn=arn)
    response = error_of(excinfo)[2]
    assert (response["resourceId"], response["resourceType"]) == (arn, "AppAuthorization")


def test_deleted_authorization_has_no_tags(client: Any, bundle: str) -> None:
    auth = make_authorization(client, bundle, tags=[{"key": "a", "value": "b"}])
    client.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"])
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_tags_for_resource(resourceArn=auth["appAuthorizationArn"])


# -- applications ---------------------------------------------------------------------------------
#: Every application the API is known to accept, with the authType it connects with.
APPS = {
    "SLACK": "oauth2", "ASANA": "apiKey", "JIRA": "oauth2", "M365": "oauth2", "M365AUDITLOGS": "oauth2",
    "ZOOM": "oauth2", "ZENDESK": "oauth2", "OKTA": "oauth2", "GOOGLE": "oauth2", "DROPBOX": "oauth2",
    "SMARTSHEET": "oauth2", "CISCO": "apiKey", "TERRAFORMCLOUD": "apiKey",
}


def test_the_known_apps_are_the_models_plus_terraform_cloud() -> None:
    # The model's documentation of `app` lists the valid values; TERRAFORMCLOUD is used by
    # Terraform's acceptance tests against AWS.
    from appfabric_mock.protocol.compiled import protocol

    documented = protocol().operations["CreateAppAuthorization"].model.input_shape.members["app"].documentation
    listed = set(re.findall(r"<code>([A-Z0-9]+)</code>", documented))
    assert listed and listed <= set(APPS)
    assert set(APPS) - listed == {"TERRAFORMCLOUD"}


@pytest.mark.parametrize(("app", "auth_type"), sorted(APPS.items()))
def test_every_known_app_is_accepted_with_its_auth_type(client: Any, bundle: str, app: str, auth_type: str) -> None:
    auth = make_authorization(client, bundle, app=app, auth_type=auth_type, tenant=f"{app.lower()}-tenant")
    assert (auth["app"], auth["authType"]) == (app, auth_type)
    assert ("authUrl" in auth) == (auth_type == "oauth2")
    other = "apiKey" if auth_type == "oauth2" else "oauth2"
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        make_authorization(client, bundle, app=app, auth_type=other, tenant="another")
    code, status, response = error_of(excinfo)
    assert (code, status, field_names(response)) == ("ValidationException", 400, ["authType"])
    message = response["Error"]["Message"]
    assert f"{app} connects with authType {auth_type}" in message
    assert "extra_apps" in message and "strict_apps=False" in message


@pytest.mark.parametrize("app", ["SLAK", "BOX", "slack", "GITHUB"])
def test_an_unknown_app_is_a_validation_error_naming_the_valid_ones(client: Any, bundle: str, app: str) -> None:
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        make_authorization(client, bundle, app=app)
    code, status, response = error_of(excinfo)
    assert (code, status, response["reason"], field_names(response)) == (
        "ValidationException", 400, "fieldValidationFailed", ["app"])
    message = response["Error"]["Message"]
    assert f"Value '{app}' at 'app'" in message
    assert ", ".join(sorted(APPS)) in message
    assert "extra_apps" in message and "strict_apps=False" in message
    assert client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"] == []


def test_strict_apps_false_accepts_any_name_and_either_type() -> None:
    with mock_appfabric(strict_apps=False):
        client = appfabric_client()
        bundle = make_bundle(client)
        assert make_authorization(client, bundle, app="ACMEHR", auth_type="oauth2")["app"] == "ACMEHR"
        assert make_authorization(client, bundle, app="ASANA", auth_type="oauth2")["authType"] == "oauth2"


def test_extra_apps_as_a_list_accepts_either_type() -> None:
    with mock_appfabric(extra_apps=["BOX"]):
        client = appfabric_client()
        bundle = make_bundle(client)
        make_authorization(client, bundle, app="BOX", auth_type="oauth2", tenant="a")
        make_authorization(client, bundle, app="BOX", auth_type="apiKey", tenant="b")
        with pytest.raises(client.exceptions.ValidationException):
            make_authorization(client, bundle, app="GITHUB")


def test_extra_apps_as_a_mapping_declares_the_type_or_a_display_name() -> None:
    with mock_appfabric(extra_apps={"BOX": "oauth2", "PAGERDUTY": "apiKey", "ACMEHR": "Acme HR", "SLACK": "apiKey"}):
        client = appfabric_client()
        bundle = make_bundle(client)
        box = make_authorization(client, bundle, app="BOX", auth_type="oauth2")
        assert box["authUrl"].startswith("https://box.oauth.example.com/oauth2/authorize?")
        make_authorization(client, bundle, app="PAGERDUTY", auth_type="apiKey")
        make_authorization(client, bundle, app="ACMEHR", auth_type="oauth2", tenant="a")
        make_authorization(client, bundle, app="ACMEHR", auth_type="apiKey", tenant="b")
        # A known app given another type: that type only.
        make_authorization(client, bundle, app="SLACK", auth_type="apiKey")
        for app, wrong in (("BOX", "apiKey"), ("PAGERDUTY", "oauth2"), ("SLACK", "oauth2")):
            with pytest.raises(client.exceptions.ValidationException) as excinfo:
                make_authorization(client, bundle, app=app, auth_type=wrong, tenant="other")
            assert field_names(error_of(excinfo)[2]) == ["authType"]


def test_create_ingestion_checks_the_app_too(client: Any, bundle: str) -> None:
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        make_ingestion(client, bundle, app="SLAK")
    assert field_names(error_of(excinfo)[2]) == ["app"]


@pytest.mark.parametrize(("app", "tenant", "endpoint"), [
    ("OKTA", "dev-22002358.okta.com", "https://dev-22002358.okta.com/oauth2/v1/authorize"),
    ("OKTA", "acme", "https://acme.okta.com/oauth2/v1/authorize"),
    ("OKTA", "not a host!", "https://okta.com/oauth2/v1/authorize"),
    ("ZENDESK", "acme", "https://acme.zendesk.com/oauth/authorizations/new"),
    ("ZENDESK", "acme.zendesk.com", "https://acme.zendesk.com/oauth/authorizations/new"),
    ("M365", "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab",
     "https://login.microsoftonline.com/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab/oauth2/v2.0/authorize"),
    ("M365AUDITLOGS", "contoso.onmicrosoft.com",
     "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"),
    ("SLACK", "acme", "https://slack.com/oauth/v2/authorize"),
    ("JIRA", "acme", "https://auth.atlassian.com/authorize"),
    ("ZOOM", "acme", "https://zoom.us/oauth/authorize"),
    ("GOOGLE", "my-project", "https://accounts.google.com/o/oauth2/v2/auth"),
    ("DROPBOX", "acme", "https://www.dropbox.com/oauth2/authorize"),
    ("SMARTSHEET", "123", "https://app.smartsheet.com/b/authorize"),
])
def test_auth_url_is_the_providers_authorize_endpoint(client: Any, bundle: str, app: str, tenant: str,
                                                      endpoint: str) -> None:
    auth = make_authorization(client, bundle, app=app, tenant=tenant,
                              credential=credential_for("oauth2", client_id="cid"))
    url, query = _check_auth_url(auth["authUrl"], "cid")
    assert url.split("?")[0] == endpoint
    assert query["response_type"] == ["code"]
    # What Terraform stores (up to the first "oauth2") is the same on every read.
    kept = url[:url.index("oauth2") + len("oauth2")]
    again = _get(client, auth)["authUrl"]
    assert again != url and again[:len(kept)] == kept


# -- behaviour that mutation testing showed unpinned (docs/contributing.rst) ---------------------
def test_update_tenant_while_an_ingestion_uses_it_is_a_validation_error(client: Any, bundle: str) -> None:
    auth = connected_authorization(client, bundle, tenant="in-use")
    ingestion = make_ingestion(client, bundle, tenant="in-use")
    # Another app's authorization for the same tenant has no ingestion: its tenant may change.
    other = make_authorization(client, bundle, app="ZOOM", tenant="in-use")
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.update_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=auth["appAuthorizationArn"],
                                        tenant={"tenantIdentifier": "moved", "tenantDisplayName": "Moved"})
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert response["message"] == (f"Ingestion {ingestion['arn']} uses tenant in-use; "
                                   "delete it before changing the tenant identifier")
    after = _get(client, auth)
    assert (after["tenant"]["tenantIdentifier"], after["status"]) == ("in-use", "Connected")
    moved = client.update_app_authorization(appBundleIdentifier=bundle,
                                            appAuthorizationIdentifier=other["appAuthorizationArn"],
                                            tenant={"tenantIdentifier": "moved", "tenantDisplayName": "Moved"})
    assert moved["appAuthorization"]["tenant"] == {"tenantIdentifier": "moved", "tenantDisplayName": "Moved"}
    # Keeping the tenant (a new display name only) is no change of tenant: allowed.
    renamed = client.update_app_authorization(appBundleIdentifier=bundle,
                                              appAuthorizationIdentifier=auth["appAuthorizationArn"],
                                              tenant={"tenantIdentifier": "in-use", "tenantDisplayName": "New"})
    assert renamed["appAuthorization"]["tenant"] == {"tenantIdentifier": "in-use", "tenantDisplayName": "New"}


def test_idempotent_retry_answers_with_the_current_state(client: Any, bundle: str) -> None:
    token = new_token()
    created = make_authorization(client, bundle, clientToken=token)
    assert created["status"] == "PendingConnect"
    connect(client, created)
    again = make_authorization(client, bundle, clientToken=token)
    assert again["appAuthorizationArn"] == created["appAuthorizationArn"]
    assert again["status"] == "Connected"
    assert again == _get(client, created)


def test_the_quota_error_names_the_authorization_it_would_have_made() -> None:
    with mock_appfabric(quotas={"app_authorizations": 1}):
        client = appfabric_client()
        bundle = make_bundle(client)
        make_authorization(client, bundle, tenant="a")
        with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
            make_authorization(client, bundle, tenant="b")
        response = error_of(excinfo)[2]
        assert re.fullmatch(AUTHORIZATION_ARN_PATTERN, response["resourceId"]), response["resourceId"]
        assert response["resourceId"].startswith(bundle + "/appauthorization/")
        assert response["resourceType"] == "AppAuthorization"


def test_auth_url_percent_encodes_the_client_id(client: Any, bundle: str) -> None:
    # quote(safe=""): a space is %20 (not +), and &, =, / and non-ASCII are encoded.
    client_id = "a b&c=d/é+"
    auth = make_authorization(client, bundle, app="GOOGLE", auth_type="oauth2",
                              credential=credential_for("oauth2", client_id=client_id))
    assert "?client_id=a%20b%26c%3Dd%2F%C3%A9%2B&redirect_uri=" in auth["authUrl"]
    _check_auth_url(auth["authUrl"], client_id)
