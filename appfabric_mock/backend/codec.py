"""Backend state as JSON-ready data and back, generic over the model classes.

Every dataclass and named tuple of :mod:`appfabric_mock.backend.models` and
:mod:`appfabric_mock.backend.apps` is encoded field by field, so a field added
to a model is saved and loaded without a change here, as long as its value is
made of what this module knows: None, booleans, numbers, strings, bytes, datetimes,
lists, tuples, dicts (any keys), :class:`~appfabric_mock.backend.collection.Collection`
and models.  Anything else is a :class:`TypeError` when saving (the round-trip
test in ``tests/test_persistence.py`` builds every model with every field set,
so such a field fails there first).

A backend's state is every attribute but its identity, settings and lock
(:data:`~appfabric_mock.backend.base.TRANSIENT_ATTRIBUTES`): state added to the
backend later is saved too.

The encoding tags what JSON cannot say: ``{"$datetime": iso}``, ``{"$bytes": hex}``,
``{"$tuple": [...]}``, ``{"$map": [[key, value], ...]}``, ``{"$collection": [[id, seq, item], ...]}``
and ``{"$model": name, "fields": {...}}``.

State files of older versions load too: :func:`decode_backend` brings what they hold into
today's form (their idempotency digests were hex text).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Dict, Mapping

from . import apps, models
from .backend import AppFabricBackend
from .base import TRANSIENT_ATTRIBUTES
from .collection import Collection
from .settings import Settings


def _model_classes() -> Dict[str, type]:
    found: Dict[str, type] = {}
    for module in (models, apps):
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__ and (
                    dataclasses.is_dataclass(value) or (issubclass(value, tuple) and hasattr(value, "_fields"))):
                found[name] = value
    return found


#: Every class whose instances are saved field by field, by name.
MODEL_CLASSES: Dict[str, type] = _model_classes()


class CodecError(ValueError):
    """Saved data that does not decode (the message says where)."""


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"$map": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, _dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, Collection):
        return {"$collection": [[key, seq, encode(item)] for key, seq, item in value.entries()]}
    cls = type(value)
    if MODEL_CLASSES.get(cls.__name__) is cls:
        if dataclasses.is_dataclass(value):
            names = [f.name for f in dataclasses.fields(value)]
        else:
            names = list(cls._fields)  # type: ignore[attr-defined]
        return {"$model": cls.__name__, "fields": {name: encode(getattr(value, name)) for name in names}}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    raise TypeError(f"cannot save a {cls.__module__}.{cls.__qualname__} (teach appfabric_mock/backend/codec.py)")


def decode(data: Any) -> Any:
    """The value :func:`encode` made ``data`` from."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise CodecError(f"unexpected value {_short(data)}")
    if "$map" in data:
        return {_hashable(decode(key)): decode(item) for key, item in _pairs(data["$map"], 2)}
    if "$datetime" in data:
        try:
            return _dt.datetime.fromisoformat(data["$datetime"])
        except (TypeError, ValueError):
            raise CodecError(f"bad time {_short(data)}") from None
    if "$bytes" in data:
        try:
            return bytes.fromhex(data["$bytes"])
        except (TypeError, ValueError):
            raise CodecError(f"bad bytes {_short(data)}") from None
    if "$tuple" in data:
        return tuple(decode(item) for item in _list(data["$tuple"]))
    if "$collection" in data:
        collection: Collection[Any] = Collection()
        for key, seq, item in _pairs(data["$collection"], 3):
            if not isinstance(key, str) or not isinstance(seq, int):
                raise CodecError(f"bad collection entry {_short([key, seq])}")
            collection.add(key, seq, decode(item))
        return collection
    if "$model" in data:
        return _decode_model(data)
    raise CodecError(f"unexpected value {_short(data)}")


def _decode_model(data: Mapping[str, Any]) -> Any:
    name = data.get("$model")
    cls = MODEL_CLASSES.get(name) if isinstance(name, str) else None
    values = data.get("fields")
    if cls is None or not isinstance(values, dict):
        raise CodecError(f"unknown model {_short(name)}")
    names = ([f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls)
             else list(cls._fields))  # type: ignore[attr-defined]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise CodecError(f"{name} has no field(s) {', '.join(unknown)}")
    try:
        return cls(**{key: decode(value) for key, value in values.items()})
    except TypeError as exc:  # a required field is missing
        raise CodecError(f"{name}: {exc}") from None


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise CodecError(f"a map key must not be {_short(value)}")
    return value


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise CodecError(f"expected a list, not {_short(value)}")
    return value


def _pairs(value: Any, size: int) -> list:
    items = _list(value)
    for item in items:
        if not isinstance(item, list) or len(item) != size:
            raise CodecError(f"expected entries of {size}, not {_short(item)}")
    return items


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- backends ----------------------------------------------------------------------------


def encode_backend(backend: AppFabricBackend) -> Dict[str, Any]:
    """The state of one backend (call it under the backend's lock)."""
    return {name: encode(value) for name, value in vars(backend).items() if name not in TRANSIENT_ATTRIBUTES}


def decode_backend(account_id: str, region: str, settings: Settings, data: Any) -> AppFabricBackend:
    """A backend holding the state :func:`encode_backend` saved."""
    backend = AppFabricBackend(account_id, region, settings)
    if not isinstance(data, dict):
        raise CodecError(f"the state of {account_id}/{region} is not an object")
    known = set(vars(backend)) - TRANSIENT_ATTRIBUTES
    unknown = sorted(set(data) - known)
    if unknown:
        raise CodecError(f"a backend has no attribute(s) {', '.join(unknown)}")
    for name, value in data.items():
        decoded = decode(value)
        current = getattr(backend, name)
        if type(decoded) is not type(current) and not (current is None or decoded is None):
            raise CodecError(f"backend attribute {name} holds a {type(decoded).__name__}, "
                             f"not a {type(current).__name__}")
        setattr(backend, name, decoded)
    _upgrade_idempotency(backend._idempotency)
    backend.rebuild_derived()
    return backend


def _upgrade_idempotency(entries: Dict[Any, Any]) -> None:
    """Check the client tokens a file holds, in today's form (older files held hex digests)."""
    for key, entry in entries.items():
        if not (isinstance(key, tuple) and len(key) == 3 and isinstance(entry, tuple) and len(entry) == 4):
            raise CodecError(f"bad client token entry {_short(key)}")
        digest, arn, kept, expires = entry
        if isinstance(digest, str):
            try:
                digest = bytes.fromhex(digest)
            except ValueError:
                raise CodecError(f"bad client token digest {_short(digest)}") from None
        if not (isinstance(digest, bytes) and isinstance(arn, str) and isinstance(expires, (int, float))):
            raise CodecError(f"bad client token entry {_short(key)}")
        entries[key] = (digest, arn, kept, expires)
