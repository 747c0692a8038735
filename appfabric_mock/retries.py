"""Let botocore retry without sleeping: for tests that inject throttles.

botocore decides *whether* to retry in its retry handler (``legacy`` mode:
:mod:`botocore.retryhandler`; ``standard`` mode: :mod:`botocore.retries.standard`),
which returns the delay; the one place that then sleeps, in both modes, is
``Endpoint._needs_retry``, through the ``time`` module as seen from
:mod:`botocore.endpoint`.  :func:`no_retry_sleep` swaps that one reference for a
stand-in whose ``sleep`` only records the delay, so the retry logic (attempt
counts, retry quota, backoff computation) runs unchanged and ``time.sleep``
stays untouched everywhere else.

``adaptive`` mode also rate-limits sends after a throttle (a condition wait in
:mod:`botocore.retries.bucket`); use ``standard`` or ``legacy`` mode in tests.
"""

from __future__ import annotations

import contextlib
import threading
import time as _time
from typing import Any, Iterator, List, Optional

__all__ = ["no_retry_sleep"]

_lock = threading.Lock()
_active: List[List[float]] = []
_original: Optional[Any] = None


class _SleeplessTime:
    """Stands in for the ``time`` module inside :mod:`botocore.endpoint`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_time, name)

    def sleep(self, seconds: float) -> None:
        with _lock:
            for delays in _active:
                delays.append(seconds)


@contextlib.contextmanager
def no_retry_sleep() -> Iterator[List[float]]:
    """Within the block, botocore retries at once; yields the list of delays it asked for.

    >>> with no_retry_sleep() as delays:                       # doctest: +SKIP
    ...     client.get_app_bundle(appBundleIdentifier=arn)   # two injected throttles, then success
    >>> len(delays)                                            # doctest: +SKIP
    2

    Process-wide while active (every thread's botocore clients), nestable, and
    restored exactly on exit.
    """
    global _original
    import botocore.endpoint

    delays: List[float] = []
    with _lock:
        if not _active:
            _original = botocore.endpoint.time
            botocore.endpoint.time = _SleeplessTime()  # type: ignore[assignment]
        _active.append(delays)
    try:
        yield delays
    finally:
        with _lock:
            # By identity: two activations may hold equal lists.
            _active[:] = [d for d in _active if d is not delays]
            if not _active:
                botocore.endpoint.time = _original  # type: ignore[assignment]
                _original = None
