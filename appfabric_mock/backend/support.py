"""Clock and id generation: the two sources of non-determinism, made controllable."""

from __future__ import annotations

import datetime as _dt
import os
import random
import threading
import uuid
from typing import Any, Optional, Tuple, Union

_UTC = _dt.timezone.utc


class Clock:
    """The time every timestamp comes from.

    By default it reads ``datetime.now`` on each call, so freezegun and
    time-machine control it as they control everything else.  ``freeze()``,
    ``set()`` and ``advance()`` let a test drive it without either library; the
    verbs of those libraries work too: ``tick()`` (freezegun), ``shift()``
    (time-machine) and ``move_to()`` (both).
    """

    def __init__(self) -> None:
        self._frozen: Optional[_dt.datetime] = None
        self._lock = threading.Lock()

    def now(self) -> _dt.datetime:
        """The current time, timezone-aware UTC."""
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return _dt.datetime.now(_UTC)

    def freeze(self, at: Union[_dt.datetime, str, None] = None) -> _dt.datetime:
        """Stop the clock at ``at`` (default: now); returns the frozen time."""
        with self._lock:
            self._frozen = _coerce(at, "clock.freeze") if at is not None else self.now()
            return self._frozen

    def set(self, at: Union[_dt.datetime, str]) -> None:
        """Freeze the clock at a given time (ISO-8601 string or datetime, naive meaning UTC)."""
        with self._lock:
            self._frozen = _coerce(at, "clock.set")

    def move_to(self, destination: Union[_dt.datetime, str]) -> _dt.datetime:
        """Freeze the clock at ``destination`` (the verb of freezegun and time-machine); returns it.

        The same as :meth:`set`: a datetime (naive meaning UTC) or an ISO-8601 string.
        """
        with self._lock:
            self._frozen = _coerce(destination, "clock.move_to")
            return self._frozen

    def advance(self, seconds: Union[float, _dt.timedelta] = 0.0, **delta: float) -> _dt.datetime:
        """Move the clock forward by ``seconds`` (a number or a ``timedelta``) and ``timedelta``
        keywords (``minutes=5``, ``days=1``); returns the new time.

        A running clock is frozen at the current time first.
        """
        step = _delta(seconds, "clock.advance") + _dt.timedelta(**delta)
        with self._lock:
            base = self._frozen if self._frozen is not None else self.now()
            self._frozen = base + step
            return self._frozen

    def tick(self, delta: Union[float, _dt.timedelta] = 1.0) -> _dt.datetime:
        """Move the clock forward by ``delta`` (default one second), as freezegun's ``tick``: :meth:`advance`."""
        return self.advance(_delta(delta, "clock.tick"))

    def shift(self, delta: Union[float, _dt.timedelta]) -> _dt.datetime:
        """Move the clock by ``delta`` (seconds or a ``timedelta``), as time-machine's ``shift``: :meth:`advance`."""
        return self.advance(_delta(delta, "clock.shift"))

    def unfreeze(self) -> None:
        """Follow the real (or faked) wall clock again."""
        with self._lock:
            self._frozen = None

    @property
    def frozen(self) -> bool:
        """Whether the clock is held by the test."""
        return self._frozen is not None

    def __repr__(self) -> str:
        state = f"frozen at {self._frozen.isoformat()}" if self._frozen else "following the wall clock"
        return f"<Clock {state}>"


def _delta(value: Union[float, _dt.timedelta], what: str) -> _dt.timedelta:
    if isinstance(value, _dt.timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} takes seconds (a number) or a timedelta, not {type(value).__name__}")
    return _dt.timedelta(seconds=value)


def _coerce(value: Union[_dt.datetime, str], what: str = "clock") -> _dt.datetime:
    from ..timestamps import to_utc

    return to_utc(value, what)


#: The random source of unseeded ids: seeded once from the operating system, and again in a
#: forked child (an xdist worker, a forked server), so no two processes share a sequence.
#: Not the ``random`` module's own instance: a test's ``random.seed()`` must neither repeat
#: the mock's ids nor see its sequence consumed by them.
_RANDOM = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _RANDOM.seed(os.urandom(32)))


def _uuid4() -> str:
    """A version-4 UUID string, without building a UUID object or a system call.

    Every call draws one (its request id) and every create more (the id, an OAuth state).
    Same layout as uuid4: 122 random bits, version 4, the RFC 4122 variant.  The ids of a
    mock identify resources and requests; none of them is a secret.
    """
    bits = _RANDOM.getrandbits(128) & _CLEAR | _SET
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


# Version 4 in bits 76-79, the variant (10) in bits 62-63, as uuid.UUID(version=4) sets them.
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_SET = (0x4000 << 64) | (0x8000 << 48)


class IdGenerator:
    """Lowercase UUIDs; reproducible when seeded."""

    def __init__(self, seed: Optional[int] = None) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: Optional[int]) -> None:
        """Restart the sequence from ``seed`` (None: random ids)."""
        with self._lock:
            self.seed = seed
            self._random = random.Random(seed) if seed is not None else None

    def position(self) -> Optional[Tuple[Any, ...]]:
        """Where a seeded sequence stands (None when unseeded): what a state file saves."""
        with self._lock:
            return self._random.getstate() if self._random is not None else None

    def restore(self, seed: Optional[int], position: Optional[Tuple[Any, ...]]) -> None:
        """Continue the sequence of ``seed`` from ``position`` (as :meth:`position` gave it)."""
        self.reseed(seed)
        if position is not None and self._random is not None:
            with self._lock:
                self._random.setstate(position)

    def uuid(self) -> str:
        """A new version-4 UUID string."""
        rng = self._random
        if rng is None:
            return _uuid4()
        with self._lock:
            bits = rng.getrandbits(128)
        return str(uuid.UUID(int=bits, version=4))

    def token(self) -> str:
        """A short random string (for OAuth ``state`` values)."""
        return self.uuid().replace("-", "")


#: A request id as AWS writes them (a UUID); never seeded, so it does not shift the seeded resource ids.
new_request_id = _uuid4
