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


def caller(headers: Mapping[str, str], host: Optional[str]) -> Tuple[Optional[str], str]:
    """(access key id or None, region) from the SigV4 scope, else the host name."""
    auth = headers.get("authorization")
    if auth:
        found = _SCOPE.search(auth)
        if found is not None:
            return found.group(1), found.group(2)
    if host:
        found = _HOST.search(host)
        if found is not None:
            return None, found.group(1)
    return None, DEFAULT_REGION
