"""Check a value against a model shape: what botocore's Stubber does for canned responses.

Used to prove that every response the backend produces is one AWS could send
(required members present, no member the shape lacks, types right) and to
validate injected errors before they are used.  A problem names the path and
the expected type, never a secret value.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any, Callable, List, Mapping, Optional

from botocore.model import Shape

from .shapes import ShapeCompiler, Site, Strategy

Problems = List[str]
#: (value, its path, problems found so far)
ShapeCheck = Callable[[Any, str, Problems], None]


def shape_problems(shape: Shape, value: Any, path: str = "") -> List[str]:
    """Every way ``value`` (model member names, datetimes allowed) differs from ``shape``.

    ``shape`` is one of AppFabric's model (checks are compiled once per shape name).
    """
    problems: Problems = []
    _compiler()(shape)(value, path or shape.name, problems)
    return problems


class ShapeChecks(Strategy[ShapeCheck]):
    """The check of each kind of shape."""

    def structure(self, site: Site, members: Mapping[str, ShapeCheck]) -> ShapeCheck:
        shape = site.shape
        member_shapes = shape.members  # type: ignore[attr-defined]
        checks = dict(members)
        # Members bound to the URI, query or headers travel outside the body.
        required = [n for n in shape.required_members  # type: ignore[attr-defined]
                    if member_shapes[n].serialization.get("location") is None]
        union = bool(shape.metadata.get("union"))

        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, dict):
                problems.append(f"{path}: expected a structure, got {type(value).__name__}")
                return
            for name in required:
                if value.get(name) is None:
                    problems.append(f"{path}.{name}: required member missing")
            for name, member_value in value.items():
                if member_value is None:
                    continue
                member_check = checks.get(name)
                if member_check is None:
                    problems.append(f"{path}.{name}: not a member of {shape.name}")
                else:
                    member_check(member_value, f"{path}.{name}", problems)
            if union:
                present = [n for n, v in value.items() if v is not None]
                if len(present) != 1:
                    problems.append(f"{path}: a union must have exactly one member, has {present}")

        return check

    def list(self, site: Site, item: ShapeCheck) -> ShapeCheck:
        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, list):
                problems.append(f"{path}: expected a list, got {type(value).__name__}")
                return
            for index, element in enumerate(value):
                item(element, f"{path}[{index}]", problems)

        return check

    def map(self, site: Site, key: ShapeCheck, value: ShapeCheck) -> ShapeCheck:
        def check(found: Any, path: str, problems: Problems) -> None:
            if not isinstance(found, dict):
                problems.append(f"{path}: expected a map, got {type(found).__name__}")
                return
            for map_key, element in found.items():
                value(element, f"{path}[{map_key!r}]", problems)

        return check

    def scalar(self, site: Site) -> ShapeCheck:
        kind = site.shape.type_name
        if kind == "string":
            enum = site.shape.enum  # type: ignore[attr-defined]
            shown = "a value" if site.secret else None

            def check_string(value: Any, path: str, problems: Problems) -> None:
                if not isinstance(value, str):
                    problems.append(f"{path}: expected a string, got {type(value).__name__}")
                elif enum and value not in enum:
                    problems.append(f"{path}: {shown or repr(value)} is not one of {enum}")

            return check_string
        if kind in ("integer", "long"):
            return _type_check("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
        if kind == "boolean":
            return _type_check("a boolean", lambda v: isinstance(v, bool))
        if kind == "timestamp":
            return _type_check("a timestamp", lambda v: isinstance(v, (_dt.datetime, str)))
        return _no_check


def _type_check(expected: str, accepts: Callable[[Any], bool]) -> ShapeCheck:
    def check(value: Any, path: str, problems: Problems) -> None:
        if not accepts(value):
            problems.append(f"{path}: expected {expected}, got {type(value).__name__}")

    return check


def _no_check(value: Any, path: str, problems: Problems) -> None:
    return None


_lock = threading.Lock()
_compiled: Optional[ShapeCompiler[ShapeCheck]] = None


def _compiler() -> ShapeCompiler[ShapeCheck]:
    global _compiled
    if _compiled is None:
        with _lock:
            if _compiled is None:
                _compiled = ShapeCompiler(ShapeChecks())
    return _compiled

