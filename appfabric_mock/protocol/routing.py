"""Route (method, raw path) to an AppFabric operation, from the model's HTTP bindings.

Routing matches the raw, still percent-encoded path: botocore and the JavaScript
SDK send ARN labels with ``%3A`` and ``%2F`` inside one path segment, which a
decoded path would split.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Pattern, Tuple
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from ..errors import UnknownOperationException

_LABEL = re.compile(r"\{([^}]+)\}")


class Route:
    """One operation's HTTP binding compiled to a regular expression."""

    __slots__ = ("operation", "method", "pattern", "labels", "body")

    def __init__(self, operation: OperationModel) -> None:
        self.operation = operation
        self.method = operation.http["method"].upper()
        uri = operation.http["requestUri"].split("?", 1)[0]
        self.labels: List[str] = []
        parts = []
        pos = 0
        for match in _LABEL.finditer(uri):
            parts.append(re.escape(uri[pos : match.start()]))
            name = match.group(1)
            greedy = name.endswith("+")
            name = name.rstrip("+")
            self.labels.append(name)
            parts.append(f"(?P<{_group(name)}>{'.+' if greedy else '[^/]+'})")
            pos = match.end()
        parts.append(re.escape(uri[pos:]))
        #: The unanchored expression, with named groups per label.
        self.body = "".join(parts)
        self.pattern: Pattern[str] = re.compile("^" + self.body + "$")


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


#: (method, raw path) pairs whose route is kept (the cache starts over when full).
_MAX_MATCHED = 4096

class _MethodRoutes:
    """Every route of one HTTP method, as one alternation tried in order.

    One compiled alternation lets the regular-expression engine try the routes in C
    instead of a Python loop over one pattern per route (most of routing's time).
    Each alternative is wrapped in its own group ``_r<index>``: the group that closes
    last names the route that matched, and its labels are read by group index.
    """

    __slots__ = ("pattern", "routes")

    def __init__(self, routes: List[Route]) -> None:
        alternatives = []
        for index, route in enumerate(routes):
            # Label groups renamed per route: one alternation cannot repeat a group name.
            body = route.body.replace("(?P<", f"(?P<_r{index}_")
            alternatives.append(f"(?P<_r{index}>{body})")
        self.pattern: Pattern[str] = re.compile("^(?:" + "|".join(alternatives) + ")$")
        self.routes: Dict[str, Tuple[Route, List[Tuple[str, int]]]] = {}
        for index, route in enumerate(routes):
            groups = [(name, self.pattern.groupindex[f"_r{index}_{_group(name)}"]) for name in route.labels]
            self.routes[f"_r{index}"] = (route, groups)

    def match(self, raw_path: str) -> Optional[Tuple[OperationModel, Dict[str, str]]]:
        found = self.pattern.match(raw_path)
        if found is None:
            return None
        route, groups = self.routes[found.lastgroup or ""]
        return route.operation, {name: unquote(found.group(index)) for name, index in groups}


class Router:
    """All routes of a service model, grouped by HTTP method."""

    def __init__(self, model: ServiceModel) -> None:
        self._by_method: Dict[str, List[Route]] = {}
        for name in model.operation_names:
            route = Route(model.operation_model(name))
            self._by_method.setdefault(route.method, []).append(route)
        # Literal routes first, then those with fewer labels: `/appbundles` must
        # not be shadowed by a label, and more specific templates win.
        for routes in self._by_method.values():
            routes.sort(key=lambda r: (len(r.labels), -len(r.pattern.pattern)))
        self._compiled = {method: _MethodRoutes(routes) for method, routes in self._by_method.items()}
        # Tests call the same resources over and over: each (method, raw path) is matched
        # once; the labels are copied out, so no caller ever shares the kept dict.
        self._matched: Dict[Tuple[str, str], Tuple[OperationModel, Dict[str, str]]] = {}

    def match(self, method: str, raw_path: str) -> Tuple[OperationModel, Dict[str, str]]:
        """Return the operation and its decoded URI labels, or raise UnknownOperationException."""
        key = (method, raw_path)
        found = self._matched.get(key)
        if found is None:
            routes = self._compiled.get(method) or self._compiled.get(method.upper())
            found = routes.match(raw_path) if routes is not None else None
            if found is None:
                raise UnknownOperationException(
                    f"No AppFabric operation matches {method.upper()} {raw_path}"
                )
            if len(self._matched) >= _MAX_MATCHED:
                self._matched.clear()
            self._matched[key] = found
        return found[0], dict(found[1])

    def operation_for(self, method: str, raw_path: str) -> Optional[OperationModel]:
        """The operation for a method and path, or None (no exception)."""
        try:
            return self.match(method, raw_path)[0]
        except UnknownOperationException:
            return None
