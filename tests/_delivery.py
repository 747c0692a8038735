"""Set-up for the data-plane tests: an app connected, an ingestion, destinations."""

from __future__ import annotations

from typing import Any, Dict, Optional

from helpers import CONSOLE_REDIRECT, appfabric_client, auth_type_of

#: A moment on the half hour: the first delivery falls due 30 minutes later.
START = "2024-06-01T09:00:00Z"
START_MS = 1717232400000
HALF_HOUR = 1800


def auth_type(app: str) -> str:
    """The ``authType`` the API accepts for ``app``."""
    return auth_type_of(app)


def connected_ingestion(client: Any, *, app: str = "OKTA", tenant: str = "acme.okta.com",
                        bundle: Optional[str] = None, connect: bool = True) -> Dict[str, Any]:
    """A bundle (new unless given), a connected authorization for app and tenant, an ingestion of it."""
    bundle = bundle or client.create_app_bundle()["appBundle"]["arn"]
    kind = auth_type(app)
    credential = ({"apiKeyCredential": {"apiKey": "the-api-key-SECRET"}} if kind == "apiKey" else
                  {"oauth2Credential": {"clientId": "client-id", "clientSecret": "the-client-SECRET"}})
    auth = client.create_app_authorization(
        appBundleIdentifier=bundle, app=app, authType=kind, credential=credential,
        tenant={"tenantIdentifier": tenant, "tenantDisplayName": tenant},
    )["appAuthorization"]
    if connect:
        request = {"authRequest": {"redirectUri": CONSOLE_REDIRECT, "code": "consent-code"}} if kind == "oauth2" else {}
        client.connect_app_authorization(appBundleIdentifier=bundle,
                                         appAuthorizationIdentifier=auth["appAuthorizationArn"], **request)
    ingestion = client.create_ingestion(appBundleIdentifier=bundle, app=app, tenantId=tenant,
                                        ingestionType="auditLog")["ingestion"]
    return dict(ingestion, authorizationArn=auth["appAuthorizationArn"])


def s3_destination(client: Any, ingestion: Dict[str, Any], *, bucket: str = "audit-logs",
                   prefix: Optional[str] = None, schema: str = "ocsf", fmt: str = "json") -> Dict[str, Any]:
    target: Dict[str, Any] = {"bucketName": bucket}
    if prefix is not None:
        target["prefix"] = prefix
    return dict(client.create_ingestion_destination(
        appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=ingestion["arn"],
        processingConfiguration={"auditLog": {"schema": schema, "format": fmt}},
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": target}}},
    )["ingestionDestination"])


def firehose_destination(client: Any, ingestion: Dict[str, Any], *, stream: str = "audit-stream",
                         schema: str = "ocsf") -> Dict[str, Any]:
    return dict(client.create_ingestion_destination(
        appBundleIdentifier=ingestion["appBundleArn"], ingestionIdentifier=ingestion["arn"],
        processingConfiguration={"auditLog": {"schema": schema, "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"firehoseStream": {"streamName": stream}}}},
    )["ingestionDestination"])


def status_of(client: Any, destination: Dict[str, Any]) -> Dict[str, Any]:
    ingestion_arn = destination["ingestionArn"]
    return dict(client.get_ingestion_destination(
        appBundleIdentifier=ingestion_arn.split("/ingestion/")[0], ingestionIdentifier=ingestion_arn,
        ingestionDestinationIdentifier=destination["arn"],
    )["ingestionDestination"])


def client() -> Any:
    return appfabric_client()
