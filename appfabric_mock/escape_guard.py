"""The escape guard: while a mock is active, nothing reaches an AppFabric endpoint.

boto3/botocore, aioboto3/aiobotocore and ``requests`` are answered in-process
(:mod:`appfabric_mock.intercept`).  Any other way to AppFabric (raw urllib3,
``http.client``, ``urllib.request``, aiohttp, httpx, a socket, asyncio streams)
is refused with :class:`~appfabric_mock.AppFabricMockEscapeError` before the
host name is resolved, so nothing is sent, and a test that relies on a client
the mock does not answer fails at once instead of talking to AWS.

Only AppFabric endpoint hosts are refused (``appfabric.<region>.<suffix>`` and
``appfabric-fips.<region>.<suffix>`` for every partition's DNS suffix and
dual-stack suffix, any port); everything else goes on as before.  The seams:

* name resolution: ``socket.getaddrinfo`` (used by ``socket.create_connection``,
  urllib3, ``http.client``, asyncio's event loops, aiohttp's threaded resolver,
  anyio and trio), ``socket.gethostbyname`` and ``socket.gethostbyname_ex``;
  ``socket.socket.connect`` and ``connect_ex``, which resolve a host name given to
  them in C;
* uvloop's event loop, which resolves names in C (libuv): ``Loop.create_connection``
  (``asyncio.open_connection`` and every client on uvloop go through it);
* proxies, where the client resolves only the proxy: ``http.client``'s
  ``set_tunnel`` (the ``CONNECT`` of urllib3 and ``http.client``) and
  ``putrequest`` with an absolute URL (a plain-HTTP forward proxy);
* aiohttp: ``BaseConnector.connect``, before any resolver (aiodns's too), proxy
  or connection pool is asked, whatever the event loop (uvloop included);
* httpx: ``HTTPTransport.handle_request`` and
  ``AsyncHTTPTransport.handle_async_request``, proxies and any event loop
  included.

Not covered: a connection to an IP address resolved before the mock started (nothing
names AppFabric any more by then).
"""

from __future__ import annotations

import re
import sys
from types import ModuleType
from typing import Any, Callable, Iterable, List, Optional, Pattern, Union

from . import mock as _activation
from .mock import AppFabricMockEscapeError
from .patching import Patch, Replacement

#: DNS suffixes of AWS partitions, used when botocore's partition data cannot be read.
_KNOWN_SUFFIXES = ("amazonaws.com", "api.aws", "amazonaws.com.cn", "api.amazonwebservices.com.cn")


def _suffixes() -> List[str]:
    """Every partition's DNS suffix and dual-stack suffix, from botocore's endpoint data."""
    found = set(_KNOWN_SUFFIXES)
    try:
        from botocore.loaders import create_loader

        for partition in create_loader().load_data("partitions")["partitions"]:
            outputs = partition.get("outputs", {})
            found.update(outputs[key] for key in ("dnsSuffix", "dualStackDnsSuffix") if outputs.get(key))
    except Exception:  # an older botocore without partitions.json: the known suffixes
        pass
    return sorted(found, key=len, reverse=True)


def host_pattern(suffixes: Iterable[str]) -> Pattern[str]:
    alternatives = "|".join(re.escape(suffix) for suffix in suffixes)
    return re.compile(rf"^appfabric(?:-fips)?\.[a-z0-9-]+\.(?:{alternatives})\.?$", re.IGNORECASE)


APPFABRIC_HOST = host_pattern(_suffixes())


def is_appfabric_host(host: Union[str, bytes, None]) -> bool:
    """Whether ``host`` (a name, optionally with ``:port``) is an AppFabric endpoint."""
    if host is None:
        return False
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str) or not host[:9].lower().startswith("appfabric"):
        return False
    if ":" in host:
        host = host.split(":", 1)[0]
    return APPFABRIC_HOST.match(host) is not None


#: Libraries a refused connection may come from, by top-level module: the outermost wins.
_CLIENTS = {
    "urllib3": "urllib3",
    "http": "http.client",
    "urllib": "urllib.request",
    "requests": "requests",
    "httpx": "httpx",
    "httpcore": "httpx (httpcore)",
    "aiohttp": "aiohttp",
    "aiobotocore": "aiobotocore",
    "aioboto3": "aioboto3",
    "botocore": "botocore",
    "boto3": "boto3",
    "asyncio": "asyncio",
    "anyio": "anyio",
    "trio": "trio",
    "uvloop": "uvloop",
    "concurrent": "a name lookup run in a thread pool (asyncio's loop.getaddrinfo)",
    "socket": "a socket",
}
_HOW = (
    "appfabric-mock answers boto3/botocore and aioboto3/aiobotocore `appfabric` clients and `requests` "
    "calls in-process; for any other client, serve the mock over HTTP (the `appfabric_server` fixture, "
    "or `python -m appfabric_mock server`) and point the client's endpoint at it."
)


def _client_from_stack(default: str) -> str:
    """The library the calling code used: the last one on the stack before the caller's own frames."""
    package = __name__.rpartition(".")[0]
    found: Optional[str] = None
    frame: Any = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        top = module.partition(".")[0]
        if top in _CLIENTS and not (top == "http" and module != "http.client"):
            found = _CLIENTS[top]
        elif top != package and found is not None:
            break  # the caller's code: the library below it is the one it used
        frame = frame.f_back
    return found or default


def refuse(host: Any, port: Any = None, seam: str = "a socket") -> AppFabricMockEscapeError:
    """The error for a connection to an AppFabric endpoint that the mock does not answer."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    where = f"{host}:{port}" if port not in (None, "", 0) else str(host)
    via = _client_from_stack(seam)
    return AppFabricMockEscapeError(
        f"appfabric-mock: a connection to the AppFabric endpoint {where} through {via} was refused: a mock "
        f"is active, and appfabric-mock does not answer this client, so the request would have gone to AWS "
        f"(the name was not resolved and nothing was sent). {_HOW}"
    )


def _active() -> bool:
    return _activation._state is not None


# -- the seams ---------------------------------------------------------------------------


def _guarded_lookup(lookup: Callable[..., Any]) -> Callable[..., Any]:
    """``getaddrinfo`` or ``gethostbyname``, refusing AppFabric hosts."""

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if is_appfabric_host(host) and _active():
            raise refuse(host, args[0] if args else kwargs.get("port"))
        return lookup(host, *args, **kwargs)

    guarded.__name__ = getattr(lookup, "__name__", "guarded")
    guarded.__doc__ = getattr(lookup, "__doc__", None)
    return guarded


def _guarded_connect(connect: Callable[..., Any]) -> Callable[..., Any]:
    """``socket.connect``: it resolves a host name given to it in C."""

    def guarded(self: Any, address: Any) -> Any:
        if type(address) is tuple and address and is_appfabric_host(address[0]) and _active():
            raise refuse(address[0], address[1] if len(address) > 1 else None)
        return connect(self, address)

    guarded.__name__ = getattr(connect, "__name__", "guarded")
    return guarded


def _socket_targets(module: ModuleType) -> List[Replacement]:
    return [
        Replacement(module, "getaddrinfo", _guarded_lookup),
        Replacement(module, "gethostbyname", _guarded_lookup),
        Replacement(module, "gethostbyname_ex", _guarded_lookup),
        Replacement(module.socket, "connect", _guarded_connect),
        Replacement(module.socket, "connect_ex", _guarded_connect),
    ]


def _guarded_create_connection(create_connection: Callable[..., Any]) -> Callable[..., Any]:
    """uvloop's ``Loop.create_connection``: libuv resolves the host in C, past ``socket.getaddrinfo``."""

    async def guarded_create_connection(self: Any, protocol_factory: Any, host: Any = None, port: Any = None,
                                        *args: Any, **kwargs: Any) -> Any:
        if is_appfabric_host(host) and _active():
            raise refuse(host, port, "uvloop")
        return await create_connection(self, protocol_factory, host, port, *args, **kwargs)

    return guarded_create_connection


def _uvloop_targets(module: ModuleType) -> List[Replacement]:
    loop_class = getattr(module, "Loop", None)
    return [] if loop_class is None else [Replacement(loop_class, "create_connection", _guarded_create_connection)]


def _guarded_set_tunnel(set_tunnel: Callable[..., Any]) -> Callable[..., Any]:
    def guarded_set_tunnel(self: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        if is_appfabric_host(host) and _active():
            raise refuse(host, args[0] if args else kwargs.get("port"), "http.client")
        return set_tunnel(self, host, *args, **kwargs)

    return guarded_set_tunnel


def _guarded_putrequest(putrequest: Callable[..., Any]) -> Callable[..., Any]:
    def guarded_putrequest(self: Any, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        # An absolute URL is what a client sends to a plain-HTTP forward proxy.
        if type(url) is str and url[:4].lower() == "http" and _active():
            host = url.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]
            if is_appfabric_host(host):
                raise refuse(host, None, "http.client")
        return putrequest(self, method, url, *args, **kwargs)

    return guarded_putrequest


def _http_client_targets(module: ModuleType) -> List[Replacement]:
    return [
        Replacement(module.HTTPConnection, "set_tunnel", _guarded_set_tunnel),
        Replacement(module.HTTPConnection, "putrequest", _guarded_putrequest),
    ]


def _guarded_aiohttp_connect(connect: Callable[..., Any]) -> Callable[..., Any]:
    async def guarded_connect(self: Any, req: Any, *args: Any, **kwargs: Any) -> Any:
        url = getattr(req, "url", None)
        host = getattr(url, "host", None)
        if is_appfabric_host(host) and _active():
            raise refuse(host, _port(url), "aiohttp")
        return await connect(self, req, *args, **kwargs)

    return guarded_connect


def _aiohttp_targets(module: ModuleType) -> List[Replacement]:
    connector_class = getattr(module, "BaseConnector", None)
    return [] if connector_class is None else [Replacement(connector_class, "connect", _guarded_aiohttp_connect)]


def _guarded_handle_request(handle_request: Callable[..., Any]) -> Callable[..., Any]:
    def guarded_handle_request(self: Any, request: Any) -> Any:
        if is_appfabric_host(request.url.host) and _active():
            raise refuse(request.url.host, _port(request.url), "httpx")
        return handle_request(self, request)

    return guarded_handle_request


def _guarded_handle_async_request(handle_async_request: Callable[..., Any]) -> Callable[..., Any]:
    async def guarded_handle_async_request(self: Any, request: Any) -> Any:
        if is_appfabric_host(request.url.host) and _active():
            raise refuse(request.url.host, _port(request.url), "httpx")
        return await handle_async_request(self, request)

    return guarded_handle_async_request


def _httpx_targets(module: ModuleType) -> List[Replacement]:
    sync_class = getattr(module, "HTTPTransport", None)
    async_class = getattr(module, "AsyncHTTPTransport", None)
    if sync_class is None or async_class is None:
        return []
    return [
        Replacement(sync_class, "handle_request", _guarded_handle_request),
        Replacement(async_class, "handle_async_request", _guarded_handle_async_request),
    ]


def _port(url: Any) -> Any:
    """The port of a yarl or httpx URL, the scheme's default when it has none."""
    port = url.port
    if port is None:
        port = {"https": 443, "http": 80}.get(str(url.scheme))
    return port


#: The guard's seams, by the module each patches.
PATCHES = (
    Patch("socket", _socket_targets),
    Patch("http.client", _http_client_targets),
    Patch("aiohttp.connector", _aiohttp_targets),
    Patch("httpx", _httpx_targets),
    Patch("uvloop", _uvloop_targets),
)
