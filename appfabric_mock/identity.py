"""Who is calling and where: the region and account of a request."""

from __future__ import annotations

import re
from typing import Mapping, Optional, Tuple

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
#: Environment variable that overrides the default account id.
ACCOUNT_ENV = "APPFABRIC_MOCK_ACCOUNT_ID"
#: Request header that names the account explicitly (server mode, other SDKs).
ACCOUNT_HEADER = "x-appfabric-mock-account-id"
#: The regions where AppFabric exists.
SERVICE_REGIONS = frozenset({"us-east-1", "eu-west-1", "ap-northeast-1"})

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")
_HOST = re.compile(r"appfabric(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com|api\.aws)")
# What the region part of an ARN may hold: a scope with anything else (``:``,
# spaces, capitals) would give ARNs nobody can use again.
_REGION_NAME = re.compile(r"[a-z0-9-]+")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def caller(headers: Mapping[str, str], host: Optional[str]) -> Tuple[Optional[str], str]:
    """(access key id or None, region) from the SigV4 scope, else the host name.

    A scope whose region is not a region name does not count; the host (or the
    default region) decides then, as the endpoint it reached would.
    """
    access_key: Optional[str] = None
    auth = headers.get("authorization")
    if auth:
        found = _SCOPE.search(auth)
        if found is not None:
            access_key = found.group(1)
            if _REGION_NAME.fullmatch(found.group(2)):
                return access_key, found.group(2)
    if host:
        found = _HOST.search(host)
        if found is not None:
            return access_key, found.group(1)
    return access_key, DEFAULT_REGION


def is_account_id(value: object) -> bool:
    """Whether ``value`` is an AWS account id: a string of 12 ASCII digits."""
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


def header_account(headers: Mapping[str, str]) -> Optional[str]:
    """The account named by the ``x-appfabric-mock-account-id`` header, or None.

    Raises ValidationException when the header holds something other than a
    12-digit account id (its resources would get ARNs that never resolve).
    """
    value = headers.get(ACCOUNT_HEADER)
    if not value:
        return None
    if not is_account_id(value):
        from .errors import ValidationException

        message = f"The {ACCOUNT_HEADER} header must be a 12-digit account id"
        raise ValidationException(message, reason="other", field_list=[(ACCOUNT_HEADER, message)])
    return value
