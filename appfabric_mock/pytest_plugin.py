"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

* ``appfabric_mock``: an active :class:`~appfabric_mock.AppFabricMock`, fresh for each test.
* ``appfabric_client``: a boto3 ``appfabric`` client in us-east-1 answered by that mock.  A
  client an earlier test gave back untouched may be handed out again (see
  :mod:`appfabric_mock.client_pool`): it answers from this test's fresh mock all the same.
* ``appfabric_async_client``: a factory of aiobotocore clients answered by that mock
  (``async with appfabric_async_client as client:``), for pytest-asyncio and anyio alike.
* ``appfabric_server``: the mock served over HTTP (a started ThreadedServer).

Under these fixtures botocore and aiobotocore retry without sleeping (see
:func:`~appfabric_mock.no_retry_sleep`); ``@pytest.mark.appfabric_mock(retry_sleep=True)``
keeps the real sleeps.  Injected faults that never fired are reported at the end of a test
that passed (the ``unfired_faults`` option).

A test marked ``@pytest.mark.appfabric_mock(...)`` (or whose class or module is) runs in
a fresh mock even if it asks for no fixture; its ``appfabric_mock`` fixture is that mock.
A test decorated with ``@mock_appfabric(...)`` that uses the fixtures gets one mock, with
the decorator's options.  A ``start()`` left without ``stop()`` at the end of a test is
stopped, with an :class:`~appfabric_mock.AppFabricMockWarning` naming the test (a mock
started by a module, class or session fixture is left alone).

Options for one test go in a marker next to it::

    @pytest.mark.appfabric_mock(quotas={"app_bundles": 2}, seed=7)
    def test_two_bundles(appfabric_client): ...
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Tuple

import pytest

if TYPE_CHECKING:
    from .aio_clients import AsyncClientFactory
    from .mock import AppFabricMock
    from .server import ThreadedServer

#: Marker options of the plugin itself, not of mock_appfabric: ``retry_sleep=True`` keeps
#: botocore's real sleeps between retries.
_PLUGIN_OPTIONS = ("retry_sleep",)


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "appfabric_mock(**options): run the test in a fresh mock (the appfabric_mock fixture) "
        "with these options (the keyword options of mock_appfabric, and retry_sleep=True to keep "
        "botocore's sleeps between retries)",
    )


def _marker_options(request: Any) -> Dict[str, Any]:
    options: Dict[str, Any] = {}
    # Closest marker last, so a test's own marker overrides its class's or module's.
    for marker in reversed(list(request.node.iter_markers("appfabric_mock"))):
        if marker.args:
            raise TypeError("@pytest.mark.appfabric_mock takes keyword options only")
        options.update(marker.kwargs)
    return options


def _test_options(request: Any) -> Tuple[Dict[str, Any], bool]:
    """(mock options, retry_sleep) of a test: its markers', then its decorator's (the closest)."""
    from .mock import decorated_options

    options = _marker_options(request)
    options.update(decorated_options(getattr(request, "function", None)))
    retry_sleep = options.pop("retry_sleep", False)
    if not isinstance(retry_sleep, bool):
        raise TypeError(f"@pytest.mark.appfabric_mock: retry_sleep must be a bool (True or False), "
                        f"not {type(retry_sleep).__name__} {retry_sleep!r}")
    return options, retry_sleep


def _decorated(request: Any) -> bool:
    from .mock import OPTIONS_ATTR

    return hasattr(getattr(request, "function", None), OPTIONS_ATTR)


@contextlib.contextmanager
def _sleeps(keep: bool) -> Iterator[None]:
    if keep:
        yield
        return
    from .retries import no_retry_sleep

    with no_retry_sleep():
        yield


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[Any]:
    report: Any = yield
    if report.failed:
        item.stash[_FAILED] = True  # its faults that never fired are no news then
    return report


def _passed(request: Any) -> bool:
    node = getattr(request, "node", None)
    return node is None or not node.stash.get(_FAILED, False)


@pytest.fixture
def appfabric_mock(request: Any) -> Iterator["AppFabricMock"]:
    """An active AppFabric mock, fresh for each test; configure it with ``@pytest.mark.appfabric_mock``.

    A test decorated with ``@mock_appfabric(...)`` gets the decorator's options here too (the
    decorator then joins this mock).  Retries do not sleep unless the marker says
    ``retry_sleep=True``.
    """
    from .mock import AppFabricMock
    from .sites import definition_site

    options, retry_sleep = _test_options(request)
    handle = AppFabricMock(**options)
    handle._site = definition_site(getattr(request, "function", None))
    handle.start()
    try:
        with _sleeps(retry_sleep):
            yield handle
    finally:
        __tracebackhide__ = True
        handle._stop(report=_passed(request))


@pytest.fixture
def appfabric_client(appfabric_mock: "AppFabricMock") -> Iterator[Any]:
    """A boto3 AppFabric client (us-east-1) answered by the ``appfabric_mock`` fixture.

    Typed as ``mypy_boto3_appfabric.AppFabricClient`` (``pip install mypy-boto3-appfabric``).

    Creating a client costs more than the rest of a small test, so a client that an earlier
    test left exactly as it got it (no event handler registered, no configuration or
    attribute changed, the same ``AWS_*`` environment and boto3 default session) may be
    handed out again; any other is dropped.  Whatever its history, it answers from this
    test's fresh mock.  A test that needs a client no other test has held creates one with
    ``boto3.client("appfabric")``.
    """
    from .client_pool import POOL

    region = "us-east-1"
    client = POOL.acquire(region, lambda: _new_client(region))
    try:
        yield client
    finally:
        POOL.release(client, region)


def _new_client(region: str) -> Any:
    import boto3

    return boto3.client("appfabric", region_name=region)


@pytest.fixture
def appfabric_async_client(appfabric_mock: "AppFabricMock") -> "AsyncClientFactory":
    """aiobotocore AppFabric clients answered by the ``appfabric_mock`` fixture: ``async with ... as client``.

    A synchronous fixture (so pytest-asyncio, in strict or auto mode, and anyio both accept
    it) whose value makes a client in the test's own event loop; see
    :class:`~appfabric_mock.aio_clients.AsyncClientFactory`.  Needs aiobotocore (the
    ``async`` extra).
    """
    from .aio_clients import AsyncClientFactory

    return AsyncClientFactory()


@pytest.fixture
def appfabric_server(request: Any) -> Iterator["ThreadedServer"]:
    """A started :class:`~appfabric_mock.server.ThreadedServer` on 127.0.0.1 and a free port, fresh for each test.

    Point any client at ``appfabric_server.url``; steer it with ``appfabric_server.mock`` (the test controls)
    and configure it with ``@pytest.mark.appfabric_mock(...)``, as the ``appfabric_mock`` fixture.  In a
    test that also runs an in-process mock (the ``appfabric_mock`` fixture, a ``@mock_appfabric``
    decorator, a class's mock), the server serves that mock's state: clients in this process and
    clients of the server see one AppFabric.
    """
    from .mock import current_mock
    from .server import ThreadedServer

    if "appfabric_mock" in request.fixturenames or _decorated(request) or current_mock() is not None:
        handle = request.getfixturevalue("appfabric_mock")
        with ThreadedServer(state=handle.state) as server:
            yield server
        return
    options, retry_sleep = _test_options(request)
    server = ThreadedServer(**options)
    with server, _sleeps(retry_sleep):
        yield server
    if _passed(request) and server.state.config is not None:
        from .faults import report_unfired

        report_unfired(server.state.faults, server.state.config.unfired_faults)


# -- the marker turns the mock on; a start left without stop is reported ----------------------


def pytest_collection_modifyitems(items: List[Any]) -> None:
    """A test marked ``appfabric_mock`` gets the ``appfabric_mock`` fixture, even if it does not ask for it.

    The fixture is added before the test's own function-scoped fixtures (after the broader
    ones), so those already run mocked; a test that uses the ``appfabric_server`` fixture is
    left alone (its marker configures the server, and it wants real HTTP).
    """
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or "appfabric_mock" in names or "appfabric_server" in names:
            continue
        if item.get_closest_marker("appfabric_mock") is None:
            continue
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        index = next((i for i, name in enumerate(names)
                      if name in definitions and definitions[name][-1].scope == "function"), len(names))
        names.insert(index, "appfabric_mock")


_FIRST_START = pytest.StashKey[int]()
_EXEMPT = pytest.StashKey[List[Tuple[int, int]]]()


def _last_serial() -> int:
    mock = sys.modules.get("appfabric_mock.mock")
    return int(getattr(mock, "_serial", 0))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: Any) -> Iterator[None]:
    item.stash[_FIRST_START] = _last_serial() + 1
    item.stash[_EXEMPT] = []
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Iterator[Any]:
    if fixturedef.scope == "function":
        return (yield)
    # A mock started by a module, class or session fixture is meant to outlive the test.
    before = _last_serial()
    try:
        return (yield)
    finally:
        after = _last_serial()
        if after > before:
            node = getattr(request, "_pyfuncitem", None)
            exempt = node.stash.get(_EXEMPT, None) if node is not None else None
            if exempt is not None:
                exempt.append((before + 1, after))


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Iterator[None]:
    __tracebackhide__ = True  # a fixture's teardown error is the test's
    try:
        return (yield)
    finally:
        _stop_leaked_starts(item)


def _stop_leaked_starts(item: Any) -> None:
    mock = sys.modules.get("appfabric_mock.mock")
    first = item.stash.get(_FIRST_START, None)
    if mock is None or first is None or not mock._started:
        return
    exempt = item.stash.get(_EXEMPT, [])
    leaked = [(handle, serial) for handle in list(mock._started) for serial in handle._serials
              if serial >= first and not any(low <= serial <= high for low, high in exempt)]
    if not leaked:
        return
    import warnings

    from appfabric_mock import AppFabricMockWarning

    for handle, _ in leaked:
        if handle.active:
            handle.stop()
    warnings.warn(
        f"{item.nodeid}: {len(leaked)} mock_appfabric start() without stop() at the end of the test; "
        f"appfabric-mock stopped it so that its state does not leak into later tests. Stop it in the test "
        f"(or use `with mock_appfabric():`, the decorator or the appfabric_mock fixture).",
        AppFabricMockWarning,
        stacklevel=2,
    )
