"""AppFabric ARNs and identifiers (ARN or bare UUID)."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple, Optional

_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):appfabric:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"appbundle/(?P<bundle>[a-f0-9-]{36})"
    r"(?:/(?P<kind>appauthorization|ingestion)/(?P<child>[a-f0-9-]{36})"
    r"(?:/ingestiondestination/(?P<destination>[a-f0-9-]{36}))?)?$"
)


def partition_for(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def bundle_arn(region: str, account: str, bundle_id: str) -> str:
    """``arn:aws:appfabric:<region>:<account>:appbundle/<id>``."""
    return f"arn:{partition_for(region)}:appfabric:{region}:{account}:appbundle/{bundle_id}"


class ParsedArn(NamedTuple):
    """The parts of an AppFabric ARN; ``kind`` names the resource type it points at."""

    partition: str
    region: str
    account: str
    bundle_id: str
    kind: str  # "appbundle", "appauthorization", "ingestion" or "ingestiondestination"
    child_id: Optional[str]
    destination_id: Optional[str]


# Every call names its resources by ARN, and a test uses the same few again and
# again; the result is an immutable tuple, so each ARN is parsed once.
@functools.lru_cache(maxsize=4096)
def parse_arn(arn: str) -> Optional[ParsedArn]:
    """Parse an AppFabric ARN; None when it is not one."""
    match = _ARN_RE.match(arn)
    if match is None:
        return None
    kind = match.group("kind") or "appbundle"
    if match.group("destination"):
        if kind != "ingestion":
            return None
        kind = "ingestiondestination"
    return ParsedArn(
        match.group("partition"),
        match.group("region"),
        match.group("account"),
        match.group("bundle"),
        kind,
        match.group("child"),
        match.group("destination"),
    )
