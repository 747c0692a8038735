"""Small builders for the ingestion, destination, user access, tag and idempotency tests.

Builds on ``tests/helpers.py`` (constants, tokens, error reading, the basic
builders under the names these tests use).  Every builder takes a boto3
``appfabric`` client and returns what AppFabric returned.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

# Shared with the other tests (one definition each), under the names these tests use.
from helpers import (
    ACCOUNT,
    CONSOLE_REDIRECT,
    MISSING,
    REGION,
    appfabric_client,
    auth_type_of,
    error_of,
    make_authorization,
    new_token,
)
from helpers import NO_CLIENT_VALIDATION as NO_VALIDATION
from helpers import UUID_PATTERN as UUID
from helpers import connect as connect_authorization
from helpers import field_names as fields_of
from helpers import make_bundle as new_bundle
from helpers import make_ingestion as new_ingestion
from helpers import resource_id as last_id

__all__ = [
    "ACCOUNT", "CONSOLE_REDIRECT", "MISSING", "NO_VALIDATION", "REGION", "UUID", "client", "connect_authorization",
    "error_of", "expect_error",
    "expect_invalid", "fields_of", "firehose", "ingestion_setup", "last_id", "new_authorization", "new_bundle",
    "new_destination", "new_ingestion", "new_token", "processing", "s3", "under",
]


def client(config: Optional[Config] = None, region: str = REGION) -> Any:
    """A boto3 AppFabric client; create it while a mock is active."""
    return appfabric_client(region, config)


# -- builders -------------------------------------------------------------------------------------
def new_authorization(
    api: Any,
    bundle: str,
    *,
    app: str = "TERRAFORMCLOUD",
    tenant: str = "tenant-1",
    connect: bool = True,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Create an app authorization (connected unless told); return the ``appAuthorization``.

    Its ``authType`` is the one ``app`` connects with; an apiKey credential is ``secret-api-key``.
    """
    if auth_type_of(app) == "apiKey" and "credential" not in kwargs:
        kwargs["credential"] = {"apiKeyCredential": {"apiKey": "secret-api-key"}}
    created = make_authorization(api, bundle, app=app, tenant=tenant, **kwargs)
    if connect:
        connect_authorization(api, created)
    return created


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
