"""Where AppFabric traffic is answered in-process while a mock is active.

The patches are listed in :data:`PATCHES` and applied by the mock's
:class:`~appfabric_mock.patching.PatchSet` (at start for modules already
imported, on import for the others; removed at stop).  Each replacement reads
the active state from :mod:`appfabric_mock.mock`, the one place that knows it,
and hands everything back to the original once no mock is active.

* botocore: ``Endpoint._do_get_response`` is patched at class level, so every
  client (created before the mock or not, in any thread) is covered.  For
  AppFabric operations the request (already serialised and signed) is answered
  by the dispatcher *before* any ``before-send`` handler runs: moto's handler
  would otherwise answer it with a 404.  Everything else botocore does
  afterwards (parsing, modelled error fields, retries) runs unchanged.  Other
  services pass through untouched.
* botocore signing: ``RequestSigner.sign`` is wrapped, so that an AppFabric
  client created before the mock in a process without credentials (a
  module-level client in CI) signs with the mock's fake credentials instead of
  raising ``NoCredentialsError``.  Clients with credentials are untouched.
* aiobotocore (and so aioboto3): the same two seams on ``AioEndpoint`` and
  ``AioRequestSigner``, in :mod:`appfabric_mock.aio_intercept`.
* requests: ``HTTPAdapter.send`` is wrapped: AppFabric endpoints are answered
  by the dispatcher (the answer built by the adapter's own ``build_response``),
  and every other request goes on to whatever ``HTTPAdapter.send`` was before
  (the network, or a user's own ``responses`` mock).

Anything else that tries to reach an AppFabric endpoint meets the escape guard
(:mod:`appfabric_mock.escape_guard`).
"""

from __future__ import annotations

import io
import re
from typing import Any, Callable, Dict

# This module is imported by the first start, never by `import appfabric_mock`, so
# botocore's classes are imported here once rather than inside each call.
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials
from botocore.exceptions import EndpointConnectionError

from . import mock as _activation
from .compat import incompatible, require_parameters
from .dispatch import Response, UnreachableRegion, dispatch, dispatch_lowered, lower_headers
from .environment import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from .patching import Patch, Replacement
from .state import MockState

APPFABRIC_URL = re.compile(r"^https?://appfabric(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com|api\.aws)(?::\d+)?/")

_FAKE_CREDENTIALS = Credentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY)


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


def answer(state: MockState, request: Any) -> Response:
    """The mock's answer to a prepared botocore (or aiobotocore) request."""
    body = request.body
    # (The type test first: hasattr on bytes or None raises and catches AttributeError.)
    if type(body) is not bytes and hasattr(body, "read"):
        body = body.read()
    try:
        return dispatch_lowered(state, request.method, request.url, _lowered_headers(request.headers), body)
    except UnreachableRegion as exc:
        raise EndpointConnectionError(endpoint_url=exc.url) from None


def _answer_botocore(state: MockState, request: Any) -> Any:
    response = answer(state, request)
    return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))


def _lowered_headers(headers: Any) -> Dict[str, str]:
    """What :func:`~appfabric_mock.dispatch.lower_headers` returns, for a botocore request."""
    if type(headers) is HeadersDict:
        try:
            # HeadersDict finds each value through a _HeaderKey object whose hash and
            # equality run in Python (three calls per header, the largest single cost of
            # a call in the dispatcher); its own dict already holds every name
            # lower-cased.  Same result (tests/test_serialization_fast_paths.py).
            return {
                key._lower: (value.decode("latin-1") if isinstance(value, bytes) else value)
                for key, value in headers._dict.items()
            }
        except AttributeError:  # a botocore whose HeadersDict is built differently
            pass
    return lower_headers(headers)


def twin(instance: Any, **changes: Any) -> Any:
    """A shallow copy of ``instance`` with some attributes changed: the shared original is never mutated."""
    copy = object.__new__(type(instance))
    copy.__dict__.update(instance.__dict__)
    copy.__dict__.update(changes)
    return copy


# -- botocore ---------------------------------------------------------------------------


#: The parameters the patched methods are called with (botocore's, and aiobotocore's alike).
DO_GET_RESPONSE_PARAMETERS = ("self", "request", "operation_model", "context")
SIGN_PARAMETERS = ("self", "operation_name", "request")


def event_emitter(endpoint: Any, distribution: str) -> Any:
    """An endpoint's ``_event_emitter``, which the mock wraps to claim ``before-send``."""
    try:
        return endpoint._event_emitter
    except AttributeError:
        raise incompatible(distribution, "an endpoint's _event_emitter", "has no such attribute") from None


def borrows_credentials(signer: Any, distribution: str) -> bool:
    """Whether an AppFabric request signer has no credentials (the mock lends its fake ones)."""
    try:
        return signer._credentials is None and signer._signing_name == "appfabric"
    except AttributeError:
        raise incompatible(distribution, "a request signer's _credentials and _signing_name",
                           "has no such attributes") from None


def _patched_do_get_response(original: Callable[..., Any]) -> Callable[..., Any]:
    require_parameters(original, DO_GET_RESPONSE_PARAMETERS, "botocore", "Endpoint._do_get_response")

    def _do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
        state = _activation._state
        if state is None or operation_model.service_model.endpoint_prefix != "appfabric":
            return original(self, request, operation_model, context)
        # The real method runs unchanged on a twin whose emitter claims before-send.
        return original(twin(self, _event_emitter=_ClaimingEmitter(event_emitter(self, "botocore"), state)),
                        request, operation_model, context)

    return _do_get_response


def _patched_sign(original: Callable[..., Any]) -> Callable[..., Any]:
    require_parameters(original, SIGN_PARAMETERS, "botocore", "RequestSigner.sign")

    def sign(self: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
        if _activation._state is not None and borrows_credentials(self, "botocore"):
            # A twin, so that the client keeps no credentials once the mock stops.
            self = twin(self, _credentials=_FAKE_CREDENTIALS)
        return original(self, operation_name, request, *args, **kwargs)

    return sign


# -- requests ---------------------------------------------------------------------------


def _patched_send(previous: Callable[..., Any]) -> Callable[..., Any]:
    """``HTTPAdapter.send``: AppFabric URLs to the mock, the rest to ``previous``.

    ``previous`` is what was there at start: the network, or a user's own ``responses``
    mock, which keeps answering its URLs.
    """

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if _activation._state is not None and APPFABRIC_URL.match(str(request.url)):
            return _answer_requests(adapter, request)
        return previous(adapter, request, *args, **kwargs)

    return send


def _answer_requests(adapter: Any, request: Any) -> Any:
    """The mock's answer as a ``requests.Response``, built the way the adapter builds any answer.

    A urllib3 response over the body goes through ``HTTPAdapter.build_response``, as a
    network answer would (headers, encoding, cookies, ``stream=True`` reads alike).
    """
    from http.client import responses as reasons

    from urllib3.response import HTTPResponse

    state = _activation._state
    if state is None:  # stopped while the request was in flight
        raise ConnectionError("appfabric-mock is not active")
    response = dispatch(state, request.method, request.url, request.headers, request.body)
    raw = HTTPResponse(
        body=io.BytesIO(response.body),
        headers=response.headers,
        status=response.status,
        reason=reasons.get(response.status),
        preload_content=False,
        decode_content=False,
        request_method=request.method,
    )
    return adapter.build_response(request, raw)


#: The botocore and requests seams, by the module each patches (aiobotocore's: aio_intercept.PATCHES).
PATCHES = (
    Patch("botocore.endpoint", lambda module: [
        Replacement(module.Endpoint, "_do_get_response", _patched_do_get_response)]),
    Patch("botocore.signers", lambda module: [Replacement(module.RequestSigner, "sign", _patched_sign)]),
    Patch("requests.adapters", lambda module: [
        Replacement(module.HTTPAdapter, "send", _patched_send)] if hasattr(module, "HTTPAdapter") else []),
)

