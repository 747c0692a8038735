"""The serialiser's fast paths write exactly the bytes the plain, model-walking serialiser would.

The reference below is the straightforward definition: walk the output shape, keep the
shape's members in model order, drop None and members the shape lacks, write timestamps
as ISO-8601 UTC with milliseconds, then ``json.dumps`` with compact separators.  Random
results (extra keys, None values, odd key orders, naive and aware datetimes) go through
both, twice, so that kept (cached) texts are compared as well as fresh ones.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any, Dict, Optional

import pytest
from botocore.model import Shape

from appfabric_mock.protocol.compiled import protocol
from appfabric_mock.protocol.serialization import iso8601

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


@pytest.mark.parametrize("operation", OPERATIONS)
def test_output_bytes_match_the_reference(operation: str) -> None:
    spec = protocol().operations[operation]
    shape = spec.model.output_shape
    if shape is None:
        return
    rnd = random.Random(operation)
    for _ in range(150):
        result = _random_value(shape, rnd)
        for _ in range(2):  # the second time, flat structures come from the kept texts
            status, _headers, body = spec.output.serialize(result)
            if status == 204 and body == b"":
                continue
            assert body == _reference_body(operation, result), (operation, result)


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
