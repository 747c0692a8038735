"""Server mode cost and load.

* :func:`measure_server`: µs per GET through appfabric-mock's server against a
  minimal server on the same HTTP stack (:class:`appfabric_mock.wsgi_server.HTTPServer`,
  waitress, the same limits) whose WSGI application answers canned bytes: the ratio
  is what the mock itself (routing, parsing, validation, backend, serialisation,
  the request policy) adds to HTTP.  One ``http.client`` keep-alive connection
  issuing GetAppBundle, both servers in this process.
* :func:`measure_load`: requests per second and p99 latency with 1, 8 and 50
  keep-alive clients and with a new connection per request, against
  ``appfabric-mock server`` and against moto's server (``moto_server``, moto[server])
  on the comparable rest-json call (AppFabric GetAppBundle, EventBridge Scheduler
  GetScheduleGroup: one resource by name), each server in a process of its own and
  the clients (threads, raw ``http.client``, no SDK) in this one.  Levels run
  interleaved (mock, moto; moto, mock; ...) and repeated; the figures are medians
  over the rounds, the errors a total.

Run ``python benchmarks/server_bench.py [--rounds N] [--requests N]``;
``benchmarks/run.py`` imports both.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple
from urllib.parse import quote

from appfabric_mock.server import ThreadedServer
from appfabric_mock.state import MockState
from appfabric_mock.wsgi_server import HTTPServer, ServerLimits

HOST = "127.0.0.1"
#: (label, clients, keep-alive): the load levels.
LEVELS: Tuple[Tuple[str, int, bool], ...] = (
    ("1 keep-alive client", 1, True),
    ("8 keep-alive clients", 8, True),
    ("50 keep-alive clients", 50, True),
    ("8 clients, new connection per request", 8, False),
)
SIGNED = {  # a SigV4-shaped header, as SDKs send it (neither server checks the signature)
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIABENCHMARK0000000/20240101/us-east-1/{service}/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
    "X-Amz-Date": "20240101T000000Z",
}


class ServerFigures(NamedTuple):
    """µs per GET: through the mock's server, and through the minimal server."""

    mock_us: float
    minimal_us: float

    @property
    def ratio(self) -> float:
        """How many times the minimal server's cost the mock's server costs."""
        return self.mock_us / self.minimal_us


def _get_loop(path: str, count: int, conn: http.client.HTTPConnection) -> float:
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
    """The same waitress server, limits and thread, answering canned bytes."""

    def __init__(self, body: bytes) -> None:
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

        def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            start_response("200 OK", headers)
            return [body]

        self._server = HTTPServer(app, HOST, 0, ServerLimits())
        self.port = self._server.port

    def stop(self) -> None:
        self._server.stop()


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
        setup = http.client.HTTPConnection(HOST, server.port, timeout=30)
        setup.request("POST", "/appbundles", body=b"{}", headers={"Content-Type": "application/json"})
        arn = json.loads(setup.getresponse().read())["appBundle"]["arn"]
        setup.close()
        path = "/appbundles/" + quote(arn, safe="")
        probe = http.client.HTTPConnection(HOST, server.port, timeout=30)
        probe.request("GET", path)
        canned = probe.getresponse().read()
        probe.close()
        minimal = _MinimalServer(canned)

        mock_conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        minimal_conn = http.client.HTTPConnection(HOST, minimal.port, timeout=30)
        conns = [mock_conn, minimal_conn]
        warm = min(50, per_round)
        _get_loop(path, warm, mock_conn)
        _get_loop(path, warm, minimal_conn)
        mock_best = minimal_best = float("inf")
        for round_ in range(rounds):
            pair = [("mock", mock_conn), ("minimal", minimal_conn)]
            for name, conn in (pair if round_ % 2 == 0 else pair[::-1]):
                seconds = _get_loop(path, per_round, conn) / per_round
                if name == "mock":
                    mock_best = min(mock_best, seconds)
                else:
                    minimal_best = min(minimal_best, seconds)
        return ServerFigures(mock_best * 1e6, minimal_best * 1e6)
    finally:
        for conn in conns:
            conn.close()
        if minimal is not None:
            minimal.stop()
        server.stop()


def measure_start_stop(times: int = 20) -> Dict[str, float]:
    """Milliseconds to start a :class:`ThreadedServer` and to stop it: best and median."""
    starts, stops = [], []
    ThreadedServer(state=MockState()).start().stop()  # imports waitress once
    for _ in range(times):
        server = ThreadedServer(state=MockState())
        began = time.perf_counter()
        server.start()
        starts.append(time.perf_counter() - began)
        began = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - began)
    return {"start_ms": min(starts) * 1e3, "stop_ms": min(stops) * 1e3,
            "start_median_ms": statistics.median(starts) * 1e3, "stop_median_ms": statistics.median(stops) * 1e3}


# -- load ------------------------------------------------------------------------------------


class LoadFigures(NamedTuple):
    """One server at one level: medians over the rounds, errors in total."""

    rps: float
    p99_ms: float
    errors: int
    requests: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class _Process:
    """A server in a process of its own, stopped on exit."""

    def __init__(self, args: Sequence[str], port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APPFABRIC_MOCK_"))}
        self.proc = subprocess.Popen(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.port = port
        deadline = time.monotonic() + 60
        while True:  # until it accepts connections
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{args[0]} did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


class _Target(NamedTuple):
    name: str
    port: int
    path: str
    headers: Dict[str, str]


def _start_mock() -> Tuple[_Process, _Target]:
    port = _free_port()
    process = _Process([sys.executable, "-m", "appfabric_mock", "server", "--quiet", "--port", str(port)], port)
    headers = {k: v.format(service="appfabric") for k, v in SIGNED.items()}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", "/appbundles", body=b"{}", headers={**headers, "Content-Type": "application/json"})
    arn = json.loads(conn.getresponse().read())["appBundle"]["arn"]
    conn.close()
    return process, _Target("appfabric-mock server", port, "/appbundles/" + quote(arn, safe=""), headers)


def _start_moto() -> Tuple[_Process, _Target]:
    port = _free_port()
    process = _Process([sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)], port)
    headers = {k: v.format(service="scheduler") for k, v in SIGNED.items()}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", "/schedule-groups/bench", body=b"{}", headers={**headers, "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        process.stop()
        raise RuntimeError(f"moto server: CreateScheduleGroup answered {response.status}")
    return process, _Target("moto server", port, "/schedule-groups/bench", headers)


def _run_level(target: _Target, clients: int, keep_alive: bool, requests: int) -> Tuple[float, List[float], int]:
    """(seconds, latencies, errors) of ``requests`` GETs spread over ``clients`` threads."""
    per_client = max(1, requests // clients)
    latencies: List[List[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        conn: Optional[http.client.HTTPConnection] = None
        mine = latencies[index]
        barrier.wait()
        for _ in range(per_client):
            began = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, target.port, timeout=30)
                conn.request("GET", target.path, headers=target.headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                if conn is not None:
                    conn.close()
                conn = None
            mine.append(time.perf_counter() - began)
            if not keep_alive and conn is not None:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return seconds, [latency for mine in latencies for latency in mine], sum(errors)


def _p99(latencies: List[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3


def measure_load(requests: int = 3000, rounds: int = 3, include_moto: bool = True,
                 levels: Sequence[Tuple[str, int, bool]] = LEVELS) -> Dict[str, Dict[str, LoadFigures]]:
    """Level label -> server name -> :class:`LoadFigures` (see the module docstring)."""
    servers: List[Tuple[_Process, _Target]] = []
    try:
        servers.append(_start_mock())
        if include_moto:
            servers.append(_start_moto())
        results: Dict[str, Dict[str, LoadFigures]] = {}
        for label, clients, keep_alive in levels:
            samples: Dict[str, List[Tuple[float, float]]] = {target.name: [] for _, target in servers}
            errors: Dict[str, int] = {target.name: 0 for _, target in servers}
            done: Dict[str, int] = {target.name: 0 for _, target in servers}
            for _, target in servers:  # warm up (imports, caches, the first connections)
                _run_level(target, clients, keep_alive, min(requests, 10 * clients))
            for round_ in range(rounds):
                order = servers if round_ % 2 == 0 else servers[::-1]
                for _, target in order:
                    seconds, latencies, failed = _run_level(target, clients, keep_alive, requests)
                    samples[target.name].append((len(latencies) / seconds, _p99(latencies)))
                    errors[target.name] += failed
                    done[target.name] += len(latencies)
            results[label] = {
                name: LoadFigures(statistics.median(rps for rps, _ in pairs),
                                  statistics.median(p99 for _, p99 in pairs), errors[name], done[name])
                for name, pairs in samples.items()
            }
        return results
    finally:
        for process, _ in servers:
            process.stop()


def load_table(results: Dict[str, Dict[str, LoadFigures]]) -> List[List[str]]:
    """Rows: level, mock rps, mock p99, mock errors, moto rps, moto p99, moto errors, mock/moto rps."""
    rows = []
    for label, by_server in results.items():
        mock = by_server["appfabric-mock server"]
        moto = by_server.get("moto server")
        row = [label, f"{mock.rps:,.0f}", f"{mock.p99_ms:.1f}", f"{mock.errors}/{mock.requests}"]
        if moto is not None:
            row += [f"{moto.rps:,.0f}", f"{moto.p99_ms:.1f}", f"{moto.errors}/{moto.requests}",
                    f"{mock.rps / moto.rps:.2f}x"]
        else:
            row += ["n/a", "n/a", "n/a", "n/a"]
        rows.append(row)
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="appfabric-mock server benchmarks")
    parser.add_argument("--requests", type=int, default=3000, help="requests per server, level and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per level")
    parser.add_argument("--calls", type=int, default=4000, help="GETs for the mock/minimal ratio")
    options = parser.parse_args(argv)
    figures = measure_server(options.calls, rounds=10)
    timing = measure_start_stop()
    print(f"GetAppBundle through appfabric-mock's server: {figures.mock_us:8.1f} µs per GET "
          f"({1e6 / figures.mock_us:,.0f} requests/s, one keep-alive connection)")
    print(f"minimal server, same HTTP stack:             {figures.minimal_us:8.1f} µs per GET "
          f"({1e6 / figures.minimal_us:,.0f} requests/s)")
    print(f"ratio: {figures.ratio:.2f}x")
    print(f"ThreadedServer start {timing['start_ms']:.2f} ms (median {timing['start_median_ms']:.2f}), "
          f"stop {timing['stop_ms']:.2f} ms (median {timing['stop_median_ms']:.2f}), 20 each")
    try:
        import moto.server  # noqa: F401

        include_moto = True
    except ImportError:
        include_moto = False
    results = measure_load(options.requests, options.rounds, include_moto)
    print("\n| level | mock rps | mock p99 ms | mock errors | moto rps | moto p99 ms | moto errors | mock/moto rps |")
    print("|---|---|---|---|---|---|---|---|")
    for row in load_table(results):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
