"""State files: every model round-trips, restarts lose nothing acknowledged, secrets stay out.

The round-trip test builds every model class with every field set from the field's
type, so a field added later that the state file cannot hold fails here first.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import http.client
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import typing
from pathlib import Path
from typing import Any, Dict, List, Tuple

import boto3
import pytest
from botocore.config import Config

from appfabric_mock import AppFabricMockWarning, mock_appfabric
from appfabric_mock.backend import codec
from appfabric_mock.backend.base import TRANSIENT_ATTRIBUTES
from appfabric_mock.backend.collection import Collection
from appfabric_mock.persistence import FORMAT_VERSION, KEY_ENV, StateFileError
from appfabric_mock.server import ThreadedServer

NO_RETRIES = Config(retries={"total_max_attempts": 1})
TOKEN = "11111111-1111-4111-8111-111111111111"
SECRET = "PERSISTED-SECRET-NEVER"
TIMEOUT = 30.0


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def client() -> Any:
    return boto3.client("appfabric", region_name="us-east-1", config=NO_RETRIES)


def api_key_authorization(appfabric: Any, bundle: str, api_key: str = SECRET, token: str = TOKEN) -> Dict[str, Any]:
    return dict(appfabric.create_app_authorization(
        appBundleIdentifier=bundle, app="ASANA", authType="apiKey",
        credential={"apiKeyCredential": {"apiKey": api_key}},
        tenant={"tenantIdentifier": "acme", "tenantDisplayName": "Acme"}, clientToken=token,
    )["appAuthorization"])


# -- every model, every field -------------------------------------------------------------------

_WHEN = _dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=_dt.timezone.utc)


def _sample(tp: Any, owner: str, name: str, default: Any) -> Any:
    """A value of type ``tp`` that differs from the field's default."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return _sample(inner, owner, name, None)
    if tp is str:
        return f"{owner}.{name}"
    if tp is bool:
        return not default if isinstance(default, bool) else True
    if tp is int:
        return 7 if default != 7 else 8
    if tp is float:
        return 2.5 if default != 2.5 else 3.5
    if tp is _dt.datetime:
        return _WHEN
    if tp is Any:
        return {"any": [1, "two", {"three": None}]}
    if origin in (dict, typing.Dict):
        key_type, value_type = args
        return {_sample(key_type, owner, name + "[key]", None): _sample(value_type, owner, name + "[value]", None)}
    if origin in (list, typing.List):
        return [_sample(args[0], owner, name + "[]", None)]
    if origin in (tuple, typing.Tuple):
        return tuple(_sample(a, owner, f"{name}[{i}]", None) for i, a in enumerate(args))
    if origin is Collection:
        collection: Collection[Any] = Collection()
        collection.add("00000000-0000-4000-8000-00000000000a", 3, _build(args[0]))
        return collection
    if isinstance(tp, type) and codec.MODEL_CLASSES.get(tp.__name__) is tp:
        return _build(tp)
    raise AssertionError(f"{owner}.{name} has a type ({tp!r}) that the state file cannot hold yet: teach "
                         f"appfabric_mock/backend/codec.py (and this test) about it")


def _build(cls: type) -> Any:
    module = sys.modules[cls.__module__]
    hints = typing.get_type_hints(cls, vars(module), {"Collection": Collection, **codec.MODEL_CLASSES})
    if dataclasses.is_dataclass(cls):
        defaults = {f.name: (f.default if f.default is not dataclasses.MISSING else
                             f.default_factory() if f.default_factory is not dataclasses.MISSING else None)  # type: ignore[misc]
                    for f in dataclasses.fields(cls)}
    else:
        defaults = {name: getattr(cls, "_field_defaults", {}).get(name) for name in cls._fields}  # type: ignore[attr-defined]
    values = {name: _sample(hints[name], cls.__name__, name, default) for name, default in defaults.items()}
    for name, value in values.items():
        assert value != defaults[name] or isinstance(value, Collection), f"{cls.__name__}.{name} is not set"
    return cls(**values)


def _plain(value: Any) -> Any:
    """A comparable form: models by their fields, collections by their entries."""
    if isinstance(value, Collection):
        return [(key, seq, _plain(item)) for key, seq, item in value.entries()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, {k: _plain(v) for k, v in value._asdict().items()})
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


@pytest.mark.parametrize("name", sorted(codec.MODEL_CLASSES))
def test_every_model_round_trips_with_every_field_set(name: str) -> None:
    model = _build(codec.MODEL_CLASSES[name])
    saved = json.loads(json.dumps(codec.encode(model)))  # through JSON text, as in a file
    assert _plain(codec.decode(saved)) == _plain(model)


def test_the_models_are_every_dataclass_of_their_modules() -> None:
    from appfabric_mock.backend import apps, models

    found = {name for module in (models, apps) for name, value in vars(module).items()
             if isinstance(value, type) and value.__module__ == module.__name__
             and (dataclasses.is_dataclass(value) or hasattr(value, "_fields"))}
    assert found == set(codec.MODEL_CLASSES)


def test_the_data_planes_state_round_trips_with_every_field_set() -> None:
    # The data plane saves its state with functions of its own (appfabric_mock/delivery/models.py).
    from appfabric_mock.delivery import models as delivery_models

    classes = {"Delivery": delivery_models.Delivery, "DeliveryState": delivery_models.DeliveryState}
    with _extra_models(classes):
        state = _build(delivery_models.DeliveryState)
    saved = json.loads(json.dumps(delivery_models.state_to_json(state)))
    assert _plain(delivery_models.state_from_json(saved)) == _plain(state)


class _extra_models:
    """Let the builder build these classes too (the codec does not save them itself)."""

    def __init__(self, classes: Dict[str, type]) -> None:
        self.classes = classes

    def __enter__(self) -> None:
        codec.MODEL_CLASSES.update(self.classes)

    def __exit__(self, *exc: Any) -> None:
        for name in self.classes:
            codec.MODEL_CLASSES.pop(name, None)


def test_values_the_state_file_cannot_hold_are_an_error_not_a_loss() -> None:
    with pytest.raises(TypeError, match="teach appfabric_mock/backend/codec.py"):
        codec.encode({"lock": threading.Lock()})
    for damaged in ({"$model": "Nope", "fields": {}}, {"$model": "AppUser", "fields": {"app": "A", "x": 1}},
                    {"$datetime": "yesterday"}, {"$map": [[1]]}, {"other": 1}, {"$collection": [["a", "b", 1]]}):
        with pytest.raises(codec.CodecError):
            codec.decode(damaged)


# -- a whole state --------------------------------------------------------------------------------


def _populate(m: Any) -> Dict[str, Any]:
    appfabric = client()
    bundle = appfabric.create_app_bundle(clientToken=TOKEN, tags=[{"key": "team", "value": "sec"}])["appBundle"]["arn"]
    auth = api_key_authorization(appfabric, bundle)
    appfabric.connect_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=auth["appAuthorizationArn"])
    ingestion = appfabric.create_ingestion(appBundleIdentifier=bundle, app="ASANA", tenantId="acme",
                                           ingestionType="auditLog", clientToken=TOKEN)["ingestion"]["arn"]
    destination = appfabric.create_ingestion_destination(
        appBundleIdentifier=bundle, ingestionIdentifier=ingestion, clientToken=TOKEN,
        processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "logs"}}}},
    )["ingestionDestination"]["arn"]
    m.add_app_user(app="ASANA", tenant_id="acme", email="ada@example.com", user_id="U1", first_name="Ada")
    task = appfabric.start_user_access_tasks(appBundleIdentifier=bundle, email="ada@example.com")
    m.map_access_key("AKIDPARTNER", "210987654321")
    m.deny("appfabric:DeleteAppBundle", ["AKIDNOBODY"])
    m.deliver_audit_logs(ingestion, count=2)
    return {"bundle": bundle, "auth": auth["appAuthorizationArn"], "ingestion": ingestion,
            "destination": destination, "task": task["userAccessTasksList"][0]["taskId"]}


def test_a_state_round_trips_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    options: Dict[str, Any] = dict(quotas={"app_bundles": 3}, strict_apps=True, extra_apps=["ACME"], seed=7,
                                   now="2024-03-01T12:00:00Z", default_page_size=50, strict_regions=True,
                                   max_recorded_calls=500, delivery_interval=600, events_per_delivery=3)
    with mock_appfabric(**options) as m:
        arns = _populate(m)
        snapshot = m.snapshot()
        backend = m.backend()
        saved_backend = codec.encode_backend(backend)
        # Every attribute of a backend but its identity is state, and is saved.
        assert set(saved_backend) == set(vars(backend)) - TRANSIENT_ATTRIBUTES
        assert all(vars(backend)[name] for name in saved_backend), "populate every attribute"
        deliveries = [d.to_json() for d in m.deliveries]
        assert m.save(path) == str(path)
        next_ids = [m.state.settings.ids.uuid() for _ in range(3)]
    with mock_appfabric() as m:
        m.load(path)
        assert m.snapshot() == snapshot
        assert codec.encode_backend(m.backend()) == saved_backend
        settings = m.state.settings
        assert settings.quotas["app_bundles"] == 3 and settings.strict_apps and "ACME" in settings.known_apps
        assert settings.default_page_size == 50 and m.state.strict_regions
        assert m.clock.frozen and m.clock.now().isoformat() == "2024-03-01T12:00:00+00:00"
        assert [settings.ids.uuid() for _ in range(3)] == next_ids  # the seeded sequence goes on, no repeat
        assert m.state.account_for("AKIDPARTNER") == "210987654321"
        assert [(r.action, r.effect) for r in m.state.access.rules] == [("appfabric:DeleteAppBundle", "Deny")]
        assert m.state.recorder.limit == 500
        assert (m.state.data_plane.interval, m.state.data_plane.events_per_delivery) == (600.0, 3)
        assert [d.to_json() for d in m.deliveries] == deliveries
        appfabric = client()
        # Idempotency tokens survive: the same request is the same resource, another is a mismatch.
        again = api_key_authorization(appfabric, arns["bundle"])
        assert again["appAuthorizationArn"] == arns["auth"]
        with pytest.raises(appfabric.exceptions.ClientError, match="IdempotentParameterMismatch"):
            api_key_authorization(appfabric, arns["bundle"], api_key="another-secret")
        result = appfabric.batch_get_user_access_tasks(appBundleIdentifier=arns["bundle"], taskIdList=[arns["task"]])
        assert result["userAccessResultsList"][0]["taskId"] == arns["task"]


def test_the_file_holds_no_secret_and_no_key(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path) as m:
        appfabric = client()
        bundle = appfabric.create_app_bundle()["appBundle"]["arn"]
        api_key_authorization(appfabric, bundle)
        appfabric.create_app_authorization(
            appBundleIdentifier=bundle, app="SLACK", authType="oauth2", clientToken=TOKEN.replace("1", "2"),
            credential={"oauth2Credential": {"clientId": "cid", "clientSecret": SECRET + "-CLIENT"}},
            tenant={"tenantIdentifier": "T1", "tenantDisplayName": "Workspace"})
        key = m.state.settings.digest_key
    text = path.read_text()
    assert SECRET not in text
    assert key.hex() not in text and "digest_key" not in text
    key_file = Path(str(path) + ".key")
    assert bytes.fromhex(key_file.read_text().strip()) == key
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Without its key the file's digests cannot be used: a clear error, not a silent start.
    key_file.unlink()
    with pytest.raises(StateFileError, match=f"{path}: its idempotency digests were made with another key"), \
            mock_appfabric(state_file=path):
        pass


def test_a_user_key_replaces_the_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path, state_key="my key"):
        api_key_authorization(client(), client().create_app_bundle()["appBundle"]["arn"])
    assert not Path(str(path) + ".key").exists()
    with pytest.raises(StateFileError, match="another key"), mock_appfabric(state_file=path, state_key="not my key"):
        pass
    monkeypatch.setenv(KEY_ENV, "my key")
    with mock_appfabric(state_file=path) as m:
        assert len(m.resources()) == 2


def test_a_file_without_digests_needs_no_key(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path):
        client().create_app_bundle()
    # The same state without its idempotency digests (boto3 sent a client token: drop it).
    Path(str(path) + ".key").unlink()
    document = json.loads(path.read_text())
    document["keyCheck"] = None
    for backend in document["state"]["backends"]:
        backend["state"]["_idempotency"] = {"$map": []}
    path.write_text(json.dumps(document))
    with mock_appfabric(state_file=path) as m:
        assert len(m.resources()) == 1


@pytest.mark.parametrize("content, message", [
    (b"", "not JSON"),
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not a state file of appfabric-mock"),
    (b'{"format": "something-else", "version": 1}', "not a state file of appfabric-mock"),
    (json.dumps({"format": "appfabric-mock-state", "version": FORMAT_VERSION + 1}).encode(),
     "written by a newer appfabric-mock"),
    (json.dumps({"format": "appfabric-mock-state", "version": "1"}).encode(), "bad version"),
    (json.dumps({"format": "appfabric-mock-state", "version": 1, "keyCheck": None, "state": {}}).encode(),
     "damaged state file"),
])
def test_a_bad_file_is_a_clear_error_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as caught, mock_appfabric(state_file=path):
        pass
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert path.read_bytes() == content  # never overwritten by an empty state


def test_a_damaged_file_leaves_a_running_mock_as_it_was(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    with mock_appfabric() as m:
        client().create_app_bundle()
        m.save(good)
        document = json.loads(good.read_text())
        document["state"]["backends"][0]["state"]["bundles"]["$collection"][0][2]["fields"]["color"] = "red"
        bad.write_text(json.dumps(document))
        Path(str(bad) + ".key").write_bytes(Path(str(good) + ".key").read_bytes())
        before = m.snapshot()
        with pytest.raises(StateFileError, match="has no field"):
            m.load(bad)
        assert m.snapshot() == before
        with pytest.raises(ValueError, match="no state_file"):
            m.save()


def test_a_save_that_fails_keeps_the_old_file_and_fails_the_call(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path, quotas=None):
        client().create_app_bundle()
        before = path.read_bytes()

        def broken(*args: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", broken)
        with pytest.raises(client().exceptions.InternalServerException):
            client().create_app_bundle()  # never acknowledged: the client sees a failure
        monkeypatch.undo()
    assert json.loads(before)["state"]["backends"]  # the old file is intact, no temporary file left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.key"]


def test_loading_a_saved_state_warns_about_options_it_ignores(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path, quotas={"app_bundles": 2}):
        client().create_app_bundle()
    with pytest.warns(AppFabricMockWarning, match=r"option\(s\) quotas apply only to a fresh state"), \
            mock_appfabric(state_file=path, quotas={"app_bundles": 9}) as m:
        assert m.state.settings.quotas["app_bundles"] == 2


def test_test_controls_are_saved_at_stop(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path) as m:
        m.add_app_user(app="ASANA", tenant_id="acme", email="ada@example.com")
        m.clock.freeze("2030-01-01T00:00:00Z")
    with mock_appfabric(state_file=path) as m:
        assert ("ASANA", "acme", "ada@example.com") in m.state.settings.app_users
        assert m.clock.now().year == 2030


# -- server mode -----------------------------------------------------------------------------------


def _request(port: int, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json"} if method == "POST" else {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def test_the_control_api_saves_and_loads_the_servers_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with ThreadedServer(state_file=str(path), quotas=None) as server:
        assert _request(server.port, "POST", "/appbundles", {})[0] == 201
        assert _request(server.port, "POST", "/_appfabric_mock/save") == (200, {"path": str(path)})
        # Another change is saved as it happens; loading the file gives it back.
        assert _request(server.port, "POST", "/appbundles", {})[0] == 201
        assert _request(server.port, "POST", "/_appfabric_mock/reset")[0] == 200
        assert server.mock.resources() == []
        assert _request(server.port, "POST", "/_appfabric_mock/load") == (200, {"path": str(path)})
        assert server.mock.resources() == []  # reset was a change too, saved before its answer
    with ThreadedServer() as plain:
        status, answer = _request(plain.port, "POST", "/_appfabric_mock/save")
        assert status == 400 and "--state-file" in answer["error"]


def _spawn(path: Path) -> Tuple[subprocess.Popen, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APPFABRIC_MOCK_"))}
    proc = subprocess.Popen([sys.executable, "-m", "appfabric_mock", "server", "--port", "0", "--quiet",
                             "--state-file", str(path), "--option", "quotas=null"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("appfabric-mock serving on "):
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r} {proc.communicate(timeout=10)[1]}")
    return proc, int(line.rsplit(":", 1)[1])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_kill_9_in_a_burst_of_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    proc, port = _spawn(path)
    acknowledged: List[str] = []
    enough = threading.Event()
    lock = threading.Lock()

    def writer(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            for number in range(10_000):
                tags = [{"key": "w", "value": f"{index}-{number}"}]
                conn.request("POST", "/appbundles", body=json.dumps({"tags": tags}),
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                body = response.read()
                assert response.status == 201
                with lock:
                    acknowledged.append(json.loads(body)["appBundle"]["arn"])
                    if len(acknowledged) >= 60:
                        enough.set()
        except (OSError, http.client.HTTPException):
            return  # the server was killed
        finally:
            conn.close()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(4)]
    try:
        for thread in threads:
            thread.start()
        assert enough.wait(120)
        proc.send_signal(signal.SIGKILL)  # in the middle of the burst
        proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
        for thread in threads:
            thread.join(TIMEOUT)
    assert proc.returncode == -signal.SIGKILL
    restarted, port = _spawn(path)
    try:
        found: List[str] = []
        query = ""
        while True:
            status, page = _request(port, "GET", "/appbundles" + query)
            assert status == 200
            found.extend(item["arn"] for item in page["appBundleSummaryList"])
            if not page.get("nextToken"):
                break
            query = "?nextToken=" + page["nextToken"]
        assert set(acknowledged) <= set(found)
        assert len(found) - len(acknowledged) <= 4  # at most one unacknowledged write per writer
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.communicate(timeout=TIMEOUT)
    assert restarted.returncode == 0


def test_the_command_line_refuses_a_damaged_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{oops")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APPFABRIC_MOCK_"))}
    done = subprocess.run([sys.executable, "-m", "appfabric_mock", "server", "--port", "0", "--state-file", str(path)],
                          capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert done.returncode == 1
    assert f"appfabric-mock: {path}: not a state file of appfabric-mock" in done.stderr
    assert "Traceback" not in done.stderr
