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

    __slots__ = ("operation", "method", "pattern", "labels")

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
        self.pattern: Pattern[str] = re.compile("^" + "".join(parts) + "$")


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


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

    def match(self, method: str, raw_path: str) -> Tuple[OperationModel, Dict[str, str]]:
        """Return the operation and its decoded URI labels, or raise UnknownOperationException."""
        for route in self._by_method.get(method.upper(), ()):
            found = route.pattern.match(raw_path)
            if found is not None:
                labels = {name: unquote(found.group(_group(name))) for name in route.labels}
                return route.operation, labels
        raise UnknownOperationException(
            f"No AppFabric operation matches {method.upper()} {raw_path}"
        )

    def operation_for(self, method: str, raw_path: str) -> Optional[OperationModel]:
        """The operation for a method and path, or None (no exception)."""
        try:
            return self.match(method, raw_path)[0]
        except UnknownOperationException:
            return None
