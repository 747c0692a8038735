"""Every AppFabric call a mock answered, in order, with every secret redacted.

The recorder is an observer of the dispatcher (see :mod:`appfabric_mock.dispatch`):
it is told of each finished call and keeps a :class:`Call` for it.  Parameters
and responses are copied through :mod:`appfabric_mock.protocol.redaction`, so a
recorded call never aliases the mock's state and never holds a secret (what is one:
:mod:`appfabric_mock.protocol.sensitive`).

Every call is recorded, and most tests never read the record: a successful call is
therefore kept as the dispatcher handed it over and copied on the first read.  That
is safe because nothing it holds changes after the call: the parameters are parsed
from the request for this call alone and no operation mutates or keeps them (the
destination configurations it stores are deep copies), and a result is built for the
call from the state's scalars, never handing out a container the state goes on to
change (``tests/test_recording.py`` checks both over every operation, and that a
record read late equals one read at once).  An error is copied at once: its members
may come from a fault the test still holds.
"""

from __future__ import annotations

import collections
import logging
import threading
from typing import TYPE_CHECKING, Any, Deque, Dict, Iterable, List, NamedTuple, Optional, Tuple

from .config import DEFAULT_RECORDED_CALLS
from .protocol import sensitive
from .protocol.compiled import operation_name
from .protocol.redaction import error_redactor, operation_redactors

if TYPE_CHECKING:
    from .hooks import CallContext

__all__ = ["REDACTED", "Call", "CallRecorder", "Calls"]

#: What a sensitive value is replaced with in recorded calls.
REDACTED = sensitive.REDACTED

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


# -- the recorder ----------------------------------------------------------------------


#: A successful call as the dispatcher handed it over: (context, status, output), not yet copied.
_Unread = Tuple["CallContext", int, Any]


class CallRecorder:
    """Observer that keeps a redacted :class:`Call` for every call (thread-safe), the latest ``limit``.

    Successful calls are kept as handed over and copied (redacted) on the first read,
    under the recorder's lock: the not yet copied ones are among the newest ``_unread``
    entries (those recorded since the last read).
    """

    def __init__(self, limit: Optional[int] = DEFAULT_RECORDED_CALLS) -> None:
        self._calls: "Deque[Any]" = collections.deque(maxlen=limit)
        self._lock = threading.Lock()
        self._warned = False
        #: How many of the newest entries were recorded since the last read (the _Unread ones among them).
        self._unread = 0

    @property
    def limit(self) -> Optional[int]:
        """How many calls are kept (None: all)."""
        return self._calls.maxlen

    def keep_latest(self, limit: Optional[int]) -> None:
        """Keep only the latest ``limit`` calls from now on (None: all; older ones are dropped first)."""
        with self._lock:
            self._calls = collections.deque(self._calls, maxlen=limit)
            self._unread = min(self._unread, len(self._calls))

    def observe(self, context: "Optional[CallContext]", status: int, code: Optional[str], payload: Any) -> None:
        """The dispatcher's observer hook: record one finished call."""
        entry: Any
        if code is None and context is not None:
            entry = (context, status, payload)  # an _Unread: copied on the first read
        else:
            entry = _safe_record(context, status, code, payload)
        with self._lock:
            calls = self._calls
            full = len(calls) == calls.maxlen
            dropping = full and not self._warned
            calls.append(entry)
            unread = self._unread + 1
            self._unread = unread if unread <= len(calls) else len(calls)
            if dropping:
                self._warned = True
        if dropping and calls.maxlen:
            _warn_dropping(calls.maxlen)

    def calls(self) -> Calls:
        """Every call so far, oldest first."""
        with self._lock:
            if self._unread:
                self._read_unread()
            return Calls(self._calls)

    def _read_unread(self) -> None:
        # Under the lock: the newest _unread entries become Calls, in place.
        calls, count = self._calls, self._unread
        newest = [calls.pop() for _ in range(count)]
        newest.reverse()
        calls.extend(entry if type(entry) is not tuple else _safe_record(entry[0], entry[1], None, entry[2])
                     for entry in newest)
        self._unread = 0

    def clear(self) -> None:
        """Forget every recorded call."""
        with self._lock:
            self._calls.clear()
            self._unread = 0

    def __len__(self) -> int:
        return len(self._calls)

    def __repr__(self) -> str:
        return f"<CallRecorder {len(self._calls)} calls>"


def _safe_record(context: "Optional[CallContext]", status: int, code: Optional[str], payload: Any) -> Call:
    try:
        return _record(context, status, code, payload)
    except Exception:  # a recorder bug must not fail the call it records, nor a read of the calls
        logger.exception("appfabric-mock could not record a call")
        operation = context.operation if context is not None else None
        return Call(operation or None, {}, status, code, {}, None, None)


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
        response = error_redactor(code)(body)
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


def assert_called(calls: Calls, operation: str, times: Optional[int] = None) -> List[Call]:
    """Raise AssertionError unless ``operation`` was called (exactly ``times`` times, if given)."""
    operation = operation_name(operation)
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
    operation = operation_name(operation)
    count = sum(1 for c in calls if c.operation == operation)
    if count:
        raise AssertionError(
            f"expected {operation} not to be called, it was called {_times(count)}.\n"
            f"Calls made ({len(calls)}):\n{describe_calls(calls)}"
        )


def assert_called_with(calls: Calls, operation: str, expected: Dict[str, Any], *, partial: bool,
                       last: bool) -> Call:
    """The last call of ``operation`` (``last``), or its first call, that has the ``expected`` parameters.

    ``partial``: compare only the parameters in ``expected``.  AssertionError otherwise, showing
    the differences from the last call, and saying so when a difference is a redacted secret.
    """
    operation = operation_name(operation)
    matching = [c for c in calls if c.operation == operation]
    shown = ", ".join(f"{name}={_short(value)}" for name, value in expected.items()) or "no parameters"
    wanted = f"{operation}({shown}{', ...' if partial else ''})"
    if not matching:
        raise AssertionError(
            f"expected {'a' if not last else 'the last'} call {wanted}; {operation} was never called.\n"
            f"Calls made ({len(calls)}):\n{describe_calls(calls)}"
        )
    candidates = matching[-1:] if last else matching
    for call in candidates:
        if not _differences(call.params, expected, partial):
            return call
    compared = matching[-1]
    lines = _differences(compared.params, expected, partial)
    count = len(matching)
    which = "its last call" if last else f"none of its {count} call{'s' if count > 1 else ''} does; the last one"
    notes = _redaction_notes(compared.params, expected)
    if any(line.endswith(", not expected") for line in lines):
        notes.insert(0, "(partial=True compares only the parameters given; unittest.mock.ANY matches any value)")
    raise AssertionError(
        f"expected {'the last' if last else 'a'} call {wanted}; {which} differs:\n"
        + "\n".join(f"  {line}" for line in lines)
        + ("".join(f"\n{note}" for note in notes))
        + f"\nCalls of {operation} ({len(matching)}):\n"
        + "\n".join(f"  {index}. {_short(call.params, 200)}" for index, call in enumerate(matching, 1))
    )


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _differences(actual: Dict[str, Any], expected: Dict[str, Any], partial: bool) -> List[str]:
    lines = []
    for name, value in expected.items():
        if name not in actual:
            lines.append(f"{name}: expected {_short(value)}, not sent")
        elif value != actual[name]:
            lines.append(f"{name}: expected {_short(value)}, sent {_short(actual[name])}")
    if not partial:
        lines.extend(f"{name}: sent {_short(actual[name])}, not expected" for name in actual if name not in expected)
    return lines


def _redaction_notes(actual: Any, expected: Any, path: str = "") -> List[str]:
    """Where ``expected`` holds a value that the record can only show as REDACTED."""
    if isinstance(actual, str) and actual == REDACTED:
        if isinstance(expected, str) and expected != REDACTED:
            return [f"{path} is a secret: recorded calls hold it only as {REDACTED!r}, so no value can match it "
                    f"(compare it with unittest.mock.ANY or appfabric_mock.recording.REDACTED)"]
        return []
    if isinstance(actual, dict) and isinstance(expected, dict):
        return [note for key in expected if key in actual
                for note in _redaction_notes(actual[key], expected[key], f"{path}.{key}" if path else key)]
    if isinstance(actual, list) and isinstance(expected, list):
        return [note for index, (a, e) in enumerate(zip(actual, expected))
                for note in _redaction_notes(a, e, f"{path}[{index}]")]
    return []
