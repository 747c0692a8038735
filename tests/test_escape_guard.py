"""The escape guard: while a mock is active, no client the mock does not answer reaches an AppFabric endpoint.

Every test runs with the network blocked (``blocked_network`` lists every attempt to
resolve or reach a non-loopback address) and checks that the AppFabric host was
never even resolved.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import socketserver
import threading
import urllib.request
from typing import Any, Callable, Iterator, List

import pytest
import urllib3

from appfabric_mock import AppFabricMockEscapeError, mock_appfabric
from appfabric_mock.escape_guard import is_appfabric_host

HOST = "appfabric.us-east-1.amazonaws.com"
ORIGINAL_GETADDRINFO = socket.getaddrinfo
ORIGINAL_SET_TUNNEL = http.client.HTTPConnection.__dict__["set_tunnel"]
ORIGINAL_CREATE_CONNECTION = socket.create_connection


@pytest.fixture
def network(blocked_network: List[str], monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The blocked network, with the real ``socket.create_connection``: it resolves and connects through the spies."""
    monkeypatch.setattr(socket, "create_connection", ORIGINAL_CREATE_CONNECTION)
    return blocked_network


@pytest.fixture(autouse=True)
def _guard_removed_around_each_test() -> Iterator[None]:
    yield
    assert http.client.HTTPConnection.__dict__["set_tunnel"] is ORIGINAL_SET_TUNNEL
    assert "connect" not in socket.socket.__dict__


def _refused(call: Callable[[], Any], client: str, attempts: List[str], host: str = HOST) -> str:
    with mock_appfabric(), pytest.raises(AppFabricMockEscapeError) as refused:
        call()
    message = str(refused.value)
    assert message.startswith("appfabric-mock: ") and f"through {client} was refused" in message
    assert host in message and "appfabric_server" in message  # and how to get it answered
    assert attempts == []  # never resolved, never connected
    return message


def test_urllib3(network: List[str]) -> None:
    message = _refused(lambda: urllib3.PoolManager().request("GET", f"https://{HOST}/appbundles"), "urllib3",
                       network)
    assert f"{HOST}:443" in message


def test_http_client_and_urllib_request(network: List[str]) -> None:
    _refused(lambda: http.client.HTTPSConnection(HOST).request("GET", "/appbundles"), "http.client",
             network)
    _refused(lambda: urllib.request.urlopen(f"https://{HOST}/appbundles", timeout=5), "urllib.request",
             network)


def test_sockets(network: List[str]) -> None:
    _refused(lambda: socket.create_connection((HOST, 443)), "a socket", network)
    _refused(lambda: socket.getaddrinfo(HOST, 443), "a socket", network)
    _refused(lambda: socket.gethostbyname(HOST), "a socket", network)
    _refused(lambda: socket.gethostbyname_ex(HOST), "a socket", network)
    plain = socket.socket()
    try:
        _refused(lambda: plain.connect((HOST, 443)), "a socket", network)  # resolved in C otherwise
        _refused(lambda: plain.connect_ex((HOST, 443)), "a socket", network)  # (which returns errors as codes)
    finally:
        plain.close()


def test_uvloop_which_resolves_names_in_c(network: List[str]) -> None:
    uvloop = pytest.importorskip("uvloop")  # (an optional test dependency: not on Windows)
    original = uvloop.Loop.__dict__.get("create_connection")

    async def raw() -> Any:
        return await asyncio.get_running_loop().create_connection(asyncio.Protocol, HOST, 443)

    async def stream() -> Any:
        return await asyncio.open_connection(HOST, 443)

    for attempt, client in ((raw, "uvloop"), (stream, "asyncio")):
        loop = uvloop.new_event_loop()
        try:
            _refused(lambda loop=loop, attempt=attempt: loop.run_until_complete(attempt()), client, network)
        finally:
            loop.close()
    assert uvloop.Loop.__dict__.get("create_connection") is original  # removed at stop


def test_asyncio_streams(network: List[str]) -> None:
    _refused(lambda: asyncio.run(asyncio.open_connection(HOST, 443)),
             "a name lookup run in a thread pool (asyncio's loop.getaddrinfo)", network)


def test_httpx_sync_and_async(network: List[str]) -> None:
    httpx = pytest.importorskip("httpx")

    async def fetch() -> Any:
        async with httpx.AsyncClient() as client:
            return await client.get(f"https://{HOST}/appbundles")

    _refused(lambda: httpx.get(f"https://{HOST}/appbundles"), "httpx", network)
    _refused(lambda: asyncio.run(fetch()), "httpx", network)


def test_aiohttp_whatever_its_resolver(network: List[str]) -> None:
    aiohttp = pytest.importorskip("aiohttp")
    from aiohttp.abc import AbstractResolver

    asked: List[str] = []

    class SpyResolver(AbstractResolver):  # stands for any resolver: aiodns's, a custom one
        async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> Any:
            asked.append(host)
            raise OSError("not reached")

        async def close(self) -> None:
            pass

    async def fetch(resolver: Any = None) -> Any:
        connector = aiohttp.TCPConnector(resolver=resolver) if resolver else None
        async with aiohttp.ClientSession(connector=connector) as session, \
                session.get(f"https://{HOST}/appbundles") as response:
            return response.status

    _refused(lambda: asyncio.run(fetch()), "aiohttp", network)
    _refused(lambda: asyncio.run(fetch(SpyResolver())), "aiohttp", network)
    assert asked == []


class _ProxyRecorder(socketserver.ThreadingTCPServer):
    """A proxy on 127.0.0.1 that records the first line of each request and answers 502."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        self.lines: List[str] = []
        recorder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                recorder.lines.append(self.rfile.readline().decode("latin-1").strip())
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy() -> Iterator[_ProxyRecorder]:
    server = _ProxyRecorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_proxies_never_see_a_connect_to_appfabric(network: List[str], proxy: _ProxyRecorder) -> None:
    manager = urllib3.ProxyManager(proxy.url, retries=False)
    _refused(lambda: manager.request("GET", f"https://{HOST}/appbundles"), "urllib3", network)  # CONNECT
    _refused(lambda: manager.request("GET", f"http://{HOST}/appbundles"), "urllib3", network)  # forward

    tunnel = http.client.HTTPSConnection("127.0.0.1", proxy.server_address[1])
    _refused(lambda: tunnel.set_tunnel(HOST, 443), "http.client", network)

    httpx = pytest.importorskip("httpx")
    _refused(lambda: httpx.Client(proxy=proxy.url).get(f"https://{HOST}/appbundles"), "httpx", network)
    aiohttp = pytest.importorskip("aiohttp")

    async def through_proxy() -> Any:
        async with aiohttp.ClientSession() as session, \
                session.get(f"https://{HOST}/appbundles", proxy=proxy.url) as response:
            return response.status

    _refused(lambda: asyncio.run(through_proxy()), "aiohttp", network)
    assert proxy.lines == []

    # The proxy works, and is used, for everything else.
    assert manager.request("GET", "http://example.test/").status == 502
    assert proxy.lines == ["GET http://example.test/ HTTP/1.1"]


def test_only_appfabric_hosts_are_refused_and_only_while_a_mock_is_active(network: List[str]) -> None:
    with mock_appfabric():
        assert socket.getaddrinfo("127.0.0.1", 80)[0][4][0] == "127.0.0.1"
        assert socket.getaddrinfo("localhost", 80)
        with pytest.raises(socket.gaierror):  # another AWS host: the network (blocked here), not the guard
            socket.getaddrinfo("s3.us-east-1.amazonaws.com", 443)
        assert socket.getaddrinfo is not ORIGINAL_GETADDRINFO
    assert network == ["s3.us-east-1.amazonaws.com"]
    with pytest.raises(socket.gaierror):  # no mock: AppFabric goes to the network again (blocked here)
        socket.getaddrinfo(HOST, 443)
    assert network[-1] == HOST


def test_a_guard_left_behind_under_someone_elses_patch_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: List[Any] = []
    with mock_appfabric():
        guard = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: seen.append(host) or guard(host, *a, **k))
    # Our stop left the test's patch in place (it still wraps the guard) ...
    assert socket.getaddrinfo is not guard
    # ... and the guard, now inactive, passes everything through.
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("appfabric.invalid.amazonaws.com.", 443, 0, 0, 0, socket.AI_NUMERICHOST)
    assert seen == ["appfabric.invalid.amazonaws.com."]


@pytest.mark.parametrize("host", [
    "appfabric.us-east-1.amazonaws.com", "APPFABRIC.eu-west-1.AmazonAWS.com", "appfabric-fips.us-east-1.amazonaws.com",
    "appfabric.us-east-1.api.aws", "appfabric-fips.us-gov-west-1.api.aws", "appfabric.cn-north-1.amazonaws.com.cn",
    "appfabric.us-east-1.amazonaws.com:443", "appfabric.us-east-1.amazonaws.com.",
    b"appfabric.ap-northeast-1.amazonaws.com",
])
def test_appfabric_hosts(host: Any) -> None:
    assert is_appfabric_host(host)


@pytest.mark.parametrize("host", [
    None, "", "localhost", "127.0.0.1", "s3.us-east-1.amazonaws.com", "appfabric.amazonaws.com",
    "appfabricx.us-east-1.amazonaws.com", "appfabric.us-east-1.amazonaws.com.evil.test", "myappfabric.example.com",
    "appfabric.us-east-1.example.com",
])
def test_other_hosts(host: Any) -> None:
    assert not is_appfabric_host(host)
