"""Server-side validation of every constraint in the service model.

Each shape is compiled once into a checker function; checking a request walks
the parsed parameters and collects ``(field name, message)`` problems in the
wording AWS's Coral validators use ("Value 'x' at 'app' failed to satisfy
constraint: Member must ...").  Field names are dotted member paths; list
elements are written ``tags.1.member.key`` as AWS does.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from botocore.model import StructureShape

from .shapes import ShapeCompiler, Site, Strategy

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
    """Checks request parameters against input shapes (one checker per shape, compiled once)."""

    def __init__(self) -> None:
        self._checker: ShapeCompiler[Checker] = ShapeCompiler(_Checks())
        #: The checker of each input shape, by name (found with one lookup on every request).
        self._inputs: Dict[str, Checker] = {}

    def check(self, shape: Optional[StructureShape], params: Dict[str, Any]) -> Problems:
        """Return every problem of ``params`` against the input ``shape``."""
        problems: Problems = []
        if shape is not None:
            checker = self._inputs.get(shape.name)
            if checker is None:
                checker = self._inputs[shape.name] = self._checker(shape)
            checker(params, "", problems)
        return problems


def _no_check(value: Any, path: str, problems: Problems) -> None:
    return None


class _Checks(Strategy[Checker]):
    """The checker of each kind of shape."""

    def structure(self, site: Site, members: Mapping[str, Checker]) -> Checker:
        shape = site.shape
        checks = list(members.items())
        required = list(shape.required_members)  # type: ignore[attr-defined]
        union = bool(shape.metadata.get("union"))
        # A structure that holds a secret does not echo a scalar sent in its place:
        # that scalar is most likely the secret, one level too high.
        hidden = site.holds_secrets

        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, dict):
                _fail(problems, path or "body", value, hidden, "Member must be of type structure")
                return
            prefix = path + "." if path else ""
            for name in required:
                if value.get(name) is None:
                    _fail(problems, prefix + name, None, False, "Member must not be null")
            if union:
                present = [n for n, _ in checks if value.get(n) is not None]
                if len(present) != 1:
                    _fail(
                        problems,
                        path,
                        value,
                        hidden,
                        "Member must have exactly one of the following set: "
                        + ", ".join(n for n, _ in checks),
                    )
            for name, member_check in checks:
                member_value = value.get(name)
                if member_value is not None:
                    member_check(member_value, prefix + name, problems)

        return check

    def list(self, site: Site, item: Checker) -> Checker:
        low, high = site.shape.metadata.get("min"), site.shape.metadata.get("max")
        hidden = site.holds_secrets

        def check(value: Any, path: str, problems: Problems) -> None:
            if not isinstance(value, list):
                _fail(problems, path, value, hidden, "Member must be of type list")
                return
            _check_length(len(value), low, high, path, value, hidden, problems)
            for index, element in enumerate(value):
                element_path = f"{path}.{index + 1}.member"
                if element is None:
                    _fail(problems, element_path, None, False, "Member must not be null")
                else:
                    item(element, element_path, problems)

        return check

    def map(self, site: Site, key: Checker, value: Checker) -> Checker:
        low, high = site.shape.metadata.get("min"), site.shape.metadata.get("max")
        hidden = site.holds_secrets

        def check(found: Any, path: str, problems: Problems) -> None:
            if not isinstance(found, dict):
                _fail(problems, path, found, hidden, "Member must be of type map")
                return
            _check_length(len(found), low, high, path, found, hidden, problems)
            for map_key, element in found.items():
                key(map_key, f"{path}.key", problems)
                if element is not None:
                    value(element, f"{path}.{map_key}", problems)

        return check

    def scalar(self, site: Site) -> Checker:
        kind = site.shape.type_name
        if kind == "string":
            return _compile_string(site)
        if kind in ("integer", "long"):
            return _compile_number(site, int)
        if kind in ("float", "double"):
            return _compile_number(site, (int, float))
        if kind == "boolean":
            return _compile_type(site, bool, "boolean")
        if kind == "timestamp":
            return _compile_type(site, (str, int, float), "timestamp")
        if kind == "blob":
            return _compile_type(site, (str, bytes), "blob")
        return _no_check


def _check_length(
    size: int, low: Any, high: Any, path: str, value: Any, sensitive: bool, problems: Problems
) -> None:
    if low is not None and size < low:
        _fail(problems, path, value, sensitive, f"Member must have length greater than or equal to {low}")
    if high is not None and size > high:
        _fail(problems, path, value, sensitive, f"Member must have length less than or equal to {high}")


def _compile_string(site: Site) -> Checker:
    shape = site.shape
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    sensitive = site.secret
    enum = shape.enum or None  # type: ignore[attr-defined]
    enum_set = frozenset(enum) if enum else None
    pattern_text = meta.get("pattern")
    # Smithy patterns are ECMA regular expressions that are not implicitly
    # anchored: a value passes when the pattern matches anywhere in it.
    pattern = re.compile(pattern_text) if pattern_text else None
    # Bounds as numbers: a valid length (nearly every string of every request has a
    # length constraint) is settled by two comparisons; only a failing one goes on to
    # _check_length, which writes the messages.
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


def _compile_number(site: Site, kinds: Any) -> Checker:
    low, high = site.shape.metadata.get("min"), site.shape.metadata.get("max")
    sensitive = site.secret

    def check(value: Any, path: str, problems: Problems) -> None:
        if isinstance(value, bool) or not isinstance(value, kinds):
            _fail(problems, path, value, sensitive, "Member must be of type number")
            return
        if low is not None and value < low:
            _fail(problems, path, value, sensitive, f"Member must have value greater than or equal to {low}")
        if high is not None and value > high:
            _fail(problems, path, value, sensitive, f"Member must have value less than or equal to {high}")

    return check


def _compile_type(site: Site, kinds: Any, label: str) -> Checker:
    sensitive = site.secret

    def check(value: Any, path: str, problems: Problems) -> None:
        if label != "boolean" and isinstance(value, bool) or not isinstance(value, kinds):
            _fail(problems, path, value, sensitive, f"Member must be of type {label}")

    return check
