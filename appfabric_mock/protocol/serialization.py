"""Serialise results and errors exactly as the rest-json protocol and the model say.

This module states what the bytes are.  A result becomes its output shape's JSON
document: the shape's members in model order, None and members the shape lacks
left out, members bound to headers sent as headers, timestamps as ISO-8601 UTC with
milliseconds, written by ``json`` with compact separators.  :mod:`.fast_serialization`
writes the same bytes faster for the shapes a test reads again and again
(``tests/test_serialization_fast_paths.py`` holds the two to the same output).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from botocore.model import OperationModel

from ..errors import AppFabricError
from .shapes import ShapeCompiler, Site, Strategy

Headers = Dict[str, str]
#: A JSON-ready copy of a value of one shape.
Converter = Callable[[Any], Any]

#: The one encoder of every document (``json.dumps`` with these options builds a new one per call).
JSON = json.JSONEncoder(separators=(",", ":"))


def iso8601(value: _dt.datetime) -> str:
    """AWS's ISO-8601 form: UTC with milliseconds and a ``Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if value.year < 1000:  # strftime's %Y does not pad years before 1000; isoformat would
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    # The same text as the strftime form above (isoformat truncates to milliseconds),
    # without parsing a format on every call; tests/test_serialization_fast_paths.py compares them.
    return value.isoformat(timespec="milliseconds") + "Z"


def identity(value: Any) -> Any:
    """The converter of a value written as it is (strings, numbers, booleans)."""
    return value


class Conversion(Strategy[Converter]):
    """The plain converter of each kind of shape: the definition of the document."""

    def structure(self, site: Site, members: Mapping[str, Converter]) -> Converter:
        pairs = list(members.items())

        def structure(value: Any) -> Any:
            return {name: convert(value[name]) for name, convert in pairs if value.get(name) is not None}

        return structure

    def list(self, site: Site, item: Converter) -> Converter:
        return lambda value: [item(element) for element in value]

    def map(self, site: Site, key: Converter, value: Converter) -> Converter:
        return lambda found: {k: value(v) for k, v in found.items()}

    def scalar(self, site: Site) -> Converter:
        if site.shape.type_name == "timestamp":
            return self.timestamp
        return identity

    def timestamp(self, value: Any) -> Any:
        """A datetime as ISO-8601; a value that is not one is written as it is."""
        return iso8601(value) if isinstance(value, _dt.datetime) else value


class OutputSerializer:
    """Writer for one operation's output shape.

    Members the shape lacks are dropped and members bound to headers go to
    headers, so the wire format follows the model even if a result carries more.
    """

    def __init__(self, operation: OperationModel, converters: ShapeCompiler[Converter]) -> None:
        self.status: int = operation.http.get("responseCode", 200)
        shape = operation.output_shape
        #: (member, header name) per member bound to a header.
        self.headers: List[Tuple[str, str]] = []
        #: (member, converter) per body member, in model order.
        self.body: List[Tuple[str, Converter]] = []
        if shape is not None:
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                if location == "header":
                    self.headers.append((name, member.serialization.get("name", name)))
                elif location is None:
                    self.body.append((name, converters(member)))

    def serialize(self, result: Optional[Dict[str, Any]]) -> Tuple[int, Headers, bytes]:
        """Status, headers and body of a result."""
        headers: Headers = {}
        result = result or {}
        for name, wire in self.headers:
            if result.get(name) is not None:
                headers[wire] = str(result[name])
        if not self.body and self.status == 204:
            # A 204 carries no body at all: Node's HTTP parser rejects one.
            return self.status, headers, b""
        headers["Content-Type"] = "application/json"
        return self.status, headers, self.write_body(result).encode()

    def write_body(self, result: Dict[str, Any]) -> str:
        """The JSON document of a result's body members."""
        return JSON.encode({name: convert(result[name]) for name, convert in self.body
                            if result.get(name) is not None})


def serialize_error(error: AppFabricError) -> Tuple[int, Headers, bytes]:
    """Status, headers and JSON body for an error, members placed as its shape says."""
    headers: Headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code}
    body: Dict[str, Any] = {"message": error.message}
    members = error.members
    for name in error.member_names:
        value = members.get(name)
        if value is None:
            continue
        header = error.header_members.get(name)
        if header is not None:
            headers[header] = str(value)
        else:
            body[name] = value
    # The JavaScript SDK reads the code from the body before the header; it must agree.
    body["__type"] = error.code
    return error.status, headers, JSON.encode(body).encode()
