"""appfabric-mock: an in-memory AWS AppFabric for tests.

>>> from appfabric_mock import mock_appfabric
>>> with mock_appfabric() as m:
...     import boto3
...     client = boto3.client("appfabric", region_name="us-east-1")
...     arn = client.create_app_bundle()["appBundle"]["arn"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AccessDeniedException,
    AppFabricError,
    ConflictException,
    IdempotentParameterMismatch,
    InternalServerException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ThrottlingException,
    UnknownOperationException,
    ValidationException,
)
from .identity import DEFAULT_ACCOUNT_ID, SERVICE_REGIONS
from .mock import AppFabricMock, AppFabricMockEscapeError, AppFabricMockWarning, current_mock, mock_appfabric

if TYPE_CHECKING:
    from .backend.support import Clock
    from .retries import no_retry_sleep

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedException",
    "AppFabricError",
    "AppFabricMock",
    "AppFabricMockEscapeError",
    "AppFabricMockWarning",
    "Clock",
    "ConflictException",
    "DEFAULT_ACCOUNT_ID",
    "IdempotentParameterMismatch",
    "InternalServerException",
    "ResourceNotFoundException",
    "SERVICE_REGIONS",
    "ServiceQuotaExceededException",
    "ThrottlingException",
    "UnknownOperationException",
    "ValidationException",
    "current_mock",
    "mock_appfabric",
    "no_retry_sleep",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: `import appfabric_mock` stays as cheap as it was.
    if name == "no_retry_sleep":
        from .retries import no_retry_sleep

        return no_retry_sleep
    if name == "Clock":
        from .backend.support import Clock

        return Clock
    raise AttributeError(f"module 'appfabric_mock' has no attribute {name!r}")
