"""The clients of the ``appfabric_client`` fixture: reused from test to test while provably untouched.

Creating a boto3 client costs more than everything else a small test does (botocore
builds a client class, copies its event handlers, resolves configuration and endpoint
rules, and the client's first call warms caches of its own).  The mock itself never
depends on a client: it answers every ``appfabric`` client through botocore's class-level
seams from whatever mock is active.  So a client a test gave back exactly as it got it
can serve the next test, which then sees only its own fresh mock (state, faults,
clock, recorded calls).

A client is handed out again only when all of these hold, and is dropped otherwise:

* nothing registered or unregistered an event handler on it (``client.meta.events``);
* its configuration (``client.meta.config``) has the values it was created with;
* no attribute of the client, its class, its ``meta``, its endpoint or its request
  signer was set, replaced or removed (``unittest.mock.patch.object`` included);
* it retries in botocore's ``legacy`` mode (the default), which keeps no state between
  calls; ``standard`` and ``adaptive`` modes keep a retry quota and a rate limiter, so
  such clients are never reused;
* what shapes a new client is the same as when it was created: every ``AWS_*`` and
  ``BOTO*`` environment variable; boto3's default session (``boto3.DEFAULT_SESSION``,
  which ``boto3.setup_default_session`` replaces); and that session's own state (no event
  handler registered or unregistered on it, no configuration variable, profile, client
  configuration or component set, and no credentials set on it other than the ones the
  client signs with).

A test that needs a client no earlier test has held creates one with ``boto3.client``.
"""

from __future__ import annotations

import copy
import os
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["ClientPool", "POOL"]

#: Idle clients kept per key (one test at a time takes one; nested pytest runs may take more).
_MAX_IDLE = 2


def _environment() -> Tuple[Tuple[str, str], ...]:
    """Every environment variable that can change what ``boto3.client`` builds."""
    return tuple(sorted((name, value) for name, value in os.environ.items()
                        if name.startswith("AWS_") or name.startswith("BOTO")))


_watching: Dict[type, type] = {}


def _watched_class(base: type) -> type:
    """A subclass of an emitter class whose registering methods mark the emitter as touched."""
    found = _watching.get(base)
    if found is None:
        def touching(name: str) -> Callable[..., Any]:
            inherited = getattr(base, name)

            def method(self: Any, *args: Any, **kwargs: Any) -> Any:
                self.__dict__["_appfabric_mock_touched"] = True
                return inherited(self, *args, **kwargs)

            method.__name__ = name
            method.__doc__ = inherited.__doc__
            return method

        names = [n for n in ("register", "register_first", "register_last", "unregister") if hasattr(base, n)]
        found = _watching[base] = type(base.__name__, (base,), {name: touching(name) for name in names})
        found.__module__ = base.__module__
    return found


#: Attributes of botocore's session that change without changing what a new client would be:
#: the region of the last client made, and credentials it resolves again (see _same_credentials).
_SESSION_VOLATILE = frozenset({"_last_client_region_used", "_credentials", "_auth_token"})


def _handlers(events: Any) -> Any:
    """What botocore's emitter replaces whenever a handler is registered or unregistered (None: unknown)."""
    return getattr(getattr(events, "_emitter", events), "_lookup_cache", None)


def _session_marks(session: Any) -> Tuple[Any, Dict[str, Any], Dict[str, Any], Any]:
    """What of boto3's session shapes a new client: (botocore session, its attributes, its variables, handlers)."""
    core = session._session
    attributes = {name: value for name, value in vars(core).items() if name not in _SESSION_VOLATILE}
    return core, attributes, dict(core._session_instance_vars), _handlers(core._events)


def _same_session(saved: Tuple[Any, Dict[str, Any], Dict[str, Any], Any], session: Any) -> bool:
    core, attributes, variables, handlers = _session_marks(session)
    if core is not saved[0] or handlers is not saved[3] or variables != saved[2]:
        return False
    if len(attributes) != len(saved[1]):
        return False
    return all(attributes.get(name, _GONE) is value for name, value in saved[1].items())


def _same_credentials(session: Any, client: Any) -> bool:
    """Whether a client made now would sign with what ``client`` signs with (as far as the session says)."""
    from botocore.credentials import Credentials

    current = session._session._credentials
    signing = client._request_signer._credentials
    if current is None or current is signing:
        return True  # (none resolved yet: a new client resolves them from the same environment)
    # Plain credentials only: reading refreshable ones could refresh them (a network call).
    return (type(current) is Credentials and type(signing) is Credentials
            and (current.access_key, current.secret_key, current.token)
            == (signing.access_key, signing.secret_key, signing.token))


class _Kept:
    """A client and what it looked like when it was created."""

    __slots__ = ("client", "session", "session_marks", "environment", "events", "handlers", "config",
                 "attributes")

    def __init__(self, client: Any, session: Any, environment: Tuple[Tuple[str, str], ...]) -> None:
        self.client = client
        self.session = session
        self.session_marks = _session_marks(session)
        self.environment = environment
        events = client.meta.events
        events.__class__ = _watched_class(type(events))
        self.events = events
        # (Also catches a handler registered on the emitter inside, past the watched methods.)
        self.handlers = _handlers(events)
        self.config = copy.deepcopy(vars(client.meta.config))
        self.attributes = [(owner, dict(vars(owner))) for owner in self._owners()]

    def serves(self, session: Any) -> bool:
        """Whether a client made now, in ``session``, would be made as this one was."""
        try:
            return (session is self.session and _same_session(self.session_marks, session)
                    and _same_credentials(session, self.client))
        except Exception:  # a boto3 or botocore built differently: never reused
            return False

    def _owners(self) -> List[Any]:
        client = self.client
        return [client, type(client), client.meta, client._endpoint, client._request_signer]

    def untouched(self) -> bool:
        client = self.client
        if client.meta.events is not self.events or self.events.__dict__.get("_appfabric_mock_touched"):
            return False
        if _handlers(self.events) is not self.handlers:
            return False
        if vars(client.meta.config) != self.config:
            return False
        for owner, saved in self.attributes:
            now = vars(owner)
            if len(now) != len(saved):
                return False
            for name, value in saved.items():
                # Caches botocore fills on first use (the exceptions of client.exceptions, paginator models).
                if now.get(name, _GONE) is not value and name not in _CACHES:
                    return False
        return True


_GONE = object()
_CACHES = frozenset({"_exceptions", "_cache"})


class ClientPool:
    """Idle untouched clients by how they were created (see the module docstring); thread-safe."""

    def __init__(self) -> None:
        self._idle: Dict[Tuple[Any, ...], List[_Kept]] = {}
        self._out: Dict[int, _Kept] = {}
        self._lock = threading.Lock()

    def acquire(self, region: str, create: Callable[[], Any]) -> Any:
        """An untouched idle client made the same way, else ``create()`` (kept for reuse when it qualifies)."""
        import boto3

        environment = _environment()
        session = boto3.DEFAULT_SESSION
        key = (region, environment)
        while True:
            with self._lock:
                idle = self._idle.get(key)
                kept = idle.pop() if idle else None
            if kept is None:
                break
            # (Checked outside the lock; a client that no longer qualifies is dropped.)
            if kept.serves(session):
                with self._lock:
                    self._out[id(kept.client)] = kept
                return kept.client
        client = create()
        if _reusable(client):
            try:
                kept = _Kept(client, boto3.DEFAULT_SESSION, environment)
            except Exception:  # a client or session botocore builds differently: not kept
                return client
            with self._lock:
                self._out[id(client)] = kept
        return client

    def release(self, client: Any, region: str) -> None:
        """Take a client back after its test; it is kept only if the test left it untouched."""
        with self._lock:
            kept = self._out.pop(id(client), None)
        if kept is None or kept.client is not client:
            return
        try:
            untouched = kept.untouched() and kept.environment == _environment()
        except Exception:  # a client someone took apart: never reused
            untouched = False
        if untouched:
            with self._lock:
                idle = self._idle.setdefault((region, kept.environment), [])
                if len(idle) < _MAX_IDLE:
                    idle.append(kept)

    def clear(self) -> None:
        """Forget every idle client."""
        with self._lock:
            self._idle.clear()


def _reusable(client: Any) -> bool:
    """A client that keeps no state between calls, with the parts the checks look at."""
    try:
        retries: Optional[Dict[str, Any]] = client.meta.config.retries
        mode = (retries or {}).get("mode", "legacy")
        return mode == "legacy" and all(hasattr(client, name) for name in ("_endpoint", "_request_signer"))
    except Exception:
        return False


#: The pool of the ``appfabric_client`` fixture.
POOL = ClientPool()
