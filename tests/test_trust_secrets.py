"""Secrets and personal data, across a full workflow with user access tasks.

No credential, OAuth code, e-mail address or user name may appear in any response
body, log record, repr, recorded call or snapshot -- except where the API itself
answers with them: BatchGetUserAccessTasks returns the user's e-mail and names to
the caller by design (and even there the recorded call redacts them).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from botocore.exceptions import ClientError
from helpers import (
    CONSOLE_REDIRECT,
    NO_CLIENT_VALIDATION,
    appfabric_client,
    credential_for,
    make_authorization,
    make_bundle,
    make_ingestion,
    poll_tasks,
)

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.recording import REDACTED

CLIENT_SECRET = "TRUST-client-secret-41d7"
ROTATED_SECRET = "TRUST-client-secret-rotated-09aa"
API_KEY = "TRUST-api-key-6c2e"
OAUTH_CODE = "TRUST-oauth-code-b81f"
CREDENTIALS = (CLIENT_SECRET, ROTATED_SECRET, API_KEY, OAUTH_CODE)
EMAIL = "trust.jane.marker@example.com"
OTHER_EMAIL = "trust.nobody.marker@example.com"
BAD_EMAIL = "trust-not-an-email-marker"
FIRST_NAME, LAST_NAME, USER_ID = "Trustfirstmarker", "Trustlastmarker", "TRUST-user-id-73"
PERSONAL = (EMAIL, OTHER_EMAIL, BAD_EMAIL, FIRST_NAME, LAST_NAME, USER_ID)
EVERYTHING = CREDENTIALS + PERSONAL


def _found(text: str, markers: Tuple[str, ...] = EVERYTHING) -> List[str]:
    return [marker for marker in markers if marker in text]


def _workflow(m: AppFabricMock, client: Any, loose: Any) -> None:
    bundle = make_bundle(client)
    slack = make_authorization(client, bundle, app="SLACK", tenant="T1", auth_type="oauth2",
                               credential=credential_for("oauth2", secret=CLIENT_SECRET))
    asana = make_authorization(client, bundle, app="ASANA", tenant="T2",
                               credential=credential_for("apiKey", api_key=API_KEY))
    slack_ids = {"appBundleIdentifier": bundle, "appAuthorizationIdentifier": slack["appAuthorizationArn"]}
    client.connect_app_authorization(**slack_ids, authRequest={"redirectUri": CONSOLE_REDIRECT, "code": OAUTH_CODE})
    client.connect_app_authorization(appBundleIdentifier=bundle,
                                     appAuthorizationIdentifier=asana["appAuthorizationArn"])
    make_ingestion(client, bundle, app="SLACK", tenant="T1")

    m.add_app_user(app="SLACK", tenant_id="T1", email=EMAIL, user_id=USER_ID, first_name=FIRST_NAME,
                   last_name=LAST_NAME)
    for email in (EMAIL, OTHER_EMAIL):
        tasks = client.start_user_access_tasks(appBundleIdentifier=bundle, email=email)
        task_ids = [t["taskId"] for t in tasks["userAccessTasksList"]]
        found = poll_tasks(client, bundle, task_ids)
        assert {r["resultStatus"] for r in found} == {"COMPLETED"}
    client.get_app_authorization(**slack_ids)
    client.list_app_authorizations(appBundleIdentifier=bundle)

    # Rejected requests that carry secrets or personal data.
    with pytest.raises(ClientError):
        loose.start_user_access_tasks(appBundleIdentifier=bundle, email=BAD_EMAIL)
    with pytest.raises(ClientError):
        loose.update_app_authorization(**slack_ids, credential={"apiKeyCredential": {"apiKey": API_KEY}})
    with pytest.raises(ClientError):
        loose.connect_app_authorization(**slack_ids, authRequest={"redirectUri": "http://x", "code": OAUTH_CODE})
    # A fault that fires on a call carrying a secret, and a fault whose predicate breaks (a logged 500).
    m.inject_fault("UpdateAppAuthorization", "ThrottlingException", times=1)
    with pytest.raises(ClientError):  # `loose` makes one attempt: no retry, no sleep
        loose.update_app_authorization(**slack_ids, credential=credential_for("oauth2", secret=ROTATED_SECRET))

    def broken(params: Any) -> bool:
        raise RuntimeError("the predicate failed")

    m.inject_fault("UpdateAppAuthorization", "ThrottlingException", when=broken)
    with pytest.raises(ClientError) as caught:
        loose.update_app_authorization(**slack_ids, credential=credential_for("oauth2", secret=ROTATED_SECRET))
    assert caught.value.response["Error"]["Code"] == "InternalServerException"
    m.clear_faults()
    client.update_app_authorization(**slack_ids, credential=credential_for("oauth2", secret=ROTATED_SECRET))


@pytest.fixture
def run(caplog: pytest.LogCaptureFixture) -> Iterator[Dict[str, Any]]:
    """The mock after the workflow, with every (operation, raw body) its clients received."""
    caplog.set_level(logging.DEBUG, logger="appfabric_mock")
    bodies: List[Tuple[str, bytes]] = []

    def on_after_call(http_response: Any, model: Any, **_: Any) -> None:
        bodies.append((model.name, http_response.content))

    with mock_appfabric() as m:
        client = appfabric_client()
        loose = appfabric_client(config=NO_CLIENT_VALIDATION)
        for each in (client, loose):
            each.meta.events.register("after-call.appfabric", on_after_call)
        _workflow(m, client, loose)
        yield {"mock": m, "bodies": bodies, "log": caplog.text, "records": list(caplog.records)}


def test_no_secret_or_personal_data_in_response_bodies(run: Dict[str, Any]) -> None:
    bodies: List[Tuple[str, bytes]] = run["bodies"]
    # 18 calls, and one more BatchGetUserAccessTasks per task list: the first read finds the tasks in progress.
    assert len(bodies) == len(run["mock"].calls) == 20
    for operation, body in bodies:
        text = body.decode()
        assert _found(text, CREDENTIALS) == [], operation
        if operation != "BatchGetUserAccessTasks":
            assert _found(text, PERSONAL) == [], operation
    # The one place the API returns the user to its caller, by design.
    batch = [json.loads(body) for operation, body in bodies if operation == "BatchGetUserAccessTasks"]
    assert batch[0]["userAccessResultsList"][0]["resultStatus"] == "IN_PROGRESS"
    jane = batch[1]["userAccessResultsList"][0]
    assert (jane["email"], jane["userFirstName"], jane["userId"]) == (EMAIL, FIRST_NAME, USER_ID)


def test_no_secret_or_personal_data_in_recorded_calls(run: Dict[str, Any]) -> None:
    m: AppFabricMock = run["mock"]
    calls = m.calls
    for call in calls:
        assert _found(repr(call)) == [], call.operation
        assert _found(json.dumps(call.to_json())) == [], call.operation
    batch = m.calls_to("BatchGetUserAccessTasks")[1].response["userAccessResultsList"][0]
    assert batch["email"] == batch["userFirstName"] == batch["userId"] == REDACTED
    assert {c.params["email"] for c in m.calls_to("StartUserAccessTasks")} == {REDACTED}
    assert [c.status for c in m.calls_to("UpdateAppAuthorization")] == [400, 429, 500, 200]


def test_no_secret_or_personal_data_in_logs(run: Dict[str, Any]) -> None:
    # The broken predicate made the dispatcher log an internal error, with its traceback.
    assert any(r.levelno >= logging.ERROR and r.name == "appfabric_mock" for r in run["records"])
    assert "the predicate failed" in run["log"]
    assert _found(run["log"]) == []
    for record in run["records"]:
        assert _found(record.getMessage()) == []
        assert _found(repr(record.args)) == []


def test_no_secret_or_personal_data_in_reprs_or_snapshots(run: Dict[str, Any]) -> None:
    m: AppFabricMock = run["mock"]
    state = m.state
    backend = m.backend()
    objects: List[Any] = [m, m.config, state, state.settings, state.store, state.recorder, state.faults,
                          backend, m.clock, *state.settings.app_users.values(), *backend.tasks.values()]
    for bundle in backend.bundles:
        objects += [bundle, *bundle.authorizations, *bundle.ingestions]
    for obj in objects:
        assert _found(repr(obj)) == [], type(obj)
        assert _found(str(obj)) == [], type(obj)
    assert len(backend.tasks) == 4
    assert _found(json.dumps(m.snapshot(json=True)) + repr(m.snapshot())) == []
    assert _found(json.dumps(m.resources(json=True)) + repr(m.resources())) == []
