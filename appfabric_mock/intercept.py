"""The two seams where AppFabric traffic is answered while a mock is active.

* botocore: ``Endpoint._do_get_response`` is patched at class level, at start
  and never at import, so every client (created before the mock or not, in any
  thread) is covered.  For AppFabric operations the request (already
  serialised and signed) is answered by the dispatcher *before* any
  ``before-send`` handler runs: moto's handler would otherwise answer it with
  a 404.  Everything else botocore does afterwards (parsing, modelled error
  fields, retries) runs unchanged.  Other services pass through untouched.
* botocore signing: ``RequestSigner.sign`` is wrapped at start, so that an
  AppFabric client created before the mock in a process without credentials
  (a module-level client in CI) signs with the mock's fake credentials instead
  of raising ``NoCredentialsError``.  Clients with credentials are untouched.
* requests: ``HTTPAdapter.send`` is wrapped while a mock is active (only if
  ``requests`` is imported): a ``responses`` mock answers AppFabric endpoints,
  and every other request goes on to whatever ``HTTPAdapter.send`` was before
  (the network, or a user's own ``responses`` mock).
"""

from __future__ import annotations

import importlib.abc
import re
import sys
import threading
from typing import Any, Callable, Dict, Optional, Tuple

# This module is imported by the first start, never by `import appfabric_mock`, so
# botocore's classes are imported here once rather than inside each call.
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointConnectionError
from botocore.signers import RequestSigner

from .dispatch import UnreachableRegion, dispatch, dispatch_lowered, lower_headers
from .environment import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from .state import MockState

APPFABRIC_URL = re.compile(r"^https?://appfabric(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com|api\.aws)(?::\d+)?/")

_lock = threading.Lock()
_state: Optional[MockState] = None
_original_do_get_response: Optional[Callable[..., Any]] = None
_original_sign: Optional[Callable[..., Any]] = None
_FAKE_CREDENTIALS = Credentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY)
#: ``HTTPAdapter.send`` as it was at start, restored at stop (None: requests was not patched).
_previous_send: Optional[Callable[..., Any]] = None
#: requests' HTTPAdapter, kept by the first patch: an import statement costs a couple of
#: microseconds even for a loaded module, twice per test.
_adapter_class: Any = None
#: The ``responses`` mock that answers AppFabric requests made with ``requests``;
#: built on the first such request of an activation, dropped at stop.
_requests_mock: Any = None


class _RawBody:
    """The ``raw`` of a botocore AWSResponse: a body botocore can stream."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


class _ClaimingEmitter:
    """Wraps an endpoint's event emitter: ``before-send`` is answered by the mock."""

    __slots__ = ("_inner", "_state")

    def __init__(self, inner: Any, state: MockState) -> None:
        self._inner = inner
        self._state = state

    def emit(self, event_name: str, **kwargs: Any) -> Any:
        if event_name.startswith("before-send."):
            return [(_answer_botocore, _answer_botocore(self._state, kwargs["request"]))]
        return self._inner.emit(event_name, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _answer_botocore(state: MockState, request: Any) -> Any:
    body = request.body
    # (The type test first: hasattr on bytes or None raises and catches AttributeError.)
    if type(body) is not bytes and hasattr(body, "read"):
        body = body.read()
    try:
        response = dispatch_lowered(state, request.method, request.url, _lowered_headers(request.headers), body)
    except UnreachableRegion as exc:
        raise EndpointConnectionError(endpoint_url=exc.url) from None
    return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))


def _lowered_headers(headers: Any) -> Dict[str, str]:
    """What :func:`~appfabric_mock.dispatch.lower_headers` returns, for a botocore request."""
    if type(headers) is HeadersDict:
        try:
            # HeadersDict finds each value through a _HeaderKey object whose hash and
            # equality run in Python (three calls per header, the largest single cost of
            # a GetAppBundle in the dispatcher); its own dict already holds every name
            # lower-cased.  Same result, about five times faster.
            return {
                key._lower: (value.decode("latin-1") if isinstance(value, bytes) else value)
                for key, value in headers._dict.items()
            }
        except AttributeError:  # a botocore whose HeadersDict is built differently
            pass
    return lower_headers(headers)


def _do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
    original = _original_do_get_response
    state = _state
    assert original is not None
    if state is None or operation_model.service_model.endpoint_prefix != "appfabric":
        return original(self, request, operation_model, context)
    # A shallow twin of the endpoint whose emitter claims before-send: the real
    # method then runs unchanged, and the shared endpoint is never mutated.
    twin = object.__new__(type(self))
    twin.__dict__.update(self.__dict__)
    twin._event_emitter = _ClaimingEmitter(self._event_emitter, state)
    return original(twin, request, operation_model, context)


def _sign(self: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    original = _original_sign
    assert original is not None
    if self._credentials is None and _state is not None and self._signing_name == "appfabric":
        # A twin, as above: the client keeps no credentials once the mock stops.
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._credentials = _FAKE_CREDENTIALS
        return original(twin, operation_name, request, *args, **kwargs)
    return original(self, operation_name, request, *args, **kwargs)


def _answer_requests(request: Any) -> Tuple[int, Dict[str, str], bytes]:
    state = _state
    if state is None:  # stopped while the request was in flight
        raise ConnectionError("appfabric-mock is not active")
    body = request.body
    response = dispatch(state, request.method, request.url, request.headers, body)
    return response.status, response.headers, response.body


def install(state: MockState) -> None:
    """Start answering AppFabric traffic from ``state``."""
    global _state, _original_do_get_response, _original_sign
    with _lock:
        if _original_do_get_response is None:
            _original_do_get_response = Endpoint.__dict__["_do_get_response"]
            Endpoint._do_get_response = _do_get_response  # type: ignore[method-assign]
        if _original_sign is None:
            _original_sign = RequestSigner.__dict__["sign"]
            RequestSigner.sign = _sign  # type: ignore[method-assign]
        _state = state
        _patch_requests()
        _watch_for_requests()


def uninstall() -> None:
    """Restore botocore and requests exactly as they were."""
    global _state, _original_do_get_response, _original_sign, _requests_mock, _previous_send
    with _lock:
        _state = None
        _stop_watching_for_requests()
        if _original_do_get_response is not None:
            Endpoint._do_get_response = _original_do_get_response  # type: ignore[method-assign]
            _original_do_get_response = None
        if _original_sign is not None:
            RequestSigner.sign = _original_sign  # type: ignore[method-assign]
            _original_sign = None
        if _previous_send is not None:
            _adapter_class.send = _previous_send
            _previous_send = None
        # Never started (it answers through unbound_on_send), so there is no patch to undo.
        _requests_mock = None


def installed() -> bool:
    """Whether the seams are patched right now."""
    return Endpoint.__dict__["_do_get_response"] is _do_get_response or RequestSigner.__dict__["sign"] is _sign


def _patch_requests() -> None:
    """Wrap ``HTTPAdapter.send``: AppFabric URLs to the mock, the rest to what was there."""
    global _previous_send, _adapter_class
    # Only when `requests` is in use: importing it for nothing costs every test.  Never
    # imported here either: this runs under _lock, and an import that another thread
    # has begun would wait for that thread, which may wait for _lock in the import
    # hook.  A module still being imported is patched by the hook when it finishes.
    if _previous_send is not None:
        return
    HTTPAdapter = _adapter_class
    if HTTPAdapter is None:
        HTTPAdapter = getattr(sys.modules.get("requests.adapters"), "HTTPAdapter", None)
        if HTTPAdapter is None:
            return
        _adapter_class = HTTPAdapter

    # A plain attribute swap: starting a `responses` mock here (a unittest.mock patch,
    # six registered callbacks) cost more than the rest of start and stop together,
    # in every test, whether or not it sent anything with `requests`.  The responses
    # mock is now built only when an AppFabric request is actually sent.
    previous = HTTPAdapter.send  # the network, or a user's own responses mock

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if APPFABRIC_URL.match(str(request.url)):
            return _answering_mock(previous).unbound_on_send()(adapter, request, *args, **kwargs)
        return previous(adapter, request, *args, **kwargs)

    _previous_send = previous
    HTTPAdapter.send = send  # type: ignore[method-assign,assignment]


class _PatchAfterImport(importlib.abc.Loader):
    """Loader of ``requests.adapters`` that patches it once it has run (if a mock is still active)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        with _lock:
            if _state is not None:
                _patch_requests()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _RequestsImportHook:
    """A ``sys.meta_path`` finder present while a mock is active and ``requests`` is not yet imported.

    Code under test that imports ``requests`` lazily, inside the test, is then
    answered too, rather than sending its AppFabric requests to the network.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "requests.adapters":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchAfterImport(spec.loader)
                return spec
        return None


_import_hook = _RequestsImportHook()


def _watch_for_requests() -> None:
    if _previous_send is None and _import_hook not in sys.meta_path:
        sys.meta_path.insert(0, _import_hook)


def _stop_watching_for_requests() -> None:
    try:
        sys.meta_path.remove(_import_hook)
    except ValueError:
        pass


def _answering_mock(previous: Callable[..., Any]) -> Any:
    """The activation's ``responses`` mock for AppFabric URLs (built on first use)."""
    global _requests_mock
    with _lock:
        if _state is None:  # stopped while the request was in flight
            raise ConnectionError("appfabric-mock is not active")
        if _requests_mock is None:
            import responses

            mock = responses.RequestsMock(
                assert_all_requests_are_fired=False,
                real_adapter_send=previous,  # type: ignore[arg-type]  # chain to what was there at start
            )
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
                mock.add_callback(method, APPFABRIC_URL, callback=_answer_requests)
            mock.add_passthru(re.compile(".*"))
            _requests_mock = mock
        return _requests_mock
