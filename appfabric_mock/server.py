"""Server mode: the mock over HTTP, for the AWS CLI, other SDKs and other processes.

* :class:`AppFabricApp` is a WSGI application over the very same
  :func:`~appfabric_mock.dispatch.dispatch` the in-process mock uses; there is
  no second routing table.  It also serves the control API
  (:mod:`appfabric_mock.control_api`) under ``/_appfabric_mock/`` and a small
  HTML page of the current state at ``/`` (:mod:`appfabric_mock.status_page`),
  and applies the rules that keep other web pages out
  (:mod:`appfabric_mock.server_policy`).
* :class:`ThreadedServer` serves that application with waitress (the ``server``
  extra; :mod:`appfabric_mock.wsgi_server`), which does all of HTTP, from a
  background thread, and starts and stops in milliseconds::

      with ThreadedServer() as server:          # 127.0.0.1, a free port
          client = boto3.client("appfabric", endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
          client.create_app_bundle()
          server.mock.reset()                    # the test controls, as on mock_appfabric()

* :func:`serve` is ``appfabric-mock server``: it prints
  ``appfabric-mock serving on http://127.0.0.1:PORT`` once it accepts
  requests, and stops cleanly (exit code 0) on Ctrl-C or SIGTERM, however many.

The region comes from the SigV4 scope of each request; the account from the
access key id (mapped with the ``accounts`` option or the ``accounts`` control
action) or from the ``X-Appfabric-Mock-Account-Id`` header.  Access logging,
when on, prints one line per request (method, path without query, status) and
never a header or a body.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, TextIO, Union
from urllib.parse import quote, urlsplit

from . import control_api, status_page
from .backend.support import new_request_id
from .controls import Controls
from .dispatch import REQUEST_ID_HEADER, Response, UnreachableRegion, dispatch_lowered, internal_error
from .errors import AppFabricError, ValidationException
from .server_policy import Refusal, RequestPolicy, is_loopback
from .state import MockState

if TYPE_CHECKING:
    from .wsgi_server import HTTPServer, ServerLimits

__all__ = ["AppFabricApp", "ServerControls", "ThreadedServer", "delivery_directory", "serve", "MAX_BODY_BYTES"]

logger = logging.getLogger("appfabric_mock")

#: Largest request body accepted (AppFabric's largest valid request is a few KiB).
MAX_BODY_BYTES = 1 << 20

StartResponse = Callable[..., Any]
AccessLog = Callable[[str, str, int], None]

#: Headers of every answer: no browser may guess another type than the one given.
_COMMON_HEADERS = (("X-Content-Type-Options", "nosniff"),)


# -- the WSGI application ---------------------------------------------------------------


class _HTTPError(AppFabricError):
    """An HTTP-level failure, answered in the same AWS shape as service errors."""

    modeled = False

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def raw_request_uri(environ: Dict[str, Any]) -> str:
    """The request target as sent, still percent-encoded (path and query).

    ``PATH_INFO`` is decoded, which loses the difference between ``/`` and
    ``%2F`` inside an ARN label; servers that keep the raw target put it in
    ``REQUEST_URI`` (waitress, uWSGI) or ``RAW_URI`` (gunicorn).
    """
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
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


def _read_body(environ: Dict[str, Any], limit: int) -> bytes:
    """The request body, as the WSGI server hands it over (it did the HTTP framing)."""
    stream = environ["wsgi.input"]
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        if not (declared.isascii() and declared.isdigit()):
            raise _HTTPError(400, "ValidationException", f"Invalid Content-Length: {declared[:40]!r}")
        length = int(declared)
        if length > limit:
            raise _too_large(length, limit)
        return bytes(stream.read(length)) if length else b""
    if environ.get("wsgi.input_terminated"):  # a server that passes chunked bodies through
        body = bytes(stream.read(limit + 1))
        if len(body) > limit:
            raise _too_large(len(body), limit)
        return body
    return b""


def _too_large(length: int, limit: int) -> AppFabricError:
    return _HTTPError(413, "RequestEntityTooLarge",  # the code AWS front ends use (and the JS SDK knows)
                      f"The request body of {length} bytes exceeds the limit of {limit} bytes")


def _error_response(error: AppFabricError, request_id: Optional[str] = None) -> Response:
    from .protocol.serialization import serialize_error

    status, headers, body = serialize_error(error)
    headers[REQUEST_ID_HEADER] = request_id or new_request_id()
    return Response(status, headers, body)


def _status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


class AppFabricApp:
    """WSGI application: AppFabric's REST API over :func:`~appfabric_mock.dispatch.dispatch`.

    Mount it in any WSGI server; it routes on the raw request target (see
    :func:`raw_request_uri`), so prefer a server that provides ``REQUEST_URI`` or
    ``RAW_URI`` (waitress, gunicorn, uWSGI).  Besides the AppFabric API it serves the
    control API under ``/_appfabric_mock/`` and a page of the current state at ``/``.

    The simplest way to get one configured with mock options is the ``app`` attribute of
    a :class:`ThreadedServer` that is not started: ``ThreadedServer(quotas=None).app``.

    :param state: the state to answer from (``MockState()`` for a fresh one with the
        default options).
    :param controls: the test controls the control API drives (default: controls of
        ``state``).
    :param max_body_bytes: larger request bodies are refused with HTTP 413.
    :param policy: the rules of :mod:`appfabric_mock.server_policy` (default: requests must
        name a loopback host, no token).
    :param access_log: called with (method, path, status) after each request.
    """

    def __init__(self, state: MockState, controls: Optional[Controls] = None,
                 max_body_bytes: int = MAX_BODY_BYTES, policy: Optional[RequestPolicy] = None,
                 access_log: Optional[AccessLog] = None) -> None:
        self.state = state
        self.controls: Controls = controls if controls is not None else ServerControls(state)
        self.max_body_bytes = max_body_bytes
        self.policy = policy if policy is not None else RequestPolicy("127.0.0.1")
        self.access_log = access_log

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        raw = raw_request_uri(environ)
        # Origin-form targets ("/path?query") are the rule; urlsplit handles absolute ones.
        path = raw.split("?", 1)[0] if raw.startswith("/") and not raw.startswith("//") else urlsplit(raw).path
        path = path or "/"
        try:
            response = self._answer(environ, method, raw, path)
        except Exception as exc:  # a bug in the mock: an AWS-shaped 500, never a traceback on the wire
            request_id = new_request_id()
            logger.exception("appfabric-mock server failed while answering %s %s (request id %s)",
                             method, path, request_id)
            response = _error_response(internal_error("the server", exc, request_id), request_id)
        status, headers, body = response
        header_list = [(name, value) for name, value in headers.items() if name.lower() != "content-length"]
        header_list.extend(_COMMON_HEADERS)
        if status == 204 or status == 304 or status < 200:
            body = b""  # no body, and no Content-Length either (RFC 9110 §8.6)
        else:
            # Framing for keep-alive; HEAD announces the length of the GET it mirrors.
            header_list.append(("Content-Length", str(len(body))))
        if method == "HEAD":
            body = b""
        start_response(_status_line(status), header_list)
        if self.access_log is not None:
            self.access_log(method, path, status)
        return [body]

    def _answer(self, environ: Dict[str, Any], method: str, raw: str, path: str) -> Response:
        control = path.startswith(control_api.PREFIX)
        try:
            body = _read_body(environ, self.max_body_bytes)
            self.policy.check(environ, method, control, bool(body))
        except Refusal as refusal:
            if control:
                return Response(*control_api.error(refusal.status, refusal.message, refusal.headers))
            if refusal.code == ValidationException.code:
                return _error_response(ValidationException(refusal.message, reason=refusal.reason or "other"))
            return _error_response(_HTTPError(refusal.status, refusal.code, refusal.message))
        except AppFabricError as error:
            return _error_response(error)
        if control:
            status, headers, out = control_api.handle(self.controls, method, path[len(control_api.PREFIX):], body)
            if status < 300 and method not in ("GET", "HEAD"):
                on_change = self.state.store.on_change  # the state file's save, before the answer
                if on_change is not None:
                    on_change()
            return Response(status, headers, out)
        if path == "/" and method in ("GET", "HEAD"):
            return Response(200, dict(status_page.HEADERS), status_page.render(self.state))
        headers = request_headers(environ)
        try:
            return dispatch_lowered(self.state, method, raw, headers, body)
        except UnreachableRegion as exc:
            # In process the client cannot connect at all; over HTTP the nearest
            # honest answer is a misdirected request naming the region.
            return _error_response(_HTTPError(421, "UnreachableRegion", str(exc)))


# -- the Python API -----------------------------------------------------------------------


class ServerControls(Controls):
    """The test controls of a server's state (the same methods as the ``mock_appfabric`` handle).

    :param delivery_dir: the only directory under which the control API may choose the
        ``"directory"`` delivery sink (see :func:`delivery_directory`); None: it may not.
        The Python method :meth:`set_delivery_sink` is not restricted.
    """

    def __init__(self, state: MockState, delivery_dir: Optional[Union[str, "os.PathLike[str]"]] = None) -> None:
        self._state = state
        #: The resolved delivery directory, or None.
        self.delivery_dir: Optional[Path] = delivery_directory(delivery_dir) if delivery_dir is not None else None

    @property
    def state(self) -> MockState:
        """The state the server answers from."""
        return self._state

    def __repr__(self) -> str:
        return f"<ServerControls of {self._state!r}>"


def delivery_directory(path: Union[str, "os.PathLike[str]"]) -> Path:
    """``path`` resolved, as the root of the directory sinks a server's control API may choose.

    It need not exist yet (deliveries create it).

    :raises ValueError: when ``path`` is empty, or exists and is not a directory.
    """
    if not os.fspath(path):
        raise ValueError("the delivery directory must not be empty")
    root = Path(path).resolve()
    if root.exists() and not root.is_dir():
        raise ValueError(f"the delivery directory {os.fspath(path)} is not a directory")
    return root


class ThreadedServer:
    """The mock served over HTTP (waitress) from a background thread: for tests and embedding.

    ``options`` are those of :func:`~appfabric_mock.mock_appfabric` (``quotas``,
    ``accounts``, ``seed``, ``state_file``, ...); alternatively pass a ready ``state``.
    The server does not patch botocore or the environment: clients reach it through
    :attr:`url`.  ``log`` receives one line per request unless ``quiet``.

    While a ``mock_appfabric`` is active in the same process, it answers every
    botocore AppFabric client in that process, whatever its ``endpoint_url``:
    such clients never reach this server (other processes and SDKs still do).

    :param host: the address to listen on (an IPv6 address works too).  An address
        beyond the loopback interface issues an :class:`~appfabric_mock.AppFabricMockWarning`.
    :param port: the port; 0 (the default) picks a free one, read it from :attr:`port`.
    :param state: serve this state instead of a fresh one (not together with ``options``).
    :param quiet: write no access log (the default).
    :param log: where the access log goes when not ``quiet`` (default: standard error).
    :param allowed_hosts: more host names clients may use in ``Host`` (``"*"``: any); the
        loopback names and ``host`` always are (see :mod:`appfabric_mock.server_policy`).
    :param token: the control API's token (default: ``APPFABRIC_MOCK_TOKEN``, else none).
    :param delivery_dir: a directory under which the control action ``delivery-sink`` may
        choose the ``"directory"`` sink (default: none, and it may not: any local process
        can send control requests).
    :param limits: a :class:`~appfabric_mock.wsgi_server.ServerLimits` (body and header
        sizes, connections, threads, timeouts); the defaults suit tests and CI.
    :param options: the options of :class:`~appfabric_mock.config.MockConfig`.
    :raises TypeError: for both ``state`` and ``options``, or an unknown option.

    ``mock`` holds the test controls of the served state (:class:`ServerControls`: the
    methods of :class:`~appfabric_mock.AppFabricMock` such as ``reset``, ``inject_fault``
    and ``calls``).  It is a context manager: ``with ThreadedServer() as server:`` starts
    and stops it.  Starting needs waitress (``pip install 'appfabric-mock[server]'``).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, state: Optional[MockState] = None,
                 quiet: bool = True, log: Optional[TextIO] = None, allowed_hosts: Optional[Iterable[str]] = None,
                 token: Optional[str] = None, limits: Optional["ServerLimits"] = None,
                 delivery_dir: Optional[Union[str, "os.PathLike[str]"]] = None, **options: Any) -> None:
        if state is not None and options:
            raise TypeError("ThreadedServer: pass either a state or mock options, not both")
        if isinstance(allowed_hosts, str):
            raise TypeError("ThreadedServer: allowed_hosts takes a list of host names, not one string")
        policy = RequestPolicy(host, allowed_hosts, token)
        if state is None:
            from .config import MockConfig

            config = MockConfig.from_options(options)
            state = MockState()
            config.apply(state)
        self.host = host
        self.requested_port = port
        self.state: MockState = state
        self.mock: ServerControls = ServerControls(state, delivery_dir)
        self.policy = policy
        self.limits = limits
        self.quiet = quiet
        self.log = log
        self.app = AppFabricApp(state, self.mock, limits.max_body_bytes if limits else MAX_BODY_BYTES, policy,
                                None if quiet else self._log_request)
        self._server: Optional["HTTPServer"] = None
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "ThreadedServer":
        """Bind, listen and serve from a daemon thread; returns once connections are accepted.

        :raises ImportError: when waitress (the ``server`` extra) is not installed.
        :raises OSError: when the address cannot be bound.
        """
        from .wsgi_server import HTTPServer, ServerLimits

        with self._lock:
            if self._server is not None:
                raise RuntimeError("ThreadedServer is already running")
            if not is_loopback(self.host):
                from .mock import AppFabricMockWarning

                warnings.warn(exposure_warning(self.host, self.policy), AppFabricMockWarning, stacklevel=2)
            self._server = HTTPServer(self.app, self.host, self.requested_port, self.limits or ServerLimits(),
                                      None if self.quiet else self._log_request)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection and free the port (idempotent).

        With a state file, the state is saved one last time.
        """
        with self._lock:
            server, self._server = self._server, None
        if server is None:
            return
        server.stop(timeout)
        from .persistence import flush

        flush(self.state)

    @property
    def running(self) -> bool:
        """Whether the server accepts connections."""
        return self._server is not None

    @property
    def open_connections(self) -> int:
        """Client connections open now (at most the connection limit)."""
        server = self._server
        return server.open_connections if server is not None else 0

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
        return server.port

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server: the ``endpoint_url`` for clients."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<ThreadedServer {where}>"

    # -- the access log ---------------------------------------------------------------------
    def _log_request(self, method: str, path: str, status: int) -> None:
        log = self.log or sys.stderr
        # The path is what the client sent: keep control characters off the terminal.
        try:
            log.write(f"{_printable(method)} {_printable(path)} {status}\n")
            log.flush()
        except (OSError, ValueError):
            pass


def _printable(text: str) -> str:
    return text if text.isprintable() else "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def exposure_warning(host: str, policy: RequestPolicy) -> str:
    """The warning for a server listening beyond the loopback interface."""
    guard = ("its control API needs the token" if policy.token else
             "its control API has no token (set one with --token or APPFABRIC_MOCK_TOKEN)")
    return (f"appfabric-mock is listening on {host}, beyond this machine's loopback interface: anyone who can "
            f"reach it can read and change the mock's state; {guard}. Clients must name an allowed host "
            f"(--allowed-host NAME, or APPFABRIC_MOCK_ALLOWED_HOSTS).")


# -- the command line ---------------------------------------------------------------------


#: The command-line server runs for hours: its call log keeps the latest calls only.
SERVER_RECORDED_CALLS = 10_000
#: ... and it keeps the latest audit-log deliveries only, with what its in-memory sink holds of
#: them (about 11 KB each at the default 10 events: some 11 MB).
SERVER_RECORDED_DELIVERIES = 1_000


def _ignore_signal(signum: int, frame: Any) -> None:
    return None  # the wake-up socket carries the signal (see serve)


def serve(host: str = "127.0.0.1", port: int = 5050, quiet: bool = False,
          allowed_hosts: Optional[List[str]] = None, token: Optional[str] = None,
          delivery_dir: Optional[str] = None, **options: Any) -> int:
    """``appfabric-mock server``: serve until Ctrl-C or SIGTERM; returns the exit code.

    Prints ``appfabric-mock serving on http://HOST:PORT`` once requests are accepted, and
    an access log line per request on standard error unless ``quiet``.  The mock keeps
    the latest 10,000 recorded calls and the latest 1,000 audit-log deliveries.  On return,
    SIGINT and SIGTERM are left ignored (the stop is done; a late signal must not turn a
    clean exit into a traceback).

    :param host: the address to listen on.
    :param port: the port (default 5050; 0 picks a free one).
    :param quiet: no access log.
    :param allowed_hosts: more host names clients may use (see :class:`ThreadedServer`).
    :param token: the control API's token.
    :param delivery_dir: where the control API may have audit logs delivered as files.
    :param options: options of :func:`~appfabric_mock.mock_appfabric` (``quotas``, ``seed``,
        ``state_file``, ...), as ``--option NAME=VALUE`` gives them on the command line.
    :returns: 0 after a clean stop, 1 when the server cannot start (the address is taken,
        waitress is missing, the state file cannot be read).
    """
    from .persistence import StateFileError
    from .protocol.compiled import protocol

    options.setdefault("max_recorded_calls", SERVER_RECORDED_CALLS)
    options.setdefault("max_recorded_deliveries", SERVER_RECORDED_DELIVERIES)
    try:
        server = ThreadedServer(host, port, quiet=quiet, log=sys.stderr, allowed_hosts=allowed_hosts, token=token,
                                delivery_dir=delivery_dir, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exposure warning is printed below, plainly
            server.start()
    except StateFileError as exc:
        print(f"appfabric-mock: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"appfabric-mock: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"appfabric-mock: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not is_loopback(host):
        print(f"WARNING: {exposure_warning(host, server.policy)}", file=sys.stderr, flush=True)
    stop_signals = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
    in_main_thread = threading.current_thread() is threading.main_thread()
    # The kernel may hand a signal to any thread; Python runs its handler only when the main
    # thread next runs, which a blocking read never does.  The wake-up socket is written at
    # the C level by whichever thread gets the signal, so the main thread always wakes.  The
    # handlers themselves do nothing: one that raised could land inside a lock operation of
    # the interrupted code (a second signal during the stop once did, exiting 1).
    wake_r, wake_w = socket.socketpair()
    wake_w.setblocking(False)
    previous_wakeup = -1
    try:
        if in_main_thread:
            for signum in stop_signals:
                signal.signal(signum, _ignore_signal)
            previous_wakeup = signal.set_wakeup_fd(wake_w.fileno())
        protocol()  # load the service model now, not on the first request
        print(f"appfabric-mock serving on {server.url}", flush=True)
        if not in_main_thread:
            threading.Event().wait()  # outside the main thread no signal can stop us
        while True:
            got = wake_r.recv(64)  # signal numbers, one byte each
            if not got or any(number in stop_signals for number in got):
                break
    finally:
        server.stop()
        if in_main_thread:
            for signum in stop_signals:
                signal.signal(signum, signal.SIG_IGN)
            signal.set_wakeup_fd(previous_wakeup)
        wake_r.close()
        wake_w.close()
    if not quiet:
        print("appfabric-mock stopped", file=sys.stderr, flush=True)
    return 0
