"""Serialise results and errors exactly as the rest-json protocol and the model say."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Callable, Dict, List, Optional, Tuple

from botocore.model import OperationModel, Shape, StructureShape

from ..errors import AppFabricError

Headers = Dict[str, str]
Converter = Callable[[Any], Any]


def iso8601(value: _dt.datetime) -> str:
    """AWS's ISO-8601 form: UTC with milliseconds and a ``Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _identity(value: Any) -> Any:
    return value


def _timestamp(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return iso8601(value)
    return value


class OutputSerializer:
    """Compiled writer for one operation's output shape.

    Members the shape lacks are dropped and members bound to headers go to
    headers, so the wire format follows the model even if a result carries more.
    """

    __slots__ = ("status", "_headers", "_body", "_convert", "_empty")

    def __init__(self, operation: OperationModel, cache: Dict[str, Converter]) -> None:
        self.status: int = operation.http.get("responseCode", 200)
        shape = operation.output_shape
        self._headers: List[Tuple[str, str]] = []
        body: List[Tuple[str, Converter]] = []
        if shape is not None:
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                if location == "header":
                    self._headers.append((name, member.serialization.get("name", name)))
                elif location is None:
                    body.append((name, _converter(member, cache)))
        self._body = body
        self._empty = not body

    def serialize(self, result: Optional[Dict[str, Any]]) -> Tuple[int, Headers, bytes]:
        headers: Headers = {}
        result = result or {}
        for name, wire in self._headers:
            if result.get(name) is not None:
                headers[wire] = str(result[name])
        if self._empty and self.status == 204:
            # A 204 carries no body at all: Node's HTTP parser rejects one.
            return self.status, headers, b""
        document = {}
        for name, convert in self._body:
            value = result.get(name)
            if value is not None:
                document[name] = convert(value)
        headers["Content-Type"] = "application/json"
        return self.status, headers, json.dumps(document, separators=(",", ":")).encode()


def _converter(shape: Shape, cache: Dict[str, Converter]) -> Converter:
    cached = cache.get(shape.name)
    if cached is not None:
        return cached
    kind = shape.type_name
    convert: Converter
    if kind == "timestamp":
        convert = _timestamp
    elif kind == "structure":
        holder: List[Converter] = []
        cache[shape.name] = lambda v: holder[0](v)
        members = [(n, _converter(m, cache)) for n, m in shape.members.items()]  # type: ignore[attr-defined]

        def convert(value: Any) -> Any:
            out = {}
            for name, member_convert in members:
                member_value = value.get(name)
                if member_value is not None:
                    out[name] = member_convert(member_value)
            return out

        holder.append(convert)
    elif kind == "list":
        item = _converter(shape.member, cache)  # type: ignore[attr-defined]
        convert = (lambda v: list(v)) if item is _identity else (lambda v: [item(x) for x in v])
    elif kind == "map":
        value_convert = _converter(shape.value, cache)  # type: ignore[attr-defined]
        convert = lambda v: {k: value_convert(x) for k, x in v.items()}  # noqa: E731
    else:
        convert = _identity
    cache[shape.name] = convert
    return convert


def serialize_error(error: AppFabricError, shape: Optional[StructureShape]) -> Tuple[int, Headers, bytes]:
    """Status, headers and JSON body for an error, members placed as the shape says."""
    headers: Headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code}
    body: Dict[str, Any] = {"message": error.message}
    members = error.members
    status = error.status
    if shape is not None:
        status = shape.metadata.get("error", {}).get("httpStatusCode", status)
        for name, member in shape.members.items():
            if name == "message" or members.get(name) is None:
                continue
            if member.serialization.get("location") == "header":
                headers[member.serialization.get("name", name)] = str(members[name])
            else:
                body[name] = members[name]
    else:
        body.update({k: v for k, v in members.items() if k != "message"})
    # The JavaScript SDK reads the code from the body before the header; it must agree.
    body["__type"] = error.code
    return status, headers, json.dumps(body, separators=(",", ":")).encode()
