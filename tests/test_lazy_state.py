"""The parts of a mock's state made on first use behave as if they were made at start.

A start makes neither the settings, nor the store, nor the call recorder, nor the data
plane (appfabric_mock/state.py); ``MockConfig.apply`` touches them only for options away
from their defaults (appfabric_mock/config.py).  These tests hold both to the plain path:
every part made at once, every option applied.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import threading
import weakref
from typing import Any, Dict, List

import pytest
from _delivery import HALF_HOUR, START, connected_ingestion, s3_destination
from _delivery import client as delivery_client
from botocore.exceptions import ClientError

from appfabric_mock import mock_appfabric
from appfabric_mock.backend.settings import Settings
from appfabric_mock.config import CHECK_RESPONSES_ENV, DATA_PLANE_OPTIONS, SETTINGS_OPTIONS, MockConfig
from appfabric_mock.delivery.plane import DataPlane
from appfabric_mock.recording import CallRecorder
from appfabric_mock.state import MockState
from tests.helpers import appfabric_client, make_bundle

PARTS = ("settings", "store", "recorder", "data_plane")


def _made(state: MockState) -> List[str]:
    return [name for name in PARTS if name in vars(state)]


def _settings_view(settings: Settings) -> Dict[str, Any]:
    view = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
            if f.name not in ("clock", "ids", "lock", "_digest_key")}
    view["frozen"] = settings.clock._frozen
    view["seed"] = settings.ids.seed
    view["ids"] = [settings.ids.uuid() for _ in range(3)] if settings.ids.seed is not None else None
    return view


def _view(state: MockState) -> Dict[str, Any]:
    plane = state.data_plane
    return {
        "settings": _settings_view(state.settings),
        "backends": list(state.store.items()),
        "recorder limit": state.recorder.limit,
        "plane": (plane.interval, type(plane.interval), plane.events_per_delivery, plane.max_deliveries,
                  plane.max_catch_up),
        "account": state.default_account_id,
        "accounts": dict(state.accounts),
        "strict_regions": state.strict_regions,
        "check_responses": state.check_responses,
        "hooks": ([getattr(g, "__func__", g) for g in state.pre_validation_guards],
                  [getattr(o, "__func__", o) for o in state.observers]),
    }


def _plain(config: MockConfig) -> MockState:
    """What the fast path must equal: every part made first, every option applied."""
    state = MockState()
    for name in PARTS:
        getattr(state, name)
    state.config = config
    if config.account_id:
        state.default_account_id = config.account_id
    state.accounts.update(config.accounts)
    state.strict_regions = config.strict_regions
    state.check_responses = config.check_responses or os.environ.get(CHECK_RESPONSES_ENV) == "1"
    config._apply_settings(state)
    state.recorder.keep_latest(config.max_recorded_calls)
    config._apply_data_plane(state)
    return state


OPTIONS: List[Dict[str, Any]] = [
    {},
    {"quotas": None},
    {"quotas": {"app_bundles": 3}},
    {"quotas": {}},
    {"strict_apps": False},
    {"extra_apps": ["MYAPP"]},
    {"extra_apps": {"OTHER": "apiKey"}},
    {"user_access_task_reads": 0},
    {"user_access_task_seconds": None},
    {"user_access_task_lifetime": 10},
    {"seed": 7},
    {"now": "2024-01-01T00:00:00Z"},
    {"default_page_size": 5},
    {"max_recorded_calls": 3},
    {"max_recorded_calls": None},
    {"max_recorded_deliveries": 2},
    {"delivery_interval": 60},
    {"delivery_interval": 1800},
    {"events_per_delivery": 0},
    {"account_id": "111122223333", "accounts": {"AKIDOTHER": "444455556666"}},
    {"strict_regions": True, "check_responses": True},
    # Every option at the value it defaults to: the fast path may skip them all.
    {name: value for name, value in vars(MockConfig()).items() if not name.startswith("_")},
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda options: ",".join(options) or "defaults")
def test_a_state_applied_on_the_fast_path_equals_the_plain_one(options: Dict[str, Any]) -> None:
    config = MockConfig.from_options(options)
    fast = MockState()
    config.apply(fast)
    assert _view(fast) == _view(_plain(config))


def test_the_option_defaults_are_those_the_parts_are_made_with() -> None:
    default = MockConfig()
    settings, plane = Settings(), DataPlane(Settings(), None)  # type: ignore[arg-type]
    assert (default.strict_apps, default.user_access_task_reads, default.user_access_task_seconds,
            default.user_access_task_lifetime, default.default_page_size, default.seed) == (
        settings.strict_apps, settings.task_reads, settings.task_seconds, settings.task_lifetime,
        settings.default_page_size, settings.ids.seed)
    assert settings.clock._frozen is None and default.now is None
    assert (default.delivery_interval, default.events_per_delivery, default.max_recorded_deliveries) == (
        plane.interval, plane.events_per_delivery, plane.max_deliveries)
    assert default.max_recorded_calls == CallRecorder().limit


def test_every_option_is_applied_by_exactly_one_group() -> None:
    # An option missing from both groups would never reach the settings or the data plane.
    # (the state's own attributes, the recorder's bound, the state file, and what the mock reads at stop)
    elsewhere = {"account_id", "accounts", "strict_regions", "check_responses", "max_recorded_calls", "state_file",
                 "state_key", "unfired_faults"}
    groups = [set(SETTINGS_OPTIONS), set(DATA_PLANE_OPTIONS), elsewhere]
    options = {f.name for f in dataclasses.fields(MockConfig) if not f.name.startswith("_")}
    assert sorted(name for group in groups for name in group) == sorted(options)


def test_a_start_with_default_options_makes_none_of_the_parts() -> None:
    with mock_appfabric() as m:
        assert _made(m.state) == []
        m.state.settings  # noqa: B018 (the read is the test)
        assert _made(m.state) == ["settings"]


def test_the_first_call_makes_the_parts_and_their_hooks_keep_their_place() -> None:
    with mock_appfabric() as m:
        state = m.state
        m.deny("appfabric:GetAppBundle")  # its guard comes after the data plane's
        client = appfabric_client()
        bundle = make_bundle(client)
        with pytest.raises(ClientError):
            client.get_app_bundle(appBundleIdentifier=bundle)
        assert set(_made(state)) == set(PARTS)
        assert state.pre_validation_guards[0] == state.data_plane.guard
        assert state.pre_validation_guards[1] == state.access.guard  # type: ignore[union-attr]
        assert state.observers[0] == state.recorder.observe
        assert [c.operation for c in m.calls] == ["CreateAppBundle", "GetAppBundle"]
        assert m.calls[1].error_code == "AccessDeniedException"


def test_a_first_call_that_fails_is_recorded() -> None:
    with mock_appfabric() as m:
        with pytest.raises(ClientError):
            appfabric_client().get_app_bundle(appBundleIdentifier="arn:aws:appfabric:us-east-1:123456789012:appbundle/x")
        assert [(c.operation, c.error_code) for c in m.calls] == [("GetAppBundle", "ResourceNotFoundException")]


def test_controls_read_before_any_call_see_an_empty_mock_and_it_stays_readable_after_stop() -> None:
    with mock_appfabric() as untouched:
        pass
    with mock_appfabric() as plain:
        for name in PARTS:
            getattr(plain.state, name)
    assert list(untouched.calls) == list(plain.calls) == []
    assert untouched.resources() == plain.resources() == []
    assert untouched.snapshot() == plain.snapshot()
    with mock_appfabric() as m:
        assert m.deliveries == () and list(m.calls) == [] and m.resources() == []


def test_deliveries_fall_due_with_a_data_plane_made_by_the_first_call() -> None:
    with mock_appfabric(now=START) as m:
        assert "data_plane" not in vars(m.state)
        api = delivery_client()
        destination = s3_destination(api, connected_ingestion(api))
        m.clock.advance(HALF_HOUR)
        api.list_app_bundles()  # the next AppFabric call makes what fell due
        [delivery] = m.deliveries
        assert delivery.destination_arn == destination["arn"] and delivery.trigger == "schedule"
        assert m.state.pre_validation_guards[0] == m.state.data_plane.guard


def test_many_threads_making_the_first_calls_share_one_of_each_part() -> None:
    with mock_appfabric(quotas=None) as m:
        state = m.state
        clients = [appfabric_client() for _ in range(8)]
        barrier = threading.Barrier(len(clients))
        errors: List[BaseException] = []

        def work(client: Any) -> None:
            try:
                barrier.wait()
                for _ in range(5):
                    make_bundle(client)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(m.calls) == 40
        assert len(m.resources()) == 40
        assert state.observers.count(state.recorder.observe) == 1
        assert len(state.observers) == len([o for o in state.observers if not hasattr(o, "func")])
        assert state.pre_validation_guards.count(state.data_plane.guard) == 1


def test_a_state_is_freed_without_the_garbage_collector() -> None:
    # The stand-ins hold the state weakly: a mock leaves no reference cycle behind.
    gc.collect()
    gc.disable()
    try:
        m = mock_appfabric()
        with m:
            ref = weakref.ref(m.state)
        del m
        assert ref() is None
        m = mock_appfabric()
        with m:
            make_bundle(appfabric_client())
            ref = weakref.ref(m.state)
        del m
        assert ref() is None
    finally:
        gc.enable()

