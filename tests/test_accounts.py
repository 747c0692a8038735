"""Accounts and regions: who is calling decides which state answers, as in AWS."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from helpers import NO_RETRIES, appfabric_client, error_of, make_bundle, raw_call

from appfabric_mock import (
    DEFAULT_ACCOUNT_ID,
    SERVICE_REGIONS,
    AppFabricMock,
    current_mock,
    mock_appfabric,
    no_retry_sleep,
)

ALICE, BOB = "AKIAALICE00000000000", "AKIABOB0000000000000"


def _client(key: str, region: str = "us-east-1") -> Any:
    return appfabric_client(region, config=NO_RETRIES, aws_access_key_id=key,
                            aws_secret_access_key="not-a-real-secret")


def _bundles(client: Any) -> list:
    return [b["arn"] for b in client.list_app_bundles()["appBundleSummaryList"]]


def test_access_keys_map_to_accounts_and_accounts_are_isolated(appfabric_mock: AppFabricMock) -> None:
    appfabric_mock.map_access_key(ALICE, "111111111111")
    appfabric_mock.map_access_key(BOB, "222222222222")
    alice, bob = _client(ALICE), _client(BOB)

    alices = make_bundle(alice)
    bobs = make_bundle(bob)  # each account has its own one-bundle quota

    assert alices.startswith("arn:aws:appfabric:us-east-1:111111111111:appbundle/")
    assert bobs.startswith("arn:aws:appfabric:us-east-1:222222222222:appbundle/")
    assert (_bundles(alice), _bundles(bob)) == ([alices], [bobs])
    with pytest.raises(ClientError) as caught:  # another account's ARN is not found, not forbidden
        bob.get_app_bundle(appBundleIdentifier=alices)
    assert error_of(caught)[:2] == ("ResourceNotFoundException", 404)
    assert [c.account_id for c in appfabric_mock.calls[:2]] == ["111111111111", "222222222222"]
    assert set(appfabric_mock.snapshot()["accounts"]) >= {"111111111111", "222222222222"}


def test_unmapped_keys_use_the_default_account(appfabric_mock: AppFabricMock) -> None:
    assert make_bundle(_client("AKIAUNMAPPED00000000")).split(":")[4] == DEFAULT_ACCOUNT_ID == "123456789012"


def test_map_access_key_checks_the_account(appfabric_mock: AppFabricMock) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        appfabric_mock.map_access_key(ALICE, "1234")
    with pytest.raises(ValueError, match="non-empty"):
        appfabric_mock.map_access_key("", "123456789012")


def test_accounts_option_and_account_id_option() -> None:
    with mock_appfabric(accounts={ALICE: "333333333333"}, account_id="444444444444"):
        assert make_bundle(_client(ALICE)).split(":")[4] == "333333333333"
        assert make_bundle(_client(BOB)).split(":")[4] == "444444444444"


def test_account_id_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFABRIC_MOCK_ACCOUNT_ID", "555555555555")
    with mock_appfabric() as m:
        assert make_bundle(appfabric_client()).split(":")[4] == "555555555555"
        assert m.snapshot()["defaultAccountId"] == "555555555555"
    with mock_appfabric(account_id="666666666666"):  # the option wins over the environment
        assert make_bundle(appfabric_client()).split(":")[4] == "666666666666"


def test_a_malformed_account_id_environment_variable_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFABRIC_MOCK_ACCOUNT_ID", "my-account")
    with pytest.raises(ValueError, match="APPFABRIC_MOCK_ACCOUNT_ID must be 12 digits"):
        mock_appfabric().start()
    assert current_mock() is None  # nothing was left half-started
    with mock_appfabric(account_id="123456789012"):  # an explicit account id needs no environment
        assert make_bundle(appfabric_client()).split(":")[4] == "123456789012"


def test_regions_are_isolated(appfabric_mock: AppFabricMock) -> None:
    east, west = _client(ALICE, "us-east-1"), _client(ALICE, "eu-west-1")
    east_bundle, west_bundle = make_bundle(east), make_bundle(west)
    assert west_bundle.split(":")[3] == "eu-west-1"
    assert (_bundles(east), _bundles(west)) == ([east_bundle], [west_bundle])
    with pytest.raises(ClientError) as caught:
        west.get_app_bundle(appBundleIdentifier=east_bundle)
    assert error_of(caught)[0] == "ResourceNotFoundException"
    assert [c.region for c in appfabric_mock.calls[:2]] == ["us-east-1", "eu-west-1"]


def test_any_region_answers_by_default(appfabric_mock: AppFabricMock) -> None:
    assert make_bundle(_client(ALICE, "us-west-2")).split(":")[3] == "us-west-2"


def test_strict_regions_make_other_regions_unreachable() -> None:
    with mock_appfabric(strict_regions=True) as m:
        for region in sorted(SERVICE_REGIONS):
            assert make_bundle(_client(ALICE, region)).split(":")[3] == region
        client = appfabric_client("us-west-2", config=Config(retries={"max_attempts": 1}))
        with no_retry_sleep() as delays, pytest.raises(EndpointConnectionError) as caught:
            client.list_app_bundles()
        assert "us-west-2" in str(caught.value)
        assert len(delays) == 1  # botocore retried once (max_attempts=1), without sleeping
        assert len(m.calls) == len(SERVICE_REGIONS)  # nothing answered the unreachable region


def test_the_account_header_names_the_account_for_other_sdks(appfabric_mock: AppFabricMock) -> None:
    response, body = raw_call(appfabric_mock.state, "POST", "/appbundles", {},
                              headers={"x-appfabric-mock-account-id": "777777777777"})
    assert response.status == 201
    assert body["appBundle"]["arn"].split(":")[4] == "777777777777"
