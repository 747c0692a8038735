"""Serialise results and errors exactly as the rest-json protocol and the model say."""

from __future__ import annotations

import datetime as _dt
import functools
import json
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from botocore.model import OperationModel, Shape, StructureShape

from ..errors import AppFabricError

Headers = Dict[str, str]
Converter = Callable[[Any], Any]
#: Writes a value straight to JSON text.
Encoder = Callable[[Any], str]

# One encoder for every response: json.dumps with non-default separators builds a
# new JSONEncoder on each call.  Same options, so the same bytes.
_JSON = json.JSONEncoder(separators=(",", ":"))


def iso8601(value: _dt.datetime) -> str:
    """AWS's ISO-8601 form: UTC with milliseconds and a ``Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if value.year < 1000:  # strftime's %Y does not pad years before 1000; isoformat would
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    # isoformat truncates to milliseconds exactly as `microsecond // 1000` did, at a
    # fraction of strftime's cost.
    return value.isoformat(timespec="milliseconds") + "Z"


# Every List page renders the timestamps of the same stored resources again; a
# timestamp's text never changes, so each is rendered once (datetimes hash by instant,
# and equal instants have the same UTC text).
_iso8601_cached = functools.lru_cache(maxsize=4096)(iso8601)


def _identity(value: Any) -> Any:
    return value


def _timestamp(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return _iso8601_cached(value)
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
        #: (member, its `"name":` prefix, converter, caching encoder or None) per body member.
        body: List[Tuple[str, str, Converter, Optional[Encoder]]] = []
        if shape is not None:
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                if location == "header":
                    self._headers.append((name, member.serialization.get("name", name)))
                elif location is None:
                    convert = _converter(member, cache)
                    body.append((name, _JSON.encode(name) + ":", convert, _member_encoder(member, cache)))
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
        # The document is written member by member: '{' + '"name":value' joined by ',' + '}'
        # is exactly what the encoder writes for the whole dict, and it lets kept texts be
        # used for members and List items (see _member_encoder).
        members = []
        for name, prefix, convert, encode in self._body:
            value = result.get(name)
            if value is not None:
                members.append(prefix + (encode(value) if encode is not None else _JSON.encode(convert(value))))
        headers["Content-Type"] = "application/json"
        return self.status, headers, ("{" + ",".join(members) + "}").encode()


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
        convert = _structure_converter(members)
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


class _Plan(NamedTuple):
    """How to copy a structure value with a given tuple of keys."""

    in_order: bool  #: the keys are all members of the shape, in model order
    converted: List[Tuple[str, Converter]]  #: the present members whose values need converting
    present: List[Tuple[str, Converter]]  #: the present members, in model order


#: Distinct key sets remembered per structure (a backend produces a handful; the bound is a safeguard).
_MAX_PLANS = 64


def _structure_converter(members: List[Tuple[str, Converter]]) -> Converter:
    """Copy a structure's members in model order, dropping None and members the shape lacks.

    The copy used to cost a Python-level get and converter call per member of every
    item, most of the serialisation time of a List page.  Backends build their dicts
    with the same few key sets, in model order, so the plan for each key set (the
    tuple of its keys) is worked out once.  A dict whose keys are all members, in
    model order, with no None value, is used as it is when nothing in it needs
    converting, and otherwise copied with only its timestamps and nested values
    converted; any other dict is copied member by member as before.  The output is
    the same dict, key for key and in the same order.
    """
    plans: Dict[Tuple[str, ...], _Plan] = {}

    def plan_for(keys: Tuple[str, ...]) -> _Plan:
        present = [(name, convert) for name, convert in members if name in keys]
        in_order = [name for name, _ in present] == list(keys)
        plan = _Plan(in_order, [(n, c) for n, c in present if c is not _identity], present)
        if len(plans) < _MAX_PLANS:
            plans[keys] = plan
        return plan

    def convert(value: Any) -> Any:
        if type(value) is dict:
            keys = tuple(value)
            plan = plans.get(keys) or plan_for(keys)
            if plan.in_order and None not in value.values():
                if not plan.converted:
                    return value
                copied = dict(value)
                for name, member_convert in plan.converted:
                    copied[name] = member_convert(copied[name])
                return copied
            steps = plan.present
        else:
            steps = members
        out = {}
        for name, member_convert in steps:
            member_value = value.get(name)
            if member_value is not None:
                out[name] = member_value if member_convert is _identity else member_convert(member_value)
        return out

    return convert


#: Texts kept per structure shape (a bound on memory; the cache starts over when full).
_MAX_TEXTS = 4096


def _flat(shape: Shape) -> bool:
    """A structure whose members are all plain strings (summaries, AppBundle)."""
    return shape.type_name == "structure" and bool(shape.members) and all(  # type: ignore[attr-defined]
        m.type_name == "string" for m in shape.members.values()  # type: ignore[attr-defined]
    )


def _member_encoder(shape: Shape, cache: Dict[str, Converter]) -> Optional[Encoder]:
    """A caching writer for a flat structure, or a list of them; None for other shapes.

    Most of a List page's serialisation is the JSON encoding of its items, and a test
    reads the same stored resources again and again.  The text of a flat structure is
    kept, keyed by the tuple of its (key, value) pairs, which determines the text
    completely (the converter reads nothing else).  A text is kept only when every
    value is a str, so that equal keys mean equal values (True == 1 could otherwise
    share a text).  Anything that is not a dict of hashable values is written afresh.
    """
    if _flat(shape):
        return _KeptTexts(shape, cache).text
    if shape.type_name == "list" and _flat(shape.member):  # type: ignore[attr-defined]
        kept = _KeptTexts(shape.member, cache)  # type: ignore[attr-defined]
        texts, write = kept.texts, kept.text
        convert_list = _converter(shape, cache)

        def encode_list(items: Any) -> str:
            if type(items) is not list:
                return _JSON.encode(convert_list(items))
            out = []
            for item in items:
                # The lookup is inlined: a call per item is a good part of a page's cost.
                try:
                    text = texts.get(tuple(item.items()))
                except (AttributeError, TypeError):
                    text = None
                out.append(text or write(item))
            return "[" + ",".join(out) + "]"

        return encode_list
    return None


class _KeptTexts:
    """The JSON texts of one flat structure shape's values, by their (key, value) pairs."""

    __slots__ = ("texts", "_convert")

    def __init__(self, shape: Shape, cache: Dict[str, Converter]) -> None:
        self.texts: Dict[Tuple[Tuple[str, Any], ...], str] = {}
        self._convert = _converter(shape, cache)

    def text(self, value: Any) -> str:
        """The text of ``value``: kept, or written (and kept when it may be)."""
        try:
            key: Optional[Tuple[Tuple[str, Any], ...]] = tuple(value.items())
            text = self.texts.get(key)  # type: ignore[arg-type]
        except (AttributeError, TypeError):  # not a dict, or an unhashable value
            key, text = None, None
        if text is None:
            text = _JSON.encode(self._convert(value))
            if key is not None and all(type(v) is str for _, v in key):
                if len(self.texts) >= _MAX_TEXTS:
                    self.texts.clear()
                self.texts[key] = text
        return text


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
