"""All backends of one mock, keyed by (account id, region)."""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

from .backend import AppFabricBackend
from .settings import Settings


class Store:
    """The backends of every account and region that holds something; thread-safe.

    A backend is kept only once a call leaves state in it: a request that only
    reads (or fails) in an account or region without state allocates nothing
    that outlives it, whatever account header or SigV4 region it names.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backends: Dict[Tuple[str, str], AppFabricBackend] = {}
        self._lock = threading.Lock()
        #: Called after every call that may have changed state (before it is answered):
        #: the state file's save (see :mod:`appfabric_mock.persistence`).
        self.on_change: Optional[Callable[[], None]] = None

    def backend(self, account_id: str, region: str) -> AppFabricBackend:
        """The backend of an account and region, created (and kept) if there is none."""
        key = (account_id, region)
        found = self._backends.get(key)
        if found is None:
            with self._lock:
                found = self._backends.get(key)
                if found is None:
                    found = self._backends[key] = AppFabricBackend(account_id, region, self.settings)
        return found

    def find(self, account_id: str, region: str) -> Optional[AppFabricBackend]:
        """The backend of an account and region, or None when it holds nothing."""
        return self._backends.get((account_id, region))

    def call(self, account_id: str, region: str, method_name: str, params: Mapping[str, Any],
             mutating: bool = True) -> Dict[str, Any]:
        """Run one operation (a backend method) under its backend's lock.

        ``mutating`` (any method but GET) tells :attr:`on_change` to run after the call,
        whether it succeeded or failed (a failing connect still changes a status).
        """
        backend = self._backends.get((account_id, region))
        try:
            if backend is None:
                return self._first_call(account_id, region, method_name, params)
            with backend.lock:
                result: Dict[str, Any] = getattr(backend, method_name)(params)
            return result
        finally:
            if mutating and self.on_change is not None:
                self.on_change()

    def _first_call(self, account_id: str, region: str, method_name: str,
                    params: Mapping[str, Any]) -> Dict[str, Any]:
        # Serialised: two first calls in the same new account and region must not each
        # keep a backend of their own.  Only the first call of each backend gets here.
        with self._lock:
            key = (account_id, region)
            backend = self._backends.get(key)
            fresh = backend is None
            if backend is None:
                backend = AppFabricBackend(account_id, region, self.settings)
            with backend.lock:
                try:
                    result: Dict[str, Any] = getattr(backend, method_name)(params)
                finally:
                    if fresh and not backend.is_empty():
                        self._backends[key] = backend
            return result

    def reset(self) -> None:
        with self._lock:
            self._backends.clear()

    def replace(self, backends: Mapping[Tuple[str, str], AppFabricBackend]) -> None:
        """Swap every backend for ``backends`` (a state loaded from a file)."""
        with self._lock:
            self._backends = dict(backends)

    def items(self) -> Iterator[Tuple[Tuple[str, str], AppFabricBackend]]:
        with self._lock:
            return iter(list(self._backends.items()))
