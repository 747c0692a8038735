"""Request in, response out: the one path every entry point shares.

The botocore hook, the ``requests`` hook and the HTTP server all call
:func:`dispatch`: it routes, parses and validates a request (the protocol),
runs the guards, calls the backend's method for the operation, tells the
observers, and serialises the answer.  It is where the protocol meets the
backend's operations; the test controls, fault injection and access control
also read the backend's resources and ARNs, each for its own purpose.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, NamedTuple, Optional, Union
from urllib.parse import urlsplit

from .backend.support import new_request_id
from .errors import AppFabricError, InternalServerException, ValidationException
from .hooks import CallContext
from .identity import SERVICE_REGIONS, caller, header_account
from .protocol.compiled import OperationSpec, protocol
from .protocol.parsing import parse_request
from .protocol.serialization import serialize_error
from .protocol.shapecheck import shape_problems
from .state import MockState

#: The header that carries the request id (botocore reads it into ``ResponseMetadata["RequestId"]``).
REQUEST_ID_HEADER = "x-amzn-RequestId"

logger = logging.getLogger("appfabric_mock")


class Response(NamedTuple):
    """What goes back on the wire."""

    status: int
    headers: Dict[str, str]
    body: bytes


class UnreachableRegion(Exception):
    """Strict regions: AppFabric has no endpoint in this region (the connection fails)."""

    def __init__(self, region: str, url: str) -> None:
        super().__init__(f"AppFabric has no endpoint in region {region}: {url}")
        self.region = region
        self.url = url


def dispatch(
    state: MockState,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Union[bytes, str, None],
) -> Response:
    """Answer one AppFabric HTTP request from ``state``.

    ``url`` is a full URL or a raw (still percent-encoded) path with query;
    ``headers`` may use any case.
    """
    return dispatch_lowered(state, method, url, lower_headers(headers), body)


def lower_headers(headers: Mapping[str, Any]) -> Dict[str, str]:
    """Header names lower-cased, values as text (bytes are read as latin-1, as HTTP does)."""
    return {k.lower(): (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in headers.items()}


def dispatch_lowered(
    state: MockState,
    method: str,
    url: str,
    lowered: Dict[str, str],
    body: Union[bytes, str, None],
) -> Response:
    """:func:`dispatch` for headers already as :func:`lower_headers` returns them.

    The botocore hook lowers botocore's own header dict faster than the generic
    mapping walk can (see :mod:`appfabric_mock.intercept`).
    """
    proto = protocol()
    if isinstance(body, str):
        body = body.encode("utf-8")
    parts = urlsplit(url)
    host = parts.netloc or lowered.get("host")
    path = parts.path or "/"
    context: Optional[CallContext] = None
    spec: Optional[OperationSpec] = None
    # AWS answers every call, errors included, with a request id; code under test logs it.
    request_id = new_request_id()
    try:
        access_key, region = caller(lowered, host)
        if state.strict_regions and region not in SERVICE_REGIONS:
            raise UnreachableRegion(region, url)
        account = header_account(lowered) or state.account_for(access_key)
        # Built before routing so that observers (the call recorder) also see calls
        # that match no operation; ``operation`` stays "" for those.
        context = CallContext("", {}, account, region, access_key, method.upper(), path, request_id)
        operation, labels = proto.router.match(method, path)
        spec = proto.operations[operation.name]
        context.operation, context.params = spec.name, labels
        for guard in state.pre_validation_guards:
            guard(context)
        params = parse_request(spec.bindings, labels, parts.query, lowered, body or b"",
                               lowered.get("content-type"))
        context.params = params
        problems = proto.validator.check(spec.input_shape, params)
        if problems:
            raise ValidationException.for_fields(problems)
        for guard in state.pre_backend_guards:
            guard(context)
        # A read in an account or region without state allocates nothing (Store.call).
        result = state.store.call(account, region, spec.method_name, params, context.method != "GET")
        if state.check_responses and spec.model.output_shape is not None:
            _check_output(spec, result)
        status, out_headers, out_body = spec.output.serialize(result)
        out_headers[REQUEST_ID_HEADER] = request_id
        for observer in state.observers:
            observer(context, status, None, result)
        return Response(status, out_headers, out_body)
    except UnreachableRegion:
        raise
    except AppFabricError as error:
        return _error_response(state, context, error, request_id)
    except Exception as exc:  # a bug in the mock: answer as AWS would, never a traceback
        logger.exception("appfabric-mock failed while answering %s %s (request id %s)", method, path, request_id)
        internal = internal_error(spec.name if spec else "routing", exc, request_id)
        return _error_response(state, context, internal, request_id)


def internal_error(where: str, exc: BaseException, request_id: str) -> InternalServerException:
    """The answer to a bug in the mock: the exception's type and where, never its text.

    An exception's text may hold what the request carried (a secret, a personal detail),
    so it goes only to the ``appfabric_mock`` logger, with the traceback, under the same
    request id; the prefix tells a mock bug from an InternalServerException a test injected.
    """
    return InternalServerException(
        f"appfabric-mock internal error in {where} ({type(exc).__name__}); the appfabric_mock "
        f"logger has the traceback (request id {request_id})"
    )


def _check_output(spec: OperationSpec, result: Dict[str, Any]) -> None:
    problems = shape_problems(spec.model.output_shape, result)
    if problems:
        raise InternalServerException(
            f"appfabric-mock produced a response that does not match {spec.model.output_shape.name}: "
            + "; ".join(problems)
        )


def _error_response(state: MockState, context: Optional[CallContext], error: AppFabricError,
                    request_id: str) -> Response:
    status, headers, body = serialize_error(error)
    headers[REQUEST_ID_HEADER] = request_id
    for observer in state.observers:
        observer(context, status, error.code, error)
    return Response(status, headers, body)
