"""State controls, the clock, seeds and configuration: reach states that AWS makes hard to reach."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import freezegun
import pytest
import time_machine
from botocore.exceptions import ClientError
from helpers import (
    appfabric_client,
    connect,
    connected_authorization,
    error_of,
    make_authorization,
    make_bundle,
    make_destination,
    make_ingestion,
)

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.pytest_plugin import _marker_options

UTC = dt.timezone.utc


def _status(client: Any, auth: dict) -> str:
    return str(
        client.get_app_authorization(
            appBundleIdentifier=auth["appBundleArn"], appAuthorizationIdentifier=auth["appAuthorizationArn"]
        )["appAuthorization"]["status"]
    )


# -- authorization status -----------------------------------------------------------------------
def test_set_authorization_status_forces_any_status_and_touches_updated_at(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    appfabric_mock.clock.set("2024-03-01T10:00:00Z")
    auth = make_authorization(client, make_bundle(client))
    connect(client, auth)
    appfabric_mock.clock.advance(minutes=5)

    appfabric_mock.set_authorization_status(auth["appAuthorizationArn"], "TokenAutoRotationFailed")

    got = client.get_app_authorization(
        appBundleIdentifier=auth["appBundleArn"], appAuthorizationIdentifier=auth["appAuthorizationArn"]
    )["appAuthorization"]
    assert got["status"] == "TokenAutoRotationFailed"
    assert got["updatedAt"] == dt.datetime(2024, 3, 1, 10, 5, tzinfo=UTC)
    # A user access task sees the forced status, as it would see AWS's.
    tasks = client.start_user_access_tasks(appBundleIdentifier=auth["appBundleArn"], email="a@example.com")
    assert tasks["userAccessTasksList"][0]["error"]["errorCode"] == "UnableToRotateToken"


def test_set_authorization_status_rejects_unknown_statuses_and_arns(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    bundle = make_bundle(client)
    auth = make_authorization(client, bundle)
    with pytest.raises(ValueError, match="status must be one of"):
        appfabric_mock.set_authorization_status(auth["appAuthorizationArn"], "Broken")
    with pytest.raises(ValueError, match="not an app authorization ARN"):
        appfabric_mock.set_authorization_status(bundle, "Connected")
    with pytest.raises(KeyError):
        appfabric_mock.set_authorization_status(bundle + "/appauthorization/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                                                "Connected")
    # Its own ARN in a partition that is not its region's names nothing either.
    other_partition = auth["appAuthorizationArn"].replace("arn:aws:", "arn:aws-cn:")
    with pytest.raises(KeyError):
        appfabric_mock.set_authorization_status(other_partition, "Connected")
    with pytest.raises(KeyError):
        appfabric_mock.fail_next_connect(other_partition)
    assert _status(client, auth) == "PendingConnect"


def test_fail_next_connect_fails_once_with_connection_validation_failed(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    auth = make_authorization(client, make_bundle(client))
    appfabric_mock.fail_next_connect(auth["appAuthorizationArn"], message="The API key was revoked")

    with pytest.raises(ClientError) as caught:
        connect(client, auth)
    code, status, response = error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert response["Error"]["Message"] == "The API key was revoked"
    assert _status(client, auth) == "ConnectionValidationFailed"

    connect(client, auth)  # the failure was for the next connect only
    assert _status(client, auth) == "Connected"


# -- destinations -------------------------------------------------------------------------------
def test_set_destination_failed_sets_status_reason_until_an_update(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    bundle = make_bundle(client)
    connected_authorization(client, bundle)
    ingestion = make_ingestion(client, bundle)
    destination = make_destination(client, ingestion)
    ids = {"appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["arn"],
           "ingestionDestinationIdentifier": destination["arn"]}

    appfabric_mock.set_destination_failed(destination["arn"], reason="Access denied by bucket policy")

    failed = client.get_ingestion_destination(**ids)["ingestionDestination"]
    assert (failed["status"], failed["statusReason"]) == ("Failed", "Access denied by bucket policy")
    updated = client.update_ingestion_destination(
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "fixed-bucket"}}}}, **ids
    )["ingestionDestination"]
    assert updated["status"] == "Active" and "statusReason" not in updated
    with pytest.raises(ValueError):
        appfabric_mock.set_destination_failed(ingestion["arn"])


# -- snapshot and reset -------------------------------------------------------------------------
def test_snapshot_is_plain_data_and_a_copy(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    appfabric_mock.clock.set("2024-01-01T00:00:00Z")
    bundle = make_bundle(client, tags=[{"key": "team", "value": "sec"}])
    auth = make_authorization(client, bundle)

    snapshot = appfabric_mock.snapshot()

    region = snapshot["accounts"]["123456789012"]["us-east-1"]
    assert region["appBundles"][0]["arn"] == bundle
    assert region["appBundles"][0]["tags"] == {"team": "sec"}
    assert region["appBundles"][0]["appAuthorizations"][0]["arn"] == auth["appAuthorizationArn"]
    assert region["appBundles"][0]["createdAt"] == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    region["appBundles"][0]["tags"]["team"] = "changed"
    assert client.list_tags_for_resource(resourceArn=bundle)["tags"] == [{"key": "team", "value": "sec"}]
    assert [r["type"] for r in appfabric_mock.resources()] == ["AppBundle", "AppAuthorization"]

    as_json = appfabric_mock.snapshot(json=True)  # the control API's form
    assert json.loads(json.dumps(as_json)) == as_json  # nothing but JSON types
    assert as_json["accounts"]["123456789012"]["us-east-1"]["appBundles"][0]["createdAt"] == "2024-01-01T00:00:00.000Z"
    assert appfabric_mock.resources(json=True)[1]["createdAt"] == "2024-01-01T00:00:00.000Z"


@pytest.mark.appfabric_mock(unfired_faults="ignore")  # the fault is left unfired on purpose
def test_reset_forgets_resources_and_calls_but_keeps_faults_and_denials(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    make_bundle(client)
    appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException")
    appfabric_mock.deny("appfabric:DeleteAppBundle")

    appfabric_mock.reset()

    assert appfabric_mock.snapshot()["accounts"] == {}
    assert len(appfabric_mock.calls) == 0
    assert len(appfabric_mock.faults) == 1
    make_bundle(client)  # the bundle quota counts from zero again
    with pytest.raises(ClientError) as caught:
        client.delete_app_bundle(appBundleIdentifier=appfabric_mock.resources()[0]["arn"])
    assert error_of(caught)[0] == "AccessDeniedException"


# -- the clock ----------------------------------------------------------------------------------
def test_clock_freeze_set_advance_unfreeze_drive_every_timestamp(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    clock = appfabric_mock.clock
    assert clock.freeze("2024-02-29T12:00:00Z") == dt.datetime(2024, 2, 29, 12, tzinfo=UTC)
    bundle = make_bundle(client)
    auth = make_authorization(client, bundle)
    assert auth["createdAt"] == auth["updatedAt"] == dt.datetime(2024, 2, 29, 12, tzinfo=UTC)

    clock.advance(hours=1, seconds=30)
    connect(client, auth)
    ingestion = make_ingestion(client, bundle)
    assert ingestion["createdAt"] == dt.datetime(2024, 2, 29, 13, 0, 30, tzinfo=UTC)
    got = client.get_app_authorization(appBundleIdentifier=bundle,
                                       appAuthorizationIdentifier=auth["appAuthorizationArn"])["appAuthorization"]
    assert got["updatedAt"] == dt.datetime(2024, 2, 29, 13, 0, 30, tzinfo=UTC)
    assert got["createdAt"] == dt.datetime(2024, 2, 29, 12, tzinfo=UTC)

    clock.set(dt.datetime(2030, 1, 1))  # naive datetimes are UTC
    assert make_destination(client, ingestion)["createdAt"] == dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert clock.frozen
    clock.unfreeze()
    assert not clock.frozen


def test_pagination_tokens_expire_by_the_mock_clock(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client()
    appfabric_mock.clock.set("2024-01-01T00:00:00Z")
    bundle = make_bundle(client)
    for tenant in ("t1", "t2"):
        make_authorization(client, bundle, tenant=tenant)
    token = client.list_app_authorizations(appBundleIdentifier=bundle, maxResults=1)["nextToken"]

    appfabric_mock.clock.advance(hours=25)

    with pytest.raises(ClientError) as caught:
        client.list_app_authorizations(appBundleIdentifier=bundle, maxResults=1, nextToken=token)
    assert error_of(caught)[:2] == ("InvalidToken", 400)
    assert "expired" in caught.value.response["Error"]["Message"]


def test_now_option_freezes_the_clock() -> None:
    with mock_appfabric(now="2024-06-01T09:00:00Z") as m:
        assert m.clock.frozen
        client = appfabric_client()
        make_bundle(client)
        auth = make_authorization(client, m.resources()[0]["arn"])
        assert auth["createdAt"] == dt.datetime(2024, 6, 1, 9, tzinfo=UTC)


def test_freezegun_controls_timestamps_when_the_mock_clock_runs() -> None:
    with freezegun.freeze_time("2024-01-02"), mock_appfabric() as m:
        assert not m.clock.frozen
        client = appfabric_client()
        auth = make_authorization(client, make_bundle(client))
        assert auth["createdAt"] == dt.datetime(2024, 1, 2, tzinfo=UTC)


def test_time_machine_controls_timestamps_when_the_mock_clock_runs() -> None:
    with time_machine.travel(dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), tick=False), mock_appfabric():
        client = appfabric_client()
        auth = make_authorization(client, make_bundle(client))
        assert auth["createdAt"] == dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_a_frozen_mock_clock_wins_over_freezegun() -> None:
    with freezegun.freeze_time("2024-01-02"), mock_appfabric(now="2020-01-01T00:00:00Z"):
        client = appfabric_client()
        auth = make_authorization(client, make_bundle(client))
        assert auth["createdAt"] == dt.datetime(2020, 1, 1, tzinfo=UTC)


# -- seeds --------------------------------------------------------------------------------------
def _arns(**options: Any) -> list:
    with mock_appfabric(**options) as m:
        client = appfabric_client()
        bundle = make_bundle(client)
        auth = connected_authorization(client, bundle, auth_type="oauth2", app="SLACK")
        ingestion = make_ingestion(client, bundle, app="SLACK")
        assert m.state.settings.ids.seed == options.get("seed")
        return [bundle, auth["appAuthorizationArn"], ingestion["arn"], auth["authUrl"]]


def test_same_seed_gives_the_same_ids_and_oauth_states() -> None:
    first, second = _arns(seed=7), _arns(seed=7)
    assert first == second
    assert _arns(seed=8) != first
    assert _arns() != _arns()  # unseeded: random ids


# -- configuration ------------------------------------------------------------------------------
def test_quotas_can_be_raised_lowered_and_lifted() -> None:
    with mock_appfabric(quotas={"app_bundles": 3, "app_authorizations": 1}):
        client = appfabric_client()
        bundles = [make_bundle(client) for _ in range(3)]
        with pytest.raises(ClientError) as caught:
            make_bundle(client)
        assert error_of(caught)[:2] == ("ServiceQuotaExceededException", 402)
        make_authorization(client, bundles[0])
        with pytest.raises(ClientError) as caught:
            make_authorization(client, bundles[1], tenant="another")
        assert caught.value.response["quotaCode"] == "appfabric-app-authorizations-per-account"
    with mock_appfabric(quotas={"app_bundles": None}):
        client = appfabric_client()
        assert len({make_bundle(client) for _ in range(5)}) == 5
    with mock_appfabric(quotas=None) as m:
        assert set(m.state.settings.quotas.values()) == {None}


@pytest.mark.appfabric_mock(quotas={"app_bundles": 2}, seed=11, extra_apps=["ACMEHR"])
def test_marker_configures_the_fixture(appfabric_mock: AppFabricMock, appfabric_client: Any) -> None:
    assert appfabric_mock.config.seed == 11
    make_bundle(appfabric_client)
    bundle = make_bundle(appfabric_client)
    with pytest.raises(ClientError):
        make_bundle(appfabric_client)
    with pytest.raises(ClientError) as caught:  # strict_apps: only known app names
        make_authorization(appfabric_client, bundle, app="NOT-AN-APP")
    assert error_of(caught)[0] == "ValidationException"
    make_authorization(appfabric_client, bundle, app="SLACK")
    make_authorization(appfabric_client, bundle, app="ACMEHR")


def test_unknown_options_are_a_type_error_naming_the_valid_ones() -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) quota; valid options are .*quotas"):
        mock_appfabric(quota={"app_bundles": 2})
    with pytest.raises(TypeError, match=r"unknown quota\(s\) bundles"):
        mock_appfabric(quotas={"bundles": 2})
    with pytest.raises(ValueError, match="12 digits"):
        mock_appfabric(account_id="42")


def test_marker_options_go_through_the_same_check() -> None:
    class _Marker:
        args = ()
        kwargs = {"seed": 1, "strict_region": True}

    class _Node:
        def iter_markers(self, name: str) -> list:
            return [_Marker()]

    class _Request:
        node = _Node()

    options = _marker_options(_Request())
    assert options == {"seed": 1, "strict_region": True}
    with pytest.raises(TypeError, match="strict_region"):
        mock_appfabric(**options)
