"""The server's control API: test controls over HTTP, under ``/_appfabric_mock/``.

Programs that drive the mock from another process (the AWS CLI, a JavaScript
test, a container) steer it here, as Python tests steer it through the
handle's methods (:class:`~appfabric_mock.controls.Controls`).  Every action
takes a JSON object and answers a JSON value; every failure answers
``{"error": "..."}`` with a 4xx status, never a traceback.

=========  ==========================  =====================================================
Method     Path                        Body → result
=========  ==========================  =====================================================
GET        ``actions``                 → ``{"actions": ["GET actions", ...]}``
POST       ``reset``                   → ``{}`` (every resource of every account forgotten)
GET        ``state``                   → the snapshot of :mod:`appfabric_mock.snapshot`
GET        ``resources``               → ``{"resources": [...]}``, flat, in creation order
POST       ``authorization-status``    ``{"arn", "status"}`` → ``{}``
POST       ``fail-next-connect``       ``{"arn", "message"?}`` → ``{}``
POST       ``destination-failed``      ``{"arn", "reason"?}`` → ``{}``
POST       ``app-users``               ``{"app", "tenantId", "email", "userId"?, "firstName"?,
                                       "lastName"?, "status"?}`` → ``{}``
POST       ``user-access-tasks/        ``{"taskIds"?}`` → ``{"completed": n}`` (tasks still in
           complete``                  progress finish now)
POST       ``user-access-tasks/fail``  ``{"taskIds"?, "errorCode"?, "errorMessage"?}`` →
                                       ``{"failed": n}`` (tasks still in progress fail now)
POST       ``accounts``                ``{"accessKeyId", "accountId"}`` → ``{}``
GET        ``clock``                   → ``{"now", "frozen"}``
POST       ``clock/freeze``            ``{"at"?}`` → ``{"now", "frozen"}``
POST       ``clock/set``               ``{"at"}`` → ``{"now", "frozen"}``
POST       ``clock/advance``           ``{"seconds"}`` → ``{"now", "frozen"}``
POST       ``clock/unfreeze``          → ``{"now", "frozen"}``
POST       ``faults``                  ``{"operation", "error", "times"?, "message"?, "retryAfter"?,
                                       "probability"?, "members"?, "when"?}`` → the fault;
                                       ``when`` is an object: parameter name → value to equal
GET        ``faults``                  → ``{"faults": [{"operation", "error", "hits", "remaining"}]}``
DELETE     ``faults``                  → ``{}`` (no more faults)
POST       ``access/deny``             ``{"action", "accessKeyIds"?}`` → ``{}``
POST       ``access/allow``            ``{"action", "accessKeyIds"?}`` → ``{}``
DELETE     ``access``                  → ``{}`` (every deny and allow rule removed)
GET        ``calls``                   → ``{"calls": [...]}``, recorded calls, secrets redacted
DELETE     ``calls``                   → ``{}`` (recorded calls forgotten)
POST       ``save``                    → ``{"path"}`` (the state written to the state file)
POST       ``load``                    → ``{"path"}`` (the state read again from the state file)
GET        ``deliveries``              → ``{"deliveries": [...]}``, audit-log deliveries made so far
POST       ``deliveries``              ``{"ingestionArn"?, "destinationArn"?, "count"?, "events"?}`` →
                                       ``{"deliveries": [...]}`` made now: for the ingestion, or
                                       (without ``ingestionArn``) those that fell due
POST       ``deliveries/events``       ``{"destinationArn"?}`` → ``{"events": [...]}`` read back
POST       ``delivery-sink``           ``{"kind", "endpointUrl"?, "path"?}`` → ``{"sink", "path"?}``;
                                       ``"directory"`` only under the server's ``delivery_dir``
=========  ==========================  =====================================================

Adding an action takes one line: a function ``(controls, body) -> JSON value``
and a call to :func:`register` (or an entry in :data:`ACTIONS`)::

    from appfabric_mock import control_api

    control_api.register("POST", "faults", lambda controls, body: controls.inject_fault(**body))

Inside an action, raise :class:`ControlError` (or ``ValueError`` → 400,
``KeyError`` → 404) to answer an error; use :func:`field` to read members of
the body with a clear message when one is missing or has the wrong type.
"""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple

if TYPE_CHECKING:
    from .controls import Controls

logger = logging.getLogger("appfabric_mock")

#: The path prefix of every control request; no AppFabric operation lives under it.
PREFIX = "/_appfabric_mock/"
#: The longest file name (one part of a path) common file systems take (NAME_MAX on Linux and macOS).
MAX_NAME_BYTES = 255

#: An action: the test controls and the request's JSON object in, a JSON-ready value out.
Action = Callable[["Controls", Dict[str, Any]], Any]

#: (HTTP method, action name) -> action.  The action name is the path after :data:`PREFIX`.
ACTIONS: Dict[Tuple[str, str], Action] = {}

_JSON_HEADERS = {"Content-Type": "application/json"}


class ControlError(Exception):
    """A control request that cannot be carried out; answered as ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def register(method: str, name: str, action: Action) -> Action:
    """Serve ``action`` at ``method /_appfabric_mock/<name>`` (replacing any action there)."""
    ACTIONS[(method.upper(), name.strip("/"))] = action
    return action


def field(body: Mapping[str, Any], name: str, kind: type = str, *, required: bool = True) -> Any:
    """Member ``name`` of a control request's body, checked to be a ``kind`` (None when optional and absent)."""
    value = body.get(name)
    if value is None:
        if required:
            raise ControlError(f"missing required field '{name}'")
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    # bool is an int subclass: a JSON true is no number.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError(f"field '{name}' must be a {_JSON_TYPE_NAMES.get(kind, kind.__name__)}")
    return value


_JSON_TYPE_NAMES = {str: "string", float: "number", int: "integer", bool: "boolean", dict: "object", list: "array"}


def handle(controls: "Controls", method: str, name: str, body: bytes) -> Tuple[int, Dict[str, str], bytes]:
    """Answer one control request: (status, headers, JSON body)."""
    method = method.upper()
    name = name.strip("/")
    action = ACTIONS.get((method, name))
    if action is None:
        allowed = sorted(m for m, n in ACTIONS if n == name)
        if allowed:
            status, headers, body_out = _error(
                405, f"{method} is not allowed for /_appfabric_mock/{name}; use {', '.join(allowed)}")
            headers["Allow"] = ", ".join(allowed)
            return status, headers, body_out
        return _error(404, f"unknown control action '{name}'; actions are: {', '.join(_action_list())}")
    try:
        result = action(controls, _json_object(body))
    except ControlError as error:
        return _error(error.status, error.message)
    except KeyError as error:  # the controls' "no such resource"
        return _error(404, str(error.args[0]) if error.args else "not found")
    except (ValueError, TypeError, OverflowError) as error:
        return _error(400, str(error))
    except Exception as error:  # a bug in an action: a JSON 500, never a traceback on the wire
        logger.exception("appfabric-mock control action %s %s failed", method, name)
        return _error(500, f"{type(error).__name__}: {error}")
    return 200, dict(_JSON_HEADERS), json.dumps(result, separators=(",", ":"), default=str).encode()


def _json_object(body: bytes) -> Dict[str, Any]:
    if not body.strip():
        return {}
    from .protocol.parsing import JSONBodyError, load_json

    try:
        document = load_json(body)
    except JSONBodyError as exc:
        raise ControlError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ControlError("the body must be a JSON object")
    return document


def error(status: int, message: str, headers: Optional[Mapping[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    """A control API failure: ``{"error": message}`` with ``status`` (and extra ``headers``)."""
    return status, {**_JSON_HEADERS, **(headers or {})}, json.dumps({"error": message}).encode()


_error = error


def _action_list() -> List[str]:
    return [f"{method} {name}" for method, name in sorted(ACTIONS, key=lambda key: (key[1], key[0]))]


# -- the actions ----------------------------------------------------------------------------


def _clock(controls: "Controls") -> Dict[str, Any]:
    from .protocol.serialization import iso8601

    clock = controls.clock
    return {"now": iso8601(clock.now()), "frozen": clock.frozen}


def _reset(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.reset()
    return {}


def _set_authorization_status(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.set_authorization_status(field(body, "arn"), field(body, "status"))
    return {}


def _optional(body: Mapping[str, Any], **names: str) -> Dict[str, Any]:
    """Keyword arguments for the optional fields present in ``body`` (keyword -> field name)."""
    values = {keyword: field(body, name, required=False) for keyword, name in names.items()}
    # An absent field keeps the control's own default.
    return {keyword: value for keyword, value in values.items() if value is not None}


def _fail_next_connect(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.fail_next_connect(field(body, "arn"), **_optional(body, message="message"))
    return {}


def _set_destination_failed(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.set_destination_failed(field(body, "arn"), **_optional(body, reason="reason"))
    return {}


def _add_app_user(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.add_app_user(
        app=field(body, "app"),
        tenant_id=field(body, "tenantId"),
        email=field(body, "email"),
        user_id=field(body, "userId", required=False),
        first_name=field(body, "firstName", required=False),
        last_name=field(body, "lastName", required=False),
        status=field(body, "status", required=False) or "Active",
    )
    return {}


def _task_ids(body: Mapping[str, Any]) -> Optional[List[str]]:
    task_ids = field(body, "taskIds", list, required=False)
    if task_ids is not None and not all(isinstance(task_id, str) for task_id in task_ids):
        raise ControlError("field 'taskIds' must be an array of strings")
    return task_ids


def _complete_tasks(controls: "Controls", body: Dict[str, Any]) -> Any:
    return {"completed": controls.complete_user_access_tasks(_task_ids(body))}


def _fail_tasks(controls: "Controls", body: Dict[str, Any]) -> Any:
    for name in ("errorCode", "errorMessage"):
        if body.get(name) == "":
            raise ControlError(f"field '{name}' must not be empty")
    failed = controls.fail_user_access_tasks(
        _task_ids(body), **_optional(body, error_code="errorCode", error_message="errorMessage"))
    return {"failed": failed}


def _map_account(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.map_access_key(field(body, "accessKeyId"), field(body, "accountId"))
    return {}


def _freeze(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.clock.freeze(field(body, "at", required=False))
    return _clock(controls)


def _set_clock(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.clock.set(field(body, "at"))
    return _clock(controls)


def _advance(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.clock.advance(field(body, "seconds", float))
    return _clock(controls)


def _unfreeze(controls: "Controls", body: Dict[str, Any]) -> Any:
    controls.clock.unfreeze()
    return _clock(controls)


register("GET", "actions", lambda controls, body: {"actions": _action_list()})
register("POST", "reset", _reset)
register("GET", "state", lambda controls, body: controls.snapshot(json=True))
register("GET", "resources", lambda controls, body: {"resources": controls.resources(json=True)})
register("POST", "authorization-status", _set_authorization_status)
register("POST", "fail-next-connect", _fail_next_connect)
register("POST", "destination-failed", _set_destination_failed)
register("POST", "app-users", _add_app_user)
register("POST", "user-access-tasks/complete", _complete_tasks)
register("POST", "user-access-tasks/fail", _fail_tasks)
register("POST", "accounts", _map_account)
register("GET", "clock", lambda controls, body: _clock(controls))
register("POST", "clock/freeze", _freeze)
register("POST", "clock/set", _set_clock)
register("POST", "clock/advance", _advance)
register("POST", "clock/unfreeze", _unfreeze)


def _fault_json(fault: Any) -> Dict[str, Any]:
    return {"operation": fault.operation, "error": fault.code, "hits": fault.hits, "remaining": fault.remaining}


def _inject_fault(controls: "Controls", body: Dict[str, Any]) -> Any:
    when = field(body, "when", dict, required=False)
    fault = controls.inject_fault(
        field(body, "operation"), field(body, "error"), times=field(body, "times", int, required=False),
        message=field(body, "message", required=False), retry_after=field(body, "retryAfter", int, required=False),
        probability=field(body, "probability", float, required=False),
        members=field(body, "members", dict, required=False),
        # JSON cannot carry a function: the predicate is "these parameters have these values".
        when=(lambda params: all(params.get(k) == v for k, v in when.items())) if when else None,
    )
    return _fault_json(fault)


def _access(effect: str) -> Action:
    def action(controls: "Controls", body: Dict[str, Any]) -> Any:
        keys = field(body, "accessKeyIds", list, required=False)
        rule = controls.deny if effect == "deny" else controls.allow
        rule(field(body, "action"), keys)
        return {}

    return action


def _then_empty(control: Callable[["Controls"], None]) -> Action:
    def action(controls: "Controls", body: Dict[str, Any]) -> Any:
        control(controls)
        return {}

    return action


register("POST", "faults", _inject_fault)
register("GET", "faults", lambda controls, body: {"faults": [_fault_json(f) for f in controls.faults]})
register("DELETE", "faults", _then_empty(lambda controls: controls.clear_faults()))
register("POST", "access/deny", _access("deny"))
register("POST", "access/allow", _access("allow"))
register("DELETE", "access", _then_empty(lambda controls: controls.clear_denials()))
register("GET", "calls", lambda controls, body: {"calls": [c.to_json() for c in controls.calls]})
register("DELETE", "calls", _then_empty(lambda controls: controls.clear_calls()))


def _state_file(controls: "Controls") -> Any:
    # Only the server's own state file: a path from a request would let any local process
    # make the server write (or read) files of its choosing.
    state_file = controls.state.state_file
    if state_file is None:
        raise ControlError("this server has no state file: start it with --state-file PATH")
    return state_file


def _save(controls: "Controls", body: Dict[str, Any]) -> Any:
    state_file = _state_file(controls)
    state_file.save()
    return {"path": state_file.path}


def _load(controls: "Controls", body: Dict[str, Any]) -> Any:
    from .persistence import StateFileError

    state_file = _state_file(controls)
    try:
        state_file.load()
    except StateFileError as exc:
        raise ControlError(str(exc), status=409) from None
    return {"path": state_file.path}


register("POST", "save", _save)
register("POST", "load", _load)


# -- audit-log deliveries (appfabric_mock.delivery) -------------------------------------------


def _deliveries_json(deliveries: Any) -> Dict[str, Any]:
    return {"deliveries": [d.to_json() for d in deliveries]}


def _deliver(controls: "Controls", body: Dict[str, Any]) -> Any:
    ingestion = field(body, "ingestionArn", required=False)
    if ingestion is None:
        for name in ("destinationArn", "count", "events"):
            if name in body:
                raise ControlError(f"'{name}' needs 'ingestionArn'")
        return _deliveries_json(controls.run_due_deliveries())
    return _deliveries_json(controls.deliver_audit_logs(
        ingestion,
        events=field(body, "events", list, required=False),
        count=field(body, "count", int, required=False),
        destination=field(body, "destinationArn", required=False),
    ))


def _delivered_events(controls: "Controls", body: Dict[str, Any]) -> Any:
    return {"events": controls.delivered_events(field(body, "destinationArn", required=False))}


def _delivery_directory(controls: "Controls", path: Optional[str]) -> str:
    """Where a directory sink chosen over HTTP may write: ``path`` resolved under the server's
    delivery directory (its root when ``path`` is absent or empty).

    Any local process can send control requests: a path of its choosing would let it have the
    server write files anywhere its user may.  Only the operator's ``--delivery-dir`` may be
    written to; a path that leaves it (``..``, another absolute path, a symbolic link) is refused.
    """
    from pathlib import Path

    root = getattr(controls, "delivery_dir", None)
    if root is None:
        raise ControlError("this server has no delivery directory, so the control API cannot choose the directory "
                           "sink: start it with --delivery-dir PATH (ThreadedServer(delivery_dir=PATH)), and "
                           "directory sinks are confined to PATH")
    if not path:
        return str(root)
    if "\x00" in path:
        raise ControlError("field 'path' must not contain a NUL character")
    if any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in path.split("/")):
        raise ControlError(f"field 'path' has a name longer than {MAX_NAME_BYTES} bytes, more than a file system takes")
    try:
        target = (Path(root) / path).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, a name too long
        raise ControlError(f"cannot resolve the path {path!r}: {exc}") from None
    if target != root and root not in target.parents:
        raise ControlError(f"the path {path!r} leaves this server's delivery directory {str(root)!r}: give a path "
                           f"inside it (relative paths are taken from it)")
    return str(target)


def _delivery_sink(controls: "Controls", body: Dict[str, Any]) -> Any:
    from .delivery.sinks import DeliveryRefused

    kind = field(body, "kind")
    path = field(body, "path", required=False)
    if kind == "directory":
        path = _delivery_directory(controls, path)
    try:
        sink = controls.set_delivery_sink(kind, endpoint_url=field(body, "endpointUrl", required=False), path=path)
    except DeliveryRefused as refused:  # moto cannot be active in the server's process by a request
        raise ControlError(str(refused)) from None
    root = getattr(sink, "root", None)
    return {"sink": sink.name, "path": str(root)} if root is not None else {"sink": sink.name}


register("GET", "deliveries", lambda controls, body: _deliveries_json(controls.deliveries))
register("POST", "deliveries", _deliver)
register("POST", "deliveries/events", _delivered_events)
register("POST", "delivery-sink", _delivery_sink)
