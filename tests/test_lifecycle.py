"""End to end: bundle -> authorization -> ingestion -> destination, torn down in the only order AWS allows."""

from __future__ import annotations

import pytest

from appfabric_mock import mock_appfabric
from tests._workflow import (
    client,
    expect_error,
    firehose,
    last_id,
    new_authorization,
    new_bundle,
    new_destination,
    new_ingestion,
    processing,
    s3,
)


def _build(api, ids=lambda arn: arn):
    """Create the whole chain; ``ids`` picks how later calls name resources (ARN or UUID)."""
    bundle = new_bundle(api, tags=[{"key": "stage", "value": "test"}])
    auth = new_authorization(api, ids(bundle), connect=False)
    assert auth["status"] == "PendingConnect"
    summary = api.connect_app_authorization(
        appBundleIdentifier=ids(bundle), appAuthorizationIdentifier=ids(auth["appAuthorizationArn"])
    )["appAuthorizationSummary"]
    assert summary["status"] == "Connected"
    ingestion = new_ingestion(api, ids(bundle))
    assert ingestion["state"] == "enabled"
    destination = api.create_ingestion_destination(
        appBundleIdentifier=ids(bundle),
        ingestionIdentifier=ids(ingestion["arn"]),
        processingConfiguration=processing("ocsf", "parquet"),
        destinationConfiguration=s3("audit-logs", prefix="appfabric"),
    )["ingestionDestination"]
    assert destination["status"] == "Active"
    return bundle, auth["appAuthorizationArn"], ingestion["arn"], destination["arn"]


def _tear_down(api, bundle, auth, ingestion, destination, ids=lambda arn: arn):
    b, a, i, d = ids(bundle), ids(auth), ids(ingestion), ids(destination)

    def delete_bundle():
        return api.delete_app_bundle(appBundleIdentifier=b)

    def delete_auth():
        return api.delete_app_authorization(appBundleIdentifier=b, appAuthorizationIdentifier=a)

    def delete_ingestion():
        return api.delete_ingestion(appBundleIdentifier=b, ingestionIdentifier=i)

    def delete_destination():
        return api.delete_ingestion_destination(appBundleIdentifier=b, ingestionIdentifier=i,
                                                ingestionDestinationIdentifier=d)

    def refused(delete, resource_type):
        # Only DeleteAppBundle models ConflictException; the others refuse with a ValidationException.
        if resource_type == "AppBundle":
            response = expect_error("ConflictException", 409, delete)
            assert response["resourceType"] == resource_type
        else:
            response = expect_error("ValidationException", 400, delete)
            assert response["reason"] == "other"
        assert response["Error"]["Message"]

    # Everything stands: only the destination can go.
    refused(delete_bundle, "AppBundle")
    refused(delete_auth, "AppAuthorization")
    refused(delete_ingestion, "Ingestion")
    assert delete_destination()["ResponseMetadata"]["HTTPStatusCode"] == 204
    # Its last destination gone, the enabled ingestion is disabled.
    assert api.get_ingestion(appBundleIdentifier=b, ingestionIdentifier=i)["ingestion"]["state"] == "disabled"

    refused(delete_bundle, "AppBundle")
    refused(delete_auth, "AppAuthorization")
    assert delete_ingestion()["ResponseMetadata"]["HTTPStatusCode"] == 204

    refused(delete_bundle, "AppBundle")
    assert delete_auth()["ResponseMetadata"]["HTTPStatusCode"] == 204

    assert delete_bundle()["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert api.list_app_bundles()["appBundleSummaryList"] == []
    # Each is gone, and so are its tags.
    for delete in (delete_destination, delete_ingestion, delete_auth):
        expect_error("ResourceNotFoundException", 404, delete)
    expect_error("ValidationException", 400, delete_bundle)  # DeleteAppBundle models no ResourceNotFound
    for arn in (bundle, auth, ingestion, destination):
        expect_error("ResourceNotFoundException", 404, api.list_tags_for_resource, resourceArn=arn)


def test_build_and_tear_down_by_arn(appfabric_client):
    _tear_down(appfabric_client, *_build(appfabric_client))


def test_build_and_tear_down_by_uuid(appfabric_client):
    _tear_down(appfabric_client, *_build(appfabric_client, ids=last_id), ids=last_id)


def test_tear_down_frees_the_bundle_quota(appfabric_client):
    _tear_down(appfabric_client, *_build(appfabric_client))
    bundle, *_ = _build(appfabric_client)
    assert appfabric_client.list_app_bundles()["appBundleSummaryList"] == [{"arn": bundle}]


def test_state_after_build(appfabric_mock, appfabric_client):
    bundle, auth, ingestion, destination = _build(appfabric_client)
    types = [(r["type"], r["arn"]) for r in appfabric_mock.resources()]
    assert types == [("AppBundle", bundle), ("AppAuthorization", auth), ("Ingestion", ingestion),
                     ("IngestionDestination", destination)]


def test_stopped_ingestion_still_blocks_its_authorization_and_bundle(appfabric_client):
    bundle, auth, ingestion, destination = _build(appfabric_client)
    appfabric_client.delete_ingestion_destination(appBundleIdentifier=bundle, ingestionIdentifier=ingestion,
                                                  ingestionDestinationIdentifier=destination)
    appfabric_client.stop_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestion)
    expect_error("ValidationException", 400, appfabric_client.delete_app_authorization,
                 appBundleIdentifier=bundle, appAuthorizationIdentifier=auth)
    expect_error("ConflictException", 409, appfabric_client.delete_app_bundle, appBundleIdentifier=bundle)


def test_tear_down_of_a_wider_bundle():
    """Two tenants, three destinations: every wrong-order delete is refused until its turn."""
    with mock_appfabric(seed=1) as m:
        api = client()
        m.clock.freeze("2024-05-01T12:00:00Z")
        bundle = new_bundle(api)
        auths = [new_authorization(api, bundle, tenant=t)["appAuthorizationArn"] for t in ("t1", "t2")]
        ingestions = [new_ingestion(api, bundle, tenant=t) for t in ("t1", "t2")]
        destinations = [
            new_destination(api, ingestions[0], s3("one")),
            new_destination(api, ingestions[0], firehose("two")),
            new_destination(api, ingestions[1], s3("three")),
        ]

        def delete_destination(n, ingestion):
            api.delete_ingestion_destination(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"],
                                             ingestionDestinationIdentifier=destinations[n]["arn"])

        # Tenant t2 can be cleared while t1 still has everything.
        delete_destination(2, ingestions[1])
        api.delete_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestions[1]["arn"])
        api.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=auths[1])
        expect_error("ConflictException", 409, api.delete_app_bundle, appBundleIdentifier=bundle)

        delete_destination(0, ingestions[0])
        # One destination left: the ingestion stays enabled and still cannot be deleted.
        state = api.get_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestions[0]["arn"])
        assert state["ingestion"]["state"] == "enabled"
        expect_error("ValidationException", 400, api.delete_ingestion, appBundleIdentifier=bundle,
                     ingestionIdentifier=ingestions[0]["arn"])
        delete_destination(1, ingestions[0])
        api.delete_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestions[0]["arn"])
        api.delete_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=auths[0])
        api.delete_app_bundle(appBundleIdentifier=bundle)
        assert m.resources() == []


@mock_appfabric
def test_the_decorator_form_gives_the_same_rules():
    api = client()
    bundle, auth, ingestion, destination = _build(api)
    expect_error("ValidationException", 400, api.delete_ingestion, appBundleIdentifier=bundle,
                 ingestionIdentifier=ingestion)
    _tear_down(api, bundle, auth, ingestion, destination)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-northeast-1"])
def test_lifecycle_in_each_service_region(appfabric_mock, region):
    api = client(region=region)
    arns = _build(api)
    assert all(f":{region}:" in arn for arn in arns)
    _tear_down(api, *arns)
