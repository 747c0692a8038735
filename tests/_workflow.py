"""Small builders for the ingestion, destination, user access, tag and idempotency tests.

Kept apart from ``tests/helpers.py`` on purpose: these tests depend only on
what is written here and on boto3.  Every builder takes a boto3 ``appfabric``
client and returns what AppFabric returned.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional, Tuple

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "123456789012"
UUID = r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
CONSOLE_REDIRECT = f"https://{REGION}.console.aws.amazon.com/appfabric/oauth2"

#: No client-side validation (the mock's own validation answers) and no retries (no sleeping).
NO_VALIDATION = Config(parameter_validation=False, retries={"total_max_attempts": 1})


def client(config: Optional[Config] = None, region: str = REGION) -> Any:
    """A boto3 AppFabric client; create it while a mock is active."""
    return boto3.client("appfabric", region_name=region, config=config)


def new_token() -> str:
    """A fresh client token (the model wants a lowercase UUID)."""
    return str(uuid.uuid4())


def last_id(arn: str) -> str:
    """The trailing UUID of an AppFabric ARN."""
    return arn.rsplit("/", 1)[-1]


# -- builders -------------------------------------------------------------------------------------
def new_bundle(api: Any, **kwargs: Any) -> str:
    """Create an app bundle; return its ARN."""
    return str(api.create_app_bundle(**kwargs)["appBundle"]["arn"])


def new_authorization(
    api: Any,
    bundle: str,
    *,
    app: str = "TERRAFORMCLOUD",
    tenant: str = "tenant-1",
    connect: bool = True,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Create an apiKey app authorization (connected unless told); return the ``appAuthorization``."""
    created = api.create_app_authorization(
        appBundleIdentifier=bundle,
        app=app,
        credential={"apiKeyCredential": {"apiKey": "secret-api-key"}},
        tenant={"tenantIdentifier": tenant, "tenantDisplayName": f"Tenant {tenant}"},
        authType="apiKey",
        **kwargs,
    )["appAuthorization"]
    if connect:
        api.connect_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=created["appAuthorizationArn"]
        )
    return dict(created)


def new_ingestion(api: Any, bundle: str, *, app: str = "TERRAFORMCLOUD", tenant: str = "tenant-1",
                  **kwargs: Any) -> Dict[str, Any]:
    """Create an auditLog ingestion (an authorization for app and tenant must exist); return it."""
    response = api.create_ingestion(
        appBundleIdentifier=bundle, app=app, tenantId=tenant, ingestionType="auditLog", **kwargs
    )
    return dict(response["ingestion"])


def ingestion_setup(api: Any, *, app: str = "TERRAFORMCLOUD", tenant: str = "tenant-1",
                    bundle: Optional[str] = None) -> Tuple[str, Dict[str, Any]]:
    """A bundle (new unless given) with a connected authorization and an ingestion: (bundle ARN, ingestion)."""
    bundle = bundle or new_bundle(api)
    new_authorization(api, bundle, app=app, tenant=tenant)
    return bundle, new_ingestion(api, bundle, app=app, tenant=tenant)


def s3(bucket: str = "audit-logs", prefix: Optional[str] = None) -> Dict[str, Any]:
    """A ``destinationConfiguration`` for an S3 bucket."""
    target: Dict[str, Any] = {"bucketName": bucket}
    if prefix is not None:
        target["prefix"] = prefix
    return {"auditLog": {"destination": {"s3Bucket": target}}}


def firehose(stream: str = "audit-stream") -> Dict[str, Any]:
    """A ``destinationConfiguration`` for a Firehose delivery stream."""
    return {"auditLog": {"destination": {"firehoseStream": {"streamName": stream}}}}


def processing(schema: str = "ocsf", fmt: str = "json") -> Dict[str, Any]:
    """A ``processingConfiguration``."""
    return {"auditLog": {"schema": schema, "format": fmt}}


def new_destination(
    api: Any,
    ingestion: Dict[str, Any],
    destination: Optional[Dict[str, Any]] = None,
    processing_configuration: Optional[Dict[str, Any]] = None,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Create a destination (default: S3 ``audit-logs``, ocsf/json); return the ``ingestionDestination``."""
    response = api.create_ingestion_destination(
        appBundleIdentifier=ingestion["appBundleArn"],
        ingestionIdentifier=ingestion["arn"],
        processingConfiguration=processing_configuration or processing(),
        destinationConfiguration=destination or s3(),
        **kwargs,
    )
    return dict(response["ingestionDestination"])


def under(ingestion: Dict[str, Any]) -> Dict[str, str]:
    """The path identifiers (bundle, ingestion) of calls on an ingestion's destinations."""
    return {"appBundleIdentifier": ingestion["appBundleArn"], "ingestionIdentifier": ingestion["arn"]}


# -- errors ---------------------------------------------------------------------------------------
def error_of(excinfo: "pytest.ExceptionInfo[ClientError]") -> Tuple[str, int, Dict[str, Any]]:
    """(error code, HTTP status, whole parsed response) of a caught ClientError."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], dict(response)


def fields_of(response: Dict[str, Any]) -> List[str]:
    """The names in a ValidationException's ``fieldList``."""
    return [entry["name"] for entry in response.get("fieldList") or ()]


def expect_error(code: str, status: int, call: Any, *args: Any, **kwargs: Any) -> Dict[str, Any]:
    """Call, assert it fails with ``code`` and ``status``; return the parsed error response."""
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    got_code, got_status, response = error_of(excinfo)
    assert (got_code, got_status) == (code, status), response["Error"]
    return response


def expect_invalid(fields: List[str], call: Any, *args: Any, **kwargs: Any) -> Dict[str, Any]:
    """Assert a 400 ValidationException, reason fieldValidationFailed, naming exactly ``fields``."""
    response = expect_error("ValidationException", 400, call, *args, **kwargs)
    assert response["reason"] == "fieldValidationFailed"
    assert sorted(set(fields_of(response))) == sorted(fields), response["fieldList"]
    return response
