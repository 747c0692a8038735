"""Server mode: deliveries triggered and read through the control API over HTTP."""

from __future__ import annotations

import http.client
import json
from typing import Any, Tuple

import boto3
from _delivery import HALF_HOUR, START, connected_ingestion, s3_destination
from botocore.config import Config

from appfabric_mock.server import ThreadedServer


def _control(server: ThreadedServer, method: str, action: str, body: Any = None) -> Tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if method == "POST" else {}
        conn.request(method, f"/_appfabric_mock/{action}", body=json.dumps(body) if body is not None else None,
                     headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_deliveries_through_the_control_api() -> None:
    with ThreadedServer(now=START, seed=3) as server:
        api = boto3.client("appfabric", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="AKIDDELIVERY", aws_secret_access_key="fake",
                           config=Config(retries={"total_max_attempts": 1}))
        ingestion = connected_ingestion(api, app="SLACK", tenant="acme.slack.com")
        s3_destination(api, ingestion, prefix="slack/")

        assert _control(server, "POST", "clock/advance", {"seconds": HALF_HOUR})[0] == 200
        status, listed = _control(server, "GET", "deliveries")
        assert status == 200
        [scheduled] = listed["deliveries"]
        assert scheduled["trigger"] == "schedule" and scheduled["key"].startswith("slack/AWSAppFabric/AuditLog/")

        status, made = _control(server, "POST", "deliveries", {"ingestionArn": ingestion["arn"], "count": 3})
        assert status == 200 and [d["eventCount"] for d in made["deliveries"]] == [3]
        status, read = _control(server, "POST", "deliveries/events", {})
        assert status == 200 and len(read["events"]) == 13
        assert {e["metadata"]["product"]["name"] for e in read["events"]} == {"Slack"}

        status, error = _control(server, "POST", "deliveries", {"ingestionArn": "not-an-arn"})
        assert status == 400 and "not an ingestion ARN" in error["error"]
