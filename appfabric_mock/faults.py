"""Fault injection: answer chosen calls with a modelled AppFabric error.

A fault is data (:class:`Fault`): which operation, which error, how often.
The :class:`FaultInjector` is a ``pre_backend_guard`` of the dispatcher, so a
fault hits only requests that passed validation, and the backend (hence the
state) is never touched by a faulted call.

Errors are checked against the model when they are injected, as botocore's
Stubber checks canned errors: the code must be one of the errors the
operation's model lists (for ``"*"``, one that every operation lists), explicit
members must be members of that shape with the right types,
and the required members the caller leaves out get sensible defaults
(``resourceId``/``resourceType`` from the request, ``serviceCode``
``appfabric``, a descriptive ``quotaCode``, ``reason`` ``other``).
"""

from __future__ import annotations

import random
import threading
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional

from .errors import AppFabricError, error_class

if TYPE_CHECKING:
    from botocore.model import StructureShape

    from .hooks import CallContext

__all__ = ["ALL_OPERATIONS", "Fault", "FaultInjector", "Predicate"]

#: The ``operation`` that matches every AppFabric operation.
ALL_OPERATIONS = "*"

#: ``when=``: called with the (validated) parameters of a call; True lets the fault fire.
Predicate = Callable[[Mapping[str, Any]], bool]

_DEFAULT_MESSAGES = {
    "AccessDeniedException": "You do not have sufficient access to perform this action.",
    "ConflictException": "The request conflicts with the current state of the resource.",
    "InternalServerException": "The request processing has failed because of an unknown error.",
    "ResourceNotFoundException": "The specified resource does not exist.",
    "ServiceQuotaExceededException": "The request exceeds a service quota.",
    "ThrottlingException": "Rate exceeded",
    "ValidationException": "The request failed to satisfy the constraints of the service.",
}

class Fault:
    """One injected fault, as returned by :meth:`~appfabric_mock.AppFabricMock.inject_fault`.

    Attributes: ``operation`` (an operation name, or ``"*"``), ``code`` (the error code),
    ``message``, ``members`` (the error members given explicitly), ``when``,
    ``probability``, ``hits`` (how many calls it answered so far) and ``remaining``
    (how many more it will answer; None: no limit).  A fault whose ``remaining`` reaches
    0 is removed.  :meth:`cancel` removes it at once.
    """

    __slots__ = ("operation", "code", "message", "members", "when", "probability", "remaining", "hits",
                 "_injector")

    def __init__(
        self,
        injector: "FaultInjector",
        operation: str,
        code: str,
        message: str,
        members: Dict[str, Any],
        when: Optional[Predicate],
        probability: Optional[float],
        times: Optional[int],
    ) -> None:
        self._injector = injector
        self.operation = operation
        self.code = code
        self.message = message
        self.members = members
        self.when = when
        self.probability = probability
        self.remaining = times
        self.hits = 0

    def cancel(self) -> None:
        """Stop injecting this fault."""
        self._injector.remove(self)

    def __repr__(self) -> str:
        limit = "unlimited" if self.remaining is None else f"{self.remaining} left"
        extra = f", p={self.probability}" if self.probability is not None else ""
        extra += ", when=..." if self.when is not None else ""
        return f"<Fault {self.operation} -> {self.code} ({limit}, {self.hits} hits{extra})>"


class FaultInjector:
    """The faults of one mock, checked before the backend runs (thread-safe)."""

    def __init__(self, seed: Optional[int]) -> None:
        self._faults: List[Fault] = []
        self._lock = threading.Lock()
        # Its own generator, derived from the mock's seed: probabilistic faults are
        # reproducible without disturbing the sequence of generated ids.
        self._random = random.Random(f"appfabric-mock-faults:{seed}") if seed is not None else random.Random()

    # -- configuration ------------------------------------------------------------------
    def add(
        self,
        operation: str,
        code: str,
        *,
        times: Optional[int] = None,
        message: Optional[str] = None,
        retry_after: Optional[int] = None,
        when: Optional[Predicate] = None,
        probability: Optional[float] = None,
        members: Optional[Mapping[str, Any]] = None,
    ) -> Fault:
        """Check a fault against the model and start injecting it."""
        shape = _check_code(code)
        _check_operation(operation)
        _check_modelled_for(operation, code)
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError("inject_fault: times must be a positive int, or None for every call")
        if probability is not None and not (isinstance(probability, (int, float)) and 0 < probability <= 1):
            raise ValueError("inject_fault: probability must be in (0, 1]")
        if when is not None and not callable(when):
            raise TypeError("inject_fault: when must be a callable taking the call's parameters")
        explicit = dict(members or {})
        if retry_after is not None:
            if "retryAfterSeconds" not in shape.members:
                raise ValueError(f"inject_fault: {code} has no Retry-After header (retry_after is not allowed)")
            if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
                raise ValueError("inject_fault: retry_after must be a non-negative int (seconds)")
            explicit["retryAfterSeconds"] = retry_after
        text = message if message is not None else _default_message(operation, code)
        _check_members(shape, code, text, explicit)
        fault = Fault(self, operation, code, text, explicit, when, probability, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Stop injecting one fault (no error if it is already gone)."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Stop injecting every fault."""
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> List[Fault]:
        """The faults still active, in injection order."""
        with self._lock:
            return list(self._faults)

    # -- the guard ----------------------------------------------------------------------
    def guard(self, context: "CallContext") -> None:
        """``pre_backend_guard``: raise the first matching fault's error."""
        if not self._faults:  # the common case: one attribute read
            return
        fired = self._select(context)
        if fired is not None:
            raise build_error(fired.code, fired.message, fired.members, context)

    def _select(self, context: "CallContext") -> Optional[Fault]:
        operation = context.operation
        params: Optional[Mapping[str, Any]] = None
        with self._lock:
            for fault in self._faults:
                if fault.operation != ALL_OPERATIONS and fault.operation != operation:
                    continue
                if fault.when is not None:
                    if params is None:
                        params = MappingProxyType(context.params)  # the predicate must not change the call
                    if not fault.when(params):
                        continue
                # Drawn only for matching calls: the same calls give the same faults.
                if fault.probability is not None and self._random.random() >= fault.probability:
                    continue
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def __repr__(self) -> str:
        return f"<FaultInjector {len(self._faults)} faults>"


# -- checks against the model ---------------------------------------------------------


def _check_code(code: str) -> "StructureShape":
    from .protocol.compiled import protocol

    shapes = protocol().error_shapes
    shape = shapes.get(code)
    if shape is None:
        raise ValueError(
            f"inject_fault: {code!r} is not an error of the AppFabric model; "
            f"use one of {', '.join(sorted(shapes))}"
        )
    return shape


def _check_operation(operation: str) -> None:
    if operation == ALL_OPERATIONS:
        return
    from .protocol.compiled import check_operation

    try:
        check_operation(operation)
    except ValueError as exc:
        raise ValueError(f"inject_fault: {exc} (or '*' for every operation)") from None


def modelled_errors(operation: str) -> "List[str]":
    """The error codes the model lists for ``operation``; for ``"*"``, those every operation lists."""
    from .protocol.compiled import protocol

    operations = protocol().operations
    names = list(operations) if operation == ALL_OPERATIONS else [operation]
    lists = [{shape.name for shape in operations[name].model.error_shapes} for name in names]
    return sorted(set.intersection(*lists))


def _check_modelled_for(operation: str, code: str) -> None:
    # AWS answers an operation only with the errors its model lists: a fault outside that
    # list would test handling of an answer that never comes.
    allowed = modelled_errors(operation)
    if code in allowed:
        return
    if operation == ALL_OPERATIONS:
        raise ValueError(
            f"inject_fault: not every operation's model lists {code}; with '*' use one that every "
            f"operation lists ({', '.join(allowed)}), or name the operations that list {code}"
        )
    raise ValueError(
        f"inject_fault: the model of {operation} does not list {code}; its errors are {', '.join(allowed)}"
    )


def _check_members(shape: "StructureShape", code: str, message: str, members: Dict[str, Any]) -> None:
    from .protocol.shapecheck import shape_problems

    unknown = sorted(set(members) - set(shape.members) | ({"message"} & set(members)))
    if unknown:
        raise ValueError(
            f"inject_fault: {', '.join(unknown)} cannot be set on {code} "
            f"(members: {', '.join(n for n in shape.members if n != 'message')}; pass the message as message=)"
        )
    # A probe with the defaults every call will get: the error must be one AWS could send.
    probe = {**_placeholders(shape), "message": message, **members}
    problems = shape_problems(shape, probe)
    if problems:
        raise ValueError(f"inject_fault: {code} does not match the model: " + "; ".join(problems))


def _placeholders(shape: "StructureShape") -> Dict[str, Any]:
    return {name: "x" for name in shape.required_members if name != "message"} | (
        {"reason": "other"} if "reason" in shape.required_members else {}
    )


# -- building the error ---------------------------------------------------------------


def _default_message(operation: str, code: str) -> str:
    """A generic AWS-like message; AWS's own text for the quota of the resource a Create makes."""
    if code == "ServiceQuotaExceededException":
        from .backend.resources import BY_NAME, operation_resource_type

        created = BY_NAME.get(operation_resource_type(operation) or "")
        if created is not None:
            from .backend.settings import QUOTA_MESSAGES

            return QUOTA_MESSAGES[created.quota]
    return _DEFAULT_MESSAGES.get(code, code)


def build_error(code: str, message: str, members: Mapping[str, Any], context: "CallContext") -> AppFabricError:
    """The error instance for one faulted call: required members defaulted, explicit ones kept."""
    from .backend.resources import BY_NAME, error_resource
    from .protocol.compiled import protocol

    shape = protocol().error_shapes[code]
    required = shape.required_members
    values: Dict[str, Any] = {}
    if "resourceId" in required or "resourceType" in required:
        values["resourceId"], values["resourceType"] = error_resource(context.operation, context.params,
                                                                      context.account_id)
    if "serviceCode" in required:
        values["serviceCode"] = "appfabric"
    if "quotaCode" in required:
        from .backend.settings import QUOTA_CODES

        counted = BY_NAME.get(values.get("resourceType", ""))
        values["quotaCode"] = QUOTA_CODES[counted.quota] if counted else "appfabric-requests"
    if "reason" in required:
        values["reason"] = "other"
    values.update(members)
    error_type = error_class(code)
    assert error_type is not None  # add() accepts only codes of the model
    error: AppFabricError = error_type(message, **values)
    return error
