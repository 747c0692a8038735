"""Errors the mock answers with: one class per error shape of botocore's AppFabric model.

The modelled classes are built from the model, on first use: each one's code, HTTP
status, members (in model order), required members and the members the rest-json
protocol sends as headers (``retryAfterSeconds`` as ``Retry-After``) all come from
its shape, so a new error shape or member in a newer botocore needs no change here.
They are built lazily because reading the model is not free and ``import
appfabric_mock`` must stay cheap; ``from appfabric_mock.errors import ConflictException``
builds them.

These classes are the mock's internals: a client never raises them (it raises botocore's
``ClientError``), which is why the package's top level does not export them.

A few errors are not shapes of the model but are what the service answers in
situations the model does not describe; they are the short explicit list at the
end of this module.

Backends raise them with keyword members, by model name or in snake case::

    raise ResourceNotFoundException("gone", resource_id=arn, resource_type="AppBundle")
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, Type

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
    "error_class",
]


class AppFabricError(Exception):
    """Base class of every error the mock returns to a client.

    ``code`` is the AWS error code, ``status`` the HTTP status, ``members`` the
    shape members other than ``message`` (by their model names).

    These are raised inside the mock and turned into HTTP responses: the code under
    test sees a ``botocore.exceptions.ClientError`` whose ``response["Error"]["Code"]``
    is ``code`` (and boto3's modelled exception classes, such as
    ``client.exceptions.ConflictException``, match it).  Test code does not need these
    classes: it catches botocore's, and names codes as strings (``inject_fault``).
    """

    code: str = "AppFabricError"
    status: int = 400
    #: Whether the error is one of the shapes of botocore's AppFabric model.
    modeled: ClassVar[bool] = True
    #: The members other than ``message``, in the order the model lists them.
    member_names: ClassVar[Tuple[str, ...]] = ()
    #: The members the model requires (``message`` aside).
    required_members: ClassVar[FrozenSet[str]] = frozenset()
    #: Members sent as HTTP headers: model name -> header name.
    header_members: ClassVar[Mapping[str, str]] = {}
    #: The message when none is given (None: a message is required).
    default_message: ClassVar[Optional[str]] = None
    #: Keyword -> model name, for both spellings of each member.
    _keywords: ClassVar[Mapping[str, str]] = {}

    message: str
    members: Dict[str, Any]

    def __init__(self, message: Optional[str] = None, **members: Any) -> None:
        if message is None:
            if self.default_message is None:
                raise TypeError(f"{type(self).__name__}() needs a message")
            message = self.default_message
        given: Dict[str, Any] = {}
        for keyword, value in members.items():
            name = self._keywords.get(keyword)
            if name is None:
                choices = ", ".join(self.member_names) or "none"
                raise TypeError(f"{type(self).__name__} has no member {keyword!r} (its members: {choices})")
            if value is not None:
                given[name] = value
        for name in self.member_names:
            if name not in self.required_members or name in given:
                continue
            default = _MEMBER_DEFAULTS.get(name)
            if default is None:
                raise TypeError(f"{type(self).__name__} needs the member {name} ({_snake(name)}=...)")
            given[name] = default
        _init(self, message, {name: given[name] for name in self.member_names if name in given})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __reduce__(self) -> Any:  # pickling for pytest-xdist and multiprocessing
        return (_rebuild, (type(self), self.message, self.members))


def _init(error: AppFabricError, message: str, members: Dict[str, Any]) -> None:
    Exception.__init__(error, message)
    error.message = message
    error.members = members


def _rebuild(cls: type, message: str, members: Dict[str, Any]) -> AppFabricError:
    """An error with these members by model name, as pickled (they were checked when it was made)."""
    err: AppFabricError = Exception.__new__(cls)
    _init(err, message, {k: v for k, v in members.items() if v is not None})
    return err


#: Values of required members a raiser may leave out (every quota the mock reports is AppFabric's;
#: ``other`` is the ValidationException reason that claims nothing).
_MEMBER_DEFAULTS: Mapping[str, str] = {"serviceCode": "appfabric", "reason": "other"}

#: Messages of the errors that may be raised without one.
_DEFAULT_MESSAGES: Mapping[str, str] = {
    "ThrottlingException": "Rate exceeded",
    "InternalServerException": "Internal server error",
}


def _snake(name: str) -> str:
    """``retryAfterSeconds`` -> ``retry_after_seconds``."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


class _ValidationMembers(AppFabricError):
    """``field_list=`` takes the offending fields as ``(name, message)`` pairs."""

    def __init__(self, message: Optional[str] = None, *,
                 field_list: Optional[Sequence[Tuple[str, str]]] = None, **members: Any) -> None:
        if field_list:
            members["fieldList"] = [{"name": name, "message": text} for name, text in field_list]
        super().__init__(message, **members)

    @classmethod
    def for_fields(cls, problems: Sequence[Tuple[str, str]]) -> "ValidationException":
        """Build the error AWS sends for failed field constraints."""
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        detail = "; ".join(msg for _, msg in problems)
        error = cls(f"{count} validation {noun} detected: {detail}", reason="fieldValidationFailed",
                    field_list=problems)
        return error  # type: ignore[return-value]


#: Classes that add behaviour to the class built for a shape.
_EXTENSIONS: Mapping[str, type] = {"ValidationException": _ValidationMembers}


# -- the modelled errors, built from the model ---------------------------------------------

_lock = threading.Lock()
_modelled: Optional[Dict[str, Type[AppFabricError]]] = None


def _modelled_classes() -> Dict[str, Type[AppFabricError]]:
    """One class per error shape of the model, built once per process."""
    global _modelled
    if _modelled is None:
        with _lock:
            if _modelled is None:
                from ._model import service_model

                _modelled = {shape.name: _class_for(shape) for shape in service_model().error_shapes}
    return _modelled


def _class_for(shape: Any) -> Type[AppFabricError]:
    members = [name for name in shape.members if name != "message"]
    headers = {
        name: member.serialization.get("name", name)
        for name, member in shape.members.items()
        if member.serialization.get("location") == "header"
    }
    keywords = {name: name for name in members}
    keywords.update({_snake(name): name for name in members})
    status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    retry = shape.metadata.get("retryable")
    if retry is not None:
        retry = " SDKs retry it" + (" as throttling." if retry.get("throttling") else ".")
    doc = f"HTTP {status}: {_plain_text(shape.documentation) or shape.name}{retry or ''}"
    if members:
        described = []
        for name in members:
            member = shape.members[name]
            notes = ["required"] if name in shape.required_members else []
            notes += [f"the {headers[name]} header"] if name in headers else []
            notes += [f"one of {', '.join(member.enum)}"] if getattr(member, "enum", None) else []
            described.append(f"``{name}``" + (f" ({', '.join(notes)})" if notes else ""))
        doc += "\n\nMembers (keywords by model name or in snake case): " + "; ".join(described) + "."
    extension = _EXTENSIONS.get(shape.name)
    if extension is not None and extension.__doc__:
        doc += "\n\n" + extension.__doc__
    namespace = {
        "__module__": __name__,
        "__qualname__": shape.name,
        "__doc__": doc,
        "code": shape.name,
        "status": status,
        "modeled": True,
        "member_names": tuple(members),
        "required_members": frozenset(shape.required_members) - {"message"},
        "header_members": headers,
        "default_message": _DEFAULT_MESSAGES.get(shape.name),
        "_keywords": keywords,
    }
    return type(shape.name, (_EXTENSIONS.get(shape.name, AppFabricError),), namespace)


def _plain_text(documentation: str) -> str:
    """The model's HTML documentation as one line of text."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", documentation or "").split())


# -- errors the service sends outside the model --------------------------------------------


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


_UNMODELLED: Tuple[Type[AppFabricError], ...] = (UnknownOperationException, IdempotentParameterMismatch, InvalidToken)


def error_class(code: str) -> Optional[Type[AppFabricError]]:
    """The class of an error code (modelled or not); None for a code the mock never answers."""
    found = _modelled_classes().get(code)
    if found is None:
        found = next((cls for cls in _UNMODELLED if cls.code == code), None)
    return found


def _error_classes() -> Mapping[str, Type[AppFabricError]]:
    return {**_modelled_classes(), **{cls.code: cls for cls in _UNMODELLED}}


if TYPE_CHECKING:  # what the model builds at run time, for type checkers
    class AccessDeniedException(AppFabricError): ...
    class ConflictException(AppFabricError): ...
    class InternalServerException(AppFabricError): ...
    class ResourceNotFoundException(AppFabricError): ...
    class ServiceQuotaExceededException(AppFabricError): ...
    class ThrottlingException(AppFabricError): ...
    class ValidationException(_ValidationMembers): ...

    #: Error classes by error code, for fault injection and for the server's control API.
    ERROR_CLASSES: Mapping[str, Type[AppFabricError]]
else:
    def __getattr__(name: str) -> Any:
        if name == "ERROR_CLASSES":
            return _error_classes()
        # Only names an error class could have load the model (the import system asks for others).
        found = _modelled_classes().get(name) if name[:1].isupper() else None
        if found is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return found


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
