"""Fake credentials and a default region while a mock is active, restored exactly on stop.

Every start and stop reads and writes a few variables, so ``os.environ`` is used
through the encoded dict and the ``putenv``/``unsetenv`` calls it wraps itself
(CPython and PyPy, every Python 3), with the few names encoded once.  The result
is what ``os.environ[...]`` gives; anything but the standard mapping (a test may
replace ``os.environ``) goes through the mapping interface instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, List, Optional, Tuple

FAKE_ACCESS_KEY_ID = "AKIAAPPFABRICMOCK000"
FAKE_SECRET_ACCESS_KEY = "appfabric-mock-fake-secret-access-key"
FAKE_REGION = "us-east-1"

_STANDARD_ENVIRON = type(os.environ)
_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION")
_VALUES = (FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, FAKE_REGION)


class _Encoded:
    """The names and values the patch uses, encoded as one ``os.environ`` encodes them."""

    __slots__ = ("environ", "keys", "values")

    def __init__(self, environ: Any) -> None:
        self.environ = environ
        #: access key id, secret access key, profile, default region, region.
        self.keys = tuple(environ.encodekey(name) for name in _NAMES)
        #: fake access key id, fake secret, fake region.
        self.values = tuple(environ.encodevalue(value) for value in _VALUES)


_encoded: Optional[_Encoded] = None
#: Variable name -> its key in ``os.environ._data``, for environ_get.
_keys: Dict[str, Any] = {}


def _encoding(environ: Any) -> _Encoded:
    global _encoded
    encoded = _encoded
    if encoded is None or encoded.environ is not environ:
        encoded = _encoded = _Encoded(environ)
    return encoded


def environ_get(name: str) -> Optional[str]:
    """``os.environ.get(name)``, without the cost of a miss.

    For a variable that is not set, ``os.environ.get`` raises and catches KeyError
    twice, and every start and stop looks up variables that are usually not set.
    """
    environ = os.environ
    # The encoded dict behind os.environ, when it is the standard mapping (as in apply).
    data = getattr(environ, "_data", None) if type(environ) is _STANDARD_ENVIRON else None
    if type(data) is dict:
        key = _keys.get(name)
        if key is None:
            key = _keys[name] = environ.encodekey(name)
        if key not in data:
            return None
    return environ.get(name)


class EnvironmentPatch:
    """Sets what a client would otherwise miss; remembers what was there."""

    __slots__ = ("_saved", "_encoded", "_credentials")

    def __init__(self) -> None:
        #: (variable, value before or None), as keys and values of os.environ's encoded
        #: dict when ``_encoded``, else as names and text.
        self._saved: List[Tuple[Any, Any]] = []
        self._encoded = False
        self._credentials = False

    def apply(self) -> None:
        environ = os.environ
        # The encoded dict behind os.environ, when it is the standard mapping (a test may have
        # replaced it: then the mapping interface); every start runs this, hence no helper.
        data = getattr(environ, "_data", None) if type(environ) is _STANDARD_ENVIRON else None
        if type(data) is not dict:
            self._apply_mapping(environ)
            return
        self._encoded = True
        encoded = _encoded
        if encoded is None or encoded.environ is not environ:
            encoded = _encoding(environ)
        access, secret, profile, default_region, region = encoded.keys
        fake_access, fake_secret, fake_region = encoded.values
        get, saved, putenv = data.get, self._saved, os.putenv
        # Credentials only where none are configured in the environment: a test never
        # needs real ones, and nothing is ever sent to AWS.
        if not get(access) and not get(profile):
            saved.append((access, get(access)))
            saved.append((secret, get(secret)))
            putenv(access, fake_access)
            data[access] = fake_access
            putenv(secret, fake_secret)
            data[secret] = fake_secret
            self._credentials = True
        if not get(default_region) and not get(region):
            saved.append((default_region, get(default_region)))
            putenv(default_region, fake_region)
            data[default_region] = fake_region

    def _apply_mapping(self, environ: Any) -> None:
        saved = self._saved
        if not environ.get("AWS_ACCESS_KEY_ID") and not environ.get("AWS_PROFILE"):
            for name, value in ((_NAMES[0], _VALUES[0]), (_NAMES[1], _VALUES[1])):
                saved.append((name, environ.get(name)))
                environ[name] = value
            self._credentials = True
        if not environ.get("AWS_DEFAULT_REGION") and not environ.get("AWS_REGION"):
            saved.append((_NAMES[3], environ.get(_NAMES[3])))
            environ[_NAMES[3]] = _VALUES[2]

    def restore(self) -> None:
        environ = os.environ
        data = (getattr(environ, "_data", None) if self._encoded and type(environ) is _STANDARD_ENVIRON
                else None)
        if type(data) is dict:
            for key, value in self._saved:
                if value is None:
                    if key in data:  # (the test may have removed it already)
                        os.unsetenv(key)
                        del data[key]
                else:
                    os.putenv(key, value)
                    data[key] = value
        else:  # the mapping interface (os.environ was replaced during the mock)
            for name, value in self._saved:
                name = os.fsdecode(name)
                if value is None:
                    environ.pop(name, None)
                else:
                    environ[name] = os.fsdecode(value)
        if self._credentials and "boto3" in sys.modules:
            _forget_fake_credentials()
        self._saved.clear()
        self._encoded = self._credentials = False


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
