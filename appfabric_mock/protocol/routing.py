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

    def match(self, raw_path: str) -> Optional[Dict[str, str]]:
        """The decoded labels if ``raw_path`` is this route's, else None."""
        found = self.pattern.match(raw_path)
        if found is None:
            return None
        return {name: unquote(found.group(_group(name))) for name in self.labels}


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


#: (method, raw path) pairs whose route is kept (the cache starts over when full).
_MAX_MATCHED = 4096


class Routes:
    """All routes of a service model, by HTTP method: what routing means.

    A request goes to the first route of its method, in order, whose template
    matches its raw path.  Literal routes come first, then those with fewer labels:
    ``/appbundles`` must not be shadowed by a label, and more specific templates win.
    """

    def __init__(self, model: ServiceModel) -> None:
        self.by_method: Dict[str, List[Route]] = {}
        for name in model.operation_names:
            route = Route(model.operation_model(name))
            self.by_method.setdefault(route.method, []).append(route)
        for routes in self.by_method.values():
            routes.sort(key=lambda r: (len(r.labels), -len(r.pattern.pattern)))

    def find(self, method: str, raw_path: str) -> Optional[Tuple[OperationModel, Dict[str, str]]]:
        """The operation and its decoded URI labels, or None."""
        for route in self.by_method.get(method.upper(), ()):
            labels = route.match(raw_path)
            if labels is not None:
                return route.operation, labels
        return None

    def match(self, method: str, raw_path: str) -> Tuple[OperationModel, Dict[str, str]]:
        """The operation and its decoded URI labels; UnknownOperationException when no route matches."""
        found = self.find(method, raw_path)
        if found is None:
            raise UnknownOperationException(f"No AppFabric operation matches {method.upper()} {raw_path}")
        return found


class Router(Routes):
    """:class:`Routes`, answered with less work: the router every request goes through.

    Each method's routes are one compiled alternation, so the regular-expression
    engine tries them in C, in the same order, instead of a Python loop; and each
    (method, raw path) is matched once, since tests call the same resources over and
    over.  ``tests/test_fast_paths.py`` holds its answers to :class:`Routes`'s.
    """

    def __init__(self, model: ServiceModel) -> None:
        super().__init__(model)
        self._compiled = {method: _MethodRoutes(routes) for method, routes in self.by_method.items()}
        # The labels are copied out of this cache, so no caller ever shares a kept dict.
        self._matched: Dict[Tuple[str, str], Tuple[OperationModel, Dict[str, str]]] = {}

    def find(self, method: str, raw_path: str) -> Optional[Tuple[OperationModel, Dict[str, str]]]:
        key = (method, raw_path)
        found = self._matched.get(key)
        if found is None:
            routes = self._compiled.get(method) or self._compiled.get(method.upper())
            found = routes.match(raw_path) if routes is not None else None
            if found is None:
                return None
            if len(self._matched) >= _MAX_MATCHED:
                self._matched.clear()
            self._matched[key] = found
        return found[0], dict(found[1])

    def match(self, method: str, raw_path: str) -> Tuple[OperationModel, Dict[str, str]]:
        # Routes.match, with find inlined for the matches already kept (every request asks).
        found = self._matched.get((method, raw_path))
        if found is not None:
            return found[0], dict(found[1])
        return super().match(method, raw_path)


class _MethodRoutes:
    """Every route of one HTTP method, as one alternation tried in order.

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
