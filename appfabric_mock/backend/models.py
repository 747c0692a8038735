"""AppFabric resources as plain objects.

Credentials are never kept: an authorization remembers its OAuth client id
(needed for the authUrl, and not secret) but no client secret or API key.
E-mail addresses and user names of registered app users are kept (a user
access task must report them) but never shown by ``repr``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .collection import Collection

Tags = Dict[str, str]


def json_copy(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, scalars) that shares no container with ``value``."""
    if type(value) is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if type(value) is list:
        return [json_copy(item) for item in value]
    return value


def tag_list(tags: Tags) -> List[Dict[str, str]]:
    """Tags in the wire form ``[{"key": ..., "value": ...}]``."""
    return [{"key": k, "value": v} for k, v in tags.items()]


@dataclass(eq=False)
class AppBundle:
    """An app bundle and the authorizations and ingestions it holds."""

    id: str
    arn: str
    seq: int
    created_at: _dt.datetime
    customer_managed_key_arn: Optional[str] = None
    tags: Tags = field(default_factory=dict)
    authorizations: "Collection[AppAuthorization]" = field(default_factory=Collection, repr=False)
    ingestions: "Collection[Ingestion]" = field(default_factory=Collection, repr=False)

    def __post_init__(self) -> None:
        # The uniqueness checks and the data plane look children up by app and tenant
        # (a bundle may hold thousands); built here, so a bundle loaded from a state file has them too.
        self.authorizations.index_by(authorization_key)
        self.ingestions.index_by(ingestion_key)

    def describe(self) -> Dict[str, Any]:
        """The ``AppBundle`` output shape."""
        out: Dict[str, Any] = {"arn": self.arn}
        if self.customer_managed_key_arn:
            out["customerManagedKeyArn"] = self.customer_managed_key_arn
        return out

    def summary(self) -> Dict[str, Any]:
        """The summary shape that List operations return."""
        return {"arn": self.arn}


@dataclass(eq=False)
class AppAuthorization:
    """An app authorization (its credential is never kept)."""

    id: str
    arn: str
    seq: int
    bundle_arn: str
    app: str
    tenant_identifier: str
    tenant_display_name: str
    auth_type: str
    created_at: _dt.datetime
    updated_at: _dt.datetime
    status: str = "PendingConnect"
    persona: str = "admin"
    client_id: Optional[str] = None
    tags: Tags = field(default_factory=dict)
    #: Set by a test control: the next ConnectAppAuthorization fails with this message.
    connect_failure: Optional[str] = field(default=None, repr=False)

    def tenant(self) -> Dict[str, str]:
        """The ``Tenant`` output shape."""
        return {"tenantIdentifier": self.tenant_identifier, "tenantDisplayName": self.tenant_display_name}

    def summary(self) -> Dict[str, Any]:
        """The summary shape that List operations return."""
        return {
            "appAuthorizationArn": self.arn,
            "appBundleArn": self.bundle_arn,
            "app": self.app,
            "tenant": self.tenant(),
            "status": self.status,
            "updatedAt": self.updated_at,
        }


def authorization_key(auth: "AppAuthorization") -> Tuple[str, str]:
    """What an app authorization is unique by within its bundle: (app, tenant identifier)."""
    return auth.app, auth.tenant_identifier


def ingestion_key(ingestion: "Ingestion") -> Tuple[str, str]:
    """An ingestion's app and tenant: the authorization it needs (and, with its type, what it is unique by)."""
    return ingestion.app, ingestion.tenant_id


@dataclass(eq=False)
class Ingestion:
    """An ingestion of one app and tenant, and its destinations."""

    id: str
    arn: str
    seq: int
    bundle_arn: str
    app: str
    tenant_id: str
    ingestion_type: str
    created_at: _dt.datetime
    updated_at: _dt.datetime
    state: str = "enabled"
    tags: Tags = field(default_factory=dict)
    destinations: "Collection[IngestionDestination]" = field(default_factory=Collection, repr=False)

    def describe(self) -> Dict[str, Any]:
        """The ``Ingestion`` output shape."""
        return {
            "arn": self.arn,
            "appBundleArn": self.bundle_arn,
            "app": self.app,
            "tenantId": self.tenant_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "state": self.state,
            "ingestionType": self.ingestion_type,
        }

    def summary(self) -> Dict[str, Any]:
        """The summary shape that List operations return."""
        return {"arn": self.arn, "app": self.app, "tenantId": self.tenant_id, "state": self.state}


@dataclass(eq=False)
class IngestionDestination:
    """Where an ingestion delivers: an S3 bucket or a Firehose stream."""

    id: str
    arn: str
    seq: int
    ingestion_arn: str
    processing_configuration: Dict[str, Any]
    destination_configuration: Dict[str, Any]
    created_at: _dt.datetime
    updated_at: _dt.datetime
    status: str = "Active"
    status_reason: Optional[str] = None
    tags: Tags = field(default_factory=dict)

    def describe(self) -> Dict[str, Any]:
        """The ``IngestionDestination`` output shape (``statusReason`` only when there is one).

        The configurations are copies: a result never shares a container with the state
        (recorded calls keep results as they are; see :mod:`appfabric_mock.recording`).
        """
        out: Dict[str, Any] = {
            "arn": self.arn,
            "ingestionArn": self.ingestion_arn,
            "processingConfiguration": json_copy(self.processing_configuration),
            "destinationConfiguration": json_copy(self.destination_configuration),
            "status": self.status,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        if self.status_reason is not None:
            out["statusReason"] = self.status_reason
        return out

    def summary(self) -> Dict[str, Any]:
        """The summary shape that List operations return."""
        return {"arn": self.arn}


@dataclass(eq=False)
class AppUser:
    """A user of a SaaS application, registered by a test for user access tasks."""

    app: str
    tenant_id: str
    email: str = field(repr=False)
    user_id: Optional[str] = field(default=None, repr=False)  # sensitive in the model (SensitiveString2048)
    first_name: Optional[str] = field(default=None, repr=False)
    last_name: Optional[str] = field(default=None, repr=False)
    status: Optional[str] = "Active"

    def full_name(self) -> Optional[str]:
        """First and last name joined, or None when neither is known."""
        names = [n for n in (self.first_name, self.last_name) if n]
        return " ".join(names) or None


IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
EXPIRED = "EXPIRED"


@dataclass(eq=False)
class UserAccessTask:
    """One lookup of a user (by e-mail address) in one app authorization.

    It starts ``IN_PROGRESS``; the backend completes it (see
    :mod:`appfabric_mock.backend.user_access`), and it expires after its lifetime.
    ``reads`` counts the BatchGetUserAccessTasks answers that reported it in progress.
    """

    id: str
    bundle_id: str
    app: str
    tenant_id: str
    tenant_display_name: str
    email: str = field(repr=False)
    started_at: Optional[_dt.datetime] = None
    result_status: str = IN_PROGRESS
    reads: int = 0
    user: Optional[AppUser] = field(default=None, repr=False)
    error: Optional[Dict[str, str]] = None

    def result(self) -> Dict[str, Any]:
        """The ``UserAccessResultItem`` output shape; user details only when a user was found."""
        out: Dict[str, Any] = {
            "app": self.app,
            "tenantId": self.tenant_id,
            "tenantDisplayName": self.tenant_display_name,
            "taskId": self.id,
            "resultStatus": self.result_status,
            "email": self.email,
        }
        user = self.user
        if user is not None and self.result_status == COMPLETED:
            out.update(
                userId=user.user_id,
                userFullName=user.full_name(),
                userFirstName=user.first_name,
                userLastName=user.last_name,
                userStatus=user.status,
            )
        if self.error is not None and self.result_status in (COMPLETED, FAILED):
            out["taskError"] = dict(self.error)
        return {k: v for k, v in out.items() if v is not None}
