"""Every option is checked when the mock is made: in process, in the pytest marker and in ``--option``.

A wrong type is a TypeError and a wrong value a ValueError, each naming the option and what
it takes, raised when the handle is made (not at start, not never).
"""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any, Dict

import pytest

from appfabric_mock import mock_appfabric
from appfabric_mock.__main__ import main
from appfabric_mock.config import MockConfig

pytest_plugins = ["pytester"]

UTC = dt.timezone.utc

#: (options, exception, words the message must contain): the traps a new user met first.
MISTAKES = [
    ({"extra_apps": "ACME"}, TypeError, ["extra_apps", "not one string", "extra_apps=['ACME']"]),
    ({"strict_apps": "no"}, TypeError, ["strict_apps", "a bool", "str 'no'"]),
    ({"seed": "abc"}, TypeError, ["seed", "an int or None", "str 'abc'"]),
    ({"seed": 1.5}, TypeError, ["seed", "an int or None", "float 1.5"]),
    ({"seed": True}, TypeError, ["seed", "bool True"]),
    ({"now": "yesterday"}, ValueError, ["now", "ISO-8601", "'yesterday'"]),
    ({"now": dt.date(2024, 1, 1)}, TypeError, ["now", "a date without a time"]),
    ({"now": 1700000000}, TypeError, ["now", "a datetime or an ISO-8601 string", "int"]),
    ({"account_id": 123456789012}, TypeError, ["account_id", "a string of 12 digits", "int"]),
    ({"account_id": "42"}, ValueError, ["account_id", "12 digits", "'42'"]),
    ({"accounts": ["AKIA"]}, TypeError, ["accounts", "a mapping"]),
    ({"accounts": {"AKIA": 210987654321}}, TypeError, ["accounts['AKIA']", "12 digits", "int"]),
    ({"accounts": {"AKIA": "1"}}, ValueError, ["accounts['AKIA']", "12 digits"]),
    ({"quotas": 5}, TypeError, ["quotas", "a mapping of quota name"]),
    ({"quotas": {"app_bundles": "2"}}, TypeError, ["quota app_bundles", "non-negative int", "str '2'"]),
    ({"quotas": {"app_bundles": -1}}, ValueError, ["quota app_bundles", "non-negative int"]),
    ({"quotas": {"bundles": 1}}, TypeError, ["unknown quota(s) bundles", "app_bundles"]),
    ({"extra_apps": [""]}, ValueError, ["extra_apps", "1 to 255 characters"]),
    ({"extra_apps": [7]}, TypeError, ["extra_apps", "app names (strings)", "int 7"]),
    ({"extra_apps": {"BOX": 2}}, TypeError, ["extra_apps['BOX']", '"oauth2", "apiKey" or a display name']),
    ({"extra_apps": 3}, TypeError, ["extra_apps", "a list of app names or a mapping"]),
    ({"user_access_task_reads": 1.0}, TypeError, ["user_access_task_reads", "an int"]),
    ({"user_access_task_reads": -1}, ValueError, ["user_access_task_reads", "at least 0"]),
    ({"user_access_task_seconds": "60"}, TypeError, ["user_access_task_seconds", "number of seconds"]),
    ({"user_access_task_seconds": float("nan")}, ValueError, ["user_access_task_seconds", "nan"]),
    ({"user_access_task_lifetime": -5}, ValueError, ["user_access_task_lifetime", "at least 0"]),
    ({"strict_regions": 1}, TypeError, ["strict_regions", "a bool"]),
    ({"default_page_size": "10"}, TypeError, ["default_page_size", "an int from 1 to 100"]),
    ({"default_page_size": 500}, ValueError, ["default_page_size", "an int from 1 to 100", "500"]),
    ({"check_responses": "yes"}, TypeError, ["check_responses", "a bool"]),
    ({"max_recorded_calls": 2.5}, TypeError, ["max_recorded_calls", "an int"]),
    ({"max_recorded_calls": -1}, ValueError, ["max_recorded_calls", "at least 0"]),
    ({"max_recorded_deliveries": True}, TypeError, ["max_recorded_deliveries", "an int", "bool True"]),
    ({"max_recorded_deliveries": -1}, ValueError, ["max_recorded_deliveries", "at least 0"]),
    ({"state_file": 3}, TypeError, ["state_file", "a path"]),
    ({"state_file": ""}, ValueError, ["state_file", "non-empty path"]),
    ({"state_key": b"k"}, TypeError, ["state_key", "a non-empty string"]),
    ({"state_key": ""}, ValueError, ["state_key", "a non-empty string"]),
    ({"delivery_interval": "300"}, TypeError, ["delivery_interval", "from 1 to 86400"]),
    ({"delivery_interval": 0.5}, ValueError, ["delivery_interval", "from 1 to 86400"]),
    ({"events_per_delivery": 1.5}, TypeError, ["events_per_delivery", "an int from 0 to 100000"]),
    ({"events_per_delivery": 100_001}, ValueError, ["events_per_delivery", "an int from 0 to 100000"]),
    ({"unfired_faults": True}, TypeError, ["unfired_faults", "'warn', 'error', 'ignore'"]),
    ({"unfired_faults": "loud"}, ValueError, ["unfired_faults", "'warn', 'error', 'ignore'"]),
]


@pytest.mark.parametrize(("options", "error", "words"), MISTAKES, ids=[repr(m[0]) for m in MISTAKES])
def test_a_wrong_option_is_a_clear_error_when_the_handle_is_made(options: Dict[str, Any], error: type,
                                                                  words: list) -> None:
    with pytest.raises(error) as caught:
        mock_appfabric(**options)
    message = str(caught.value)
    assert message.startswith("mock_appfabric: ")
    for word in words:
        assert word in message


def test_every_option_has_a_check() -> None:
    from appfabric_mock.config import _CHECKS, _field_names

    assert set(_CHECKS) == set(_field_names(MockConfig))
    checked = {next(iter(options)) for options, _, _ in MISTAKES}
    assert checked == set(_CHECKS)  # and a test of a mistake for each


def test_good_values_are_accepted_and_kept(tmp_path: pathlib.Path) -> None:
    handle = mock_appfabric(
        account_id="111111111111", accounts={"AKIAEXAMPLE": "222222222222"}, quotas={"app_bundles": None},
        strict_apps=False, extra_apps={"BOX": "oauth2"}, user_access_task_reads=0, user_access_task_seconds=None,
        user_access_task_lifetime=3600, strict_regions=True, seed=-3, now=dt.datetime(2024, 6, 1, 9),
        default_page_size=1, check_responses=True, max_recorded_calls=None, max_recorded_deliveries=None,
        state_file=tmp_path / "state.json", state_key="a-key", delivery_interval=60, events_per_delivery=0,
        unfired_faults="error",
    )
    assert handle.config.now == dt.datetime(2024, 6, 1, 9, tzinfo=UTC)  # naive means UTC
    assert handle.config.options["now"] == dt.datetime(2024, 6, 1, 9)  # as given
    assert mock_appfabric(extra_apps=("A", "B")).config.extra_apps == ("A", "B")
    assert mock_appfabric(extra_apps={"A"}).config.extra_apps == {"A"}


def test_now_is_parsed_when_the_handle_is_made() -> None:
    handle = mock_appfabric(now="2024-06-01T09:00:00Z")
    assert handle.config.now == dt.datetime(2024, 6, 1, 9, tzinfo=UTC)
    assert mock_appfabric(now="2024-06-01T11:00:00+02:00").config.now == dt.datetime(2024, 6, 1, 9, tzinfo=UTC)
    with handle as m:
        assert m.clock.now() == dt.datetime(2024, 6, 1, 9, tzinfo=UTC)


def test_the_server_class_checks_them_too() -> None:
    from appfabric_mock.server import ThreadedServer

    with pytest.raises(TypeError, match="strict_apps must be a bool"):
        ThreadedServer(strict_apps="no")


@pytest.mark.parametrize(("option", "words"), [
    ("strict_apps=no", ["strict_apps must be a bool", "read as JSON", "strict_apps=false"]),
    ("extra_apps=ACME", ["extra_apps", "not one string", "'extra_apps=[\"ACME\"]'"]),
    ("seed=abc", ["seed must be an int"]),
    ("seed=1.5", ["seed must be an int", "float 1.5"]),
    ("now=yesterday", ["now must be an ISO-8601 time", "'yesterday'"]),
    ("delivery_interval=0", ["delivery_interval must be a number of seconds from 1 to 86400"]),
])
def test_the_command_lines_option_checks_them(option: str, words: list, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["server", "--port", "0", "--option", option])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert "Traceback" not in err


def test_the_marker_checks_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.appfabric_mock(strict_apps="no")
        def test_marked(appfabric_client):
            pass

        @pytest.mark.appfabric_mock(now="yesterday")
        def test_marked_without_fixture():
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
                                          "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*TypeError: mock_appfabric: strict_apps must be a bool (True or False), not str 'no'*",
        "*ValueError: mock_appfabric: now must be an ISO-8601 time*'yesterday'*",
    ])
