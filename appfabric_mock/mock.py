"""``mock_appfabric``: turn the mock on as a decorator, context manager or with start/stop.

Activations nest process-wide and are reference-counted: the outermost start
creates a fresh state and applies the mock's patches; inner activations share
that state; only the outermost stop removes the patches and restores the
environment.  This module is the one place that knows whether a mock is active
(``_state``): every patched seam reads it from here, and the patches themselves
are applied and removed by one :class:`~appfabric_mock.patching.PatchSet`.
"""

from __future__ import annotations

import functools
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple, Type, TypeVar, overload

from .controls import Controls

if TYPE_CHECKING:
    from .config import MockConfig
    from .environment import EnvironmentPatch
    from .patching import PatchSet
    from .state import MockState

# Importing this package must stay cheap (it is imported by every test module
# and by the pytest plugin): the backend, the protocol, botocore's model and the
# patches are loaded on the first start, not here.

F = TypeVar("F", bound=Callable[..., Any])


class AppFabricMockWarning(UserWarning):
    """A use of appfabric-mock that works, but probably not as the test meant."""


class AppFabricMockEscapeError(RuntimeError):
    """A connection to an AppFabric endpoint through a client the active mock does not answer.

    Raised by the escape guard (see :mod:`appfabric_mock.escape_guard`) before the
    host name is resolved: nothing reaches the network.  The message names the
    client and says how to get it answered.
    """


#: Guards the activation: depth, state, outermost handle, the started handles.
_lock = threading.RLock()
_depth = 0
#: MockConfig, imported by the first handle.
_MockConfig: Optional[Type["MockConfig"]] = None
#: (the mock's PatchSet, EnvironmentPatch, MockState), imported by the first start.
_machinery: Optional[Tuple["PatchSet", Type["EnvironmentPatch"], Type["MockState"]]] = None
#: The state of the active mock, None when no mock is active: what every patched seam reads.
_state: Optional[MockState] = None
_env: Optional[EnvironmentPatch] = None
_outermost: Optional["AppFabricMock"] = None
#: The handles with a start not yet stopped (each knows the serial numbers of its starts).
_started: Set["AppFabricMock"] = set()
#: The serial number of the last start.
_serial = 0


def _config_class() -> Type["MockConfig"]:
    """MockConfig, imported by the first handle (every test creates one; see _activation_machinery)."""
    global _MockConfig
    if _MockConfig is None:
        from .config import MockConfig

        _MockConfig = MockConfig
    return _MockConfig


def _activation_machinery() -> Tuple["PatchSet", Type["EnvironmentPatch"], Type["MockState"]]:
    """What start and stop use, imported by the first start and kept.

    Not at import (see above); not by an import statement in start and stop either, as
    those run for every test; and never under ``_lock``: an import that another thread
    has begun would wait for that thread, which may wait for the lock.
    """
    global _machinery
    if _machinery is None:
        from . import aio_intercept, escape_guard, intercept
        from .environment import EnvironmentPatch
        from .patching import PatchSet
        from .state import MockState

        patches = PatchSet("mock_appfabric", intercept.PATCHES + aio_intercept.PATCHES + escape_guard.PATCHES)
        _machinery = (patches, EnvironmentPatch, MockState)
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
        #: The options given to this handle (what it applies when it is the outermost activation).
        self._config: MockConfig = _config_class().from_options(options)
        self._starts = 0
        #: The serial numbers of this handle's starts not yet stopped, oldest first.
        self._serials: List[int] = []
        #: The state this handle last joined: its recorded calls stay readable after stop.
        self._last_state: Optional[MockState] = None
        #: (file, line) of the user's code this handle stands for (a decorated function, a
        #: test), set by the decorator and the pytest plugin: where warnings point.
        self._site: Optional[Tuple[str, int]] = None

    @property
    def config(self) -> "MockConfig":
        """The configuration in effect: that of the mock this handle runs in (or last ran in).

        A handle that joined a running mock reports that mock's configuration, not the options
        it was given (which do not apply); before its first start, a handle reports its own.
        """
        state = self._last_state
        if state is not None and state.config is not None:
            return state.config
        return self._config

    # -- activation -------------------------------------------------------------
    def start(self) -> "AppFabricMock":
        """Activate the mock and return this handle.

        The outermost activation creates a fresh state from this handle's options and
        applies the patches; an activation inside it shares that state.  Fake credentials (and
        ``us-east-1`` as default region) are set in the environment only where none are
        configured.  Every ``start()`` needs a matching :meth:`stop`.
        """
        global _depth, _state, _env, _outermost, _serial
        patches, EnvironmentPatch, MockState = _machinery or _activation_machinery()
        with _lock:
            if _depth == 0:
                state = MockState()
                self._config.apply(state)
                env = EnvironmentPatch()
                env.apply()
                # The state first: a seam patched a moment before must find it.
                _state, _env, _outermost = state, env, self
                try:
                    patches.apply()
                except BaseException:
                    patches.remove()
                    env.restore()
                    _state, _env, _outermost = None, None, None
                    raise
            elif _state is not None and self is not _outermost:
                _warn_if_options_ignored(self, _state)
            _depth += 1
            self._starts += 1
            self._last_state = _state
            _serial += 1
            self._serials.append(_serial)
            _started.add(self)
        return self

    def stop(self) -> None:
        """Deactivate; the outermost stop removes every patch and restores the environment.

        Recorded calls (:attr:`calls`), :meth:`resources` and :meth:`snapshot` stay readable
        afterwards.  The outermost stop also reports the injected faults that never fired
        (see :meth:`inject_fault` and the ``unfired_faults`` option).

        :raises RuntimeError: when this handle has no ``start()`` left to match.
        :raises AssertionError: with ``unfired_faults="error"``, when an injected fault never
            fired (the mock is stopped all the same).
        """
        __tracebackhide__ = True  # an unfired-fault error is the test's, not this method's
        self._stop(report=True)

    def _stop(self, report: bool) -> None:
        """:meth:`stop`; ``report``: whether faults that never fired are reported (not after a failure)."""
        __tracebackhide__ = True
        global _depth, _state, _env, _outermost
        state = None
        with _lock:
            if self._starts == 0:
                raise RuntimeError(
                    "mock_appfabric: stop() called on a mock that is not started "
                    "(every stop() needs a matching start())"
                )
            self._starts -= 1
            _depth -= 1
            self._serials.pop()
            if not self._starts:
                _started.discard(self)
            if _depth == 0:
                state = _state
                (_machinery or _activation_machinery())[0].remove()
                if _env is not None:
                    _env.restore()
                _state, _env, _outermost = None, None, None
                if state is not None and state.state_file is not None:
                    state.state_file.save()  # what test controls changed since the last call
        if report and state is not None and state.faults is not None and state.config is not None:
            from .faults import report_unfired

            report_unfired(state.faults, state.config.unfired_faults)

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
            if self._last_state is not None:
                raise RuntimeError(
                    "mock_appfabric is not active (it has stopped): its calls, resources() and snapshot() stay "
                    "readable, the other "
                    "controls need an active mock (use them inside the `with` block or the decorated test)"
                )
            raise RuntimeError("mock_appfabric is not active: start it first")
        return state

    def __enter__(self) -> "AppFabricMock":
        return self.start()

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        # A block that fails has told the test what went wrong: faults it left unfired are noise.
        self._stop(report=exc_type is None)

    async def __aenter__(self) -> "AppFabricMock":
        return self.start()

    async def __aexit__(self, exc_type: Any, *exc: Any) -> None:
        self._stop(report=exc_type is None)

    # -- decoration -------------------------------------------------------------
    def __call__(self, target: F) -> F:
        """Decorate a function, coroutine function, generator function or class (see :func:`mock_appfabric`)."""
        options = self._config.options
        if isinstance(target, type):
            return _decorate_class(target, options)  # type: ignore[return-value]
        if isinstance(target, (staticmethod, classmethod)):
            return type(target)(_decorate_function(target.__func__, options))  # type: ignore[return-value]
        return _decorate_function(target, options)

    def __repr__(self) -> str:
        return f"<AppFabricMock {'active' if self.active else 'inactive'} {self.config!r}>"




# What a decorated callable is, by what calling it returns.
_PLAIN, _COROUTINE, _GENERATOR, _ASYNC_GENERATOR = "plain", "coroutine", "generator", "async generator"


def _kind(func: Any) -> str:
    """What calling ``func`` returns, with the semantics of ``inspect.iscoroutinefunction``.

    Partials, bound methods, static and class methods are looked through, and so is a
    callable object's ``__call__``: an object whose ``__call__`` is ``async def`` is a
    coroutine function here, as it is for the code that awaits it.
    """
    import inspect

    target = func
    while isinstance(target, functools.partial):
        target = target.func
    if isinstance(target, (staticmethod, classmethod)):
        target = target.__func__
    for check, kind in ((inspect.iscoroutinefunction, _COROUTINE), (inspect.isasyncgenfunction, _ASYNC_GENERATOR),
                        (inspect.isgeneratorfunction, _GENERATOR)):
        if check(target):
            return kind
    if not (inspect.isfunction(target) or inspect.ismethod(target) or inspect.isbuiltin(target)
            or isinstance(target, type)):
        call = vars(type(target)).get("__call__") if callable(target) else None
        if call is not None and inspect.isfunction(call):
            return _kind(call)
    return _PLAIN


#: The attribute of a decorated function holding the options of the mock it runs in: the pytest
#: plugin gives them to the test's fixtures, and a decorated class's set-up to the test's mock.
OPTIONS_ATTR = "_appfabric_mock_options"


def _decorate_function(func: F, options: Dict[str, Any]) -> F:
    from .sites import definition_site

    site = definition_site(func)

    def activation(args: Tuple[Any, ...]) -> AppFabricMock:
        handle = AppFabricMock(**options)
        handle._site = site
        return handle

    wrapper = _wrap(func, activation)
    setattr(wrapper, OPTIONS_ATTR, dict(options))
    return wrapper  # type: ignore[no-any-return]


def decorated_options(func: Any) -> Dict[str, Any]:
    """The options of the mock a decorated function (or test method) runs in; ``{}`` if it is not decorated."""
    found = getattr(func, OPTIONS_ATTR, None)
    return dict(found) if isinstance(found, dict) else {}


def _wrap(func: Any, activation: Callable[[Tuple[Any, ...]], Any]) -> Any:
    """``func`` run inside ``activation(args)`` (a context manager), for as long as what it returns runs.

    A coroutine function is mocked while its coroutine runs; a generator function (sync or
    async) for the generator's whole life: from the first ``next()`` until it is exhausted,
    raises, or is closed (``close()``, ``aclose()``, or garbage collection).
    """
    kind = _kind(func)
    if kind == _COROUTINE:

        @functools.wraps(func)
        async def coroutine_wrapper(*args: Any, **kwargs: Any) -> Any:
            with activation(args):
                return await func(*args, **kwargs)

        return coroutine_wrapper

    if kind == _GENERATOR:

        @functools.wraps(func)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            with activation(args):
                # `yield from` forwards send(), throw() and close(), and returns the generator's value.
                return (yield from func(*args, **kwargs))

        return generator_wrapper

    if kind == _ASYNC_GENERATOR:

        @functools.wraps(func)
        async def async_generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            with activation(args):
                generator = func(*args, **kwargs)
                try:
                    value = await generator.__anext__()
                except StopAsyncIteration:
                    return
                while True:
                    # What `yield from` does for a sync generator, written out: async
                    # generators have no `yield from`.
                    try:
                        sent = yield value
                    except GeneratorExit:
                        await generator.aclose()
                        raise
                    except BaseException as exc:
                        try:
                            value = await generator.athrow(exc)
                        except StopAsyncIteration:
                            return
                    else:
                        try:
                            value = await generator.asend(sent)
                        except StopAsyncIteration:
                            return

        return async_generator_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with activation(args):
            return func(*args, **kwargs)

    return wrapper


_HANDLE_ATTR = "_appfabric_mock_handle"


def _decorate_class(cls: type, options: Dict[str, Any]) -> type:
    """Give every test of ``cls`` a fresh mock that is already active during set-up."""
    unittest = sys.modules.get("unittest")
    if unittest is not None and issubclass(cls, unittest.TestCase):
        original_setup = cls.setUp  # type: ignore[attr-defined]

        @functools.wraps(original_setup)
        def setUp(self: Any) -> None:
            test = getattr(self, getattr(self, "_testMethodName", ""), None)
            handle = AppFabricMock(**(decorated_options(test) or options)).start()
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
        # The test's own options (a decorator on the method) join the class's.
        handle = AppFabricMock(**(decorated_options(method) or options)).start()
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
        if not name.startswith("test"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            # No instance to hold a set-up's handle: they activate (or join) a mock themselves.
            setattr(cls, name, type(member)(_decorate_function(member.__func__, options)))
        elif callable(member):
            own = {**options, **decorated_options(member)}
            wrapper = _ensure_active(member, own)
            setattr(wrapper, OPTIONS_ATTR, own)
            setattr(cls, name, wrapper)
    return cls


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


def _warn_if_options_ignored(inner: "AppFabricMock", state: "MockState") -> None:
    # Joining the running mock is by design (fixtures, class and method decorators
    # nest); dropping options the test asked for without a word is not.
    given = inner._config
    options = given.options
    running = state.config
    if not options or running is None:
        return
    ignored = {name: value for name, value in options.items() if getattr(given, name) != getattr(running, name)}
    if not ignored:
        return
    import warnings

    message = (
        f"mock_appfabric({', '.join(f'{k}={v!r}' for k, v in sorted(ignored.items()))}) joined a mock that is "
        f"already active and shares its state: these options are ignored (the running mock has "
        f"{', '.join(f'{k}={getattr(running, k)!r}' for k in sorted(ignored))}). Give them to the outermost "
        f"activation (the test's marker or decorator under the pytest fixtures, the class decorator, the first "
        f"`with`)."
    )
    if inner._site is not None:
        warnings.warn_explicit(message, AppFabricMockWarning, inner._site[0], inner._site[1])
    else:
        from .sites import user_stacklevel

        warnings.warn(message, AppFabricMockWarning, stacklevel=user_stacklevel())


def _stop_handle(instance: Any) -> None:
    handle = instance.__dict__.pop(_HANDLE_ATTR, None)
    if handle is not None and handle.active:
        handle.stop()


class _JoinOrActivate:
    """The activation of a decorated class's test method: none if pytest's set-up already gave it one."""

    __slots__ = ("_instance", "_options", "_handle")

    def __init__(self, instance: Any, options: Dict[str, Any]) -> None:
        self._instance = instance
        self._options = options
        self._handle: Optional[AppFabricMock] = None

    def __enter__(self) -> None:
        if _HANDLE_ATTR not in getattr(self._instance, "__dict__", {}):
            self._handle = AppFabricMock(**self._options).start()

    def __exit__(self, *exc: Any) -> None:
        if self._handle is not None:
            self._handle.stop()


def _ensure_active(method: Any, options: Dict[str, Any]) -> Any:
    return _wrap(method, lambda args: _JoinOrActivate(args[0] if args else None, options))


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
        if not callable(target) and not isinstance(target, (staticmethod, classmethod)):
            raise TypeError(f"mock_appfabric: cannot decorate {target!r}")
        return AppFabricMock()(target)
    return AppFabricMock(**options)


def current_mock() -> Optional[AppFabricMock]:
    """The handle of the outermost active mock, or None (useful under the decorator)."""
    return _outermost


