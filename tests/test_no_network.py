"""No network: with sockets blocked for everything but loopback, every AppFabric call still works;
after stop, nothing of the mock remains and AppFabric traffic goes to the network again."""

from __future__ import annotations

import os
import socket
import sys
import threading
from typing import List

import boto3
import botocore.endpoint
import pytest
import requests
from botocore.exceptions import EndpointConnectionError
from helpers import (
    NO_RETRIES,
    connect,
    make_authorization,
    make_bundle,
    make_destination,
    make_ingestion,
    seams_patched,
)
from requests.adapters import HTTPAdapter

from appfabric_mock import current_mock, mock_appfabric, no_retry_sleep

ORIGINAL_DO_GET_RESPONSE = botocore.endpoint.Endpoint.__dict__["_do_get_response"]


def test_the_blocking_really_blocks(blocked_network: List[str]) -> None:
    with pytest.raises(OSError):
        socket.create_connection(("198.51.100.7", 443), timeout=1)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("appfabric.us-east-1.amazonaws.com", 443)
    assert blocked_network == ["198.51.100.7", "appfabric.us-east-1.amazonaws.com"]


def test_every_call_works_without_network(blocked_network: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)  # the mock's fake credentials: no metadata service either
    with mock_appfabric() as m:
        client = boto3.client("appfabric", region_name="us-east-1", config=NO_RETRIES)
        bundle = make_bundle(client)
        auth = make_authorization(client, bundle, app="SLACK", auth_type="oauth2")
        connect(client, auth)
        ingestion = make_ingestion(client, bundle, app="SLACK")
        destination = make_destination(client, ingestion)
        ids = {"appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["arn"]}
        client.stop_ingestion(**ids)
        client.start_ingestion(**ids)
        client.tag_resource(resourceArn=bundle, tags=[{"key": "k", "value": "v"}])
        client.untag_resource(resourceArn=bundle, tagKeys=["k"])
        client.list_tags_for_resource(resourceArn=bundle)
        for paginator in ("list_app_bundles", "list_app_authorizations", "list_ingestions"):
            kwargs = {} if paginator == "list_app_bundles" else {"appBundleIdentifier": bundle}
            list(client.get_paginator(paginator).paginate(**kwargs))
        client.list_ingestion_destinations(**ids)
        client.get_app_bundle(appBundleIdentifier=bundle)
        client.get_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"])
        client.get_ingestion(**ids)
        client.get_ingestion_destination(ingestionDestinationIdentifier=destination["arn"], **ids)
        tasks = client.start_user_access_tasks(appBundleIdentifier=bundle, email="a@example.com")
        client.batch_get_user_access_tasks(appBundleIdentifier=bundle,
                                           taskIdList=[t["taskId"] for t in tasks["userAccessTasksList"]])
        client.update_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=auth["appAuthorizationArn"],
                                        tenant={"tenantIdentifier": "tenant-1", "tenantDisplayName": "Renamed"})
        client.update_ingestion_destination(
            ingestionDestinationIdentifier=destination["arn"],
            destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "other"}}}}, **ids)
        client.delete_ingestion_destination(ingestionDestinationIdentifier=destination["arn"], **ids)
        client.delete_ingestion(**ids)
        client.delete_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=auth["appAuthorizationArn"])
        client.delete_app_bundle(appBundleIdentifier=bundle)
        # The `requests` seam (SigV4-signed requests from other libraries) needs no network either.
        answer = requests.get("https://appfabric.us-east-1.amazonaws.com/appbundles", timeout=5)
        assert answer.status_code == 200 and answer.json() == {"appBundleSummaryList": []}

        operations = {c.operation for c in m.calls}
    assert len(operations) == len(client.meta.service_model.operation_names) == 26  # every operation answered
    assert all(c.ok for c in m.calls)
    assert blocked_network == []  # and nothing tried to leave the machine


def test_after_stop_nothing_of_the_mock_remains(blocked_network: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    environment = dict(os.environ)
    adapter_send = HTTPAdapter.send
    endpoint_time = botocore.endpoint.time
    threads = threading.active_count()
    assert "requests" in sys.modules  # so the mock also patches the requests seam

    with mock_appfabric(unfired_faults="ignore") as m:
        boto3.client("appfabric", region_name="us-east-1").create_app_bundle()
        m.inject_fault("GetAppBundle", "ThrottlingException")
        m.deny("appfabric:DeleteAppBundle")
        assert seams_patched() and os.environ != environment

    assert not seams_patched()
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_DO_GET_RESPONSE
    assert HTTPAdapter.send is adapter_send
    assert botocore.endpoint.time is endpoint_time
    assert dict(os.environ) == environment
    assert current_mock() is None
    assert threading.active_count() == threads
    # A client now goes to the network, which the test blocks: the mock no longer answers.
    client = boto3.client("appfabric", region_name="us-east-1", config=NO_RETRIES,
                          aws_access_key_id="AKIDAFTERSTOP", aws_secret_access_key="not-a-real-secret")
    with no_retry_sleep(), pytest.raises(EndpointConnectionError):
        client.list_app_bundles()
    assert blocked_network == ["appfabric.us-east-1.amazonaws.com"]
    with pytest.raises(requests.ConnectionError):
        requests.get("https://appfabric.us-east-1.amazonaws.com/appbundles", timeout=5)
