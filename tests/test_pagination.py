"""Pagination of ListAppBundles, ListAppAuthorizations, ListIngestions and ListIngestionDestinations."""

from __future__ import annotations

import datetime as dt

import pytest

from appfabric_mock import mock_appfabric
from tests._workflow import (
    NO_VALIDATION,
    client,
    expect_error,
    new_authorization,
    new_bundle,
    new_destination,
    new_ingestion,
    s3,
    under,
)

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


class Listing:
    """One List operation: how to make its items, list them and delete one."""

    operation = ""
    key = ""
    id_key = "arn"

    def __init__(self, api):
        self.api = api
        self.params = {}

    def setup(self):
        """Create what the items live in (called once per listing)."""

    def make(self, n):
        raise NotImplementedError

    def delete(self, item_id):
        raise NotImplementedError

    def fill(self, count):
        return [self.make(n) for n in range(count)]

    def page(self, **kwargs):
        response = getattr(self.api, self.operation)(**self.params, **kwargs)
        return [item[self.id_key] for item in response[self.key]], response.get("nextToken")

    def paginate(self, **config):
        paginator = self.api.get_paginator(self.operation)
        return [
            [item[self.id_key] for item in page[self.key]]
            for page in paginator.paginate(**self.params, PaginationConfig=config)
        ]


class Bundles(Listing):
    operation, key = "list_app_bundles", "appBundleSummaryList"

    def make(self, n):
        return new_bundle(self.api)

    def delete(self, item_id):
        self.api.delete_app_bundle(appBundleIdentifier=item_id)


class Authorizations(Listing):
    operation, key, id_key = "list_app_authorizations", "appAuthorizationSummaryList", "appAuthorizationArn"

    def setup(self):
        self.bundle = new_bundle(self.api)
        self.params = {"appBundleIdentifier": self.bundle}

    def make(self, n):
        return new_authorization(self.api, self.bundle, tenant=f"tenant-{n}", connect=False)["appAuthorizationArn"]

    def delete(self, item_id):
        self.api.delete_app_authorization(appBundleIdentifier=self.bundle, appAuthorizationIdentifier=item_id)


class Ingestions(Listing):
    operation, key = "list_ingestions", "ingestions"

    def setup(self):
        self.bundle = new_bundle(self.api)
        self.params = {"appBundleIdentifier": self.bundle}

    def make(self, n):
        new_authorization(self.api, self.bundle, tenant=f"tenant-{n}")
        return new_ingestion(self.api, self.bundle, tenant=f"tenant-{n}")["arn"]

    def delete(self, item_id):
        self.api.delete_ingestion(appBundleIdentifier=self.bundle, ingestionIdentifier=item_id)


class Destinations(Listing):
    operation, key = "list_ingestion_destinations", "ingestionDestinations"

    def setup(self):
        bundle = new_bundle(self.api)
        new_authorization(self.api, bundle)
        self.ingestion = new_ingestion(self.api, bundle)
        self.params = under(self.ingestion)

    def make(self, n):
        return new_destination(self.api, self.ingestion, s3(f"bucket-{n:03d}"))["arn"]

    def delete(self, item_id):
        self.api.delete_ingestion_destination(**self.params, ingestionDestinationIdentifier=item_id)


LISTINGS = [Bundles, Authorizations, Ingestions, Destinations]
IDS = ["ListAppBundles", "ListAppAuthorizations", "ListIngestions", "ListIngestionDestinations"]


@pytest.fixture(params=LISTINGS, ids=IDS)
def listing(request):
    """A listing in a mock without quotas (so there can be many of everything)."""
    with mock_appfabric(quotas=None) as m:
        m.clock.freeze(T0)
        found = request.param(client())
        found.setup()
        found.mock = m
        yield found


def _flat(pages):
    return [item for page in pages for item in page]


def _expect_bad_token(listing, token, **kwargs):
    response = expect_error("ValidationException", 400, listing.page, nextToken=token, **kwargs)
    assert [f["name"] for f in response["fieldList"]] == ["nextToken"]
    return response


# -- pages ------------------------------------------------------------------------------------------------
def test_paginator_page_size_1_returns_every_item_once_in_creation_order(listing):
    made = listing.fill(7)
    pages = listing.paginate(PageSize=1)
    assert pages == [[item] for item in made]


def test_paginator_page_size_3(listing):
    made = listing.fill(7)
    assert listing.paginate(PageSize=3) == [made[0:3], made[3:6], made[6:]]


def test_paginator_max_items_resumes_with_starting_token(listing):
    made = listing.fill(5)
    paginator = listing.api.get_paginator(listing.operation)
    first = paginator.paginate(**listing.params, PaginationConfig={"MaxItems": 2, "PageSize": 2}).build_full_result()
    assert [i[listing.id_key] for i in first[listing.key]] == made[:2]
    rest = paginator.paginate(
        **listing.params, PaginationConfig={"StartingToken": first["NextToken"], "PageSize": 2}
    ).build_full_result()
    assert [i[listing.id_key] for i in rest[listing.key]] == made[2:]


def test_max_results_1_and_100(listing):
    made = listing.fill(3)
    items, token = listing.page(maxResults=1)
    assert (items, bool(token)) == (made[:1], True)
    items, token = listing.page(maxResults=100)
    assert (items, token) == (made, None)


def test_max_results_100_with_101_items(listing):
    made = listing.fill(101)
    items, token = listing.page(maxResults=100)
    assert items == made[:100]
    assert listing.page(maxResults=100, nextToken=token) == (made[100:], None)
    assert listing.paginate(PageSize=100) == [made[:100], made[100:]]


def test_without_max_results_a_page_holds_100(listing):
    made = listing.fill(101)
    items, token = listing.page()
    assert items == made[:100] and token


def test_empty_listing(listing):
    if isinstance(listing, Bundles):
        assert listing.page() == ([], None)
    else:
        assert listing.paginate(PageSize=1) == [[]]


def test_page_size_may_change_between_pages(listing):
    made = listing.fill(6)
    first, token = listing.page(maxResults=1)
    second, token = listing.page(maxResults=4, nextToken=token)
    third, token = listing.page(maxResults=100, nextToken=token)
    assert (first, second, third, token) == (made[:1], made[1:5], made[5:], None)


# -- changes between pages ---------------------------------------------------------------------------------
def test_deleting_between_pages_loses_and_repeats_nothing(listing):
    made = listing.fill(6)
    first, token = listing.page(maxResults=2)
    assert first == made[:2]
    listing.delete(made[1])  # the last item already returned
    listing.delete(made[3])  # an item not yet returned
    second, token = listing.page(maxResults=2, nextToken=token)
    third, token = listing.page(maxResults=2, nextToken=token)
    assert (second, third, token) == ([made[2], made[4]], [made[5]], None)


def test_deleting_every_remaining_item_between_pages(listing):
    made = listing.fill(3)
    first, token = listing.page(maxResults=1)
    for item in made[1:]:
        listing.delete(item)
    assert listing.page(maxResults=1, nextToken=token) == ([], None)
    assert first == made[:1]


def test_items_created_between_pages_come_last(listing):
    made = listing.fill(3)
    first, token = listing.page(maxResults=2)
    later = listing.make(3)
    rest, token = listing.page(maxResults=100, nextToken=token)
    assert (first + rest, token) == ([*made, later], None)


# -- bad tokens ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["garbage", "x" * 300, "eyJ2IjoxfQ", "!!!"], ids=["word", "long", "json", "symbols"])
def test_garbage_token_is_invalid(listing, token):
    listing.fill(2)
    _expect_bad_token(listing, token)


def test_tampered_token_is_invalid(listing):
    listing.fill(3)
    _, token = listing.page(maxResults=1)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    _expect_bad_token(listing, tampered)


def test_token_of_another_operation_is_invalid(listing):
    listing.fill(2)
    _, token = listing.page(maxResults=1)
    other = Ingestions(listing.api) if not isinstance(listing, Ingestions) else Authorizations(listing.api)
    other.setup()
    other.fill(2)
    response = _expect_bad_token(other, token)
    assert "different request" in response["Error"]["Message"]


def test_token_of_another_parent_is_invalid(listing):
    if isinstance(listing, Bundles):
        # ListAppBundles has one scope per account and region: another region's token is foreign.
        listing.fill(2)
        _, token = listing.page(maxResults=1)
        elsewhere = Bundles(client(region="eu-west-1"))
        elsewhere.fill(2)
        _expect_bad_token(elsewhere, token)
        return
    listing.fill(2)
    _, token = listing.page(maxResults=1)
    other = type(listing)(listing.api)
    other.setup()
    other.fill(2)
    _expect_bad_token(other, token)


def test_token_expires_after_24_hours(listing):
    made = listing.fill(3)
    _, token = listing.page(maxResults=1)
    listing.mock.clock.advance(hours=23)
    assert listing.page(maxResults=1, nextToken=token)[0] == made[1:2]  # still good
    listing.mock.clock.advance(hours=2)
    # The model: "Using an expired pagination token will return an HTTP 400 InvalidToken error."
    response = expect_error("InvalidToken", 400, listing.page, nextToken=token)
    assert "expired" in response["Error"]["Message"]
    assert "fieldList" not in response and "reason" not in response  # not a ValidationException


@pytest.mark.parametrize("value", [0, 101, -1])
def test_max_results_out_of_range_is_invalid(value):
    with mock_appfabric():
        api = client(NO_VALIDATION)
        bundle = new_bundle(api)
        for call, params in [
            (api.list_app_bundles, {}),
            (api.list_app_authorizations, {"appBundleIdentifier": bundle}),
            (api.list_ingestions, {"appBundleIdentifier": bundle}),
        ]:
            response = expect_error("ValidationException", 400, call, maxResults=value, **params)
            assert response["reason"] == "fieldValidationFailed"
            assert [f["name"] for f in response["fieldList"]] == ["maxResults"]


def test_tokens_are_stable_across_mocks():
    """The same state gives the same token, and a token works in another mock with that state."""
    tokens = []
    for _ in range(2):
        with mock_appfabric(seed=7, now=T0):
            listing = Ingestions(client())
            listing.setup()
            made = listing.fill(3)
            tokens.append(listing.page(maxResults=1)[1])
            assert listing.page(maxResults=5, nextToken=tokens[0])[0] == made[1:]
    assert tokens[0] == tokens[1]
