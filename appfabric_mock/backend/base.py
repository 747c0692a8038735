"""State and shared rules of one account's AppFabric in one region."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, Union

from ..errors import (
    ConflictException,
    IdempotentParameterMismatch,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from . import resources
from .collection import Collection
from .models import AppAuthorization, AppBundle, Ingestion, IngestionDestination, UserAccessTask
from .pagination import decode_token, encode_token
from .resources import APP_AUTHORIZATION, APP_BUNDLE, INGESTION, INGESTION_DESTINATION
from .settings import QUOTA_CODES, QUOTA_MESSAGES, Settings

Params = Mapping[str, Any]
Result = Dict[str, Any]
T = TypeVar("T")

# json.dumps(body, sort_keys=True, default=str) with its encoder built once: json.dumps
# builds a new encoder on every call that passes an option, and every create digests one.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, default=str)

#: How long a client token is remembered, in seconds of the mock's clock.  AppFabric documents
#: no window; 8 hours is the one most AWS services that document a window give (Verified
#: Permissions, Directory Service Data, Lookout for Vision, Backup Search).  After it, the same
#: token starts a new request, as those services say.
IDEMPOTENCY_WINDOW_SECONDS = 8 * 60 * 60

#: client token key -> (request digest, resource ARN, what the first result is rebuilt from once the
#: resource is gone, expiry as a timestamp).  The digest is raw bytes (half the size of its hex
#: text); the third member is the first result itself unless the operation keeps something
#: smaller (see :meth:`BackendBase._idempotent`).
IdempotencyEntry = Tuple[bytes, str, Any, float]


#: Attributes of a backend that are not its state (its identity, shared settings and lock, and
#: what is derived from the state: rebuilt by :meth:`BackendBase.rebuild_derived`, never saved).
TRANSIENT_ATTRIBUTES = frozenset({"account_id", "region", "settings", "lock", "delivering"})


class BackendBase:
    """Lookups, quotas, idempotency and pagination shared by every operation."""

    def __init__(self, account_id: str, region: str, settings: Settings) -> None:
        self.account_id = account_id
        self.region = region
        self.settings = settings
        #: Every operation runs under this lock, so concurrent calls never interleave.
        self.lock = threading.RLock()
        self.bundles: Collection[AppBundle] = Collection()
        self.tasks: Dict[str, UserAccessTask] = {}
        self._seq = 0
        # In insertion order, so the oldest entries are the first to expire.
        self._idempotency: Dict[Tuple[str, str, str], IdempotencyEntry] = {}
        #: The ingestions a due delivery looks at: enabled, with at least one destination, by ARN
        #: (with their bundle).  Kept by every change of an ingestion's state or destinations, so
        #: the data plane never scans the bundles (see appfabric_mock/delivery/plane.py).
        self.delivering: Dict[str, Tuple[AppBundle, Ingestion]] = {}

    def rebuild_derived(self) -> None:
        """Recompute what is derived from the state (after the state was replaced, e.g. loaded)."""
        self.delivering = {}
        for bundle in self.bundles:
            for ingestion in bundle.ingestions:
                self._track_delivery(bundle, ingestion)

    def _track_delivery(self, bundle: AppBundle, ingestion: Ingestion) -> None:
        """Keep :attr:`delivering` up to date for one ingestion (after any change to it)."""
        if ingestion.state == "enabled" and ingestion.destinations and bundle.ingestions.get(ingestion.id) is ingestion:
            self.delivering[ingestion.arn] = (bundle, ingestion)
        else:
            self.delivering.pop(ingestion.arn, None)

    # -- basics ---------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _now(self) -> Any:
        return self.settings.clock.now()

    def _new_id(self) -> str:
        return self.settings.ids.uuid()

    def _bundle_arn(self, bundle_id: str) -> str:
        return resources.bundle_arn(self.region, self.account_id, bundle_id)

    # -- lookups: an identifier is an ARN of this account and region, or the resource's id --------
    def _parse_identifier(self, identifier: str, kind: str, resource_type: str) -> resources.ParsedArn:
        """Resolve an ARN of this account, region and partition; raise ResourceNotFoundException otherwise."""
        parsed = resources.parse_arn(identifier)
        if parsed is None or parsed.kind != kind or not parsed.names_scope(self.account_id, self.region):
            raise not_found(identifier, resource_type)
        return parsed

    def _find_bundle(self, identifier: str) -> AppBundle:
        if identifier.startswith("arn:"):
            bundle_id = self._parse_identifier(identifier, "appbundle", APP_BUNDLE).bundle_id
        else:
            bundle_id = identifier
        bundle = self.bundles.get(bundle_id)
        if bundle is None:
            raise not_found(identifier, APP_BUNDLE)
        return bundle

    def _child_id(self, bundle: AppBundle, identifier: str, kind: str, resource_type: str) -> str:
        if not identifier.startswith("arn:"):
            return identifier
        parsed = self._parse_identifier(identifier, kind, resource_type)
        if parsed.bundle_id != bundle.id:
            raise not_found(identifier, resource_type)
        return parsed.child_id or ""

    def _find_authorization(self, bundle: AppBundle, identifier: str) -> AppAuthorization:
        auth_id = self._child_id(bundle, identifier, "appauthorization", APP_AUTHORIZATION)
        found = bundle.authorizations.get(auth_id)
        if found is None:
            raise not_found(identifier, APP_AUTHORIZATION)
        return found

    def _find_ingestion(self, bundle: AppBundle, identifier: str) -> Ingestion:
        ingestion_id = self._child_id(bundle, identifier, "ingestion", INGESTION)
        found = bundle.ingestions.get(ingestion_id)
        if found is None:
            raise not_found(identifier, INGESTION)
        return found

    def _find_destination(self, ingestion: Ingestion, identifier: str) -> IngestionDestination:
        if identifier.startswith("arn:"):
            parsed = self._parse_identifier(identifier, "ingestiondestination", INGESTION_DESTINATION)
            if parsed.child_id != ingestion.id:
                raise not_found(identifier, INGESTION_DESTINATION)
            identifier_id = parsed.destination_id or ""
        else:
            identifier_id = identifier
        found = ingestion.destinations.get(identifier_id)
        if found is None:
            raise not_found(identifier, INGESTION_DESTINATION)
        return found

    # -- quotas ---------------------------------------------------------------------
    def _check_quota(
        self, name: str, used: Union[int, Callable[[], int]], resource_id: str, resource_type: str
    ) -> None:
        """Raise ServiceQuotaExceededException when ``used`` reached the quota.

        ``used`` may be a function: counting walks every app bundle of the account, so
        it is counted only when the quota is set (with quotas lifted, a create then
        costs the same however many bundles there are).
        """
        limit = self.settings.quota(name)
        if limit is None:
            return
        if callable(used):
            used = used()
        if used >= limit:
            raise ServiceQuotaExceededException(
                QUOTA_MESSAGES[name],
                resource_id=resource_id,
                resource_type=resource_type,
                quota_code=QUOTA_CODES[name],
            )

    def _count_authorizations(self) -> int:
        return sum(len(b.authorizations) for b in self.bundles)

    def _count_ingestions(self) -> int:
        return sum(len(b.ingestions) for b in self.bundles)

    # -- idempotency ----------------------------------------------------------------
    def _idempotent(
        self,
        operation: str,
        scope: str,
        params: Params,
        create: Callable[[], Tuple[str, Result, Any]],
        current: Callable[[str], Optional[Result]],
        replay: Optional[Callable[[str, Any], Result]] = None,
    ) -> Result:
        """Run ``create`` once per client token; a retry returns the same resource.

        ``create`` returns (resource ARN, result, what to keep of the result);
        ``current`` re-describes the resource by ARN, or returns None once it is
        gone: the first answer is then repeated, as ``replay(arn, kept)`` rebuilds
        it (without ``replay``, what is kept is the result itself).  Every stored
        authorization keeps such an entry, so an operation whose answer can be
        rebuilt from a few of its resource's values keeps those rather than the
        answer.  A token is remembered for :data:`IDEMPOTENCY_WINDOW_SECONDS` of
        the mock's clock.
        """
        token = params.get("clientToken")
        if not token:
            return create()[1]
        key = (operation, scope, token)
        digest = self._request_digest(params)
        now = self._now().timestamp()
        entries = self._idempotency
        seen = entries.get(key)
        if seen is not None:
            seen_digest, arn, kept, expires = seen
            if expires > now:
                if not hmac.compare_digest(seen_digest, digest):
                    raise IdempotentParameterMismatch(
                        f"The client token {token} was already used with different parameters"
                    )
                answer = current(arn)
                if answer is not None:
                    return answer
                return replay(arn, kept) if replay is not None else kept
            del entries[key]
        arn, result, kept = create()
        # Forget expired tokens, oldest first: a few per create at most, so memory follows the
        # rate of creates over the window rather than every create ever made.
        while entries:
            oldest = next(iter(entries))
            if entries[oldest][3] > now:
                break
            del entries[oldest]
        entries[key] = (digest, arn, kept, now + IDEMPOTENCY_WINDOW_SECONDS)
        return result

    def _request_digest(self, params: Params) -> bytes:
        body = {k: v for k, v in params.items() if k != "clientToken"}
        text = _CANONICAL_JSON.encode(body)
        # Keyed BLAKE2b is a MAC in one call, with no HMAC object to build; every create
        # that carries a client token digests its request (boto3 always sends one).
        return hashlib.blake2b(text.encode(), key=self.settings.digest_key, digest_size=32).digest()

    def is_empty(self) -> bool:
        """Whether this backend holds nothing: no resource, task, token or counter.

        Generic over its attributes (every one but the identity, settings and lock is
        state), so state added later counts without a change here.
        """
        return not any(value for name, value in vars(self).items() if name not in TRANSIENT_ATTRIBUTES)

    # -- pagination -----------------------------------------------------------------
    def _page(
        self, operation: str, scope: str, collection: "Collection[T]", params: Params
    ) -> Tuple[List[T], Optional[str]]:
        # The clock is read only when a token is read or written: most listings fit in
        # one page and carry none, and each read builds an aware datetime for nothing.
        next_token = params.get("nextToken")
        now = self._now().timestamp() if next_token is not None else None
        # Sequence numbers are per backend: a token from another account or region is foreign.
        scope = f"{self.account_id}/{self.region}/{scope}"
        after = decode_token(next_token, operation, scope, now or 0.0)
        limit = params.get("maxResults") or self.settings.default_page_size
        items, last = collection.page(after, limit)
        if last is None:
            return items, None
        if now is None:
            now = self._now().timestamp()
        return items, encode_token(operation, scope, last, now)

    # -- shared rules ---------------------------------------------------------------
    def _check_app(self, app: str, auth_type: Optional[str] = None) -> None:
        """Under ``strict_apps``: ``app`` must be known, and ``auth_type`` (if given) the one it connects with."""
        settings = self.settings
        if not settings.strict_apps:
            return
        known = settings.known_apps.get(app)
        if known is None:
            choices = ", ".join(sorted(settings.known_apps))
            message = (
                f"Value '{app[:128]}' at 'app' failed to satisfy constraint: Member must be one of the "
                f"supported applications: {choices} (appfabric-mock: add other names with the extra_apps "
                "option, or accept any name with strict_apps=False)"
            )
            raise ValidationException.for_fields([("app", message)])
        if auth_type is not None and known.auth_type is not None and auth_type != known.auth_type:
            message = (
                f"Value '{auth_type}' at 'authType' failed to satisfy constraint: {app} connects with "
                f"authType {known.auth_type} (appfabric-mock: declare another type with the extra_apps "
                "option, or turn the check off with strict_apps=False)"
            )
            raise ValidationException.for_fields([("authType", message)])

    def _bundle_precondition(self, identifier: str) -> AppBundle:
        """The bundle of an operation whose model lists no ResourceNotFoundException.

        AWS's one known answer to a failed precondition there is a ValidationException
        (CreateIngestion without a Connected authorization), so a missing bundle is one too.
        """
        try:
            return self._find_bundle(identifier)
        except ResourceNotFoundException as missing:
            raise precondition_failed(missing.message) from None

    def _ingestion_precondition(self, bundle: AppBundle, identifier: str) -> Ingestion:
        """The ingestion of an operation whose model lists no ResourceNotFoundException (see above)."""
        try:
            return self._find_ingestion(bundle, identifier)
        except ResourceNotFoundException as missing:
            raise precondition_failed(missing.message) from None


def not_found(identifier: str, resource_type: str) -> ResourceNotFoundException:
    """ResourceNotFoundException about ``identifier`` as the caller sent it."""
    return ResourceNotFoundException(
        f"{resource_type} {identifier} does not exist", resource_id=identifier, resource_type=resource_type
    )


def precondition_failed(message: str) -> ValidationException:
    """A request the current state does not allow, where the operation models no Conflict or NotFound."""
    return ValidationException(message, reason="other")


def conflict(message: str, resource_id: str, resource_type: str) -> ConflictException:
    return ConflictException(message, resource_id=resource_id, resource_type=resource_type)


#: Tag keys AWS keeps for itself ("aws:" in any case), by AWS's general tagging rules.
RESERVED_TAG_PREFIX = "aws:"


def check_tag_keys(keys: "List[str]", member: str) -> None:
    """ValidationException naming every key that starts with ``aws:`` (in any case).

    ``member`` is the field path of the list, e.g. ``tags`` (each element is named
    ``tags.N.member.key``) or ``tagKeys`` (``tagKeys.N.member``), counting from 1.
    """
    problems = []
    for index, key in enumerate(keys, 1):
        if key[:4].lower() == RESERVED_TAG_PREFIX:
            name = f"{member}.{index}.member.key" if member == "tags" else f"{member}.{index}.member"
            problems.append((name, f"Value '{key[:128]}' at '{name}' failed to satisfy constraint: "
                                   "Member must not start with 'aws:' (the prefix is reserved for AWS use)"))
    if problems:
        raise ValidationException.for_fields(problems)


def tags_from(params: Params) -> Dict[str, str]:
    """The tags of a request (by key); a reserved ``aws:`` key is a ValidationException."""
    tags = params.get("tags") or ()
    if not tags:
        return {}
    check_tag_keys([t["key"] for t in tags], "tags")
    return {t["key"]: t.get("value", "") for t in tags}
