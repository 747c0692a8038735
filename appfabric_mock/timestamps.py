"""Times given by a test (an option, a clock control): a ``datetime`` or an ISO-8601 string, as UTC."""

from __future__ import annotations

import datetime as _dt
from typing import Any

__all__ = ["to_utc"]

_UTC = _dt.timezone.utc


def to_utc(value: Any, what: str) -> _dt.datetime:
    """``value`` as an aware UTC datetime; a naive one is taken as UTC.

    :param what: how the error names the value (``"mock_appfabric: now"``, ``"clock.set"``).
    :raises TypeError: for anything but a ``datetime`` or a string.
    :raises ValueError: for a string that is not an ISO-8601 time.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            # Python 3.9 and 3.10 read neither "Z" nor a space-free "+0000": both are common in tests.
            parsed = _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" and text else text)
        except ValueError:
            raise ValueError(
                f"{what} must be an ISO-8601 time such as '2024-06-01T09:00:00Z' (or a datetime), not {value!r}"
            ) from None
        value = parsed
    elif not isinstance(value, _dt.datetime):
        kind = "a date without a time" if isinstance(value, _dt.date) else type(value).__name__
        raise TypeError(
            f"{what} must be a datetime or an ISO-8601 string such as '2024-06-01T09:00:00Z', not {kind} ({value!r})"
        )
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC)
