"""Per-mock settings that every account's and region's backend shares."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from .apps import KnownApp, copy_apps
from .models import AppUser
from .support import Clock, IdGenerator

#: AWS's documented quotas (per account and region; destinations per ingestion).
DEFAULT_QUOTAS: Dict[str, Optional[int]] = {
    "app_bundles": 1,
    "app_authorizations": 50,
    "ingestions": 50,
    "ingestion_destinations": 5,
}

#: The ``quotaCode`` each quota reports: stable and descriptive (AWS publishes none).
QUOTA_CODES: Dict[str, str] = {
    "app_bundles": "appfabric-app-bundles-per-account",
    "app_authorizations": "appfabric-app-authorizations-per-account",
    "ingestions": "appfabric-ingestions-per-account",
    "ingestion_destinations": "appfabric-ingestion-destinations-per-ingestion",
}


@dataclass
class Settings:
    """Everything a backend needs besides its own state."""

    clock: Clock = field(default_factory=Clock)
    ids: IdGenerator = field(default_factory=IdGenerator)
    quotas: Dict[str, Optional[int]] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    known_apps: Dict[str, KnownApp] = field(default_factory=copy_apps)
    strict_apps: bool = False
    default_page_size: int = 100
    #: Users that user access tasks find, by (app, tenant id, lower-cased email).
    app_users: Dict[Tuple[str, str, str], AppUser] = field(default_factory=dict, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    #: Key of the digests that remember idempotent requests (which may carry secrets): never
    #: written into a state file (see :mod:`appfabric_mock.persistence`).
    digest_key: bytes = field(default_factory=lambda: os.urandom(32), repr=False)

    def quota(self, name: str) -> Optional[int]:
        return self.quotas.get(name)

    def find_user(self, app: str, tenant_id: str, email: str) -> Optional[AppUser]:
        return self.app_users.get((app, tenant_id, email.lower()))
