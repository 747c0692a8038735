"""Server mode: the mock over HTTP, for the AWS CLI, other SDKs and other processes.

* :class:`AppFabricApp` is a WSGI application over the very same
  :func:`~appfabric_mock.dispatch.dispatch` the in-process mock uses; there is
  no second routing table.  It also serves the control API
  (:mod:`appfabric_mock.control_api`) under ``/_appfabric_mock/`` and a small
  HTML page of the current state at ``/``.
* :class:`ThreadedServer` serves that application on a thread per connection
  (the standard library's ``wsgiref`` with ``socketserver.ThreadingMixIn``,
  HTTP/1.1 keep-alive) and starts and stops in milliseconds::

      with ThreadedServer() as server:          # 127.0.0.1, a free port
          client = boto3.client("appfabric", endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
          client.create_app_bundle()
          server.mock.reset()                    # the test controls, as on mock_appfabric()

* :func:`serve` is ``appfabric-mock server``: it prints
  ``appfabric-mock serving on http://127.0.0.1:PORT`` once it accepts
  requests, and stops cleanly (exit code 0) on Ctrl-C or SIGTERM.

The region comes from the SigV4 scope of each request; the account from the
access key id (mapped with the ``accounts`` option or the ``accounts`` control
action) or from the ``X-Appfabric-Mock-Account-Id`` header.  Access logging,
when on, prints one line per request (method, path without query, status) and
never a header or a body.
"""

from __future__ import annotations

import html
import json
import logging
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time
from http import HTTPStatus
from typing import Any, Callable, Dict, Iterable, List, Optional, TextIO, Tuple
from urllib.parse import quote, urlsplit
from wsgiref.handlers import SimpleHandler
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from . import control_api
from .backend.support import new_request_id
from .controls import Controls
from .dispatch import REQUEST_ID_HEADER, Response, UnreachableRegion, dispatch_lowered
from .errors import AppFabricError, InternalServerException, ValidationException
from .state import MockState

__all__ = ["AppFabricApp", "ServerControls", "ThreadedServer", "serve", "MAX_BODY_BYTES"]

logger = logging.getLogger("appfabric_mock")

#: Largest request body read (AppFabric's largest valid request is a few KiB).
MAX_BODY_BYTES = 1 << 20
#: A larger body is still read and dropped up to this size, so the client sees the
#: 413 rather than a reset connection; beyond it the connection is closed.
_DRAIN_LIMIT = 32 << 20
#: environ key: the application asks the server to close the connection after this response.
CLOSE_CONNECTION = "appfabric_mock.close_connection"
#: environ key: the request's headers, names lower-cased (set by :class:`ThreadedServer`; other
#: servers leave it out and the headers are read from the ``HTTP_*`` keys).
REQUEST_HEADERS = "appfabric_mock.headers"
_SERVER_SOFTWARE = "appfabric-mock"

StartResponse = Callable[..., Any]


# -- the WSGI application ---------------------------------------------------------------


class _HTTPError(AppFabricError):
    """An HTTP-level failure, answered in the same AWS shape as service errors."""

    modeled = False

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class _BodyError(Exception):
    """The request body cannot be read; the connection's framing may be lost."""

    def __init__(self, error: AppFabricError, close: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.close = close


def raw_request_uri(environ: Dict[str, Any]) -> str:
    """The request target as sent, still percent-encoded (path and query).

    ``PATH_INFO`` is decoded, which loses the difference between ``/`` and
    ``%2F`` inside an ARN label; servers that keep the raw target put it in
    ``RAW_URI`` (gunicorn and :class:`ThreadedServer`) or ``REQUEST_URI`` (uWSGI).
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    # Another server: rebuild the best we can (PEP 3333 strings are latin-1).
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    path = quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING")
    return path + ("?" + query if query else "")


def request_headers(environ: Dict[str, Any]) -> Dict[str, str]:
    """The request's headers from a WSGI environ, lower-cased."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key[:5] == "HTTP_"}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    return headers


def read_body(environ: Dict[str, Any], limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body (Content-Length or chunked), at most ``limit`` bytes.

    Raises :class:`_BodyError` with the AWS-style error to answer.
    """
    stream = environ["wsgi.input"]
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return _read_chunked(stream, limit)
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    if not declared:
        return b""  # HTTP/1.1: no Content-Length and not chunked means no body
    if not (declared.isascii() and declared.isdigit()):
        raise _BodyError(_bad_request(f"Invalid Content-Length header: {declared[:40]!r}"), close=True)
    length = int(declared)
    if length > limit:
        drained = _drain(stream, length)
        raise _BodyError(_too_large(length, limit), close=not drained)
    body = stream.read(length) if length else b""
    if len(body) != length:
        raise _BodyError(_bad_request(
            f"The request body ended after {len(body)} of the {length} bytes Content-Length announced"), close=True)
    return body


def _read_chunked(stream: Any, limit: int) -> bytes:
    parts: List[bytes] = []
    total = 0
    while True:
        line = stream.readline(1024)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _BodyError(_bad_request("Malformed chunked request body"), close=True) from None
        if size == 0:
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers are ignored
            return b"".join(parts)
        total += size
        if total > limit:
            raise _BodyError(_too_large(total, limit), close=True)
        chunk = stream.read(size)
        if len(chunk) != size or stream.readline(1024) not in (b"\r\n", b"\n"):
            raise _BodyError(_bad_request("Malformed chunked request body"), close=True)
        parts.append(chunk)


def _drain(stream: Any, length: int) -> bool:
    if length > _DRAIN_LIMIT:
        return False
    while length:
        chunk = stream.read(min(length, 1 << 16))
        if not chunk:
            return False
        length -= len(chunk)
    return True


def _bad_request(message: str) -> AppFabricError:
    return ValidationException(message, reason="cannotParse")


def _too_large(length: int, limit: int) -> AppFabricError:
    return _HTTPError(413, "RequestEntityTooLarge",  # the code AWS front ends use (and the JS SDK knows)
                      f"The request body of {length} bytes exceeds the limit of {limit} bytes")


#: Error codes of the errors found before the application runs.  Fixed here, not derived
#: from the reason phrase, which Python renames (3.13: 414 "URI Too Long", 413 "Content Too Large").
_TRANSPORT_ERROR_CODES = {
    400: "ValidationException",
    408: "RequestTimeout",
    413: "RequestEntityTooLarge",
    414: "RequestURITooLong",
    417: "ExpectationFailed",
    431: "RequestHeaderFieldsTooLarge",
    501: "NotImplemented",
    505: "HTTPVersionNotSupported",
}

_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def _status_line(status: int) -> str:
    return _STATUS_LINES.get(status) or f"{status} Unknown"


def _error_response(error: AppFabricError) -> Response:
    from .protocol.serialization import serialize_error

    status, headers, body = serialize_error(error)
    headers[REQUEST_ID_HEADER] = new_request_id()
    return Response(status, headers, body)


class AppFabricApp:
    """WSGI application: AppFabric's REST API over :func:`~appfabric_mock.dispatch.dispatch`.

    Mount it in any WSGI server; route on the raw request target (see
    :func:`raw_request_uri`), so prefer a server that provides ``RAW_URI``.
    Besides the AppFabric API it serves the control API under ``/_appfabric_mock/``
    and a page of the current state at ``/``.

    The simplest way to get one configured with mock options is the ``app`` attribute of
    a :class:`ThreadedServer` that is not started: ``ThreadedServer(quotas=None).app``.

    :param state: the state to answer from (``MockState()`` for a fresh one with the
        default options).
    :param controls: the test controls the control API drives (default: controls of
        ``state``).
    :param max_body_bytes: larger request bodies are refused with HTTP 413.
    """

    def __init__(self, state: MockState, controls: Optional[Controls] = None,
                 max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.state = state
        self.controls: Controls = controls if controls is not None else ServerControls(state)
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        raw = raw_request_uri(environ)
        try:
            response = self._answer(environ, method, raw)
        except Exception as exc:  # a bug in the mock: an AWS-shaped 500, never a traceback on the wire
            logger.exception("appfabric-mock server failed while answering %s %s", method, urlsplit(raw).path)
            response = _error_response(InternalServerException(
                f"appfabric-mock internal error: {type(exc).__name__}: {exc}"))
        status, headers, body = response
        header_list = list(headers.items())
        if "Content-Length" in headers or "content-length" in headers:  # framing is the server's job
            header_list = [(name, value) for name, value in header_list if name.lower() != "content-length"]
        if status == 204 or status == 304 or status < 200:
            body = b""  # no body, and no Content-Length either (RFC 9110 §8.6)
        else:
            # Framing for keep-alive; HEAD announces the length of the GET it mirrors.
            header_list.append(("Content-Length", str(len(body))))
        if method == "HEAD":
            body = b""
        start_response(_status_line(status), header_list)
        return [body]

    def _answer(self, environ: Dict[str, Any], method: str, raw: str) -> Response:
        # Origin-form targets ("/path?query") are the rule; urlsplit handles absolute ones.
        path = raw.split("?", 1)[0] if raw.startswith("/") and not raw.startswith("//") else urlsplit(raw).path
        path = path or "/"
        if path.startswith(control_api.PREFIX):
            body = self._body(environ)
            if isinstance(body, Response):
                return body
            return Response(*control_api.handle(self.controls, method, path[len(control_api.PREFIX):], body))
        if path == "/" and method in ("GET", "HEAD"):
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, _html_page(self.state).encode())
        body = self._body(environ)
        if isinstance(body, Response):
            return body
        headers = environ.get(REQUEST_HEADERS)
        try:
            # Both sources give names already lower-cased: no second pass over them.
            return dispatch_lowered(self.state, method, raw,
                                    headers if headers is not None else request_headers(environ), body)
        except UnreachableRegion as exc:
            # In process the client cannot connect at all; over HTTP the nearest
            # honest answer is a misdirected request naming the region.
            return _error_response(_HTTPError(421, "UnreachableRegion", str(exc)))

    def _body(self, environ: Dict[str, Any]) -> Any:
        try:
            return read_body(environ, self.max_body_bytes)
        except _BodyError as exc:
            if exc.close:
                environ[CLOSE_CONNECTION] = True
            return _error_response(exc.error)


# -- the state page -----------------------------------------------------------------------


def _html_page(state: MockState) -> str:
    from .snapshot import snapshot

    e = html.escape
    data = snapshot(state)
    clock = state.settings.clock
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>appfabric-mock</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;font-size:90%}"
        "code{font-size:90%}</style></head><body>",
        "<h1>appfabric-mock</h1>",
        f"<p>Default account <code>{e(data['defaultAccountId'])}</code>; clock "
        f"{'frozen at' if clock.frozen else 'following the wall clock:'} <code>{e(clock.now().isoformat())}</code>. "
        "JSON: <a href='/_appfabric_mock/state'>state</a>, "
        "<a href='/_appfabric_mock/actions'>control actions</a>.</p>",
    ]
    if not data["accounts"]:
        out.append("<p>No resources yet.</p>")
    for account, regions in sorted(data["accounts"].items()):
        for region, region_state in sorted(regions.items()):
            out.append(f"<h2>Account <code>{e(account)}</code>, region <code>{e(region)}</code></h2>")
            rows: List[Tuple[str, str, str, str]] = []
            for bundle in region_state["appBundles"]:
                rows.append(("AppBundle", bundle["arn"], "", _tags(bundle["tags"])))
                for auth in bundle["appAuthorizations"]:
                    rows.append(("AppAuthorization", auth["arn"],
                                 f"{auth['app']} / {auth['tenantIdentifier']} ({auth['authType']}): {auth['status']}",
                                 _tags(auth["tags"])))
                for ingestion in bundle["ingestions"]:
                    rows.append(("Ingestion", ingestion["arn"],
                                 f"{ingestion['app']} / {ingestion['tenantId']} "
                                 f"({ingestion['ingestionType']}): {ingestion['state']}",
                                 _tags(ingestion["tags"])))
                    for dest in ingestion["destinations"]:
                        detail = str(dest["status"]) + (f": {dest['statusReason']}" if dest.get("statusReason") else "")
                        rows.append(("IngestionDestination", dest["arn"], detail, _tags(dest["tags"])))
            out.append("<table><tr><th>Type</th><th>ARN</th><th>Details</th><th>Tags</th></tr>")
            out.extend(f"<tr><td>{e(kind)}</td><td><code>{e(arn)}</code></td><td>{e(detail)}</td>"
                       f"<td>{e(tags)}</td></tr>" for kind, arn, detail, tags in rows)
            out.append("</table>")
            tasks = region_state["userAccessTasks"]
            if tasks:
                out.append(f"<p>{len(tasks)} user access task(s).</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _tags(tags: Dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(tags.items()))


# -- the HTTP server ------------------------------------------------------------------------


class _ServerHandler(SimpleHandler):
    """wsgiref's handler speaking HTTP/1.1, writing each response in one send."""

    http_version = "1.1"
    server_software = _SERVER_SOFTWARE
    # wsgiref copies the whole process environment into every request's environ
    # (HTTP_PROXY would pass for a request header); requests carry only their own.
    os_environ: Dict[str, str] = {}
    # A body is only absent for these; wsgiref would otherwise add "Content-Length: 0".
    _NO_BODY = ("1", "204", "304")
    request_handler: "_RequestHandler"
    # Set by wsgiref's BaseHandler (not declared in its stubs).
    status: Optional[str]
    headers: Any
    environ: Dict[str, Any]
    bytes_sent: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: List[bytes] = []
        self.close_connection = False

    def cleanup_headers(self) -> None:
        assert self.status is not None
        if self.environ.get(CLOSE_CONNECTION):
            self.close_connection = True
            # Hop-by-hop headers are off limits to WSGI apps; the server adds this one.
            self.headers["Connection"] = "close"
        if "Content-Length" not in self.headers and not self.status.startswith(self._NO_BODY):
            self.set_content_length()

    def _write(self, data: bytes) -> None:
        # Status line, headers and body go out together: separate small sends
        # meet delayed ACKs on keep-alive connections and cost ~40 ms each.
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self.stdout.write(data)
            self.stdout.flush()

    def finish_content(self) -> None:
        super().finish_content()
        self._flush()

    def close(self) -> None:
        try:
            self._flush()
            if self.status:
                self.request_handler.log_request(self.status.split(" ", 1)[0], self.bytes_sent)
        finally:
            super().close()

    def error_output(self, environ: Any, start_response: StartResponse) -> List[bytes]:
        # Only reached if the application itself raised; answer as AWS would.
        status, headers, body = _error_response(InternalServerException("appfabric-mock internal error"))
        start_response(_status_line(status), list(headers.items()) + [("Content-Length", str(len(body)))],
                       sys.exc_info())
        return [body]


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's request handler with keep-alive, the raw request target and quiet logs."""

    protocol_version = "HTTP/1.1"
    server_version = _SERVER_SOFTWARE
    # Idle keep-alive connections hold a thread; they are also closed on stop().
    timeout = 120
    # Error responses and "100 Continue" go out in more than one send; no Nagle delay for them.
    disable_nagle_algorithm = True
    server: "_ThreadingWSGIServer"

    def get_environ(self) -> Dict[str, Any]:
        environ: Dict[str, Any] = super().get_environ()
        environ["RAW_URI"] = self.path
        headers: Dict[str, str] = {}
        for name, value in self.headers.items():
            name, value = name.lower(), value.strip()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        environ[REQUEST_HEADERS] = headers
        if self.headers.get("content-type") is None:
            # wsgiref would report "text/plain", which the body parser rejects.
            environ.pop("CONTENT_TYPE", None)
        return environ

    def handle(self) -> None:
        self.close_connection = True
        self._handle_one()
        while not self.close_connection and not self.server.stopping:
            self._handle_one()

    def _handle_one(self) -> None:
        self.close_connection = True
        self.command = self.path = ""  # nothing left over from the previous request on the connection
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except OSError:  # idle timeout, or the connection was shut down on stop()
            return
        if not self.raw_requestline:
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.parse_request():  # an error was sent
            self.close_connection = True
            return
        keep_alive = not self.close_connection
        handler = _ServerHandler(self.rfile, self.wfile, sys.stderr, self.get_environ(), multithread=True)
        handler.request_handler = self
        app = self.server.get_app()
        assert app is not None
        handler.run(app)
        if handler.close_connection or handler.status is not None or not keep_alive:
            # status is left set when the response could not be finished.
            self.close_connection = True
        else:
            self.close_connection = False

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Errors found before the application runs (bad request line, huge headers), AWS-shaped."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        error_code = _TRANSPORT_ERROR_CODES.get(code) or phrase.replace(" ", "").replace("-", "")
        body = json.dumps({"message": message or phrase, "__type": error_code}).encode()
        self.close_connection = True
        # An unparsable request line leaves the HTTP/0.9 default, under which the
        # base class writes a bare body; clients of this server all speak HTTP/1.x.
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        try:
            self.send_response(code, message)
            self.send_header("Content-Type", "application/json")
            self.send_header("x-amzn-ErrorType", error_code)
            self.send_header(REQUEST_ID_HEADER, new_request_id())
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        log = self.server.log
        if log is None:
            return
        path = urlsplit(getattr(self, "path", "") or "").path
        # The path is what the client sent: keep control characters off the terminal.
        status = code.value if isinstance(code, HTTPStatus) else code
        line = f"{self.command or '-'} {_printable(path)} {status}\n"
        try:
            log.write(line)
            log.flush()
        except (OSError, ValueError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        # The base class logs request lines and error details here; log_request
        # already writes the one line a request is worth.
        return


def _printable(text: str) -> str:
    return text if text.isprintable() else "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """A thread per connection; stops at once through a wake-up socket pair."""

    daemon_threads = True
    # Idle keep-alive connections must not hold up server_close().
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], family: int, log: Optional[TextIO]) -> None:
        self.address_family = family
        self.log = log
        self.stopping = False
        self._connections: Dict[socket.socket, threading.Thread] = {}
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            super().__init__(address, _RequestHandler)
        except BaseException:
            self._wake_r.close()
            self._wake_w.close()
            raise

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup of the address
        # (socket.getfqdn), which can take seconds on a machine without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()

    def serve_until_stopped(self) -> None:
        """Accept connections until :meth:`request_stop` (no polling interval to wait out)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.stopping:
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self.stopping:
                        # socketserver's accept-and-dispatch step (the body of handle_request()).
                        self._handle_request_noblock()  # type: ignore[attr-defined]

    def request_stop(self) -> None:
        """Make :meth:`serve_until_stopped` return (safe from any thread and from signal handlers)."""
        self.stopping = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  name="appfabric-mock-connection", daemon=True)
        with self._lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection (idle keep-alive ones included) and wait for their threads."""
        with self._lock:
            connections = list(self._connections.items())
        for sock, _ in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its thread
        deadline = time.monotonic() + timeout
        for _, thread in connections:
            thread.join(max(0.0, deadline - time.monotonic()))

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection-level failure: one line in the log (never a request's content).
        if self.log is not None:
            kind = sys.exc_info()[0]
            try:
                self.log.write(f"appfabric-mock: connection error: {kind.__name__ if kind else 'unknown'}\n")
            except (OSError, ValueError):
                pass


# -- the Python API -----------------------------------------------------------------------


class ServerControls(Controls):
    """The test controls of a server's state (the same methods as the ``mock_appfabric`` handle)."""

    def __init__(self, state: MockState) -> None:
        self._state = state

    @property
    def state(self) -> MockState:
        """The state the server answers from."""
        return self._state

    def __repr__(self) -> str:
        return f"<ServerControls of {self._state!r}>"


class ThreadedServer:
    """The mock served over HTTP from a background thread: for tests and embedding.

    ``options`` are those of :func:`~appfabric_mock.mock_appfabric` (``quotas``,
    ``accounts``, ``seed``, ...); alternatively pass a ready ``state``.  The
    server does not patch botocore or the environment: clients reach it through
    :attr:`url`.  ``log`` receives one line per request unless ``quiet``.

    While a ``mock_appfabric`` is active in the same process, it answers every
    botocore AppFabric client in that process, whatever its ``endpoint_url``:
    such clients never reach this server (other processes and SDKs still do).

    :param host: the address to listen on (an IPv6 address works too).
    :param port: the port; 0 (the default) picks a free one, read it from :attr:`port`.
    :param state: serve this state instead of a fresh one (not together with ``options``).
    :param quiet: write no access log (the default).
    :param log: where the access log goes when not ``quiet`` (default: standard error).
    :param options: the options of :class:`~appfabric_mock.config.MockConfig`.
    :raises TypeError: for both ``state`` and ``options``, or an unknown option.

    ``mock`` holds the test controls of the served state (:class:`ServerControls`: the
    methods of :class:`~appfabric_mock.AppFabricMock` such as ``reset``, ``inject_fault``
    and ``calls``).  It is a context manager: ``with ThreadedServer() as server:`` starts
    and stops it.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, state: Optional[MockState] = None,
                 quiet: bool = True, log: Optional[TextIO] = None, **options: Any) -> None:
        if state is not None and options:
            raise TypeError("ThreadedServer: pass either a state or mock options, not both")
        if state is None:
            from .config import MockConfig

            config = MockConfig.from_options(options)
            state = MockState()
            config.apply(state)
        self.host = host
        self.requested_port = port
        self.state: MockState = state
        self.mock: ServerControls = ServerControls(state)
        self.app = AppFabricApp(state, self.mock)
        self.quiet = quiet
        self.log = log
        self._server: Optional[_ThreadingWSGIServer] = None
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "ThreadedServer":
        """Bind, listen and serve from a daemon thread; returns once connections are accepted."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("ThreadedServer is already running")
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            log = None if self.quiet else (self.log or sys.stderr)
            server = _ThreadingWSGIServer((self.host, self.requested_port), family, log)
            server.set_app(self.app)
            thread = threading.Thread(target=server.serve_until_stopped, name="appfabric-mock-server",
                                      daemon=True)
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection and release the port (idempotent)."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None or thread is None:
            return
        server.request_stop()
        thread.join(timeout)
        server.server_close()  # the port is free from here on
        server.close_connections(timeout)

    @property
    def running(self) -> bool:
        """Whether the server accepts connections."""
        return self._server is not None

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- where ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The port listened on (the one picked when started with port 0)."""
        server = self._server
        if server is None:
            raise RuntimeError("ThreadedServer is not running")
        return int(server.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server: the ``endpoint_url`` for clients."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<ThreadedServer {where}>"


# -- the command line ---------------------------------------------------------------------


#: The command-line server runs for hours: its call log keeps the latest calls only.
SERVER_RECORDED_CALLS = 10_000


class _StopSignal(Exception):
    pass


def _raise_stop(signum: int, frame: Any) -> None:
    raise _StopSignal(signum)


def serve(host: str = "127.0.0.1", port: int = 5050, quiet: bool = False, **options: Any) -> int:
    """``appfabric-mock server``: serve until Ctrl-C or SIGTERM; returns the exit code.

    Prints ``appfabric-mock serving on http://HOST:PORT`` once requests are accepted, and
    an access log line per request on standard error unless ``quiet``.  The mock keeps
    the latest 10,000 recorded calls.

    :param host: the address to listen on.
    :param port: the port (default 5050; 0 picks a free one).
    :param quiet: no access log.
    :param options: options of :func:`~appfabric_mock.mock_appfabric` (``quotas``, ``seed``,
        ``strict_regions``, ...), as ``--option NAME=VALUE`` gives them on the command line.
    :returns: 0 after a clean stop, 1 when the address cannot be bound.
    """
    from .protocol.compiled import protocol

    options.setdefault("max_recorded_calls", SERVER_RECORDED_CALLS)
    server = ThreadedServer(host, port, quiet=quiet, log=sys.stderr, **options)
    try:
        server.start()
    except OSError as exc:
        print(f"appfabric-mock: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop_signals = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
    previous = {}
    in_main_thread = threading.current_thread() is threading.main_thread()
    try:
        if in_main_thread:
            for signum in stop_signals:
                previous[signum] = signal.signal(signum, _raise_stop)
        protocol()  # load the service model now, not on the first request
        print(f"appfabric-mock serving on {server.url}", flush=True)
        # Waits wake up for signals on POSIX; the timeout keeps Windows responsive.
        forever = threading.Event()
        while not forever.wait(1.0):
            pass
    except (KeyboardInterrupt, _StopSignal):
        pass
    finally:
        if in_main_thread:
            for signum in stop_signals:  # a second signal must not interrupt the clean stop
                signal.signal(signum, signal.SIG_IGN)
        server.stop()
        if in_main_thread:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    if not quiet:
        print("appfabric-mock stopped", file=sys.stderr, flush=True)
    return 0
