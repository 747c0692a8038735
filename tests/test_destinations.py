"""Ingestion destinations: Create, Get, List, Update and Delete, with server-side validation."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from appfabric_mock import mock_appfabric
from tests._workflow import (
    NO_VALIDATION,
    UUID,
    client,
    expect_error,
    expect_invalid,
    firehose,
    ingestion_setup,
    last_id,
    new_authorization,
    new_destination,
    new_ingestion,
    processing,
    s3,
    under,
)

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
MISSING_ID = "00000000-0000-4000-8000-00000000abcd"
DESTINATION = "destinationConfiguration.auditLog.destination"


@pytest.fixture
def ingestion(appfabric_client):
    """An enabled ingestion without destinations."""
    return ingestion_setup(appfabric_client)[1]


def _get(api, ingestion, destination):
    return api.get_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=destination["arn"]
    )["ingestionDestination"]


def _state(api, ingestion):
    return api.get_ingestion(**under(ingestion))["ingestion"]


# -- CreateIngestionDestination ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("destination", "schema", "fmt"),
    [
        (s3(), "ocsf", "json"),
        (s3(), "ocsf", "parquet"),
        (s3(), "raw", "json"),
        (s3("audit-logs", prefix="team/a"), "ocsf", "json"),
        (firehose(), "ocsf", "json"),
        (firehose(), "raw", "json"),
    ],
    ids=["s3-ocsf-json", "s3-ocsf-parquet", "s3-raw-json", "s3-prefix", "firehose-ocsf-json", "firehose-raw-json"],
)
def test_create_destination_is_active_201(appfabric_mock, appfabric_client, ingestion, destination, schema, fmt):
    appfabric_mock.clock.freeze(T0)
    response = appfabric_client.create_ingestion_destination(
        **under(ingestion),
        processingConfiguration=processing(schema, fmt),
        destinationConfiguration=destination,
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    created = response["ingestionDestination"]
    assert re.fullmatch(re.escape(ingestion["arn"]) + f"/ingestiondestination/{UUID}", created["arn"])
    assert created["ingestionArn"] == ingestion["arn"]
    assert created["processingConfiguration"] == processing(schema, fmt)
    assert created["destinationConfiguration"] == destination
    assert created["status"] == "Active"
    assert "statusReason" not in created
    assert created["createdAt"] == created["updatedAt"] == T0


def test_create_destination_on_a_stopped_ingestion(appfabric_client, ingestion):
    appfabric_client.stop_ingestion(**under(ingestion))
    assert new_destination(appfabric_client, ingestion)["status"] == "Active"
    assert _state(appfabric_client, ingestion)["state"] == "disabled"  # creating does not start it


@pytest.mark.parametrize(
    ("destination", "schema"),
    [(s3(), "raw"), (firehose(), "ocsf"), (firehose(), "raw")],
    ids=["s3-raw-parquet", "firehose-ocsf-parquet", "firehose-raw-parquet"],
)
def test_create_destination_rejects_parquet_combinations(appfabric_client, ingestion, destination, schema):
    response = expect_invalid(
        ["processingConfiguration.auditLog.format"], new_destination, appfabric_client, ingestion,
        destination, processing(schema, "parquet"),
    )
    assert "parquet" in response["Error"]["Message"]
    assert appfabric_client.list_ingestion_destinations(**under(ingestion))["ingestionDestinations"] == []


def test_create_destination_quota_is_5_per_ingestion(appfabric_client):
    bundle, first = ingestion_setup(appfabric_client)
    for n in range(5):
        new_destination(appfabric_client, first, s3(f"bucket-{n}"))
    response = expect_error("ServiceQuotaExceededException", 402, new_destination, appfabric_client, first,
                            s3("bucket-5"))
    assert response["serviceCode"] == "appfabric"
    assert response["quotaCode"] == "appfabric-ingestion-destinations-per-ingestion"
    assert response["resourceType"] == "IngestionDestination"
    assert response["resourceId"].startswith(first["arn"] + "/ingestiondestination/")
    # The quota is per ingestion: another ingestion still has room.
    _, second = ingestion_setup(appfabric_client, tenant="tenant-2", bundle=bundle)
    assert new_destination(appfabric_client, second, s3("bucket-5"))["status"] == "Active"
    # Deleting one frees a slot.
    victim = appfabric_client.list_ingestion_destinations(**under(first))["ingestionDestinations"][0]
    appfabric_client.delete_ingestion_destination(**under(first), ingestionDestinationIdentifier=victim["arn"])
    assert new_destination(appfabric_client, first, s3("bucket-6"))["status"] == "Active"


def test_create_destination_quota_can_be_raised():
    with mock_appfabric(quotas={"ingestion_destinations": 6}):
        api = client()
        _, ingestion = ingestion_setup(api)
        for n in range(6):
            new_destination(api, ingestion, s3(f"bucket-{n}"))
        expect_error("ServiceQuotaExceededException", 402, new_destination, api, ingestion, s3("bucket-6"))


@pytest.mark.parametrize("destination", [s3("same", prefix="p"), firehose("same-stream")], ids=["s3", "firehose"])
def test_create_duplicate_destination_conflicts(appfabric_client, ingestion, destination):
    # Mock choice: one ingestion delivers at most once to the same bucket+prefix or stream.
    first = new_destination(appfabric_client, ingestion, destination)
    response = expect_error("ConflictException", 409, new_destination, appfabric_client, ingestion, destination,
                            processing("raw", "json"))
    assert (response["resourceType"], response["resourceId"]) == ("IngestionDestination", first["arn"])


def test_same_bucket_with_another_prefix_is_not_a_duplicate(appfabric_client, ingestion):
    new_destination(appfabric_client, ingestion, s3("bucket"))
    new_destination(appfabric_client, ingestion, s3("bucket", prefix="other"))
    assert len(appfabric_client.list_ingestion_destinations(**under(ingestion))["ingestionDestinations"]) == 2


def test_create_destination_unknown_parent_is_a_validation_error(appfabric_client, ingestion):
    # CreateIngestionDestination models no ResourceNotFoundException.
    missing_ingestion = dict(ingestion, arn=ingestion["appBundleArn"] + "/ingestion/" + MISSING_ID)
    response = expect_error("ValidationException", 400, new_destination, appfabric_client, missing_ingestion)
    assert response["Error"]["Message"] == f"Ingestion {missing_ingestion['arn']} does not exist"
    assert "resourceId" not in response
    missing_bundle = dict(ingestion, appBundleArn=MISSING_ID)
    response = expect_error("ValidationException", 400, new_destination, appfabric_client, missing_bundle)
    assert response["Error"]["Message"] == f"AppBundle {MISSING_ID} does not exist"


# -- server-side validation --------------------------------------------------------------------------------
BAD_CREATE = [
    ("destination-config-empty", {"destinationConfiguration": {}}, ["destinationConfiguration"]),
    ("destination-empty", {"destinationConfiguration": {"auditLog": {"destination": {}}}}, [DESTINATION]),
    ("destination-two-members",
     {"destinationConfiguration": {"auditLog": {"destination": {
         "s3Bucket": {"bucketName": "bucket"}, "firehoseStream": {"streamName": "stream"}}}}},
     [DESTINATION]),
    ("destination-missing", {"destinationConfiguration": {"auditLog": {}}}, [DESTINATION]),
    ("processing-empty", {"processingConfiguration": {}}, ["processingConfiguration"]),
    ("schema-enum", {"processingConfiguration": processing("xml", "json")},
     ["processingConfiguration.auditLog.schema"]),
    ("format-enum", {"processingConfiguration": processing("ocsf", "csv")},
     ["processingConfiguration.auditLog.format"]),
    ("format-missing", {"processingConfiguration": {"auditLog": {"schema": "ocsf"}}},
     ["processingConfiguration.auditLog.format"]),
    ("bucket-2", {"destinationConfiguration": s3("ab")}, [DESTINATION + ".s3Bucket.bucketName"]),
    ("bucket-64", {"destinationConfiguration": s3("b" * 64)}, [DESTINATION + ".s3Bucket.bucketName"]),
    ("prefix-121", {"destinationConfiguration": s3("bucket", prefix="p" * 121)}, [DESTINATION + ".s3Bucket.prefix"]),
    ("prefix-empty", {"destinationConfiguration": s3("bucket", prefix="")}, [DESTINATION + ".s3Bucket.prefix"]),
    ("stream-2", {"destinationConfiguration": firehose("ab")}, [DESTINATION + ".firehoseStream.streamName"]),
    ("stream-65", {"destinationConfiguration": firehose("s" * 65)}, [DESTINATION + ".firehoseStream.streamName"]),
    ("client-token", {"clientToken": "not-a-uuid"}, ["clientToken"]),
    ("both-missing", {"processingConfiguration": None, "destinationConfiguration": None},
     ["processingConfiguration", "destinationConfiguration"]),
]


@pytest.mark.parametrize(("change", "fields"), [c[1:] for c in BAD_CREATE], ids=[c[0] for c in BAD_CREATE])
def test_create_destination_server_side_validation(appfabric_mock, change, fields):
    api = client(NO_VALIDATION)
    _, ingestion = ingestion_setup(api)
    params = {**under(ingestion), "processingConfiguration": processing(),
              "destinationConfiguration": s3(), **change}
    expect_invalid(fields, api.create_ingestion_destination, **{k: v for k, v in params.items() if v is not None})
    assert api.list_ingestion_destinations(**under(ingestion))["ingestionDestinations"] == []


@pytest.mark.parametrize(
    ("bucket", "prefix", "stream"),
    [("abc", None, None), ("b" * 63, "p" * 120, None), (None, None, "abc"), (None, None, "s" * 64)],
    ids=["bucket-3", "bucket-63-prefix-120", "stream-3", "stream-64"],
)
def test_destination_length_limits_are_inclusive(appfabric_client, ingestion, bucket, prefix, stream):
    destination = s3(bucket, prefix) if bucket else firehose(stream)
    assert new_destination(appfabric_client, ingestion, destination)["destinationConfiguration"] == destination


# -- GetIngestionDestination / ListIngestionDestinations --------------------------------------------------------
def test_get_destination_by_arn_and_by_uuid(appfabric_client, ingestion):
    created = new_destination(appfabric_client, ingestion, s3("bucket", prefix="logs"))
    by_arn = appfabric_client.get_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=created["arn"]
    )
    by_uuid = appfabric_client.get_ingestion_destination(
        appBundleIdentifier=last_id(ingestion["appBundleArn"]),
        ingestionIdentifier=last_id(ingestion["arn"]),
        ingestionDestinationIdentifier=last_id(created["arn"]),
    )
    assert by_arn["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert by_arn["ingestionDestination"] == by_uuid["ingestionDestination"] == created


def test_failed_destination_reports_its_reason(appfabric_mock, appfabric_client, ingestion):
    created = new_destination(appfabric_client, ingestion)
    appfabric_mock.set_destination_failed(created["arn"], "Bucket audit-logs is full")
    got = _get(appfabric_client, ingestion, created)
    assert (got["status"], got["statusReason"]) == ("Failed", "Bucket audit-logs is full")


@pytest.mark.parametrize("operation", ["get_ingestion_destination", "delete_ingestion_destination"])
def test_unknown_destination_is_404(appfabric_client, ingestion, operation):
    call = getattr(appfabric_client, operation)
    response = expect_error("ResourceNotFoundException", 404, call, **under(ingestion),
                            ingestionDestinationIdentifier=MISSING_ID)
    assert (response["resourceType"], response["resourceId"]) == ("IngestionDestination", MISSING_ID)


def test_destination_of_another_ingestion_is_404(appfabric_client, ingestion):
    bundle = ingestion["appBundleArn"]
    _, other = ingestion_setup(appfabric_client, tenant="tenant-2", bundle=bundle)
    theirs = new_destination(appfabric_client, other)
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.get_ingestion_destination,
                            **under(ingestion), ingestionDestinationIdentifier=theirs["arn"])
    assert response["resourceType"] == "IngestionDestination"
    # By UUID as well: the destination is looked up under the ingestion in the path.
    expect_error("ResourceNotFoundException", 404, appfabric_client.get_ingestion_destination,
                 **under(ingestion), ingestionDestinationIdentifier=last_id(theirs["arn"]))


def test_list_destinations_returns_arns_in_creation_order(appfabric_client, ingestion):
    made = [new_destination(appfabric_client, ingestion, d)
            for d in (s3("zeta"), firehose("alpha"), s3("mid", prefix="x"))]
    response = appfabric_client.list_ingestion_destinations(**under(ingestion))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ingestionDestinations"] == [{"arn": d["arn"]} for d in made]
    assert "nextToken" not in response


def test_list_destinations_unknown_ingestion_is_404(appfabric_client, ingestion):
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.list_ingestion_destinations,
                            appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=MISSING_ID)
    assert response["resourceType"] == "Ingestion"


# -- UpdateIngestionDestination -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after"),
    [(s3("bucket"), s3("bucket", prefix="new/prefix")), (s3("bucket"), firehose("stream")),
     (firehose("stream"), s3("bucket")), (s3("bucket", prefix="p"), s3("other-bucket"))],
    ids=["s3-prefix", "s3-to-firehose", "firehose-to-s3", "s3-drop-prefix"],
)
def test_update_destination_configuration(appfabric_mock, appfabric_client, ingestion, before, after):
    appfabric_mock.clock.freeze(T0)
    created = new_destination(appfabric_client, ingestion, before, processing("raw", "json"))
    appfabric_mock.clock.advance(seconds=30)
    response = appfabric_client.update_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=created["arn"], destinationConfiguration=after
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    updated = response["ingestionDestination"]
    assert updated["destinationConfiguration"] == after
    assert updated["processingConfiguration"] == processing("raw", "json")  # cannot change
    assert (updated["status"], updated["arn"]) == ("Active", created["arn"])
    assert (updated["createdAt"], updated["updatedAt"]) == (T0, T0 + dt.timedelta(seconds=30))
    assert _get(appfabric_client, ingestion, created) == updated


def test_update_makes_a_failed_destination_active_again(appfabric_mock, appfabric_client, ingestion):
    created = new_destination(appfabric_client, ingestion)
    appfabric_mock.set_destination_failed(created["arn"], "Access denied")
    updated = appfabric_client.update_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=last_id(created["arn"]),
        destinationConfiguration=s3("audit-logs", prefix="fixed"),
    )["ingestionDestination"]
    assert updated["status"] == "Active"
    assert "statusReason" not in updated


def test_update_to_firehose_with_parquet_is_invalid(appfabric_client, ingestion):
    created = new_destination(appfabric_client, ingestion, s3(), processing("ocsf", "parquet"))
    expect_invalid(["processingConfiguration.auditLog.format"], appfabric_client.update_ingestion_destination,
                   **under(ingestion), ingestionDestinationIdentifier=created["arn"],
                   destinationConfiguration=firehose())
    assert _get(appfabric_client, ingestion, created)["destinationConfiguration"] == s3()


def test_update_onto_another_destinations_target_conflicts(appfabric_client, ingestion):
    taken = new_destination(appfabric_client, ingestion, firehose("taken"))
    mine = new_destination(appfabric_client, ingestion, s3())
    response = expect_error("ConflictException", 409, appfabric_client.update_ingestion_destination,
                            **under(ingestion), ingestionDestinationIdentifier=mine["arn"],
                            destinationConfiguration=firehose("taken"))
    assert response["resourceId"] == taken["arn"]
    # Updating a destination to its own configuration is fine.
    appfabric_client.update_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=mine["arn"], destinationConfiguration=s3()
    )


def test_update_unknown_destination_is_404(appfabric_client, ingestion):
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.update_ingestion_destination,
                            **under(ingestion), ingestionDestinationIdentifier=MISSING_ID,
                            destinationConfiguration=s3())
    assert response["resourceType"] == "IngestionDestination"


@pytest.mark.parametrize(
    ("configuration", "field"),
    [({}, "destinationConfiguration"),
     ({"auditLog": {"destination": {"s3Bucket": {"bucketName": "bucket"},
                                    "firehoseStream": {"streamName": "stream"}}}}, DESTINATION),
     (s3("ab"), DESTINATION + ".s3Bucket.bucketName"),
     (s3("bucket", prefix="p" * 121), DESTINATION + ".s3Bucket.prefix"),
     (firehose("s" * 65), DESTINATION + ".firehoseStream.streamName")],
    ids=["empty", "two-members", "bucket-2", "prefix-121", "stream-65"],
)
def test_update_destination_server_side_validation(appfabric_mock, configuration, field):
    api = client(NO_VALIDATION)
    _, ingestion = ingestion_setup(api)
    created = new_destination(api, ingestion)
    expect_invalid([field], api.update_ingestion_destination, **under(ingestion),
                   ingestionDestinationIdentifier=created["arn"], destinationConfiguration=configuration)
    assert _get(api, ingestion, created) == created


# -- DeleteIngestionDestination -----------------------------------------------------------------------------------
def test_delete_destination_204(appfabric_client, ingestion):
    created = new_destination(appfabric_client, ingestion)
    response = appfabric_client.delete_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=created["arn"]
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error("ResourceNotFoundException", 404, _get, appfabric_client, ingestion, created)
    expect_error("ResourceNotFoundException", 404, appfabric_client.delete_ingestion_destination,
                 **under(ingestion), ingestionDestinationIdentifier=created["arn"])


def test_deleting_the_last_destination_disables_an_enabled_ingestion(appfabric_mock, appfabric_client, ingestion):
    appfabric_mock.clock.freeze(T0)
    first = new_destination(appfabric_client, ingestion, s3("one"))
    second = new_destination(appfabric_client, ingestion, s3("two"))
    appfabric_mock.clock.advance(seconds=10)
    appfabric_client.delete_ingestion_destination(**under(ingestion), ingestionDestinationIdentifier=first["arn"])
    assert (_state(appfabric_client, ingestion)["state"], _state(appfabric_client, ingestion)["updatedAt"]) == (
        "enabled", ingestion["updatedAt"])
    appfabric_mock.clock.advance(seconds=10)
    appfabric_client.delete_ingestion_destination(
        **under(ingestion), ingestionDestinationIdentifier=last_id(second["arn"])
    )
    after = _state(appfabric_client, ingestion)
    assert (after["state"], after["updatedAt"]) == ("disabled", T0 + dt.timedelta(seconds=20))
    # It can be started again without destinations.
    appfabric_client.start_ingestion(**under(ingestion))
    assert _state(appfabric_client, ingestion)["state"] == "enabled"


def test_deleting_the_last_destination_of_a_disabled_ingestion_changes_nothing(
    appfabric_mock, appfabric_client, ingestion
):
    created = new_destination(appfabric_client, ingestion)
    appfabric_client.stop_ingestion(**under(ingestion))
    before = _state(appfabric_client, ingestion)
    appfabric_mock.clock.advance(seconds=10)
    appfabric_client.delete_ingestion_destination(**under(ingestion), ingestionDestinationIdentifier=created["arn"])
    assert _state(appfabric_client, ingestion) == before


def test_other_ingestions_keep_their_destinations(appfabric_client, ingestion):
    bundle = ingestion["appBundleArn"]
    new_authorization(appfabric_client, bundle, tenant="tenant-2")
    other = new_ingestion(appfabric_client, bundle, tenant="tenant-2")
    kept = new_destination(appfabric_client, other)
    gone = new_destination(appfabric_client, ingestion)
    appfabric_client.delete_ingestion_destination(**under(ingestion), ingestionDestinationIdentifier=gone["arn"])
    assert _get(appfabric_client, other, kept) == kept
    assert _state(appfabric_client, other)["state"] == "enabled"
