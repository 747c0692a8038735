"""Check a value against a model shape: what botocore's Stubber does for canned responses.

Used to prove that every response the backend produces is one AWS could send
(required members present, no member the shape lacks, types right) and to
validate injected errors before they are used.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, List

from botocore.model import Shape


def shape_problems(shape: Shape, value: Any, path: str = "") -> List[str]:
    """Every way ``value`` (model member names, datetimes allowed) differs from ``shape``."""
    problems: List[str] = []
    _walk(shape, value, path or shape.name, problems)
    return problems


def _walk(shape: Shape, value: Any, path: str, problems: List[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a structure, got {type(value).__name__}")
            return
        members = shape.members  # type: ignore[attr-defined]
        for name in shape.required_members:  # type: ignore[attr-defined]
            if value.get(name) is None and members[name].serialization.get("location") is None:
                problems.append(f"{path}.{name}: required member missing")
        for name, member_value in value.items():
            if member_value is None:
                continue
            if name not in members:
                problems.append(f"{path}.{name}: not a member of {shape.name}")
                continue
            _walk(members[name], member_value, f"{path}.{name}", problems)
        if shape.metadata.get("union"):
            present = [n for n, v in value.items() if v is not None]
            if len(present) != 1:
                problems.append(f"{path}: a union must have exactly one member, has {present}")
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for index, element in enumerate(value):
            _walk(shape.member, element, f"{path}[{index}]", problems)  # type: ignore[attr-defined]
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map, got {type(value).__name__}")
            return
        for key, element in value.items():
            _walk(shape.value, element, f"{path}[{key!r}]", problems)  # type: ignore[attr-defined]
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {type(value).__name__}")
        elif shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: expected an integer, got {type(value).__name__}")
    elif kind == "boolean" and not isinstance(value, bool):
        problems.append(f"{path}: expected a boolean, got {type(value).__name__}")
    elif kind == "timestamp" and not isinstance(value, (_dt.datetime, str)):
        problems.append(f"{path}: expected a timestamp, got {type(value).__name__}")
