"""Client tokens on the four Create operations: a retry returns the same resource, a reuse is refused."""

from __future__ import annotations

import pytest

from appfabric_mock import mock_appfabric
from tests._workflow import (
    NO_VALIDATION,
    client,
    expect_error,
    expect_invalid,
    firehose,
    new_authorization,
    new_bundle,
    new_destination,
    new_ingestion,
    new_token,
    processing,
    s3,
    under,
)


class Scenario:
    """How to create (and count) one kind of resource, with a way to vary its parameters."""

    def __init__(self, api):
        self.api = api

    def parent(self):
        """Create what the resource needs; called once."""

    def create(self, token, variant=0):
        raise NotImplementedError

    def count(self):
        raise NotImplementedError


class Bundles(Scenario):
    quota = "app_bundles"

    def create(self, token, variant=0):
        kwargs = {"tags": [{"key": "v", "value": str(variant)}]} if variant else {}
        return self.api.create_app_bundle(clientToken=token, **kwargs)["appBundle"]["arn"]

    def count(self):
        return len(self.api.list_app_bundles()["appBundleSummaryList"])


class Authorizations(Scenario):
    quota = "app_authorizations"

    def parent(self):
        self.bundle = new_bundle(self.api)

    def create(self, token, variant=0):
        # Another display name makes another request (the identity stays app + tenant).
        return self.api.create_app_authorization(
            appBundleIdentifier=self.bundle,
            app="TERRAFORMCLOUD",
            credential={"apiKeyCredential": {"apiKey": "secret-api-key"}},
            tenant={"tenantIdentifier": "tenant-1", "tenantDisplayName": f"Tenant {variant}"},
            authType="apiKey",
            clientToken=token,
        )["appAuthorization"]["appAuthorizationArn"]

    def count(self):
        return len(self.api.list_app_authorizations(appBundleIdentifier=self.bundle)["appAuthorizationSummaryList"])


class Ingestions(Scenario):
    quota = "ingestions"

    def parent(self):
        self.bundle = new_bundle(self.api)
        new_authorization(self.api, self.bundle)

    def create(self, token, variant=0):
        kwargs = {"tags": [{"key": "v", "value": str(variant)}]} if variant else {}
        return new_ingestion(self.api, self.bundle, clientToken=token, **kwargs)["arn"]

    def count(self):
        return len(self.api.list_ingestions(appBundleIdentifier=self.bundle)["ingestions"])


class Destinations(Scenario):
    quota = "ingestion_destinations"

    def parent(self):
        bundle = new_bundle(self.api)
        new_authorization(self.api, bundle)
        self.ingestion = new_ingestion(self.api, bundle)

    def create(self, token, variant=0):
        target = s3() if not variant else firehose()
        return new_destination(self.api, self.ingestion, target, clientToken=token)["arn"]

    def count(self):
        return len(self.api.list_ingestion_destinations(**under(self.ingestion))["ingestionDestinations"])


SCENARIOS = [Bundles, Authorizations, Ingestions, Destinations]
IDS = ["CreateAppBundle", "CreateAppAuthorization", "CreateIngestion", "CreateIngestionDestination"]


@pytest.mark.parametrize("kind", SCENARIOS, ids=IDS)
def test_same_token_same_parameters_is_the_same_resource_and_no_quota(kind):
    # With the quota at 1, only a retry (not a second resource) can succeed.
    with mock_appfabric(quotas={kind.quota: 1}):
        scenario = kind(client())
        scenario.parent()
        token = new_token()
        first = scenario.create(token)
        assert scenario.create(token) == first
        assert scenario.create(token) == first
        assert scenario.count() == 1
        # A new token is a new request: now the quota is reached.
        expect_error("ServiceQuotaExceededException", 402, scenario.create, new_token())


@pytest.mark.parametrize("kind", SCENARIOS, ids=IDS)
def test_same_token_different_parameters_is_a_mismatch(kind):
    with mock_appfabric(quotas=None):
        scenario = kind(client())
        scenario.parent()
        token = new_token()
        scenario.create(token)
        response = expect_error("IdempotentParameterMismatch", 400, scenario.create, token, 1)
        assert token in response["Error"]["Message"]
        assert scenario.count() == 1


def test_bundle_retry_with_quota_one_succeeds(appfabric_client):
    token = new_token()
    first = appfabric_client.create_app_bundle(clientToken=token)
    again = appfabric_client.create_app_bundle(clientToken=token)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert again["appBundle"] == first["appBundle"]
    expect_error("ServiceQuotaExceededException", 402, appfabric_client.create_app_bundle)


def test_tokens_are_per_operation(appfabric_client):
    token = new_token()
    bundle = appfabric_client.create_app_bundle(clientToken=token)["appBundle"]["arn"]
    auth = new_authorization(appfabric_client, bundle, clientToken=token)
    ingestion = new_ingestion(appfabric_client, bundle, clientToken=token)
    destination = new_destination(appfabric_client, ingestion, clientToken=token)
    assert len({bundle, auth["appAuthorizationArn"], ingestion["arn"], destination["arn"]}) == 4


def test_tokens_are_per_bundle():
    with mock_appfabric(quotas={"app_bundles": 2}):
        api = client()
        token = new_token()
        one, two = new_bundle(api), new_bundle(api)
        first = new_authorization(api, one, clientToken=token)
        second = new_authorization(api, two, clientToken=token)
        assert first["appAuthorizationArn"] != second["appAuthorizationArn"]


def test_tokens_are_per_ingestion(appfabric_client):
    bundle = new_bundle(appfabric_client)
    new_authorization(appfabric_client, bundle)
    new_authorization(appfabric_client, bundle, tenant="tenant-2")
    token = new_token()
    one = new_ingestion(appfabric_client, bundle)
    two = new_ingestion(appfabric_client, bundle, tenant="tenant-2")
    assert new_destination(appfabric_client, one, clientToken=token)["arn"] != \
        new_destination(appfabric_client, two, clientToken=token)["arn"]


def test_omitted_token_is_filled_by_boto3_so_each_create_is_new(appfabric_client):
    bundle = new_bundle(appfabric_client)
    new_authorization(appfabric_client, bundle)
    new_ingestion(appfabric_client, bundle)
    expect_error("ConflictException", 409, new_ingestion, appfabric_client, bundle)


def test_retry_answers_with_the_current_state(appfabric_client):
    bundle = new_bundle(appfabric_client)
    new_authorization(appfabric_client, bundle)
    token = new_token()
    created = new_ingestion(appfabric_client, bundle, clientToken=token)
    appfabric_client.stop_ingestion(**under(created))
    again = new_ingestion(appfabric_client, bundle, clientToken=token)
    assert (again["arn"], again["state"]) == (created["arn"], "disabled")


def test_retry_after_delete_repeats_the_first_answer(appfabric_client):
    # Mock choice: a token stays used once its resource is gone; the first answer is repeated
    # and nothing is created again.
    bundle = new_bundle(appfabric_client)
    new_authorization(appfabric_client, bundle)
    token = new_token()
    created = new_ingestion(appfabric_client, bundle, clientToken=token)
    appfabric_client.delete_ingestion(**under(created))
    assert new_ingestion(appfabric_client, bundle, clientToken=token) == created
    assert appfabric_client.list_ingestions(appBundleIdentifier=bundle)["ingestions"] == []


def test_failed_create_does_not_use_up_the_token(appfabric_client):
    bundle = new_bundle(appfabric_client)
    token = new_token()
    # No connected authorization yet: the create fails and records nothing.
    expect_error("ValidationException", 400, new_ingestion, appfabric_client, bundle, clientToken=token)
    new_authorization(appfabric_client, bundle)
    assert new_ingestion(appfabric_client, bundle, clientToken=token)["state"] == "enabled"


def test_destination_retry_with_other_processing_is_a_mismatch(appfabric_client):
    bundle = new_bundle(appfabric_client)
    new_authorization(appfabric_client, bundle)
    ingestion = new_ingestion(appfabric_client, bundle)
    token = new_token()
    new_destination(appfabric_client, ingestion, clientToken=token)
    expect_error("IdempotentParameterMismatch", 400, new_destination, appfabric_client, ingestion,
                 processing_configuration=processing("raw", "json"), clientToken=token)


def test_client_token_must_be_a_uuid(appfabric_mock):
    api = client(NO_VALIDATION)
    expect_invalid(["clientToken"], api.create_app_bundle, clientToken="not-a-uuid")
    assert api.list_app_bundles()["appBundleSummaryList"] == []


def test_other_credential_is_a_mismatch_and_is_not_kept(appfabric_mock, appfabric_client):
    bundle = new_bundle(appfabric_client)
    token = new_token()
    params = {"appBundleIdentifier": bundle, "app": "TERRAFORMCLOUD", "authType": "apiKey", "clientToken": token,
              "tenant": {"tenantIdentifier": "t", "tenantDisplayName": "T"}}
    appfabric_client.create_app_authorization(credential={"apiKeyCredential": {"apiKey": "first-secret"}}, **params)
    expect_error("IdempotentParameterMismatch", 400, appfabric_client.create_app_authorization,
                 credential={"apiKeyCredential": {"apiKey": "second-secret"}}, **params)
    backend = appfabric_mock.backend()
    assert "first-secret" not in repr(vars(backend)) + repr(appfabric_mock.snapshot())


def test_ingestion_tokens_are_per_bundle():
    # The same clientToken in two bundles makes two ingestions, not a retry (nor a mismatch).
    with mock_appfabric(quotas={"app_bundles": 2}):
        api = client()
        token = new_token()
        one, two = new_bundle(api), new_bundle(api)
        new_authorization(api, one)
        new_authorization(api, two)
        first = new_ingestion(api, one, clientToken=token)
        second = new_ingestion(api, two, clientToken=token)
        assert first["arn"] != second["arn"]
        assert (first["appBundleArn"], second["appBundleArn"]) == (one, two)
        assert new_ingestion(api, two, clientToken=token) == second
