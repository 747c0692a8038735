"""Successful calls are recorded as handed over and copied on the first read: the same records as a copy made at once.

The recorder (appfabric_mock/recording.py) keeps a successful call's parameters and
output by reference and redacts them when ``m.calls`` is first read.  These tests hold
that fast path to the plain one (a redacted copy made during the call), over every
operation, with state changes after each call, and under threads.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Set

import pytest
from botocore.exceptions import ClientError
from helpers import CONSOLE_REDIRECT, appfabric_client, connect, credential_for, make_authorization, make_bundle

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.backend.collection import Collection
from appfabric_mock.recording import REDACTED, Call, _record


def _eager(recorded: List[Call]) -> Any:
    """The plain path: an observer that copies (redacts) every call while it is answered."""

    def observe(context: Any, status: int, code: Any, payload: Any) -> None:
        recorded.append(_record(context, status, code, payload))

    return observe


def _every_operation(m: AppFabricMock, client: Any) -> None:
    """Every operation, each followed by changes to what it returned."""
    bundle = make_bundle(client, tags=[{"key": "team", "value": "a"}])
    ids = {"appBundleIdentifier": bundle}
    client.get_app_bundle(**ids)
    client.list_app_bundles()
    oauth = make_authorization(client, bundle, app="SLACK", tenant="T1", auth_type="oauth2",
                               credential=credential_for("oauth2", client_id="c1", secret="SECRET-1"))
    auth_ids = {**ids, "appAuthorizationIdentifier": oauth["appAuthorizationArn"]}
    client.get_app_authorization(**auth_ids)
    client.list_app_authorizations(**ids)
    connect(client, oauth, code="SECRET-CODE")
    client.update_app_authorization(**auth_ids, tenant={"tenantIdentifier": "T2", "tenantDisplayName": "Two"},
                                    credential=credential_for("oauth2", client_id="c2", secret="SECRET-2"))
    connect(client, oauth, code="SECRET-CODE-2")
    ingestion = client.create_ingestion(**ids, app="SLACK", tenantId="T2", ingestionType="auditLog",
                                        tags=[{"key": "k", "value": "v"}])["ingestion"]
    ingestion_ids = {**ids, "ingestionIdentifier": ingestion["arn"]}
    client.get_ingestion(**ingestion_ids)
    client.list_ingestions(**ids)
    configuration = {"auditLog": {"destination": {"s3Bucket": {"bucketName": "first", "prefix": "p/"}}}}
    destination = client.create_ingestion_destination(
        **ingestion_ids, processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
        destinationConfiguration=configuration)["ingestionDestination"]
    destination_ids = {**ingestion_ids, "ingestionDestinationIdentifier": destination["arn"]}
    client.get_ingestion_destination(**destination_ids)
    client.list_ingestion_destinations(**ingestion_ids)
    client.update_ingestion_destination(
        **destination_ids,
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "second"}}}})
    m.set_destination_failed(destination["arn"], "bucket gone")
    client.get_ingestion_destination(**destination_ids)
    client.stop_ingestion(**ingestion_ids)
    client.start_ingestion(**ingestion_ids)
    client.tag_resource(resourceArn=bundle, tags=[{"key": "team", "value": "b"}, {"key": "x", "value": "y"}])
    client.list_tags_for_resource(resourceArn=bundle)
    client.untag_resource(resourceArn=bundle, tagKeys=["x"])
    client.list_tags_for_resource(resourceArn=bundle)
    m.add_app_user(app="SLACK", tenant_id="T2", email="jane@example.com", user_id="U-1", first_name="Jane")
    tasks = client.start_user_access_tasks(**ids, email="jane@example.com")
    task_ids = [t["taskId"] for t in tasks["userAccessTasksList"] if "taskId" in t]
    client.batch_get_user_access_tasks(**ids, taskIdList=task_ids)
    m.complete_user_access_tasks(task_ids)
    client.batch_get_user_access_tasks(**ids, taskIdList=task_ids)
    m.clock.advance(3600)
    client.delete_ingestion_destination(**destination_ids)
    client.delete_ingestion(**ingestion_ids)
    with pytest.raises(ClientError):
        client.get_ingestion(**ingestion_ids)
    client.delete_app_authorization(**auth_ids)
    client.delete_app_bundle(**ids)


def test_a_record_read_late_equals_a_copy_made_during_the_call() -> None:
    with mock_appfabric(seed=3, now="2024-05-01T00:00:00Z") as m:
        eager: List[Call] = []
        m.state.observers.append(_eager(eager))
        _every_operation(m, appfabric_client())
        late = m.calls
    assert len(late) == len(eager) > 30
    assert {c.operation for c in late} >= {"UpdateIngestionDestination", "BatchGetUserAccessTasks", "TagResource",
                                           "DeleteAppBundle", "ListIngestionDestinations"}
    for deferred, plain in zip(late, eager):
        assert deferred == plain
    # Secrets are redacted in the late copy as in the plain one.
    assert "SECRET" not in repr(list(late))
    update = [c for c in late if c.operation == "UpdateAppAuthorization"][0]
    assert update.params["credential"]["oauth2Credential"]["clientSecret"] == REDACTED


def test_records_read_after_every_call_equal_records_read_at_the_end() -> None:
    def run(read_each_time: bool) -> List[Call]:
        with mock_appfabric(seed=5, now="2024-05-01T00:00:00Z") as m:
            client = appfabric_client()
            if read_each_time:
                client.meta.events.register("after-call.appfabric", lambda **_: m.calls)
            _every_operation(m, client)
            return list(m.calls)

    first, second = run(True), run(False)
    assert len(first) == len(second) > 30
    # Request ids, botocore's client tokens and OAuth states are random even with a seed; the rest is the same.
    assert [_comparable(c) for c in first] == [_comparable(c) for c in second]


def _comparable(call: Call) -> Call:
    params = {k: v for k, v in call.params.items() if k != "clientToken"}
    return call._replace(request_id=None, params=params, response=_no_url(call.response))


def _no_url(response: Dict[str, Any]) -> Dict[str, Any]:
    auth = response.get("appAuthorization")
    if isinstance(auth, dict) and "authUrl" in auth:
        return {**response, "appAuthorization": {**auth, "authUrl": auth["authUrl"].split("&state=")[0]}}
    return response


def _containers(value: Any, found: Set[int], seen: Set[int]) -> None:
    """The ids of every dict and list reachable from ``value`` (through models and collections too)."""
    if id(value) in seen:
        return
    if isinstance(value, (dict, list)):
        seen.add(id(value))
        found.add(id(value))
        for item in (value.values() if isinstance(value, dict) else value):
            _containers(item, found, seen)
    elif isinstance(value, Collection):
        seen.add(id(value))
        for item in value:
            _containers(item, found, seen)
    elif hasattr(value, "__dataclass_fields__"):
        seen.add(id(value))
        for name in value.__dataclass_fields__:
            _containers(getattr(value, name), found, seen)


def test_what_is_kept_unread_shares_no_container_with_the_state() -> None:
    """The condition the fast path relies on: nothing the state holds (and may change) is in a kept call."""
    with mock_appfabric(seed=7, now="2024-05-01T00:00:00Z") as m:
        client = appfabric_client()
        kept: List[Any] = []
        m.state.observers.append(lambda context, status, code, payload: kept.append((context.params, payload)))
        _every_operation(m, client)
        # Once more, stopping before the deletes: the state still holds everything.
        _every_operation_until_deletes(m, client)
        state: Set[int] = set()
        for _key, backend in m.state.store.items():
            for name, value in vars(backend).items():
                if name not in ("settings", "lock", "_idempotency"):  # (the memo of first answers is never changed)
                    _containers(value, state, set())
        _containers(list(m.state.settings.app_users.values()), state, set())
        handed: Set[int] = set()
        for params, payload in kept:
            _containers(params, handed, set())
            _containers(payload, handed, set())
    assert state and handed
    assert not state & handed


def _every_operation_until_deletes(m: AppFabricMock, client: Any) -> None:
    bundle = make_bundle(client)
    ids = {"appBundleIdentifier": bundle}
    auth = make_authorization(client, bundle, app="SLACK", tenant="T9", auth_type="oauth2",
                              credential=credential_for("oauth2", client_id="c", secret="SECRET-9"))
    client.connect_app_authorization(**ids, appAuthorizationIdentifier=auth["appAuthorizationArn"],
                                     authRequest={"redirectUri": CONSOLE_REDIRECT, "code": "SECRET-C"})
    ingestion = client.create_ingestion(**ids, app="SLACK", tenantId="T9", ingestionType="auditLog")["ingestion"]
    for bucket in ("one", "two"):
        client.create_ingestion_destination(
            **ids, ingestionIdentifier=ingestion["arn"],
            processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
            destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": bucket}}}})
    client.list_ingestion_destinations(**ids, ingestionIdentifier=ingestion["arn"])
    for summary in client.list_ingestion_destinations(**ids, ingestionIdentifier=ingestion["arn"])[
            "ingestionDestinations"]:
        client.get_ingestion_destination(**ids, ingestionIdentifier=ingestion["arn"],
                                         ingestionDestinationIdentifier=summary["arn"])
    client.tag_resource(resourceArn=ingestion["arn"], tags=[{"key": "a", "value": "b"}])
    client.list_tags_for_resource(resourceArn=ingestion["arn"])


def test_threads_recording_and_reading_at_once_lose_nothing_and_see_consistent_prefixes() -> None:
    threads_count, calls_each = 4, 25
    with mock_appfabric(quotas=None) as m:
        bundle = make_bundle(appfabric_client())
        clients = [appfabric_client() for _ in range(threads_count)]
        snapshots: List[Any] = []
        done = threading.Event()
        errors: List[BaseException] = []

        def caller(client: Any, index: int) -> None:
            try:
                for call in range(calls_each):
                    make_authorization(client, bundle, tenant=f"t-{index}-{call}",
                                       credential=credential_for("apiKey", api_key=f"SECRET-{index}-{call}"))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def reader() -> None:
            while not done.is_set():
                snapshots.append(m.calls)

        readers = [threading.Thread(target=reader) for _ in range(2)]
        callers = [threading.Thread(target=caller, args=(c, i)) for i, c in enumerate(clients)]
        for thread in readers + callers:
            thread.start()
        for thread in callers:
            thread.join()
        done.set()
        for thread in readers:
            thread.join()
        final = m.calls
    assert not errors
    assert len(final) == 1 + threads_count * calls_each
    assert all(type(call) is Call for call in final)
    assert len({c.request_id for c in final}) == len(final)
    assert all(c.params["credential"]["apiKeyCredential"]["apiKey"] == REDACTED for c in final[1:])
    for snapshot in snapshots:
        assert all(type(call) is Call for call in snapshot)
        assert tuple(final[:len(snapshot)]) == tuple(snapshot)  # every read saw a prefix of the same record


def test_the_limit_drops_the_oldest_calls_read_or_not() -> None:
    with mock_appfabric(max_recorded_calls=3) as m:
        client = appfabric_client()
        bundle = make_bundle(client)
        client.get_app_bundle(appBundleIdentifier=bundle)
        assert [c.operation for c in m.calls] == ["CreateAppBundle", "GetAppBundle"]
        with pytest.warns(Warning, match="keeps the latest 3"):
            for _ in range(3):
                client.list_app_bundles()
        with pytest.raises(ClientError):
            client.get_app_bundle(appBundleIdentifier=bundle[:-4] + "ffff")
        calls = m.calls
    assert [c.operation for c in calls] == ["ListAppBundles", "ListAppBundles", "GetAppBundle"]
    assert [c.ok for c in calls] == [True, True, False]
