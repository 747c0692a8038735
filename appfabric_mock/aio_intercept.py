"""The aiobotocore seams (aioboto3 and every other library built on aiobotocore use them).

They mirror botocore's (:mod:`appfabric_mock.intercept`):

* ``AioEndpoint._do_get_response`` is a coroutine shaped like botocore's: it
  awaits ``before-send`` and takes the first answer that is not None.  A twin of
  the endpoint whose emitter claims ``before-send`` runs it unchanged, so
  aiobotocore parses the mock's response, maps errors to ``client.exceptions``
  and retries exactly as it does for AWS.
* ``AioRequestSigner.sign`` lends the mock's fake credentials to an AppFabric
  client created without any.

Nothing here imports aiobotocore: the patches are installed only once
``aiobotocore.endpoint`` and ``aiobotocore.signers`` are imported, and they take
aiobotocore's classes from those modules.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any, Callable, List, Tuple

from . import mock as _activation
from .compat import incompatible, require_parameters
from .intercept import (
    DO_GET_RESPONSE_PARAMETERS,
    SIGN_PARAMETERS,
    answer,
    borrows_credentials,
    event_emitter,
    twin,
)
from .patching import Patch, Replacement
from .state import MockState


class _AsyncRawBody:
    """The ``raw`` of an ``AioAWSResponse``: what aiobotocore reads the body from."""

    __slots__ = ("_body", "_headers")

    def __init__(self, body: bytes, headers: Any) -> None:
        self._body = body
        self._headers = headers

    async def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body

    @property
    def raw_headers(self) -> List[Tuple[bytes, bytes]]:
        # aiohttp's raw header pairs: aiobotocore releases before 2.14 build the response
        # headers from them.
        return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in self._headers.items()]


class _AsyncClaimingEmitter:
    """Wraps an aiobotocore endpoint's emitter (whose ``emit`` is a coroutine): the mock answers ``before-send``."""

    __slots__ = ("_inner", "_state", "_response_class")

    def __init__(self, inner: Any, state: MockState, response_class: Any) -> None:
        self._inner = inner
        self._state = state
        self._response_class = response_class

    async def emit(self, event_name: str, **kwargs: Any) -> Any:
        if event_name.startswith("before-send."):
            request = kwargs["request"]
            response = answer(self._state, request)
            answered = self._response_class(request.url, response.status, response.headers,
                                            _AsyncRawBody(response.body, response.headers))
            return [(self.emit, answered)]
        return await self._inner.emit(event_name, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _endpoint_targets(module: ModuleType) -> List[Replacement]:
    endpoint_class = getattr(module, "AioEndpoint", None)
    # Imported by aiobotocore.endpoint itself (through its HTTP session module).
    response_class = getattr(sys.modules.get("aiobotocore.awsrequest"), "AioAWSResponse", None)
    if endpoint_class is None or response_class is None:
        raise incompatible("aiobotocore", "aiobotocore.endpoint.AioEndpoint and aiobotocore.awsrequest.AioAWSResponse",
                           "has no such classes")

    def patched(original: Callable[..., Any]) -> Callable[..., Any]:
        require_parameters(original, DO_GET_RESPONSE_PARAMETERS, "aiobotocore", "AioEndpoint._do_get_response")

        async def _do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
            state = _activation._state
            if state is not None and operation_model.service_model.endpoint_prefix == "appfabric":
                # The real coroutine runs unchanged on a twin whose emitter claims before-send.
                emitter = _AsyncClaimingEmitter(event_emitter(self, "aiobotocore"), state, response_class)
                self = twin(self, _event_emitter=emitter)
            return await original(self, request, operation_model, context)

        return _do_get_response

    return [Replacement(endpoint_class, "_do_get_response", patched)]


def _signer_targets(module: ModuleType) -> List[Replacement]:
    signer_class = getattr(module, "AioRequestSigner", None)
    if signer_class is None:
        raise incompatible("aiobotocore", "aiobotocore.signers.AioRequestSigner", "has no such class")
    return [Replacement(signer_class, "sign", _patched_sign)]


def _patched_sign(original: Callable[..., Any]) -> Callable[..., Any]:
    require_parameters(original, SIGN_PARAMETERS, "aiobotocore", "AioRequestSigner.sign")

    async def sign(self: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
        if _activation._state is not None and borrows_credentials(self, "aiobotocore"):
            # A twin, so that the client keeps no credentials once the mock stops.
            self = twin(self, _credentials=_fake_credentials())
        return await original(self, operation_name, request, *args, **kwargs)

    return sign


_FAKE: List[Any] = []


def _fake_credentials() -> Any:
    if not _FAKE:
        from aiobotocore.credentials import AioCredentials

        from .environment import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

        _FAKE.append(AioCredentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY))
    return _FAKE[0]


#: The aiobotocore seams, by the module each patches.
PATCHES = (
    Patch("aiobotocore.endpoint", _endpoint_targets),
    Patch("aiobotocore.signers", _signer_targets),
)
