"""The one registry of what appfabric-mock patches outside itself, and when.

A :class:`Patch` lists the :class:`Replacement` of attributes of one module (or
of classes in it).  A :class:`PatchSet` groups the patches of one feature (the
mock's interception and escape guard; :func:`~appfabric_mock.no_retry_sleep`)
and is applied and removed as a whole:

* applied: each patch whose module is imported is installed at once; the others
  wait, and a ``sys.meta_path`` finder installs them right after their module is
  first imported, so code that imports aiobotocore, aiohttp or requests lazily,
  inside the test, is covered too, while ``import appfabric_mock`` imports none
  of them;
* removed: every installed patch is undone, and nothing waits any longer.

Whether a patch is in place is known here and nowhere else.  Patch functions
never import: they run under this module's lock, and an import that another
thread has begun would wait for that thread, which may itself wait for the lock
in the import hook.

A mock applies and removes its set in every test, so the common case (the same
modules imported as last time, nobody else's patch on the same attributes) runs
as a few C-level loops over prepared tuples; anything else takes the plain path,
one replacement at a time, with the same result.
"""

from __future__ import annotations

import functools
import sys
import threading
from types import ModuleType
from typing import Any, Callable, FrozenSet, List, Sequence, Tuple

__all__ = ["Patch", "PatchSet", "Replacement"]

#: Builds a replacement from what it replaces.
Build = Callable[[Any], Any]

_MISSING: Any = object()
_lock = threading.Lock()
#: The active patch sets that wait for some module's import.
_watchers: List["PatchSet"] = []


class Replacement:
    """One attribute of one object (a module or a class), and how to build what replaces it.

    The replacement is built from the value it replaces and kept: applying again over
    the same value reuses it.
    """

    __slots__ = ("owner", "name", "build", "current", "_original", "_replacement")

    def __init__(self, owner: Any, name: str, build: Build) -> None:
        self.owner = owner
        self.name = name
        self.build = build
        #: What the owner itself holds under ``name`` now (_MISSING: inherited or absent).
        #: A class's mappingproxy is a live view, so this is built once.
        self.current: Callable[[], Any] = functools.partial(vars(owner).get, name, _MISSING)
        self._original: Any = _MISSING
        self._replacement: Any = None

    def prepare(self) -> Any:
        """Build the replacement if what it replaces changed; return what it replaces."""
        current = self.current()
        if current is not self._original or self._replacement is None:
            # Built before anything is noted: a build that refuses (appfabric_mock.compat) changes nothing.
            replacement = self.build(getattr(self.owner, self.name, None) if current is _MISSING else current)
            self._original, self._replacement = current, replacement
        return current

    def apply(self) -> None:
        self.prepare()
        setattr(self.owner, self.name, self._replacement)

    def undo(self) -> None:
        # Only while the replacement is still there: a patch someone applied on top of it
        # since is theirs to undo, and is left alone (every replacement does nothing of
        # its own once its patch set is removed, so one left behind that way is harmless).
        if self.current() is self._replacement:
            if self._original is _MISSING:
                delattr(self.owner, self.name)
            else:
                setattr(self.owner, self.name, self._original)

    def __repr__(self) -> str:
        return f"<Replacement {getattr(self.owner, '__name__', self.owner)}.{self.name}>"


#: Lists the replacements to make in an imported module (an empty list: nothing to patch there).
Targets = Callable[[ModuleType], List[Replacement]]


class Patch:
    """The replacements ``targets(module)`` lists, in the module named ``module``."""

    __slots__ = ("module", "targets", "_for")

    def __init__(self, module: str, targets: Targets) -> None:
        self.module = module
        self.targets = targets
        #: (module object, its replacements), computed once per module object.
        self._for: Any = (None, ())

    def replacements(self, module: ModuleType) -> Tuple[Replacement, ...]:
        seen, found = self._for
        if seen is not module:
            found = tuple(self.targets(module))
            self._for = (module, found)
        return found  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<Patch {self.module}: {getattr(self.targets, '__name__', self.targets)}>"


class _Plan:
    """What one apply does, for one combination of imported modules, as parallel tuples."""

    __slots__ = ("modules", "replacements", "missing", "owners", "names", "seen", "replaced", "restore",
                 "inherited")

    def __init__(self, modules: Tuple[Any, ...], replacements: Tuple[Replacement, ...],
                 missing: FrozenSet[str]) -> None:
        self.modules = modules
        self.replacements = replacements
        self.missing = missing
        self.owners = tuple(r.owner for r in replacements)
        self.names = tuple(r.name for r in replacements)
        self.refresh()

    def refresh(self) -> None:
        """Build what changed; note what each replacement replaces and with what."""
        for replacement in self.replacements:
            replacement.prepare()
        #: What ``getattr(owner, name)`` gave when the replacements were built (functions,
        #: modules and C method descriptors come back as the very object stored).
        self.seen = self.current()
        self.replaced = tuple(r._replacement for r in self.replacements)
        owned = [(r.owner, r.name, r._original) for r in self.replacements if r._original is not _MISSING]
        self.restore = tuple(zip(*owned)) if owned else ((), (), ())
        inherited = [(r.owner, r.name) for r in self.replacements if r._original is _MISSING]
        self.inherited = tuple(zip(*inherited)) if inherited else ((), ())

    def current(self) -> Tuple[Any, ...]:
        return tuple(map(getattr, self.owners, self.names))


class PatchSet:
    """Patches applied and removed together (see the module docstring)."""

    __slots__ = ("name", "_patches", "_names", "_plan", "_applied", "_extra", "_watching", "_active")

    def __init__(self, name: str, patches: Sequence[Patch]) -> None:
        self.name = name
        self._patches = tuple(patches)
        self._names = tuple(patch.module for patch in self._patches)
        self._plan: Any = None
        #: The plan applied (None: nothing applied from a plan).
        self._applied: Any = None
        #: Replacements installed after start, when their module was imported.
        self._extra: List[Replacement] = []
        #: The modules whose import this set waits for.
        self._watching: FrozenSet[str] = frozenset()
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def apply(self) -> None:
        """Install every patch whose module is imported; watch for the others' import."""
        found = tuple(map(sys.modules.get, self._names))
        with _lock:
            if self._active:
                return
            self._active = True
            plan = self._plan
            if plan is None or plan.modules != found:
                plan = self._plan = self._plan_for(found)
            if plan.current() != plan.seen:
                plan.refresh()  # someone else replaced one of these attributes since
            # any(): a loop in C over calls that all return None (setattr, delattr), so every
            # one runs, with nothing allocated to consume them.
            any(map(setattr, plan.owners, plan.names, plan.replaced))
            self._applied = plan
            if plan.missing:
                self._watching = plan.missing
                _watchers.append(self)
                if _finder not in sys.meta_path:
                    sys.meta_path.insert(0, _finder)

    def remove(self) -> None:
        """Undo every installed patch and stop waiting for imports."""
        with _lock:
            if not self._active:
                return
            self._active = False
            extra = self._extra
            while extra:
                extra.pop().undo()
            plan, self._applied = self._applied, None
            if plan is not None:
                if plan.current() == plan.replaced:
                    any(map(setattr, *plan.restore))
                    any(map(delattr, *plan.inherited))
                else:
                    for replacement in reversed(plan.replacements):
                        replacement.undo()
            if self._watching:
                self._watching = frozenset()
                _watchers.remove(self)
                if not _watchers:
                    _stop_finding()

    def _plan_for(self, found: Tuple[Any, ...]) -> _Plan:
        replacements = tuple(replacement for patch, module in zip(self._patches, found)
                             if module is not None for replacement in patch.replacements(module))
        missing = frozenset(name for name, module in zip(self._names, found) if module is None)
        return _Plan(found, replacements, missing)

    def _imported(self, name: str, module: ModuleType) -> None:
        # Called under _lock by the import hook, once per watched module.
        self._watching = self._watching - {name}
        for patch in self._patches:
            if patch.module == name:
                for replacement in patch.replacements(module):
                    replacement.apply()
                    self._extra.append(replacement)

    def __repr__(self) -> str:
        return f"<PatchSet {self.name} {'active' if self._active else 'inactive'}>"


def waiting_for() -> List[str]:
    """The modules whose import some active patch set is waiting for (for tests and diagnostics)."""
    with _lock:
        return sorted({name for patch_set in _watchers for name in patch_set._watching})


# -- the import hook ------------------------------------------------------------------


def _stop_finding() -> None:
    try:
        sys.meta_path.remove(_finder)
    except ValueError:
        pass


def _module_imported(name: str, module: ModuleType) -> None:
    with _lock:
        for patch_set in list(_watchers):
            if name in patch_set._watching:
                patch_set._imported(name, module)
                if not patch_set._watching:
                    _watchers.remove(patch_set)
        if not _watchers:
            _stop_finding()


class _InstallAfterExec:
    """Wraps the loader of a watched module: its patches are installed once it has run."""

    def __init__(self, inner: Any, name: str) -> None:
        self._inner = inner
        self._name = name

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its own loader: nothing of this wrapper stays behind.
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = self._inner
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self._inner
        self._inner.exec_module(module)
        _module_imported(self._name, module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Finder:
    """A ``sys.meta_path`` finder, present only while some patch waits for a module's import."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if not any(name in patch_set._watching for patch_set in _watchers):
            return None
        for finder in list(sys.meta_path):
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _InstallAfterExec(spec.loader, name)  # type: ignore[assignment]
                return spec
        return None

    def __repr__(self) -> str:
        return "<appfabric_mock.patching import hook>"


_finder = _Finder()
