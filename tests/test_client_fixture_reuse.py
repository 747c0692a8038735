"""The ``appfabric_client`` fixture reuses a client only when nothing of an earlier test can reach the next.

Each scenario is a small test file run by an inner pytest (in this process, in file
order): an earlier test does something to its client, a later one checks that none
of it shows.  See appfabric_mock/client_pool.py for the rules.
"""

from __future__ import annotations

import pytest

from appfabric_mock.client_pool import POOL

pytest_plugins = ["pytester"]

INNER = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:xdist", "-p", "no:randomly",
         "-o", "asyncio_default_fixture_loop_scope=function")


@pytest.fixture(autouse=True)
def empty_pool() -> None:
    POOL.clear()  # the inner runs start from no idle client, whatever ran before


def _run(pytester: pytest.Pytester, source: str, passed: int) -> None:
    pytester.makepyfile(test_reuse=source)
    result = pytester.runpytest_inprocess(*INNER)
    result.assert_outcomes(passed=passed)


def test_an_untouched_client_serves_the_next_test_with_that_tests_fresh_mock(pytester: pytest.Pytester) -> None:
    _run(pytester, """
        import datetime as dt
        import pytest

        seen = []

        @pytest.mark.appfabric_mock(now="2020-01-01T00:00:00Z")
        def test_first(appfabric_client, appfabric_mock):
            seen.append(appfabric_client)
            appfabric_client.create_app_bundle()
            appfabric_mock.inject_fault("ListAppBundles", "InternalServerException")

        def test_second(appfabric_client, appfabric_mock):
            assert appfabric_client is seen[0]  # reused: nothing was done to it
            assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == []  # fresh state, no fault
            arn = appfabric_client.create_app_bundle()["appBundle"]["arn"]
            assert appfabric_mock.clock.now().year > 2020  # not the first test's frozen clock
            assert [c.operation for c in appfabric_mock.calls] == ["ListAppBundles", "CreateAppBundle"]
            assert arn in str(appfabric_mock.resources())
        """, passed=2)


def test_an_event_handler_registered_by_a_test_never_reaches_the_next(pytester: pytest.Pytester) -> None:
    _run(pytester, """
        seen = []
        fired = []

        def test_registers_a_handler(appfabric_client):
            seen.append(appfabric_client)
            appfabric_client.meta.events.register("before-call.appfabric", lambda **_: fired.append(1))
            appfabric_client.list_app_bundles()
            assert fired == [1]

        def test_next(appfabric_client):
            assert appfabric_client is not seen[0]
            appfabric_client.list_app_bundles()
            assert fired == [1]

        def test_unregistering_counts_too(appfabric_client):
            seen.append(appfabric_client)
            handler = lambda **_: None
            appfabric_client.meta.events.register("before-call.appfabric", handler)
            appfabric_client.meta.events.unregister("before-call.appfabric", handler)

        def test_after_unregister(appfabric_client):
            assert appfabric_client is not seen[1]
        """, passed=4)


def test_a_stubber_on_the_fixture_client_never_reaches_the_next_test(pytester: pytest.Pytester) -> None:
    _run(pytester, """
        from botocore.stub import Stubber

        def test_stubbed(appfabric_client):
            stubber = Stubber(appfabric_client)
            stubber.add_response("list_app_bundles", {"appBundleSummaryList": [{"arn": "stubbed"}]})
            with stubber:
                assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == [{"arn": "stubbed"}]

        def test_next(appfabric_client):
            assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == []
        """, passed=2)


def test_changed_configuration_or_attributes_never_reach_the_next_test(pytester: pytest.Pytester) -> None:
    _run(pytester, """
        from unittest import mock

        seen = []

        def test_changes_config(appfabric_client):
            seen.append(appfabric_client)
            appfabric_client.meta.config.connect_timeout = 1
            appfabric_client.meta.config.retries = {"mode": "legacy", "total_max_attempts": 1}

        def test_sees_the_default_config(appfabric_client):
            assert appfabric_client is not seen[0]
            assert appfabric_client.meta.config.connect_timeout == 60
            assert appfabric_client.meta.config.retries == {"mode": "legacy"}
            seen.append(appfabric_client)
            appfabric_client.list_app_bundles = lambda **_: "replaced"

        def test_sees_the_real_method(appfabric_client):
            assert appfabric_client is not seen[1]
            assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == []
            seen.append(appfabric_client)

        def test_patches_the_endpoint(appfabric_client):
            assert appfabric_client is seen[2]  # untouched since: reused
            with mock.patch.object(appfabric_client._endpoint, "host", "https://elsewhere.example.com"):
                pass
            with mock.patch.object(type(appfabric_client), "get_app_bundle", lambda *a, **k: "patched"):
                assert appfabric_client.get_app_bundle(appBundleIdentifier="x") == "patched"

        def test_after_patches(appfabric_client):
            # mock.patch restored everything before the client went back: it may be reused, and works.
            assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == []
            arn = appfabric_client.create_app_bundle()["appBundle"]["arn"]
            assert appfabric_client.get_app_bundle(appBundleIdentifier=arn)["appBundle"]["arn"] == arn
        """, passed=5)


def test_a_client_shaped_by_other_credentials_or_sessions_is_not_reused(pytester: pytest.Pytester) -> None:
    _run(pytester, """
        import boto3
        import pytest

        seen = []

        def test_default(appfabric_client):
            seen.append(appfabric_client)

        @pytest.fixture
        def other_key(monkeypatch):
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOTHERACCOUNT0000")
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "other")

        @pytest.mark.appfabric_mock(accounts={"AKIAOTHERACCOUNT0000": "222222222222"})
        def test_other_credentials(other_key, appfabric_client):
            assert appfabric_client is not seen[0]
            arn = appfabric_client.create_app_bundle()["appBundle"]["arn"]
            assert arn.split(":")[4] == "222222222222"  # signed with the key of this test's environment

        def test_new_default_session(appfabric_client):
            boto3.setup_default_session()
            seen.append(appfabric_client)

        def test_after_new_session(appfabric_client):
            assert appfabric_client is not seen[1]
            assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == []
        """, passed=4)


def test_clients_that_keep_retry_state_are_never_reused(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    _run(pytester, """
        seen = []

        def test_first(appfabric_client):
            assert appfabric_client.meta.config.retries["mode"] == "standard"
            seen.append(appfabric_client)

        def test_second(appfabric_client):
            assert appfabric_client is not seen[0]
        """, passed=2)


def test_a_change_to_boto3s_default_session_reaches_the_next_tests_client(pytester: pytest.Pytester) -> None:
    _run(pytester, """
        import boto3
        import pytest

        seen = []
        fired = []

        def handler(**_):
            fired.append(1)

        def test_first(appfabric_client):
            seen.append(appfabric_client)

        def test_registers_on_the_session(appfabric_client):
            assert appfabric_client is seen[0]  # untouched: reused
            boto3.DEFAULT_SESSION.events.register("before-call.appfabric", handler)

        def test_sees_the_sessions_handler(appfabric_client):
            try:
                assert appfabric_client is not seen[0]
                appfabric_client.list_app_bundles()
                assert fired == [1]  # as on any client made after the handler was registered
            finally:
                boto3.DEFAULT_SESSION.events.unregister("before-call.appfabric", handler)
            seen.append(appfabric_client)

        @pytest.mark.appfabric_mock(accounts={"AKIASESSIONKEY000000": "333333333333"})
        def test_session_credentials(appfabric_client):
            assert appfabric_client is not seen[1]  # the session changed again (unregister)
            seen.append(appfabric_client)

        @pytest.fixture
        def session_key():
            core = boto3.DEFAULT_SESSION._session
            core.set_credentials("AKIASESSIONKEY000000", "other")
            yield
            core._credentials = None

        @pytest.mark.appfabric_mock(accounts={"AKIASESSIONKEY000000": "333333333333"})
        def test_signs_with_the_sessions_credentials(session_key, appfabric_client):
            assert appfabric_client is not seen[2]
            arn = appfabric_client.create_app_bundle()["appBundle"]["arn"]
            assert arn.split(":")[4] == "333333333333"
        """, passed=5)
