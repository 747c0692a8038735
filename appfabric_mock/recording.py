"""Every AppFabric call a mock answered, in order, with every secret redacted.

The recorder is an observer of the dispatcher (see :mod:`appfabric_mock.dispatch`):
it is told of each finished call and keeps a :class:`Call` for it.  Parameters
and responses are copied through a walker compiled once per model shape, so a
recorded call never aliases the mock's state and never holds a secret:

* every member whose shape carries the model's ``sensitive`` trait
  (``SensitiveString2048``: client secrets, API keys, OAuth codes, user ids and
  names; ``Email``) is replaced by :data:`REDACTED`;
* ``clientSecret``, ``apiKey``, ``code``, ``email`` and the user-name members are
  redacted by name as well, wherever they appear, so the recording stays safe
  even if a later model stops marking them;
* a value of the wrong type where the model expects a structure, list or map
  that contains a sensitive member is redacted whole (a malformed request may
  still carry a secret).
"""

from __future__ import annotations

import collections
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, Iterable, List, NamedTuple, Optional, Tuple

if TYPE_CHECKING:
    from botocore.model import Shape

    from .state import CallContext

__all__ = ["REDACTED", "SENSITIVE_NAMES", "Call", "CallRecorder", "Calls"]

#: What a sensitive value is replaced with in recorded calls.
REDACTED = "<redacted>"

#: Members redacted by name wherever they appear, whatever the model says about them.
SENSITIVE_NAMES = frozenset(
    {"clientSecret", "apiKey", "code", "email", "userId", "userFullName", "userFirstName", "userLastName"}
)

Redactor = Callable[[Any], Any]
#: How many calls the repr of :class:`Calls` names (a long run would flood assertion output).
_REPR_CALLS = 20

logger = logging.getLogger("appfabric_mock")


class Call(NamedTuple):
    """One call the mock answered, as the client sent and received it (secrets redacted).

    ``operation`` is None for a request that matched no AppFabric operation.
    ``response`` is the output for a success and the error body (``message``
    plus the error shape's members) for an error.  ``error_code`` is None for a
    success.  Immutable (a named tuple, as ``responses`` records its calls).

    Fields: ``operation``; ``params`` (the parsed request parameters, by model member
    name); ``status`` (the HTTP status sent); ``error_code``; ``response``;
    ``account_id`` and ``region`` (where the call acted); ``access_key_id`` (the key it
    was signed with, if any); ``method`` and ``path`` (the HTTP request, the path still
    percent-encoded); ``request_id`` (the ``x-amzn-RequestId`` the client received).
    """

    operation: Optional[str]
    params: Dict[str, Any]
    status: int
    error_code: Optional[str]
    response: Dict[str, Any]
    account_id: Optional[str]
    region: Optional[str]
    access_key_id: Optional[str] = None
    method: Optional[str] = None
    path: Optional[str] = None
    #: The ``x-amzn-RequestId`` the client received (``ResponseMetadata["RequestId"]`` in boto3).
    request_id: Optional[str] = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded (no error code)."""
        return self.error_code is None

    def to_json(self) -> Dict[str, Any]:
        """The call as JSON-ready data (timestamps as ISO-8601 strings), for the server's control API."""
        return _jsonable(self._asdict())  # type: ignore[no-any-return]

    def describe(self) -> str:
        """``GetAppBundle 404 ResourceNotFoundException``: one line for failure messages."""
        name = self.operation or f"(no operation) {self.method} {self.path}"
        return f"{name} {self.status}" + (f" {self.error_code}" if self.error_code else "")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        from .protocol.serialization import iso8601

        return iso8601(value)
    return value


class Calls(Tuple[Call, ...]):
    """The calls a mock recorded: an immutable tuple, oldest first."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(c.describe() for c in self[:_REPR_CALLS])
        more = f", ... {len(self) - _REPR_CALLS} more" if len(self) > _REPR_CALLS else ""
        return f"<Calls {len(self)}: {shown}{more}>"


# -- redaction -------------------------------------------------------------------------


def _redact_all(value: Any) -> Any:
    return REDACTED


def _identity(value: Any) -> Any:
    return value


def redact_unknown(value: Any) -> Any:
    """Copy a value no shape describes, redacting members with a sensitive name."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in SENSITIVE_NAMES else redact_unknown(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_unknown(v) for v in value]
    return value


class _RedactorCache:
    """One redacting copier per shape name, compiled on first use."""

    def __init__(self) -> None:
        self._compiled: Dict[str, Redactor] = {}
        self._risky: Dict[str, bool] = {}

    def for_shape(self, shape: "Optional[Shape]") -> Redactor:
        if shape is None:
            return redact_unknown
        found = self._compiled.get(shape.name)
        if found is None:
            # Placeholder first, so recursive shapes resolve to the final walker.
            holder: List[Redactor] = []
            self._compiled[shape.name] = lambda v: holder[0](v)
            found = self._compile(shape)
            holder.append(found)
            self._compiled[shape.name] = found
        return found

    def _sensitive(self, shape: "Shape") -> bool:
        """Whether a shape is, or contains, a sensitive member (so a malformed value is redacted whole)."""
        name = shape.name
        if name in self._risky:
            return self._risky[name]
        self._risky[name] = False  # recursion guard
        kind = shape.type_name
        risky = bool(shape.metadata.get("sensitive"))
        if kind == "structure":
            members = shape.members  # type: ignore[attr-defined]
            risky = risky or any(n in SENSITIVE_NAMES or self._sensitive(m) for n, m in members.items())
        elif kind == "list":
            risky = risky or self._sensitive(shape.member)  # type: ignore[attr-defined]
        elif kind == "map":
            risky = risky or self._sensitive(shape.value)  # type: ignore[attr-defined]
        self._risky[name] = risky
        return risky

    def _member(self, name: str, shape: "Shape") -> Redactor:
        if name in SENSITIVE_NAMES or shape.metadata.get("sensitive"):
            return _redact_all
        return self.for_shape(shape)

    def _compile(self, shape: "Shape") -> Redactor:
        kind = shape.type_name
        if shape.metadata.get("sensitive"):
            return _redact_all
        risky = self._sensitive(shape)
        if kind == "structure":
            members = {n: self._member(n, m) for n, m in shape.members.items()}  # type: ignore[attr-defined]

            def structure(value: Any) -> Any:
                if not isinstance(value, dict):
                    return REDACTED if risky else value
                out = {}
                for key, item in value.items():
                    if item is None:
                        continue
                    member = members.get(key)
                    if member is _identity:  # most members: no call (a sixth of recording a List page)
                        out[key] = item
                    elif member is not None:
                        out[key] = member(item)
                    else:
                        out[key] = REDACTED if key in SENSITIVE_NAMES else redact_unknown(item)
                return out

            return structure
        if kind == "list":
            item_redactor = self.for_shape(shape.member)  # type: ignore[attr-defined]

            def listing(value: Any) -> Any:
                if not isinstance(value, list):
                    return REDACTED if risky else value
                return [item_redactor(v) for v in value]

            return listing
        if kind == "map":
            value_redactor = self.for_shape(shape.value)  # type: ignore[attr-defined]

            def mapping(value: Any) -> Any:
                if not isinstance(value, dict):
                    return REDACTED if risky else value
                return {k: value_redactor(v) for k, v in value.items()}

            return mapping
        return _identity


_lock = threading.Lock()
_cache: Optional[_RedactorCache] = None
#: (input redactor, output redactor) per operation name.
_operations: Dict[str, Tuple[Redactor, Redactor]] = {}
_errors: Dict[str, Redactor] = {}


def _redactor_cache() -> _RedactorCache:
    global _cache
    if _cache is None:
        with _lock:
            if _cache is None:
                _cache = _RedactorCache()
    return _cache


def operation_redactors(operation: str) -> Tuple[Redactor, Redactor]:
    """The (parameters, output) redactors of an operation (compiled once per process)."""
    found = _operations.get(operation)
    if found is None:
        from .protocol.compiled import protocol

        model = protocol().operations[operation].model
        cache = _redactor_cache()
        with _lock:
            found = (cache.for_shape(model.input_shape), cache.for_shape(model.output_shape))
            _operations[operation] = found
    return found


def _error_redactor(code: str) -> Redactor:
    found = _errors.get(code)
    if found is None:
        from .protocol.compiled import protocol

        cache = _redactor_cache()
        with _lock:
            found = cache.for_shape(protocol().error_shapes.get(code))
            _errors[code] = found
    return found


def redact_params(operation: str, params: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of an operation's parameters with every sensitive member redacted."""
    redacted: Dict[str, Any] = operation_redactors(operation)[0](params)
    return redacted


def redact_output(operation: str, output: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of an operation's output with every sensitive member redacted."""
    redacted: Dict[str, Any] = operation_redactors(operation)[1](output)
    return redacted


# -- the recorder ----------------------------------------------------------------------


#: Calls a mock keeps unless ``max_recorded_calls`` says otherwise: a mock that runs for long
#: (a server, a session-wide fixture) must not grow without bound.  Past it, the oldest calls
#: are dropped and an :class:`~appfabric_mock.AppFabricMockWarning` says so, once.
DEFAULT_RECORDED_CALLS = 10_000


class CallRecorder:
    """Observer that keeps a redacted :class:`Call` for every call (thread-safe), the latest ``limit``."""

    def __init__(self, limit: Optional[int] = DEFAULT_RECORDED_CALLS) -> None:
        self._calls: "Deque[Call]" = collections.deque(maxlen=limit)
        self._lock = threading.Lock()
        self._warned = False

    @property
    def limit(self) -> Optional[int]:
        """How many calls are kept (None: all)."""
        return self._calls.maxlen

    def keep_latest(self, limit: Optional[int]) -> None:
        """Keep only the latest ``limit`` calls from now on (None: all; older ones are dropped first)."""
        with self._lock:
            self._calls = collections.deque(self._calls, maxlen=limit)

    def observe(self, context: "Optional[CallContext]", status: int, code: Optional[str], payload: Any) -> None:
        """The dispatcher's observer hook: record one finished call."""
        try:
            call = _record(context, status, code, payload)
        except Exception:  # a recorder bug must not fail the call it records
            logger.exception("appfabric-mock could not record a call")
            operation = context.operation if context is not None else None
            call = Call(operation or None, {}, status, code, {}, None, None)
        with self._lock:
            calls = self._calls
            dropping = len(calls) == calls.maxlen and not self._warned
            calls.append(call)
            if dropping:
                self._warned = True
        if dropping and calls.maxlen:
            _warn_dropping(calls.maxlen)

    def calls(self) -> Calls:
        """Every call so far, oldest first."""
        with self._lock:
            return Calls(self._calls)

    def clear(self) -> None:
        """Forget every recorded call."""
        with self._lock:
            self._calls.clear()

    def __len__(self) -> int:
        return len(self._calls)

    def __repr__(self) -> str:
        return f"<CallRecorder {len(self._calls)} calls>"


def _record(context: "Optional[CallContext]", status: int, code: Optional[str], payload: Any) -> Call:
    operation = context.operation if context is not None and context.operation else None
    params: Dict[str, Any] = {}
    response: Dict[str, Any]
    if code is None:
        assert operation is not None  # a success always has an operation
        redact_in, redact_out = operation_redactors(operation)
        params = redact_in(context.params) if context is not None else {}
        response = redact_out(payload or {})
    else:
        if operation is not None and context is not None:
            params = operation_redactors(operation)[0](context.params)
        body = {"message": getattr(payload, "message", str(payload)), **getattr(payload, "members", {})}
        response = _error_redactor(code)(body)
    if context is None:
        return Call(operation, params, status, code, response, None, None)
    return Call(operation, params, status, code, response, context.account_id, context.region,
                context.access_key_id, context.method, context.path, context.request_id or None)


def _warn_dropping(limit: int) -> None:
    message = (f"appfabric-mock keeps the latest {limit:,} recorded calls: older ones are dropped from now on "
               f"(max_recorded_calls=None keeps every call, max_recorded_calls=N keeps N)")
    try:
        import warnings

        from .mock import AppFabricMockWarning

        warnings.warn(message, AppFabricMockWarning, stacklevel=2)
    except Exception:  # warnings turned into errors must not fail the call being recorded
        logger.warning(message)


# -- assertions ------------------------------------------------------------------------


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def describe_calls(calls: Iterable[Call]) -> str:
    """The calls made, one per line (for assertion messages)."""
    lines = [f"  {index}. {call.describe()}" for index, call in enumerate(calls, 1)]
    return "\n".join(lines) if lines else "  (none)"


def check_operation(operation: str) -> None:
    """Raise ValueError for a name that is not an AppFabric operation (a typo would pass silently)."""
    from .protocol.compiled import protocol

    names = protocol().operations
    if operation not in names:
        import difflib

        close = difflib.get_close_matches(operation, list(names), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"{operation!r} is not an AppFabric operation{hint}")


def assert_called(calls: Calls, operation: str, times: Optional[int] = None) -> List[Call]:
    """Raise AssertionError unless ``operation`` was called (exactly ``times`` times, if given)."""
    check_operation(operation)
    matching = [c for c in calls if c.operation == operation]
    count = len(matching)
    if (times is None and count == 0) or (times is not None and count != times):
        expected = "at least once" if times is None else _times(times)
        raise AssertionError(
            f"expected {operation} to be called {expected}, it was called {_times(count) if count else 'never'}.\n"
            f"Calls made ({len(calls)}):\n{describe_calls(calls)}"
        )
    return matching


def assert_not_called(calls: Calls, operation: str) -> None:
    """Raise AssertionError if ``operation`` was called."""
    check_operation(operation)
    count = sum(1 for c in calls if c.operation == operation)
    if count:
        raise AssertionError(
            f"expected {operation} not to be called, it was called {_times(count)}.\n"
            f"Calls made ({len(calls)}):\n{describe_calls(calls)}"
        )
