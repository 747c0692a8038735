"""Fake credentials and a default region while a mock is active, restored exactly on stop."""

from __future__ import annotations

import os
import sys
from typing import Dict, Optional

FAKE_ACCESS_KEY_ID = "AKIAAPPFABRICMOCK000"
FAKE_SECRET_ACCESS_KEY = "appfabric-mock-fake-secret-access-key"
FAKE_REGION = "us-east-1"


def environ_get(name: str) -> Optional[str]:
    """``os.environ.get(name)``, without the cost of a miss.

    For a variable that is not set, ``os.environ.get`` raises and catches KeyError
    twice: about 2 µs on a slow machine, and every start and stop looks up seven
    variables that are usually not set (a third of ``with mock_appfabric(): pass``).
    ``os.environ`` keeps its encoded names in the dict ``_data`` (CPython and PyPy,
    every Python 3), where a membership test answers "not set" in 0.1 µs.  Anything
    else (a test may replace ``os.environ``) goes through ``.get`` as before.
    """
    environ = os.environ
    data = getattr(environ, "_data", None)
    encode = getattr(environ, "encodekey", None)
    if type(data) is dict and encode is not None and encode(name) not in data:
        return None
    return environ.get(name)


class EnvironmentPatch:
    """Sets what a client would otherwise miss; remembers what was there."""

    def __init__(self) -> None:
        self._saved: Dict[str, Optional[str]] = {}

    def apply(self) -> None:
        # Every start runs this: each variable is read once (the value that decides is
        # also the value saved), since reading a variable that is not set costs a
        # KeyError inside os.environ, several times a dict lookup.
        environ = os.environ
        get = environ_get
        saved = self._saved
        # Credentials only where none are configured in the environment: a test never
        # needs real ones, and nothing is ever sent to AWS.
        access_key = get("AWS_ACCESS_KEY_ID")
        if not access_key and not get("AWS_PROFILE"):
            saved["AWS_ACCESS_KEY_ID"] = access_key
            saved["AWS_SECRET_ACCESS_KEY"] = get("AWS_SECRET_ACCESS_KEY")
            environ["AWS_ACCESS_KEY_ID"] = FAKE_ACCESS_KEY_ID
            environ["AWS_SECRET_ACCESS_KEY"] = FAKE_SECRET_ACCESS_KEY
        region = get("AWS_DEFAULT_REGION")
        if not region and not get("AWS_REGION"):
            saved["AWS_DEFAULT_REGION"] = region
            environ["AWS_DEFAULT_REGION"] = FAKE_REGION

    def restore(self) -> None:
        environ = os.environ
        for key, value in self._saved.items():
            if value is None:
                try:
                    del environ[key]  # environ.pop would read the value first, for nothing
                except KeyError:  # the test removed it already
                    pass
            else:
                environ[key] = value
        if "AWS_ACCESS_KEY_ID" in self._saved:
            _forget_fake_credentials()
        self._saved.clear()


def _forget_fake_credentials() -> None:
    # boto3's default session caches the credentials it resolved while the mock
    # supplied fake ones; drop exactly those (the session itself is left alone)
    # so that after stop it resolves the real ones again.
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 else None
    if session is None:
        return
    core = getattr(session, "_session", None)
    credentials = getattr(core, "_credentials", None)
    if credentials is not None and getattr(credentials, "access_key", None) == FAKE_ACCESS_KEY_ID:
        core._credentials = None  # type: ignore[union-attr]
