"""Every way to turn the mock on and off: decorators, context managers, start/stop, pytest."""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import unittest
from typing import Any, Dict, List, Tuple

import boto3
import botocore.endpoint
import pytest
from helpers import ACCOUNT, BUNDLE_ARN_PATTERN, appfabric_client, make_bundle, seams_patched

from appfabric_mock import AppFabricMock, current_mock, mock_appfabric
from appfabric_mock.environment import FAKE_ACCESS_KEY_ID

pytest_plugins = ["pytester"]

ORIGINAL_DO_GET_RESPONSE = botocore.endpoint.Endpoint.__dict__["_do_get_response"]
#: The inner pytest runs need none of the heavy plugins (hypothesis alone costs seconds per run).
# The inner run reads no pyproject.toml: the suite's pytest-asyncio setting is given here.
INNER_PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:xdist",
                     "-o", "asyncio_default_fixture_loop_scope=function")
ENV_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION")


def _patched() -> bool:
    return botocore.endpoint.Endpoint.__dict__["_do_get_response"] is not ORIGINAL_DO_GET_RESPONSE


def _bundle_arns() -> List[str]:
    client = appfabric_client()
    return [b["arn"] for b in client.list_app_bundles()["appBundleSummaryList"]]


@pytest.fixture(autouse=True)
def _no_mock_leaks() -> Any:
    """Each test starts and ends with botocore untouched."""
    assert not _patched()
    yield
    assert not _patched()
    assert current_mock() is None


@pytest.fixture
def no_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> pytest.MonkeyPatch:
    """No credentials, profile or region anywhere: neither in the environment nor in config files."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


# -- function decorators ----------------------------------------------------------------------
def test_bare_decorator_keeps_the_function_identity_and_activates_the_mock() -> None:
    def create(name: str, *, count: int = 1) -> Dict[str, Any]:
        """Create a bundle while mocked."""
        client = appfabric_client()
        return {"arn": make_bundle(client), "name": name, "count": count, "active": current_mock() is not None}

    decorated = mock_appfabric(create)

    assert decorated.__name__ == "create"
    assert decorated.__doc__ == "Create a bundle while mocked."
    assert inspect.signature(decorated) == inspect.signature(create)
    assert not _patched()  # decorating alone does not start anything
    result = decorated("x", count=3)
    assert result["active"] is True
    assert result["name"] == "x" and result["count"] == 3
    assert result["arn"].startswith(f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/")


def test_decorator_with_options_applies_them() -> None:
    @mock_appfabric(quotas={"app_bundles": 2})
    def two_bundles() -> List[str]:
        """Two bundles fit under the raised quota."""
        client = appfabric_client()
        make_bundle(client)
        make_bundle(client)
        return _bundle_arns()

    assert two_bundles.__name__ == "two_bundles"
    assert two_bundles.__doc__ == "Two bundles fit under the raised quota."
    assert len(two_bundles()) == 2


def test_each_decorated_call_gets_fresh_state() -> None:
    @mock_appfabric
    def bundles_after_one_create() -> List[str]:
        make_bundle(appfabric_client())
        return _bundle_arns()

    first, second = bundles_after_one_create(), bundles_after_one_create()
    assert len(first) == 1 and len(second) == 1
    assert first != second


def test_decorated_function_that_raises_still_stops_the_mock() -> None:
    @mock_appfabric
    def boom() -> None:
        assert _patched()
        raise LookupError("from the test")

    with pytest.raises(LookupError, match="from the test"):
        boom()
    assert not _patched()


def test_async_function_decorator_is_active_while_the_coroutine_runs() -> None:
    seen: List[bool] = []

    async def helper() -> str:
        return make_bundle(appfabric_client())

    @mock_appfabric
    async def work(tag: str) -> str:
        """Async work."""
        seen.append(_patched())
        arn = await helper()
        seen.append(current_mock() is not None)
        return f"{tag}:{arn}"

    assert inspect.iscoroutinefunction(work)
    assert work.__name__ == "work" and work.__doc__ == "Async work."
    coroutine = work("t")
    assert not _patched()  # creating the coroutine does not start the mock
    result = asyncio.run(coroutine)
    assert seen == [True, True]
    assert result.startswith("t:arn:aws:appfabric:")
    assert not _patched()


def test_async_decorator_with_options() -> None:
    @mock_appfabric(quotas={"app_bundles": None})
    async def many() -> int:
        client = appfabric_client()
        for _ in range(3):
            make_bundle(client)
        return len(_bundle_arns())

    assert asyncio.run(many()) == 3


def test_async_with() -> None:
    async def main() -> List[str]:
        async with mock_appfabric() as handle:
            assert isinstance(handle, AppFabricMock) and handle.active
            assert _patched()
            make_bundle(appfabric_client())
            return _bundle_arns()

    arns = asyncio.run(main())
    assert len(arns) == 1
    assert not _patched()


# -- class decorators -------------------------------------------------------------------------
def test_unittest_class_decorator_gives_each_test_fresh_state_with_setup_data() -> None:
    seen: Dict[str, List[str]] = {}

    @mock_appfabric
    class BundleTests(unittest.TestCase):
        def setUp(self) -> None:
            self.client = appfabric_client()
            # The bundle quota is 1: a second setUp in shared state would fail here.
            self.bundle = make_bundle(self.client)

        def tearDown(self) -> None:
            # Still mocked in tearDown.
            self.client.delete_app_bundle(appBundleIdentifier=self.bundle)

        def test_one(self) -> None:
            arns = _bundle_arns()
            seen["one"] = arns
            self.assertEqual(arns, [self.bundle])

        def test_two(self) -> None:
            arns = _bundle_arns()
            seen["two"] = arns
            self.assertEqual(arns, [self.bundle])

    suite = unittest.TestSuite([BundleTests("test_one"), BundleTests("test_two")])
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    assert result.testsRun == 2
    assert result.wasSuccessful(), stream.getvalue()
    assert len(seen["one"]) == 1 and len(seen["two"]) == 1
    assert seen["one"] != seen["two"]
    assert not _patched()


def test_unittest_class_decorator_with_options() -> None:
    @mock_appfabric(quotas={"app_bundles": 3})
    class QuotaTests(unittest.TestCase):
        def test_three_bundles(self) -> None:
            client = appfabric_client()
            for _ in range(3):
                make_bundle(client)
            with self.assertRaises(client.exceptions.ServiceQuotaExceededException):
                make_bundle(client)

    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
        unittest.TestSuite([QuotaTests("test_three_bundles")])
    )
    assert result.testsRun == 1 and result.wasSuccessful(), result.failures + result.errors


def test_isolated_asyncio_test_case_class_decorator() -> None:
    seen: List[bool] = []

    @mock_appfabric
    class AsyncTests(unittest.IsolatedAsyncioTestCase):
        def setUp(self) -> None:
            self.bundle = make_bundle(appfabric_client())

        async def asyncSetUp(self) -> None:
            seen.append(_patched())

        async def test_async(self) -> None:
            seen.append(current_mock() is not None)
            self.assertEqual(_bundle_arns(), [self.bundle])

    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
        unittest.TestSuite([AsyncTests("test_async")])
    )
    assert result.testsRun == 1 and result.wasSuccessful(), result.failures + result.errors
    assert seen == [True, True]


@pytest.mark.parametrize(
    "order", [("-p", "no:randomly"), ("-p", "randomly", "--randomly-seed=1"), ("-p", "randomly", "--randomly-seed=2")],
    ids=["file-order", "random-order-1", "random-order-2"],
)
def test_plain_class_decorator_under_pytest(pytester: pytest.Pytester, order: Tuple[str, ...]) -> None:
    # Each test of the decorated class gets a fresh mock, started before setup_method, in
    # whatever order the tests run (pytest-randomly, in the test extra, shuffles them): the
    # inner tests check only themselves and record their bundle, and the outer test compares.
    arns_file = pytester.path / "arns.txt"
    pytester.makepyfile(
        f"""
        import boto3
        from appfabric_mock import mock_appfabric

        @mock_appfabric
        class TestBundles:
            def setup_method(self, method):
                self.client = boto3.client("appfabric", region_name="us-east-1")
                self.arn = self.client.create_app_bundle()["appBundle"]["arn"]

            def teardown_method(self, method):
                self.client.delete_app_bundle(appBundleIdentifier=self.arn)

            def _arns(self):
                return [b["arn"] for b in self.client.list_app_bundles()["appBundleSummaryList"]]

            def _record(self):
                with open({str(arns_file)!r}, "a") as out:
                    out.write(self.arn + "\\n")

            def test_one(self):
                assert self._arns() == [self.arn]
                self._record()

            def test_two(self):
                assert self._arns() == [self.arn]
                self._record()
        """
    )
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS, *order)
    result.assert_outcomes(passed=2)
    arns = arns_file.read_text().split()
    assert len(arns) == len(set(arns)) == 2


def test_plain_class_methods_called_directly_are_mocked() -> None:
    @mock_appfabric
    class Plain:
        def test_something(self) -> List[str]:
            make_bundle(appfabric_client())
            return _bundle_arns()

    assert len(Plain().test_something()) == 1
    assert len(Plain().test_something()) == 1  # fresh again
    assert not _patched()


# -- context manager and start/stop -----------------------------------------------------------
def test_context_manager() -> None:
    with mock_appfabric() as m:
        assert m.active and _patched()
        assert current_mock() is m
        arn = make_bundle(appfabric_client())
        assert [b.arn for b in m.backend().bundles] == [arn]
    assert not m.active
    with pytest.raises(RuntimeError, match="not active"):
        m.state  # noqa: B018


def test_start_stop() -> None:
    m = mock_appfabric()
    assert m.start() is m
    try:
        assert _patched()
        make_bundle(appfabric_client())
        assert len(_bundle_arns()) == 1
    finally:
        m.stop()
    assert not _patched()
    # A new start is a new, empty AppFabric.
    m.start()
    try:
        assert _bundle_arns() == []
    finally:
        m.stop()


def test_nesting_is_reference_counted() -> None:
    outer = mock_appfabric()
    inner = mock_appfabric()
    outer.start()
    try:
        client = appfabric_client()
        arn = make_bundle(client)
        inner.start()
        assert inner.state is outer.state
        assert _bundle_arns() == [arn]  # the inner activation shares the state
        inner.stop()
        assert _patched()
        assert seams_patched()
        assert _bundle_arns() == [arn]  # still answered, by the same state
        with mock_appfabric():
            assert _bundle_arns() == [arn]
        assert _patched()
    finally:
        outer.stop()
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_DO_GET_RESPONSE
    assert not seams_patched()


def test_decorator_inside_context_manager_shares_state() -> None:
    @mock_appfabric
    def inner_view() -> List[str]:
        return _bundle_arns()

    with mock_appfabric():
        arn = make_bundle(appfabric_client())
        assert inner_view() == [arn]
        assert _patched()


def test_stop_without_start_raises() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        mock_appfabric().stop()
    m = mock_appfabric().start()
    m.stop()
    with pytest.raises(RuntimeError, match="not started"):
        m.stop()


def test_unknown_option_is_a_type_error_naming_valid_options() -> None:
    with pytest.raises(TypeError) as excinfo:
        mock_appfabric(quota={"app_bundles": 2})
    message = str(excinfo.value)
    assert "quota" in message
    for valid in ("quotas", "accounts", "account_id", "seed"):
        assert valid in message


def test_unknown_quota_name_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="app_bundles"):
        mock_appfabric(quotas={"bundles": 2})


def test_options_with_a_target_are_rejected() -> None:
    def f() -> None:
        pass

    with pytest.raises(TypeError):
        mock_appfabric(f, quotas={"app_bundles": 2})


# -- environment --------------------------------------------------------------------------------
def test_fake_credentials_and_region_are_supplied_and_restored(no_aws_environment: pytest.MonkeyPatch) -> None:
    before = dict(os.environ)
    with mock_appfabric():
        # No credentials and no region configured: the client still works.
        client = boto3.session.Session().client("appfabric")
        assert client.meta.region_name == "us-east-1"
        arn = make_bundle(client)
        assert arn.startswith("arn:aws:appfabric:us-east-1:")
    assert dict(os.environ) == before


def test_configured_credentials_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    before = dict(os.environ)
    with mock_appfabric():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAUSERSOWNKEY00000"
        client = boto3.session.Session().client("appfabric")
        assert client.meta.region_name == "eu-west-1"
        assert ":eu-west-1:" in make_bundle(client)
    assert dict(os.environ) == before


def test_default_session_forgets_fake_credentials_on_stop(no_aws_environment: pytest.MonkeyPatch) -> None:
    no_aws_environment.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_appfabric():
        client = boto3.client("appfabric")  # the default session, created inside the mock
        make_bundle(client)
        session = boto3.DEFAULT_SESSION
        assert session is not None
        assert session.get_credentials().access_key == FAKE_ACCESS_KEY_ID
    assert boto3.DEFAULT_SESSION is session  # the session itself is kept
    # The fake credentials are not cached: the session resolves what is configured now.
    no_aws_environment.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYAFTERSTOP")
    no_aws_environment.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    assert session.get_credentials().access_key == "AKIAREALKEYAFTERSTOP"


# -- pytest plugin ------------------------------------------------------------------------------
def test_appfabric_mock_fixture_is_active(appfabric_mock: AppFabricMock) -> None:
    assert appfabric_mock.active and _patched()
    assert current_mock() is appfabric_mock
    arn = make_bundle(appfabric_client())
    assert [b.arn for b in appfabric_mock.backend().bundles] == [arn]


@pytest.mark.parametrize("run", [1, 2])
def test_appfabric_client_fixture_is_fresh_per_test(appfabric_client: Any, run: int) -> None:
    assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == []
    arn = appfabric_client.create_app_bundle()["appBundle"]["arn"]
    assert arn.startswith("arn:aws:appfabric:us-east-1:")


@pytest.mark.appfabric_mock(quotas={"app_bundles": 2}, account_id="222222222222")
def test_marker_configures_the_fixture(appfabric_client: Any) -> None:
    import re

    first = appfabric_client.create_app_bundle()["appBundle"]["arn"]
    appfabric_client.create_app_bundle()
    with pytest.raises(appfabric_client.exceptions.ServiceQuotaExceededException):
        appfabric_client.create_app_bundle()
    assert re.match(BUNDLE_ARN_PATTERN.replace(ACCOUNT, "222222222222"), first)


def test_marker_on_class_and_function_under_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.appfabric_mock(quotas={"app_bundles": 3})
        class TestQuotas:
            def test_class_marker(self, appfabric_client):
                for _ in range(3):
                    appfabric_client.create_app_bundle()
                with pytest.raises(appfabric_client.exceptions.ServiceQuotaExceededException):
                    appfabric_client.create_app_bundle()

            @pytest.mark.appfabric_mock(quotas={"app_bundles": 1})
            def test_function_marker_wins(self, appfabric_client):
                appfabric_client.create_app_bundle()
                with pytest.raises(appfabric_client.exceptions.ServiceQuotaExceededException):
                    appfabric_client.create_app_bundle()
        """
    )
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS)
    result.assert_outcomes(passed=2)


# -- options of nested activations ------------------------------------------------------------


def test_inner_options_that_differ_are_ignored_with_a_warning_at_the_users_line() -> None:
    import warnings

    from appfabric_mock import AppFabricMockWarning

    @mock_appfabric(quotas={"app_bundles": 5})
    def decorated() -> int:
        return len(boto3.client("appfabric", region_name="us-east-1").list_app_bundles()["appBundleSummaryList"])

    with mock_appfabric(quotas={"app_bundles": 1}) as outer:
        client = boto3.client("appfabric", region_name="us-east-1")
        client.create_app_bundle()
        with pytest.warns(AppFabricMockWarning, match=r"quotas=\{'app_bundles': 5\}.*ignored") as caught:
            assert decorated() == 1
        assert caught[0].filename == __file__  # the user's line, not the mock's
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            client.create_app_bundle()  # the outer quota still holds
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with mock_appfabric():  # no options: nothing to warn about
                pass
            with mock_appfabric(quotas={"app_bundles": 1}):  # the same options
                pass
            outer.start()  # the outer handle itself, again
            outer.stop()


def test_private_fields_are_not_options() -> None:
    with pytest.raises(TypeError, match="unknown option") as caught:
        mock_appfabric(_options={})
    assert "_options" not in str(caught.value).split("valid options are", 1)[1]


def test_the_clock_type_is_public() -> None:
    import appfabric_mock

    with mock_appfabric(now="2024-01-01T00:00:00Z") as m:
        assert isinstance(m.clock, appfabric_mock.Clock)
        assert "Clock" in appfabric_mock.__all__
