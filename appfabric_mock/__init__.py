"""appfabric-mock: an in-memory AWS AppFabric for tests.

>>> from appfabric_mock import mock_appfabric
>>> with mock_appfabric() as m:
...     import boto3
...     client = boto3.client("appfabric", region_name="us-east-1")
...     arn = client.create_app_bundle()["appBundle"]["arn"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AppFabricError, IdempotentParameterMismatch, UnknownOperationException
from .identity import DEFAULT_ACCOUNT_ID, SERVICE_REGIONS
from .mock import AppFabricMock, AppFabricMockEscapeError, AppFabricMockWarning, current_mock, mock_appfabric

if TYPE_CHECKING:
    from .backend.support import Clock
    from .errors import (
        AccessDeniedException,
        ConflictException,
        InternalServerException,
        ResourceNotFoundException,
        ServiceQuotaExceededException,
        ThrottlingException,
        ValidationException,
    )
    from .retries import no_retry_sleep

#: The error classes built from botocore's model when first named (see appfabric_mock.errors).
_MODELLED_ERRORS = frozenset({
    "AccessDeniedException",
    "ConflictException",
    "InternalServerException",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ThrottlingException",
    "ValidationException",
})

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
    # Loaded on first use, so that `import appfabric_mock` loads neither botocore's model
    # (the error classes) nor the backend (Clock).
    if name in _MODELLED_ERRORS:
        from . import errors

        return getattr(errors, name)
    if name == "no_retry_sleep":
        from .retries import no_retry_sleep

        return no_retry_sleep
    if name == "Clock":
        from .backend.support import Clock

        return Clock
    raise AttributeError(f"module 'appfabric_mock' has no attribute {name!r}")
