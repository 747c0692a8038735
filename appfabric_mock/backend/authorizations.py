"""App authorizations and their status machine.

PendingConnect --connect--> Connected; an update of the credential or tenant
from any other status returns to PendingConnect; a connect set to fail by a
test control leaves ConnectionValidationFailed; TokenAutoRotationFailed is
reached only through a test control.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Dict, NamedTuple, Optional, Tuple
from urllib.parse import quote

from ..errors import ValidationException
from .apps import authorize_endpoint
from .base import BackendBase, Params, Result, conflict, precondition_failed, tags_from
from .models import AppAuthorization, AppBundle, authorization_key
from .resources import APP_AUTHORIZATION, child_arn

PENDING = "PendingConnect"
CONNECTED = "Connected"
VALIDATION_FAILED = "ConnectionValidationFailed"
ROTATION_FAILED = "TokenAutoRotationFailed"
STATUSES = (PENDING, CONNECTED, VALIDATION_FAILED, ROTATION_FAILED)

_CREDENTIAL_FOR = {"oauth2": "oauth2Credential", "apiKey": "apiKeyCredential"}


class _AsCreated(NamedTuple):
    """What a client token keeps of a created authorization: its first answer is rebuilt from it.

    The strings are the authorization's own objects (no copy while it lives); the OAuth
    ``state`` of the first answer's authUrl is kept as bytes, half the size of its hex text.
    Saved in state files as a plain tuple, in this order.
    """

    bundle_arn: str
    app: str
    tenant_identifier: str
    tenant_display_name: str
    auth_type: str
    created_at: Any
    persona: str
    client_id: Optional[str]
    state: Optional[bytes]


@functools.lru_cache(maxsize=64)
def _console_redirect(region: str) -> str:
    """The percent-encoded ``redirect_uri`` of a region's authUrl (the same on every read)."""
    return quote(f"https://{region}.console.aws.amazon.com/appfabric/oauth2", safe="")


def _check_credential(credential: Dict[str, Any], auth_type: str) -> None:
    expected = _CREDENTIAL_FOR[auth_type]
    if expected not in credential:
        given = next(iter(credential), "credential")
        message = (
            f"Value at 'credential' failed to satisfy constraint: authType {auth_type} "
            f"needs credential.{expected}, not credential.{given}"
        )
        raise ValidationException.for_fields([("credential", message)])


class AuthorizationOperations(BackendBase):
    """Create, Get, List, Update, Connect and DeleteAppAuthorization."""

    def create_app_authorization(self, params: Params) -> Result:
        """Create a ``PendingConnect`` app authorization in the bundle.

        The credential is checked and never kept (only an OAuth ``clientId``, for the
        ``authUrl``, which oauth2 authorizations carry).  ``app`` must be one of the
        applications the API accepts, with the ``authType`` it connects with (unless the
        ``strict_apps`` option is off; ``extra_apps`` adds names).  The quota is checked before
        the duplicate check.  A retry with the same ``clientToken`` and parameters returns the
        same authorization in its current state and charges no quota.

        Raises:
            ResourceNotFoundException: no such bundle (confirmed: modelled).
            ValidationException: ``app`` is not an application the API accepts (``app`` in ``fieldList``,
                the message lists the valid names) or ``authType`` is not the one it connects with
                (``authType`` in ``fieldList``) (inferred: the model documents the valid apps, the admin
                guide their type); the credential does not match ``authType`` (``credential`` in
                ``fieldList``; confirmed: the rule, inferred: the error); or a tag key starts with ``aws:``
                (inferred).
            ServiceQuotaExceededException: the account already has as many app authorizations in this
                region, over all its bundles, as the ``app_authorizations`` quota allows (50 by default)
                (confirmed: quota and status; inferred: the message, in the form of AWS's app bundle
                message).
            ConflictException: the bundle already has an authorization for this ``app`` and
                ``tenantIdentifier``, whose ARN is the ``resourceId`` (inferred).
            IdempotentParameterMismatch: the ``clientToken`` was used in this bundle with other parameters
                (confirmed: the code).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        app, auth_type, tenant = params["app"], params["authType"], params["tenant"]
        self._check_app(app, auth_type)
        _check_credential(params["credential"], auth_type)
        # Interned once valid: every authorization of an app then shares one string for its name
        # and type (each request would otherwise bring its own copy of each).
        app, auth_type = sys.intern(app), sys.intern(auth_type)
        tags = tags_from(params)

        def create() -> Tuple[str, Result, _AsCreated]:
            auth_id = self._new_id()
            arn = child_arn(bundle.arn, APP_AUTHORIZATION, auth_id)
            self._check_quota("app_authorizations", self._count_authorizations, arn, APP_AUTHORIZATION)
            self._check_unique_authorization(bundle, app, tenant["tenantIdentifier"], None)
            now = self._now()
            auth = AppAuthorization(
                id=auth_id,
                arn=arn,
                seq=self._next_seq(),
                bundle_arn=bundle.arn,
                app=app,
                tenant_identifier=tenant["tenantIdentifier"],
                tenant_display_name=tenant["tenantDisplayName"],
                auth_type=auth_type,
                created_at=now,
                updated_at=now,
                client_id=params["credential"].get("oauth2Credential", {}).get("clientId"),
                tags=tags,
            )
            bundle.authorizations.add(auth_id, auth.seq, auth)
            state = self.settings.ids.token() if auth_type == "oauth2" else None
            kept = _AsCreated(auth.bundle_arn, auth.app, auth.tenant_identifier, auth.tenant_display_name,
                              auth.auth_type, auth.created_at, auth.persona, auth.client_id,
                              bytes.fromhex(state) if state is not None else None)
            return arn, {"appAuthorization": self._describe(auth, state)}, kept

        return self._idempotent("CreateAppAuthorization", bundle.id, params, create,
                                lambda arn: self._describe_authorization_arn(bundle, arn), self._first_answer)

    def _first_answer(self, arn: str, kept: Any) -> Result:
        """The answer of the create that made ``arn``, rebuilt from what its client token kept."""
        if isinstance(kept, dict):  # a state file of an older appfabric-mock kept the whole answer
            return kept
        (bundle_arn, app, tenant_identifier, tenant_display_name, auth_type, created_at, persona, client_id,
         state) = kept
        # Status and updatedAt as every create leaves them.
        auth = AppAuthorization(
            id=arn.rsplit("/", 1)[-1], arn=arn, seq=0, bundle_arn=bundle_arn, app=app,
            tenant_identifier=tenant_identifier, tenant_display_name=tenant_display_name, auth_type=auth_type,
            created_at=created_at, updated_at=created_at, status=PENDING, persona=persona, client_id=client_id,
        )
        return {"appAuthorization": self._describe(auth, state.hex() if state is not None else None)}

    def _describe_authorization_arn(self, bundle: AppBundle, arn: str) -> Optional[Result]:
        auth = bundle.authorizations.get(arn.rsplit("/", 1)[-1])
        return {"appAuthorization": self._describe(auth)} if auth else None

    def _duplicate_authorization(
        self, bundle: AppBundle, app: str, tenant_id: str, skip: Optional[str]
    ) -> Optional[AppAuthorization]:
        for other in bundle.authorizations.find((app, tenant_id)):
            if other.id != skip:
                return other
        return None

    def _check_unique_authorization(self, bundle: AppBundle, app: str, tenant_id: str, skip: Optional[str]) -> None:
        other = self._duplicate_authorization(bundle, app, tenant_id, skip)
        if other is not None:
            raise conflict(
                f"An app authorization for app {app} and tenant {tenant_id} already exists",
                other.arn,
                APP_AUTHORIZATION,
            )

    def _describe(self, auth: AppAuthorization, state: Optional[str] = None) -> Result:
        """The ``AppAuthorization`` output shape; an oauth2 authUrl carries ``state`` (else a fresh one)."""
        out = auth.summary()
        out.update(authType=auth.auth_type, createdAt=auth.created_at, persona=auth.persona)
        if auth.auth_type == "oauth2":
            out["authUrl"] = self._auth_url(auth, state)
        return out

    def _auth_url(self, auth: AppAuthorization, state: Optional[str] = None) -> str:
        # The real URL changes on every read (a fresh OAuth `state`) and carries the
        # console redirect; its endpoint is the provider's authorize endpoint (apps.py).
        # The redirect comes before the state: Terraform keeps the URL up to the first
        # "oauth2" (in the path, else in the encoded redirect), which must not vary.
        # The query means urlencode({"client_id": ..., "redirect_uri": ..., "response_type":
        # "code", "state": ...}, quote_via=quote); it is written out directly because every
        # read of an oauth2 authorization builds one, and urlencode's generic walk is a large
        # part of such a read (tests/test_fast_paths.py holds the two to the same text).
        # The state is hex (IdGenerator.token), which quote leaves as is.
        query = (
            f"client_id={quote(auth.client_id or '', safe='')}"
            f"&redirect_uri={_console_redirect(self.region)}"
            f"&response_type=code&state={state if state is not None else self.settings.ids.token()}"
        )
        endpoint = authorize_endpoint(auth.app, auth.tenant_identifier, self.settings.known_apps)
        return f"{endpoint}?{query}"

    def get_app_authorization(self, params: Params) -> Result:
        """The app authorization; for oauth2 an ``authUrl`` with a fresh ``state`` on every read.

        Raises:
            ResourceNotFoundException: no such bundle, or no such authorization in it; an authorization ARN
                of another bundle is not found (confirmed: modelled).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        auth = self._find_authorization(bundle, params["appAuthorizationIdentifier"])
        return {"appAuthorization": self._describe(auth)}

    def list_app_authorizations(self, params: Params) -> Result:
        """Authorization summaries of the bundle, in creation order, paginated.

        Raises:
            ResourceNotFoundException: no such bundle (confirmed: modelled).
            ValidationException: ``nextToken`` is malformed, or was issued for another listing or bundle
                (invented).
            InvalidToken: ``nextToken`` is more than 24 hours old by the mock's clock, HTTP 400 (confirmed:
                the model's documentation of ``nextToken``).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        items, token = self._page("ListAppAuthorizations", bundle.id, bundle.authorizations, params)
        return {"appAuthorizationSummaryList": [a.summary() for a in items], "nextToken": token}

    def update_app_authorization(self, params: Params) -> Result:
        """Replace the credential and/or the tenant; the status returns to ``PendingConnect``.

        From any status, and ``updatedAt`` moves.  An update with neither a credential nor a
        tenant changes nothing and returns the authorization as it is.

        The model lists no ConflictException here, so a tenant change the state does not
        allow is a ValidationException.

        Raises:
            ResourceNotFoundException: no such bundle or authorization (confirmed: modelled).
            ValidationException: the credential does not match the authorization's ``authType`` (confirmed:
                the rule; inferred: the error); or the new ``tenantIdentifier`` is taken by another
                authorization of the same app in the bundle, or an ingestion still uses the old one
                (invented: the operation models no ConflictException).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        auth = self._find_authorization(bundle, params["appAuthorizationIdentifier"])
        credential, tenant = params.get("credential"), params.get("tenant")
        if credential is not None:
            _check_credential(credential, auth.auth_type)
        if tenant is not None and tenant["tenantIdentifier"] != auth.tenant_identifier:
            other = self._duplicate_authorization(bundle, auth.app, tenant["tenantIdentifier"], auth.id)
            if other is not None:
                raise precondition_failed(
                    f"An app authorization for app {auth.app} and tenant {tenant['tenantIdentifier']} "
                    f"already exists: {other.arn}"
                )
            for ingestion in bundle.ingestions.find((auth.app, auth.tenant_identifier)):
                raise precondition_failed(
                    f"Ingestion {ingestion.arn} uses tenant {auth.tenant_identifier}; "
                    "delete it before changing the tenant identifier"
                )
        if credential is None and tenant is None:
            return {"appAuthorization": self._describe(auth)}
        if credential is not None and auth.auth_type == "oauth2":
            auth.client_id = credential["oauth2Credential"].get("clientId")
        if tenant is not None:
            old_key = authorization_key(auth)
            auth.tenant_identifier = tenant["tenantIdentifier"]
            auth.tenant_display_name = tenant["tenantDisplayName"]
            bundle.authorizations.reindex(auth, old_key)
        # New credentials or a new tenant need a new connect, whatever the status was.
        auth.status = PENDING
        auth.updated_at = self._now()
        return {"appAuthorization": self._describe(auth)}

    def connect_app_authorization(self, params: Params) -> Result:
        """Connect at once: the status becomes ``Connected`` (again, if it already was).

        An oauth2 authorization needs an ``authRequest``; an apiKey one needs none.  Any
        credential or OAuth code connects, unless a test control
        (:meth:`~appfabric_mock.AppFabricMock.fail_next_connect`) primed this one to fail.

        Raises:
            ResourceNotFoundException: no such bundle or authorization (confirmed: modelled).
            ValidationException: an oauth2 authorization without ``authRequest`` (confirmed: required for
                oauth2; inferred: the error); or a connect primed to fail, which leaves
                ``ConnectionValidationFailed`` (inferred: the model's description of that status).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        auth = self._find_authorization(bundle, params["appAuthorizationIdentifier"])
        if auth.auth_type == "oauth2" and params.get("authRequest") is None:
            raise ValidationException.for_fields(
                [("authRequest", "Value null at 'authRequest' failed to satisfy constraint: "
                  "Member must not be null for an oauth2 app authorization")]
            )
        failure = auth.connect_failure
        if failure is not None:
            auth.connect_failure = None
            self._set_status(auth, VALIDATION_FAILED)
            raise ValidationException(failure, reason="other")
        self._set_status(auth, CONNECTED)
        return {"appAuthorizationSummary": auth.summary()}

    def _set_status(self, auth: AppAuthorization, status: str) -> None:
        if auth.status != status:
            auth.status = status
            auth.updated_at = self._now()

    def delete_app_authorization(self, params: Params) -> Result:
        """Delete the app authorization; its slot of the ``app_authorizations`` quota is free again.

        AWS requires the ingestions of the authorization to be deleted first; the model lists no
        ConflictException here, so the refusal is a ValidationException.

        Raises:
            ResourceNotFoundException: no such bundle or authorization (confirmed: modelled).
            ValidationException: an ingestion for the same app and tenant still exists (confirmed: the
                order; inferred: the error, as the model lists no ConflictException here).
        """
        identifier = params["appAuthorizationIdentifier"]
        bundle = self._find_bundle(params["appBundleIdentifier"])
        auth = self._find_authorization(bundle, identifier)
        for ingestion in bundle.ingestions.find((auth.app, auth.tenant_identifier)):
            raise precondition_failed(
                f"Ingestion {ingestion.arn} still uses app authorization {identifier}; "
                "delete the ingestion before the app authorization"
            )
        bundle.authorizations.remove(auth.id, auth.seq)
        return {}
