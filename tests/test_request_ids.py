"""Request ids as AWS gives them, and a bounded call log for long-running servers."""

from __future__ import annotations

import json
import re

import pytest
from helpers import NO_RETRIES, UUID_PATTERN, appfabric_client, make_bundle

from appfabric_mock import AppFabricMock, AppFabricMockWarning, mock_appfabric
from appfabric_mock.server import SERVER_RECORDED_CALLS, ThreadedServer


def test_every_answer_carries_a_request_id_that_the_call_log_shares(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    first = client.list_app_bundles()["ResponseMetadata"]
    second = client.create_app_bundle()["ResponseMetadata"]
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_app_bundle(appBundleIdentifier="00000000-0000-4000-8000-000000000000")
    failed = caught.value.response["ResponseMetadata"]

    ids = [first["RequestId"], second["RequestId"], failed["RequestId"]]
    assert all(re.fullmatch(UUID_PATTERN, request_id) for request_id in ids)
    assert len(set(ids)) == 3
    assert [call.request_id for call in appfabric_mock.calls] == ids


def test_request_ids_do_not_shift_seeded_resource_ids() -> None:
    def bundle_ids(reads: int) -> list:
        with mock_appfabric(seed=7, quotas=None):
            client = appfabric_client()
            for _ in range(reads):
                client.list_app_bundles()
            return [make_bundle(client) for _ in range(2)]

    assert bundle_ids(0) == bundle_ids(3)


def test_an_unknown_route_has_a_request_id_too(appfabric_mock: AppFabricMock) -> None:
    from appfabric_mock.dispatch import dispatch

    response = dispatch(appfabric_mock.state, "GET", "https://appfabric.us-east-1.amazonaws.com/nowhere", {}, b"")
    assert response.status == 404
    assert re.fullmatch(UUID_PATTERN, response.headers["x-amzn-RequestId"])


def test_max_recorded_calls_keeps_the_latest() -> None:
    with mock_appfabric(max_recorded_calls=2) as m:
        client = appfabric_client()
        bundle = make_bundle(client)
        client.get_app_bundle(appBundleIdentifier=bundle)
        with pytest.warns(AppFabricMockWarning, match="keeps the latest 2 recorded calls"):
            client.list_app_bundles()
        assert [call.operation for call in m.calls] == ["GetAppBundle", "ListAppBundles"]
        m.clear_calls()
        assert len(m.calls) == 0
        client.list_app_bundles()
        assert len(m.calls) == 1


@pytest.mark.parametrize(("bad", "error"), [(-1, ValueError), (1.5, TypeError), ("10", TypeError), (True, TypeError)])
def test_max_recorded_calls_must_be_a_count(bad: object, error: type) -> None:
    with pytest.raises(error, match="max_recorded_calls"):
        mock_appfabric(max_recorded_calls=bad)


def test_the_command_line_server_bounds_its_call_log() -> None:
    assert SERVER_RECORDED_CALLS == 10_000
    with ThreadedServer(max_recorded_calls=1) as server:
        import urllib.request

        with pytest.warns(AppFabricMockWarning, match="keeps the latest 1 recorded calls"):
            for _ in range(3):
                with urllib.request.urlopen(f"{server.url}/appbundles") as answer:
                    assert json.load(answer) == {"appBundleSummaryList": []}
        assert len(server.mock.calls) == 1


def test_unseeded_ids_are_version_4_uuids_that_neither_follow_nor_move_the_random_module() -> None:
    import random
    import uuid

    from appfabric_mock.backend.support import IdGenerator, new_request_id

    ids = IdGenerator()
    random.seed(7)
    expected = [random.random() for _ in range(3)]
    random.seed(7)
    drawn = [new_request_id() for _ in range(500)] + [ids.uuid() for _ in range(500)]
    assert [random.random() for _ in range(3)] == expected  # the test's own sequence is untouched
    random.seed(7)
    assert new_request_id() not in drawn  # and seeding it does not repeat the mock's
    assert len(set(drawn)) == len(drawn)
    for text in drawn:
        value = uuid.UUID(text)
        assert value.version == 4 and value.variant == uuid.RFC_4122 and str(value) == text
    # Every random bit position takes both values (a fixed bit would be a broken mask).
    bits = [uuid.UUID(text).int for text in drawn]
    varying = 0
    for position in range(128):
        varying += len({(b >> position) & 1 for b in bits}) == 2
    assert varying == 122


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_a_forked_child_draws_other_ids_than_its_parent() -> None:
    import os

    from appfabric_mock.backend.support import new_request_id

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then out without running pytest's exit handlers
        os.write(write, " ".join(new_request_id() for _ in range(3)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 4096).decode().split()
    os.close(read)
    assert len(child) == 3 and not set(child) & {new_request_id() for _ in range(3)}
