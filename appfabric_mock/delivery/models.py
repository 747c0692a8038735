"""What the data plane remembers, as plain dataclasses (a state file can carry them)."""

from __future__ import annotations

import base64
import datetime as _dt
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional


@dataclass
class Delivery:
    """One delivery: an S3 object, or a batch of Firehose records, for one destination.

    ``key`` is set for S3 destinations, ``stream`` and ``record_ids`` for Firehose
    destinations.  ``trigger`` is ``"schedule"`` (the mock's clock passed a
    delivery time) or ``"control"`` (:meth:`~appfabric_mock.AppFabricMock.deliver_audit_logs`).
    """

    seq: int
    destination_arn: str
    ingestion_arn: str
    app: str
    tenant_id: str
    schema: str
    format: str
    event_count: int
    delivered_at: _dt.datetime
    trigger: str
    sink: str
    bucket: Optional[str] = None
    key: Optional[str] = None
    stream: Optional[str] = None
    record_ids: List[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        """``s3://bucket/key`` or ``firehose://stream``."""
        if self.key is not None:
            return f"s3://{self.bucket}/{self.key}"
        return f"firehose://{self.stream}"

    def to_json(self) -> Dict[str, Any]:
        """The delivery as JSON-ready data (the server's control API answers with it)."""
        out: Dict[str, Any] = {
            "seq": self.seq,
            "destinationArn": self.destination_arn,
            "ingestionArn": self.ingestion_arn,
            "app": self.app,
            "tenantId": self.tenant_id,
            "schema": self.schema,
            "format": self.format,
            "eventCount": self.event_count,
            "deliveredAt": self.delivered_at.isoformat().replace("+00:00", "Z"),
            "trigger": self.trigger,
            "sink": self.sink,
        }
        if self.key is not None:
            out.update(bucket=self.bucket, key=self.key)
        else:
            out.update(stream=self.stream, recordIds=list(self.record_ids))
        return out


@dataclass
class DeliveryState:
    """The data plane's memory: deliveries made and how far the schedule has run.

    * ``last_run``: the clock time up to which due deliveries were made (None before
      the first AppFabric call).
    * ``counters``: deliveries per destination ARN (part of each delivery's seed).
    * ``skipped_cycles``: delivery times dropped because the clock jumped further than
      the catch-up bound.
    """

    deliveries: List[Delivery] = field(default_factory=list)
    last_run: Optional[_dt.datetime] = None
    next_due: Optional[_dt.datetime] = None
    seq: int = 0
    counters: Dict[str, int] = field(default_factory=dict)
    skipped_cycles: int = 0


def _time(value: Optional[_dt.datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any) -> Optional[_dt.datetime]:
    return _dt.datetime.fromisoformat(value) if value is not None else None


def state_to_json(state: DeliveryState) -> Dict[str, Any]:
    """``state`` as JSON-ready data (for state files); :func:`state_from_json` reads it back."""
    deliveries = []
    for delivery in state.deliveries:
        item = {f.name: getattr(delivery, f.name) for f in fields(delivery)}
        item["delivered_at"] = delivery.delivered_at.isoformat()
        item["record_ids"] = list(delivery.record_ids)
        deliveries.append(item)
    return {
        "deliveries": deliveries,
        "last_run": _time(state.last_run),
        "next_due": _time(state.next_due),
        "seq": state.seq,
        "counters": dict(state.counters),
        "skipped_cycles": state.skipped_cycles,
    }


def state_from_json(data: Dict[str, Any]) -> DeliveryState:
    """The :class:`DeliveryState` that :func:`state_to_json` wrote.

    :raises ValueError: for data that is not such a state (a field it lacks or does not know).
    """
    try:
        deliveries = [Delivery(**dict(item, delivered_at=_parse_time(item["delivered_at"])))
                      for item in data["deliveries"]]
        return DeliveryState(
            deliveries=deliveries, last_run=_parse_time(data["last_run"]), next_due=_parse_time(data["next_due"]),
            seq=int(data["seq"]), counters={str(k): int(v) for k, v in dict(data["counters"]).items()},
            skipped_cycles=int(data["skipped_cycles"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a saved delivery state: {exc}") from None


def bytes_to_json(body: bytes) -> str:
    return base64.b64encode(body).decode("ascii")


def bytes_from_json(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
