"""Ingestions: created enabled, started and stopped, deleted once their destinations are gone."""

from __future__ import annotations

from typing import Optional, Tuple

from .authorizations import CONNECTED
from .base import BackendBase, Params, Result, conflict, precondition_failed, tags_from
from .models import AppBundle, Ingestion
from .resources import INGESTION, child_arn

#: AWS's answer to CreateIngestion without a Connected authorization (Terraform AWS provider PR 37291).
NOT_CONNECTED = (
    "The app authorization for the specified application and tenant was not connected. "
    "Connect the app authorization for the application and tenant before creating an ingestion."
)


class IngestionOperations(BackendBase):
    """CreateIngestion, GetIngestion, ListIngestions, Start/StopIngestion and DeleteIngestion."""

    def create_ingestion(self, params: Params) -> Result:
        """Create an ``enabled`` ingestion of an app and tenant whose authorization is ``Connected``.

        The bundle must hold an app authorization for the same ``app`` and ``tenantIdentifier``
        (``tenantId`` here) in status ``Connected``; AWS refuses any other with HTTP 400 and the
        message quoted below (real output in Terraform AWS provider PR 37291).  The checks run
        in this order: the request (``app``, tags), the authorization, the quota, the duplicate.
        A retry with the same ``clientToken`` and parameters returns the same ingestion in its
        current state and charges no quota.

        Raises:
            ValidationException: the bundle has no ``Connected`` app authorization for this ``app`` and
                ``tenantId``: "The app authorization for the specified application and tenant was not
                connected. Connect the app authorization for the application and tenant before creating an
                ingestion." (confirmed for one that is not connected, Terraform AWS provider PR 37291;
                inferred for none at all); no such bundle (inferred: the model lists no
                ResourceNotFoundException here); ``app`` is not an application the API accepts, or a tag key
                starts with ``aws:`` (inferred).
            ServiceQuotaExceededException: the account already has as many ingestions in this region, over
                all its bundles, as the ``ingestions`` quota allows (50 by default) (confirmed: quota and
                status; inferred: the message).
            ConflictException: the bundle already has an ingestion of this app, tenant and ``ingestionType``
                (inferred).
            IdempotentParameterMismatch: the ``clientToken`` was used in this bundle with other parameters
                (confirmed: the code).
        """
        bundle = self._bundle_precondition(params["appBundleIdentifier"])
        app, tenant_id, kind = params["app"], params["tenantId"], params["ingestionType"]
        self._check_app(app)
        tags = tags_from(params)

        def create() -> Tuple[str, Result, Result]:
            if not any(a.status == CONNECTED for a in bundle.authorizations.find((app, tenant_id))):
                raise precondition_failed(NOT_CONNECTED)
            ingestion_id = self._new_id()
            arn = child_arn(bundle.arn, INGESTION, ingestion_id)
            self._check_quota("ingestions", self._count_ingestions, arn, INGESTION)
            for other in bundle.ingestions.find((app, tenant_id)):
                if other.ingestion_type == kind:
                    raise conflict(
                        f"An {kind} ingestion for app {app} and tenant {tenant_id} already exists",
                        other.arn,
                        INGESTION,
                    )
            now = self._now()
            ingestion = Ingestion(
                id=ingestion_id,
                arn=arn,
                seq=self._next_seq(),
                bundle_arn=bundle.arn,
                app=app,
                tenant_id=tenant_id,
                ingestion_type=kind,
                created_at=now,
                updated_at=now,
                tags=tags,
            )
            bundle.ingestions.add(ingestion_id, ingestion.seq, ingestion)
            result = {"ingestion": ingestion.describe()}
            return arn, result, result

        return self._idempotent("CreateIngestion", bundle.id, params, create,
                                lambda arn: self._describe_ingestion(bundle, arn))

    def _describe_ingestion(self, bundle: AppBundle, arn: str) -> Optional[Result]:
        found = bundle.ingestions.get(arn.rsplit("/", 1)[-1])
        return {"ingestion": found.describe()} if found else None

    def get_ingestion(self, params: Params) -> Result:
        """The ingestion, named by ARN or UUID.

        Raises:
            ResourceNotFoundException: no such bundle, or no such ingestion in it; an ingestion ARN of
                another bundle is not found (confirmed: modelled).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        return {"ingestion": self._find_ingestion(bundle, params["ingestionIdentifier"]).describe()}

    def list_ingestions(self, params: Params) -> Result:
        """Ingestion summaries of the bundle, in creation order, paginated.

        Raises:
            ResourceNotFoundException: no such bundle (confirmed: modelled).
            ValidationException: ``nextToken`` is malformed, or was issued for another listing or bundle
                (invented).
            InvalidToken: ``nextToken`` is more than 24 hours old by the mock's clock, HTTP 400 (confirmed:
                the model's documentation of ``nextToken``).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        items, token = self._page("ListIngestions", bundle.id, bundle.ingestions, params)
        return {"ingestions": [i.summary() for i in items], "nextToken": token}

    def start_ingestion(self, params: Params) -> Result:
        """Set the ingestion ``enabled``; if it already is, succeed without any change.

        ``updatedAt`` moves only on a real change.  An ingestion without destinations can be
        started.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion (confirmed: modelled).
        """
        return self._set_state(params, "enabled")

    def stop_ingestion(self, params: Params) -> Result:
        """Set the ingestion ``disabled``; if it already is, succeed without any change.

        ``updatedAt`` moves only on a real change.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion (confirmed: modelled).
        """
        return self._set_state(params, "disabled")

    def _set_state(self, params: Params, state: str) -> Result:
        bundle = self._find_bundle(params["appBundleIdentifier"])
        ingestion = self._find_ingestion(bundle, params["ingestionIdentifier"])
        # Starting an enabled (stopping a disabled) ingestion succeeds without change,
        # which keeps SDK retries safe.
        if ingestion.state != state:
            ingestion.state = state
            ingestion.updated_at = self._now()
            self._track_delivery(bundle, ingestion)
        return {}

    def delete_ingestion(self, params: Params) -> Result:
        """Delete an ingestion that has no destinations left, enabled or not.

        Its slot of the ``ingestions`` quota is free again, and its app authorization can be
        deleted.  AWS documents that an ingestion must be stopped and its destinations deleted
        first, yet deletes a new (enabled) ingestion without destinations (Terraform's tests
        against AWS do so); the mock enforces only the destinations.  The model lists no
        ConflictException here, so the refusal is a ValidationException.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion (confirmed: modelled).
            ValidationException: the ingestion still has destinations (confirmed: the rule; inferred: the
                error, as the model lists no ConflictException here).
        """
        identifier = params["ingestionIdentifier"]
        bundle = self._find_bundle(params["appBundleIdentifier"])
        ingestion = self._find_ingestion(bundle, identifier)
        if ingestion.destinations:
            raise precondition_failed(
                f"Ingestion {identifier} still has {len(ingestion.destinations)} ingestion destination(s); "
                "delete them before the ingestion"
            )
        bundle.ingestions.remove(ingestion.id, ingestion.seq)
        self._track_delivery(bundle, ingestion)
        return {}
