"""Faults that never fired are reported at the end of an activation, as responses'
``assert_all_requests_are_fired`` and Stubber's ``assert_no_pending_responses`` do.

"Never fired" (see appfabric_mock.faults.unfired): with ``times=N``, fewer than N hits; without
``times``, no hit; with ``probability``, no call reached its draw; a ``when`` fault fires only
for the calls its predicate accepts; faults the test cancelled are not reported.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, List

import boto3
import pytest
from botocore.config import Config

from appfabric_mock import AppFabricMockWarning, current_mock, mock_appfabric

pytest_plugins = ["pytester"]

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})
INNER_PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
                     "-o", "asyncio_default_fixture_loop_scope=function")


def _client() -> Any:
    return boto3.client("appfabric", region_name="us-east-1", config=ONE_ATTEMPT)


def _reports(**options: Any) -> List[warnings.WarningMessage]:
    """The warnings of a mock in which each kind of fault is injected and left as it is."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with mock_appfabric(**options) as m:
            client = _client()
            m.inject_fault("GetAppBundle", "ThrottlingException")  # no GetAppBundle call: reported
            half = m.inject_fault("ListAppBundles", "ThrottlingException", times=2)  # fires once: reported
            m.inject_fault("CreateAppBundle", "InternalServerException", when=lambda p: p.get("tags"))  # reported
            m.inject_fault("ListAppAuthorizations", "ThrottlingException", probability=0.5)  # no call: reported
            lucky = m.inject_fault("ListIngestions", "ThrottlingException", probability=0.01)  # drawn: quiet
            used = m.inject_fault("ListTagsForResource", "InternalServerException", times=1)  # used up: quiet
            m.inject_fault("DeleteAppBundle", "ThrottlingException").cancel()  # cancelled: quiet
            with pytest.raises(client.exceptions.ThrottlingException):
                client.list_app_bundles()
            bundle = client.create_app_bundle()["appBundle"]["arn"]  # no tags: `when` says no
            with pytest.raises(client.exceptions.InternalServerException):
                client.list_tags_for_resource(resourceArn=bundle)
            for _ in range(3):
                try:
                    client.list_ingestions(appBundleIdentifier=bundle)
                except client.exceptions.ThrottlingException:
                    pass
            assert (half.hits, used.hits, lucky.drawn) == (1, 1, 3)
    return [w for w in caught if issubclass(w.category, AppFabricMockWarning)]


def test_cleared_faults_are_not_reported() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with mock_appfabric(unfired_faults="error") as m:
            m.inject_fault("GetAppBundle", "ThrottlingException")
            m.inject_fault("*", "ThrottlingException")
            m.clear_faults()


def test_each_fault_that_never_fired_is_a_warning_at_the_line_that_injected_it() -> None:
    reports = _reports()
    messages = [str(w.message) for w in reports]
    assert len(messages) == 4, messages
    assert "inject_fault('GetAppBundle', 'ThrottlingException'): never fired: no GetAppBundle call reached it" \
        in messages[0]
    assert "inject_fault('ListAppBundles', 'ThrottlingException', times=2): fired 1 of 2 times" in messages[1]
    assert ("inject_fault('CreateAppBundle', 'InternalServerException', when=...): never fired: its `when` "
            "rejected the call of CreateAppBundle it saw") in messages[2]
    assert ("inject_fault('ListAppAuthorizations', 'ThrottlingException', probability=0.5): never fired: "
            "no ListAppAuthorizations call reached it") in messages[3]
    assert all("unfired_faults='error' makes it an error" in m for m in messages)
    assert {w.filename for w in reports} == {__file__}  # each points at its inject_fault line
    lines = [w.lineno for w in reports]
    assert lines == sorted(lines) and len(set(lines)) == 4


def test_the_error_mode_stops_the_mock_then_fails() -> None:
    import botocore.endpoint

    handle = mock_appfabric(unfired_faults="error")
    with pytest.raises(AssertionError) as caught, handle as m:
        m.inject_fault("GetAppBundle", "ThrottlingException", times=3)
        m.inject_fault("*", "AccessDeniedException")
    message = str(caught.value)
    assert message.startswith("appfabric-mock: 2 injected fault(s) did not fire as injected:")
    assert f"(injected at {__file__}:" in message
    assert "inject_fault('*', 'AccessDeniedException') (injected at " in message
    assert message.count("never fired: no call reached it") == 1
    assert current_mock() is None and not handle.active
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"].__module__ == "botocore.endpoint"


def test_the_ignore_mode_says_nothing() -> None:
    assert _reports(unfired_faults="ignore") == []


def test_a_block_that_fails_is_not_buried_under_reports() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(KeyError, match="the test's own"), mock_appfabric(unfired_faults="error") as m:
            m.inject_fault("GetAppBundle", "ThrottlingException")
            raise KeyError("the test's own")


def test_only_the_outermost_stop_reports() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with mock_appfabric() as outer:
            with mock_appfabric() as inner:
                inner.inject_fault("GetAppBundle", "ThrottlingException")
            assert caught == []  # the inner stop: the fault may still fire
            outer.faults[0].cancel()
    assert caught == []


def test_the_decorator_and_start_stop_report_too() -> None:
    @mock_appfabric
    def decorated() -> None:
        current_mock().inject_fault("GetAppBundle", "ThrottlingException")  # type: ignore[union-attr]

    with pytest.warns(AppFabricMockWarning, match="never fired"):
        decorated()
    m = mock_appfabric().start()
    m.inject_fault("GetAppBundle", "ThrottlingException")
    with pytest.warns(AppFabricMockWarning, match="never fired"):
        m.stop()


def test_under_pytest_a_failing_test_reports_nothing_and_a_passing_one_fails_in_error_mode(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.appfabric_mock(unfired_faults="error")

        def test_forgets_its_fault(appfabric_mock):
            appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException")

        def test_fails_on_its_own(appfabric_mock):
            appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException")
            assert 1 == 2

        @pytest.mark.appfabric_mock(unfired_faults="warn")
        def test_warned(appfabric_mock):
            appfabric_mock.inject_fault("GetAppBundle", "ThrottlingException")
        """
    )
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS)
    result.assert_outcomes(passed=2, failed=1, errors=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_forgets_its_fault*",
        "*AssertionError: appfabric-mock: 1 injected fault(s) did not fire as injected:*",
        "*test_under_pytest_a_failing_test*.py:6): never fired: no GetAppBundle call reached it*",
    ])
    assert "test_fails_on_its_own" not in result.stdout.str().split("ERROR at teardown", 1)[1].split("\n", 1)[0]
    assert sys.modules["appfabric_mock.mock"]._state is None
