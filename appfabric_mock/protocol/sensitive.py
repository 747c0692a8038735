"""What is a secret: the one definition that validation messages, recorded calls and snapshots use.

From the model, and from nothing else:

* a value whose shape carries the model's ``sensitive`` trait (``SensitiveString2048``:
  client secrets, API keys, OAuth codes, user ids and names; ``Email``);
* a member with the name of a member the model marks sensitive anywhere
  (``clientSecret``, ``apiKey``, ``code``, ...), wherever it appears, so a secret sent
  in an unexpected place is still one;
* inside a shape that holds secrets (the ``credential`` union, ``ApiKeyCredential``):
  a member the shape does not know, and a value of the wrong type in the shape's place.
  A client that sends ``{"apiKey": "x", "bogus": "..."}`` or a string where the
  structure belongs most likely sent a secret.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Dict, FrozenSet, Optional, Set

if TYPE_CHECKING:
    from botocore.model import Shape

#: What a secret is replaced with wherever the mock shows a value it was sent.
REDACTED = "<redacted>"

_lock = threading.Lock()
_names: Optional[FrozenSet[str]] = None


def secret_names() -> FrozenSet[str]:
    """The names of every member botocore's AppFabric model marks sensitive (computed once)."""
    global _names
    if _names is None:
        with _lock:
            if _names is None:
                from .._model import service_model

                model = service_model()
                found: Set[str] = set()
                for shape_name in model.shape_names:
                    shape = model.shape_for(shape_name)
                    if shape.type_name == "structure":
                        found.update(
                            name for name, member in shape.members.items()  # type: ignore[attr-defined]
                            if member.metadata.get("sensitive")
                        )
                _names = frozenset(found)
    return _names


def is_secret_member(name: str, shape: "Shape") -> bool:
    """Whether the member ``name`` of shape ``shape`` holds a secret as a whole."""
    return bool(shape.metadata.get("sensitive")) or name in secret_names()


def holds_secrets(shape: "Shape", memo: Dict[str, bool]) -> bool:
    """Whether ``shape`` is, or contains at any depth, a secret.

    ``memo`` keeps answers by shape name (one memo per model).  Every shape reachable
    from ``shape`` is looked at once, so recursive shapes are answered right.
    """
    found = memo.get(shape.name)
    if found is None:
        found = memo[shape.name] = _reaches_secret(shape)
    return found


def _reaches_secret(root: "Shape") -> bool:
    seen = set()
    pending = [root]
    while pending:
        shape = pending.pop()
        if shape.name in seen:
            continue
        seen.add(shape.name)
        if shape.metadata.get("sensitive"):
            return True
        kind = shape.type_name
        if kind == "structure":
            for name, member in shape.members.items():  # type: ignore[attr-defined]
                if is_secret_member(name, member):
                    return True
                pending.append(member)
        elif kind == "list":
            pending.append(shape.member)  # type: ignore[attr-defined]
        elif kind == "map":
            pending.append(shape.value)  # type: ignore[attr-defined]
    return False
