"""The two seams where AppFabric traffic is answered while a mock is active.

* botocore: ``Endpoint._do_get_response`` is patched at class level, at start
  and never at import, so every client (created before the mock or not, in any
  thread) is covered.  For AppFabric operations the request (already
  serialised and signed) is answered by the dispatcher *before* any
  ``before-send`` handler runs: moto's handler would otherwise answer it with
  a 404.  Everything else botocore does afterwards (parsing, modelled error
  fields, retries) runs unchanged.  Other services pass through untouched.
* requests: a ``responses`` mock answers AppFabric endpoints and passes every
  other request on to whatever ``HTTPAdapter.send`` was before (the network, or
  a user's own ``responses`` mock).
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, Dict, Optional, Tuple

from .dispatch import UnreachableRegion, dispatch
from .state import MockState

APPFABRIC_URL = re.compile(r"^https?://appfabric(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com|api\.aws)(?::\d+)?/")

_lock = threading.Lock()
_state: Optional[MockState] = None
_original_do_get_response: Optional[Callable[..., Any]] = None
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
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import EndpointConnectionError

    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    try:
        response = dispatch(state, request.method, request.url, request.headers, body)
    except UnreachableRegion as exc:
        raise EndpointConnectionError(endpoint_url=exc.url) from None
    return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))


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
    global _state, _original_do_get_response, _requests_mock
    from botocore.endpoint import Endpoint

    with _lock:
        if _original_do_get_response is None:
            _original_do_get_response = Endpoint.__dict__["_do_get_response"]
            Endpoint._do_get_response = _do_get_response  # type: ignore[method-assign]
        _state = state
        _requests_mock = _start_requests_mock()


def uninstall() -> None:
    """Restore botocore and requests exactly as they were."""
    global _state, _original_do_get_response, _requests_mock
    from botocore.endpoint import Endpoint

    with _lock:
        _state = None
        if _original_do_get_response is not None:
            Endpoint._do_get_response = _original_do_get_response  # type: ignore[method-assign]
            _original_do_get_response = None
        if _requests_mock is not None:
            _requests_mock.stop(allow_assert=False)
            _requests_mock = None


def installed() -> bool:
    """Whether the seams are patched right now."""
    from botocore.endpoint import Endpoint

    return Endpoint.__dict__["_do_get_response"] is _do_get_response


def _start_requests_mock() -> Any:
    import sys

    # Only when `requests` is in use: importing it for nothing costs every test.
    if "requests" not in sys.modules:
        return None
    import responses
    from requests.adapters import HTTPAdapter

    mock = responses.RequestsMock(
        assert_all_requests_are_fired=False,
        real_adapter_send=HTTPAdapter.send,  # type: ignore[arg-type]  # chain to what is there now
    )
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
        mock.add_callback(method, APPFABRIC_URL, callback=_answer_requests)
    mock.add_passthru(re.compile(".*"))
    mock.start()
    return mock


