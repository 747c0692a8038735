"""A mock that runs for long holds bounded memory: no backend per read, tokens expire, the call log is capped."""

from __future__ import annotations

import warnings
from typing import Any

import boto3
import pytest
from botocore.config import Config

from appfabric_mock import AppFabricMockWarning, mock_appfabric
from appfabric_mock.backend.base import IDEMPOTENCY_WINDOW_SECONDS
from appfabric_mock.recording import DEFAULT_RECORDED_CALLS, CallRecorder

TOKEN = "22222222-2222-4222-8222-222222222222"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def client(region: str = "us-east-1") -> Any:
    return boto3.client("appfabric", region_name=region, config=NO_RETRIES)


def test_reads_and_failed_writes_in_empty_accounts_and_regions_keep_no_backend() -> None:
    with mock_appfabric() as m:
        for index in range(30):
            appfabric = client(f"xx-test-{index}")
            assert appfabric.list_app_bundles()["appBundleSummaryList"] == []
            with pytest.raises(appfabric.exceptions.ResourceNotFoundException):
                appfabric.get_app_bundle(appBundleIdentifier="00000000-0000-4000-8000-000000000000")
        assert list(m.state.store.items()) == []
        # The first write that leaves something keeps its backend; the listing then sees it.
        arn = client("eu-west-1").create_app_bundle()["appBundle"]["arn"]
        assert [key for key, _ in m.state.store.items()] == [("123456789012", "eu-west-1")]
        assert client("eu-west-1").list_app_bundles()["appBundleSummaryList"] == [{"arn": arn}]


def test_a_client_token_is_remembered_for_eight_hours_of_the_mocks_clock() -> None:
    assert IDEMPOTENCY_WINDOW_SECONDS == 8 * 3600
    with mock_appfabric(now="2024-01-01T00:00:00Z", quotas=None) as m:
        appfabric = client()
        first = appfabric.create_app_bundle(clientToken=TOKEN)["appBundle"]["arn"]
        m.clock.advance(IDEMPOTENCY_WINDOW_SECONDS - 1)
        assert appfabric.create_app_bundle(clientToken=TOKEN)["appBundle"]["arn"] == first
        with pytest.raises(appfabric.exceptions.ClientError, match="IdempotentParameterMismatch"):
            appfabric.create_app_bundle(clientToken=TOKEN, tags=[{"key": "k", "value": "v"}])
        m.clock.advance(1)
        # Expired: the same token is a new request, whatever its parameters.
        second = appfabric.create_app_bundle(clientToken=TOKEN, tags=[{"key": "k", "value": "v"}])["appBundle"]["arn"]
        assert second != first


def test_expired_tokens_are_dropped_so_memory_follows_the_window() -> None:
    with mock_appfabric(now="2024-01-01T00:00:00Z") as m:
        appfabric = client()
        for _ in range(300):  # create/delete cycles, one every 5 minutes of the mock's clock
            arn = appfabric.create_app_bundle()["appBundle"]["arn"]
            appfabric.delete_app_bundle(appBundleIdentifier=arn)
            m.clock.advance(300)
        remembered = len(m.backend()._idempotency)
        assert remembered <= IDEMPOTENCY_WINDOW_SECONDS // 300 + 1  # 97, not 300


def test_the_call_log_keeps_a_bounded_number_of_calls_and_says_so_once() -> None:
    assert CallRecorder().limit == DEFAULT_RECORDED_CALLS == 10_000
    with mock_appfabric(max_recorded_calls=3) as m:
        appfabric = client()
        for _ in range(3):
            appfabric.list_app_bundles()
        with pytest.warns(AppFabricMockWarning, match="keeps the latest 3 recorded calls"):
            appfabric.list_app_bundles()
        with warnings.catch_warnings():
            warnings.simplefilter("error", AppFabricMockWarning)
            appfabric.list_app_bundles()  # once only
        assert len(m.calls) == 3
    with mock_appfabric(max_recorded_calls=None) as m:
        assert m.state.recorder.limit is None


def test_a_warning_turned_error_never_fails_the_call() -> None:
    with mock_appfabric(max_recorded_calls=1) as m:
        appfabric = client()
        with warnings.catch_warnings():
            warnings.simplefilter("error", AppFabricMockWarning)
            appfabric.list_app_bundles()
            assert appfabric.list_app_bundles()["appBundleSummaryList"] == []
        assert len(m.calls) == 1
