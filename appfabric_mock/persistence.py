"""Saving a mock's state to a file and loading it again: restarts lose nothing.

``mock_appfabric(state_file=PATH)``, ``ThreadedServer(state_file=PATH)`` and
``appfabric-mock server --state-file PATH`` load the state from ``PATH`` when it
exists, then save it after every call that may have changed it, before the
call is answered: a client that got an answer finds its change after any
crash, ``kill -9`` included.  Each save writes a new file, flushes it to disk
(``fsync``) and renames it over the old one, so the file is always either the
old state or the new one, never half of each.  :meth:`AppFabricMock.save`
and :meth:`AppFabricMock.load` (and the control actions ``save`` and ``load``)
do the same on demand.

What is saved: every resource of every account and region, user access
tasks, idempotency tokens (with their expiry), the counters that order
listings, the clock when frozen, the id generator's position when seeded,
registered app users, the account map, access rules, the configuration
(quotas, apps, strictness, page size, the bounds of the call log and of deliveries) and the data plane
(audit-log deliveries made, the delivery schedule, the in-memory sink's
objects and records).  Not saved: the delivery sink chosen (a process's),
recorded calls (a log), injected faults (their predicates may be Python
functions) and the wall clock.

**Secrets.** The mock keeps no credential.  What it keeps of an idempotent
request is a keyed digest (BLAKE2b) of its parameters, which include the
client secret or API key, so that a retry with another secret is refused.
Stored together with its key, such a digest would protect nothing: anyone
holding the file could test guesses of a weak secret offline.  So the key is
never written into the state file: it is the user's (``state_key`` option or
``APPFABRIC_MOCK_STATE_KEY``, hashed), or else a random key kept in
``PATH.key`` (mode 0600) beside the state file.  The state file alone (a CI
artefact, a bug report, a fixture in a repository) then reveals nothing about
any secret; loading it needs the same key, checked against a key check value
in the file (when the file holds digests).  The state file itself is written
with mode 0600 (it may hold the e-mail addresses of registered users).

A file that is not a state file, is damaged, or was written by a newer
appfabric-mock is a :class:`StateFileError` naming the file: never a silent
empty start.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
import threading
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

from .backend.codec import CodecError, decode, decode_backend, encode, encode_backend
from .state import MockState

if TYPE_CHECKING:
    from .backend.backend import AppFabricBackend
    from .backend.settings import Settings

__all__ = ["FORMAT", "FORMAT_VERSION", "KEY_ENV", "StateFile", "StateFileError", "attach", "flush", "load", "save"]

#: The ``format`` member of every state file.
FORMAT = "appfabric-mock-state"
#: The layout version this code writes (and the newest it reads).
FORMAT_VERSION = 1
#: Environment variable: the key of the state file's digests (any text; it is hashed).
KEY_ENV = "APPFABRIC_MOCK_STATE_KEY"

PathLike = Union[str, "os.PathLike[str]"]
#: Settings saved in their own way (the clock and ids) or never (the lock, the digest key).
_SPECIAL_SETTINGS = frozenset({"clock", "ids", "lock", "_digest_key"})


class StateFileError(ValueError):
    """A state file that cannot be read, or whose key is not at hand; the message names the file."""


def _derive_key(secret: Union[str, bytes]) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return hashlib.blake2b(raw, digest_size=32, person=b"afm-state-key").digest()


def _key_check(key: bytes) -> str:
    return hashlib.blake2b(b"appfabric-mock key check", key=key, digest_size=16).hexdigest()


def _key_path(path: str) -> str:
    return path + ".key"


def _user_key(key: Optional[Union[str, bytes]]) -> Optional[bytes]:
    if key is None:
        key = os.environ.get(KEY_ENV) or None
    if key is None:
        return None
    if not key:
        raise ValueError("the state key must not be empty")
    return _derive_key(key)


def _read_key_file(path: str) -> Optional[bytes]:
    try:
        with open(_key_path(path), encoding="ascii") as handle:
            return bytes.fromhex(handle.read().strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StateFileError(f"{_key_path(path)}: not a key file of appfabric-mock ({exc})") from None


def _write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one (mode 0600)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # the rename itself must survive a crash (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# -- the document -------------------------------------------------------------------------


def _dump(state: MockState) -> Dict[str, Any]:
    settings = state.settings
    with settings.lock:
        saved_settings = {f.name: encode(getattr(settings, f.name)) for f in _settings_fields(settings)}
        clock = settings.clock
        ids = settings.ids
        saved_settings["clock"] = {"frozen": clock.now().isoformat() if clock.frozen else None}
        position = ids.position()
        saved_settings["ids"] = {"seed": ids.seed, "random": encode(position) if position is not None else None}
    backends: List[Dict[str, Any]] = []
    has_digests = False
    for (account, region), backend in state.store.items():
        with backend.lock:
            if backend.is_empty():
                continue
            has_digests = has_digests or bool(backend._idempotency)
            backends.append({"account": account, "region": region, "state": encode_backend(backend)})
    access = state.access
    limit = state.recorder.limit
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "savedAt": _dt.datetime.now(_dt.timezone.utc).isoformat(),
        # Only a check value: the key itself is never in this file (see the module docstring).
        "keyCheck": _key_check(settings.digest_key) if has_digests else None,
        "state": {
            "defaultAccountId": state.default_account_id,
            "accounts": dict(state.accounts),
            "strictRegions": state.strict_regions,
            "checkResponses": state.check_responses,
            "maxRecordedCalls": limit,
            "settings": saved_settings,
            "access": [[r.action, r.effect, sorted(r.access_key_ids) if r.access_key_ids is not None else None]
                       for r in access.rules] if access is not None else [],
            "backends": backends,
            # Audit-log deliveries (appfabric_mock.delivery): their record, schedule and in-memory sink.
            "dataPlane": state.data_plane.dump(),
        },
    }


def _settings_fields(settings: "Settings") -> List[Any]:
    import dataclasses

    return [f for f in dataclasses.fields(settings) if f.name not in _SPECIAL_SETTINGS]


class _Loaded:
    """A decoded state file, ready to swap into a running mock."""

    def __init__(self, document: Dict[str, Any], state: MockState, key: Optional[bytes]) -> None:
        body = document["state"]
        settings = state.settings
        saved = dict(body["settings"])
        clock = saved.pop("clock")
        ids = saved.pop("ids")
        known = {f.name for f in _settings_fields(settings)}
        unknown = sorted(set(saved) - known)
        if unknown:
            raise CodecError(f"settings have no field(s) {', '.join(unknown)}")
        self.settings = {name: decode(value) for name, value in saved.items()}
        frozen = clock["frozen"]
        self.frozen: Optional[_dt.datetime] = _dt.datetime.fromisoformat(frozen) if frozen else None
        self.seed = ids["seed"]
        self.random_state = decode(ids["random"]) if ids["random"] is not None else None
        self.default_account_id = str(body["defaultAccountId"])
        self.accounts = {str(k): str(v) for k, v in dict(body["accounts"]).items()}
        self.strict_regions = bool(body["strictRegions"])
        self.check_responses = bool(body["checkResponses"])
        self.max_recorded_calls = body["maxRecordedCalls"]
        self.access: List[Tuple[str, str, Optional[List[str]]]] = [tuple(rule) for rule in body["access"]]  # type: ignore
        self.key = key
        saved_plane = body.get("dataPlane")  # absent in files written before the data plane
        self.data_plane = state.data_plane.parse(saved_plane) if saved_plane is not None else None
        self.backends: Dict[Tuple[str, str], "AppFabricBackend"] = {}
        for entry in body["backends"]:
            account, region = str(entry["account"]), str(entry["region"])
            self.backends[(account, region)] = decode_backend(account, region, settings, entry["state"])

    def apply(self, state: MockState) -> None:
        settings = state.settings
        with settings.lock:
            for name, value in self.settings.items():
                setattr(settings, name, value)
            if self.key is not None:
                settings.digest_key = self.key
            if self.frozen is not None:
                settings.clock.set(self.frozen)
            else:
                settings.clock.unfreeze()
            settings.ids.restore(self.seed, self.random_state)
            if self.access and state.access is None:
                from .access import AccessControl

                state.access = AccessControl()
                state.pre_validation_guards.append(state.access.guard)
        state.default_account_id = self.default_account_id
        state.accounts.clear()
        state.accounts.update(self.accounts)
        state.strict_regions = self.strict_regions
        state.check_responses = self.check_responses
        state.recorder.keep_latest(self.max_recorded_calls)
        if state.access is not None:
            state.access.clear()
            for action, effect, keys in self.access:
                state.access.add(action, effect, keys)
        state.store.replace(self.backends)
        if self.data_plane is not None:
            state.data_plane.restore(self.data_plane)


def _read_document(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise StateFileError(f"{path}: no such state file") from None
    except OSError as exc:
        raise StateFileError(f"{path}: cannot read the state file: {exc.strerror or exc}") from None
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise StateFileError(f"{path}: not a state file of appfabric-mock (not JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(f"{path}: not a state file of appfabric-mock (no \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateFileError(f"{path}: damaged state file (bad version {version!r})")
    if version > FORMAT_VERSION:
        raise StateFileError(f"{path}: written by a newer appfabric-mock (state format {version}; this version "
                             f"reads up to {FORMAT_VERSION}); upgrade appfabric-mock to load it")
    return document


def _load(state: MockState, path: str, key: Optional[Union[str, bytes]]) -> Optional[bytes]:
    """Replace ``state``'s content with the file's; returns the digest key now in use (None: unchanged)."""
    document = _read_document(path)
    check = document.get("keyCheck")
    chosen: Optional[bytes] = None
    candidates = [k for k in (_user_key(key), _read_key_file(path)) if k is not None]
    if check is not None:
        chosen = next((k for k in candidates if _key_check(k) == check), None)
        if chosen is None:
            raise StateFileError(
                f"{path}: its idempotency digests were made with another key; give the same key "
                f"({KEY_ENV} or state_key), or keep {_key_path(path)} beside it")
    elif candidates:
        chosen = candidates[0]
    try:
        loaded = _Loaded(document, state, chosen)
    except (CodecError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StateFileError(f"{path}: damaged state file ({type(exc).__name__}: {exc})") from None
    loaded.apply(state)
    return chosen


# -- the public functions -----------------------------------------------------------------


def save(state: MockState, path: PathLike) -> str:
    """Write ``state`` to ``path`` atomically (and its digest key to ``path.key``, unless the user gave it).

    :returns: the path written.
    """
    target = os.fspath(path)
    attached = state.state_file
    if attached is not None and os.path.abspath(attached.path) == os.path.abspath(target):
        attached.save()
        return target
    _save(state, target, external=attached is not None and attached.external)
    return target


def _save(state: MockState, path: str, external: bool) -> None:
    document = _dump(state)
    data = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
    if not external:
        key = state.settings.digest_key
        if _read_key_file(path) != key:
            _write_atomic(_key_path(path), key.hex().encode() + b"\n")
    _write_atomic(path, data)


def load(state: MockState, path: PathLike, key: Optional[Union[str, bytes]] = None) -> None:
    """Replace everything in ``state`` with what ``path`` holds.

    :param key: the key the file's digests were made with, when it is not in ``path.key``
        (default: ``APPFABRIC_MOCK_STATE_KEY``).
    :raises StateFileError: for a missing, damaged or newer file, or a key that does not match.
    """
    _load(state, os.fspath(path), key)


class StateFile:
    """The file a mock's state lives in: saved after every change, loaded at start."""

    def __init__(self, state: MockState, path: PathLike, key: Optional[Union[str, bytes]] = None) -> None:
        self.state = state
        self.path = os.fspath(path)
        self.key = key
        user_key = _user_key(key)
        #: Whether the digest key is the user's (then no key file is written).
        self.external = user_key is not None
        self._user_key = user_key
        self._save_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._changes = 0
        self._saved = 0

    def changed(self) -> None:
        """A change happened: save before it is acknowledged (concurrent changes share saves)."""
        with self._count_lock:
            self._changes += 1
            mine = self._changes
        self._save(mine)

    def save(self) -> None:
        """Save now."""
        self._save(None)

    def _save(self, change: Optional[int]) -> None:
        with self._save_lock:
            if change is not None and self._saved >= change:
                return  # a save that began after this change already covered it
            with self._count_lock:
                covered = self._changes
            _save(self.state, self.path, self.external)
            self._saved = covered

    def load(self) -> None:
        """Load the file again, replacing the state (the control action ``load``)."""
        with self._save_lock:
            _load(self.state, self.path, self.key)

    def __repr__(self) -> str:
        return f"<StateFile {self.path}>"


def attach(state: MockState, path: PathLike, key: Optional[Union[str, bytes]] = None) -> bool:
    """Give ``state`` a state file: load it if it exists, then save after every change.

    :returns: whether a saved state was loaded (else the file now holds the fresh state).
    :raises StateFileError: when the file exists but cannot be loaded.
    """
    state_file = StateFile(state, path, key)
    loaded = os.path.exists(state_file.path)
    if loaded:
        _load(state, state_file.path, key)
    if state_file.external:
        assert state_file._user_key is not None
        state.settings.digest_key = state_file._user_key
    elif not loaded:
        found = _read_key_file(state_file.path)  # a key file left by an earlier run: keep using it
        if found is not None:
            state.settings.digest_key = found
    state.state_file = state_file
    state.store.on_change = state_file.changed
    if not loaded:
        state_file.save()  # the file exists from the start: a crash before any change loses nothing
    return loaded


def flush(state: MockState) -> None:
    """Save ``state`` to its state file, if it has one (at stop)."""
    state_file = state.state_file
    if state_file is not None:
        state_file.save()
