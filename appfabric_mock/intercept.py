"""The two seams where AppFabric traffic is answered while a mock is active.

* botocore: ``Endpoint._do_get_response`` is patched at class level, at start
  and never at import, so every client (created before the mock or not, in any
  thread) is covered.  For AppFabric operations the request (already
  serialised and signed) is answered by the dispatcher *before* any
  ``before-send`` handler runs: moto's handler would otherwise answer it with
  a 404.  Everything else botocore does afterwards (parsing, modelled error
  fields, retries) runs unchanged.  Other services pass through untouched.
* requests: ``HTTPAdapter.send`` is wrapped while a mock is active (only if
  ``requests`` is imported): a ``responses`` mock answers AppFabric endpoints,
  and every other request goes on to whatever ``HTTPAdapter.send`` was before
  (the network, or a user's own ``responses`` mock).
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any, Callable, Dict, Optional, Tuple

# This module is imported by the first start, never by `import appfabric_mock`, so
# botocore's classes are imported here once rather than inside each call.
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointConnectionError

from .dispatch import UnreachableRegion, dispatch, dispatch_lowered, lower_headers
from .state import MockState

APPFABRIC_URL = re.compile(r"^https?://appfabric(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com|api\.aws)(?::\d+)?/")

_lock = threading.Lock()
_state: Optional[MockState] = None
_original_do_get_response: Optional[Callable[..., Any]] = None
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


def _answer_requests(request: Any) -> Tuple[int, Dict[str, str], bytes]:
    state = _state
    if state is None:  # stopped while the request was in flight
        raise ConnectionError("appfabric-mock is not active")
    body = request.body
    response = dispatch(state, request.method, request.url, request.headers, body)
    return response.status, response.headers, response.body


def install(state: MockState) -> None:
    """Start answering AppFabric traffic from ``state``."""
    global _state, _original_do_get_response
    with _lock:
        if _original_do_get_response is None:
            _original_do_get_response = Endpoint.__dict__["_do_get_response"]
            Endpoint._do_get_response = _do_get_response  # type: ignore[method-assign]
        _state = state
        _patch_requests()


def uninstall() -> None:
    """Restore botocore and requests exactly as they were."""
    global _state, _original_do_get_response, _requests_mock, _previous_send
    with _lock:
        _state = None
        if _original_do_get_response is not None:
            Endpoint._do_get_response = _original_do_get_response  # type: ignore[method-assign]
            _original_do_get_response = None
        if _previous_send is not None:
            _adapter_class.send = _previous_send
            _previous_send = None
        # Never started (it answers through unbound_on_send), so there is no patch to undo.
        _requests_mock = None


def installed() -> bool:
    """Whether the seams are patched right now."""
    return Endpoint.__dict__["_do_get_response"] is _do_get_response


def _patch_requests() -> None:
    """Wrap ``HTTPAdapter.send``: AppFabric URLs to the mock, the rest to what was there."""
    global _previous_send, _adapter_class
    # Only when `requests` is in use: importing it for nothing costs every test.
    if "requests" not in sys.modules or _previous_send is not None:
        return
    HTTPAdapter = _adapter_class
    if HTTPAdapter is None:
        from requests.adapters import HTTPAdapter

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
