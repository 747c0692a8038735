"""The serialiser's fast paths: the bytes :mod:`.serialization` defines, written with less work.

Nothing here changes what is written; ``tests/test_serialization_fast_paths.py``
compares every fast path with the plain one over random values of every output
shape.  They exist because a test reads the same few stored resources again and
again, and because the JSON of a List page is most of what its call costs:

* a timestamp's text is kept (equal instants have the same UTC text);
* a structure copy is planned once per key set (backends build their dicts with the
  same few key sets, in model order), and a dict that needs no converting is used
  as it is;
* the text of a flat structure (all members strings: summaries, AppBundle) is kept,
  keyed by its (key, value) pairs, and a List page is joined from those texts.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

from botocore.model import OperationModel, Shape

from .serialization import JSON, Conversion, Converter, OutputSerializer, identity, iso8601
from .shapes import ShapeCompiler, Site

#: Writes a value straight to JSON text.
Encoder = Callable[[Any], str]

_iso8601_kept = functools.lru_cache(maxsize=4096)(iso8601)

#: Distinct key sets remembered per structure (a backend produces a handful; the bound is a safeguard).
_MAX_PLANS = 64
#: Texts kept per flat structure shape (a bound on memory; the cache starts over when full).
_MAX_TEXTS = 4096


class _Plan(NamedTuple):
    """How to copy a structure value with a given tuple of keys."""

    in_order: bool  #: the keys are all members of the shape, in model order
    converted: List[Tuple[str, Converter]]  #: the present members whose values need converting
    present: List[Tuple[str, Converter]]  #: the present members, in model order


class FastConversion(Conversion):
    """:class:`.serialization.Conversion`, with the copies planned and timestamp texts kept."""

    def timestamp(self, value: Any) -> Any:
        return _iso8601_kept(value) if isinstance(value, _dt.datetime) else value

    def list(self, site: Site, item: Converter) -> Converter:
        if item is identity:
            return list
        return super().list(site, item)

    def structure(self, site: Site, members: Mapping[str, Converter]) -> Converter:
        pairs = list(members.items())
        plain = super().structure(site, members)
        plans: Dict[Tuple[str, ...], _Plan] = {}

        def plan_for(keys: Tuple[str, ...]) -> _Plan:
            present = [(name, convert) for name, convert in pairs if name in keys]
            in_order = [name for name, _ in present] == list(keys)
            plan = _Plan(in_order, [(n, c) for n, c in present if c is not identity], present)
            if len(plans) < _MAX_PLANS:
                plans[keys] = plan
            return plan

        def convert(value: Any) -> Any:
            if type(value) is not dict:
                return plain(value)
            keys = tuple(value)
            plan = plans.get(keys) or plan_for(keys)
            if plan.in_order and None not in value.values():
                if not plan.converted:
                    return value
                copied = dict(value)
                for name, member_convert in plan.converted:
                    copied[name] = member_convert(copied[name])
                return copied
            out = {}
            for name, member_convert in plan.present:
                member_value = value[name]
                if member_value is not None:
                    out[name] = member_value if member_convert is identity else member_convert(member_value)
            return out

        return convert


class FastOutputSerializer(OutputSerializer):
    """:class:`.serialization.OutputSerializer`, writing the document from kept texts where it can.

    The document is written member by member: ``{`` + ``"name":value`` joined by ``,``
    + ``}`` is exactly what the encoder writes for the whole dict.
    """

    def __init__(self, operation: OperationModel, converters: ShapeCompiler[Converter]) -> None:
        super().__init__(operation, converters)
        shape = operation.output_shape
        #: (member, its `"name":` prefix, an encoder) per body member.
        self._writers: List[Tuple[str, str, Encoder]] = []
        for name, convert in self.body:
            member = shape.members[name]  # type: ignore[union-attr]
            encode = _member_encoder(member, converters) or _encoder(convert)
            self._writers.append((name, JSON.encode(name) + ":", encode))

    def write_body(self, result: Dict[str, Any]) -> str:
        members = []
        for name, prefix, encode in self._writers:
            value = result.get(name)
            if value is not None:
                members.append(prefix + encode(value))
        return "{" + ",".join(members) + "}"


def _encoder(convert: Converter) -> Encoder:
    return lambda value: JSON.encode(convert(value))


def _flat(shape: Shape) -> bool:
    """A structure whose members are all plain strings (summaries, AppBundle)."""
    return shape.type_name == "structure" and bool(shape.members) and all(  # type: ignore[attr-defined]
        m.type_name == "string" for m in shape.members.values()  # type: ignore[attr-defined]
    )


def _member_encoder(shape: Shape, converters: ShapeCompiler[Converter]) -> Optional[Encoder]:
    """A text-keeping writer for a flat structure, or a list of them; None for other shapes.

    The tuple of a flat structure's (key, value) pairs determines its text completely
    (the converter reads nothing else).  A text is kept only when every value is a
    str, so that equal keys mean equal values (True == 1 could otherwise share a
    text).  Anything that is not a dict of hashable values is written afresh.
    """
    if _flat(shape):
        return _KeptTexts(converters(shape)).text
    if shape.type_name == "list" and _flat(shape.member):  # type: ignore[attr-defined]
        kept = _KeptTexts(converters(shape.member))  # type: ignore[attr-defined]
        texts, write = kept.texts, kept.text
        convert_list = converters(shape)

        def encode_list(items: Any) -> str:
            if type(items) is not list:
                return JSON.encode(convert_list(items))
            out = []
            for item in items:
                # kept.text inlined: one call fewer per item of a page.
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

    def __init__(self, convert: Converter) -> None:
        self.texts: Dict[Tuple[Tuple[str, Any], ...], str] = {}
        self._convert = convert

    def text(self, value: Any) -> str:
        """The text of ``value``: kept, or written (and kept when it may be)."""
        try:
            key: Optional[Tuple[Tuple[str, Any], ...]] = tuple(value.items())
            text = self.texts.get(key)  # type: ignore[arg-type]
        except (AttributeError, TypeError):  # not a dict, or an unhashable value
            key, text = None, None
        if text is None:
            text = JSON.encode(self._convert(value))
            if key is not None and all(type(v) is str for _, v in key):
                if len(self.texts) >= _MAX_TEXTS:
                    self.texts.clear()
                self.texts[key] = text
        return text
