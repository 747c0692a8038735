"""appfabric-mock: an in-memory AWS AppFabric for tests.

>>> from appfabric_mock import mock_appfabric
>>> with mock_appfabric() as m:
...     import boto3
...     client = boto3.client("appfabric", region_name="us-east-1")
...     arn = client.create_app_bundle()["appBundle"]["arn"]

The errors a client receives are botocore's (``client.exceptions.ConflictException``, or
``botocore.exceptions.ClientError`` and its ``response["Error"]["Code"]``): the mock's own
error classes are internal (:mod:`appfabric_mock.errors`) and not exported here, as no client
ever raises them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .identity import DEFAULT_ACCOUNT_ID, SERVICE_REGIONS
from .mock import AppFabricMock, AppFabricMockEscapeError, AppFabricMockWarning, current_mock, mock_appfabric

if TYPE_CHECKING:
    from .backend.support import Clock
    from .retries import no_retry_sleep

#: Names of the mock's error classes, which a test might try to import from here: they are not
#: exported, as catching one around a client call would never catch anything (see _not_exported).
_ERROR_NAMES = frozenset({
    "AccessDeniedException",
    "AppFabricError",
    "ConflictException",
    "IdempotentParameterMismatch",
    "InternalServerException",
    "InvalidToken",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ThrottlingException",
    "UnknownOperationException",
    "ValidationException",
})

__version__ = "0.1.0"

__all__ = [
    "AppFabricMock",
    "AppFabricMockEscapeError",
    "AppFabricMockWarning",
    "Clock",
    "DEFAULT_ACCOUNT_ID",
    "SERVICE_REGIONS",
    "current_mock",
    "mock_appfabric",
    "no_retry_sleep",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that `import appfabric_mock` loads neither the retry patches
    # nor the backend (Clock).
    if name in _ERROR_NAMES:
        raise _not_exported(name)
    if name == "no_retry_sleep":
        from .retries import no_retry_sleep

        return no_retry_sleep
    if name == "Clock":
        from .backend.support import Clock

        return Clock
    raise AttributeError(f"module 'appfabric_mock' has no attribute {name!r}")


def _not_exported(name: str) -> ImportError:
    # An ImportError rather than an AttributeError: `from appfabric_mock import X` replaces an
    # AttributeError's message with its own, and this message is the point.
    if name == "AppFabricError":
        catch = ("catch what botocore raises: `botocore.exceptions.ClientError`, and read the code from "
                 "`error.response['Error']['Code']`")
        example = ""
    else:
        catch = (f"catch what botocore raises: `client.exceptions.{name}` (e.g. `pytest.raises("
                 f"client.exceptions.{name})`), or `botocore.exceptions.ClientError` with "
                 f"`error.response['Error']['Code'] == {name!r}`")
        example = f" To inject this error, name it: m.inject_fault('<Operation>', {name!r})."
    return ImportError(
        f"appfabric_mock does not export {name}: a boto3 or aiobotocore client never raises the mock's "
        f"internal error classes, so `pytest.raises({name})` around a client call could never catch "
        f"anything. Instead, {catch}.{example}",
        name="appfabric_mock",
    )
