"""Fake credentials and a default region while a mock is active, restored exactly on stop."""

from __future__ import annotations

import os
import sys
from typing import Dict, Optional

FAKE_ACCESS_KEY_ID = "AKIAAPPFABRICMOCK000"
FAKE_SECRET_ACCESS_KEY = "appfabric-mock-fake-secret-access-key"
FAKE_REGION = "us-east-1"


class EnvironmentPatch:
    """Sets what a client would otherwise miss; remembers what was there."""

    def __init__(self) -> None:
        self._saved: Dict[str, Optional[str]] = {}

    def apply(self) -> None:
        environ = os.environ
        wanted: Dict[str, str] = {}
        # Credentials only where none are configured in the environment: a test never
        # needs real ones, and nothing is ever sent to AWS.
        if not environ.get("AWS_ACCESS_KEY_ID") and not environ.get("AWS_PROFILE"):
            wanted["AWS_ACCESS_KEY_ID"] = FAKE_ACCESS_KEY_ID
            wanted["AWS_SECRET_ACCESS_KEY"] = FAKE_SECRET_ACCESS_KEY
        if not environ.get("AWS_DEFAULT_REGION") and not environ.get("AWS_REGION"):
            wanted["AWS_DEFAULT_REGION"] = FAKE_REGION
        for key, value in wanted.items():
            self._saved[key] = environ.get(key)
            environ[key] = value

    def restore(self) -> None:
        environ = os.environ
        for key, value in self._saved.items():
            if value is None:
                environ.pop(key, None)
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
