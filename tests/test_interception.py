"""What the mock answers and what it leaves alone: early clients, threads, other services, moto, requests."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import boto3
import botocore.endpoint
import botocore.session
import botocore.signers
import pytest
import requests
import responses
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import EndpointConnectionError, NoCredentialsError
from botocore.stub import Stubber
from helpers import (
    NO_RETRIES,
    UUID_PATTERN,
    appfabric_client,
    make_authorization,
    make_bundle,
    seams_patched,
    without_aws_credentials,
)
from moto import mock_aws
from requests.adapters import HTTPAdapter

from appfabric_mock import current_mock, mock_appfabric, patching

ORIGINAL_DO_GET_RESPONSE = botocore.endpoint.Endpoint.__dict__["_do_get_response"]
ORIGINAL_ADAPTER_SEND = HTTPAdapter.send
ORIGINAL_SIGN = botocore.signers.RequestSigner.__dict__["sign"]
UNREACHABLE = "http://127.0.0.1:9"
APPFABRIC_ENDPOINT = "https://appfabric.us-east-1.amazonaws.com"


def _fully_restored() -> bool:
    return (
        botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_DO_GET_RESPONSE
        and HTTPAdapter.send is ORIGINAL_ADAPTER_SEND
        and botocore.signers.RequestSigner.__dict__["sign"] is ORIGINAL_SIGN
        and not seams_patched()
    )


@pytest.fixture(autouse=True)
def _restored_around_each_test() -> Any:
    assert _fully_restored()
    yield
    assert _fully_restored()


def _explicit_client(service: str, **kwargs: Any) -> Any:
    """A client with its own credentials: usable outside any mock."""
    return boto3.session.Session().client(
        service,
        region_name="us-east-1",
        aws_access_key_id="AKIAEXPLICIT00000000",
        aws_secret_access_key="explicit-secret",
        config=NO_RETRIES,
        **kwargs,
    )


def test_client_created_before_the_mock_is_intercepted() -> None:
    early = _explicit_client("appfabric")
    with mock_appfabric():
        arn = make_bundle(early)
        assert [b["arn"] for b in early.list_app_bundles()["appBundleSummaryList"]] == [arn]


def test_client_with_custom_endpoint_is_answered_while_active_and_not_after() -> None:
    client = _explicit_client("appfabric", endpoint_url=UNREACHABLE)
    with mock_appfabric():
        assert client.list_app_bundles()["appBundleSummaryList"] == []
    # Once stopped, the same client talks to its endpoint again (nothing listens there).
    with pytest.raises(EndpointConnectionError):
        client.list_app_bundles()


def test_plain_botocore_clients_are_intercepted() -> None:
    with mock_appfabric():
        client = botocore.session.get_session().create_client("appfabric", region_name="eu-west-1")
        arn = make_bundle(client)
        assert arn.startswith("arn:aws:appfabric:eu-west-1:")


def test_a_users_stubber_still_answers_its_client() -> None:
    with mock_appfabric():
        stubbed = appfabric_client()
        canned = {"appBundleSummaryList": [{"arn": "arn:aws:appfabric:us-east-1:123456789012:appbundle/stub"}]}
        with Stubber(stubbed) as stubber:
            stubber.add_response("list_app_bundles", canned)
            assert stubbed.list_app_bundles()["appBundleSummaryList"] == canned["appBundleSummaryList"]
            stubber.assert_no_pending_responses()
        # Other clients, and the same one once unstubbed, are answered by the mock.
        assert appfabric_client().list_app_bundles()["appBundleSummaryList"] == []
        assert stubbed.list_app_bundles()["appBundleSummaryList"] == []


def test_calls_from_eight_threads_are_all_answered() -> None:
    workers = 8
    with mock_appfabric():
        shared = appfabric_client()
        bundle = make_bundle(shared)
        barrier = threading.Barrier(workers)

        def work(index: int) -> Dict[str, Any]:
            own = boto3.session.Session().client("appfabric", region_name="us-east-1")
            barrier.wait()
            created = make_authorization(own, bundle, tenant=f"tenant-{index}")
            got = shared.get_app_authorization(
                appBundleIdentifier=bundle, appAuthorizationIdentifier=created["appAuthorizationArn"]
            )["appAuthorization"]
            listed = shared.list_app_bundles()["appBundleSummaryList"]
            return {"created": created, "got": got, "listed": listed}

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(work, range(workers)))

        assert len(results) == workers
        for index, result in enumerate(results):
            assert result["created"]["tenant"]["tenantIdentifier"] == f"tenant-{index}"
            assert result["got"]["appAuthorizationArn"] == result["created"]["appAuthorizationArn"]
            assert result["listed"] == [{"arn": bundle}]
        summaries = shared.list_app_authorizations(appBundleIdentifier=bundle)["appAuthorizationSummaryList"]
        assert sorted(s["tenant"]["tenantIdentifier"] for s in summaries) == sorted(
            f"tenant-{i}" for i in range(workers)
        )
        assert len({r["created"]["appAuthorizationArn"] for r in results}) == workers


@pytest.mark.parametrize("service", ["sts", "s3"])
def test_other_services_pass_through(service: str) -> None:
    other = _explicit_client(service, endpoint_url=UNREACHABLE)
    with mock_appfabric():
        with pytest.raises(EndpointConnectionError):
            if service == "sts":
                other.get_caller_identity()
            else:
                other.list_buckets()
        # AppFabric is answered in the same breath.
        assert appfabric_client().list_app_bundles()["appBundleSummaryList"] == []


def test_strict_regions_cannot_reach_regions_without_appfabric() -> None:
    with mock_appfabric(strict_regions=True):
        outside = boto3.session.Session().client("appfabric", region_name="us-west-2", config=NO_RETRIES)
        with pytest.raises(EndpointConnectionError):
            outside.list_app_bundles()
        for region in ("us-east-1", "eu-west-1", "ap-northeast-1"):
            assert appfabric_client(region).list_app_bundles()["appBundleSummaryList"] == []
    with mock_appfabric():  # by default every region answers
        assert appfabric_client("us-west-2").list_app_bundles()["appBundleSummaryList"] == []


def _appfabric_and_moto_both_answer() -> None:
    appfabric = appfabric_client()
    arn = make_bundle(appfabric)
    assert appfabric.get_app_bundle(appBundleIdentifier=arn)["appBundle"]["arn"] == arn
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="appfabric-audit-logs")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["appfabric-audit-logs"]
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    scheduler.create_schedule_group(Name="audit")
    assert "audit" in [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]


def test_moto_outer_appfabric_inner() -> None:
    with mock_aws(), mock_appfabric():
        _appfabric_and_moto_both_answer()


def test_appfabric_outer_moto_inner() -> None:
    with mock_appfabric(), mock_aws():
        _appfabric_and_moto_both_answer()


def test_moto_started_while_appfabric_is_active_and_stopped_first() -> None:
    with mock_appfabric():
        arn = make_bundle(appfabric_client())
        with mock_aws():
            assert [b["arn"] for b in appfabric_client().list_app_bundles()["appBundleSummaryList"]] == [arn]
        # moto gone, AppFabric still answered from the same state.
        assert [b["arn"] for b in appfabric_client().list_app_bundles()["appBundleSummaryList"]] == [arn]


# -- requests ------------------------------------------------------------------------------------
def _signed(method: str, path: str, body: Any = None, access_key: str = "AKIAREQUESTS00000000") -> requests.Response:
    data = json.dumps(body) if body is not None else None
    request = AWSRequest(
        method=method,
        url=APPFABRIC_ENDPOINT + path,
        data=data,
        headers={"Content-Type": "application/json"} if data is not None else {},
    )
    SigV4Auth(Credentials(access_key, "requests-secret"), "appfabric", "us-east-1").add_auth(request)
    return requests.request(method, request.url, data=request.body, headers=dict(request.headers))


def test_signed_requests_traffic_is_answered_next_to_a_users_responses_mock() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as users_mock:
        users_mock.add(responses.GET, "https://api.example.test/health", json={"ok": True})
        users_send = HTTPAdapter.send
        assert users_send is not ORIGINAL_ADAPTER_SEND

        with mock_appfabric(accounts={"AKIAREQUESTS00000000": "111111111111"}):
            created = _signed("POST", "/appbundles", {})
            assert created.status_code == 201
            arn = created.json()["appBundle"]["arn"]
            assert re.match(rf"^arn:aws:appfabric:us-east-1:111111111111:appbundle/{UUID_PATTERN}$", arn)

            listed = _signed("GET", "/appbundles")
            assert listed.status_code == 200
            assert listed.json()["appBundleSummaryList"] == [{"arn": arn}]

            missing = _signed("GET", "/appbundles/00000000-0000-4000-8000-000000000000")
            assert missing.status_code == 404
            assert missing.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"

            # The user's own mock keeps answering its URL.
            assert requests.get("https://api.example.test/health").json() == {"ok": True}

        # Stopped: the user's mock is in place again, exactly as before.
        assert HTTPAdapter.send is users_send
        assert requests.get("https://api.example.test/health").json() == {"ok": True}
        assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_DO_GET_RESPONSE
    assert HTTPAdapter.send is ORIGINAL_ADAPTER_SEND


def test_requests_to_other_hosts_pass_through() -> None:
    with mock_appfabric():
        assert HTTPAdapter.send is not ORIGINAL_ADAPTER_SEND
        with pytest.raises(requests.ConnectionError):
            requests.get(UNREACHABLE + "/not-appfabric", timeout=5)
        assert _signed("GET", "/appbundles").json() == {"appBundleSummaryList": []}


def test_requests_and_boto3_share_one_state() -> None:
    with mock_appfabric():
        arn = make_bundle(appfabric_client())
        listed: List[Dict[str, str]] = _signed("GET", "/appbundles").json()["appBundleSummaryList"]
        assert listed == [{"arn": arn}]


def test_requests_answers_are_real_responses_streamed_or_not() -> None:
    with mock_appfabric(), requests.Session() as session:
        arn = make_bundle(appfabric_client())
        url = f"{APPFABRIC_ENDPOINT}/appbundles/{arn.rsplit('/', 1)[-1]}"
        plain = session.get(url)
        assert (plain.status_code, plain.reason, plain.ok) == (200, "OK", True)
        assert plain.headers["content-type"] == "application/json"  # any case, as requests allows
        assert plain.json() == {"appBundle": {"arn": arn}} and plain.url == url
        streamed = session.get(url, stream=True)
        assert b"".join(streamed.iter_content(chunk_size=7)) == plain.content
        missing = session.get(url.replace(arn.rsplit("/", 1)[-1], "00000000-0000-4000-8000-000000000000"))
        assert (missing.status_code, missing.reason) == (404, "Not Found")
        with pytest.raises(requests.HTTPError):
            missing.raise_for_status()
        deleted = session.delete(url)
        assert (deleted.status_code, deleted.content) == (204, b"")  # the model's 204: no body at all


def test_requests_traffic_needs_no_responses_package() -> None:
    # `responses` is the user's business: the mock answers requests traffic without it.
    script = """
import sys
sys.modules["responses"] = None  # importing it now fails
import requests
from appfabric_mock import mock_appfabric
with mock_appfabric():
    answer = requests.get("https://appfabric.eu-west-1.amazonaws.com/appbundles", timeout=5)
print(answer.status_code, answer.json())
"""
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["200 {'appBundleSummaryList': []}"]


def test_nothing_of_the_mock_remains_after_stop() -> None:
    m = mock_appfabric().start()
    assert seams_patched()
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is not ORIGINAL_DO_GET_RESPONSE
    assert HTTPAdapter.send is not ORIGINAL_ADAPTER_SEND
    m.stop()
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_DO_GET_RESPONSE
    assert HTTPAdapter.send is ORIGINAL_ADAPTER_SEND
    assert not seams_patched()
    assert current_mock() is None and patching.waiting_for() == []


def test_a_client_created_without_credentials_before_the_mock_is_answered(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # A CI machine with no AWS configuration at all, and a module-level client.
    without_aws_credentials(monkeypatch, tmp_path)
    client = boto3.session.Session().client("appfabric", region_name="eu-west-1", config=NO_RETRIES)
    s3 = boto3.session.Session().client("s3", region_name="eu-west-1", config=NO_RETRIES)
    with pytest.raises(NoCredentialsError):
        client.list_app_bundles()

    with mock_appfabric() as m:
        arn = client.create_app_bundle()["appBundle"]["arn"]
        assert arn.startswith("arn:aws:appfabric:eu-west-1:123456789012:appbundle/")
        assert m.calls[-1].access_key_id == "AKIAAPPFABRICMOCK000"
        # Other services keep botocore's behaviour: no credentials, no call.
        with pytest.raises(NoCredentialsError):
            s3.list_buckets()

    # The client was never given the fake credentials: after the mock, it is as it was.
    assert client._request_signer._credentials is None
    with pytest.raises(NoCredentialsError):
        client.list_app_bundles()


def test_requests_imported_only_after_the_mock_started_is_answered_too() -> None:
    # `requests` is already imported in this process, so the scenario runs in a fresh one.
    script = """
import sys
from appfabric_mock import mock_appfabric
from appfabric_mock.patching import waiting_for
assert "requests" not in sys.modules
with mock_appfabric():
    import requests  # lazily, by the code under test
    answer = requests.get("https://appfabric.eu-west-1.amazonaws.com/appbundles", timeout=5)
    print(answer.status_code, answer.json())
    from requests.adapters import HTTPAdapter
    patched = HTTPAdapter.send
print(HTTPAdapter.send is not patched, waiting_for() == [])
"""
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["200 {'appBundleSummaryList': []}", "True True"]
