"""Every successful response is one AWS could send: checked against the model's output shapes."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from helpers import (
    appfabric_client,
    connect,
    credential_for,
    make_authorization,
    make_bundle,
    make_destination,
    make_ingestion,
    poll_tasks,
)

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock._model import service_model
from appfabric_mock.backend.backend import AppFabricBackend
from appfabric_mock.protocol.compiled import protocol
from appfabric_mock.protocol.shapecheck import shape_problems

ALL_OPERATIONS = frozenset(service_model().operation_names)


def _run_every_operation(m: AppFabricMock, client: Any) -> None:
    """A workflow that calls each of the 26 operations at least once, with optional members filled in."""
    bundle = make_bundle(client, customerManagedKeyIdentifier="arn:aws:kms:us-east-1:123456789012:key/k-1",
                         tags=[{"key": "team", "value": "sec"}])
    client.get_app_bundle(appBundleIdentifier=bundle)
    client.list_app_bundles(maxResults=1)

    oauth = make_authorization(client, bundle, app="SLACK", tenant="T1", auth_type="oauth2")
    api = make_authorization(client, bundle, tenant="org-1", tags=[{"key": "k", "value": "v"}])
    ids = {"appBundleIdentifier": bundle}
    client.get_app_authorization(**ids, appAuthorizationIdentifier=oauth["appAuthorizationArn"])
    first = client.list_app_authorizations(**ids, maxResults=1)
    client.list_app_authorizations(**ids, nextToken=first["nextToken"])
    connect(client, oauth)
    connect(client, api)
    client.update_app_authorization(**ids, appAuthorizationIdentifier=api["appAuthorizationArn"],
                                    credential=credential_for("apiKey", api_key="rotated"))
    connect(client, api)

    ingestion = make_ingestion(client, bundle, app="TERRAFORMCLOUD", tenant="org-1")
    make_ingestion(client, bundle, app="SLACK", tenant="T1")
    ing_ids = {**ids, "ingestionIdentifier": ingestion["arn"]}
    client.get_ingestion(**ing_ids)
    client.list_ingestions(**ids, maxResults=1)
    client.stop_ingestion(**ing_ids)
    client.start_ingestion(**ing_ids)

    s3 = make_destination(client, ingestion, bucket="audit-bucket")
    firehose = client.create_ingestion_destination(
        **ing_ids,
        processingConfiguration={"auditLog": {"schema": "raw", "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"firehoseStream": {"streamName": "audit-stream"}}}},
        tags=[{"key": "d", "value": "1"}],
    )["ingestionDestination"]
    m.set_destination_failed(firehose["arn"])
    client.get_ingestion_destination(**ing_ids, ingestionDestinationIdentifier=firehose["arn"])
    client.list_ingestion_destinations(**ing_ids, maxResults=1)
    client.update_ingestion_destination(
        **ing_ids, ingestionDestinationIdentifier=s3["arn"],
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "other", "prefix": "p/"}}}},
    )

    client.tag_resource(resourceArn=s3["arn"], tags=[{"key": "x", "value": "y"}])
    client.list_tags_for_resource(resourceArn=s3["arn"])
    client.untag_resource(resourceArn=s3["arn"], tagKeys=["x"])

    m.add_app_user(app="TERRAFORMCLOUD", tenant_id="org-1", email="jane@example.com", user_id="u-1",
                   first_name="Jane", last_name="Doe")
    m.set_authorization_status(oauth["appAuthorizationArn"], "TokenAutoRotationFailed")
    tasks = client.start_user_access_tasks(appBundleIdentifier=bundle, email="jane@example.com")
    task_ids = [t["taskId"] for t in tasks["userAccessTasksList"] if "taskId" in t]
    assert task_ids
    unknown_task = "00000000-0000-4000-8000-000000000000"
    for _ in range(2):  # in progress, then completed
        client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=task_ids + [unknown_task])
    nobody = client.start_user_access_tasks(appBundleIdentifier=bundle, email="nobody@example.com")
    poll_tasks(client, bundle, [t["taskId"] for t in nobody["userAccessTasksList"] if "taskId" in t])

    for destination in (s3, firehose):
        client.delete_ingestion_destination(**ing_ids, ingestionDestinationIdentifier=destination["arn"])
    for each in client.list_ingestions(**ids)["ingestions"]:
        client.delete_ingestion(**ids, ingestionIdentifier=each["arn"])
    for auth in (oauth, api):
        client.delete_app_authorization(**ids, appAuthorizationIdentifier=auth["appAuthorizationArn"])
    client.delete_app_bundle(appBundleIdentifier=bundle)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dict[str, Any]]:
    """Run the workflow; keep every backend result and every raw response body, by operation."""
    results: List[Tuple[str, Any]] = []
    for name, spec in protocol().operations.items():
        original = getattr(AppFabricBackend, spec.method_name)

        def wrapper(self: Any, params: Any, _original: Any = original, _name: str = name) -> Any:
            result = _original(self, params)
            results.append((_name, result))
            return result

        monkeypatch.setattr(AppFabricBackend, spec.method_name, wrapper)

    wire: List[Tuple[str, int, bytes]] = []
    with mock_appfabric() as m:
        client = appfabric_client()

        def keep(http_response: Any, model: Any, **_: Any) -> None:
            wire.append((model.name, http_response.status_code, http_response.content))

        client.meta.events.register("after-call.appfabric", keep)
        _run_every_operation(m, client)
    yield {"results": results, "wire": wire}


def test_the_suite_checks_responses_in_every_mock() -> None:
    assert os.environ.get("APPFABRIC_MOCK_CHECK_RESPONSES") == "1"
    with mock_appfabric() as m:
        assert m.state.check_responses is True


def test_every_operation_is_covered(recorded: Dict[str, Any]) -> None:
    assert {name for name, _ in recorded["results"]} == ALL_OPERATIONS
    assert len(ALL_OPERATIONS) == 26
    assert {name for name, status, _ in recorded["wire"] if status < 300} == ALL_OPERATIONS


def test_every_backend_result_matches_its_output_shape(recorded: Dict[str, Any]) -> None:
    model = service_model()
    for name, result in recorded["results"]:
        shape = model.operation_model(name).output_shape
        assert shape is not None
        assert shape_problems(shape, result) == [], name


def test_every_wire_body_matches_its_output_shape(recorded: Dict[str, Any]) -> None:
    model = service_model()
    for name, status, body in recorded["wire"]:
        operation = model.operation_model(name)
        assert status == operation.http.get("responseCode", 200), name
        if status == 204:
            assert body == b"", name
            continue
        document = json.loads(body)
        assert shape_problems(operation.output_shape, document) == [], name


def test_optional_members_were_exercised(recorded: Dict[str, Any]) -> None:
    wire = b"\n".join(body for _, _, body in recorded["wire"])
    for member in (b'"customerManagedKeyArn"', b'"authUrl"', b'"nextToken"', b'"statusReason"',
                   b'"userFirstName"', b'"taskError"', b'"error"', b'"prefix"', b'"firehoseStream"'):
        assert member in wire, member


# -- the checker itself -------------------------------------------------------------------------
def _shape(operation: str) -> Any:
    return service_model().operation_model(operation).output_shape


def test_shape_problems_finds_a_member_the_shape_lacks() -> None:
    problems = shape_problems(_shape("GetAppBundle"), {"appBundle": {"arn": "a", "name": "extra"}})
    assert len(problems) == 1
    assert "name" in problems[0] and "not a member" in problems[0]


@pytest.mark.parametrize(
    ("operation", "value", "fragment"),
    [
        ("GetAppBundle", {}, "appBundle: required member missing"),
        ("GetAppBundle", {"appBundle": {}}, "arn: required member missing"),
        ("GetAppBundle", {"appBundle": {"arn": 5}}, "expected a string"),
        ("GetAppBundle", {"appBundle": ["arn"]}, "expected a structure"),
        ("ListAppBundles", {"appBundleSummaryList": {"arn": "a"}}, "expected a list"),
        ("ListTagsForResource", {"tags": [{"key": "k", "value": "v", "colour": "red"}]}, "colour"),
        ("GetIngestion", {"ingestion": {"arn": "a", "appBundleArn": "b", "app": "c", "tenantId": "d",
                                        "createdAt": dt.datetime(2024, 1, 1), "updatedAt": "2024-01-01T00:00:00Z",
                                        "state": "paused", "ingestionType": "auditLog"}}, "'paused' is not one of"),
        ("GetIngestion", {"ingestion": {"arn": "a", "appBundleArn": "b", "app": "c", "tenantId": "d",
                                        "createdAt": 5, "updatedAt": "x", "state": "enabled",
                                        "ingestionType": "auditLog"}}, "expected a timestamp"),
        ("GetIngestionDestination",
         {"ingestionDestination": {"arn": "a", "ingestionArn": "b",
                                   "processingConfiguration": {"auditLog": {"schema": "ocsf", "format": "json"}},
                                   "destinationConfiguration": {"auditLog": {"destination": {
                                       "s3Bucket": {"bucketName": "b"}, "firehoseStream": {"streamName": "s"}}}}}},
         "a union must have exactly one member"),
    ],
)
def test_shape_problems_finds_other_mistakes(operation: str, value: Any, fragment: str) -> None:
    problems = shape_problems(_shape(operation), value)
    assert any(fragment in problem for problem in problems), problems


def test_shape_problems_accepts_a_correct_value() -> None:
    value = {"appBundleSummaryList": [{"arn": "a"}], "nextToken": "t"}
    assert shape_problems(_shape("ListAppBundles"), value) == []
