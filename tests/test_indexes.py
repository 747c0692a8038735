"""The indexes that keep creates and due deliveries cheap in a large state answer as the scans they replace.

Bundles index their authorizations and ingestions by (app, tenant), and each backend
lists the ingestions a due delivery looks at (appfabric_mock/backend/collection.py,
appfabric_mock/backend/base.py).  Random operations, and a state saved and loaded,
must leave both equal to what a scan of the whole state finds.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from helpers import CONSOLE_REDIRECT, appfabric_client

from appfabric_mock import mock_appfabric
from appfabric_mock.backend.models import authorization_key, ingestion_key
from appfabric_mock.errors import AppFabricError

OAUTH = {"oauth2Credential": {"clientId": "c", "clientSecret": "s"}}
TENANTS = [f"t{index}" for index in range(6)]
APPS = ["SLACK", "ZOOM"]


def _check_indexes(backend: Any) -> None:
    """Every index equals the scan it replaces."""
    for bundle in backend.bundles:
        for collection, key in ((bundle.authorizations, authorization_key), (bundle.ingestions, ingestion_key)):
            keys = {key(r) for r in collection} | set(collection._index)
            for value in keys:
                assert collection.find(value) == [r for r in collection if key(r) == value], value
    scanned = {ingestion.arn for bundle in backend.bundles for ingestion in bundle.ingestions
               if ingestion.state == "enabled" and ingestion.destinations}
    assert set(backend.delivering) == scanned
    for arn, (bundle, ingestion) in backend.delivering.items():
        assert bundle.ingestions.get(ingestion.id) is ingestion and ingestion.arn == arn


def _scanned_targets(m: Any) -> List[Tuple[str, str]]:
    """The data plane's targets by its definition: a scan of every bundle (the plain path)."""
    out = []
    for _key, backend in m.state.store.items():
        for bundle in backend.bundles:
            connected = {(a.app, a.tenant_identifier) for a in bundle.authorizations if a.status == "Connected"}
            for ingestion in bundle.ingestions:
                if ingestion.state != "enabled" or (ingestion.app, ingestion.tenant_id) not in connected:
                    continue
                out.extend((ingestion.arn, d.arn) for d in ingestion.destinations if d.status == "Active")
    return out


def _random_operation(m: Any, rng: random.Random, bundles: List[str]) -> None:
    backend = m.backend()
    bundle = rng.choice(bundles)
    found = backend._find_bundle(bundle)
    auths = list(found.authorizations)
    ingestions = list(found.ingestions)
    choice = rng.randrange(10)
    ids: Dict[str, Any] = {"appBundleIdentifier": bundle}
    if choice == 0 or not auths:
        operation, params = "create_app_authorization", {
            **ids, "app": rng.choice(APPS), "authType": "oauth2", "credential": OAUTH,
            "tenant": {"tenantIdentifier": rng.choice(TENANTS), "tenantDisplayName": "x"}}
    elif choice == 1:
        operation, params = "update_app_authorization", {
            **ids, "appAuthorizationIdentifier": rng.choice(auths).arn,
            "tenant": {"tenantIdentifier": rng.choice(TENANTS), "tenantDisplayName": "y"}}
    elif choice == 2:
        operation, params = "delete_app_authorization", {**ids, "appAuthorizationIdentifier": rng.choice(auths).arn}
    elif choice == 3:
        operation, params = "connect_app_authorization", {
            **ids, "appAuthorizationIdentifier": rng.choice(auths).arn,
            "authRequest": {"redirectUri": CONSOLE_REDIRECT, "code": "c"}}
    elif choice == 4 or not ingestions:
        auth = rng.choice(auths)
        operation, params = "create_ingestion", {**ids, "app": auth.app, "tenantId": auth.tenant_identifier,
                                                 "ingestionType": "auditLog"}
    elif choice == 5:
        operation, params = rng.choice(["start_ingestion", "stop_ingestion"]), {
            **ids, "ingestionIdentifier": rng.choice(ingestions).arn}
    elif choice == 6:
        operation, params = "create_ingestion_destination", {
            **ids, "ingestionIdentifier": rng.choice(ingestions).arn,
            "processingConfiguration": {"auditLog": {"schema": "ocsf", "format": "json"}},
            "destinationConfiguration": {"auditLog": {"destination": {"s3Bucket": {
                "bucketName": f"b{rng.randrange(3)}"}}}}}
    elif choice == 7:
        ingestion = rng.choice(ingestions)
        destinations = list(ingestion.destinations)
        if not destinations:
            return
        operation, params = "delete_ingestion_destination", {
            **ids, "ingestionIdentifier": ingestion.arn, "ingestionDestinationIdentifier": rng.choice(destinations).arn}
    elif choice == 8:
        operation, params = "delete_ingestion", {**ids, "ingestionIdentifier": rng.choice(ingestions).arn}
    else:
        ingestion = rng.choice(ingestions)
        destinations = list(ingestion.destinations)
        if destinations:
            m.set_destination_failed(rng.choice(destinations).arn, "gone")
        return
    try:
        m.state.store.call(m.state.default_account_id, "us-east-1", operation, params)
    except AppFabricError:
        pass  # refusals (duplicates, tenants in use, not connected) must leave the indexes as they were


@pytest.mark.parametrize("seed", range(4))
def test_random_operations_keep_every_index_equal_to_a_scan(seed: int) -> None:
    rng = random.Random(seed)
    with mock_appfabric(quotas=None, strict_apps=False, seed=seed) as m:
        client = appfabric_client()
        bundles = [client.create_app_bundle()["appBundle"]["arn"] for _ in range(2)]
        delivering = targets = 0
        for _ in range(300):
            _random_operation(m, rng, bundles)
            _check_indexes(m.backend())
            found = [(t.ingestion.arn, t.destination.arn) for t in m.state.data_plane.targets()]
            assert found == _scanned_targets(m)
            delivering = max(delivering, len(m.backend().delivering))
            targets = max(targets, len(found))
        assert delivering > 1 and targets > 1  # the run reached states worth checking


def test_uniqueness_after_a_tenant_change_and_a_delete() -> None:
    with mock_appfabric() as m:
        client = appfabric_client()
        bundle = client.create_app_bundle()["appBundle"]["arn"]

        def create(tenant: str) -> Any:
            return client.create_app_authorization(
                appBundleIdentifier=bundle, app="SLACK", authType="oauth2", credential=OAUTH,
                tenant={"tenantIdentifier": tenant, "tenantDisplayName": tenant})["appAuthorization"]

        first = create("a")
        client.update_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=first["appAuthorizationArn"],
                                        tenant={"tenantIdentifier": "b", "tenantDisplayName": "b"})
        second = create("a")  # "a" is free again
        with pytest.raises(client.exceptions.ConflictException):
            create("b")  # taken by the first, under its new tenant
        client.delete_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=first["appAuthorizationArn"])
        create("b")  # free once deleted
        with pytest.raises(client.exceptions.ConflictException) as conflict:
            create("a")
        assert conflict.value.response["resourceId"] == second["appAuthorizationArn"]
        _check_indexes(m.backend())


def test_indexes_survive_a_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with mock_appfabric(state_file=path, now="2024-06-01T09:00:00Z") as m:
        client = appfabric_client()
        bundle = client.create_app_bundle()["appBundle"]["arn"]
        auth = client.create_app_authorization(
            appBundleIdentifier=bundle, app="SLACK", authType="oauth2", credential=OAUTH,
            tenant={"tenantIdentifier": "t", "tenantDisplayName": "t"})["appAuthorization"]
        client.connect_app_authorization(appBundleIdentifier=bundle,
                                         appAuthorizationIdentifier=auth["appAuthorizationArn"],
                                         authRequest={"redirectUri": CONSOLE_REDIRECT, "code": "c"})
        ingestion = client.create_ingestion(appBundleIdentifier=bundle, app="SLACK", tenantId="t",
                                            ingestionType="auditLog")["ingestion"]
        client.create_ingestion_destination(
            appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"],
            processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
            destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "logs"}}}})
        assert set(m.backend().delivering) == {ingestion["arn"]}
    with mock_appfabric(state_file=path) as m:
        client = appfabric_client()
        backend = m.backend()
        _check_indexes(backend)
        assert set(backend.delivering) == {ingestion["arn"]}
        with pytest.raises(client.exceptions.ConflictException):
            client.create_app_authorization(
                appBundleIdentifier=bundle, app="SLACK", authType="oauth2", credential=OAUTH,
                tenant={"tenantIdentifier": "t", "tenantDisplayName": "t"})
        with pytest.raises(client.exceptions.ConflictException):
            client.create_ingestion(appBundleIdentifier=bundle, app="SLACK", tenantId="t", ingestionType="auditLog")
        m.clock.advance(3600)
        assert m.run_due_deliveries()  # the loaded ingestion delivers
        # The saved file holds no index: it is derived data.
    assert "delivering" not in path.read_text()
