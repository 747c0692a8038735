"""The serialiser's fast paths write exactly the bytes the plain serialiser would.

Two layers.  The plain path (``protocol/serialization.py``) is compared with the
definition written out again below: walk the output shape, keep the shape's members in
model order, drop None and members the shape lacks, write timestamps as ISO-8601 UTC
with milliseconds, then ``json.dumps`` with compact separators.  The fast paths
(``protocol/fast_serialization.py``) are compared with the plain path, over values
hypothesis draws for every output shape of the model and for every shape inside them
(extra keys, None values, odd key orders, naive and aware datetimes, values of the wrong
type), each written twice, so that kept texts are compared as well as fresh ones.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any, Dict, Optional

import pytest
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appfabric_mock._model import service_model
from appfabric_mock.protocol.compiled import protocol
from appfabric_mock.protocol.fast_serialization import FastConversion, FastOutputSerializer
from appfabric_mock.protocol.serialization import Conversion, Converter, OutputSerializer, iso8601
from appfabric_mock.protocol.shapes import ShapeCompiler

OPERATIONS = sorted(protocol().operations)


def _reference_iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _reference(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            member_value = value.get(name)
            if member_value is not None:
                out[name] = _reference(member, member_value)
        return out
    if kind == "list":
        return [_reference(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {k: _reference(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp" and isinstance(value, dt.datetime):
        return _reference_iso(value)
    return value


def _reference_body(operation: str, result: Dict[str, Any]) -> Optional[bytes]:
    shape = protocol().operations[operation].model.output_shape
    document = {}
    for name, member in shape.members.items() if shape is not None else ():
        if member.serialization.get("location") is None and result.get(name) is not None:
            document[name] = _reference(member, result[name])
    return json.dumps(document, separators=(",", ":")).encode()


def _random_value(shape: Shape, rnd: random.Random, depth: int = 0) -> Any:
    kind = shape.type_name
    if kind == "structure":
        members = list(shape.members.items())  # type: ignore[attr-defined]
        rnd.shuffle(members) if rnd.random() < 0.3 else None
        out: Dict[str, Any] = {}
        for name, member in members:
            roll = rnd.random()
            if roll < 0.15:
                continue
            out[name] = None if roll < 0.25 else _random_value(member, rnd, depth + 1)
        if rnd.random() < 0.2:
            out["notAMember"] = "dropped"
        return out
    if kind == "list":
        count = 0 if depth > 3 else rnd.choice([0, 1, 2, 5])
        return [_random_value(shape.member, rnd, depth + 1) for _ in range(count)]  # type: ignore[attr-defined]
    if kind == "map":
        return {f"k{i}": _random_value(shape.value, rnd, depth + 1) for i in range(rnd.randint(0, 3))}  # type: ignore[attr-defined]
    if kind == "timestamp":
        moment = dt.datetime(rnd.choice([1999, 2024, 2030]), rnd.randint(1, 12), rnd.randint(1, 28),
                             rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999999))
        zone = rnd.choice([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=-7))])
        return moment if zone is None else moment.replace(tzinfo=zone)
    if kind in ("integer", "long"):
        return rnd.randint(0, 100)
    if kind == "boolean":
        return rnd.random() < 0.5
    return rnd.choice(["", "a", "caf\u00e9", "arn:aws:appfabric:us-east-1:123456789012:appbundle/x", 'q"\\'])


#: The plain serialisers, built beside the fast ones the protocol uses.
PLAIN_CONVERTERS: ShapeCompiler[Converter] = ShapeCompiler(Conversion())
PLAIN = {name: OutputSerializer(spec.model, PLAIN_CONVERTERS) for name, spec in protocol().operations.items()}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_output_bytes_match_the_reference(operation: str) -> None:
    spec = protocol().operations[operation]
    shape = spec.model.output_shape
    if shape is None:
        return
    rnd = random.Random(operation)
    for _ in range(150):
        result = _random_value(shape, rnd)
        plain = PLAIN[operation].serialize(result)
        for _ in range(2):  # the second time, flat structures come from the kept texts
            status, _headers, body = spec.output.serialize(result)
            assert (status, _headers, body) == plain
            if status == 204 and body == b"":
                continue
            assert body == _reference_body(operation, result), (operation, result)


# -- the fast paths against the plain path, over values hypothesis draws -----------------------

EQUIVALENCE = settings(deadline=None, derandomize=True, database=None, max_examples=60,
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: Naive, UTC and other fixed offsets; microseconds included (they are truncated).
_ZONES = [None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=5, minutes=30)),
          dt.timezone(dt.timedelta(hours=-7))]
_TIMESTAMPS = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                           timezones=st.sampled_from(_ZONES))
#: Strings, now and then a value of the wrong type (True and 1 must not share a kept text).
_STRINGS = st.one_of(st.text(max_size=8), st.sampled_from(["", "a", "caf\u00e9", 'q"\\']),
                     st.integers(-2, 2), st.booleans())


def _values(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth > 3:
            return st.just({})
        members = shape.members  # type: ignore[attr-defined]
        optional = {name: st.one_of(st.none(), _values(member, depth + 1)) for name, member in members.items()}
        optional["notAMember"] = st.text(max_size=3)
        documents = st.fixed_dictionaries({}, optional=optional)
        # Now and then in another key order than the model's.
        return st.one_of(documents, documents.flatmap(lambda d: st.permutations(list(d.items())).map(dict)))
    if kind == "list":
        return st.lists(_values(shape.member, depth + 1), max_size=0 if depth > 3 else 4)  # type: ignore[attr-defined]
    if kind == "map":
        return st.dictionaries(st.text(max_size=4), _values(shape.value, depth + 1), max_size=3)  # type: ignore[attr-defined]
    if kind == "timestamp":
        return st.one_of(_TIMESTAMPS, st.text(max_size=4))
    if kind in ("integer", "long"):
        return st.integers(-(2 ** 40), 2 ** 40)
    if kind == "boolean":
        return st.booleans()
    return _STRINGS


#: Fresh fast serialisers (their kept texts start empty), beside the protocol's own.
FAST = {name: FastOutputSerializer(service_model().operation_model(name), ShapeCompiler(FastConversion()))
        for name in OPERATIONS}
#: (operation, a result of its output shape), every operation with an output shape.
RESULTS = st.sampled_from([name for name in OPERATIONS if service_model().operation_model(name).output_shape]).flatmap(
    lambda name: st.tuples(st.just(name), _values(service_model().operation_model(name).output_shape)))


@settings(EQUIVALENCE, max_examples=150)
@given(drawn=RESULTS)
def test_fast_serializers_write_what_the_plain_ones_write(drawn: Any) -> None:
    operation, result = drawn
    expected = PLAIN[operation].serialize(result)
    for _ in range(2):  # the second time, flat structures come from the kept texts
        assert FAST[operation].serialize(result) == expected


@EQUIVALENCE
@given(moment=_TIMESTAMPS)
def test_timestamps_have_one_text_whichever_way_they_are_written(moment: dt.datetime) -> None:
    assert iso8601(moment) == _reference_iso(moment)
    assert FastConversion().timestamp(moment) == Conversion().timestamp(moment) == iso8601(moment)


def test_list_items_with_non_string_values_are_written_afresh() -> None:
    spec = protocol().operations["ListIngestions"]
    for value in (True, 1, "1"):
        result = {"ingestions": [{"arn": "a", "app": value, "tenantId": "t", "state": "enabled"}]}
        assert spec.output.serialize(result)[2] == _reference_body("ListIngestions", result)


def test_timestamps_keep_the_strftime_form() -> None:
    moments = [dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
               dt.datetime(999, 1, 2, 3, 4, 5, 6000), dt.datetime(2030, 1, 1)]
    for moment in moments:
        assert iso8601(moment) == _reference_iso(moment)
