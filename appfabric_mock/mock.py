"""``mock_appfabric``: turn the mock on as a decorator, context manager or with start/stop.

Activations nest process-wide and are reference-counted: the outermost start
creates a fresh state and patches botocore; inner activations share that
state; only the outermost stop restores everything as it was.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Type, TypeVar, overload

from .controls import Controls

if TYPE_CHECKING:
    from .config import MockConfig
    from .environment import EnvironmentPatch
    from .state import MockState

# Importing this package must stay cheap (it is imported by every test module
# and by the pytest plugin): the backend, the protocol and botocore's model are
# loaded on the first start, not here.
_CO_COROUTINE = 0x80

F = TypeVar("F", bound=Callable[..., Any])


class AppFabricMockWarning(UserWarning):
    """A use of appfabric-mock that works, but probably not as the test meant."""

_lock = threading.RLock()
_depth = 0
#: MockConfig, imported by the first handle.
_MockConfig: Optional[Type["MockConfig"]] = None
#: (intercept module, EnvironmentPatch, MockState), imported by the first start.
_machinery: Optional[Tuple[ModuleType, Type["EnvironmentPatch"], Type["MockState"]]] = None
_state: Optional[MockState] = None
_env: Optional[EnvironmentPatch] = None
_outermost: Optional["AppFabricMock"] = None


def _config_class() -> Type["MockConfig"]:
    """MockConfig, imported by the first handle (every test creates one; see _activation_machinery)."""
    global _MockConfig
    if _MockConfig is None:
        from .config import MockConfig

        _MockConfig = MockConfig
    return _MockConfig


def _activation_machinery() -> Tuple[ModuleType, Type["EnvironmentPatch"], Type["MockState"]]:
    """What start and stop use, imported by the first start and kept.

    Not at import (see above); and not by an import statement in start and stop
    either: a relative import of a loaded module still costs a microsecond or two
    (the package is resolved in Python), and start and stop run for every test.
    """
    global _machinery
    if _machinery is None:
        from . import intercept
        from .environment import EnvironmentPatch
        from .state import MockState

        _machinery = (intercept, EnvironmentPatch, MockState)
    return _machinery


class AppFabricMock(Controls):
    """A handle on the mock: start/stop it, configure it, inspect and steer its state.

    Create it with :func:`mock_appfabric`.  Keyword options are described in
    :class:`appfabric_mock.config.MockConfig`; they take effect when this
    handle is the outermost activation.  It is a context manager (``with`` and
    ``async with``) and a decorator, like :func:`mock_appfabric`.

    The test controls (state, clock, faults, access rules, recorded calls) act on the
    state of the running activation and raise RuntimeError when the mock is not active,
    except the recorded calls, which stay readable after :meth:`stop`.
    """

    def __init__(self, **options: Any) -> None:
        self.config: MockConfig = _config_class().from_options(options)
        self._starts = 0
        #: The state this handle last joined: its recorded calls stay readable after stop.
        self._last_state: Optional[MockState] = None

    # -- activation -------------------------------------------------------------
    def start(self) -> "AppFabricMock":
        """Activate the mock and return this handle.

        The outermost activation creates a fresh state from this handle's options and
        patches botocore; an activation inside it shares that state.  Fake credentials (and
        ``us-east-1`` as default region) are set in the environment only where none are
        configured.  Every ``start()`` needs a matching :meth:`stop`.
        """
        global _depth, _state, _env, _outermost
        with _lock:
            if _depth == 0:
                intercept, EnvironmentPatch, MockState = _activation_machinery()
                state = MockState()
                self.config.apply(state)
                env = EnvironmentPatch()
                env.apply()
                try:
                    intercept.install(state)
                except BaseException:
                    env.restore()
                    raise
                _state, _env, _outermost = state, env, self
            elif _outermost is not None and self is not _outermost:
                _warn_if_options_ignored(self, _outermost)
            _depth += 1
            self._starts += 1
            self._last_state = _state
        return self

    def stop(self) -> None:
        """Deactivate; the outermost stop restores botocore and the environment.

        Recorded calls (:attr:`calls`) stay readable afterwards.

        :raises RuntimeError: when this handle has no ``start()`` left to match.
        """
        global _depth, _state, _env, _outermost
        with _lock:
            if self._starts == 0:
                raise RuntimeError(
                    "mock_appfabric: stop() called on a mock that is not started "
                    "(every stop() needs a matching start())"
                )
            self._starts -= 1
            _depth -= 1
            if _depth == 0:
                state = _state
                _activation_machinery()[0].uninstall()
                if _env is not None:
                    _env.restore()
                _state, _env, _outermost = None, None, None
                if state is not None and state.state_file is not None:
                    state.state_file.save()  # what test controls changed since the last call

    @property
    def active(self) -> bool:
        """Whether this handle has been started and not yet stopped."""
        return self._starts > 0

    @property
    def state(self) -> "MockState":
        """The state of the running activation (shared by nested handles); internal.

        :raises RuntimeError: when this handle is not active.
        """
        state = _state
        if state is None or self._starts == 0:
            raise RuntimeError("mock_appfabric is not active: start it first")
        return state

    def __enter__(self) -> "AppFabricMock":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "AppFabricMock":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    # -- decoration -------------------------------------------------------------
    def __call__(self, target: F) -> F:
        """Decorate a function, coroutine function or class (see :func:`mock_appfabric`)."""
        options = self.config.options
        if isinstance(target, type):
            return _decorate_class(target, options)  # type: ignore[return-value]
        return _decorate_function(target, options)

    def __repr__(self) -> str:
        return f"<AppFabricMock {'active' if self.active else 'inactive'} {self.config!r}>"


def _decorate_function(func: F, options: Dict[str, Any]) -> F:
    if _is_coroutine_function(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            async with AppFabricMock(**options):
                return await func(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with AppFabricMock(**options):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


_HANDLE_ATTR = "_appfabric_mock_handle"


def _decorate_class(cls: type, options: Dict[str, Any]) -> type:
    """Give every test of ``cls`` a fresh mock that is already active during set-up."""
    unittest = sys.modules.get("unittest")
    if unittest is not None and issubclass(cls, unittest.TestCase):
        original_setup = cls.setUp  # type: ignore[attr-defined]

        @functools.wraps(original_setup)
        def setUp(self: Any) -> None:
            handle = AppFabricMock(**options).start()
            self.addCleanup(handle.stop)
            setattr(self, _HANDLE_ATTR, handle)
            original_setup(self)

        cls.setUp = setUp  # type: ignore[attr-defined]
        return cls

    original_setup_method = cls.__dict__.get("setup_method")
    original_teardown_method = cls.__dict__.get("teardown_method")
    inherited_setup = getattr(cls, "setup_method", None)
    inherited_teardown = getattr(cls, "teardown_method", None)

    def setup_method(self: Any, method: Any = None) -> None:
        handle = AppFabricMock(**options).start()
        setattr(self, _HANDLE_ATTR, handle)
        try:
            parent = original_setup_method or inherited_setup
            if parent is not None:
                _call_optional_arg(parent, self, method)
        except BaseException:
            _stop_handle(self)
            raise

    def teardown_method(self: Any, method: Any = None) -> None:
        try:
            parent = original_teardown_method or inherited_teardown
            if parent is not None:
                _call_optional_arg(parent, self, method)
        finally:
            _stop_handle(self)

    cls.setup_method = setup_method  # type: ignore[attr-defined]
    cls.teardown_method = teardown_method  # type: ignore[attr-defined]
    # Test methods called without pytest's set-up still get a mock of their own.
    for name, member in list(vars(cls).items()):
        if name.startswith("test") and callable(member):
            setattr(cls, name, _ensure_active(member, options))
    return cls


def _is_coroutine_function(func: Any) -> bool:
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return bool(code is not None and code.co_flags & _CO_COROUTINE)


def _call_optional_arg(func: Any, self: Any, method: Any) -> None:
    import inspect

    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        parameters = {}  # type: ignore[assignment]
    if len(parameters) >= 2:
        func(self, method)
    else:
        func(self)


def _warn_if_options_ignored(inner: "AppFabricMock", outer: "AppFabricMock") -> None:
    # Joining the running mock is by design (fixtures, class and method decorators
    # nest); dropping options the test asked for without a word is not.
    options = inner.config.options
    if options and options != outer.config.options:
        import warnings

        warnings.warn(
            f"mock_appfabric({', '.join(f'{k}={v!r}' for k, v in sorted(options.items()))}) joined a mock "
            f"that is already active and shares its state: these options are ignored. Give them to the "
            f"outermost activation (the fixture's marker, the class decorator, the first `with`).",
            AppFabricMockWarning,
            stacklevel=_user_stacklevel(),
        )


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside this package: where the user wrote the activation."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _stop_handle(instance: Any) -> None:
    handle = instance.__dict__.pop(_HANDLE_ATTR, None)
    if handle is not None and handle.active:
        handle.stop()


def _ensure_active(method: Any, options: Dict[str, Any]) -> Any:
    if _is_coroutine_function(method):

        @functools.wraps(method)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _HANDLE_ATTR in getattr(self, "__dict__", {}):
                return await method(self, *args, **kwargs)
            async with AppFabricMock(**options):
                return await method(self, *args, **kwargs)

        return async_wrapper

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _HANDLE_ATTR in getattr(self, "__dict__", {}):
            return method(self, *args, **kwargs)
        with AppFabricMock(**options):
            return method(self, *args, **kwargs)

    return wrapper


@overload
def mock_appfabric(target: F) -> F: ...


@overload
def mock_appfabric(target: None = None, **options: Any) -> AppFabricMock: ...


def mock_appfabric(target: Any = None, **options: Any) -> Any:
    """Answer every botocore/boto3 ``appfabric`` client from an in-memory AppFabric.

    Use it as ``@mock_appfabric`` or ``@mock_appfabric(**options)`` on a
    function, an ``async def`` function or a test class; as
    ``with mock_appfabric(**options) as m:`` (or ``async with``); or as
    ``m = mock_appfabric(); m.start(); ...; m.stop()``.

    On a test class, every test method (and ``setUp``/``setup_method``) gets a fresh
    mock of its own.  Activations nest: an inner one shares the state of the outermost,
    whose options are the ones that apply.

    :param target: the function or class to decorate (when used as a bare ``@mock_appfabric``).
    :param options: the options of :class:`~appfabric_mock.config.MockConfig`
        (``quotas``, ``accounts``, ``seed``, ``now``, ``strict_regions``, ...).
    :returns: the decorated target, or an :class:`AppFabricMock` handle (not yet started).
    :raises TypeError: for an unknown option, for options given together with a target, or
        for a target that is not callable.
    :raises ValueError: for an option with an invalid value (an account id that is not 12
        digits, a negative quota, a page size outside 1 to 100, ...).
    """
    if target is not None:
        if options:
            raise TypeError("mock_appfabric: pass options as mock_appfabric(**options)(target)")
        if not callable(target):
            raise TypeError(f"mock_appfabric: cannot decorate {target!r}")
        return AppFabricMock()(target)
    return AppFabricMock(**options)


def current_mock() -> Optional[AppFabricMock]:
    """The handle of the outermost active mock, or None (useful under the decorator)."""
    return _outermost


