"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

* ``appfabric_mock``: an active :class:`~appfabric_mock.AppFabricMock`, fresh for each test.
* ``appfabric_client``: a boto3 ``appfabric`` client in us-east-1 answered by that mock.  A
  client an earlier test gave back untouched may be handed out again (see
  :mod:`appfabric_mock.client_pool`): it answers from this test's fresh mock all the same.

A test marked ``@pytest.mark.appfabric_mock(...)`` (or whose class or module is) runs in
a fresh mock even if it asks for no fixture; its ``appfabric_mock`` fixture is that mock.
A ``start()`` left without ``stop()`` at the end of a test is stopped, with an
:class:`~appfabric_mock.AppFabricMockWarning` naming the test (a mock started by a module,
class or session fixture is left alone).

Options for one test go in a marker next to it::

    @pytest.mark.appfabric_mock(quotas={"app_bundles": 2}, seed=7)
    def test_two_bundles(appfabric_client): ...
"""

from __future__ import annotations

import sys
from typing import Any, Iterator, List, Tuple

import pytest


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "appfabric_mock(**options): run the test in a fresh mock (the appfabric_mock fixture) "
        "with these options (the keyword options of mock_appfabric)",
    )


def _marker_options(request: Any) -> dict:
    options: dict = {}
    # Closest marker last, so a test's own marker overrides its class's or module's.
    for marker in reversed(list(request.node.iter_markers("appfabric_mock"))):
        if marker.args:
            raise TypeError("@pytest.mark.appfabric_mock takes keyword options only")
        options.update(marker.kwargs)
    return options


@pytest.fixture
def appfabric_mock(request: Any) -> Iterator[Any]:
    """An active AppFabric mock, fresh for each test; configure it with ``@pytest.mark.appfabric_mock``."""
    from appfabric_mock import mock_appfabric

    with mock_appfabric(**_marker_options(request)) as handle:
        yield handle


@pytest.fixture
def appfabric_client(appfabric_mock: Any) -> Iterator[Any]:
    """A boto3 AppFabric client (us-east-1) answered by the ``appfabric_mock`` fixture.

    Creating a client costs more than the rest of a small test, so a client that an earlier
    test left exactly as it got it (no event handler registered, no configuration or
    attribute changed, the same ``AWS_*`` environment and boto3 default session) may be
    handed out again; any other is dropped.  Whatever its history, it answers from this
    test's fresh mock.  A test that needs a client no other test has held creates one with
    ``boto3.client("appfabric")``.
    """
    from appfabric_mock.client_pool import POOL

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
def appfabric_server(request: Any) -> Iterator[Any]:
    """A started :class:`~appfabric_mock.server.ThreadedServer` on 127.0.0.1 and a free port, fresh for each test.

    Point any client at ``appfabric_server.url``; steer it with ``appfabric_server.mock`` (the test controls)
    and configure it with ``@pytest.mark.appfabric_mock(...)``, as the ``appfabric_mock`` fixture.
    """
    from appfabric_mock.server import ThreadedServer

    with ThreadedServer(**_marker_options(request)) as server:
        yield server


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
