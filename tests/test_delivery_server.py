"""Server mode: deliveries triggered and read through the control API over HTTP."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any, Dict, Tuple

import boto3
import pytest
from _delivery import HALF_HOUR, START, connected_ingestion, s3_destination, status_of
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


# -- the directory sink over HTTP: only under the server's delivery directory -------------------


def _api(server: ThreadedServer) -> Any:
    return boto3.client("appfabric", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="AKIDDELIVERY", aws_secret_access_key="fake",
                        config=Config(retries={"total_max_attempts": 1}))


def test_without_a_delivery_dir_the_control_api_cannot_choose_a_directory(tmp_path: Path) -> None:
    with ThreadedServer() as server:
        status, error = _control(server, "POST", "delivery-sink", {"kind": "directory", "path": str(tmp_path)})
        assert status == 400 and "--delivery-dir" in error["error"]
        assert server.mock.delivery_sink.name == "memory"  # unchanged
        # The test's own Python code is trusted: the handle chooses any directory.
        assert server.mock.set_delivery_sink("directory", path=tmp_path).name == "directory"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", [
    "..", "../outside", "a/../../outside", "/etc", "{outside}", "{outside}/sub", "link", "link/sub", "{root}/../x",
])
def test_a_path_that_leaves_the_delivery_dir_is_refused(tmp_path: Path, path: str) -> None:
    root, outside = tmp_path / "deliveries", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    with ThreadedServer(delivery_dir=root) as server:
        status, error = _control(server, "POST", "delivery-sink",
                                 {"kind": "directory", "path": path.format(outside=outside, root=root)})
        assert status == 400 and "leaves this server's delivery directory" in error["error"]
        assert server.mock.delivery_sink.name == "memory"
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(("body", "message"), [
    ({"kind": "directory", "path": "a\x00b"}, "NUL"),
    ({"kind": "directory", "path": 5}, "field 'path' must be a string"),
    ({"kind": "memory", "path": "x"}, "takes no"),
    ({"kind": "directory", "path": "run/" + "a" * 256}, "longer than 255 bytes"),
])
def test_a_bad_directory_request_is_a_400(tmp_path: Path, body: Any, message: str) -> None:
    with ThreadedServer(delivery_dir=tmp_path) as server:
        status, error = _control(server, "POST", "delivery-sink", body)
        assert status == 400 and message in error["error"]


def test_deliveries_land_under_the_delivery_dir(tmp_path: Path) -> None:
    root = tmp_path / "deliveries"  # created by the first delivery
    with ThreadedServer(delivery_dir=root, now=START, seed=3) as server:
        api = _api(server)
        ingestion = connected_ingestion(api, app="SLACK", tenant="acme.slack.com")
        s3_destination(api, ingestion, prefix="slack")

        assert _control(server, "POST", "delivery-sink", {"kind": "directory"}) == (
            200, {"sink": "directory", "path": str(root.resolve())})
        assert _control(server, "POST", "delivery-sink", {"kind": "directory", "path": str(root / "abs")})[1][
            "path"] == str(root.resolve() / "abs")
        assert _control(server, "POST", "delivery-sink", {"kind": "directory", "path": "run-1/./x/.."}) == (
            200, {"sink": "directory", "path": str(root.resolve() / "run-1")})

        status, made = _control(server, "POST", "deliveries", {"ingestionArn": ingestion["arn"], "count": 2})
        assert status == 200
        [delivery] = made["deliveries"]
        written = root / "run-1" / "s3" / "audit-logs" / Path(*delivery["key"].split("/"))
        assert len(written.read_bytes().splitlines()) == 2


def test_a_directory_swapped_for_a_symlink_later_is_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "deliveries", tmp_path / "outside"
    outside.mkdir()
    with ThreadedServer(delivery_dir=root, now=START) as server:
        api = _api(server)
        ingestion = connected_ingestion(api)
        destination = s3_destination(api, ingestion)
        assert _control(server, "POST", "delivery-sink", {"kind": "directory", "path": "run"})[0] == 200
        root.mkdir()
        (root / "run").symlink_to(outside, target_is_directory=True)  # after the check

        assert _control(server, "POST", "deliveries", {"ingestionArn": ingestion["arn"]}) == (200, {"deliveries": []})
        failed = status_of(api, destination)
        assert failed["status"] == "Failed" and "leaves the delivery directory" in failed["statusReason"]
    assert list(outside.iterdir()) == []


def test_the_delivery_dir_must_be_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from appfabric_mock import __main__
    from appfabric_mock import server as server_module

    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(ValueError, match="is not a directory"):
        ThreadedServer(delivery_dir=a_file)
    with pytest.raises(SystemExit) as exited:
        __main__.main(["server", "--delivery-dir", str(a_file)])
    assert exited.value.code == 2 and "--delivery-dir" in capsys.readouterr().err

    seen: Dict[str, Any] = {}
    monkeypatch.setattr(server_module, "serve", lambda *args, **kwargs: seen.update(kwargs) or 0)
    assert __main__.main(["server", "--delivery-dir", str(tmp_path)]) == 0
    assert seen["delivery_dir"] == str(tmp_path)


def test_a_directory_the_host_cannot_write_to_fails_the_destination(tmp_path: Path) -> None:
    root = tmp_path / "deliveries"
    root.mkdir()
    (root / "s3").write_text("a file where the sink needs a folder")
    with ThreadedServer(delivery_dir=root, now=START) as server:
        api = _api(server)
        ingestion = connected_ingestion(api)
        destination = s3_destination(api, ingestion)
        assert _control(server, "POST", "delivery-sink", {"kind": "directory"})[0] == 200

        assert _control(server, "POST", "deliveries", {"ingestionArn": ingestion["arn"]}) == (200, {"deliveries": []})
        failed = status_of(api, destination)
        assert failed["status"] == "Failed" and "cannot be written to" in failed["statusReason"]
