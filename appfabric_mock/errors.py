"""Errors the mock answers with, one class per AppFabric error shape.

Each class carries the members of its shape in the service model; the
serialiser turns an instance into the status code, ``x-amzn-ErrorType`` header,
``Retry-After`` header and JSON body that the real service sends.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = [
    "AppFabricError",
    "AccessDeniedException",
    "ConflictException",
    "IdempotentParameterMismatch",
    "InternalServerException",
    "InvalidToken",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ThrottlingException",
    "UnknownOperationException",
    "ValidationException",
    "ERROR_CLASSES",
]


class AppFabricError(Exception):
    """Base class of every error the mock returns to a client.

    ``code`` is the AWS error code, ``status`` the HTTP status, ``members`` the
    shape members other than ``message`` (by their model names).

    These are raised inside the mock and turned into HTTP responses: the code under
    test sees a ``botocore.exceptions.ClientError`` whose ``response["Error"]["Code"]``
    is ``code`` (and boto3's modelled exception classes, such as
    ``client.exceptions.ConflictException``, match it).  Test code rarely needs these
    classes, except to name codes (``ConflictException.code``).
    """

    code = "AppFabricError"
    status = 400
    #: Whether the error is one of the shapes of botocore's AppFabric model.
    modeled = True

    def __init__(self, message: str, **members: Any) -> None:
        super().__init__(message)
        self.message = message
        self.members: Dict[str, Any] = {k: v for k, v in members.items() if v is not None}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __reduce__(self) -> Any:  # pickling for pytest-xdist and multiprocessing
        return (_rebuild, (type(self), self.message, self.members))


def _rebuild(cls: type, message: str, members: Dict[str, Any]) -> "AppFabricError":
    err: AppFabricError = Exception.__new__(cls)
    AppFabricError.__init__(err, message, **members)
    return err


class AccessDeniedException(AppFabricError):
    """HTTP 403: the caller is not allowed to perform the action."""

    code = "AccessDeniedException"
    status = 403


class ConflictException(AppFabricError):
    """HTTP 409: the request conflicts with the current state of a resource."""

    code = "ConflictException"
    status = 409

    def __init__(self, message: str, *, resource_id: str, resource_type: str) -> None:
        super().__init__(message, resourceId=resource_id, resourceType=resource_type)


class ResourceNotFoundException(AppFabricError):
    """HTTP 404: the named resource does not exist."""

    code = "ResourceNotFoundException"
    status = 404

    def __init__(self, message: str, *, resource_id: str, resource_type: str) -> None:
        super().__init__(message, resourceId=resource_id, resourceType=resource_type)


class ServiceQuotaExceededException(AppFabricError):
    """HTTP 402: a service quota would be exceeded."""

    code = "ServiceQuotaExceededException"
    status = 402

    def __init__(
        self,
        message: str,
        *,
        resource_id: str,
        resource_type: str,
        quota_code: str,
        service_code: str = "appfabric",
    ) -> None:
        super().__init__(
            message,
            resourceId=resource_id,
            resourceType=resource_type,
            serviceCode=service_code,
            quotaCode=quota_code,
        )


class ThrottlingException(AppFabricError):
    """HTTP 429: request rate exceeded; botocore retries it as throttling."""

    code = "ThrottlingException"
    status = 429

    def __init__(
        self,
        message: str = "Rate exceeded",
        *,
        retry_after_seconds: Optional[int] = None,
        service_code: Optional[str] = None,
        quota_code: Optional[str] = None,
    ) -> None:
        super().__init__(
            message,
            retryAfterSeconds=retry_after_seconds,
            serviceCode=service_code,
            quotaCode=quota_code,
        )


class InternalServerException(AppFabricError):
    """HTTP 500: an unexpected failure inside the service (or inside the mock)."""

    code = "InternalServerException"
    status = 500

    def __init__(self, message: str = "Internal server error", *, retry_after_seconds: Optional[int] = None) -> None:
        super().__init__(message, retryAfterSeconds=retry_after_seconds)


class ValidationException(AppFabricError):
    """HTTP 400: the request failed validation.

    ``reason`` is one of ``unknownOperation``, ``cannotParse``,
    ``fieldValidationFailed`` and ``other``; ``field_list`` holds
    ``(name, message)`` pairs for the offending fields.
    """

    code = "ValidationException"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        reason: str = "other",
        field_list: Optional[Sequence[Tuple[str, str]]] = None,
    ) -> None:
        fields: Optional[List[Dict[str, str]]] = None
        if field_list:
            fields = [{"name": name, "message": msg} for name, msg in field_list]
        super().__init__(message, reason=reason, fieldList=fields)

    @classmethod
    def for_fields(cls, problems: Sequence[Tuple[str, str]]) -> "ValidationException":
        """Build the error AWS sends for failed field constraints."""
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        detail = "; ".join(msg for _, msg in problems)
        return cls(f"{count} validation {noun} detected: {detail}", reason="fieldValidationFailed",
                   field_list=problems)


class UnknownOperationException(AppFabricError):
    """HTTP 404: no AppFabric operation has this method and path (not a modelled shape)."""

    code = "UnknownOperationException"
    status = 404
    modeled = False


class IdempotentParameterMismatch(AppFabricError):
    """HTTP 400: a client token was reused with different parameters (not a modelled shape)."""

    code = "IdempotentParameterMismatch"
    status = 400
    modeled = False


class InvalidToken(AppFabricError):
    """HTTP 400: an expired pagination token.

    Not a modelled shape: the model's documentation of ``nextToken`` names it.
    """

    code = "InvalidToken"
    status = 400
    modeled = False


#: Error classes by error code, for fault injection and for the server's control API.
ERROR_CLASSES: Mapping[str, type] = {
    cls.code: cls
    for cls in (
        AccessDeniedException,
        ConflictException,
        ResourceNotFoundException,
        ServiceQuotaExceededException,
        ThrottlingException,
        InternalServerException,
        ValidationException,
        UnknownOperationException,
        IdempotentParameterMismatch,
        InvalidToken,
    )
}
