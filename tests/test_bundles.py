"""App bundles through boto3: create, get, list, delete, tags, quotas, idempotency, pagination, accounts."""

from __future__ import annotations

import re
from typing import Any, Iterator, List

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import (
    ACCOUNT,
    BUNDLE_ARN_PATTERN,
    MISSING,
    UUID_PATTERN,
    appfabric_client,
    connected_authorization,
    error_of,
    field_names,
    make_authorization,
    make_bundle,
    make_ingestion,
    new_token,
    resource_id,
)

from appfabric_mock import AppFabricMock, mock_appfabric


@pytest.fixture
def m() -> Iterator[AppFabricMock]:
    with mock_appfabric() as handle:
        yield handle


@pytest.fixture
def client(m: AppFabricMock) -> Any:
    return appfabric_client()


def _listed(client: Any) -> List[str]:
    return [b["arn"] for b in client.list_app_bundles()["appBundleSummaryList"]]


# -- create / get / list / delete ---------------------------------------------------------------
def test_create_app_bundle(client: Any) -> None:
    response = client.create_app_bundle()
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert set(response["appBundle"]) == {"arn"}
    assert re.match(BUNDLE_ARN_PATTERN, response["appBundle"]["arn"])


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
         "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("1234abcd-12ab-34cd-56ef-1234567890ab",
         "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ],
)
def test_create_with_customer_managed_key(client: Any, key: str, expected: str) -> None:
    bundle = client.create_app_bundle(customerManagedKeyIdentifier=key)["appBundle"]
    assert bundle["customerManagedKeyArn"] == expected
    assert client.get_app_bundle(appBundleIdentifier=bundle["arn"])["appBundle"] == bundle


@pytest.mark.parametrize("by", ["arn", "uuid"])
def test_get_app_bundle_by_arn_or_uuid(client: Any, by: str) -> None:
    arn = make_bundle(client)
    identifier = arn if by == "arn" else resource_id(arn)
    response = client.get_app_bundle(appBundleIdentifier=identifier)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["appBundle"] == {"arn": arn}


@pytest.mark.parametrize(
    "identifier",
    [
        MISSING,
        f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/{MISSING}",
        # An existing bundle's id, but in another account or region: not found here.
        "other-account",
        "other-region",
        # The same region and account in another partition (aws-cn has no us-east-1): no such ARN exists.
        "other-partition",
        "authorization-arn",
    ],
)
def test_get_unknown_app_bundle(client: Any, identifier: str) -> None:
    arn = make_bundle(client)
    if identifier == "other-account":
        identifier = arn.replace(f":{ACCOUNT}:", ":999999999999:")
    elif identifier == "other-region":
        identifier = arn.replace(":us-east-1:", ":eu-west-1:")
    elif identifier == "other-partition":
        identifier = arn.replace("arn:aws:", "arn:aws-cn:")
    elif identifier == "authorization-arn":
        identifier = make_authorization(client, arn)["appAuthorizationArn"]
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.get_app_bundle(appBundleIdentifier=identifier)
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert response["resourceId"] == identifier
    assert response["resourceType"] == "AppBundle"
    assert identifier in response["message"]


def test_list_app_bundles(client: Any) -> None:
    assert _listed(client) == []
    arn = make_bundle(client)
    response = client.list_app_bundles()
    assert response["appBundleSummaryList"] == [{"arn": arn}]
    assert "nextToken" not in response


@pytest.mark.parametrize("by", ["arn", "uuid"])
def test_delete_app_bundle(client: Any, by: str) -> None:
    arn = make_bundle(client)
    response = client.delete_app_bundle(appBundleIdentifier=arn if by == "arn" else resource_id(arn))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _listed(client) == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_app_bundle(appBundleIdentifier=arn)
    # The quota is free again.
    assert make_bundle(client) != arn


@pytest.mark.parametrize("identifier", [MISSING, f"arn:aws:appfabric:us-east-1:123456789012:appbundle/{MISSING}"])
def test_delete_unknown_app_bundle_is_a_validation_error(client: Any, identifier: str) -> None:
    # DeleteAppBundle models no ResourceNotFoundException (its Conflict is for a bundle not empty).
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.delete_app_bundle(appBundleIdentifier=identifier)
    code, status, response = error_of(excinfo)
    assert (code, status, response["reason"]) == ("ValidationException", 400, "other")
    assert response["Error"]["Message"] == f"AppBundle {identifier} does not exist"
    assert "resourceId" not in response


def test_delete_app_bundle_with_authorizations_is_a_conflict(client: Any) -> None:
    arn = make_bundle(client)
    auth = make_authorization(client, arn)
    with pytest.raises(client.exceptions.ConflictException) as excinfo:
        client.delete_app_bundle(appBundleIdentifier=arn)
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ConflictException", 409)
    assert response["resourceId"] == arn
    assert response["resourceType"] == "AppBundle"
    assert _listed(client) == [arn]
    client.delete_app_authorization(appBundleIdentifier=arn, appAuthorizationIdentifier=auth["appAuthorizationArn"])
    client.delete_app_bundle(appBundleIdentifier=arn)
    assert _listed(client) == []


def test_delete_app_bundle_with_an_ingestion_is_a_conflict(client: Any) -> None:
    arn = make_bundle(client)
    connected_authorization(client, arn)
    make_ingestion(client, arn)
    with pytest.raises(client.exceptions.ConflictException) as excinfo:
        client.delete_app_bundle(appBundleIdentifier=resource_id(arn))
    assert error_of(excinfo)[2]["resourceId"] == resource_id(arn)


# -- quotas -------------------------------------------------------------------------------------
def test_second_bundle_exceeds_the_quota(client: Any) -> None:
    make_bundle(client)
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        client.create_app_bundle()
    code, status, response = error_of(excinfo)
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert response["serviceCode"] == "appfabric"
    assert response["quotaCode"] == "appfabric-app-bundles-per-account"
    # AWS's own text (Terraform AWS provider issue 39542).
    assert response["Error"]["Message"] == (
        "You have exceeded the maximum number of app bundles per account, per AWS Region.")
    assert response["resourceType"] == "AppBundle"
    assert response["resourceId"]
    assert len(_listed(client)) == 1


def test_quota_is_per_region(client: Any) -> None:
    make_bundle(client)
    make_bundle(appfabric_client("eu-west-1"))
    make_bundle(appfabric_client("ap-northeast-1"))
    assert len(_listed(client)) == 1


@pytest.mark.parametrize(("quotas", "fits"), [({"app_bundles": 3}, 3), ({"app_bundles": 0}, 0)])
def test_bundle_quota_can_be_changed(quotas: Any, fits: int) -> None:
    with mock_appfabric(quotas=quotas):
        client = appfabric_client()
        for _ in range(fits):
            make_bundle(client)
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            client.create_app_bundle()
        assert len(_listed(client)) == fits


@pytest.mark.parametrize("quotas", [{"app_bundles": None}, None])
def test_bundle_quota_can_be_lifted(quotas: Any) -> None:
    with mock_appfabric(quotas=quotas):
        client = appfabric_client()
        for _ in range(12):
            make_bundle(client)
        assert len(_listed(client)) == 12


# -- idempotency --------------------------------------------------------------------------------
def test_same_client_token_and_parameters_return_the_same_bundle(client: Any) -> None:
    token = new_token()
    tags = [{"key": "team", "value": "security"}]
    first = client.create_app_bundle(clientToken=token, tags=tags)["appBundle"]
    again = client.create_app_bundle(clientToken=token, tags=tags)["appBundle"]  # quota not charged
    assert again == first
    assert _listed(client) == [first["arn"]]


def test_same_client_token_with_different_parameters_is_a_mismatch() -> None:
    with mock_appfabric(quotas={"app_bundles": 5}):
        client = appfabric_client()
        token = new_token()
        client.create_app_bundle(clientToken=token, tags=[{"key": "a", "value": "1"}])
        with pytest.raises(ClientError) as excinfo:
            client.create_app_bundle(clientToken=token, tags=[{"key": "a", "value": "2"}])
        code, status, response = error_of(excinfo)
        assert (code, status) == ("IdempotentParameterMismatch", 400)
        assert token in response["Error"]["Message"]
        assert len(_listed(client)) == 1
        # Another token creates another bundle.
        client.create_app_bundle(clientToken=new_token(), tags=[{"key": "a", "value": "2"}])
        assert len(_listed(client)) == 2


def test_client_tokens_are_per_region() -> None:
    with mock_appfabric():
        token = new_token()
        east = appfabric_client().create_app_bundle(clientToken=token)["appBundle"]["arn"]
        west = appfabric_client("eu-west-1").create_app_bundle(clientToken=token)["appBundle"]["arn"]
        assert ":us-east-1:" in east and ":eu-west-1:" in west


# -- pagination ---------------------------------------------------------------------------------
@pytest.fixture
def five_bundles() -> Iterator[Any]:
    with mock_appfabric(quotas={"app_bundles": 5}) as handle:
        client = appfabric_client()
        arns = [make_bundle(client) for _ in range(5)]
        yield handle, client, arns


def test_paginator_with_page_size_one(five_bundles: Any) -> None:
    _, client, arns = five_bundles
    pages = list(client.get_paginator("list_app_bundles").paginate(PaginationConfig={"PageSize": 1}))
    assert [len(p["appBundleSummaryList"]) for p in pages] == [1, 1, 1, 1, 1]
    assert [p["appBundleSummaryList"][0]["arn"] for p in pages] == arns  # creation order
    assert all("nextToken" in p for p in pages[:-1]) and "nextToken" not in pages[-1]


def test_max_results_pages_by_hand(five_bundles: Any) -> None:
    m, client, arns = five_bundles
    m.clock.freeze("2024-06-01T12:00:00Z")  # tokens carry their time of issue
    first = client.list_app_bundles(maxResults=2)
    second = client.list_app_bundles(maxResults=2, nextToken=first["nextToken"])
    third = client.list_app_bundles(maxResults=2, nextToken=second["nextToken"])
    seen = [b["arn"] for page in (first, second, third) for b in page["appBundleSummaryList"]]
    assert seen == arns
    assert "nextToken" not in third
    # A token can be used again: it names a position, not a cursor that moves.
    repeated = client.list_app_bundles(maxResults=2, nextToken=first["nextToken"])
    assert repeated["appBundleSummaryList"] == second["appBundleSummaryList"]
    assert repeated["nextToken"] == second["nextToken"]


def test_deleted_bundles_do_not_break_a_listing(five_bundles: Any) -> None:
    _, client, arns = five_bundles
    first = client.list_app_bundles(maxResults=2)
    client.delete_app_bundle(appBundleIdentifier=arns[2])
    rest = client.list_app_bundles(maxResults=10, nextToken=first["nextToken"])
    assert [b["arn"] for b in rest["appBundleSummaryList"]] == [arns[3], arns[4]]


@pytest.mark.parametrize("token", ["not-a-token", "eyJ2IjoxfQ", "x" * 100])
def test_bad_pagination_token(five_bundles: Any, token: str) -> None:
    _, client, _ = five_bundles
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.list_app_bundles(nextToken=token)
    _, status, response = error_of(excinfo)
    assert status == 400
    assert "nextToken" in field_names(response)


def test_token_of_another_listing_is_rejected(five_bundles: Any) -> None:
    _, client, arns = five_bundles
    for arn in arns[:3]:
        make_authorization(client, arn)
        make_authorization(client, arn, tenant="tenant-2")
    token = client.list_app_authorizations(appBundleIdentifier=arns[0], maxResults=1)["nextToken"]
    with pytest.raises(client.exceptions.ValidationException):
        client.list_app_bundles(nextToken=token)
    with pytest.raises(client.exceptions.ValidationException):
        client.list_app_authorizations(appBundleIdentifier=arns[1], nextToken=token)


def test_token_expires_after_a_day(five_bundles: Any) -> None:
    m, client, _ = five_bundles
    m.clock.freeze("2024-06-01T12:00:00Z")
    token = client.list_app_bundles(maxResults=1)["nextToken"]
    m.clock.advance(hours=23)
    assert len(client.list_app_bundles(maxResults=1, nextToken=token)["appBundleSummaryList"]) == 1
    m.clock.advance(hours=2)
    with pytest.raises(ClientError) as excinfo:
        client.list_app_bundles(nextToken=token)
    # The model: "Using an expired pagination token will return an HTTP 400 InvalidToken error."
    code, status, response = error_of(excinfo)
    assert (code, status) == ("InvalidToken", 400)
    assert "expired" in response["Error"]["Message"]


# -- tags ---------------------------------------------------------------------------------------
def test_tags_on_a_bundle(client: Any) -> None:
    arn = client.create_app_bundle(tags=[{"key": "team", "value": "sec"}])["appBundle"]["arn"]
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "sec"}]
    response = client.tag_resource(
        resourceArn=arn, tags=[{"key": "env", "value": "test"}, {"key": "team", "value": "x"}]
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    tags = {t["key"]: t["value"] for t in client.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"team": "x", "env": "test"}
    client.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]


def test_tag_limit_counts_existing_tags(client: Any) -> None:
    arn = client.create_app_bundle(tags=[{"key": f"k{i}", "value": ""} for i in range(40)])["appBundle"]["arn"]
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.tag_resource(resourceArn=arn, tags=[{"key": f"n{i}", "value": ""} for i in range(11)])
    assert field_names(error_of(excinfo)[2]) == ["tags"]
    client.tag_resource(resourceArn=arn, tags=[{"key": f"n{i}", "value": ""} for i in range(10)])
    assert len(client.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


@pytest.mark.parametrize("operation", ["tag", "untag", "list"])
def test_tags_of_an_unknown_bundle(client: Any, operation: str) -> None:
    arn = f"arn:aws:appfabric:us-east-1:{ACCOUNT}:appbundle/{MISSING}"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        if operation == "tag":
            client.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "b"}])
        elif operation == "untag":
            client.untag_resource(resourceArn=arn, tagKeys=["a"])
        else:
            client.list_tags_for_resource(resourceArn=arn)
    response = error_of(excinfo)[2]
    assert (response["resourceId"], response["resourceType"]) == (arn, "AppBundle")


def test_tags_of_a_foreign_arn(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.list_tags_for_resource(resourceArn="arn:aws:s3:::my-bucket")
    assert field_names(error_of(excinfo)[2]) == ["resourceArn"]


# -- accounts and regions -----------------------------------------------------------------------
def test_regions_are_isolated(client: Any) -> None:
    east = make_bundle(client)
    west_client = appfabric_client("eu-west-1")
    assert _listed(west_client) == []
    with pytest.raises(west_client.exceptions.ResourceNotFoundException):
        west_client.get_app_bundle(appBundleIdentifier=resource_id(east))
    west = make_bundle(west_client)
    assert re.match(rf"^arn:aws:appfabric:eu-west-1:{ACCOUNT}:appbundle/{UUID_PATTERN}$", west)
    assert _listed(client) == [east]


def test_access_key_mapping_changes_the_account() -> None:
    with mock_appfabric(accounts={"AKIAOTHERACCOUNT0000": "111111111111"}):
        other = boto3.session.Session(
            aws_access_key_id="AKIAOTHERACCOUNT0000", aws_secret_access_key="x"
        ).client("appfabric", region_name="us-east-1")
        arn = make_bundle(other)
        assert re.match(rf"^arn:aws:appfabric:us-east-1:111111111111:appbundle/{UUID_PATTERN}$", arn)
        default = appfabric_client()
        assert _listed(default) == []
        with pytest.raises(default.exceptions.ResourceNotFoundException):
            default.get_app_bundle(appBundleIdentifier=arn)
        # Each account has its own quota.
        assert ":123456789012:" in make_bundle(default)
        assert _listed(other) == [arn]


def test_account_id_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFABRIC_MOCK_ACCOUNT_ID", "222222222222")
    with mock_appfabric():
        arn = make_bundle(appfabric_client())
    assert re.match(rf"^arn:aws:appfabric:us-east-1:222222222222:appbundle/{UUID_PATTERN}$", arn)


def test_account_id_option_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFABRIC_MOCK_ACCOUNT_ID", "222222222222")
    with mock_appfabric(account_id="333333333333") as handle:
        arn = make_bundle(appfabric_client())
        assert handle.backend().account_id == "333333333333"
    assert ":333333333333:" in arn


def test_other_partitions_build_their_arns() -> None:
    with mock_appfabric():
        client = boto3.session.Session().client("appfabric", region_name="cn-north-1")
        arn = make_bundle(client)
    assert arn.startswith("arn:aws-cn:appfabric:cn-north-1:")
