"""Every option of ``mock_appfabric(...)`` in one place, checked up front."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from typing import Any, Dict, FrozenSet, Mapping, Optional, Union

from .backend.apps import API_KEY, OAUTH2, KnownApp
from .backend.settings import DEFAULT_QUOTAS
from .environment import environ_get
from .identity import is_account_id
from .state import MockState

_QUOTA_NAMES = frozenset(DEFAULT_QUOTAS)
AUTH_TYPES = (OAUTH2, API_KEY)
#: Set to 1 to check every response against its output shape in every mock (the test suite does).
CHECK_RESPONSES_ENV = "APPFABRIC_MOCK_CHECK_RESPONSES"


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
    * ``max_recorded_calls``: keep only the latest N calls in ``m.calls`` (None: keep all).  The
      command-line server keeps 10,000, so a long-running server's memory stays bounded.
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
    max_recorded_calls: Optional[int] = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "MockConfig":
        """Build from keyword options; an unknown option is a TypeError naming the valid ones."""
        names = _field_names(cls)  # every mock builds one: fields() walks the dataclass each time
        unknown = sorted(set(options) - names) if options else ()
        if unknown:
            raise TypeError(
                f"mock_appfabric: unknown option(s) {', '.join(unknown)}; "
                f"valid options are {', '.join(sorted(names))}"
            )
        config = cls(**options)
        config._check()
        config._options = dict(options)
        return config

    _options: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def options(self) -> Dict[str, Any]:
        """The keyword options this configuration was built from."""
        return dict(self._options)

    def _check(self) -> None:
        if self.quotas is not None:
            unknown = sorted(set(self.quotas) - _QUOTA_NAMES)
            if unknown:
                raise TypeError(
                    f"mock_appfabric: unknown quota(s) {', '.join(unknown)}; "
                    f"quotas are {', '.join(sorted(_QUOTA_NAMES))}"
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

    def apply(self, state: MockState) -> None:
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
        # The default () skips the isinstance check against typing.Mapping: a few
        # microseconds of every start (typing's isinstance runs in Python).
        if self.extra_apps != ():
            extra = self.extra_apps.items() if isinstance(self.extra_apps, Mapping) else (
                (name, name) for name in self.extra_apps
            )
            for name, display in extra:
                # A mapping to "oauth2"/"apiKey" declares the type; any other value is a display name.
                auth_type = display if display in AUTH_TYPES else None
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
        if self.max_recorded_calls is not None:
            state.recorder.keep_latest(self.max_recorded_calls)
