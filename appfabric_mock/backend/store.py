"""All backends of one mock, keyed by (account id, region)."""

from __future__ import annotations

import threading
from typing import Dict, Iterator, Tuple

from .backend import AppFabricBackend
from .settings import Settings


class Store:
    """Creates backends on first use; thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backends: Dict[Tuple[str, str], AppFabricBackend] = {}
        self._lock = threading.Lock()

    def backend(self, account_id: str, region: str) -> AppFabricBackend:
        key = (account_id, region)
        found = self._backends.get(key)
        if found is None:
            with self._lock:
                found = self._backends.get(key)
                if found is None:
                    found = self._backends[key] = AppFabricBackend(account_id, region, self.settings)
        return found

    def reset(self) -> None:
        with self._lock:
            self._backends.clear()

    def items(self) -> Iterator[Tuple[Tuple[str, str], AppFabricBackend]]:
        with self._lock:
            return iter(list(self._backends.items()))
