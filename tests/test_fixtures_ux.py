"""The pytest fixtures as a new user meets them: no sleeping retries, an async client for
pytest-asyncio (strict and auto mode) and anyio, and nesting that keeps every option.

Each scenario is a test of an inner pytest run (pytester), as the user would write it.
"""

from __future__ import annotations

import warnings

import boto3
import pytest

from appfabric_mock import AppFabricMockWarning, mock_appfabric, no_retry_sleep
from appfabric_mock.aio_clients import AsyncClientFactory

pytest_plugins = ["pytester"]

# The machinery, loaded here: pytester's in-process runs unload the modules first imported
# during a run, and a second copy of the import hook would meet the first one's patches.
with mock_appfabric(), no_retry_sleep():
    assert AsyncClientFactory

INNER_PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
                     "-o", "asyncio_default_fixture_loop_scope=function")

#: The user's tests, run in pytest-asyncio's strict mode (its default).
STRICT_MODE_TESTS = '''
import time

import aiobotocore.endpoint
import anyio
import boto3
import botocore.endpoint
import pytest
from botocore.config import Config

from appfabric_mock import current_mock, mock_appfabric


@pytest.fixture
def no_wall_clock_sleep(monkeypatch):
    def refuse(seconds):
        raise AssertionError(f"slept {seconds} s")
    monkeypatch.setattr(time, "sleep", refuse)


# -- 3. the client fixtures never sleep ---------------------------------------------------------

def test_a_throttle_on_every_call_fails_at_once(appfabric_mock, appfabric_client, no_wall_clock_sleep):
    appfabric_mock.inject_fault("*", "ThrottlingException")
    with pytest.raises(appfabric_client.exceptions.ThrottlingException):
        appfabric_client.list_app_bundles()  # botocore's 5 attempts, no sleep between them
    appfabric_mock.assert_called("ListAppBundles", times=5)


@pytest.mark.appfabric_mock(retry_sleep=True)
def test_real_sleeps_on_request(appfabric_client):
    assert botocore.endpoint.time is time


@pytest.mark.asyncio
async def test_async_retries_do_not_sleep_either(appfabric_mock, appfabric_async_client):
    appfabric_mock.inject_fault("ListAppBundles", "ThrottlingException", times=4)
    assert type(aiobotocore.endpoint.asyncio).__name__ == "_SleeplessAsyncio"
    async with appfabric_async_client as client:
        assert (await client.list_app_bundles())["appBundleSummaryList"] == []
    appfabric_mock.assert_called("ListAppBundles", times=5)


# -- issue 10: the async client fixture, strict mode and anyio -----------------------------------

@pytest.mark.asyncio
async def test_async_client_with_pytest_asyncio(appfabric_async_client, appfabric_client):
    async with appfabric_async_client as client:
        arn = (await client.create_app_bundle())["appBundle"]["arn"]
    assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == [{"arn": arn}]


@pytest.fixture
def anyio_backend():
    # aiobotocore runs on asyncio only; with trio installed, anyio would also run the test on trio.
    return "asyncio"


@pytest.mark.anyio
async def test_async_client_with_anyio(appfabric_async_client, appfabric_mock):
    async with appfabric_async_client(region_name="eu-west-1") as client:
        arn = (await client.create_app_bundle())["appBundle"]["arn"]
    assert arn.split(":")[3] == "eu-west-1"
    assert appfabric_mock.last_call.region == "eu-west-1"


@pytest.mark.asyncio
async def test_the_factory_is_not_a_client(appfabric_async_client):
    with pytest.raises(AttributeError, match="async with appfabric_async_client as client"):
        await appfabric_async_client.create_app_bundle()


# -- 6. nesting ------------------------------------------------------------------------------

@mock_appfabric(quotas={"app_bundles": 2})
def test_the_decorators_options_apply_under_the_fixture(appfabric_mock, appfabric_client):
    appfabric_client.create_app_bundle()
    appfabric_client.create_app_bundle()  # the decorator's quota, not AWS's 1
    with pytest.raises(appfabric_client.exceptions.ServiceQuotaExceededException):
        appfabric_client.create_app_bundle()
    assert current_mock() is appfabric_mock
    assert appfabric_mock.config.quotas == {"app_bundles": 2}


@pytest.mark.appfabric_mock(seed=7, quotas={"app_bundles": 5})
@mock_appfabric(quotas={"app_bundles": 2})
def test_the_decorator_is_closer_than_the_marker(appfabric_mock):
    assert (appfabric_mock.config.seed, appfabric_mock.config.quotas) == (7, {"app_bundles": 2})


def test_an_inner_activation_reports_the_config_in_effect(appfabric_mock):
    with pytest.warns(UserWarning, match="quotas=.'app_bundles': 5.*ignored .the running mock has quotas=..") as w:
        with mock_appfabric(quotas={"app_bundles": 5}) as inner:
            assert inner.config.quotas == {}  # the running mock's: AWS's quotas
    assert w[0].filename == __file__


@mock_appfabric(extra_apps=["ACMEHR"])
class TestADecoratedClass:
    def test_the_class_options(self, appfabric_mock):
        assert appfabric_mock.config.extra_apps == ["ACMEHR"]

    @mock_appfabric(quotas={"app_bundles": 3})
    def test_the_methods_options_join_the_classs(self, appfabric_mock):
        assert appfabric_mock.config.quotas == {"app_bundles": 3}
        assert appfabric_mock.config.extra_apps == ["ACMEHR"]


def test_the_server_serves_the_fixtures_mock(appfabric_mock, appfabric_server):
    in_process = boto3.client("appfabric", region_name="us-east-1")
    arn = in_process.create_app_bundle()["appBundle"]["arn"]
    assert [r["arn"] for r in appfabric_server.mock.resources()] == [arn]
    assert appfabric_server.state is appfabric_mock.state


@mock_appfabric(quotas={"app_bundles": 2})
def test_the_server_serves_the_decorators_mock(appfabric_server):
    assert current_mock().state is appfabric_server.state
    assert appfabric_server.state.config.quotas == {"app_bundles": 2}


def test_a_server_alone_is_served_over_http(appfabric_server):
    assert current_mock() is None
    client = boto3.client("appfabric", endpoint_url=appfabric_server.url, region_name="us-east-1",
                          aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")
    client.create_app_bundle()
    assert len(appfabric_server.mock.calls) == 1
'''

#: The same async fixture in pytest-asyncio's auto mode: async tests without a marker.
AUTO_MODE_TESTS = '''
async def test_async_client_in_auto_mode(appfabric_async_client, appfabric_mock):
    async with appfabric_async_client as client:
        await client.create_app_bundle()
        async with appfabric_async_client as second:  # each `async with` is a client of its own
            assert second is not client
            assert len((await second.list_app_bundles())["appBundleSummaryList"]) == 1
    appfabric_mock.assert_called("create_app_bundle", times=1)
'''


def test_the_fixtures_in_pytest_asyncios_strict_mode_and_anyio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=STRICT_MODE_TESTS)
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS, "-W", "error::pytest.PytestUnraisableExceptionWarning")
    result.assert_outcomes(passed=14)


def test_the_async_client_in_pytest_asyncios_auto_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=AUTO_MODE_TESTS)
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS, "-o", "asyncio_mode=auto")
    result.assert_outcomes(passed=1)


def test_a_decorated_helper_with_other_options_warns_at_its_definition() -> None:
    @mock_appfabric(quotas={"app_bundles": 4})
    def helper() -> int:
        return len(boto3.client("appfabric", region_name="us-east-1").list_app_bundles()["appBundleSummaryList"])

    with mock_appfabric(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert helper() == 0
    [warning] = [w for w in caught if issubclass(w.category, AppFabricMockWarning)]
    assert (warning.filename, warning.lineno) == (__file__, helper.__wrapped__.__code__.co_firstlineno)
