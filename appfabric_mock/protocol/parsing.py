"""Turn an HTTP request into operation parameters, by the input shape's bindings."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl

from botocore.model import OperationModel, Shape

from ..errors import ValidationException

#: Deepest JSON nesting accepted in a request body: AppFabric's deepest input is six levels
#: (destinationConfiguration.auditLog.destination.s3Bucket.bucketName); far deeper documents
#: would only exhaust the recursion of the parser and of every walk over parameters.
MAX_JSON_DEPTH = 64
# A JSON escape of a UTF-16 surrogate: the only way a lone surrogate gets into a str.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class JSONBodyError(ValueError):
    """A request body that is no usable JSON (the message says why)."""


def load_json(body: bytes) -> Any:
    """Parse a JSON request body, refusing what no AppFabric request holds.

    :raises JSONBodyError: for invalid JSON, nesting deeper than :data:`MAX_JSON_DEPTH`,
        or a string holding a lone UTF-16 surrogate (no valid text; it could not even be
        written back in UTF-8).
    """
    # Counting brackets is one C pass; the exact depth is only measured when it might matter.
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _depth(body) > MAX_JSON_DEPTH:
        raise JSONBodyError(f"the JSON document is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise JSONBodyError(str(exc)) from None
    if _ESCAPED_SURROGATE.search(body) and _has_lone_surrogate(document):
        raise JSONBodyError("a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is not text")
    return document


def _depth(body: bytes) -> int:
    """Deepest bracket nesting outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class InputBindings:
    """Where each member of an operation's input lives on the wire (compiled once)."""

    __slots__ = ("query", "headers", "body_members", "has_body")

    def __init__(self, operation: OperationModel) -> None:
        shape = operation.input_shape
        self.query: Dict[str, Tuple[str, Shape]] = {}
        self.headers: Dict[str, Tuple[str, Shape]] = {}
        self.body_members: List[str] = []
        if shape is not None:
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "querystring":
                    self.query[wire] = (name, member)
                elif location == "header":
                    self.headers[wire.lower()] = (name, member)
                elif location is None:
                    self.body_members.append(name)
        self.has_body = bool(self.body_members)


def parse_request(
    bindings: InputBindings,
    labels: Mapping[str, str],
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    content_type: Optional[str],
) -> Dict[str, Any]:
    """Collect the parameters of one request; raise ValidationException when unreadable."""
    params: Dict[str, Any] = dict(labels)
    if query and bindings.query:
        _parse_query(bindings, query, params)
    if bindings.headers:
        for wire, (name, member) in bindings.headers.items():
            value = headers.get(wire)
            if value is not None:
                params[name] = _scalar(value, member, name)
    if bindings.has_body and body and body.strip():
        if content_type and "json" not in content_type.lower():
            raise ValidationException(
                f"Unsupported content type '{content_type}': the body must be JSON",
                reason="cannotParse",
            )
        try:
            document = load_json(body)
        except JSONBodyError as exc:
            raise ValidationException(
                f"Unable to parse the request body as JSON: {exc}", reason="cannotParse"
            ) from None
        if not isinstance(document, dict):
            raise ValidationException(
                "The request body must be a JSON object", reason="cannotParse"
            )
        for name in bindings.body_members:
            if name in document:
                params[name] = document[name]
    return params


def _parse_query(bindings: InputBindings, query: str, params: Dict[str, Any]) -> None:
    for key, value in parse_qsl(query, keep_blank_values=True):
        bound = bindings.query.get(key)
        if bound is None:
            continue  # AWS ignores query parameters it does not know
        name, member = bound
        if member.type_name == "list":
            params.setdefault(name, []).append(_scalar(value, member.member, name))  # type: ignore[attr-defined]
        else:
            params[name] = _scalar(value, member, name)


def _scalar(value: str, shape: Shape, name: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            message = f"Value '{value[:64]}' at '{name}' failed to satisfy constraint: Member must be of type integer"
            raise ValidationException.for_fields([(name, message)]) from None
    if kind == "boolean":
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValidationException.for_fields(
            [(name, f"Value '{value[:64]}' at '{name}' failed to satisfy constraint: Member must be of type boolean")]
        )
    return value
