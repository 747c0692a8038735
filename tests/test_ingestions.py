"""Ingestions: CreateIngestion, GetIngestion, ListIngestions, Start/StopIngestion, DeleteIngestion."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from appfabric_mock import mock_appfabric
from tests._workflow import (
    ACCOUNT,
    NO_VALIDATION,
    REGION,
    UUID,
    client,
    connect_authorization,
    expect_error,
    expect_invalid,
    ingestion_setup,
    last_id,
    new_authorization,
    new_bundle,
    new_destination,
    new_ingestion,
)

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
MISSING_BUNDLE = f"arn:aws:appfabric:{REGION}:{ACCOUNT}:appbundle/00000000-0000-4000-8000-000000000000"
MISSING_ID = "00000000-0000-4000-8000-00000000abcd"


@pytest.fixture
def bundle(appfabric_client):
    """A bundle with a connected TERRAFORMCLOUD authorization for tenant-1."""
    arn = new_bundle(appfabric_client)
    new_authorization(appfabric_client, arn)
    return arn


def _ids(bundle, ingestion):
    return {"appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["arn"]}


# -- CreateIngestion ------------------------------------------------------------------------------
def test_create_ingestion_is_enabled_201(appfabric_mock, appfabric_client, bundle):
    appfabric_mock.clock.freeze(T0)
    response = appfabric_client.create_ingestion(
        appBundleIdentifier=bundle, app="TERRAFORMCLOUD", tenantId="tenant-1", ingestionType="auditLog"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    ingestion = response["ingestion"]
    assert re.fullmatch(re.escape(bundle) + f"/ingestion/{UUID}", ingestion["arn"])
    assert ingestion["appBundleArn"] == bundle
    assert (ingestion["app"], ingestion["tenantId"]) == ("TERRAFORMCLOUD", "tenant-1")
    assert ingestion["ingestionType"] == "auditLog"
    assert ingestion["state"] == "enabled"
    assert ingestion["createdAt"] == ingestion["updatedAt"] == T0


def test_create_ingestion_with_bundle_uuid(appfabric_client, bundle):
    ingestion = new_ingestion(appfabric_client, last_id(bundle))
    assert ingestion["appBundleArn"] == bundle


NOT_CONNECTED = (
    "The app authorization for the specified application and tenant was not connected. "
    "Connect the app authorization for the application and tenant before creating an ingestion."
)


def _expect_not_connected(api, bundle, **kwargs):
    """CreateIngestion is refused as AWS refuses it (Terraform AWS provider PR 37291): HTTP 400, AWS's text."""
    response = expect_error("ValidationException", 400, new_ingestion, api, bundle, **kwargs)
    assert response["Error"]["Message"] == NOT_CONNECTED
    assert response["reason"] == "other"
    assert api.list_ingestions(appBundleIdentifier=bundle)["ingestions"] == []
    return response


@pytest.mark.parametrize("status", ["PendingConnect", "ConnectionValidationFailed", "TokenAutoRotationFailed"])
def test_create_ingestion_needs_a_connected_authorization(appfabric_mock, appfabric_client, status):
    bundle = new_bundle(appfabric_client)
    auth = new_authorization(appfabric_client, bundle, connect=False)
    appfabric_mock.set_authorization_status(auth["appAuthorizationArn"], status)
    _expect_not_connected(appfabric_client, bundle)
    connect_authorization(appfabric_client, auth)
    assert new_ingestion(appfabric_client, bundle)["state"] == "enabled"


def test_create_ingestion_after_an_update_needs_a_new_connect(appfabric_client, bundle):
    # UpdateAppAuthorization puts the authorization back into PendingConnect.
    auth = appfabric_client.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"][0]
    updated = appfabric_client.update_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"],
        credential={"apiKeyCredential": {"apiKey": "rotated"}})["appAuthorization"]
    assert updated["status"] == "PendingConnect"
    _expect_not_connected(appfabric_client, bundle)
    connect_authorization(appfabric_client, updated)
    new_ingestion(appfabric_client, bundle)


@pytest.mark.parametrize(
    ("app", "tenant"),
    [("TERRAFORMCLOUD", "other-tenant"), ("OKTA", "tenant-1"), ("OKTA", "other-tenant")],
    ids=["other-tenant", "other-app", "neither"],
)
def test_create_ingestion_needs_authorization_for_app_and_tenant(appfabric_client, bundle, app, tenant):
    # No authorization at all for this app and tenant: the same answer as one not connected.
    _expect_not_connected(appfabric_client, bundle, app=app, tenant=tenant)


def test_create_ingestion_in_bundle_without_authorizations_is_invalid(appfabric_client):
    _expect_not_connected(appfabric_client, new_bundle(appfabric_client))


def test_create_ingestion_checks_the_authorization_before_the_quota():
    with mock_appfabric(quotas={"ingestions": 0}):
        api = client()
        bundle = new_bundle(api)
        new_authorization(api, bundle, connect=False)
        _expect_not_connected(api, bundle)


def test_create_duplicate_ingestion_conflicts(appfabric_client, bundle):
    first = new_ingestion(appfabric_client, bundle)
    response = expect_error("ConflictException", 409, new_ingestion, appfabric_client, bundle)
    assert response["resourceType"] == "Ingestion"
    assert response["resourceId"] == first["arn"]
    assert len(appfabric_client.list_ingestions(appBundleIdentifier=bundle)["ingestions"]) == 1


def test_same_app_other_tenant_is_not_a_duplicate(appfabric_client, bundle):
    new_authorization(appfabric_client, bundle, tenant="tenant-2")
    first = new_ingestion(appfabric_client, bundle)
    second = new_ingestion(appfabric_client, bundle, tenant="tenant-2")
    assert first["arn"] != second["arn"]


def test_ingestion_can_be_recreated_after_delete(appfabric_client, bundle):
    first = new_ingestion(appfabric_client, bundle)
    appfabric_client.delete_ingestion(**_ids(bundle, first))
    second = new_ingestion(appfabric_client, bundle)
    assert second["arn"] != first["arn"]


def test_create_ingestion_quota_is_50_per_account_and_region():
    # Ingestions are one per (app, tenant) authorization, and authorizations are capped at 50
    # too: lift that quota to reach the ingestion quota.
    with mock_appfabric(quotas={"app_authorizations": None}):
        api = client()
        bundle = new_bundle(api)
        for n in range(51):
            new_authorization(api, bundle, tenant=f"t{n}")
        for n in range(50):
            new_ingestion(api, bundle, tenant=f"t{n}")
        response = expect_error("ServiceQuotaExceededException", 402, new_ingestion, api, bundle, tenant="t50")
        assert response["serviceCode"] == "appfabric"
        assert response["quotaCode"] == "appfabric-ingestions-per-account"
        assert response["resourceType"] == "Ingestion"
        assert response["resourceId"].startswith(bundle + "/ingestion/")
        assert len(api.list_ingestions(appBundleIdentifier=bundle)["ingestions"]) == 50
        # A deleted ingestion frees its slot.
        first = api.list_ingestions(appBundleIdentifier=bundle, maxResults=1)["ingestions"][0]
        api.delete_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=first["arn"])
        assert new_ingestion(api, bundle, tenant="t50")["state"] == "enabled"


def test_ingestion_quota_counts_every_bundle_of_the_account():
    with mock_appfabric(quotas={"app_bundles": 2, "ingestions": 2}):
        api = client()
        one, _ = ingestion_setup(api)
        two, _ = ingestion_setup(api)
        new_authorization(api, two, tenant="tenant-2")
        expect_error("ServiceQuotaExceededException", 402, new_ingestion, api, two, tenant="tenant-2")


def test_ingestion_quota_is_per_region():
    with mock_appfabric(quotas={"ingestions": 1}):
        east, west = client(), client(region="eu-west-1")
        ingestion_setup(east)
        ingestion_setup(west)
        bundle = east.list_app_bundles()["appBundleSummaryList"][0]["arn"]
        new_authorization(east, bundle, tenant="tenant-2")
        expect_error("ServiceQuotaExceededException", 402, new_ingestion, east, bundle, tenant="tenant-2")


def test_create_ingestion_unknown_bundle_is_a_validation_error(appfabric_client):
    # CreateIngestion models no ResourceNotFoundException.
    response = expect_error("ValidationException", 400, new_ingestion, appfabric_client, MISSING_BUNDLE)
    assert response["Error"]["Message"] == f"AppBundle {MISSING_BUNDLE} does not exist"
    assert "resourceId" not in response


@pytest.mark.parametrize(
    ("member", "value"),
    [("ingestionType", "userAccess"), ("tenantId", ""), ("app", ""), ("tenantId", "x" * 1025),
     ("app", "a" * 256), ("clientToken", "not-a-uuid")],
)
def test_create_ingestion_server_side_validation(appfabric_mock, member, value):
    api = client(NO_VALIDATION)
    bundle, _ = ingestion_setup(api)
    params = {"appBundleIdentifier": bundle, "app": "TERRAFORMCLOUD", "tenantId": "tenant-2",
              "ingestionType": "auditLog", member: value}
    expect_invalid([member], api.create_ingestion, **params)


def test_create_ingestion_missing_member_is_invalid(appfabric_mock):
    api = client(NO_VALIDATION)
    bundle = new_bundle(api)
    expect_invalid(["ingestionType"], api.create_ingestion, appBundleIdentifier=bundle,
                   app="TERRAFORMCLOUD", tenantId="tenant-1")


# -- GetIngestion -----------------------------------------------------------------------------------
def test_get_ingestion_by_arn_and_by_uuid(appfabric_client, bundle):
    created = new_ingestion(appfabric_client, bundle)
    by_arn = appfabric_client.get_ingestion(**_ids(bundle, created))
    by_uuid = appfabric_client.get_ingestion(
        appBundleIdentifier=last_id(bundle), ingestionIdentifier=last_id(created["arn"])
    )
    assert by_arn["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert by_arn["ingestion"] == by_uuid["ingestion"] == created


def test_get_ingestion_unknown_is_404(appfabric_client, bundle):
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.get_ingestion,
                            appBundleIdentifier=bundle, ingestionIdentifier=MISSING_ID)
    assert (response["resourceType"], response["resourceId"]) == ("Ingestion", MISSING_ID)


def test_get_ingestion_unknown_bundle_is_404(appfabric_client, bundle):
    ingestion = new_ingestion(appfabric_client, bundle)
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.get_ingestion,
                            appBundleIdentifier=MISSING_BUNDLE, ingestionIdentifier=ingestion["arn"])
    assert response["resourceType"] == "AppBundle"


def test_get_ingestion_of_another_bundle_is_404():
    with mock_appfabric(quotas={"app_bundles": 2}):
        api = client()
        _, ingestion = ingestion_setup(api)
        other = new_bundle(api)
        response = expect_error("ResourceNotFoundException", 404, api.get_ingestion,
                                appBundleIdentifier=other, ingestionIdentifier=ingestion["arn"])
        assert response["resourceType"] == "Ingestion"


def test_get_ingestion_with_malformed_identifier_is_invalid(appfabric_mock):
    api = client(NO_VALIDATION)
    bundle = new_bundle(api)
    expect_invalid(["ingestionIdentifier"], api.get_ingestion, appBundleIdentifier=bundle,
                   ingestionIdentifier="not-an-id")


# -- ListIngestions -----------------------------------------------------------------------------------
def test_list_ingestions_returns_summaries_in_creation_order(appfabric_client, bundle):
    made = []
    for tenant in ("tenant-1", "b", "a"):
        if tenant != "tenant-1":
            new_authorization(appfabric_client, bundle, tenant=tenant)
        made.append(new_ingestion(appfabric_client, bundle, tenant=tenant))
    appfabric_client.stop_ingestion(**_ids(bundle, made[1]))
    response = appfabric_client.list_ingestions(appBundleIdentifier=bundle)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "nextToken" not in response
    assert response["ingestions"] == [
        {"arn": i["arn"], "app": i["app"], "tenantId": i["tenantId"], "state": s}
        for i, s in zip(made, ["enabled", "disabled", "enabled"])
    ]


def test_list_ingestions_of_empty_bundle(appfabric_client):
    assert appfabric_client.list_ingestions(appBundleIdentifier=new_bundle(appfabric_client))["ingestions"] == []


def test_list_ingestions_unknown_bundle_is_404(appfabric_client):
    expect_error("ResourceNotFoundException", 404, appfabric_client.list_ingestions,
                 appBundleIdentifier=MISSING_BUNDLE)


# -- StartIngestion / StopIngestion ----------------------------------------------------------------------
def test_stop_and_start_move_updated_at_only_on_a_real_change(appfabric_mock, appfabric_client, bundle):
    appfabric_mock.clock.freeze(T0)
    ingestion = new_ingestion(appfabric_client, bundle)
    ids = _ids(bundle, ingestion)

    def current():
        return appfabric_client.get_ingestion(**ids)["ingestion"]

    appfabric_mock.clock.advance(seconds=60)
    response = appfabric_client.stop_ingestion(**ids)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    assert (current()["state"], current()["updatedAt"]) == ("disabled", T0 + dt.timedelta(seconds=60))
    assert current()["createdAt"] == T0

    appfabric_mock.clock.advance(seconds=60)
    appfabric_client.stop_ingestion(**ids)  # already disabled: success, no change
    assert (current()["state"], current()["updatedAt"]) == ("disabled", T0 + dt.timedelta(seconds=60))

    appfabric_mock.clock.advance(seconds=60)
    assert appfabric_client.start_ingestion(**ids)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (current()["state"], current()["updatedAt"]) == ("enabled", T0 + dt.timedelta(seconds=180))

    appfabric_mock.clock.advance(seconds=60)
    appfabric_client.start_ingestion(**ids)  # already enabled: success, no change
    assert (current()["state"], current()["updatedAt"]) == ("enabled", T0 + dt.timedelta(seconds=180))


def test_start_a_fresh_ingestion_changes_nothing(appfabric_mock, appfabric_client, bundle):
    appfabric_mock.clock.freeze(T0)
    ingestion = new_ingestion(appfabric_client, bundle)
    appfabric_mock.clock.advance(seconds=5)
    appfabric_client.start_ingestion(appBundleIdentifier=last_id(bundle),
                                     ingestionIdentifier=last_id(ingestion["arn"]))
    assert appfabric_client.get_ingestion(**_ids(bundle, ingestion))["ingestion"] == ingestion


@pytest.mark.parametrize("operation", ["start_ingestion", "stop_ingestion"])
def test_start_stop_unknown_ingestion_is_404(appfabric_client, bundle, operation):
    call = getattr(appfabric_client, operation)
    response = expect_error("ResourceNotFoundException", 404, call, appBundleIdentifier=bundle,
                            ingestionIdentifier=MISSING_ID)
    assert response["resourceType"] == "Ingestion"
    response = expect_error("ResourceNotFoundException", 404, call, appBundleIdentifier=MISSING_BUNDLE,
                            ingestionIdentifier=MISSING_ID)
    assert response["resourceType"] == "AppBundle"


# -- DeleteIngestion ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("stop_first", [False, True], ids=["enabled", "disabled"])
def test_fresh_ingestion_can_be_deleted_at_once(appfabric_client, bundle, stop_first):
    ingestion = new_ingestion(appfabric_client, bundle)
    if stop_first:
        appfabric_client.stop_ingestion(**_ids(bundle, ingestion))
    response = appfabric_client.delete_ingestion(**_ids(bundle, ingestion))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error("ResourceNotFoundException", 404, appfabric_client.get_ingestion, **_ids(bundle, ingestion))
    assert appfabric_client.list_ingestions(appBundleIdentifier=bundle)["ingestions"] == []


def test_delete_ingestion_by_uuid(appfabric_client, bundle):
    ingestion = new_ingestion(appfabric_client, bundle)
    appfabric_client.delete_ingestion(appBundleIdentifier=last_id(bundle),
                                      ingestionIdentifier=last_id(ingestion["arn"]))
    assert appfabric_client.list_ingestions(appBundleIdentifier=bundle)["ingestions"] == []


def test_delete_ingestion_with_destinations_is_a_validation_error(appfabric_client, bundle):
    # DeleteIngestion models no ConflictException: the refusal is a ValidationException.
    ingestion = new_ingestion(appfabric_client, bundle)
    destination = new_destination(appfabric_client, ingestion)
    appfabric_client.stop_ingestion(**_ids(bundle, ingestion))  # disabled or not, destinations block
    response = expect_error("ValidationException", 400, appfabric_client.delete_ingestion, **_ids(bundle, ingestion))
    assert response["reason"] == "other"
    assert "still has 1 ingestion destination" in response["Error"]["Message"]
    assert appfabric_client.get_ingestion(**_ids(bundle, ingestion))["ingestion"]["arn"] == ingestion["arn"]
    appfabric_client.delete_ingestion_destination(
        **_ids(bundle, ingestion), ingestionDestinationIdentifier=destination["arn"]
    )
    assert appfabric_client.delete_ingestion(**_ids(bundle, ingestion))["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_unknown_ingestion_is_404(appfabric_client, bundle):
    ingestion = new_ingestion(appfabric_client, bundle)
    appfabric_client.delete_ingestion(**_ids(bundle, ingestion))
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.delete_ingestion,
                            **_ids(bundle, ingestion))
    assert (response["resourceType"], response["resourceId"]) == ("Ingestion", ingestion["arn"])
    expect_error("ResourceNotFoundException", 404, appfabric_client.delete_ingestion,
                 appBundleIdentifier=MISSING_BUNDLE, ingestionIdentifier=MISSING_ID)


# -- what an ingestion blocks ---------------------------------------------------------------------------------
def test_delete_authorization_is_refused_while_its_ingestion_exists(appfabric_client):
    bundle = new_bundle(appfabric_client)
    used = new_authorization(appfabric_client, bundle)
    unused = new_authorization(appfabric_client, bundle, tenant="tenant-2")
    other_app = new_authorization(appfabric_client, bundle, app="OKTA")
    ingestion = new_ingestion(appfabric_client, bundle)

    response = expect_error("ValidationException", 400, appfabric_client.delete_app_authorization,
                            appBundleIdentifier=bundle, appAuthorizationIdentifier=used["appAuthorizationArn"])
    assert ingestion["arn"] in response["Error"]["Message"]
    # Only the authorization of the same app and tenant is held.
    for auth in (unused, other_app):
        appfabric_client.delete_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"]
        )
    appfabric_client.delete_ingestion(**_ids(bundle, ingestion))
    response = appfabric_client.delete_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=used["appAuthorizationArn"]
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_bundle_conflicts_while_ingestions_or_authorizations_remain(appfabric_client):
    bundle, ingestion = ingestion_setup(appfabric_client)
    response = expect_error("ConflictException", 409, appfabric_client.delete_app_bundle, appBundleIdentifier=bundle)
    assert (response["resourceType"], response["resourceId"]) == ("AppBundle", bundle)
    appfabric_client.delete_ingestion(**_ids(bundle, ingestion))
    expect_error("ConflictException", 409, appfabric_client.delete_app_bundle, appBundleIdentifier=bundle)
