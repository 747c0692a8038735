"""Let botocore and aiobotocore retry without sleeping: for tests that inject throttles.

botocore decides *whether* to retry in its retry handler (``legacy`` mode:
:mod:`botocore.retryhandler`; ``standard`` mode: :mod:`botocore.retries.standard`),
which returns the delay; the one place that then sleeps, in both modes, is
``Endpoint._needs_retry``, through the ``time`` module as seen from
:mod:`botocore.endpoint`.  aiobotocore runs the same handlers and awaits the
delay in ``AioEndpoint._needs_retry``, through ``asyncio.sleep`` as seen from
:mod:`aiobotocore.endpoint` (and, for its httpx backend, ``anyio.sleep`` in
``AnyioEndpoint._sleep``).

:func:`no_retry_sleep` swaps exactly those references for stand-ins that only
record the delay, so the retry logic (attempt counts, retry quota, backoff
computation) runs unchanged, and ``time.sleep`` and ``asyncio.sleep`` stay
untouched everywhere else.  aiobotocore is patched when it is imported, if that
happens inside the block.

``adaptive`` mode also rate-limits sends after a throttle (a condition wait in
:mod:`botocore.retries.bucket` and aiobotocore's copy of it); use ``standard``
or ``legacy`` mode in tests.
"""

from __future__ import annotations

import contextlib
import threading
import time as _time
from types import ModuleType
from typing import Any, Callable, Iterator, List

from .compat import incompatible
from .patching import Patch, PatchSet, Replacement

__all__ = ["no_retry_sleep"]

_lock = threading.Lock()
#: The delay lists of the blocks now open (every one records every delay).
_active: List[List[float]] = []


def _record(seconds: float) -> bool:
    """Record a retry delay in every open block; False when none is open (then really sleep)."""
    with _lock:
        for delays in _active:
            delays.append(seconds)
        return bool(_active)


class _SleeplessTime:
    """Stands in for the ``time`` module inside :mod:`botocore.endpoint`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_time, name)

    def sleep(self, seconds: float) -> None:
        if not _record(seconds):
            _time.sleep(seconds)


class _SleeplessAsyncio:
    """Stands in for the ``asyncio`` module inside :mod:`aiobotocore.endpoint`."""

    def __getattr__(self, name: str) -> Any:
        import asyncio  # loaded already: aiobotocore.endpoint imports it

        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        import asyncio

        # Still a suspension point, as the real sleep is: other tasks run meanwhile.
        return await asyncio.sleep(0 if _record(delay) else delay, result)


_SLEEPLESS_TIME = _SleeplessTime()
_SLEEPLESS_ASYNCIO = _SleeplessAsyncio()


def _sleepless_anyio(original: Callable[..., Any]) -> Callable[..., Any]:
    async def _sleep(self: Any, amount: float) -> None:
        if _record(amount):
            import anyio  # loaded already: the endpoint's HTTP backend runs on it

            await anyio.sleep(0)
        else:
            await original(self, amount)

    return _sleep


def _stand_in(stand_in: Any, module_name: str, distribution: str, name: str) -> Callable[[Any], Any]:
    """Builds ``stand_in`` over a module reference, checked to be the module expected."""

    def build(original: Any) -> Any:
        if getattr(original, "__name__", None) != module_name:
            raise incompatible(distribution, name, f"does not sleep through it (found {original!r})")
        return stand_in

    return build


def _aiobotocore_targets(module: ModuleType) -> List[Replacement]:
    targets = [Replacement(module, "asyncio", _stand_in(_SLEEPLESS_ASYNCIO, "asyncio", "aiobotocore",
                                                        "the asyncio reference of aiobotocore.endpoint"))]
    anyio_endpoint = getattr(module, "AnyioEndpoint", None)
    if anyio_endpoint is not None and "_sleep" in vars(anyio_endpoint):
        targets.append(Replacement(anyio_endpoint, "_sleep", _sleepless_anyio))
    return targets


_PATCHES = PatchSet("no_retry_sleep", [
    Patch("botocore.endpoint", lambda module: [
        Replacement(module, "time", _stand_in(_SLEEPLESS_TIME, "time", "botocore",
                                              "the time reference of botocore.endpoint"))]),
    Patch("aiobotocore.endpoint", _aiobotocore_targets),
])


@contextlib.contextmanager
def no_retry_sleep() -> Iterator[List[float]]:
    """Within the block, botocore and aiobotocore retry at once; yields the list of delays they asked for.

    >>> with no_retry_sleep() as delays:                       # doctest: +SKIP
    ...     client.get_app_bundle(appBundleIdentifier=arn)   # two injected throttles, then success
    >>> len(delays)                                            # doctest: +SKIP
    2

    Process-wide while active (every thread's and task's clients), nestable, and
    restored exactly on exit.
    """
    delays: List[float] = []
    with _lock:
        if not _active:
            _PATCHES.apply()
        _active.append(delays)
    try:
        yield delays
    finally:
        with _lock:
            # By identity: two blocks may hold equal lists.
            _active[:] = [d for d in _active if d is not delays]
            if not _active:
                _PATCHES.remove()
