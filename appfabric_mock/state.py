"""The state of one mock: its backends, settings and the hooks test controls add."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from .backend.settings import Settings
from .backend.store import Store
from .delivery.plane import DataPlane
from .environment import environ_get
from .hooks import CallContext, Guard, Observer
from .identity import ACCOUNT_ENV, DEFAULT_ACCOUNT_ID
from .recording import CallRecorder

if TYPE_CHECKING:
    from .access import AccessControl
    from .config import MockConfig
    from .faults import FaultInjector
    from .persistence import StateFile

__all__ = ["CallContext", "Guard", "MockState", "Observer"]


class MockState:
    """Backends per (account, region) plus configuration and hooks."""

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings()
        self.store = Store(self.settings)
        #: Access key id -> account id.
        self.accounts: Dict[str, str] = {}
        self.default_account_id = environ_get(ACCOUNT_ENV) or DEFAULT_ACCOUNT_ID
        #: Reject regions where AppFabric does not exist.
        self.strict_regions = False
        #: Check every backend result against its output shape (a mock bug becomes an InternalServerException).
        self.check_responses = False
        #: Run after routing, before parsing and validation (access control).
        self.pre_validation_guards: List[Guard] = []
        #: Run after validation, before the backend (fault injection).
        self.pre_backend_guards: List[Guard] = []
        self.observers: List[Observer] = []
        #: Every call, redacted (always on: ``m.calls``).
        self.recorder: CallRecorder = CallRecorder()
        self.observers.append(self.recorder.observe)
        #: Created by the first ``inject_fault`` / ``deny`` / ``allow``, which also adds their guard.
        self.faults: Optional[FaultInjector] = None
        self.access: Optional[AccessControl] = None
        #: The configuration the state was made with (set by MockConfig.apply).
        self.config: Optional[MockConfig] = None
        #: Where the state is saved after every change (``state_file`` option), if anywhere.
        self.state_file: Optional[StateFile] = None
        #: Audit-log deliveries (appfabric_mock.delivery): those that fell due are made before each call.
        self.data_plane = DataPlane(self.settings, self.store)
        self.pre_validation_guards.append(self.data_plane.guard)

    def account_for(self, access_key_id: Optional[str]) -> str:
        if access_key_id is not None:
            mapped = self.accounts.get(access_key_id)
            if mapped is not None:
                return mapped
        return self.default_account_id

    def reset(self) -> None:
        """Forget every resource and recorded call (settings, hooks, faults, denials and the account map stay)."""
        self.store.reset()
        self.recorder.clear()
