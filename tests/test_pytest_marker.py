"""The marker turns the mock on; a start() left without stop() at the end of a test is reported and stopped."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INNER = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:xdist", "-p", "no:randomly",
         "-o", "asyncio_default_fixture_loop_scope=function")


def test_a_marked_test_runs_mocked_without_asking_for_a_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unmarked="""
        from appfabric_mock import current_mock

        def test_unmarked_runs_unmocked():
            assert current_mock() is None
        """, test_marked="""
        import boto3
        import pytest
        from appfabric_mock import current_mock

        pytestmark = pytest.mark.appfabric_mock(account_id="111111111111")

        @pytest.fixture
        def bundle():
            # A fixture of the test's own: already mocked.
            return boto3.client("appfabric", region_name="us-east-1").create_app_bundle()["appBundle"]["arn"]

        def test_module_marker(bundle):
            assert current_mock() is not None
            assert bundle.split(":")[4] == "111111111111"

        @pytest.mark.appfabric_mock(quotas={"app_bundles": 2})
        class TestClass:
            def test_fresh_each_test_with_the_closest_options(self):
                client = boto3.client("appfabric", region_name="us-east-1")
                client.create_app_bundle()
                client.create_app_bundle()
                with pytest.raises(client.exceptions.ServiceQuotaExceededException):
                    client.create_app_bundle()

            def test_the_fixture_is_that_same_mock(self, appfabric_mock):
                assert current_mock() is appfabric_mock
                assert appfabric_mock.resources() == []
        """)
    result = pytester.runpytest_inprocess(*INNER)
    result.assert_outcomes(passed=4)


def test_a_start_without_stop_is_reported_and_stopped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from appfabric_mock import current_mock, mock_appfabric

        SESSION = []

        @pytest.fixture(scope="module")
        def long_lived():
            m = mock_appfabric().start()  # deliberate: the module's tests share it
            SESSION.append(m)
            yield m
            m.stop()

        def test_leaks():
            mock_appfabric().start()

        def test_the_next_test_starts_clean():
            assert current_mock() is None

        def test_module_fixture_one(long_lived):
            assert current_mock() is long_lived

        def test_module_fixture_two(long_lived):
            assert current_mock() is long_lived
        """
    )
    result = pytester.runpytest_inprocess(*INNER, "-W", "always")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_leaks: 1 mock_appfabric start() without stop()*"])
    assert result.stdout.str().count("without stop()") == 1
