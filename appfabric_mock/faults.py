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
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple

from .errors import AppFabricError, error_class

if TYPE_CHECKING:
    from botocore.model import StructureShape

    from .hooks import CallContext

__all__ = ["ALL_OPERATIONS", "Fault", "FaultInjector", "Predicate", "report_unfired", "unfired"]

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
    ``probability``, ``hits`` (how many calls it answered so far), ``remaining``
    (how many more it will answer; None: no limit) and ``times`` (as injected).  A fault
    whose ``remaining`` reaches 0 is removed.  :meth:`cancel` removes it at once.

    A fault still active when the mock stops and that never did its job is reported (see
    :func:`unfired`): with ``times=N``, one that answered fewer than N calls; without it, one
    that answered none; with ``probability``, one that no call of its operation (and its
    ``when``) ever reached, since losing every draw is its job.
    """

    __slots__ = ("operation", "code", "message", "members", "when", "probability", "remaining", "hits",
                 "times", "seen", "drawn", "site", "_injector")

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
        self.times = times
        self.hits = 0
        #: Calls of its operation that reached it; of those, the ones its ``when`` accepted.
        self.seen = 0
        self.drawn = 0
        #: (file, line) where the test injected it, for the report of faults that never fired.
        self.site: Optional[Tuple[str, int]] = None

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
        code: Any,
        *,
        times: Optional[int] = None,
        message: Optional[str] = None,
        retry_after: Optional[int] = None,
        when: Optional[Predicate] = None,
        probability: Optional[float] = None,
        members: Optional[Mapping[str, Any]] = None,
    ) -> Fault:
        """Check a fault against the model and start injecting it."""
        code = _code(code)
        shape = _check_code(code)
        operation = _operation(operation)
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
                fault.seen += 1
                if fault.when is not None:
                    if params is None:
                        params = MappingProxyType(context.params)  # the predicate must not change the call
                    if not fault.when(params):
                        continue
                fault.drawn += 1
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


def _code(error: Any) -> str:
    """An error code, given by name or as an exception class named after it (``client.exceptions.X``)."""
    if isinstance(error, type) and issubclass(error, BaseException):
        return error.__name__
    if not isinstance(error, str):
        raise TypeError(f"inject_fault: the error is an error name such as 'ThrottlingException', not "
                        f"{type(error).__name__}")
    return error


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


def _operation(operation: str) -> str:
    """The model's name of ``operation`` (boto3's method name is accepted too), or ``"*"``."""
    if operation == ALL_OPERATIONS:
        return operation
    from .protocol.compiled import operation_name

    try:
        return operation_name(operation)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"inject_fault: {exc} (or '*' for every operation)") from None


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


# -- faults that never fired ----------------------------------------------------------


def unfired(faults: List[Fault]) -> List[str]:
    """One line for each fault that did not do its job, for the report at the end of a mock.

    * ``times=N``: it answered fewer than N calls;
    * no ``times``: it answered no call;
    * ``probability``: no call reached its draw (a call of its operation that its ``when``,
      if any, accepted); losing every draw is what a probability allows, and is not reported.

    A ``when`` fault counts as fired only for the calls its predicate accepted.  Faults the test
    removed (``cancel()``, ``clear_faults()``) and those used up are no longer listed, so never
    reported.
    """
    lines = []
    for fault in faults:
        if fault.probability is not None:
            if fault.drawn:
                continue
        elif fault.times is not None:
            if fault.hits >= fault.times:
                continue
        elif fault.hits:
            continue
        lines.append(f"{_describe(fault)}: {_why(fault)}")
    return lines


def _describe(fault: Fault, site: bool = True) -> str:
    extra = "".join(f", {name}={value!r}" for name, value in (("times", fault.times),
                                                              ("probability", fault.probability))
                    if value is not None)
    extra += ", when=..." if fault.when is not None else ""
    where = f" (injected at {fault.site[0]}:{fault.site[1]})" if fault.site and site else ""
    return f"inject_fault({fault.operation!r}, {fault.code!r}{extra}){where}"


def _why(fault: Fault) -> str:
    calls = "no call" if fault.operation == ALL_OPERATIONS else f"no {fault.operation} call"
    if not fault.seen:
        return f"never fired: {calls} reached it"
    if fault.when is not None and not fault.drawn:
        return f"never fired: its `when` rejected {_calls(fault.seen, fault.operation)} it saw"
    if fault.times is not None and fault.hits:
        return f"fired {fault.hits} of {fault.times} times"
    return "never fired"


def _calls(count: int, operation: str) -> str:
    noun = "call" if count == 1 else "calls"
    return f"the {noun} of {operation}" if count == 1 else f"all {count} {noun} of {operation}"


def report_unfired(faults: "Optional[FaultInjector]", mode: str) -> None:
    """Warn about (``"warn"``) or fail on (``"error"``: AssertionError) the faults that never fired.

    Each warning points at the line that injected its fault.
    """
    __tracebackhide__ = True  # pytest shows the test's teardown, not this function
    if faults is None or mode == "ignore":
        return
    pending = [fault for fault in faults.faults if unfired([fault])]
    if not pending:
        return
    how = "unfired_faults='ignore' silences this, unfired_faults='error' makes it an error"
    if mode == "error":
        lines = "\n".join(f"  {line}" for line in unfired(pending))
        raise AssertionError(
            f"appfabric-mock: {len(pending)} injected fault(s) did not fire as injected:\n{lines}\n"
            f"(a test whose fault never fires does not test the error path it means to; cancel a fault the "
            f"test no longer needs with fault.cancel() or m.clear_faults())"
        )
    import warnings

    from .mock import AppFabricMockWarning

    for fault in pending:
        message = (f"appfabric-mock: {_describe(fault, site=False)}: {_why(fault)}; a test whose fault never "
                   f"fires does not test the error path it means to ({how}; fault.cancel() withdraws a fault "
                   f"the test no longer needs)")
        if fault.site is not None:
            warnings.warn_explicit(message, AppFabricMockWarning, fault.site[0], fault.site[1])
        else:
            warnings.warn(message, AppFabricMockWarning, stacklevel=3)
