"""When audit logs are delivered: on the clock's grid, at once through the control, and when not."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from _delivery import (
    HALF_HOUR,
    START,
    START_MS,
    client,
    connected_ingestion,
    firehose_destination,
    s3_destination,
    status_of,
)

from appfabric_mock import mock_appfabric

UTC = dt.timezone.utc


def test_nothing_is_delivered_before_the_first_delivery_time() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        s3_destination(api, connected_ingestion(api))
        m.clock.advance(HALF_HOUR - 1)
        api.list_app_bundles()

        assert m.deliveries == ()


def test_the_clock_passing_a_delivery_time_delivers_at_the_next_call() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        destination = s3_destination(api, connected_ingestion(api))
        m.clock.advance(HALF_HOUR)
        api.list_app_bundles()  # the next AppFabric call makes what fell due

        [delivery] = m.deliveries
        assert delivery.destination_arn == destination["arn"]
        assert delivery.trigger == "schedule"
        assert delivery.event_count == 10
        assert delivery.delivered_at == dt.datetime(2024, 6, 1, 9, 30, tzinfo=UTC)
        assert delivery.bucket == "audit-logs" and delivery.key is not None
        events = m.delivered_events()
        assert len(events) == 10
        assert all(START_MS < event["time"] <= START_MS + HALF_HOUR * 1000 for event in events)
        assert [e["time"] for e in events] == sorted(e["time"] for e in events)


def test_reading_the_deliveries_makes_those_due() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        s3_destination(api, connected_ingestion(api))
        m.clock.advance(2 * HALF_HOUR)

        assert [d.delivered_at.strftime("%H:%M") for d in m.deliveries] == ["09:30", "10:00"]


def test_every_active_destination_gets_one_delivery_per_time() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        first = s3_destination(api, ingestion, bucket="one")
        second = firehose_destination(api, ingestion)
        other = s3_destination(api, connected_ingestion(api, app="SLACK", tenant="acme.slack.com",
                                                        bundle=ingestion["appBundleArn"]), bucket="slack-logs")
        m.clock.advance(HALF_HOUR)

        assert [d.destination_arn for d in m.deliveries] == [first["arn"], second["arn"], other["arn"]]


def test_a_clock_that_jumps_far_is_caught_up_with_a_bound() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        s3_destination(api, connected_ingestion(api))
        m.clock.advance(days=100)

        deliveries = m.deliveries
        assert len(deliveries) == 48  # a day of half hours, the latest ones
        assert deliveries[-1].delivered_at == dt.datetime(2024, 9, 9, 9, 0, tzinfo=UTC)
        assert m.state.data_plane.data.skipped_cycles == 100 * 48 - 48


def test_the_interval_and_the_number_of_events_are_options() -> None:
    with mock_appfabric(now=START, delivery_interval=300, events_per_delivery=3) as m:
        api = client()
        s3_destination(api, connected_ingestion(api))
        m.clock.advance(900)

        assert [(d.delivered_at.strftime("%H:%M"), d.event_count) for d in m.deliveries] == [
            ("09:05", 3), ("09:10", 3), ("09:15", 3)]


@pytest.mark.parametrize(("options", "error"), [
    ({"delivery_interval": 0}, ValueError), ({"delivery_interval": "300"}, TypeError),
    ({"events_per_delivery": -1}, ValueError), ({"events_per_delivery": 1.5}, TypeError)])
def test_delivery_options_are_checked(options: dict, error: type) -> None:
    with pytest.raises(error, match=next(iter(options))):
        mock_appfabric(**options)


def test_a_stopped_ingestion_gets_nothing_and_what_fell_due_before_the_stop_is_kept() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        m.clock.advance(HALF_HOUR)
        api.stop_ingestion(appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=ingestion["arn"])
        assert len(m.deliveries) == 1  # due at 09:30, made before the stop was answered

        m.clock.advance(4 * HALF_HOUR)
        assert len(m.deliveries) == 1
        assert m.deliver_audit_logs(ingestion["arn"], count=5) == []

        api.start_ingestion(appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=ingestion["arn"])
        m.clock.advance(HALF_HOUR)
        assert len(m.deliveries) == 2


def test_a_failed_destination_gets_nothing_until_it_is_updated() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        failed = s3_destination(api, ingestion, bucket="failed")
        active = s3_destination(api, ingestion, bucket="active")
        m.set_destination_failed(failed["arn"])
        m.clock.advance(HALF_HOUR)

        assert [d.bucket for d in m.deliveries] == ["active"]
        assert [d.bucket for d in m.deliver_audit_logs(ingestion, count=1)] == ["active"]

        api.update_ingestion_destination(
            appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=ingestion["arn"],
            ingestionDestinationIdentifier=failed["arn"],
            destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "failed"}}}},
        )
        m.clock.advance(HALF_HOUR)
        assert sorted(d.bucket for d in m.deliveries[-2:]) == ["active", "failed"]
        assert status_of(api, active)["status"] == "Active"


def test_an_authorization_that_is_not_connected_delivers_nothing() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        m.set_authorization_status(ingestion["authorizationArn"], "TokenAutoRotationFailed")
        m.clock.advance(HALF_HOUR)

        assert m.deliveries == ()
        assert m.deliver_audit_logs(ingestion["arn"]) == []


def test_the_control_delivers_given_events_as_given() -> None:
    events = [{"id": 1, "note": "first"}, {"id": 2, "nested": {"é": [1, 2]}}]
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        destination = s3_destination(api, ingestion)
        stream = firehose_destination(api, ingestion)

        to_s3, to_firehose = m.deliver_audit_logs(ingestion["arn"], events=events)

        assert to_s3.trigger == "control" and to_s3.event_count == 2
        body = m.delivery_sink.get_object(to_s3.bucket, to_s3.key)
        assert body.decode().splitlines() == [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in events]
        assert to_firehose.stream == "audit-stream" and len(to_firehose.record_ids) == 2
        assert m.delivered_events(destination["arn"]) == events
        assert m.delivered_events(stream) == events


def test_the_control_generates_count_events_dated_just_before_now() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        destination = s3_destination(api, ingestion)

        [delivery] = m.deliver_audit_logs(ingestion, count=25, destination=destination)

        assert delivery.event_count == 25 and delivery.delivered_at == dt.datetime(2024, 6, 1, 9, tzinfo=UTC)
        assert all(START_MS - 60_000 < e["time"] <= START_MS for e in m.delivered_events())


def test_the_control_checks_its_arguments() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        with pytest.raises(ValueError, match="not an ingestion ARN"):
            m.deliver_audit_logs(ingestion["appBundleArn"])
        with pytest.raises(KeyError):
            m.deliver_audit_logs(ingestion["arn"][:-12] + "000000000000")
        with pytest.raises(ValueError, match="count"):
            m.deliver_audit_logs(ingestion["arn"], count=-1)
        with pytest.raises(TypeError, match="list of events"):
            m.deliver_audit_logs(ingestion["arn"], events={"not": "a list"})
        with pytest.raises(TypeError, match=r"events\[0\]"):
            m.deliver_audit_logs(ingestion["arn"], events=[object()])
        assert m.deliver_audit_logs(ingestion["arn"], events=[]) == []
        assert m.deliver_audit_logs(ingestion["arn"], count=0) == []


def test_reset_forgets_deliveries() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        m.deliver_audit_logs(ingestion["arn"], count=1)
        m.reset()

        assert m.deliveries == ()
        assert m.delivery_sink.store.objects == {}


def test_concurrent_deliveries_lose_nothing() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        errors = []

        def work() -> None:
            try:
                for _ in range(20):
                    m.deliver_audit_logs(ingestion["arn"], count=2)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        deliveries = m.deliveries
        assert len(deliveries) == 160 and len({d.key for d in deliveries}) == 160
        assert [d.seq for d in deliveries] == list(range(1, 161))
        assert len(m.delivered_events()) == 320


def test_clear_deliveries_forgets_them_and_the_schedule_goes_on() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        s3_destination(api, connected_ingestion(api))
        m.clock.advance(HALF_HOUR)
        assert len(m.deliveries) == 1
        m.clear_deliveries()
        assert m.deliveries == () and m.delivered_events() == []
        m.clock.advance(HALF_HOUR)
        assert [d.delivered_at.strftime("%H:%M") for d in m.deliveries] == ["10:00"]
