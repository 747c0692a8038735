"""What the dispatcher hands to the hooks a mock adds: one call's context, guards and observers.

A module of its own, below the state and the hooks (access control, fault injection,
call recording), so that each of them can name these types without importing the
others.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional


class CallContext:
    """One call as it travels through the dispatcher (read by hooks)."""

    __slots__ = ("operation", "params", "account_id", "region", "access_key_id", "method", "path", "request_id")

    def __init__(self, operation: str, params: Dict[str, Any], account_id: str, region: str,
                 access_key_id: Optional[str], method: str, path: str, request_id: str = "") -> None:
        self.operation = operation
        self.params = params
        self.account_id = account_id
        self.region = region
        self.access_key_id = access_key_id
        self.method = method
        self.path = path
        self.request_id = request_id


#: A hook that may raise an AppFabricError to answer the call instead of the backend.
Guard = Callable[[CallContext], None]
#: A hook told of every finished call: (context or None, status, error code or None, output or error body).
Observer = Callable[[Optional[CallContext], int, Optional[str], Any], None]
