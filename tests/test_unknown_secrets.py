"""Anything unknown inside a credential is a secret: never recorded, never echoed in an error.

A client that sends a member the model does not know inside a structure that holds a
secret (``{"apiKeyCredential": {"apiKey": "x", "bogus": "..."}}``), or a value of the
wrong type in such a structure's place, most likely sent a secret.  The requests go
raw (botocore would refuse to send them), in process and to the HTTP server.
"""

from __future__ import annotations

import http.client
import json
from typing import Any, Dict, List, Tuple

import pytest
from botocore.model import ShapeResolver
from helpers import CONSOLE_REDIRECT, label, raw_call

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.protocol.sensitive import secret_names
from appfabric_mock.protocol.validation import Validator
from appfabric_mock.recording import REDACTED
from appfabric_mock.server import ThreadedServer

MARKER = "SEKRET-7f3e2a"
TENANT = {"tenantIdentifier": "tenant-1", "tenantDisplayName": "Tenant"}

#: (request body, where the redacted value sits in the recorded parameters)
CREATE_CASES: List[Tuple[Dict[str, Any], Tuple[str, ...]]] = [
    # The probe that found the leak: an unknown member beside the API key.
    ({"app": "ASANA", "authType": "apiKey",
      "credential": {"apiKeyCredential": {"apiKey": "x", "bogus": MARKER}}},
     ("credential", "apiKeyCredential", "bogus")),
    ({"app": "SLACK", "authType": "oauth2",
      "credential": {"oauth2Credential": {"clientId": "c", "clientSecret": "s", "extra": {"deep": MARKER}}}},
     ("credential", "oauth2Credential", "extra")),
    # A union member the model does not have.
    ({"app": "ASANA", "authType": "apiKey", "credential": {"bogusCredential": {"token": MARKER}}},
     ("credential", "bogusCredential")),
    # Values of the wrong type where a structure that holds a secret belongs.
    ({"app": "ASANA", "authType": "apiKey", "credential": {"apiKeyCredential": MARKER}},
     ("credential", "apiKeyCredential")),
    ({"app": "ASANA", "authType": "apiKey", "credential": [MARKER]}, ("credential",)),
    ({"app": "ASANA", "authType": "apiKey", "credential": {"apiKeyCredential": {"apiKey": [MARKER]}}},
     ("credential", "apiKeyCredential", "apiKey")),
    ({"app": "ASANA", "authType": "apiKey",
      "credential": {"apiKeyCredential": {"apiKey": MARKER * 300}}},  # too long: a length message
     ("credential", "apiKeyCredential", "apiKey")),
]


def _dig(params: Dict[str, Any], path: Tuple[str, ...]) -> Any:
    value: Any = params
    for key in path:
        value = value[key]
    return value


def _bundle(m: AppFabricMock) -> str:
    _, created = raw_call(m.state, "POST", "/appbundles", {})
    return label(created["appBundle"]["arn"])


@pytest.mark.parametrize(("body", "where"), CREATE_CASES)
def test_create_app_authorization_records_no_unknown_secret(body: Dict[str, Any], where: Tuple[str, ...]) -> None:
    with mock_appfabric() as m:
        bundle = _bundle(m)
        response, answer = raw_call(m.state, "POST", f"/appbundles/{bundle}/appauthorizations",
                                    {**body, "tenant": TENANT})
        call = m.last_call
        assert call is not None and call.operation == "CreateAppAuthorization"
        assert _dig(call.params, where) == REDACTED
        assert MARKER not in response.body.decode()  # not echoed in a ValidationException either
        assert MARKER not in repr(m.calls)
        assert MARKER not in json.dumps([c.to_json() for c in m.calls])
        assert MARKER not in json.dumps(m.snapshot(json=True)) + repr(m.snapshot())


def test_update_and_connect_record_no_unknown_secret() -> None:
    with mock_appfabric() as m:
        bundle = _bundle(m)
        _, created = raw_call(m.state, "POST", f"/appbundles/{bundle}/appauthorizations", {
            "app": "SLACK", "authType": "oauth2", "tenant": TENANT,
            "credential": {"oauth2Credential": {"clientId": "c", "clientSecret": "s"}}})
        auth = label(created["appAuthorization"]["appAuthorizationArn"])
        path = f"/appbundles/{bundle}/appauthorizations/{auth}"
        raw_call(m.state, "PATCH", path, {
            "credential": {"oauth2Credential": {"clientId": "c", "clientSecret": "s", "bogus": MARKER}}})
        raw_call(m.state, "POST", f"{path}/connect", {
            "authRequest": {"redirectUri": CONSOLE_REDIRECT, "code": "code", "bogus": MARKER}})
        update, connect = m.calls[-2:]
        assert update.operation == "UpdateAppAuthorization"
        assert update.params["credential"]["oauth2Credential"]["bogus"] == REDACTED
        assert connect.operation == "ConnectAppAuthorization"
        assert connect.params["authRequest"] == {"redirectUri": CONSOLE_REDIRECT, "code": REDACTED,
                                                 "bogus": REDACTED}
        assert MARKER not in repr(m.calls)


def test_a_member_without_secrets_beside_is_still_recorded() -> None:
    # Only structures that hold a secret hide what they do not know: a tenant keeps its extras.
    with mock_appfabric() as m:
        bundle = _bundle(m)
        raw_call(m.state, "POST", f"/appbundles/{bundle}/appauthorizations", {
            "app": "ASANA", "authType": "apiKey", "tenant": {**TENANT, "note": "visible"},
            "credential": {"apiKeyCredential": {"apiKey": "x"}}})
        call = m.last_call
        assert call is not None and call.params["tenant"]["note"] == "visible"


def _http(server: ThreadedServer, method: str, path: str, body: Any = None) -> Tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        data = json.dumps(body) if body is not None else None
        connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_server_records_no_unknown_secret() -> None:
    with ThreadedServer() as server:
        status, created = _http(server, "POST", "/appbundles", {})
        assert status == 201, created
        bundle = label(json.loads(created)["appBundle"]["arn"])
        answers = [_http(server, "POST", f"/appbundles/{bundle}/appauthorizations", {**body, "tenant": TENANT})
                   for body, _ in CREATE_CASES]
        for _, answer in answers:
            assert MARKER not in answer.decode()
        status, listed = _http(server, "GET", "/_appfabric_mock/calls")
        assert status == 200, listed
        assert MARKER not in listed.decode()
        recorded = [c for c in json.loads(listed)["calls"] if c["operation"] == "CreateAppAuthorization"]
        assert len(recorded) == len(CREATE_CASES)
        for call, (_, where) in zip(recorded, CREATE_CASES):
            assert _dig(call["params"], where) == REDACTED
        assert MARKER not in repr(server.mock.calls)


def test_the_model_marks_the_secrets_the_project_names() -> None:
    # What is secret comes from the model alone: a botocore that stopped marking these fails here.
    assert {"clientSecret", "apiKey", "code", "email"} <= secret_names()


def test_validation_messages_hide_a_member_secret_only_by_name() -> None:
    shapes = ShapeResolver({
        "Request": {"type": "structure", "members": {
            "clientSecret": {"shape": "Lowercase"},  # not marked here, but a secret's name in AppFabric
            "note": {"shape": "Lowercase"},
            "holder": {"shape": "Holder"},
        }},
        "Holder": {"type": "structure", "members": {"token": {"shape": "Secret"}}},
        "Secret": {"type": "string", "sensitive": True},
        "Lowercase": {"type": "string", "pattern": "^[a-z]+$"},
    })
    request = shapes.get_shape_by_name("Request")
    problems = Validator().check(request, {"clientSecret": MARKER, "note": "VISIBLE-1", "holder": MARKER})
    text = " ".join(message for _, message in problems)
    assert [name for name, _ in problems] == ["clientSecret", "note", "holder"]
    assert MARKER not in text
    assert "Value 'VISIBLE-1' at 'note'" in text
