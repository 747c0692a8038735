"""Every option of ``mock_appfabric(...)`` in one place, checked up front."""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Mapping, Optional, Union

from .environment import environ_get
from .identity import DEFAULT_ACCOUNT_ID, is_account_id

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
#: Audit-log deliveries a mock keeps (with what its in-memory sink holds of them) unless
#: ``max_recorded_deliveries`` says otherwise, for the same reason; past it, the oldest are
#: dropped and a warning says so, once.  A delivery of 10 generated events holds about 11 KB.
DEFAULT_RECORDED_DELIVERIES = 10_000
#: The values of ``unfired_faults``: what the end of an activation does about faults that never fired.
UNFIRED_FAULTS = ("warn", "error", "ignore")

#: The options that configure the shared settings (MockConfig._apply_settings) and the data plane
#: (MockConfig._apply_data_plane): a start makes those parts only when one of them is away from its default.
SETTINGS_OPTIONS = ("quotas", "strict_apps", "extra_apps", "user_access_task_reads", "user_access_task_seconds",
                    "user_access_task_lifetime", "seed", "now", "default_page_size")
DATA_PLANE_OPTIONS = ("delivery_interval", "events_per_delivery", "max_recorded_deliveries")


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
    * ``now``: freeze the mock's clock at this time (datetime, naive meaning UTC, or ISO-8601
      string); kept as an aware UTC datetime.
    * ``default_page_size``: page size of List operations called without ``maxResults``
      (1 to 100, default 100).
    * ``check_responses``: check every response against its output shape, so a mock bug is
      an ``InternalServerException`` (also turned on by ``APPFABRIC_MOCK_CHECK_RESPONSES=1``).
    * ``max_recorded_calls``: keep only the latest N calls in ``m.calls`` (default 10,000, so a
      long-running mock's memory stays bounded; an ``AppFabricMockWarning`` says so, once, when
      calls start being dropped); None keeps every call.
    * ``max_recorded_deliveries``: keep only the latest N audit-log deliveries in
      ``m.deliveries``, and in the in-memory sink only what they delivered (default 10,000;
      an ``AppFabricMockWarning`` says so, once, when deliveries start being dropped); None
      keeps every delivery.
    * ``state_file``: a path: load the state from it if it exists, and save it there after every
      change (see :mod:`appfabric_mock.persistence`).  A loaded state carries its own
      configuration: the other options then apply only to a fresh state (a warning names them).
    * ``state_key``: the key of the state file's digests of idempotent requests (default:
      ``APPFABRIC_MOCK_STATE_KEY``, else a random key kept in ``<state_file>.key``).
    * ``delivery_interval``: seconds of the mock's clock between audit-log deliveries (default
      1800: AWS documents up to 30 minutes of delay); see :mod:`appfabric_mock.delivery.plane`.
    * ``events_per_delivery``: events each scheduled delivery generates (default 10).
    * ``unfired_faults``: what the end of the mock does about injected faults that never fired
      (see :meth:`~appfabric_mock.AppFabricMock.inject_fault`): ``"warn"`` (the default, an
      :class:`~appfabric_mock.AppFabricMockWarning`), ``"error"`` (an AssertionError) or
      ``"ignore"``.

    Every option is checked when the handle is made: a wrong type is a TypeError, a wrong value
    a ValueError, each naming the option and what it takes.
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
    max_recorded_deliveries: Optional[int] = DEFAULT_RECORDED_DELIVERIES
    state_file: Optional[Union[str, "os.PathLike[str]"]] = None
    state_key: Optional[str] = None
    delivery_interval: float = 1800.0
    events_per_delivery: int = 10
    unfired_faults: str = "warn"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "MockConfig":
        """Build from keyword options, each checked.

        Only the options given are checked (every test builds a handle: the defaults are known
        good).  An unknown option is a TypeError naming the valid ones; a value of the wrong
        type a TypeError, and a value out of range a ValueError, each naming the option and
        what it takes.
        """
        if not options:
            return cls()  # (its _options are {})
        names = _field_names(cls)  # kept per class: every handle checks its options
        unknown = sorted(set(options) - names)
        if unknown:
            raise TypeError(
                f"mock_appfabric: unknown option(s) {', '.join(unknown)}; "
                f"valid options are {', '.join(sorted(names))}"
            )
        checked = {name: _CHECKS[name](value) for name, value in options.items()}
        config = cls(**checked)
        config._options = dict(options)
        return config

    _options: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def options(self) -> Dict[str, Any]:
        """The keyword options this configuration was built from, as they were given."""
        return dict(self._options)

    def apply(self, state: "MockState") -> None:
        """Configure a fresh state.

        The settings, the call recorder and the data plane are touched only for options that
        differ from what they are made with, so that a mock with default options does not make
        them at start (see :class:`~appfabric_mock.state.MockState`).
        """
        state.config = self
        if self.account_id:
            state.default_account_id = self.account_id
        elif state.default_account_id is not DEFAULT_ACCOUNT_ID and not is_account_id(state.default_account_id):
            # From APPFABRIC_MOCK_ACCOUNT_ID: every ARN would carry it, so fail now, clearly.
            raise ValueError(
                f"mock_appfabric: APPFABRIC_MOCK_ACCOUNT_ID must be 12 digits, not {state.default_account_id!r}"
            )
        if self.accounts:
            state.accounts.update(self.accounts)
        state.strict_regions = self.strict_regions
        state.check_responses = self.check_responses or environ_get(CHECK_RESPONSES_ENV) == "1"
        # An option at its default leaves the part as it is made (tests/test_lazy_state.py
        # checks that the defaults are those of Settings, CallRecorder and DataPlane, and that
        # every option belongs to one of these groups).
        if self._away_from_default(SETTINGS_OPTIONS):
            self._apply_settings(state)
        if self.max_recorded_calls != DEFAULT_RECORDED_CALLS:
            state.recorder.keep_latest(self.max_recorded_calls)
        if self._away_from_default(DATA_PLANE_OPTIONS):
            self._apply_data_plane(state)
        if self.state_file is not None:
            self._attach(state)  # last: a saved state replaces what the options set

    def _away_from_default(self, names: "tuple[str, ...]") -> bool:
        defaults = _DEFAULTS
        return any(getattr(self, name) != getattr(defaults, name) for name in names)

    def _apply_settings(self, state: "MockState") -> None:
        settings = state.settings
        if self.quotas is None:
            settings.quotas = {name: None for name in settings.quotas}
        else:
            settings.quotas.update(self.quotas)
        settings.strict_apps = self.strict_apps
        # Compared with the default first: isinstance against typing.Mapping runs in Python.
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
        if self.seed is not None:
            settings.ids.reseed(self.seed)
        if self.now is not None:
            settings.clock.set(self.now)
        settings.default_page_size = self.default_page_size

    def _apply_data_plane(self, state: "MockState") -> None:
        plane = state.data_plane
        plane.interval = float(self.delivery_interval)
        plane.events_per_delivery = self.events_per_delivery
        if self.max_recorded_deliveries != DEFAULT_RECORDED_DELIVERIES:
            plane.keep_latest(self.max_recorded_deliveries)

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



# -- the check of each option -------------------------------------------------------------------
# Each takes the value given and returns the value to keep (``now`` is kept parsed); a wrong
# type is a TypeError, a wrong value a ValueError, and both name the option and what it takes.


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_error(name: str, expected: str, value: Any) -> TypeError:
    return TypeError(f"mock_appfabric: {name} must be {expected}, not {type(value).__name__} {_shown(value)}")


def _value_error(name: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"mock_appfabric: {name} must be {expected}, not {_shown(value)}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bool(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, bool):
            raise _type_error(name, "a bool (True or False)", value)
        return value

    return check


def _int_in(name: str, low: int, high: Optional[int], optional: bool = False) -> Callable[[Any], Any]:
    what = f"an int from {low} to {high}" if high is not None else f"an int of at least {low}"
    what += " or None" if optional else ""

    def check(value: Any) -> Any:
        if value is None and optional:
            return None
        if not _is_int(value):
            raise _type_error(name, what, value)
        if value < low or (high is not None and value > high):
            raise _value_error(name, what, value)
        return value

    return check


def _seconds(name: str, low: float, high: Optional[float], optional: bool) -> Callable[[Any], Any]:
    what = (f"a number of seconds from {low:g} to {high:g}" if high is not None
            else f"a number of seconds of at least {low:g}") + (" or None" if optional else "")

    def check(value: Any) -> Any:
        if value is None and optional:
            return None
        if not _is_number(value):
            raise _type_error(name, what, value)
        if not math.isfinite(value) or value < low or (high is not None and value > high):
            raise _value_error(name, what, value)
        return value

    return check


def _account_id(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error("account_id", "a string of 12 digits or None", value)
    if not is_account_id(value):
        raise _value_error("account_id", "12 digits", value)
    return value


def _accounts(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise _type_error("accounts", "a mapping of access key id to account id (12 digits)", value)
    for key, account in value.items():
        if not isinstance(key, str) or not key:
            raise _type_error("accounts", "keyed by access key ids (non-empty strings)", key)
        if not isinstance(account, str):
            raise _type_error(f"accounts[{key!r}]", "an account id, a string of 12 digits", account)
        if not is_account_id(account):
            raise _value_error(f"accounts[{key!r}] (the account for access key {key})", "12 digits", account)
    return value


def _quotas(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _type_error("quotas", "a mapping of quota name to an int or None (or None: no quotas)", value)
    from .backend.settings import DEFAULT_QUOTAS

    unknown = sorted(str(name) for name in set(value) - set(DEFAULT_QUOTAS))
    if unknown:
        raise TypeError(
            f"mock_appfabric: unknown quota(s) {', '.join(unknown)}; quotas are {', '.join(sorted(DEFAULT_QUOTAS))}"
        )
    for name, limit in value.items():
        if limit is not None and not _is_int(limit):
            raise _type_error(f"quota {name}", "a non-negative int or None", limit)
        if limit is not None and limit < 0:
            raise _value_error(f"quota {name}", "a non-negative int or None", limit)
    return value


#: The longest ``app`` name the model allows.
_APP_NAME_MAX = 255


def _app_name(name: Any, where: str) -> None:
    if not isinstance(name, str):
        raise _type_error(where, "app names (strings)", name)
    if not 1 <= len(name) <= _APP_NAME_MAX:
        raise _value_error(where, f"app names of 1 to {_APP_NAME_MAX} characters", name)


def _extra_apps(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"mock_appfabric: extra_apps must be a list of app names or a mapping of name to authType or "
            f"display name, not one string (each letter would be a name): write extra_apps=[{value!r}]"
        )
    if isinstance(value, Mapping):
        for name, display in value.items():
            _app_name(name, "extra_apps")
            if not isinstance(display, str) or not display:
                raise _type_error(f"extra_apps[{name!r}]", '"oauth2", "apiKey" or a display name (a string)', display)
        return value
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise _type_error("extra_apps", "a list of app names or a mapping of name to authType or display name",
                          value)
    for name in value:
        _app_name(name, "extra_apps")
    return value


def _seed(value: Any) -> Any:
    if value is not None and not _is_int(value):
        raise _type_error("seed", "an int or None", value)
    return value


def _now(value: Any) -> Any:
    if value is None:
        return None
    from .timestamps import to_utc

    return to_utc(value, "mock_appfabric: now")


def _state_file(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise _type_error("state_file", "a path (str or os.PathLike) or None", value)
    if not os.fspath(value):
        raise _value_error("state_file", "a non-empty path", value)
    return value


def _state_key(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error("state_key", "a non-empty string or None", value)
    if not value:
        raise _value_error("state_key", "a non-empty string or None", value)
    return value


def _unfired_faults(value: Any) -> Any:
    if not isinstance(value, str):
        raise _type_error("unfired_faults", f"one of {', '.join(map(repr, UNFIRED_FAULTS))}", value)
    if value not in UNFIRED_FAULTS:
        raise _value_error("unfired_faults", f"one of {', '.join(map(repr, UNFIRED_FAULTS))}", value)
    return value


_CHECKS: Dict[str, Callable[[Any], Any]] = {
    "account_id": _account_id,
    "accounts": _accounts,
    "quotas": _quotas,
    "strict_apps": _bool("strict_apps"),
    "extra_apps": _extra_apps,
    "user_access_task_reads": _int_in("user_access_task_reads", 0, None),
    "user_access_task_seconds": _seconds("user_access_task_seconds", 0, None, optional=True),
    "user_access_task_lifetime": _seconds("user_access_task_lifetime", 0, None, optional=True),
    "strict_regions": _bool("strict_regions"),
    "seed": _seed,
    "now": _now,
    "default_page_size": _int_in("default_page_size", 1, 100),
    "check_responses": _bool("check_responses"),
    "max_recorded_calls": _int_in("max_recorded_calls", 0, None, optional=True),
    "max_recorded_deliveries": _int_in("max_recorded_deliveries", 0, None, optional=True),
    "state_file": _state_file,
    "state_key": _state_key,
    "delivery_interval": _seconds("delivery_interval", 1, 86400, optional=False),
    "events_per_delivery": _int_in("events_per_delivery", 0, 100_000),
    "unfired_faults": _unfired_faults,
}


#: Every option at its default: what MockConfig.apply compares options with.
_DEFAULTS = MockConfig()
