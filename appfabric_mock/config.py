"""Every option of ``mock_appfabric(...)`` in one place, checked up front."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Mapping, Optional, Union

from .environment import environ_get
from .identity import is_account_id

if TYPE_CHECKING:
    from .state import MockState

# A handle is created wherever a test module decorates with mock_appfabric(...), often at
# import: creating one imports neither the backend, nor the protocol, nor botocore's model
# (tests/test_import_cost.py).  They are imported when options need them, and by the first start.

#: The values of ``authType`` (the backend's apps module names them; importing it here would not be cheap).
_AUTH_TYPES = ("oauth2", "apiKey")
#: Set to 1 to check every response against its output shape in every mock (the test suite does).
CHECK_RESPONSES_ENV = "APPFABRIC_MOCK_CHECK_RESPONSES"
#: Calls a mock keeps unless ``max_recorded_calls`` says otherwise: a mock that runs for long
#: (a server, a session-wide fixture) must not grow without bound.  Past it, the oldest calls
#: are dropped and an :class:`~appfabric_mock.AppFabricMockWarning` says so, once.
DEFAULT_RECORDED_CALLS = 10_000


_FIELD_NAMES: Dict[type, FrozenSet[str]] = {}


def _field_names(cls: type) -> FrozenSet[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls) if not f.name.startswith("_"))
    return names


@dataclass
class MockConfig:
    """Options of a mock: the keyword arguments of ``mock_appfabric(...)``, ``ThreadedServer(...)``
    and ``@pytest.mark.appfabric_mock(...)``.

    * ``account_id``: the default account, 12 digits (else ``APPFABRIC_MOCK_ACCOUNT_ID``, else
      ``123456789012``).
    * ``accounts``: access key id -> account id (12 digits): calls signed with that key act
      in that account.
    * ``quotas``: overrides of ``app_bundles`` (default 1 per account and region),
      ``app_authorizations`` (50), ``ingestions`` (50) and ``ingestion_destinations`` (5 per
      ingestion); ``None`` lifts a quota.  ``quotas=None`` lifts them all.
    * ``strict_apps``: accept only the applications the API is known to accept, each with the
      ``authType`` it connects with (default True; False accepts any name and either type).
    * ``extra_apps``: more application names, as a list (either ``authType``), or as a mapping
      of name to ``"oauth2"`` / ``"apiKey"`` (that type only) or to any other display name
      (either type).
    * ``user_access_task_reads``: how many BatchGetUserAccessTasks answers report a new user
      access task ``IN_PROGRESS`` before it is ``COMPLETED`` (default 1; 0 completes it on the
      first read).
    * ``user_access_task_seconds``: seconds of the mock's clock after which a task is
      ``COMPLETED`` even if nobody read it (default 60; None: only reads complete it).
    * ``user_access_task_lifetime``: seconds of the mock's clock after its start when a task is
      ``EXPIRED`` (default 86400, a day; None: never).
    * ``strict_regions``: regions where AppFabric does not exist (all but ``us-east-1``,
      ``eu-west-1`` and ``ap-northeast-1``) cannot be reached (default False).
    * ``seed``: an int that makes generated ids (and OAuth states) reproducible.
    * ``now``: freeze the mock's clock at this time (datetime or ISO-8601 string).
    * ``default_page_size``: page size of List operations called without ``maxResults``
      (1 to 100, default 100).
    * ``check_responses``: check every response against its output shape, so a mock bug is
      an ``InternalServerException`` (also turned on by ``APPFABRIC_MOCK_CHECK_RESPONSES=1``).
    * ``max_recorded_calls``: keep only the latest N calls in ``m.calls`` (default 10,000, so a
      long-running mock's memory stays bounded; an ``AppFabricMockWarning`` says so, once, when
      calls start being dropped); None keeps every call.
    * ``state_file``: a path: load the state from it if it exists, and save it there after every
      change (see :mod:`appfabric_mock.persistence`).  A loaded state carries its own
      configuration: the other options then apply only to a fresh state (a warning names them).
    * ``state_key``: the key of the state file's digests of idempotent requests (default:
      ``APPFABRIC_MOCK_STATE_KEY``, else a random key kept in ``<state_file>.key``).
    * ``delivery_interval``: seconds of the mock's clock between audit-log deliveries (default
      1800: AWS documents up to 30 minutes of delay); see :mod:`appfabric_mock.delivery.plane`.
    * ``events_per_delivery``: events each scheduled delivery generates (default 10).
    """

    account_id: Optional[str] = None
    accounts: Mapping[str, str] = field(default_factory=dict)
    quotas: Optional[Mapping[str, Optional[int]]] = field(default_factory=dict)
    strict_apps: bool = True
    extra_apps: Union[Mapping[str, str], tuple, list] = ()
    user_access_task_reads: int = 1
    user_access_task_seconds: Optional[float] = 60.0
    user_access_task_lifetime: Optional[float] = 24 * 60 * 60.0
    strict_regions: bool = False
    seed: Optional[int] = None
    now: Union[_dt.datetime, str, None] = None
    default_page_size: int = 100
    check_responses: bool = False
    max_recorded_calls: Optional[int] = DEFAULT_RECORDED_CALLS
    state_file: Optional[Union[str, "os.PathLike[str]"]] = None
    state_key: Optional[str] = None
    delivery_interval: float = 1800.0
    events_per_delivery: int = 10

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "MockConfig":
        """Build from keyword options; an unknown option is a TypeError naming the valid ones."""
        names = _field_names(cls)  # kept per class: every handle checks its options
        unknown = sorted(set(options) - names) if options else ()
        if unknown:
            raise TypeError(
                f"mock_appfabric: unknown option(s) {', '.join(unknown)}; "
                f"valid options are {', '.join(sorted(names))}"
            )
        config = cls(**options)
        if options:  # (the defaults need no check, and every handle is built, often without options)
            config._check()
        config._options = dict(options)
        return config

    _options: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def options(self) -> Dict[str, Any]:
        """The keyword options this configuration was built from."""
        return dict(self._options)

    def _check(self) -> None:
        if self.quotas:
            from .backend.settings import DEFAULT_QUOTAS

            unknown = sorted(set(self.quotas) - set(DEFAULT_QUOTAS))
            if unknown:
                raise TypeError(
                    f"mock_appfabric: unknown quota(s) {', '.join(unknown)}; "
                    f"quotas are {', '.join(sorted(DEFAULT_QUOTAS))}"
                )
            for name, value in self.quotas.items():
                if value is not None and (not isinstance(value, int) or value < 0):
                    raise ValueError(f"mock_appfabric: quota {name} must be a non-negative int or None")
        if self.account_id is not None and not is_account_id(self.account_id):
            raise ValueError("mock_appfabric: account_id must be 12 digits")
        for key, account in self.accounts.items():
            if not is_account_id(account):
                raise ValueError(f"mock_appfabric: account for access key {key} must be 12 digits")
        if self.max_recorded_calls is not None and (
                not isinstance(self.max_recorded_calls, int) or self.max_recorded_calls < 0):
            raise ValueError("mock_appfabric: max_recorded_calls must be a non-negative int or None")
        if isinstance(self.user_access_task_reads, bool) or not isinstance(self.user_access_task_reads, int) \
                or self.user_access_task_reads < 0:
            raise ValueError("mock_appfabric: user_access_task_reads must be a non-negative int")
        for name in ("user_access_task_seconds", "user_access_task_lifetime"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"mock_appfabric: {name} must be a non-negative number of seconds or None")
        if not 1 <= self.default_page_size <= 100:
            raise ValueError("mock_appfabric: default_page_size must be between 1 and 100")
        if self.state_file is not None and not isinstance(self.state_file, (str, os.PathLike)):
            raise TypeError("mock_appfabric: state_file must be a path")
        if self.state_key is not None and (not isinstance(self.state_key, str) or not self.state_key):
            raise ValueError("mock_appfabric: state_key must be a non-empty string")
        if self.delivery_interval != 1800.0 or self.events_per_delivery != 10:
            _check_delivery_options(self.delivery_interval, self.events_per_delivery)

    def apply(self, state: "MockState") -> None:
        """Configure a fresh state."""
        settings = state.settings
        if self.account_id:
            state.default_account_id = self.account_id
        elif not is_account_id(state.default_account_id):
            # From APPFABRIC_MOCK_ACCOUNT_ID: every ARN would carry it, so fail now, clearly.
            raise ValueError(
                f"mock_appfabric: APPFABRIC_MOCK_ACCOUNT_ID must be 12 digits, not {state.default_account_id!r}"
            )
        state.accounts.update(self.accounts)
        if self.quotas is None:
            settings.quotas = {name: None for name in settings.quotas}
        else:
            settings.quotas.update(self.quotas)
        settings.strict_apps = self.strict_apps
        # Compared with the default first: isinstance against typing.Mapping runs in Python,
        # and every start applies a configuration.
        if self.extra_apps != ():
            from .backend.apps import KnownApp

            extra = self.extra_apps.items() if isinstance(self.extra_apps, Mapping) else (
                (name, name) for name in self.extra_apps
            )
            for name, display in extra:
                # A mapping to "oauth2"/"apiKey" declares the type; any other value is a display name.
                auth_type = display if display in _AUTH_TYPES else None
                known = settings.known_apps.get(name)
                settings.known_apps[name] = KnownApp(
                    known.display_name if known else (name if auth_type else display),
                    auth_type,
                    known.authorize if known else None,
                )
        settings.task_reads = self.user_access_task_reads
        settings.task_seconds = self.user_access_task_seconds
        settings.task_lifetime = self.user_access_task_lifetime
        state.strict_regions = self.strict_regions
        if self.seed is not None:
            settings.ids.reseed(self.seed)
        if self.now is not None:
            settings.clock.set(self.now)
        settings.default_page_size = self.default_page_size
        state.check_responses = self.check_responses or environ_get(CHECK_RESPONSES_ENV) == "1"
        if self.max_recorded_calls != DEFAULT_RECORDED_CALLS:
            state.recorder.keep_latest(self.max_recorded_calls)
        plane = state.data_plane
        plane.interval = float(self.delivery_interval)
        plane.events_per_delivery = self.events_per_delivery
        if self.state_file is not None:
            self._attach(state)  # last: a saved state replaces what the options set

    def _attach(self, state: "MockState") -> None:
        from .persistence import attach

        if attach(state, self.state_file, self.state_key):  # type: ignore[arg-type]
            ignored = sorted(set(self._options) - {"state_file", "state_key"})
            if ignored:
                import warnings

                from .mock import AppFabricMockWarning

                warnings.warn(
                    f"mock_appfabric: the state in {os.fspath(self.state_file)} carries its own configuration: "  # type: ignore[arg-type]
                    f"option(s) {', '.join(ignored)} apply only to a fresh state and are ignored",
                    AppFabricMockWarning, stacklevel=4)


def _check_delivery_options(interval: Any, per_delivery: Any) -> None:
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not 1 <= interval <= 86400:
        raise ValueError("mock_appfabric: delivery_interval must be a number of seconds from 1 to 86400")
    if isinstance(per_delivery, bool) or not isinstance(per_delivery, int) or not 0 <= per_delivery <= 100_000:
        raise ValueError("mock_appfabric: events_per_delivery must be an int from 0 to 100000")
