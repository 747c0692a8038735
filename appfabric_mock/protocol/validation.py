"""Server-side validation of every constraint in the service model.

Each shape is compiled once into a checker function; checking a request walks
the parsed parameters and collects ``(field name, message)`` problems in the
wording AWS's Coral validators use ("Value 'x' at 'app' failed to satisfy
constraint: Member must ...").  Field names are dotted member paths; list
elements are written ``tags.1.member.key`` as AWS does.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from botocore.model import Shape, StructureShape

Problems = List[Tuple[str, str]]
Checker = Callable[[Any, str, Problems], None]

_MAX_SHOWN = 128


def _show(value: Any, sensitive: bool) -> str:
    if sensitive:
        return "Value"
    if value is None:
        return "Value null"
    if isinstance(value, str):
        shown = value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "..."
        return f"Value '{shown}'"
    if isinstance(value, (dict, list)):
        return "Value"
    return f"Value '{value}'"


def _fail(problems: Problems, path: str, value: Any, sensitive: bool, rule: str) -> None:
    problems.append(
        (path, f"{_show(value, sensitive)} at '{path}' failed to satisfy constraint: {rule}")
    )


class Validator:
    """Compiles and caches one checker per shape name."""

    def __init__(self) -> None:
        self._compiled: Dict[str, Checker] = {}

    def check(self, shape: Optional[StructureShape], params: Dict[str, Any]) -> Problems:
        """Return every problem of ``params`` against the input ``shape``."""
        problems: Problems = []
        if shape is not None:
            self._checker(shape)(params, "", problems)
        return problems

    def _checker(self, shape: Shape) -> Checker:
        key = shape.name
        checker = self._compiled.get(key)
        if checker is None:
            # Placeholder first: recursive shapes then resolve to the final checker.
            holder: List[Checker] = []
            self._compiled[key] = lambda v, p, pr: holder[0](v, p, pr)
            checker = self._compile(shape)
            holder.append(checker)
            self._compiled[key] = checker
        return checker

    def _compile(self, shape: Shape) -> Checker:
        kind = shape.type_name
        if kind == "structure":
            return self._compile_structure(shape)  # type: ignore[arg-type]
        if kind == "list":
            return self._compile_list(shape)
        if kind == "map":
            return self._compile_map(shape)
        if kind == "string":
            return _compile_string(shape)
        if kind in ("integer", "long"):
            return _compile_number(shape, int)
        if kind in ("float", "double"):
            return _compile_number(shape, (int, float))
        if kind == "boolean":
            return _compile_type(shape, bool, "boolean")
        if kind == "timestamp":
            return _compile_type(shape, (str, int, float), "timestamp")
        if kind == "blob":
            return _compile_type(shape, (str, bytes), "blob")
        return lambda value, path, problems: None

    def _compile_structure(self, shape: StructureShape) -> Checker:
        members = [(name, self._checker(member)) for name, member in shape.members.items()]
        required = list(shape.required_members)
        union = bool(shape.metadata.get("union"))
        # A structure that holds a secret does not echo a scalar sent in its place:
        # that scalar is most likely the secret, one level too high.
        sensitive = _holds_sensitive(shape, set())

        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, dict):
                _fail(problems, path or "body", value, sensitive, "Member must be of type structure")
                return
            prefix = path + "." if path else ""
            for name in required:
                if value.get(name) is None:
                    _fail(problems, prefix + name, None, False, "Member must not be null")
            if union:
                present = [n for n, _ in members if value.get(n) is not None]
                if len(present) != 1:
                    _fail(
                        problems,
                        path,
                        value,
                        sensitive,
                        "Member must have exactly one of the following set: "
                        + ", ".join(n for n, _ in members),
                    )
            for name, member_check in members:
                member_value = value.get(name)
                if member_value is not None:
                    member_check(member_value, prefix + name, problems)

        return check

    def _compile_list(self, shape: Shape) -> Checker:
        item = self._checker(shape.member)  # type: ignore[attr-defined]
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, list):
                _fail(problems, path, value, False, "Member must be of type list")
                return
            _check_length(len(value), low, high, path, value, False, problems)
            for index, element in enumerate(value):
                element_path = f"{path}.{index + 1}.member"
                if element is None:
                    _fail(problems, element_path, None, False, "Member must not be null")
                else:
                    item(element, element_path, problems)

        return check

    def _compile_map(self, shape: Shape) -> Checker:
        key_check = self._checker(shape.key)  # type: ignore[attr-defined]
        value_check = self._checker(shape.value)  # type: ignore[attr-defined]
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, dict):
                _fail(problems, path, value, False, "Member must be of type map")
                return
            _check_length(len(value), low, high, path, value, False, problems)
            for key, element in value.items():
                key_check(key, f"{path}.key", problems)
                if element is not None:
                    value_check(element, f"{path}.{key}", problems)

        return check


def _holds_sensitive(shape: Shape, seen: Set[str]) -> bool:
    """Whether ``shape`` is sensitive or contains a sensitive member at any depth."""
    if shape.metadata.get("sensitive"):
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    kind = shape.type_name
    if kind == "structure":
        return any(_holds_sensitive(m, seen) for m in shape.members.values())  # type: ignore[attr-defined]
    if kind == "list":
        return _holds_sensitive(shape.member, seen)  # type: ignore[attr-defined]
    if kind == "map":
        return _holds_sensitive(shape.value, seen)  # type: ignore[attr-defined]
    return False


def _check_length(
    size: int, low: Any, high: Any, path: str, value: Any, sensitive: bool, problems: Problems
) -> None:
    if low is not None and size < low:
        _fail(problems, path, value, sensitive, f"Member must have length greater than or equal to {low}")
    if high is not None and size > high:
        _fail(problems, path, value, sensitive, f"Member must have length less than or equal to {high}")


def _compile_string(shape: Shape) -> Checker:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    sensitive = bool(meta.get("sensitive"))
    enum = shape.enum or None
    enum_set = frozenset(enum) if enum else None
    pattern_text = meta.get("pattern")
    # Smithy patterns are ECMA regular expressions that are not implicitly
    # anchored: a value passes when the pattern matches anywhere in it.
    pattern = re.compile(pattern_text) if pattern_text else None
    # Bounds as numbers, so the common case (a valid length) costs two comparisons
    # and no call: nearly every string of every request has a length constraint.
    floor = low if low is not None else 0
    ceiling = high if high is not None else float("inf")

    def check(value: Any, path: str, problems: Problems) -> None:
        if not isinstance(value, str):
            _fail(problems, path, value, sensitive, "Member must be of type string")
            return
        if not floor <= len(value) <= ceiling:
            _check_length(len(value), low, high, path, value, sensitive, problems)
        if enum_set is not None and value not in enum_set:
            _fail(problems, path, value, sensitive,
                  "Member must satisfy enum value set: [" + ", ".join(enum or ()) + "]")
        if pattern is not None and pattern.search(value) is None:
            _fail(problems, path, value, sensitive,
                  f"Member must satisfy regular expression pattern: {pattern_text}")

    return check


def _compile_number(shape: Shape, kinds: Any) -> Checker:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")

    def check(value: Any, path: str, problems: Problems) -> None:
        if isinstance(value, bool) or not isinstance(value, kinds):
            _fail(problems, path, value, False, "Member must be of type number")
            return
        if low is not None and value < low:
            _fail(problems, path, value, False, f"Member must have value greater than or equal to {low}")
        if high is not None and value > high:
            _fail(problems, path, value, False, f"Member must have value less than or equal to {high}")

    return check


def _compile_type(shape: Shape, kinds: Any, label: str) -> Checker:
    sensitive = bool(shape.metadata.get("sensitive"))

    def check(value: Any, path: str, problems: Problems) -> None:
        if label != "boolean" and isinstance(value, bool) or not isinstance(value, kinds):
            _fail(problems, path, value, sensitive, f"Member must be of type {label}")

    return check
