"""The private names of other libraries that appfabric-mock relies on, and a clear failure when one changes.

The mock answers requests at seams no public API offers: botocore's
``Endpoint._do_get_response`` and ``RequestSigner.sign``, aiobotocore's
``AioEndpoint._do_get_response`` and ``AioRequestSigner.sign``, the ``time`` and
``asyncio`` references its retries sleep through, waitress's parser, channel and
server classes, moto's ``botocore_stubber``.  A release of one of them may rename
or reshape any of these.  The code that uses one checks it here when it is first
patched or subclassed (at the mock's start, or when the library is imported), so
such a release fails at once with :class:`IncompatibleLibrary`, naming the name
and the installed version, instead of an AttributeError deep inside a call, or a
request that quietly escapes.  ``tests/test_library_internals.py`` holds one test
per reliance against the installed releases; ``.ci/run`` runs them against the
oldest and the newest releases supported.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

__all__ = ["IncompatibleLibrary", "require_attribute", "require_parameters"]


class IncompatibleLibrary(RuntimeError):
    """An installed library lacks, or has reshaped, a private name appfabric-mock relies on."""


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, or ``"(version unknown)"``."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "(version unknown)"


def incompatible(distribution: str, name: str, problem: str) -> IncompatibleLibrary:
    """The error for a reliance that the installed release breaks."""
    return IncompatibleLibrary(
        f"appfabric-mock relies on {name} of {distribution}, and {distribution} "
        f"{installed_version(distribution)} {problem}.  Install a {distribution} release that this "
        f"appfabric-mock supports (see its setup.cfg), or an appfabric-mock release that supports "
        f"this {distribution}."
    )


def require_attribute(owner: Any, attribute: str, distribution: str, name: str) -> Any:
    """``getattr(owner, attribute)``, or :class:`IncompatibleLibrary` naming ``name``."""
    try:
        return getattr(owner, attribute)
    except AttributeError:
        raise incompatible(distribution, name, "has no such name") from None


def require_parameters(function: Any, parameters: Sequence[str], distribution: str, name: str) -> Callable[..., Any]:
    """``function`` itself, checked to take ``parameters`` first (by name, in order).

    Another library's wrapper that takes ``*args`` is accepted: what it wraps cannot be seen.
    """
    if not callable(function):
        raise incompatible(distribution, name, "has no such function")
    try:
        found = inspect.signature(function).parameters
    except (TypeError, ValueError):  # a builtin without a signature: not the function known
        found = {}  # type: ignore[assignment]
    names = list(found)[:len(parameters)]
    wrapper = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in found.values())
    if names != list(parameters) and not wrapper:
        raise incompatible(distribution, name,
                           f"takes ({', '.join(found)}) where ({', '.join(parameters)}, ...) was expected")
    return function  # type: ignore[no-any-return]
