"""Names users already know: boto3's method names, unittest.mock's assertion, freezegun's and
time-machine's clock verbs, and the same types and answers as elsewhere."""

from __future__ import annotations

import datetime as dt
from unittest.mock import ANY

import boto3
import pytest
from botocore.config import Config

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.recording import REDACTED

UTC = dt.timezone.utc
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})
TENANT = {"tenantIdentifier": "acme", "tenantDisplayName": "Acme"}
API_KEY = {"apiKeyCredential": {"apiKey": "sk-live-1234"}}


def _authorize(client, bundle: str, app: str = "ASANA") -> dict:
    return client.create_app_authorization(appBundleIdentifier=bundle, app=app, authType="apiKey",
                                           credential=API_KEY, tenant=TENANT)["appAuthorization"]


# -- boto3's method names ------------------------------------------------------------------------


def test_controls_and_assertions_take_boto3s_method_names(appfabric_mock: AppFabricMock) -> None:
    client = boto3.client("appfabric", region_name="us-east-1", config=ONE_ATTEMPT)
    fault = appfabric_mock.inject_fault("list_app_bundles", "ThrottlingException", times=1)
    assert fault.operation == "ListAppBundles"
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_app_bundles()
    client.create_app_bundle()

    assert [c.status for c in appfabric_mock.calls_to("list_app_bundles")] == [429]
    assert appfabric_mock.assert_called("create_app_bundle", times=1)[0].operation == "CreateAppBundle"
    appfabric_mock.assert_not_called("delete_app_bundle")
    with pytest.raises(AssertionError, match="expected DeleteAppBundle to be called"):
        appfabric_mock.assert_called("delete_app_bundle")


def test_a_misspelt_method_name_gets_a_hint_in_its_own_spelling(appfabric_mock: AppFabricMock) -> None:
    with pytest.raises(ValueError, match="'create_app_bundel' is not an AppFabric operation; did you mean "
                                         "create_app_bundle"):
        appfabric_mock.assert_called("create_app_bundel")
    with pytest.raises(ValueError, match="did you mean get_app_bundle.*or '\\*' for every operation"):
        appfabric_mock.inject_fault("get_app_bundel", "ThrottlingException")
    with pytest.raises(ValueError, match="did you mean CreateAppBundle"):
        appfabric_mock.calls_to("CreateAppBundel")
    with pytest.raises(TypeError, match="operation name is a string"):
        appfabric_mock.calls_to(None)  # type: ignore[arg-type]


def test_iam_actions_stay_iam_style_with_a_hint_for_method_names(appfabric_mock: AppFabricMock) -> None:
    for slip in ("appfabric:create_app_bundle", "create_app_bundle", "CreateAppBundle"):
        with pytest.raises(ValueError, match="did you mean 'appfabric:CreateAppBundle'"):
            appfabric_mock.deny(slip)
    appfabric_mock.deny("appfabric:CreateAppBundle")  # IAM's own form
    appfabric_mock.allow("appfabric:createappbundle")  # IAM matches actions case-insensitively


def test_a_fault_can_name_its_error_by_boto3s_class(appfabric_mock: AppFabricMock) -> None:
    client = boto3.client("appfabric", region_name="us-east-1", config=ONE_ATTEMPT)
    appfabric_mock.inject_fault("list_app_bundles", client.exceptions.ThrottlingException, times=1)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_app_bundles()
    with pytest.raises(TypeError, match="an error name such as 'ThrottlingException'"):
        appfabric_mock.inject_fault("ListAppBundles", 429)  # type: ignore[arg-type]


# -- assert_called_with and assert_any_call ----------------------------------------------------


def test_assert_called_with_compares_the_last_call_exactly(appfabric_mock: AppFabricMock) -> None:
    client = boto3.client("appfabric", region_name="us-east-1")
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    client.get_app_bundle(appBundleIdentifier=bundle)

    call = appfabric_mock.assert_called_with("get_app_bundle", appBundleIdentifier=bundle)
    assert call.operation == "GetAppBundle"
    # botocore adds the idempotency token: unittest.mock.ANY matches it.
    appfabric_mock.assert_called_with("CreateAppBundle", clientToken=ANY)
    with pytest.raises(AssertionError) as caught:
        appfabric_mock.assert_called_with("CreateAppBundle")
    message = str(caught.value)
    assert "clientToken: sent" in message and "not expected" in message
    assert "partial=True compares only the parameters given" in message


def test_partial_matching_and_any_call(appfabric_mock: AppFabricMock) -> None:
    client = boto3.client("appfabric", region_name="us-east-1")
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    _authorize(client, bundle, "ASANA")
    _authorize(client, bundle, "TERRAFORMCLOUD")

    appfabric_mock.assert_called_with("create_app_authorization", partial=True, app="TERRAFORMCLOUD",
                                      tenant=TENANT)
    first = appfabric_mock.assert_any_call("create_app_authorization", partial=True, app="ASANA")
    assert first.params["app"] == "ASANA"
    with pytest.raises(AssertionError, match="app: expected 'ASANA', sent 'TERRAFORMCLOUD'"):
        appfabric_mock.assert_called_with("create_app_authorization", partial=True, app="ASANA")  # the last one
    with pytest.raises(AssertionError, match="none of its 2 calls does"):
        appfabric_mock.assert_any_call("create_app_authorization", partial=True, app="SLACK")
    client.list_app_bundles()
    with pytest.raises(AssertionError, match="maxResults: expected 5, not sent"):
        appfabric_mock.assert_called_with("ListAppBundles", partial=True, maxResults=5)


def test_a_secret_cannot_be_matched_and_the_message_says_so(appfabric_mock: AppFabricMock) -> None:
    client = boto3.client("appfabric", region_name="us-east-1")
    bundle = client.create_app_bundle()["appBundle"]["arn"]
    _authorize(client, bundle)

    with pytest.raises(AssertionError) as caught:
        appfabric_mock.assert_called_with("CreateAppAuthorization", partial=True, credential=API_KEY)
    message = str(caught.value)
    assert "credential.apiKeyCredential.apiKey is a secret" in message
    assert "sk-live-1234" not in message.split("differs:", 1)[1].split("credential: expected", 1)[0]
    appfabric_mock.assert_called_with("CreateAppAuthorization", partial=True,
                                      credential={"apiKeyCredential": {"apiKey": REDACTED}})
    appfabric_mock.assert_called_with("CreateAppAuthorization", partial=True, credential=ANY)


def test_a_call_never_made(appfabric_mock: AppFabricMock) -> None:
    with pytest.raises(AssertionError, match=r"expected the last call DeleteAppBundle\(appBundleIdentifier='x'\); "
                                             r"DeleteAppBundle was never called"):
        appfabric_mock.assert_called_with("delete_app_bundle", appBundleIdentifier="x")


def test_no_operation_input_member_is_named_partial() -> None:
    # assert_called_with takes `partial=` beside the call's parameters.
    from appfabric_mock._model import service_model

    model = service_model()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        assert shape is None or "partial" not in shape.members


# -- the clock's verbs ------------------------------------------------------------------------


def test_the_clock_answers_freezegun_and_time_machine_verbs() -> None:
    with mock_appfabric(now="2024-06-01T09:00:00Z") as m:
        clock = m.clock
        assert clock.tick() == dt.datetime(2024, 6, 1, 9, 0, 1, tzinfo=UTC)  # freezegun: one second
        assert clock.tick(dt.timedelta(minutes=1)) == dt.datetime(2024, 6, 1, 9, 1, 1, tzinfo=UTC)
        assert clock.shift(59) == dt.datetime(2024, 6, 1, 9, 2, tzinfo=UTC)  # time-machine
        assert clock.shift(dt.timedelta(hours=-1)) == dt.datetime(2024, 6, 1, 8, 2, tzinfo=UTC)
        assert clock.move_to("2025-01-01T00:00:00Z") == dt.datetime(2025, 1, 1, tzinfo=UTC)  # both
        assert clock.move_to(dt.datetime(2025, 1, 2)) == dt.datetime(2025, 1, 2, tzinfo=UTC)  # naive: UTC
        assert clock.advance(dt.timedelta(days=1), hours=1) == dt.datetime(2025, 1, 3, 1, tzinfo=UTC)
        with pytest.raises(TypeError, match="clock.tick takes seconds"):
            clock.tick("1s")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="clock.move_to must be an ISO-8601 time"):
            clock.move_to("tomorrow")


def test_a_running_clock_is_frozen_by_a_tick() -> None:
    with mock_appfabric() as m:
        before = dt.datetime.now(UTC)
        ticked = m.clock.tick(10)
        assert m.clock.frozen and ticked >= before + dt.timedelta(seconds=10)


# -- after stop, and the type of timestamps -------------------------------------------------------


def test_resources_and_snapshots_stay_readable_after_stop_as_calls_do() -> None:
    with mock_appfabric() as m:
        arn = boto3.client("appfabric", region_name="us-east-1").create_app_bundle()["appBundle"]["arn"]
    assert [r["arn"] for r in m.resources()] == [arn]
    assert list(m.snapshot()["accounts"]) == ["123456789012"]
    assert len(m.calls) == 1
    with pytest.raises(RuntimeError, match="not active \\(it has stopped\\): its calls, resources\\(\\) and "
                                           "snapshot\\(\\) stay readable"):
        m.inject_fault("GetAppBundle", "ThrottlingException")
    never = mock_appfabric()
    for read in (lambda: never.calls, never.resources, never.snapshot):
        with pytest.raises(RuntimeError, match="not active: start it first"):
            read()


def test_timestamps_in_resources_equal_the_clients() -> None:
    with mock_appfabric() as m:  # the wall clock: microseconds the wire does not carry
        client = boto3.client("appfabric", region_name="us-east-1")
        bundle = client.create_app_bundle()["appBundle"]["arn"]
        created = _authorize(client, bundle)
        [_, resource] = m.resources()
        assert isinstance(resource["createdAt"], dt.datetime)
        assert resource["createdAt"] == created["createdAt"]
        assert resource["updatedAt"] == created["updatedAt"]
        snapshot = m.snapshot()["accounts"]["123456789012"]["us-east-1"]["appBundles"][0]
        assert snapshot["appAuthorizations"][0]["createdAt"] == created["createdAt"]
        assert m.resources(json=True)[1]["createdAt"].endswith("Z")
