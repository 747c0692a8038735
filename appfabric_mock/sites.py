"""Where the user's code is: warnings about a use of the mock point at the line that made it."""

from __future__ import annotations

import os
import sys
from typing import Any, Optional, Tuple

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _outside(frame: Any) -> Any:
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    return frame


def user_stacklevel() -> int:
    """The ``stacklevel`` (for a ``warnings.warn`` in this package's caller) of the first frame outside the package."""
    frame: Any = sys._getframe(2)  # the caller of the function that warns
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


def user_site() -> Optional[Tuple[str, int]]:
    """(file, line) of the first frame outside this package: where the test called the mock."""
    frame = _outside(sys._getframe(1))
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else None


def definition_site(func: Any) -> Optional[Tuple[str, int]]:
    """(file, line) where ``func`` is defined, or None when it has no code of its own."""
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    while code is None and hasattr(func, "__wrapped__"):
        func = func.__wrapped__
        code = getattr(func, "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else None
