"""A mock that runs for long keeps a bounded number of audit-log deliveries, and says so once."""

from __future__ import annotations

import http.client
import json
import warnings
from pathlib import Path
from typing import Any, Dict, List

import boto3
import pytest
from _delivery import START, client, connected_ingestion, firehose_destination, s3_destination
from botocore.config import Config

from appfabric_mock import AppFabricMockWarning, mock_appfabric
from appfabric_mock.config import DEFAULT_RECORDED_DELIVERIES
from appfabric_mock.persistence import StateFileError
from appfabric_mock.server import SERVER_RECORDED_CALLS, SERVER_RECORDED_DELIVERIES, ThreadedServer

DROPPING = "keeps the latest 2 audit-log deliveries"


def _ingestion_with_two_destinations() -> Dict[str, Any]:
    api = client()
    ingestion = connected_ingestion(api)
    s3_destination(api, ingestion)
    firehose_destination(api, ingestion)
    return ingestion


def _held(m: Any) -> Dict[str, List[str]]:
    """What the in-memory sink holds: object keys and record ids."""
    store = m.delivery_sink.store
    return {"keys": [key for objects in store.objects.values() for key in objects],
            "records": [r.record_id for records in store.records.values() for r in records]}


def _kept(m: Any) -> Dict[str, List[str]]:
    """What the kept deliveries delivered: object keys and record ids."""
    return {"keys": [d.key for d in m.deliveries if d.key is not None],
            "records": [rid for d in m.deliveries for rid in d.record_ids]}


def test_the_oldest_deliveries_and_their_content_are_dropped_with_one_warning() -> None:
    assert DEFAULT_RECORDED_DELIVERIES == 10_000
    with mock_appfabric(now=START, seed=1, max_recorded_deliveries=2) as m:
        assert m.state.data_plane.max_deliveries == 2
        ingestion = _ingestion_with_two_destinations()
        m.deliver_audit_logs(ingestion["arn"], count=3)  # one object, three records: the bound is full
        with pytest.warns(AppFabricMockWarning, match=DROPPING):
            m.deliver_audit_logs(ingestion["arn"], count=3)
        with warnings.catch_warnings():
            warnings.simplefilter("error", AppFabricMockWarning)
            m.deliver_audit_logs(ingestion["arn"], count=3)  # once only
        assert [d.seq for d in m.deliveries] == [5, 6]
        assert _held(m) == _kept(m) and len(_held(m)["keys"]) == 1 and len(_held(m)["records"]) == 3
        assert len(m.delivered_events()) == 6


def test_a_scheduled_delivery_past_the_bound_never_fails_the_call() -> None:
    with mock_appfabric(now=START, max_recorded_deliveries=1) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)
        m.clock.advance(hours=1)  # two delivery times fall due before the next call
        with warnings.catch_warnings():
            warnings.simplefilter("error", AppFabricMockWarning)
            assert api.list_app_bundles()["appBundleSummaryList"]  # the warning is logged instead
        assert len(m.deliveries) == 1 and len(_held(m)["keys"]) == 1


def test_none_keeps_every_delivery_and_zero_keeps_none_quietly() -> None:
    with mock_appfabric(now=START, max_recorded_deliveries=None) as m:
        ingestion = _ingestion_with_two_destinations()
        for _ in range(3):
            m.deliver_audit_logs(ingestion["arn"], count=1)
        assert len(m.deliveries) == 6 and m.state.data_plane.max_deliveries is None
    with mock_appfabric(now=START, max_recorded_deliveries=0) as m:
        ingestion = _ingestion_with_two_destinations()
        with warnings.catch_warnings():
            warnings.simplefilter("error", AppFabricMockWarning)
            assert len(m.deliver_audit_logs(ingestion["arn"], count=1)) == 2  # made, then not kept
        assert m.deliveries == () and _held(m) == {"keys": [], "records": []}


@pytest.mark.parametrize(("bad", "error"), [(-1, ValueError), (1.5, TypeError), ("10", TypeError), (True, TypeError)])
def test_the_bound_must_be_a_count(bad: object, error: type) -> None:
    with pytest.raises(error, match="max_recorded_deliveries"):
        mock_appfabric(max_recorded_deliveries=bad)


def test_a_state_file_carries_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(now=START, max_recorded_deliveries=2, state_file=path) as m:
        ingestion = _ingestion_with_two_destinations()
        with pytest.warns(AppFabricMockWarning, match=DROPPING):
            m.deliver_audit_logs(ingestion["arn"], count=1)
            m.deliver_audit_logs(ingestion["arn"], count=1)
        kept = m.deliveries
    assert json.loads(path.read_text())["state"]["dataPlane"]["maxRecordedDeliveries"] == 2

    with mock_appfabric(state_file=path) as m:  # the saved configuration applies
        assert m.state.data_plane.max_deliveries == 2 and m.deliveries == kept
        assert _held(m) == _kept(m)

    # A file written before the bound existed keeps the mock's; what is beyond it is dropped.
    document = json.loads(path.read_text())
    del document["state"]["dataPlane"]["maxRecordedDeliveries"]
    path.write_text(json.dumps(document))
    with mock_appfabric(max_recorded_deliveries=1) as m:
        m.load(path)
        assert m.state.data_plane.max_deliveries == 1 and m.deliveries == kept[1:]
        assert _held(m) == _kept(m) and len(_held(m)["records"]) == 1

    document["state"]["dataPlane"]["maxRecordedDeliveries"] = -3
    path.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match="maxRecordedDeliveries"), mock_appfabric() as m:
        m.load(path)


def test_a_server_bounds_deliveries_made_through_the_control_api() -> None:
    with ThreadedServer(now=START, max_recorded_deliveries=1) as server:
        api = boto3.client("appfabric", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="AKIDBOUND", aws_secret_access_key="fake",
                           config=Config(retries={"total_max_attempts": 1}))
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion)

        def deliver() -> Any:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                conn.request("POST", "/_appfabric_mock/deliveries", body=json.dumps({"ingestionArn": ingestion["arn"]}),
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                return response.status, json.loads(response.read())
            finally:
                conn.close()

        assert deliver()[0] == 200
        with pytest.warns(AppFabricMockWarning, match="keeps the latest 1 audit-log deliveries"):
            status, made = deliver()
        assert status == 200 and [d.seq for d in server.mock.deliveries] == [made["deliveries"][0]["seq"]] == [2]


def test_the_command_line_server_bounds_its_call_log_and_deliveries(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from appfabric_mock import server as server_module

    seen: Dict[str, Any] = {}

    class NeverListens(ThreadedServer):
        def start(self) -> "ThreadedServer":
            seen.update(calls=self.state.recorder.limit, deliveries=self.state.data_plane.max_deliveries)
            raise OSError(98, "taken")

    monkeypatch.setattr(server_module, "ThreadedServer", NeverListens)
    assert server_module.serve(port=0, quiet=True) == 1
    assert seen == {"calls": SERVER_RECORDED_CALLS, "deliveries": SERVER_RECORDED_DELIVERIES} == {
        "calls": 10_000, "deliveries": 1_000}
    assert server_module.serve(port=0, quiet=True, max_recorded_deliveries=None) == 1
    assert seen["deliveries"] is None
    assert "cannot listen" in capsys.readouterr().err
