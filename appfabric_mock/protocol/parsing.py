"""Turn an HTTP request into operation parameters, by the input shape's bindings."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl

from botocore.model import OperationModel, Shape

from ..errors import ValidationException


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
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
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
