"""Shared test set-up: every mock in the suite checks its responses against the model, and
every error code it answers against the operation's modelled errors.

The second is an observer added to every :class:`~appfabric_mock.state.MockState` the suite
builds (in process, in the threaded server, through every client): a call answered with an
error code that the operation's model does not list, and that is not one of the documented
exceptions (:mod:`appfabric_mock.backend.answerable`), fails the test that made it.

A test that provokes an :class:`~appfabric_mock.AppFabricMockWarning` must assert it (with
``pytest.warns``); one that escapes fails the test, as a mock warning nobody expected may hide
dropped calls or deliveries.  Outside a test (collection, a session-wide fixture), the
``filterwarnings`` of ``pyproject.toml`` turns it into an error.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Iterator, List, Optional

import pytest

os.environ["APPFABRIC_MOCK_CHECK_RESPONSES"] = "1"

from network import blocked_network  # noqa: E402,F401  # a fixture for every test module

from appfabric_mock import AppFabricMockWarning  # noqa: E402
from appfabric_mock.backend.answerable import answerable_errors  # noqa: E402
from appfabric_mock.protocol.compiled import protocol  # noqa: E402
from appfabric_mock.state import CallContext, MockState  # noqa: E402

#: Calls answered with an error their operation may not answer, since the current test began.
UNANSWERABLE: List[str] = []
#: Every (operation, error code) answered in this process: test_error_codes.py reads it.
ANSWERED: set = set()


def _check_error_code(context: Optional[CallContext], status: int, code: Optional[str], payload: Any) -> None:
    if code is None or context is None or not context.operation:
        return  # a success, or a request that matched no operation (UnknownOperationException)
    ANSWERED.add((context.operation, code))
    if code not in answerable_errors(protocol().operations[context.operation].model):
        UNANSWERABLE.append(f"{context.operation} answered {code} (HTTP {status}), which its model does not list")


_original_init = MockState.__init__


def _init_with_error_check(self: MockState, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    self.observers.append(_check_error_code)


MockState.__init__ = _init_with_error_check  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _only_modelled_errors() -> Iterator[None]:
    """Fail a test whose calls got an error code their operation does not model."""
    UNANSWERABLE.clear()
    yield
    found, UNANSWERABLE[:] = list(UNANSWERABLE), []
    assert found == [], "errors outside the model:\n  " + "\n  ".join(found)


@pytest.fixture(autouse=True)
def _model_compiled_per_test_under_mutmut() -> None:
    """Under mutation testing (``MUTANT_UNDER_TEST`` set by mutmut), compile the model again for each test.

    mutmut runs each mutant in a process forked from one that already ran the tests, so what
    the package builds once per process (the compiled protocol, and the caches in front of
    pure functions) would otherwise have been built by the unmutated code, and a mutant of the
    code that builds it could never be caught.  Never active in an ordinary run.
    """
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    from appfabric_mock.backend import authorizations, resources
    from appfabric_mock.protocol import compiled, fast_serialization

    compiled._protocol = None
    for cache in (fast_serialization._iso8601_kept, authorizations._console_redirect, resources.parse_arn):
        cache.cache_clear()


@pytest.fixture(autouse=True)
def _mock_warnings_are_asserted() -> Iterator[None]:
    """Fail a test that provokes an AppFabricMockWarning it does not assert with ``pytest.warns``."""
    # Caught rather than turned into errors: the mock logs a warning that raises instead (a
    # warning must never fail the call that gave it), which would hide it.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AppFabricMockWarning)
        yield
    unexpected = []
    for warning in caught:
        if issubclass(warning.category, AppFabricMockWarning):
            unexpected.append(f"{warning.message} ({warning.filename}:{warning.lineno})")
        else:  # every other warning goes on to pytest's summary, as if never caught here
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno,
                                   source=warning.source)
    assert unexpected == [], "AppFabricMockWarning not asserted with pytest.warns:\n  " + "\n  ".join(unexpected)
