"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

* ``appfabric_mock``: an active :class:`~appfabric_mock.AppFabricMock`, fresh for each test.
* ``appfabric_client``: a boto3 ``appfabric`` client in us-east-1 answered by that mock.

Options for one test go in a marker next to it::

    @pytest.mark.appfabric_mock(quotas={"app_bundles": 2}, seed=7)
    def test_two_bundles(appfabric_client): ...
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "appfabric_mock(**options): options of the appfabric_mock fixture "
        "(the keyword options of mock_appfabric)",
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
def appfabric_client(appfabric_mock: Any) -> Any:
    """A boto3 AppFabric client (us-east-1) answered by the ``appfabric_mock`` fixture."""
    import boto3

    return boto3.client("appfabric", region_name="us-east-1")


@pytest.fixture
def appfabric_server(request: Any) -> Iterator[Any]:
    """A started :class:`~appfabric_mock.server.ThreadedServer` on 127.0.0.1 and a free port, fresh for each test.

    Point any client at ``appfabric_server.url``; steer it with ``appfabric_server.mock`` (the test controls)
    and configure it with ``@pytest.mark.appfabric_mock(...)``, as the ``appfabric_mock`` fixture.
    """
    from appfabric_mock.server import ThreadedServer

    with ThreadedServer(**_marker_options(request)) as server:
        yield server
