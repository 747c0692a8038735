"""Where delivered bytes go.

* :class:`MemorySink` (the default): objects and records kept on the mock handle.
* :class:`Boto3Sink`: any S3 and Firehose that boto3 reaches in this process: moto's
  ``mock_aws`` (the common case) or an endpoint you name (MinIO, LocalStack).  It never
  sends anything to AWS: without an ``endpoint_url`` it delivers only while moto is
  active, and its clients refuse any request that moto did not answer.
* :class:`DirectorySink`: files under a local directory, for looking at them.

A sink raises :class:`TargetMissing` when the bucket or stream does not exist (or
cannot take the delivery); the data plane then marks the destination ``Failed``.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple, Union

if TYPE_CHECKING:
    from .models import Delivery

#: PutRecordBatch takes at most 500 records (Firehose quota).
FIREHOSE_BATCH = 500


class TargetMissing(Exception):
    """The bucket or stream cannot take the delivery; ``reason`` becomes the ``statusReason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeliveryRefused(RuntimeError):
    """A delivery that would have gone to real AWS: refused."""


@dataclass
class FirehoseRecord:
    """One record put to a stream."""

    record_id: str
    data: bytes


@dataclass
class MemoryStore:
    """What the in-memory sink holds: bucket -> key -> body, and stream -> records."""

    objects: Dict[str, Dict[str, bytes]] = field(default_factory=dict)
    records: Dict[str, List[FirehoseRecord]] = field(default_factory=dict)


class MemorySink:
    """Keeps every object and record in memory (every bucket and stream exists)."""

    name = "memory"

    def __init__(self) -> None:
        self.store = MemoryStore()
        self._lock = threading.Lock()

    def put_object(self, region: str, bucket: str, key: str, body: bytes) -> None:
        with self._lock:
            self.store.objects.setdefault(bucket, {})[key] = body

    def put_records(self, region: str, stream: str, records: List[bytes], ids: List[str]) -> List[str]:
        with self._lock:
            self.store.records.setdefault(stream, []).extend(
                FirehoseRecord(record_id, data) for record_id, data in zip(ids, records)
            )
        return ids

    def get_object(self, bucket: str, key: str) -> bytes:
        """The body of a delivered object (KeyError when there is none)."""
        with self._lock:
            return self.store.objects[bucket][key]

    def get_records(self, stream: str) -> List[FirehoseRecord]:
        """The records put to ``stream``, oldest first."""
        with self._lock:
            return list(self.store.records.get(stream, ()))

    def clear(self) -> None:
        with self._lock:
            self.store = MemoryStore()

    def forget(self, deliveries: Iterable["Delivery"]) -> None:
        """Drop what these deliveries put here (the data plane's bound on what it keeps)."""
        with self._lock:
            objects, streams = self.store.objects, self.store.records
            for delivery in deliveries:
                if delivery.key is not None:
                    bucket = objects.get(delivery.bucket or "")
                    if bucket is not None:
                        bucket.pop(delivery.key, None)
                        if not bucket:
                            del objects[delivery.bucket or ""]
                    continue
                records = streams.get(delivery.stream or "")
                if not records:
                    continue
                ids = set(delivery.record_ids)
                # Deliveries are dropped oldest first, so their records lead the stream.
                count = 0
                while count < len(records) and records[count].record_id in ids:
                    count += 1
                if count == len(ids):
                    del records[:count]
                else:
                    records[:] = [r for r in records if r.record_id not in ids]
                if not records:
                    del streams[delivery.stream or ""]

    def __repr__(self) -> str:
        return f"<MemorySink {sum(map(len, self.store.objects.values()))} objects>"


class DirectorySink:
    """Writes S3 objects to ``<root>/s3/<bucket>/<key>`` and Firehose records, one JSON line
    each, to ``<root>/firehose/<stream>/<first record id>.jsonl``."""

    name = "directory"

    def __init__(self, root: Union[str, "os.PathLike[str]"]) -> None:
        self.root = Path(root)
        # Resolved once: every write stays under the directory named now, even if a
        # symbolic link later replaces it or a bucket's folder.
        self._real_root = self.root.resolve()
        self._lock = threading.Lock()

    def _path(self, *parts: str) -> Path:
        root = self._real_root
        try:
            path = root.joinpath(*parts).resolve()
        except (OSError, RuntimeError) as exc:  # a symbolic link loop, a name too long
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a symbolic link loop"
            raise TargetMissing(f"The delivery directory cannot hold {'/'.join(parts)}: {why}") from None
        if path != root and root not in path.parents:
            raise TargetMissing(f"The name {'/'.join(parts)} leaves the delivery directory")
        return path

    def _write(self, path: Path, body: bytes) -> None:
        # The host's file system may refuse (a name too long, no space, no permission): the
        # destination fails with the reason, as one whose bucket cannot be written to would.
        try:
            with self._lock:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(body)
        except OSError as exc:
            raise TargetMissing(f"The delivery directory cannot be written to: {exc.strerror or exc}") from None

    def put_object(self, region: str, bucket: str, key: str, body: bytes) -> None:
        self._write(self._path("s3", bucket, *key.split("/")), body)

    def put_records(self, region: str, stream: str, records: List[bytes], ids: List[str]) -> List[str]:
        self._write(self._path("firehose", stream, f"{ids[0]}.jsonl"), b"".join(records))
        return ids

    def get_object(self, bucket: str, key: str) -> bytes:
        try:
            return self._path("s3", bucket, *key.split("/")).read_bytes()
        except FileNotFoundError:
            raise KeyError(f"s3://{bucket}/{key}") from None

    def __repr__(self) -> str:
        return f"<DirectorySink {self.root}>"


def moto_active() -> bool:
    """Whether a moto ``mock_aws`` is active in this process (it answers boto3's requests).

    moto answers from one ``before-send`` handler (``moto.core.models.botocore_stubber``)
    that it switches on while a mock is active; its ``enabled`` flag is what decides.
    """
    models = sys.modules.get("moto.core.models")
    if models is None:
        return False
    from ..compat import require_attribute

    stubber = require_attribute(models, "botocore_stubber", "moto", "moto.core.models.botocore_stubber")
    return bool(require_attribute(stubber, "enabled", "moto", "moto.core.models.botocore_stubber.enabled"))


class Boto3Sink:
    """Delivers with boto3 to whatever S3 and Firehose it reaches, never to AWS itself.

    :param endpoint_url: an S3 and Firehose endpoint to use (MinIO, LocalStack); without it,
        deliveries are made only while moto's ``mock_aws`` is active.
    :param session: a ``boto3.session.Session`` for credentials (default: a new one).
    """

    name = "boto3"

    def __init__(self, endpoint_url: Optional[str] = None, session: Any = None,
                 firehose_endpoint_url: Optional[str] = None) -> None:
        self.endpoint_url = endpoint_url
        self.firehose_endpoint_url = firehose_endpoint_url or endpoint_url
        self._session = session
        self._clients: Dict[Tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise :class:`DeliveryRefused` when a delivery now would reach real AWS."""
        if self.endpoint_url is None and not moto_active():
            raise DeliveryRefused(
                "appfabric-mock will not deliver audit logs to real AWS: the boto3 sink needs moto's "
                "mock_aws() to be active, or an endpoint_url (MinIO, LocalStack) given to "
                "set_delivery_sink('boto3', endpoint_url=...)"
            )

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                import boto3

                session = self._session or boto3.session.Session()
                endpoint = self.endpoint_url if service == "s3" else self.firehose_endpoint_url
                client = session.client(service, region_name=region, endpoint_url=endpoint)
                if endpoint is None:
                    # Registered after moto's handler: if moto did not answer (it was
                    # stopped), this stops the request before it reaches the network.
                    client.meta.events.register("before-send", self._refuse_unanswered)
                self._clients[key] = client
            return client

    def _refuse_unanswered(self, **_: Any) -> None:
        if not moto_active():
            self.check()

    def put_object(self, region: str, bucket: str, key: str, body: bytes) -> None:
        from botocore.exceptions import ClientError

        self.check()
        s3 = self._client("s3", region)
        try:
            head = s3.head_bucket(Bucket=bucket)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise TargetMissing(
                    f"The S3 bucket {bucket} does not exist (NoSuchBucket: The specified bucket does not exist)"
                ) from None
            raise TargetMissing(f"AppFabric cannot write to the S3 bucket {bucket}: {error}") from None
        headers = head.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        bucket_region = headers.get("x-amz-bucket-region")
        if bucket_region and bucket_region != region:
            raise TargetMissing(
                f"The S3 bucket {bucket} is in {bucket_region}; the destination must be in {region}"
            )
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=body)
        except ClientError as error:
            raise TargetMissing(f"AppFabric cannot write to the S3 bucket {bucket}: {error}") from None

    def put_records(self, region: str, stream: str, records: List[bytes], ids: List[str]) -> List[str]:
        from botocore.exceptions import ClientError

        self.check()
        firehose = self._client("firehose", region)
        out: List[str] = []
        for start in range(0, len(records), FIREHOSE_BATCH):
            batch = [{"Data": data} for data in records[start:start + FIREHOSE_BATCH]]
            try:
                response = firehose.put_record_batch(DeliveryStreamName=stream, Records=batch)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "ResourceNotFoundException":
                    raise TargetMissing(
                        f"The Firehose stream {stream} does not exist "
                        f"(ResourceNotFoundException: {error.response['Error'].get('Message', '')})"
                    ) from None
                raise TargetMissing(f"AppFabric cannot put records to the Firehose stream {stream}: {error}") from None
            out.extend(item.get("RecordId", "") for item in response.get("RequestResponses", ()))
        return out

    def get_object(self, bucket: str, key: str) -> bytes:
        """Read a delivered object back through the same S3 (KeyError when there is none)."""
        from botocore.exceptions import ClientError

        self.check()
        with self._lock:
            region = next((r for (service, r) in self._clients if service == "s3"), "us-east-1")
        try:
            body = self._client("s3", region).get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError:
            raise KeyError(f"s3://{bucket}/{key}") from None
        return body  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<Boto3Sink {self.endpoint_url or 'moto'}>"


Sink = Union[MemorySink, Boto3Sink, DirectorySink]


def make_sink(kind: str, *, endpoint_url: Optional[str] = None, path: Optional[str] = None,
              session: Any = None) -> Sink:
    """A sink by name: ``"memory"``, ``"boto3"`` (with an optional ``endpoint_url``) or
    ``"directory"`` (with a ``path``).

    :raises ValueError: for another name, a directory without a path, or options the sink
        does not take.
    :raises DeliveryRefused: for ``"boto3"`` without ``endpoint_url`` while moto is not active.
    """
    if kind == "memory":
        if endpoint_url or path or session:
            raise ValueError("the memory sink takes no endpoint_url, path or session")
        return MemorySink()
    if kind == "boto3":
        if path:
            raise ValueError("the boto3 sink takes no path (did you mean 'directory'?)")
        sink = Boto3Sink(endpoint_url=endpoint_url, session=session)
        sink.check()
        return sink
    if kind == "directory":
        if not path:
            raise ValueError("the directory sink needs a path")
        if endpoint_url or session:
            raise ValueError("the directory sink takes no endpoint_url or session")
        return DirectorySink(path)
    raise ValueError(f"unknown delivery sink {kind!r}; sinks are 'memory', 'boto3' and 'directory'")
