"""Copies of parameters and results with every secret replaced by :data:`~.sensitive.REDACTED`.

What counts as a secret is :mod:`.sensitive`'s definition.  A copy never aliases
the value it was made from (recorded calls must not change when the mock's state
does), and None members are left out, as they are on the wire.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from botocore.model import Shape

from .sensitive import REDACTED, secret_names
from .shapes import ShapeCompiler, Site, Strategy

Redactor = Callable[[Any], Any]


def _redact_all(value: Any) -> Any:
    return REDACTED


def _identity(value: Any) -> Any:
    return value


def _as_received(value: Any) -> Any:
    """A timestamp as the client reads it from the wire: UTC, whole milliseconds (AWS's ISO-8601 form)."""
    if isinstance(value, _dt.datetime):
        value = value.astimezone(_dt.timezone.utc) if value.tzinfo is not None else value
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def redact_unknown(value: Any) -> Any:
    """Copy a value no shape describes, redacting members with a secret's name."""
    if isinstance(value, dict):
        names = secret_names()
        return {k: (REDACTED if k in names else redact_unknown(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_unknown(v) for v in value]
    return value


class Redaction(Strategy[Redactor]):
    """A redacting copier per shape."""

    def scalar(self, site: Site) -> Redactor:
        if site.secret:
            return _redact_all
        # A recorded timestamp equals the one the client parsed.
        return _as_received if site.shape.type_name == "timestamp" else _identity

    def structure(self, site: Site, members: Mapping[str, Redactor]) -> Redactor:
        if site.secret:
            return _redact_all
        holds = site.holds_secrets
        names = secret_names()
        known = dict(members)

        def structure(value: Any) -> Any:
            if not isinstance(value, dict):
                return REDACTED if holds else value
            out = {}
            for key, item in value.items():
                if item is None:
                    continue
                member = known.get(key)
                if member is _identity:  # most members: no call
                    out[key] = item
                elif member is not None:
                    out[key] = member(item)
                elif holds or key in names:
                    out[key] = REDACTED
                else:
                    out[key] = redact_unknown(item)
            return out

        return structure

    def list(self, site: Site, item: Redactor) -> Redactor:
        if site.secret:
            return _redact_all
        holds = site.holds_secrets

        def listing(value: Any) -> Any:
            if not isinstance(value, list):
                return REDACTED if holds else value
            return [item(v) for v in value]

        return listing

    def map(self, site: Site, key: Redactor, value: Redactor) -> Redactor:
        if site.secret:
            return _redact_all
        holds = site.holds_secrets

        def mapping(found: Any) -> Any:
            if not isinstance(found, dict):
                return REDACTED if holds else found
            return {k: value(v) for k, v in found.items()}

        return mapping


_lock = threading.Lock()
_compiler: Optional[ShapeCompiler[Redactor]] = None
#: (input redactor, output redactor) per operation name.
_operations: Dict[str, Tuple[Redactor, Redactor]] = {}
_errors: Dict[str, Redactor] = {}


def redactor(shape: Optional[Shape]) -> Redactor:
    """The redacting copier of values of ``shape`` (of AppFabric's model); None: a value no shape describes."""
    global _compiler
    if shape is None:
        return redact_unknown
    if _compiler is None:
        with _lock:
            if _compiler is None:
                _compiler = ShapeCompiler(Redaction())
    return _compiler(shape)


def operation_redactors(operation: str) -> Tuple[Redactor, Redactor]:
    """The (parameters, output) redactors of an operation (compiled once per process)."""
    found = _operations.get(operation)
    if found is None:
        from .compiled import protocol

        model = protocol().operations[operation].model
        found = _operations[operation] = (redactor(model.input_shape), redactor(model.output_shape))
    return found


def error_redactor(code: str) -> Redactor:
    """The redactor of an error's body (``message`` plus members) for an error code."""
    found = _errors.get(code)
    if found is None:
        from .compiled import protocol

        found = _errors[code] = redactor(protocol().error_shapes.get(code))
    return found
