"""Tags on app bundles, app authorizations, ingestions and ingestion destinations."""

from __future__ import annotations

import pytest

from tests._workflow import (
    ACCOUNT,
    MISSING,
    NO_VALIDATION,
    REGION,
    client,
    expect_error,
    expect_invalid,
    new_authorization,
    new_bundle,
    new_destination,
    new_ingestion,
    under,
)
from tests.helpers import record_raw_bodies

KINDS = ["AppBundle", "AppAuthorization", "Ingestion", "IngestionDestination"]
BUNDLE_PREFIX = f"arn:aws:appfabric:{REGION}:{ACCOUNT}:appbundle/"
UNKNOWN_ARNS = {
    "AppBundle": f"{BUNDLE_PREFIX}{MISSING}",
    "AppAuthorization": f"{BUNDLE_PREFIX}{MISSING}/appauthorization/{MISSING}",
    "Ingestion": f"{BUNDLE_PREFIX}{MISSING}/ingestion/{MISSING}",
    "IngestionDestination": f"{BUNDLE_PREFIX}{MISSING}/ingestion/{MISSING}/ingestiondestination/{MISSING}",
}


def _tags(**pairs):
    return [{"key": k, "value": v} for k, v in pairs.items()]


def _listed(api, arn):
    response = api.list_tags_for_resource(resourceArn=arn)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    if "tags" in response:
        assert response["tags"], "a resource without tags is answered without the member"
    return {t["key"]: t["value"] for t in response.get("tags", ())}


class Chain:
    """One resource of each kind, each created with a tag naming its kind."""

    def __init__(self, api):
        self.api = api
        self.bundle = new_bundle(api, tags=_tags(kind="AppBundle"))
        self.authorization = new_authorization(api, self.bundle, tags=_tags(kind="AppAuthorization"))
        self.ingestion = new_ingestion(api, self.bundle, tags=_tags(kind="Ingestion"))
        self.destination = new_destination(api, self.ingestion, tags=_tags(kind="IngestionDestination"))
        self.arns = {
            "AppBundle": self.bundle,
            "AppAuthorization": self.authorization["appAuthorizationArn"],
            "Ingestion": self.ingestion["arn"],
            "IngestionDestination": self.destination["arn"],
        }

    def delete(self, kind):
        """Delete the resource of ``kind`` (and, as AWS requires, everything below it first)."""
        api, order = self.api, KINDS[::-1]
        for current in order[: order.index(kind) + 1]:
            if current == "IngestionDestination":
                api.delete_ingestion_destination(**under(self.ingestion),
                                                 ingestionDestinationIdentifier=self.destination["arn"])
            elif current == "Ingestion":
                api.delete_ingestion(**under(self.ingestion))
            elif current == "AppAuthorization":
                api.delete_app_authorization(appBundleIdentifier=self.bundle,
                                             appAuthorizationIdentifier=self.arns["AppAuthorization"])
            else:
                api.delete_app_bundle(appBundleIdentifier=self.bundle)


@pytest.fixture
def chain(appfabric_client):
    return Chain(appfabric_client)


@pytest.mark.parametrize("kind", KINDS)
def test_tags_given_at_create_are_listed(appfabric_client, chain, kind):
    assert _listed(appfabric_client, chain.arns[kind]) == {"kind": kind}


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_arn_of_another_partition_is_not_found(appfabric_client, chain, kind, partition):
    # The ARN's region and account are the caller's, its partition is not their region's.
    arn = chain.arns[kind].replace("arn:aws:", f"arn:{partition}:")
    for call in (lambda: appfabric_client.list_tags_for_resource(resourceArn=arn),
                 lambda: appfabric_client.tag_resource(resourceArn=arn, tags=_tags(a="b")),
                 lambda: appfabric_client.untag_resource(resourceArn=arn, tagKeys=["kind"])):
        error = expect_error("ResourceNotFoundException", 404, call)
        assert (error["resourceId"], error["resourceType"]) == (arn, kind)
    assert _listed(appfabric_client, chain.arns[kind]) == {"kind": kind}


def test_resource_created_without_tags_has_none(appfabric_client):
    # AWS does not document the answer for a resource without tags; the mock leaves the optional
    # member out, so code that reads response["tags"] unguarded fails here rather than on AWS.
    response = appfabric_client.list_tags_for_resource(resourceArn=new_bundle(appfabric_client, tags=[]))
    assert set(response) == {"ResponseMetadata"}


def test_a_resource_without_tags_answers_an_empty_body(appfabric_mock, appfabric_client):
    bodies = record_raw_bodies(appfabric_client)
    appfabric_client.list_tags_for_resource(resourceArn=new_bundle(appfabric_client))
    assert bodies[-1] == b"{}"


# -- aws: is reserved -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["aws:cloudformation:stack-name", "AWS:x", "Aws:", "aws:"])
def test_tag_keys_starting_with_aws_are_refused(appfabric_client, chain, key):
    # AWS's tagging rules reserve the prefix in any case; nothing of the request is applied.
    response = expect_invalid(["tags.2.member.key"], appfabric_client.tag_resource, resourceArn=chain.bundle,
                              tags=[{"key": "fine", "value": "1"}, {"key": key, "value": "v"}])
    assert "aws:" in response["Error"]["Message"]
    assert _listed(appfabric_client, chain.bundle) == {"kind": "AppBundle"}
    expect_invalid(["tagKeys.1.member"], appfabric_client.untag_resource, resourceArn=chain.bundle, tagKeys=[key])


def test_values_and_other_keys_may_mention_aws(appfabric_client, chain):
    appfabric_client.tag_resource(resourceArn=chain.bundle, tags=_tags(awsome="aws:value", **{"x:aws:": "y"}))
    assert _listed(appfabric_client, chain.bundle)["awsome"] == "aws:value"


@pytest.mark.parametrize("kind", KINDS)
def test_create_refuses_aws_tag_keys(appfabric_client, chain, kind):
    tags = [{"key": "aws:reserved", "value": "x"}]
    api, bundle = appfabric_client, chain.bundle
    create = {
        "AppBundle": lambda: api.create_app_bundle(tags=tags),
        "AppAuthorization": lambda: new_authorization(api, bundle, tenant="other", tags=tags),
        "Ingestion": lambda: new_ingestion(api, bundle, tags=tags),
        "IngestionDestination": lambda: new_destination(api, chain.ingestion, tags=tags),
    }[kind]
    expect_invalid(["tags.1.member.key"], create)


@pytest.mark.parametrize("kind", KINDS)
def test_tag_overwrite_and_untag(appfabric_client, chain, kind):
    arn = chain.arns[kind]
    response = appfabric_client.tag_resource(resourceArn=arn, tags=_tags(team="red", env="prod", empty=""))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    assert _listed(appfabric_client, arn) == {"kind": kind, "team": "red", "env": "prod", "empty": ""}

    appfabric_client.tag_resource(resourceArn=arn, tags=_tags(team="blue"))  # overwrite replaces the value
    assert _listed(appfabric_client, arn)["team"] == "blue"

    response = appfabric_client.untag_resource(resourceArn=arn, tagKeys=["env", "absent"])  # absent is fine
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _listed(appfabric_client, arn) == {"kind": kind, "team": "blue", "empty": ""}
    # The other resources are untouched.
    for other in KINDS:
        if other != kind:
            assert _listed(appfabric_client, chain.arns[other]) == {"kind": other}


def test_untag_every_key(appfabric_client, chain):
    appfabric_client.untag_resource(resourceArn=chain.bundle, tagKeys=["kind"])
    assert _listed(appfabric_client, chain.bundle) == {}
    appfabric_client.untag_resource(resourceArn=chain.bundle, tagKeys=["kind"])  # again: still fine
    assert _listed(appfabric_client, chain.bundle) == {}


def test_tags_keep_insertion_order(appfabric_client, chain):
    appfabric_client.tag_resource(resourceArn=chain.bundle, tags=_tags(z="1", a="2", m="3"))
    keys = [t["key"] for t in appfabric_client.list_tags_for_resource(resourceArn=chain.bundle)["tags"]]
    assert keys == ["kind", "z", "a", "m"]


# -- the 50-tag limit --------------------------------------------------------------------------------------------
def test_fifty_tags_at_create_are_fine_fifty_one_are_not(appfabric_client):
    fifty = [{"key": f"k{n}", "value": "v"} for n in range(50)]
    bundle = new_bundle(appfabric_client, tags=fifty)
    assert len(_listed(appfabric_client, bundle)) == 50
    new_authorization(appfabric_client, bundle, tags=fifty)
    expect_invalid(["tags"], new_ingestion, appfabric_client, bundle, tags=[*fifty, {"key": "k50", "value": "v"}])
    assert appfabric_client.list_ingestions(appBundleIdentifier=bundle)["ingestions"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_tag_resource_cannot_go_over_fifty(appfabric_client, chain, kind):
    arn = chain.arns[kind]  # already has 1 tag
    appfabric_client.tag_resource(resourceArn=arn, tags=[{"key": f"k{n}", "value": "v"} for n in range(48)])
    assert len(_listed(appfabric_client, arn)) == 49
    response = expect_invalid(["tags"], appfabric_client.tag_resource, resourceArn=arn,
                              tags=_tags(one="1", two="2"))
    assert "50" in response["Error"]["Message"]
    assert len(_listed(appfabric_client, arn)) == 49  # nothing applied
    # Overwriting existing keys does not add to the count.
    appfabric_client.tag_resource(resourceArn=arn, tags=_tags(k0="new", one="1"))
    listed = _listed(appfabric_client, arn)
    assert (len(listed), listed["k0"]) == (50, "new")
    expect_invalid(["tags"], appfabric_client.tag_resource, resourceArn=arn, tags=_tags(two="2"))


def test_tag_resource_with_fifty_one_tags_in_one_request(appfabric_client, chain):
    expect_invalid(["tags"], appfabric_client.tag_resource, resourceArn=chain.bundle,
                   tags=[{"key": f"k{n}", "value": "v"} for n in range(51)])


@pytest.mark.parametrize(
    ("tags", "field"),
    [([{"key": "", "value": "v"}], "tags.1.member.key"),
     ([{"key": "ok", "value": "v"}, {"key": "k" * 129, "value": "v"}], "tags.2.member.key"),
     ([{"key": "k", "value": "v" * 257}], "tags.1.member.value"),
     ([{"key": "k"}], "tags.1.member.value")],
    ids=["empty-key", "key-129", "value-257", "value-missing"],
)
def test_tag_shapes_are_validated_server_side(appfabric_mock, tags, field):
    api = client(NO_VALIDATION)
    bundle = new_bundle(api)
    expect_invalid([field], api.tag_resource, resourceArn=bundle, tags=tags)
    assert _listed(api, bundle) == {}


def test_tag_limits_are_inclusive(appfabric_client, chain):
    appfabric_client.tag_resource(resourceArn=chain.bundle, tags=[{"key": "k" * 128, "value": "v" * 256}])
    assert _listed(appfabric_client, chain.bundle)["k" * 128] == "v" * 256


# -- unknown, deleted and malformed ARNs ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_tags_vanish_with_their_resource(appfabric_client, chain, kind):
    arn = chain.arns[kind]
    appfabric_client.tag_resource(resourceArn=arn, tags=_tags(extra="x"))
    chain.delete(kind)
    for call, kwargs in [
        (appfabric_client.list_tags_for_resource, {}),
        (appfabric_client.tag_resource, {"tags": _tags(a="b")}),
        (appfabric_client.untag_resource, {"tagKeys": ["extra"]}),
    ]:
        response = expect_error("ResourceNotFoundException", 404, call, resourceArn=arn, **kwargs)
        assert response["resourceId"] == arn


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_arn_is_404(appfabric_client, kind):
    arn = UNKNOWN_ARNS[kind]
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.list_tags_for_resource,
                            resourceArn=arn)
    assert (response["resourceId"], response["resourceType"]) == (arn, kind)
    expect_error("ResourceNotFoundException", 404, appfabric_client.tag_resource, resourceArn=arn,
                 tags=_tags(a="b"))
    expect_error("ResourceNotFoundException", 404, appfabric_client.untag_resource, resourceArn=arn, tagKeys=["a"])


@pytest.mark.parametrize("kind", KINDS[1:])
def test_child_arn_under_a_real_bundle_but_unknown_child_is_404(appfabric_client, chain, kind):
    arn = UNKNOWN_ARNS[kind].replace(f"appbundle/{MISSING}", chain.bundle.split(":")[-1])
    if kind == "IngestionDestination":  # a real ingestion, an unknown destination
        arn = f"{chain.ingestion['arn']}/ingestiondestination/{MISSING}"
    response = expect_error("ResourceNotFoundException", 404, appfabric_client.list_tags_for_resource,
                            resourceArn=arn)
    assert response["resourceType"] == kind


@pytest.mark.parametrize("where", ["region", "account"])
def test_arn_of_another_region_or_account_is_404(appfabric_client, chain, where):
    arn = chain.bundle.replace(REGION, "eu-west-1") if where == "region" else chain.bundle.replace(ACCOUNT, "1" * 12)
    expect_error("ResourceNotFoundException", 404, appfabric_client.list_tags_for_resource, resourceArn=arn)


@pytest.mark.parametrize("arn", ["arn:aws:s3:::bucket", f"arn:aws:appfabric:{REGION}:{ACCOUNT}:widget/{MISSING}"],
                         ids=["s3", "appfabric-unknown-type"])
def test_arn_that_is_not_appfabric_is_invalid(appfabric_client, arn):
    for call, kwargs in [
        (appfabric_client.list_tags_for_resource, {}),
        (appfabric_client.tag_resource, {"tags": _tags(a="b")}),
        (appfabric_client.untag_resource, {"tagKeys": ["a"]}),
    ]:
        expect_invalid(["resourceArn"], call, resourceArn=arn, **kwargs)


def test_not_an_arn_is_invalid(appfabric_mock):
    api = client(NO_VALIDATION)
    for call, kwargs in [
        (api.list_tags_for_resource, {}),
        (api.tag_resource, {"tags": _tags(a="b")}),
        (api.untag_resource, {"tagKeys": ["a"]}),
    ]:
        response = expect_invalid(["resourceArn"], call, resourceArn="not-an-arn", **kwargs)
        assert "not-an-arn" in response["Error"]["Message"]


def test_tag_resource_without_tags_is_invalid(appfabric_mock):
    api = client(NO_VALIDATION)
    expect_invalid(["tags"], api.tag_resource, resourceArn=new_bundle(api))


def test_untag_more_than_200_keys_is_invalid(appfabric_mock):
    api = client(NO_VALIDATION)
    expect_invalid(["tagKeys"], api.untag_resource, resourceArn=new_bundle(api),
                   tagKeys=[f"k{n}" for n in range(201)])
