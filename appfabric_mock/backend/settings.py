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

#: The message of each quota's ServiceQuotaExceededException.  AWS's text for app bundles is
#: known (Terraform AWS provider issue 39542); the others follow its form.
QUOTA_MESSAGES: Dict[str, str] = {
    "app_bundles": "You have exceeded the maximum number of app bundles per account, per AWS Region.",
    "app_authorizations": "You have exceeded the maximum number of app authorizations per account, per AWS Region.",
    "ingestions": "You have exceeded the maximum number of ingestions per account, per AWS Region.",
    "ingestion_destinations": "You have exceeded the maximum number of ingestion destinations per ingestion.",
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
    strict_apps: bool = True
    #: User access tasks: BatchGetUserAccessTasks reads that still see IN_PROGRESS.
    task_reads: int = 1
    #: ... or seconds of the mock's clock after which a task is COMPLETED unread (None: never).
    task_seconds: Optional[float] = 60.0
    #: Seconds of the mock's clock after its start when a task is EXPIRED (None: never).
    task_lifetime: Optional[float] = 24 * 60 * 60.0
    default_page_size: int = 100
    #: Users that user access tasks find, by (app, tenant id, lower-cased email).
    app_users: Dict[Tuple[str, str, str], AppUser] = field(default_factory=dict, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    #: See :attr:`digest_key` (drawn on first use: a mock that answers only reads never needs it).
    _digest_key: Optional[bytes] = field(default=None, repr=False)

    @property
    def digest_key(self) -> bytes:
        """Key of the digests that remember idempotent requests (which may carry secrets): never
        written into a state file (see :mod:`appfabric_mock.persistence`)."""
        key = self._digest_key
        if key is None:
            with self.lock:
                if self._digest_key is None:
                    self._digest_key = os.urandom(32)
                key = self._digest_key
        return key

    @digest_key.setter
    def digest_key(self, key: bytes) -> None:
        self._digest_key = key

    def quota(self, name: str) -> Optional[int]:
        return self.quotas.get(name)

    def find_user(self, app: str, tenant_id: str, email: str) -> Optional[AppUser]:
        return self.app_users.get((app, tenant_id, email.lower()))
