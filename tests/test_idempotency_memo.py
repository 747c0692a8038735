"""What a client token keeps: enough to repeat the first answer exactly, in little memory, in state files too.

A CreateAppAuthorization token keeps the values its first answer is rebuilt from rather
than the answer (appfabric_mock/backend/authorizations.py); the request digest is kept as
bytes, and state files of older versions (hex digests, whole answers) still load.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any, Dict, List

import boto3
import pytest
from botocore.config import Config

from appfabric_mock import mock_appfabric
from appfabric_mock.backend import codec
from appfabric_mock.backend.collection import Collection
from appfabric_mock.persistence import KEY_ENV

OLD_STATE = Path(__file__).parent / "data" / "state_v1_full_answers.json"
OLD_STATE_KEY = "fixture key"
OLD_OAUTH_TOKEN = "11111111-1111-4111-8111-111111111111"
TOKEN = "7b0b6b1e-3f0a-4c55-9d3a-0f6d1c2b3a41"
OTHER_TOKEN = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
OAUTH = {"oauth2Credential": {"clientId": "memo-client", "clientSecret": "MEMO-CLIENT-SECRET"}}
API_KEY = {"apiKeyCredential": {"apiKey": "MEMO-API-KEY"}}


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def client() -> Any:
    return boto3.client("appfabric", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))


def create_oauth(api: Any, bundle: str, token: str = TOKEN, tenant: str = "T1") -> Dict[str, Any]:
    return dict(api.create_app_authorization(
        appBundleIdentifier=bundle, app="SLACK", authType="oauth2", credential=OAUTH, clientToken=token,
        tenant={"tenantIdentifier": tenant, "tenantDisplayName": "Workspace one"},
    )["appAuthorization"])


def create_api_key(api: Any, bundle: str, token: str = TOKEN, api_key: str = "MEMO-API-KEY") -> Dict[str, Any]:
    return dict(api.create_app_authorization(
        appBundleIdentifier=bundle, app="ASANA", authType="apiKey", clientToken=token,
        credential={"apiKeyCredential": {"apiKey": api_key}},
        tenant={"tenantIdentifier": "acme", "tenantDisplayName": "Acme"},
    )["appAuthorization"])


def change_then_delete(api: Any, bundle: str, arn: str, credential: Dict[str, Any]) -> None:
    """Every change an authorization can go through (credential, tenant, status), then its deletion."""
    api.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn,
                                  authRequest={"redirectUri": "https://example.com/cb", "code": "MEMO-CODE"})
    api.update_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn, credential=credential,
                                 tenant={"tenantIdentifier": "T-moved", "tenantDisplayName": "Moved"})
    api.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn)


@pytest.mark.parametrize("create, new_credential", [
    (create_oauth, {"oauth2Credential": {"clientId": "other-client", "clientSecret": "OTHER-SECRET"}}),
    (create_api_key, {"apiKeyCredential": {"apiKey": "NEW-KEY"}}),
], ids=["oauth2", "apiKey"])
def test_a_retry_after_changes_and_deletion_repeats_the_first_answer_exactly(create: Any, new_credential: Any) -> None:
    with mock_appfabric(now="2026-01-02T03:04:05Z") as m:
        api = client()
        bundle = api.create_app_bundle()["appBundle"]["arn"]
        first = create(api, bundle)
        m.clock.advance(90)
        change_then_delete(api, bundle, first["appAuthorizationArn"], new_credential)
        again = create(api, bundle)
        # The same authUrl (its OAuth state included), tenant, status and times as the first answer.
        assert again == first
        assert first["status"] == "PendingConnect" and first["updatedAt"] == first["createdAt"]
        if create is create_oauth:
            assert "client_id=memo-client&" in first["authUrl"]
        else:
            assert "authUrl" not in first
        assert api.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"] == []


def test_a_retry_while_the_authorization_lives_shows_its_current_state() -> None:
    with mock_appfabric(now="2026-01-02T03:04:05Z") as m:
        api = client()
        bundle = api.create_app_bundle()["appBundle"]["arn"]
        first = create_oauth(api, bundle)
        m.clock.advance(90)
        arn = first["appAuthorizationArn"]
        api.update_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=arn,
                                     tenant={"tenantIdentifier": "T-moved", "tenantDisplayName": "Moved"})
        again = create_oauth(api, bundle)
        assert again["appAuthorizationArn"] == arn
        assert again["tenant"] == {"tenantIdentifier": "T-moved", "tenantDisplayName": "Moved"}
        assert again["updatedAt"] > first["updatedAt"]
        # Every read of an oauth2 authorization carries a fresh OAuth state.
        assert again["authUrl"] != first["authUrl"]


def test_the_kept_values_hold_no_secret_and_the_digest_is_bytes() -> None:
    with mock_appfabric() as m:
        api = client()
        bundle = api.create_app_bundle()["appBundle"]["arn"]
        create_oauth(api, bundle)
        create_api_key(api, bundle, token=OTHER_TOKEN)
        entries = m.backend()._idempotency
        assert len(entries) == 3
        for digest, _arn, _kept, _expires in entries.values():
            assert type(digest) is bytes and len(digest) == 32
        text = repr(entries) + json.dumps(codec.encode(entries))
        for secret in ("MEMO-CLIENT-SECRET", "MEMO-API-KEY"):
            assert secret not in text


def test_a_state_file_keeps_what_repeats_the_first_answer(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path, now="2026-01-02T03:04:05Z") as m:
        api = client()
        bundle = api.create_app_bundle()["appBundle"]["arn"]
        first = create_oauth(api, bundle)
        kept = create_api_key(api, bundle, token=OTHER_TOKEN)
        m.clock.advance(90)
        change_then_delete(api, bundle, first["appAuthorizationArn"], OAUTH)
    text = path.read_text()
    assert "MEMO-CLIENT-SECRET" not in text and "MEMO-API-KEY" not in text and "MEMO-CODE" not in text
    assert '"$bytes"' in text
    with mock_appfabric(state_file=path):
        api = client()
        assert create_oauth(api, bundle) == first
        assert create_api_key(api, bundle, token=OTHER_TOKEN)["appAuthorizationArn"] == kept["appAuthorizationArn"]
        # The digests survive the file: another secret is still another request.
        with pytest.raises(api.exceptions.ClientError, match="IdempotentParameterMismatch"):
            create_api_key(api, bundle, token=OTHER_TOKEN, api_key="ANOTHER-KEY")


def _load_old_state(tmp_path: Path) -> Path:
    path = tmp_path / "state.json"
    shutil.copyfile(OLD_STATE, path)
    return path


def retry_old_oauth(api: Any, bundle: str) -> Dict[str, Any]:
    """The request that made the old state file's oauth2 authorization, again."""
    return dict(api.create_app_authorization(
        appBundleIdentifier=bundle, app="SLACK", authType="oauth2", clientToken=OLD_OAUTH_TOKEN,
        credential={"oauth2Credential": {"clientId": "fixture-client", "clientSecret": "FIXTURE-SECRET"}},
        tenant={"tenantIdentifier": "T0FIXTURE", "tenantDisplayName": "Fixture workspace"},
    )["appAuthorization"])


def test_a_state_file_of_the_previous_form_loads_and_answers_as_it_did(tmp_path: Path) -> None:
    # Written by appfabric-mock before client tokens kept bytes and rebuilt answers: hex digests and
    # whole first answers.  Its oauth2 authorization (token 1111...) was changed and deleted; its
    # apiKey one (token 2222...) lives.
    path = _load_old_state(tmp_path)
    document = json.loads(path.read_text())
    saved_answers = {}
    for key, entry in document["state"]["backends"][0]["state"]["_idempotency"]["$map"]:
        digest, arn, answer, _expires = entry["$tuple"]
        assert isinstance(digest, str) and len(digest) == 64
        saved_answers[key["$tuple"][2], key["$tuple"][0]] = codec.decode(answer)
    first = saved_answers[OLD_OAUTH_TOKEN, "CreateAppAuthorization"]["appAuthorization"]
    bundle = first["appBundleArn"]
    with mock_appfabric(state_file=path, state_key=OLD_STATE_KEY) as m:
        api = client()
        again = retry_old_oauth(api, bundle)
        assert again == first
        assert again["authUrl"].endswith("&state=309d6b79965e4a329ae445508201e2bd")
        apikey = dict(tenant={"tenantIdentifier": "acme", "tenantDisplayName": "Acme"}, app="ASANA", authType="apiKey",
                      appBundleIdentifier=bundle, clientToken="22222222-2222-4222-8222-222222222222")
        live = api.create_app_authorization(credential={"apiKeyCredential": {"apiKey": "FIXTURE-API-KEY"}}, **apikey)
        assert live["appAuthorization"]["status"] == "PendingConnect"
        with pytest.raises(api.exceptions.ClientError, match="IdempotentParameterMismatch"):
            api.create_app_authorization(credential={"apiKeyCredential": {"apiKey": "OTHER"}}, **apikey)
        # In memory, the digests are today's bytes.
        assert all(type(entry[0]) is bytes for entry in m.backend()._idempotency.values())
        m.save(path)
    # Saved again in today's form, and still the same answers.
    assert '"$bytes"' in path.read_text()
    with mock_appfabric(state_file=path, state_key=OLD_STATE_KEY):
        api = client()
        again = retry_old_oauth(api, bundle)
        assert again == first


@pytest.mark.parametrize("damage", [
    lambda entry: entry["$tuple"].__setitem__(0, "not hex"),
    lambda entry: entry["$tuple"].__setitem__(0, 7),
    lambda entry: entry["$tuple"].pop(),
    lambda entry: entry["$tuple"].__setitem__(3, "tomorrow"),
])
def test_a_damaged_client_token_entry_is_a_clear_error(tmp_path: Path, damage: Any) -> None:
    from appfabric_mock.persistence import StateFileError

    path = _load_old_state(tmp_path)
    document = json.loads(path.read_text())
    damage(document["state"]["backends"][0]["state"]["_idempotency"]["$map"][0][1])
    path.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match="client token"), mock_appfabric(state_file=path, state_key=OLD_STATE_KEY):
        pass


def test_bytes_round_trip_through_the_codec() -> None:
    value = {"digest": b"\x00\xffab", "nested": (b"",)}
    assert codec.decode(json.loads(json.dumps(codec.encode(value)))) == value
    with pytest.raises(codec.CodecError, match="bad bytes"):
        codec.decode({"$bytes": "xyz"})
    with pytest.raises(codec.CodecError, match="bad bytes"):
        codec.decode({"$bytes": 12})


def test_concurrent_retries_of_one_token_make_one_authorization() -> None:
    with mock_appfabric(quotas=None):
        bundle = client().create_app_bundle()["appBundle"]["arn"]
        arns: List[str] = []
        failures: List[BaseException] = []
        start = threading.Barrier(8)

        def retry() -> None:
            api = client()
            start.wait()
            try:
                arns.append(create_oauth(api, bundle)["appAuthorizationArn"])
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=retry) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures and len(arns) == 8 and len(set(arns)) == 1
        listed = client().list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"]
        assert [a["appAuthorizationArn"] for a in listed] == arns[:1]


# -- the index by key: one resource held bare, several in a list -------------------------------


class _Item:
    def __init__(self, key: str) -> None:
        self.key = key


def test_an_index_answers_in_creation_order_as_keys_gain_and_lose_resources() -> None:
    items: Collection[_Item] = Collection()
    a, b, c = _Item("k"), _Item("k"), _Item("other")
    items.add("a", 1, a)
    items.index_by(lambda item: item.key)  # indexes what is already there
    assert items.find("k") == [a] and items.find("missing") == []
    items.add("b", 2, b)
    items.add("c", 3, c)
    assert items.find("k") == [a, b] and items.find("other") == [c]
    found = items.find("k")
    found.clear()  # a copy: the index is not changed through it
    assert items.find("k") == [a, b]
    items.remove("a", 1)
    assert items.find("k") == [b]
    items.add("a2", 4, a)
    assert items.find("k") == [b, a]
    # An older resource moving to a key keeps creation order there.
    c.key = "k"
    items.reindex(c, "other")
    assert items.find("k") == [b, c, a] and items.find("other") == []
    b.key = "other"
    items.reindex(b, "k")
    assert items.find("k") == [c, a] and items.find("other") == [b]
    items.remove("a2", 4)
    items.remove("c", 3)
    assert items.find("k") == [] and items.find("other") == [b]
    items.remove("b", 2)
    assert items.find("other") == [] and len(items) == 0
