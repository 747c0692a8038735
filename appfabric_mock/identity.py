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

#: The longest region name the mock accepts.  A region is a label of its endpoint's host name
#: (``appfabric.<region>.amazonaws.com``), and a DNS label holds at most 63 characters
#: (RFC 1035); botocore refuses longer region names for the same reason
#: (``botocore.utils.validate_region_name``).  AWS's own names have at most about 15.
MAX_REGION_LENGTH = 63

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")
_HOST = re.compile(rf"appfabric(?:-fips)?\.([a-z0-9-]{{1,{MAX_REGION_LENGTH}}})\.(?:amazonaws\.com|api\.aws)")
# What the region part of an ARN may hold: a scope with anything else (``:``,
# spaces, capitals) would give ARNs nobody can use again; a longer one names no
# endpoint, and each region that is written to keeps a backend under its name.
_REGION_NAME = re.compile(rf"[a-z0-9-]{{1,{MAX_REGION_LENGTH}}}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def caller(headers: Mapping[str, str], host: Optional[str]) -> Tuple[Optional[str], str]:
    """(access key id or None, region) from the SigV4 scope, else the host name.

    A scope whose region is not a region name (lower-case letters, digits and ``-``, at
    most :data:`MAX_REGION_LENGTH` characters) does not count; the host (or the default
    region) decides then, as the endpoint it reached would.  (The mock checks no
    signature: AWS would refuse such a scope as a signature error, which is not modelled.)
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
