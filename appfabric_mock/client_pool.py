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
  ``BOTO*`` environment variable, and boto3's default session (``boto3.DEFAULT_SESSION``,
  which ``boto3.setup_default_session`` replaces).

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


class _Kept:
    """A client and what it looked like when it was created."""

    __slots__ = ("client", "session", "environment", "events", "config", "attributes")

    def __init__(self, client: Any, session: Any, environment: Tuple[Tuple[str, str], ...]) -> None:
        self.client = client
        self.session = session
        self.environment = environment
        events = client.meta.events
        events.__class__ = _watched_class(type(events))
        self.events = events
        self.config = copy.deepcopy(vars(client.meta.config))
        self.attributes = [(owner, dict(vars(owner))) for owner in self._owners()]

    def _owners(self) -> List[Any]:
        client = self.client
        return [client, type(client), client.meta, client._endpoint, client._request_signer]

    def untouched(self) -> bool:
        client = self.client
        if client.meta.events is not self.events or self.events.__dict__.get("_appfabric_mock_touched"):
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
        with self._lock:
            idle = self._idle.get((region, environment))
            while idle:
                kept = idle.pop()
                if kept.session is session:
                    self._out[id(kept.client)] = kept
                    return kept.client
        client = create()
        if _reusable(client):
            kept = _Kept(client, boto3.DEFAULT_SESSION, environment)
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
