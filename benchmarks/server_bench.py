"""Server mode cost: µs per GET through appfabric-mock's server vs a minimal server on the same HTTP stack.

Both servers are :mod:`appfabric_mock.server`'s threaded wsgiref server (HTTP/1.1
keep-alive); the minimal one answers every request with canned bytes, so the
ratio is what the mock itself (routing, parsing, validation, backend,
serialisation) adds to the HTTP stack.  The client is one ``http.client``
keep-alive connection issuing GetAppBundle.

Run ``python benchmarks/server_bench.py [N]``; ``benchmarks/run.py`` imports
:func:`measure_server`.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional
from urllib.parse import quote

from appfabric_mock.server import ThreadedServer, _ThreadingWSGIServer
from appfabric_mock.state import MockState


class ServerFigures(NamedTuple):
    """µs per GET: through the mock's server, and through the minimal server."""

    mock_us: float
    minimal_us: float

    @property
    def ratio(self) -> float:
        """How many times the minimal server's cost the mock's server costs."""
        return self.mock_us / self.minimal_us


def _get_loop(port: int, path: str, count: int, conn: http.client.HTTPConnection) -> float:
    """Seconds for ``count`` keep-alive GETs of ``path``."""
    started = time.perf_counter()
    for _ in range(count):
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
    return time.perf_counter() - started


class _MinimalServer:
    """The same threaded wsgiref server, answering canned bytes."""

    def __init__(self, body: bytes) -> None:
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

        def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            start_response("200 OK", headers)
            return [body]

        self._server = _ThreadingWSGIServer(("127.0.0.1", 0), 2, None)  # AF_INET
        self._server.set_app(app)
        import threading

        self._thread = threading.Thread(target=self._server.serve_until_stopped, daemon=True)
        self._thread.start()
        self.port = int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.request_stop()
        self._thread.join(5)
        self._server.server_close()
        self._server.close_connections(5)


def measure_server(n: int = 2000, rounds: int = 5) -> ServerFigures:
    """µs per GetAppBundle through :class:`ThreadedServer` and per GET through a minimal server.

    ``n`` GETs per server, in ``rounds`` interleaved rounds; each figure is the
    best round's mean (the least disturbed by other work on the machine).
    """
    n = max(1, n)
    rounds = max(1, min(rounds, n))
    per_round = max(1, n // rounds)
    server = ThreadedServer(state=MockState()).start()  # no response checking: the default for users
    minimal: Optional[_MinimalServer] = None
    conns: List[http.client.HTTPConnection] = []
    try:
        setup = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        setup.request("POST", "/appbundles", body=b"{}", headers={"Content-Type": "application/json"})
        arn = json.loads(setup.getresponse().read())["appBundle"]["arn"]
        setup.close()
        path = "/appbundles/" + quote(arn, safe="")
        probe = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        probe.request("GET", path)
        canned = probe.getresponse().read()
        probe.close()
        minimal = _MinimalServer(canned)

        mock_conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        minimal_conn = http.client.HTTPConnection("127.0.0.1", minimal.port, timeout=30)
        conns = [mock_conn, minimal_conn]
        warm = min(50, per_round)
        _get_loop(server.port, path, warm, mock_conn)
        _get_loop(minimal.port, path, warm, minimal_conn)
        mock_best = minimal_best = float("inf")
        for _ in range(rounds):
            mock_best = min(mock_best, _get_loop(server.port, path, per_round, mock_conn) / per_round)
            minimal_best = min(minimal_best, _get_loop(minimal.port, path, per_round, minimal_conn) / per_round)
        return ServerFigures(mock_best * 1e6, minimal_best * 1e6)
    finally:
        for conn in conns:
            conn.close()
        if minimal is not None:
            minimal.stop()
        server.stop()


def measure_start_stop(times: int = 20) -> Dict[str, float]:
    """Best milliseconds to start a :class:`ThreadedServer` and to stop it."""
    starts, stops = [], []
    for _ in range(times):
        server = ThreadedServer(state=MockState())
        began = time.perf_counter()
        server.start()
        starts.append(time.perf_counter() - began)
        began = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - began)
    return {"start_ms": min(starts) * 1e3, "stop_ms": min(stops) * 1e3}


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 2000
    figures = measure_server(n, rounds=10)
    timing = measure_start_stop()
    print(f"GetAppBundle through appfabric-mock's server: {figures.mock_us:8.1f} µs per GET "
          f"({1e6 / figures.mock_us:,.0f} requests/s, one keep-alive connection)")
    print(f"minimal server, same HTTP stack:             {figures.minimal_us:8.1f} µs per GET "
          f"({1e6 / figures.minimal_us:,.0f} requests/s)")
    print(f"ratio: {figures.ratio:.2f}x")
    print(f"ThreadedServer start {timing['start_ms']:.2f} ms, stop {timing['stop_ms']:.2f} ms (best of 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
