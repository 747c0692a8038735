"""Where deliveries land: moto's S3 and Firehose, a directory, never real AWS; the control API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import boto3
import pytest
from _delivery import HALF_HOUR, START, client, connected_ingestion, firehose_destination, s3_destination, status_of

from appfabric_mock import control_api, mock_appfabric
from appfabric_mock.delivery.sinks import DeliveryRefused, moto_active

moto = pytest.importorskip("moto")


def _firehose_stream(name: str, bucket: str) -> None:
    boto3.client("firehose", region_name="us-east-1").create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"RoleARN": "arn:aws:iam::123456789012:role/firehose",
                                            "BucketARN": f"arn:aws:s3:::{bucket}"},
    )


def test_a_consumer_reads_the_delivered_objects_from_moto_s3() -> None:
    with moto.mock_aws(), mock_appfabric(now=START) as m:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="audit-logs")
        m.set_delivery_sink("boto3")
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, prefix="okta/")
        m.clock.advance(2 * HALF_HOUR)
        api.list_app_bundles()

        # The consumer: list the prefix, read each object, parse JSON lines.
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket="audit-logs", Prefix="okta/AWSAppFabric/")
        keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        assert sorted(keys) == sorted(d.key for d in m.deliveries) and len(keys) == 2
        events = [json.loads(line) for key in keys
                  for line in s3.get_object(Bucket="audit-logs", Key=key)["Body"].read().splitlines()]
        assert len(events) == 20 and {e["metadata"]["product"]["name"] for e in events} == {"Okta"}


def test_parquet_objects_in_moto_read_back_with_pandas() -> None:
    pandas = pytest.importorskip("pandas")
    with moto.mock_aws(), mock_appfabric(now=START) as m:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        m.set_delivery_sink("boto3")
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, bucket="lake", fmt="parquet")
        [delivery] = m.deliver_audit_logs(ingestion["arn"], count=12)

        body = s3.get_object(Bucket="lake", Key=delivery.key)["Body"].read()
        frame = pandas.read_parquet(io.BytesIO(body))
        assert len(frame) == 12 and set(frame["class_name"]) <= {
            "Authentication", "Account Change", "User Access Management", "Group Management"}


def test_firehose_records_reach_a_moto_stream() -> None:
    with moto.mock_aws(), mock_appfabric(now=START) as m:
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="stream-out")
        _firehose_stream("audit-stream", "stream-out")
        m.set_delivery_sink("boto3")
        api = client()
        ingestion = connected_ingestion(api)
        firehose_destination(api, ingestion, stream="audit-stream")
        [delivery] = m.deliver_audit_logs(ingestion["arn"], count=5)

        assert len(delivery.record_ids) == 5 and all(delivery.record_ids)
        assert status_of(api, {"arn": delivery.destination_arn, "ingestionArn": ingestion["arn"]})["status"] == "Active"
        # moto's stream writes the records to its bucket, concatenated: one event per line.
        s3 = boto3.client("s3", region_name="us-east-1")
        [obj] = s3.list_objects_v2(Bucket="stream-out")["Contents"]
        lines = s3.get_object(Bucket="stream-out", Key=obj["Key"])["Body"].read().splitlines()
        assert [json.loads(line)["metadata"]["product"]["name"] for line in lines] == ["Okta"] * 5


def test_a_missing_bucket_or_stream_fails_the_destination() -> None:
    with moto.mock_aws(), mock_appfabric(now=START) as m:
        m.set_delivery_sink("boto3")
        api = client()
        ingestion = connected_ingestion(api)
        bucket = s3_destination(api, ingestion, bucket="no-such-bucket")
        stream = firehose_destination(api, ingestion, stream="no-such-stream")
        m.clock.advance(HALF_HOUR)
        api.list_app_bundles()

        assert m.deliveries == ()
        failed_bucket, failed_stream = status_of(api, bucket), status_of(api, stream)
        assert failed_bucket["status"] == "Failed"
        assert "no-such-bucket" in failed_bucket["statusReason"] and "NoSuchBucket" in failed_bucket["statusReason"]
        assert failed_stream["status"] == "Failed" and "no-such-stream" in failed_stream["statusReason"]

        # Fixing the target and updating the destination (as AWS asks) makes it deliver again.
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="no-such-bucket")
        api.update_ingestion_destination(
            appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=ingestion["arn"],
            ingestionDestinationIdentifier=bucket["arn"],
            destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "no-such-bucket"}}}},
        )
        assert [d.bucket for d in m.deliver_audit_logs(ingestion["arn"], count=1)] == ["no-such-bucket"]


def test_a_bucket_in_another_region_fails_the_destination() -> None:
    with moto.mock_aws(), mock_appfabric(now=START) as m:
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="irish-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        m.set_delivery_sink("boto3")
        api = client()
        ingestion = connected_ingestion(api)
        destination = s3_destination(api, ingestion, bucket="irish-logs")
        assert m.deliver_audit_logs(ingestion["arn"]) == []
        assert "eu-west-1" in status_of(api, destination)["statusReason"]


def test_the_boto3_sink_refuses_real_aws() -> None:
    with mock_appfabric(now=START) as m:
        assert not moto_active()
        with pytest.raises(DeliveryRefused, match="mock_aws"):
            m.set_delivery_sink("boto3")
        assert m.delivery_sink.name == "memory"


def test_a_boto3_sink_stops_delivering_when_moto_stops() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        with moto.mock_aws():
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="audit-logs")
            m.set_delivery_sink("boto3")
            assert len(m.deliver_audit_logs(ingestion["arn"], count=1)) == 1
        with pytest.raises(DeliveryRefused):
            m.deliver_audit_logs(ingestion["arn"], count=1)
        # A request that moto did not answer never leaves: the client's own guard refuses it.
        sink = m.delivery_sink
        with pytest.raises(DeliveryRefused):
            sink._client("s3", "us-east-1").list_buckets()


def test_due_deliveries_wait_while_moto_is_stopped() -> None:
    from appfabric_mock import AppFabricMockWarning

    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        with moto.mock_aws():
            m.set_delivery_sink("boto3")
        m.clock.advance(HALF_HOUR)
        with pytest.warns(AppFabricMockWarning, match="not delivered"):
            api.list_app_bundles()  # answered; the delivery stays due
        with moto.mock_aws():
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="audit-logs")
            api.list_app_bundles()
            assert [d.delivered_at.strftime("%H:%M") for d in m.deliveries] == ["09:30"]


def test_an_endpoint_url_is_an_explicit_choice() -> None:
    with mock_appfabric() as m:
        sink = m.set_delivery_sink("boto3", endpoint_url="http://127.0.0.1:9")
        assert sink.name == "boto3" and sink.endpoint_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(("kind", "options", "message"), [
    ("ftp", {}, "unknown delivery sink"), ("directory", {}, "needs a path"),
    ("memory", {"path": "x"}, "takes no"), ("boto3", {"path": "x"}, "takes no path"),
])
def test_sink_choices_are_checked(kind: str, options: dict, message: str) -> None:
    with mock_appfabric() as m, pytest.raises(ValueError, match=message):
        m.set_delivery_sink(kind, **options)


def test_a_directory_sink_writes_files(tmp_path: Path) -> None:
    with mock_appfabric(now=START) as m:
        m.set_delivery_sink("directory", path=tmp_path)
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, prefix="okta")
        firehose_destination(api, ingestion)
        to_s3, to_firehose = m.deliver_audit_logs(ingestion["arn"], count=3)

        obj = tmp_path / "s3" / "audit-logs" / Path(*(to_s3.key or "").split("/"))
        assert len(obj.read_bytes().splitlines()) == 3
        [records] = (tmp_path / "firehose" / "audit-stream").iterdir()
        assert len(records.read_bytes().splitlines()) == 3
        assert len(m.delivered_events(to_s3.destination_arn)) == 3


def test_the_control_api_triggers_and_lists_deliveries() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)

        status, _, body = control_api.handle(m, "POST", "deliveries", json.dumps(
            {"ingestionArn": ingestion["arn"], "count": 4}).encode())
        assert status == 200
        [made] = json.loads(body)["deliveries"]
        assert made["eventCount"] == 4 and made["trigger"] == "control" and made["key"].startswith("AWSAppFabric/")

        m.clock.advance(HALF_HOUR)
        status, _, body = control_api.handle(m, "POST", "deliveries", b"{}")
        assert status == 200 and [d["trigger"] for d in json.loads(body)["deliveries"]] == ["schedule"]
        status, _, body = control_api.handle(m, "GET", "deliveries", b"")
        assert [d["seq"] for d in json.loads(body)["deliveries"]] == [1, 2]
        status, _, body = control_api.handle(m, "POST", "deliveries/events", b"{}")
        assert len(json.loads(body)["events"]) == 14

        assert control_api.handle(m, "POST", "deliveries", b'{"count": 3}')[0] == 400
        assert control_api.handle(m, "POST", "deliveries", b'{"ingestionArn": "arn:aws:x"}')[0] == 400
        assert control_api.handle(m, "POST", "delivery-sink", b'{"kind": "boto3"}')[0] == 400
        assert json.loads(control_api.handle(m, "POST", "delivery-sink", b'{"kind": "memory"}')[2]) == {
            "sink": "memory"}


def test_a_state_file_carries_deliveries_the_schedule_and_the_memory_sink(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(seed=5, now=START, state_file=path, delivery_interval=600) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        firehose_destination(api, ingestion)
        m.clock.advance(600)
        api.list_app_bundles()  # a read: the deliveries it makes are saved all the same
        before = m.deliveries
        events = m.delivered_events()
        assert len(before) == 2 and len(events) == 20
    saved = json.loads(path.read_text())["state"]["dataPlane"]
    assert saved["interval"] == 600 and len(saved["state"]["deliveries"]) == 2

    with mock_appfabric(state_file=path) as m:
        assert m.deliveries == before
        assert m.delivered_events() == events
        m.clock.advance(600)  # the schedule goes on where it was
        assert [d.delivered_at.strftime("%H:%M") for d in m.deliveries] == ["09:10", "09:10", "09:20", "09:20"]


def test_a_damaged_saved_data_plane_is_refused(tmp_path: Path) -> None:
    from appfabric_mock.persistence import StateFileError

    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path):
        pass
    document = json.loads(path.read_text())
    document["state"]["dataPlane"]["state"]["deliveries"] = [{"seq": "x"}]
    path.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match="damaged"), mock_appfabric(state_file=path):
        pass
