"""AppFabric's resources by name: ARNs, resource types, and the resource a call is about.

The one place that knows how an app bundle, app authorization, ingestion or
ingestion destination is named: its ARN (built and parsed here), its resource
type (the ``resourceType`` of errors about it), the URI label that names it and
the quota that counts it.  The backend resolves identifiers with it; access
control and fault injection ask it which resource a call names.

Plain functions over strings and the backend's collections: no HTTP, no state.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, List, Mapping, NamedTuple, Optional, Tuple, Union

if TYPE_CHECKING:
    from .collection import Collection
    from .models import AppAuthorization, AppBundle, Ingestion, IngestionDestination

    Resource = Union[AppBundle, AppAuthorization, Ingestion, IngestionDestination]

# -- resource types -------------------------------------------------------------------------

APP_BUNDLE = "AppBundle"
APP_AUTHORIZATION = "AppAuthorization"
INGESTION = "Ingestion"
INGESTION_DESTINATION = "IngestionDestination"
#: The noun of the user access operations: a task has an id, but no ARN and no quota.
USER_ACCESS_TASK = "UserAccessTask"


class ResourceType(NamedTuple):
    """How one kind of resource is named."""

    #: The ``resourceType`` of errors about it (``AppBundle``).
    name: str
    #: Its segment in an ARN (``appbundle``).
    arn_kind: str
    #: The URI label of requests that name it (``appBundleIdentifier``).
    label: str
    #: The quota (``Settings.quotas`` key) that counts it.
    quota: str


#: The four resource types, the most specific first.
RESOURCE_TYPES = (
    ResourceType(INGESTION_DESTINATION, "ingestiondestination", "ingestionDestinationIdentifier",
                 "ingestion_destinations"),
    ResourceType(INGESTION, "ingestion", "ingestionIdentifier", "ingestions"),
    ResourceType(APP_AUTHORIZATION, "appauthorization", "appAuthorizationIdentifier", "app_authorizations"),
    ResourceType(APP_BUNDLE, "appbundle", "appBundleIdentifier", "app_bundles"),
)
BY_NAME = {t.name: t for t in RESOURCE_TYPES}
BY_ARN_KIND = {t.arn_kind: t for t in RESOURCE_TYPES}

# -- ARNs -----------------------------------------------------------------------------------

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


def child_arn(parent_arn: str, resource_type: str, resource_id: str) -> str:
    """The ARN of a resource inside another: ``<bundle ARN>/ingestion/<id>`` and so on."""
    return f"{parent_arn}/{BY_NAME[resource_type].arn_kind}/{resource_id}"


class ParsedArn(NamedTuple):
    """The parts of an AppFabric ARN; ``kind`` names the resource type it points at."""

    partition: str
    region: str
    account: str
    bundle_id: str
    kind: str  # "appbundle", "appauthorization", "ingestion" or "ingestiondestination"
    child_id: Optional[str]
    destination_id: Optional[str]

    @property
    def resource_type(self) -> str:
        """The resource type it names (``AppBundle``...)."""
        return BY_ARN_KIND[self.kind].name

    def names_scope(self, account: str, region: str) -> bool:
        """Whether it names a resource of ``account`` in ``region``, in that region's partition."""
        return self.region == region and self.account == account and self.partition == partition_for(region)


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


def locate(bundles: "Collection[AppBundle]", parsed: ParsedArn) -> "Optional[Resource]":
    """The resource an ARN names among one backend's bundles, or None.

    The caller has checked that the ARN belongs to that backend (:meth:`ParsedArn.names_scope`).
    """
    bundle = bundles.get(parsed.bundle_id)
    if bundle is None or parsed.kind == "appbundle":
        return bundle
    child = parsed.child_id or ""
    if parsed.kind == "appauthorization":
        return bundle.authorizations.get(child)
    ingestion = bundle.ingestions.get(child)
    if ingestion is None or parsed.kind == "ingestion":
        return ingestion
    return ingestion.destinations.get(parsed.destination_id or "")


# -- the resource of a call -----------------------------------------------------------------

_VERBS = ("BatchGet", "Create", "Get", "List", "Update", "Delete", "Connect", "Start", "Stop")


def operation_resource_type(operation: str) -> Optional[str]:
    """The resource type an operation acts on, None for the tagging operations.

    ``CreateIngestion`` -> ``Ingestion``; ``StartUserAccessTasks`` -> ``UserAccessTask``.
    """
    for verb in _VERBS:
        if operation.startswith(verb):
            noun = operation[len(verb):]
            noun = noun[:-1] if noun.endswith("s") else noun
            return noun if noun in BY_NAME or noun == USER_ACCESS_TASK else None
    return None


def _identifiers(params: Mapping[str, Any]) -> List[Tuple[str, ResourceType]]:
    """The identifiers a request carries (ARN or id, as sent), the most specific first."""
    return [(value, t) for t in RESOURCE_TYPES if isinstance(value := params.get(t.label), str)]


def error_resource(operation: str, params: Mapping[str, Any], account_id: str) -> Tuple[str, str]:
    """(resourceId, resourceType) of an error about a call.

    The type is the resource the operation acts on (what a Create creates); the id is
    that resource's identifier as the caller sent it, else the most specific identifier
    in the request (the parent of a resource being created), else the account (the
    scope of the app bundle quota).  For the tagging operations, the ARN and its type.
    """
    arn = params.get("resourceArn")
    if isinstance(arn, str):
        parsed = parse_arn(arn)
        return arn, parsed.resource_type if parsed else APP_BUNDLE
    resource_type = operation_resource_type(operation) or APP_BUNDLE
    sent = _identifiers(params)
    for value, kind in sent:
        if kind.name == resource_type:
            return value, resource_type
    if sent:
        return sent[0][0], resource_type
    return account_id, resource_type


def iam_resource(params: Mapping[str, Any], account_id: str, region: str) -> str:
    """The ARN IAM would evaluate for a call: the most specific resource in its path, else ``*``.

    Identifiers sent as ids are written as the ARN they stand for; one sent as an ARN
    is taken as it is.
    """
    arn = params.get("resourceArn")
    if isinstance(arn, str):
        return arn
    sent = _identifiers(params)
    if not sent or sent[-1][1].name != APP_BUNDLE:
        return "*"  # the resource is in the body (not read before authorization) or there is none
    bundle = sent[-1][0]
    resource = bundle if bundle.startswith("arn:") else bundle_arn(region, account_id, bundle)
    for value, kind in reversed(sent[:-1]):  # from the bundle down
        resource = value if value.startswith("arn:") else f"{resource}/{kind.arn_kind}/{value}"
    return resource
