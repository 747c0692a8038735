"""Access control: answer chosen actions with AccessDeniedException, as IAM would.

Rules are data: an IAM action pattern (``appfabric:DeleteAppBundle``,
``appfabric:Delete*``, ``appfabric:*``; ``*`` and ``?`` wildcards, matched
case-insensitively as IAM does), an effect (deny or allow) and optionally the
access key ids it applies to.  The last rule that matches a call decides;
a call no rule matches is allowed.  So ``deny("appfabric:*")`` followed by
``allow("appfabric:List*")`` leaves only the List operations usable.

The :class:`AccessControl` is a ``pre_validation_guard`` of the dispatcher:
like AWS, a caller who may not perform an action learns nothing about the
validity of its request.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, FrozenSet, Iterable, List, NamedTuple, Optional, Pattern

from .errors import AccessDeniedException

if TYPE_CHECKING:
    from .hooks import CallContext

__all__ = ["AccessControl", "AccessRule"]

_PREFIX = "appfabric:"


class AccessRule(NamedTuple):
    """One rule: ``effect`` is ``"Deny"`` or ``"Allow"``; ``access_key_ids`` None means every caller."""

    action: str
    effect: str
    access_key_ids: Optional[FrozenSet[str]]
    pattern: Pattern[str]

    def applies(self, action: str, access_key_id: Optional[str]) -> bool:
        """Whether the rule covers this action and caller."""
        if self.access_key_ids is not None and access_key_id not in self.access_key_ids:
            return False
        return self.pattern.match(action) is not None


def compile_action(action: str) -> Pattern[str]:
    """An IAM action pattern as a regular expression; ValueError if it names no AppFabric action."""
    from .protocol.compiled import did_you_mean, protocol

    if not isinstance(action, str) or not action.lower().startswith(_PREFIX):
        raise ValueError(f"{action!r} is not an AppFabric action (expected 'appfabric:<Operation>', wildcards "
                         f"allowed){_iam_spelling(action)}")
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in action[len(_PREFIX):])
    pattern = re.compile(f"^{re.escape(_PREFIX)}{body}$", re.IGNORECASE)
    names = protocol().operations
    if not any(pattern.match(_PREFIX + name) for name in names):
        hint = _iam_spelling(action[len(_PREFIX):]) or did_you_mean(action[len(_PREFIX):], names, _PREFIX)
        raise ValueError(f"{action!r} matches no AppFabric action{hint}")
    return pattern


def _iam_spelling(name: object) -> str:
    """``; did you mean 'appfabric:CreateAppBundle'?`` for an operation named without IAM's form, else ``""``.

    IAM names actions ``service:Operation``: boto3's method name (``create_app_bundle``) or a
    bare operation name is a slip worth naming.
    """
    from .protocol.compiled import protocol

    if not isinstance(name, str):
        return ""
    try:
        operation = protocol().operation_name(name)
    except ValueError:
        return ""
    return f"; did you mean {_PREFIX + operation!r}? (IAM action names are 'appfabric:' and the operation's name)"


class AccessControl:
    """The access rules of one mock (thread-safe)."""

    def __init__(self) -> None:
        self._rules: List[AccessRule] = []
        self._lock = threading.Lock()

    def add(self, action: str, effect: str, access_key_ids: Optional[Iterable[str]] = None) -> AccessRule:
        """Append a rule (it overrides earlier rules it overlaps)."""
        if isinstance(access_key_ids, str):
            raise TypeError("access_key_ids must be a list of access key ids, not one string")
        keys = frozenset(access_key_ids) if access_key_ids is not None else None
        rule = AccessRule(action, effect, keys, compile_action(action))
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule: every caller may do everything again."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> List[AccessRule]:
        """The rules, oldest first."""
        with self._lock:
            return list(self._rules)

    def guard(self, context: "CallContext") -> None:
        """``pre_validation_guard``: raise AccessDeniedException if the last matching rule denies."""
        rules = self._rules
        if not rules:
            return
        action = _PREFIX + context.operation
        with self._lock:
            decision = next((r for r in reversed(rules) if r.applies(action, context.access_key_id)), None)
        if decision is not None and decision.effect == "Deny":
            from .backend.resources import iam_resource

            raise AccessDeniedException(
                f"User: arn:aws:iam::{context.account_id}:user/appfabric-mock is not authorized to perform: "
                f"{action} on resource: {iam_resource(context.params, context.account_id, context.region)} "
                "with an explicit deny in an identity-based policy"
            )

    def __repr__(self) -> str:
        return f"<AccessControl {len(self._rules)} rules>"
