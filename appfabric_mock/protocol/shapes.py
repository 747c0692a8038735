"""One function per model shape, compiled once: the walker that every use of the model shares.

Validation, serialisation, redaction (recorded calls) and shape checks each turn a
shape into a function over values of that shape.  They differ only in what they do
at one level of a value; walking the shape graph, compiling each shape once,
handling recursive shapes and knowing which values are secret is the same for all
of them and lives here.

A use supplies a :class:`Strategy`: told about one shape (a :class:`Site`) and given
the functions already compiled for the shapes inside it, it returns the function for
that shape.  :class:`ShapeCompiler` does the rest.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Generic, List, Mapping, NamedTuple, Tuple, TypeVar

from botocore.model import Shape

from .sensitive import holds_secrets, is_secret_member

F = TypeVar("F", bound=Callable[..., Any])


class Site(NamedTuple):
    """A shape as a value of it is met: the shape, and what the value may reveal."""

    shape: Shape
    #: The value is a secret: its shape is sensitive, or it sits where the model keeps one.
    secret: bool
    #: The value is, or may contain, a secret: a value of the wrong type in its place, and a
    #: member its shape does not know, are treated as secrets.
    holds_secrets: bool


class Strategy(Generic[F]):
    """What a use of the model does at one level of a value (override what applies)."""

    def structure(self, site: Site, members: Mapping[str, F]) -> F:
        """The function of a structure, given its members' functions in model order."""
        raise NotImplementedError

    def list(self, site: Site, item: F) -> F:
        """The function of a list, given its items' function."""
        raise NotImplementedError

    def map(self, site: Site, key: F, value: F) -> F:
        """The function of a map, given its keys' and values' functions."""
        raise NotImplementedError

    def scalar(self, site: Site) -> F:
        """The function of a string, number, boolean, timestamp or blob."""
        raise NotImplementedError


class ShapeCompiler(Generic[F]):
    """Compiles, once per shape, the function a strategy builds for it.

    Functions are kept by shape name (and secrecy: a shape met inside a secret
    compiles apart from the same shape met in the open), so a shape shared by many
    operations is compiled once.  A recursive shape met inside itself gets a
    forwarding function that calls the finished one.  Thread-safe: compiling takes a
    lock; finding a function already compiled does not.
    """

    def __init__(self, strategy: Strategy[F]) -> None:
        self.strategy = strategy
        self._compiled: Dict[Tuple[str, bool], F] = {}
        #: Shapes being compiled (by the thread holding the lock): (key) -> [the function, once built].
        self._building: Dict[Tuple[str, bool], List[F]] = {}
        self._holds: Dict[str, bool] = {}
        self._lock = threading.RLock()

    def __call__(self, shape: Shape, secret: bool = False) -> F:
        """The function of ``shape``; ``secret``: the value sits where the model keeps a secret."""
        secret = secret or bool(shape.metadata.get("sensitive"))
        found = self._compiled.get((shape.name, secret))
        if found is None:
            with self._lock:
                found = self._compiled.get((shape.name, secret))
                if found is None:
                    found = self._compile(shape, secret)
        return found

    def holds_secrets(self, shape: Shape) -> bool:
        """Whether ``shape`` is, or may contain, a secret (see :func:`.sensitive.holds_secrets`)."""
        return holds_secrets(shape, self._holds)

    def _compile(self, shape: Shape, secret: bool) -> F:
        key = (shape.name, secret)
        building = self._building.get(key)
        if building is not None:  # met inside itself: forward to the function being built
            return lambda *args: building[0](*args)  # type: ignore[return-value]
        self._building[key] = []
        try:
            site = Site(shape, secret, secret or self.holds_secrets(shape))
            kind = shape.type_name
            strategy = self.strategy
            function: F
            if kind == "structure":
                members = {
                    name: self(member, secret or is_secret_member(name, member))
                    for name, member in shape.members.items()  # type: ignore[attr-defined]
                }
                function = strategy.structure(site, members)
            elif kind == "list":
                function = strategy.list(site, self(shape.member, secret))  # type: ignore[attr-defined]
            elif kind == "map":
                function = strategy.map(site, self(shape.key, secret), self(shape.value, secret))  # type: ignore[attr-defined]
            else:
                function = strategy.scalar(site)
            self._building[key].append(function)
            self._compiled[key] = function
            return function
        finally:
            del self._building[key]
