"""The value of the ``appfabric_async_client`` fixture: aiobotocore clients, entered with ``async with``.

An aiobotocore client belongs to the event loop it was made in, and pytest-asyncio and anyio
disagree on who runs async fixtures (pytest-asyncio's strict mode takes only its own, anyio
only those of tests it runs).  So the fixture is synchronous and hands the test this factory;
the test makes the client in its own loop, whichever plugin runs it::

    async def test_bundles(appfabric_async_client):
        async with appfabric_async_client as client:
            await client.create_app_bundle()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from types_aiobotocore_appfabric import AppFabricClient

__all__ = ["AsyncClientFactory"]


class AsyncClientFactory:
    """Makes aiobotocore ``appfabric`` clients: ``async with factory as client``.

    ``async with factory as client`` gives a client in ``us-east-1`` (or the region and
    keywords the factory was made with); ``factory(region_name="eu-west-1", config=...)`` is
    another factory with those keywords of aiobotocore's ``create_client``.  Each
    ``async with`` makes a new client and closes it at the end of the block.  The clients are
    answered by the active mock (the ``appfabric_mock`` fixture), like every other client.
    """

    def __init__(self, **client_kwargs: Any) -> None:
        client_kwargs.setdefault("region_name", "us-east-1")
        self._kwargs: Dict[str, Any] = client_kwargs
        #: The client contexts entered and not yet exited, innermost last.
        self._open: List[Any] = []

    def __call__(self, **client_kwargs: Any) -> "AsyncClientFactory":
        """Another factory, for clients made with these keywords (``region_name``, ``config``, ...)."""
        return AsyncClientFactory(**{**self._kwargs, **client_kwargs})

    async def __aenter__(self) -> "AppFabricClient":
        from aiobotocore.session import get_session

        context = get_session().create_client("appfabric", **self._kwargs)
        client = await context.__aenter__()
        self._open.append(context)
        return client  # type: ignore[no-any-return]

    async def __aexit__(self, *exc: Any) -> Optional[bool]:
        context = self._open.pop()
        return await context.__aexit__(*exc)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            f"the appfabric_async_client fixture is not a client but makes them: write "
            f"`async with appfabric_async_client as client:` and call `await client.{name}(...)`"
        )

    def __repr__(self) -> str:
        return f"<AsyncClientFactory {self._kwargs.get('region_name')}>"
