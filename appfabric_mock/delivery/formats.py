"""Events to bytes and back: JSON lines, and Parquet through ``pyarrow`` (the ``parquet`` extra)."""

from __future__ import annotations

import io
import json
from typing import Any, Dict, List, Sequence

# One encoder for every event: json.dumps builds a new one per call when given options.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_encode = _ENCODER.encode


class FormatError(ValueError):
    """Events that cannot be written in the destination's format."""


class ParquetUnavailable(RuntimeError):
    """Parquet delivery without pyarrow installed."""


def json_record(event: Any) -> bytes:
    """One event as one JSON line (a Firehose record)."""
    return (_encode(event) + "\n").encode("utf-8")


def json_lines(events: Sequence[Any]) -> bytes:
    """Events as JSON lines: one object per line, each line ending in a newline."""
    if not events:
        return b""
    return ("\n".join(map(_encode, events)) + "\n").encode("utf-8")


def parquet(events: Sequence[Dict[str, Any]]) -> bytes:
    """Events as one Parquet file; the columns are the union of the events' attributes.

    :raises ParquetUnavailable: when pyarrow is not installed (``pip install 'appfabric-mock[parquet]'``).
    :raises FormatError: when the events cannot form one table (an attribute that is a number
        in one event and an object in another, an empty object, ...).
    """
    pa, pq = _pyarrow()
    try:
        array = pa.array(list(events))
        if not pa.types.is_struct(array.type):
            raise FormatError("Parquet delivery needs events that are JSON objects")
        # RecordBatch.from_struct_array is in every pyarrow the parquet extra allows (Table.from_struct_array
        # is not in pyarrow 14).
        table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(array)])
        sink = io.BytesIO()
        pq.write_table(table, sink)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"these events cannot be written as Parquet: {exc}") from exc
    return sink.getvalue()


def read_json_lines(body: bytes) -> List[Any]:
    """The events of a JSON-lines object."""
    return [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]


def read_parquet(body: bytes) -> List[Dict[str, Any]]:
    """The events of a Parquet object, without the nulls that columns of other events add."""
    _pa, pq = _pyarrow()
    rows = pq.read_table(io.BytesIO(body)).to_pylist()
    return [_without_nulls(row) for row in rows]


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ParquetUnavailable(
            "Parquet delivery needs pyarrow: pip install 'appfabric-mock[parquet]'"
        ) from None
    return pa, pq
