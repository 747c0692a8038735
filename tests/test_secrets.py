"""Credentials and OAuth codes never come back: not in responses, errors, reprs, snapshots or logs."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any, Dict, Iterator, List, Set

import pytest
from botocore.exceptions import ClientError
from helpers import (
    CONSOLE_REDIRECT,
    NO_CLIENT_VALIDATION,
    appfabric_client,
    credential_for,
    label,
    make_authorization,
    make_bundle,
    make_ingestion,
    new_token,
    raw_call,
    record_raw_bodies,
)

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.state import MockState

#: Unique markers: if any of them shows up anywhere, a secret leaked.
CLIENT_SECRET = "MARKER-client-secret-3f9a1c"
CLIENT_SECRET_2 = "MARKER-client-secret-rotated-77b2"
API_KEY = "MARKER-api-key-8d41e0"
API_KEY_2 = "MARKER-api-key-rotated-c0de"
OAUTH_CODE = "MARKER-oauth-code-5a6b7c"
OAUTH_CODE_2 = "MARKER-oauth-code-again-9e9e"
MARKERS = (CLIENT_SECRET, CLIENT_SECRET_2, API_KEY, API_KEY_2, OAUTH_CODE, OAUTH_CODE_2)


def _leaks(text: str) -> List[str]:
    return [marker for marker in MARKERS if marker in text]


def _run_workflow(m: AppFabricMock, client: Any, strict: Any) -> None:
    """Every operation that takes a secret, on success and failure paths.

    ``strict`` has botocore's input validation off: malformed requests reach the mock.
    """
    bundle = make_bundle(client)
    token = new_token()
    oauth = make_authorization(
        client, bundle, app="SLACK", tenant="T-slack", auth_type="oauth2", clientToken=token,
        credential=credential_for("oauth2", client_id="slack-client", secret=CLIENT_SECRET),
    )
    # An idempotent retry, then the same token with another secret.
    make_authorization(
        client, bundle, app="SLACK", tenant="T-slack", auth_type="oauth2", clientToken=token,
        credential=credential_for("oauth2", client_id="slack-client", secret=CLIENT_SECRET),
    )
    with pytest.raises(ClientError):
        make_authorization(
            client, bundle, app="SLACK", tenant="T-slack", auth_type="oauth2", clientToken=token,
            credential=credential_for("oauth2", client_id="slack-client", secret=CLIENT_SECRET_2),
        )
    api = make_authorization(client, bundle, credential=credential_for("apiKey", api_key=API_KEY))
    ids = {"appBundleIdentifier": bundle}
    oauth_ids = {**ids, "appAuthorizationIdentifier": oauth["appAuthorizationArn"]}
    api_ids = {**ids, "appAuthorizationIdentifier": api["appAuthorizationArn"]}

    client.get_app_authorization(**oauth_ids)
    client.list_app_authorizations(**ids)
    client.connect_app_authorization(**oauth_ids, authRequest={"redirectUri": CONSOLE_REDIRECT, "code": OAUTH_CODE})
    client.connect_app_authorization(**api_ids)
    client.update_app_authorization(**oauth_ids, credential=credential_for("oauth2", secret=CLIENT_SECRET_2))
    client.update_app_authorization(**api_ids, credential=credential_for("apiKey", api_key=API_KEY_2))
    m.fail_next_connect(oauth["appAuthorizationArn"])
    with pytest.raises(ClientError):
        client.connect_app_authorization(
            **oauth_ids, authRequest={"redirectUri": CONSOLE_REDIRECT, "code": OAUTH_CODE_2}
        )
    client.connect_app_authorization(**oauth_ids, authRequest={"redirectUri": CONSOLE_REDIRECT, "code": OAUTH_CODE_2})
    client.connect_app_authorization(**api_ids)

    # Failures that involve a secret: wrong credential type, too long, both kinds, wrong redirect.
    # (A secret misplaced where a structure belongs cannot be sent by botocore: see the raw test.)
    failing: List[Dict[str, Any]] = [
        {"auth_type": "apiKey", "credential": credential_for("oauth2", secret=CLIENT_SECRET)},
        {"auth_type": "apiKey", "credential": {"apiKeyCredential": {"apiKey": API_KEY * 200}}},
        {"auth_type": "apiKey", "credential": {**credential_for("apiKey", api_key=API_KEY),
                                               **credential_for("oauth2", secret=CLIENT_SECRET)}},
    ]
    for case in failing:
        with pytest.raises(ClientError):
            make_authorization(strict, bundle, tenant="failing", **case)
    with pytest.raises(ClientError):
        strict.update_app_authorization(**api_ids, credential=credential_for("oauth2", secret=CLIENT_SECRET_2))
    for auth_request in (
        {"redirectUri": "http://not-https.example.com", "code": OAUTH_CODE},
        {"redirectUri": CONSOLE_REDIRECT, "code": OAUTH_CODE * 200},
    ):
        with pytest.raises(ClientError):
            strict.connect_app_authorization(**oauth_ids, authRequest=auth_request)

    make_ingestion(client, bundle)
    m.add_app_user(app="TERRAFORMCLOUD", tenant_id="tenant-1", email="user@example.com", user_id="u-1")
    tasks = client.start_user_access_tasks(appBundleIdentifier=bundle, email="user@example.com")
    task_ids = [t["taskId"] for t in tasks["userAccessTasksList"] if "taskId" in t]
    client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=task_ids)
    client.get_app_authorization(**oauth_ids)
    client.get_app_authorization(**api_ids)


@pytest.fixture
def workflow() -> Iterator[Dict[str, Any]]:
    """A mock after the whole workflow, with every raw body and header its clients received."""
    with mock_appfabric() as m:
        client = appfabric_client()
        strict = appfabric_client(config=NO_CLIENT_VALIDATION)
        bodies = record_raw_bodies(client)
        strict_bodies = record_raw_bodies(strict)
        headers: List[str] = []
        for each in (client, strict):
            each.meta.events.register(
                "after-call.appfabric", lambda http_response, **_: headers.append(repr(http_response.headers))
            )
        _run_workflow(m, client, strict)
        yield {"mock": m, "bodies": bodies + strict_bodies, "headers": headers}


def test_no_secret_in_any_raw_response(workflow: Dict[str, Any]) -> None:
    bodies: List[bytes] = workflow["bodies"]
    assert len(bodies) == 25
    # The failure paths really were answered by the mock (not by botocore's own validation).
    assert sum(b'"ValidationException"' in body for body in bodies) == 7
    assert sum(b'"IdempotentParameterMismatch"' in body for body in bodies) == 1
    for body in bodies:
        assert _leaks(body.decode("utf-8")) == [], body
    for headers in workflow["headers"]:
        assert _leaks(headers) == []


def test_no_secret_in_reprs(workflow: Dict[str, Any]) -> None:
    m: AppFabricMock = workflow["mock"]
    state = m.state
    backend = m.backend()
    objects: List[Any] = [m, state, state.settings, state.store, backend, backend.settings.clock]
    for bundle in backend.bundles:
        objects.append(bundle)
        objects.extend(bundle.authorizations)
        objects.extend(bundle.ingestions)
    objects.extend(backend.tasks.values())
    assert len(objects) >= 9
    for obj in objects:
        assert _leaks(repr(obj)) == [], type(obj)
        assert _leaks(str(obj)) == [], type(obj)


def test_no_secret_in_snapshot_or_resources(workflow: Dict[str, Any]) -> None:
    m: AppFabricMock = workflow["mock"]
    snapshot = m.snapshot()
    text = json.dumps(m.snapshot(json=True)) + repr(snapshot)
    authorizations = snapshot["accounts"]["123456789012"]["us-east-1"]["appBundles"][0]["appAuthorizations"]
    assert {a["app"] for a in authorizations} == {"SLACK", "TERRAFORMCLOUD"}
    assert _leaks(text) == []
    assert _leaks(json.dumps(m.resources(json=True)) + repr(m.resources())) == []


def _strings_reachable_from(root: Any) -> Iterator[str]:
    """Every string reachable from ``root`` through containers, dataclasses and instance attributes."""
    seen: Set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, bytes):
            yield obj.decode("latin-1")
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            stack.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
        elif type(obj).__module__.startswith("appfabric_mock"):
            stack.extend(vars(obj).values() if hasattr(obj, "__dict__") else ())
            for name in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, name):
                    stack.append(getattr(obj, name))


def test_no_secret_is_kept_in_the_state(workflow: Dict[str, Any]) -> None:
    # models.py: credentials are never kept (the idempotency store keeps keyed digests only).
    strings = list(_strings_reachable_from(workflow["mock"].state))
    assert any("appauthorization/" in s for s in strings)  # the walk does reach the authorizations
    for text in strings:
        assert _leaks(text) == []


def test_no_secret_through_raw_http_or_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    state = MockState()
    _, created = raw_call(state, "POST", "/appbundles", {})
    bundle = label(created["appBundle"]["arn"])
    requests: List[Any] = [
        {"app": "SLACK", "authType": "oauth2", "credential": credential_for("oauth2", secret=CLIENT_SECRET)},
        {"app": "ASANA", "authType": "apiKey", "credential": credential_for("apiKey", api_key=API_KEY)},
        {"app": "CISCO", "authType": "apiKey", "credential": {"apiKeyCredential": API_KEY}},
        {"app": "ZOOM", "authType": "oauth2", "credential": {"apiKeyCredential": {"apiKey": API_KEY}}},
        {"app": "CISCO", "authType": "apiKey", "credential": {"apiKeyCredential": {"apiKey": API_KEY * 300}}},
        {"app": "CISCO", "authType": "apiKey", "credential": API_KEY},
        {"app": "Y", "authType": "apiKey", "credential": credential_for("apiKey", api_key=API_KEY)},  # unknown app
        f'{{"app": "Z", "credential": {{"apiKeyCredential": {{"apiKey": "{API_KEY}"',  # truncated JSON
    ]
    with caplog.at_level(logging.DEBUG, logger="appfabric_mock"):
        bodies = []
        for body in requests:
            tenant = {"tenantIdentifier": "t", "tenantDisplayName": "T"}
            payload = {**body, "tenant": tenant} if isinstance(body, dict) else body
            response, _ = raw_call(state, "POST", f"/appbundles/{bundle}/appauthorizations", payload)
            bodies.append(response.body)
        statuses = [json.loads(b).get("__type") for b in bodies]
        assert statuses[:2] == [None, None]  # the first two were created
        assert all(s == "ValidationException" for s in statuses[2:])
    for body in bodies:
        assert _leaks(body.decode()) == []
    for record in caplog.records:
        assert _leaks(record.getMessage()) == []
