"""The HTTP server under server mode: waitress, with its limits set and its errors AWS-shaped.

Waitress (the ``server`` extra) does all of HTTP: framing (Content-Length and
chunked bodies, duplicate or invalid lengths), header and body limits, the
listen backlog, a cap on open connections and timeouts for idle connections.
It reads every request completely before the application runs, on a small
pool of worker threads, so a slow or hostile client costs a socket, not a
thread.  This module adds only policy on top of it:

* stricter rules where HTTP lets a server choose (RFC 9112 §6.1): a request
  with both ``Transfer-Encoding`` and ``Content-Length``, or an HTTP/1.0 request
  with ``Transfer-Encoding``, is refused; so are HTTP/0.9 and versions other
  than 1.0 and 1.1 (waitress would answer those as HTTP/1.0);
* a deadline for a whole request: a client that trickles its headers or body
  (which resets waitress's idle timer) is cut off ``request_timeout`` seconds
  after its first byte;
* the errors waitress answers itself are AWS-shaped JSON, as every other error
  of the mock is, so SDKs report them by code;
* a serving loop that starts and stops in milliseconds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Dict, Iterable, Optional

try:
    from waitress import wasyncore
    from waitress.adjustments import Adjustments
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser, ParsingError
    from waitress.server import TcpWSGIServer
    from waitress.task import ErrorTask
    from waitress.utilities import Error as WaitressError
except ImportError as _missing:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "appfabric-mock's HTTP server needs waitress, which the 'server' extra installs: "
        "pip install 'appfabric-mock[server]'"
    ) from _missing

from .backend.support import new_request_id
from .compat import require_attribute, require_parameters


def check_waitress() -> None:
    """The waitress internals subclassed or called below are there (see :mod:`appfabric_mock.compat`)."""
    for owner, name, parameters in (
        (HTTPRequestParser, "parse_header", ("self", "header_plus")),
        (ErrorTask, "execute", ("self",)),
        (TcpWSGIServer, "maintenance", ("self", "now")),
        (TcpWSGIServer, "pull_trigger", ("self",)),
        (wasyncore, "loop", ("timeout", "use_poll", "map", "count")),
        (wasyncore, "close_all", ("map", "ignore_all")),
    ):
        where = f"{getattr(owner, '__name__', owner)}.{name}"
        require_parameters(require_attribute(owner, name, "waitress", where), parameters, "waitress", where)
    for owner, name in ((HTTPChannel, "parser_class"), (HTTPChannel, "error_task_class"),
                        (TcpWSGIServer, "channel_class")):
        require_attribute(owner, name, "waitress", f"{owner.__name__}.{name}")


check_waitress()

__all__ = ["HTTPServer", "ServerLimits"]

WSGIApp = Callable[[Dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Error codes of the errors waitress answers before the application runs (fixed here:
#: AWS front ends use these codes, and the JavaScript SDK knows them).
_ERROR_CODES = {
    400: "ValidationException",
    408: "RequestTimeout",
    413: "RequestEntityTooLarge",
    431: "RequestHeaderFieldsTooLarge",
    501: "NotImplemented",
    505: "HTTPVersionNotSupported",
}


class ServerLimits:
    """What one server accepts; every limit ends in a 4xx answer or a closed connection.

    :param max_body_bytes: larger request bodies get HTTP 413 (AppFabric's largest valid
        request is a few KiB).
    :param max_header_bytes: larger request lines plus headers get HTTP 431.
    :param connection_limit: connections open at once; further clients wait in the
        listen backlog until one closes (never more than the process's file limit allows).
    :param backlog: the listen backlog.
    :param threads: worker threads running the application.
    :param idle_timeout: seconds an idle connection (or one that stopped sending) is kept.
    :param request_timeout: seconds a request may take to arrive, from its first byte.
    """

    def __init__(self, *, max_body_bytes: int = 1 << 20, max_header_bytes: int = 64 << 10,
                 connection_limit: int = 100, backlog: int = 1024, threads: int = 4,
                 idle_timeout: int = 30, request_timeout: int = 30) -> None:
        for name, value in (("max_body_bytes", max_body_bytes), ("max_header_bytes", max_header_bytes),
                            ("connection_limit", connection_limit), ("backlog", backlog), ("threads", threads),
                            ("idle_timeout", idle_timeout), ("request_timeout", request_timeout)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.connection_limit = min(connection_limit, _file_limit_headroom())
        self.backlog = backlog
        self.threads = threads
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout

    def adjustments(self, host: str, port: int) -> Adjustments:
        """Waitress's settings for these limits, listening on one address."""
        ipv6 = ":" in host
        return Adjustments(
            listen=f"[{host}]:{port}" if ipv6 else f"{host}:{port}",
            ipv4=not ipv6, ipv6=ipv6,
            threads=self.threads,
            backlog=self.backlog,
            connection_limit=self.connection_limit,
            channel_timeout=self.idle_timeout,
            cleanup_interval=1,  # idle and deadline checks each second
            # waitress refuses a body of exactly max_request_body_size bytes.
            max_request_body_size=self.max_body_bytes + 1,
            max_request_header_size=self.max_header_bytes,
            ident="appfabric-mock",
            # A client that resets its connection is no server error: no traceback in the log.
            log_socket_errors=False,
            expose_tracebacks=False,
            # No proxy is trusted, and the mock reads no forwarding header: no middleware.
            clear_untrusted_proxy_headers=False,
            asyncore_use_poll=True,  # no FD_SETSIZE limit
        )


def _file_limit_headroom() -> int:
    """Connections the process can open with room to spare (accepting past the file limit would spin)."""
    try:
        import resource
    except ImportError:  # Windows
        return 1 << 30
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 30
    return max(1, int(soft) - 64)


class _VersionNotSupported(WaitressError):
    code = 505
    reason = "HTTP Version Not Supported"


class _RequestTimeout(WaitressError):
    code = 408
    reason = "Request Timeout"


class _StrictParser(HTTPRequestParser):
    """Waitress's request parser, refusing what RFC 9112 lets a server refuse."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.monotonic()

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        version = self.version
        if version not in ("1.0", "1.1"):
            if not version:
                raise ParsingError("HTTP/0.9 requests are not supported; send HTTP/1.1")
            # Answer at once, without reading a body.
            self.error = _VersionNotSupported(f"HTTP/{version} is not supported; send HTTP/1.1")
            self.body_rcv = None
            self.content_length = 0
            self.chunked = False
            return
        headers = self.headers
        if version == "1.0" and "TRANSFER_ENCODING" in headers:
            raise ParsingError("Transfer-Encoding is not allowed in an HTTP/1.0 request")
        if self.chunked and "CONTENT_LENGTH" in headers:
            # The two disagree on where the body ends: the classic request-smuggling set-up.
            raise ParsingError("A request must not have both Content-Length and Transfer-Encoding")


class _AWSErrorTask(ErrorTask):
    """The errors waitress answers itself (bad framing, limits), as AWS-shaped JSON."""

    def execute(self) -> None:
        # (waitress's type stubs, where installed, know less than its code: Any here.)
        request: Any = self.request
        error: Any = request.error
        code = _ERROR_CODES.get(error.code, "ValidationException")
        message = f"{error.reason}: {error.body}" if error.body else error.reason
        body = json.dumps({"message": message, "__type": code}).encode()
        self.status = f"{error.code} {error.reason}"
        headers: Any = self.response_headers
        headers.extend([
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", new_request_id()),
            ("X-Content-Type-Options", "nosniff"),
        ])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)
        log = getattr(self.channel.server, "access_log", None)
        if log is not None:
            log(request.command or "-", getattr(request, "path", "") or "-", error.code)


class _Channel(HTTPChannel):
    parser_class = _StrictParser
    error_task_class = _AWSErrorTask


class _Server(TcpWSGIServer):
    channel_class = _Channel
    request_timeout = 30.0
    access_log: Optional[Callable[[str, str, int], None]] = None

    def maintenance(self, now: Any) -> None:
        super().maintenance(now)  # idle connections
        deadline = time.monotonic() - self.request_timeout
        channels: Any = self.active_channels
        for channel in list(channels.values()):
            request = channel.request  # the request still arriving, if any
            if request is not None and not request.completed and request.started < deadline:
                with channel.requests_lock:
                    if channel.request is not request or channel.requests:
                        continue
                    # Answer 408 and close, as a request that arrived with an error is answered.
                    request.error = _RequestTimeout(
                        f"the request did not arrive within {self.request_timeout:g} seconds")
                    request.completed = True
                    channel.request = None
                    channel.requests.append(request)
                    self.add_task(channel)


class HTTPServer:
    """A waitress server for one WSGI application on one address, served from a thread."""

    def __init__(self, app: WSGIApp, host: str, port: int, limits: ServerLimits,
                 access_log: Optional[Callable[[str, str, int], None]] = None) -> None:
        _quiet_queue_warnings()
        self._map: Dict[int, Any] = {}
        adj = limits.adjustments(host, port)
        sockinfo: Any = adj.listen[0]
        self._server = _Server(app, map=self._map, adj=adj, sockinfo=sockinfo)
        self._server.request_timeout = float(limits.request_timeout)
        self._server.access_log = access_log
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="appfabric-mock-server", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The port listened on."""
        server: Any = self._server
        return int(server.effective_port)

    @property
    def open_connections(self) -> int:
        """Client connections open now."""
        channels: Any = self._server.active_channels
        return len(channels)

    def _serve(self) -> None:
        server = self._server
        try:
            while not self._stopping:
                wasyncore.loop(timeout=1.0, use_poll=True, map=self._map, count=1)
        finally:
            server.task_dispatcher.shutdown(timeout=5)
            wasyncore.close_all(self._map, ignore_all=True)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection and free the port (from any thread)."""
        self._stopping = True
        try:
            self._server.pull_trigger()  # wakes the loop at once
        except OSError:
            pass
        self._thread.join(timeout)


_queue_logger_set = False


def _quiet_queue_warnings() -> None:
    # Waitress warns "Task queue depth is N" whenever requests wait for a worker thread,
    # which is normal under load; other waitress warnings (the connection limit) stay.
    global _queue_logger_set
    if not _queue_logger_set:
        queue_logger = logging.getLogger("waitress.queue")
        if queue_logger.level == logging.NOTSET:  # unless the application configured it
            queue_logger.setLevel(logging.ERROR)
        _queue_logger_set = True
