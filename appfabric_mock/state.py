"""The state of one mock: its backends, settings and the hooks test controls add."""

from __future__ import annotations

import functools
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, Generic, List, Optional, TypeVar, overload

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

T = TypeVar("T")

#: Serialises the first use of a state's parts (two threads must not each make a store).
#: Reentrant: making the data plane makes the store and the settings it needs.
_made_lock = threading.RLock()


class _MadeOnFirstUse(Generic[T]):
    """A part of the state made by the first read, then an ordinary instance attribute.

    A non-data descriptor: once the value is in the instance's ``__dict__``, reads find it
    there and never come back here, so the parts cost nothing after their first use.
    """

    def __init__(self, make: Callable[["MockState"], T]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: Any = None) -> "_MadeOnFirstUse[T]": ...

    @overload
    def __get__(self, instance: "MockState", owner: Any = None) -> T: ...

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        with _made_lock:
            found = instance.__dict__.get(self._name)
            if found is None:
                found = instance.__dict__[self._name] = self._make(instance)
        return found


def _make_recorder(state: "MockState") -> CallRecorder:
    recorder = CallRecorder()
    _replace_stand_in(state.observers, _record_first, recorder.observe)
    return recorder


def _make_data_plane(state: "MockState") -> DataPlane:
    plane = DataPlane(state.settings, state.store)
    _replace_stand_in(state.pre_validation_guards, _deliver_first, plane.guard)
    return plane


def _replace_stand_in(hooks: List[Any], stand_in: Callable[..., None], hook: Callable[..., None]) -> None:
    # In place, so that the hook keeps its turn among those added since.
    for index, found in enumerate(hooks):
        if type(found) is functools.partial and found.func is stand_in:
            hooks[index] = hook
            return


def _record_first(ref: "weakref.ref[MockState]", context: Optional[CallContext], status: int,
                  code: Optional[str], payload: Any) -> None:
    """The recorder's observer until the recorder is made (by this, the first call it sees)."""
    state = ref()
    if state is not None:
        state.recorder.observe(context, status, code, payload)


def _deliver_first(ref: "weakref.ref[MockState]", context: CallContext) -> None:
    """The data plane's guard until the data plane is made (by this, before the first call)."""
    state = ref()
    if state is not None:
        state.data_plane.guard(context)


class MockState:
    """Backends per (account, region) plus configuration and hooks.

    The settings, the store, the call recorder and the data plane are made by their first
    use (a call, a test control, a non-default option), each exactly as it would be made
    with the state: every test starts a mock, and most never reach some of them.  Until the
    recorder and the data plane exist, their hooks hold a stand-in that makes them, so the
    hooks keep their order and nothing is missed.
    """

    #: Shared by every account's and region's backend.
    settings: _MadeOnFirstUse[Settings] = _MadeOnFirstUse(lambda state: Settings())
    store: _MadeOnFirstUse[Store] = _MadeOnFirstUse(lambda state: Store(state.settings))
    #: Every call, redacted (always on: ``m.calls``).
    recorder: _MadeOnFirstUse[CallRecorder] = _MadeOnFirstUse(_make_recorder)
    #: Audit-log deliveries (appfabric_mock.delivery): those that fell due are made before each call.
    data_plane: _MadeOnFirstUse[DataPlane] = _MadeOnFirstUse(_make_data_plane)

    def __init__(self, settings: Optional[Settings] = None) -> None:
        if settings is not None:
            self.__dict__["settings"] = settings
        #: Access key id -> account id.
        self.accounts: Dict[str, str] = {}
        self.default_account_id = environ_get(ACCOUNT_ENV) or DEFAULT_ACCOUNT_ID
        #: Reject regions where AppFabric does not exist.
        self.strict_regions = False
        #: Check every backend result against its output shape (a mock bug becomes an InternalServerException).
        self.check_responses = False
        # A weak reference: the stand-ins must not make the state part of a reference cycle.
        ref = weakref.ref(self)
        #: Run after routing, before parsing and validation (the data plane; access control).
        self.pre_validation_guards: List[Guard] = [functools.partial(_deliver_first, ref)]
        #: Run after validation, before the backend (fault injection).
        self.pre_backend_guards: List[Guard] = []
        #: The recorder first.
        self.observers: List[Observer] = [functools.partial(_record_first, ref)]
        #: Created by the first ``inject_fault`` / ``deny`` / ``allow``, which also adds their guard.
        self.faults: Optional[FaultInjector] = None
        self.access: Optional[AccessControl] = None
        #: The configuration the state was made with (set by MockConfig.apply).
        self.config: Optional[MockConfig] = None
        #: Where the state is saved after every change (``state_file`` option), if anywhere.
        self.state_file: Optional[StateFile] = None

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
