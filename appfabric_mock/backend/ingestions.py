"""Ingestions: created enabled, started and stopped, deleted once their destinations are gone."""

from __future__ import annotations

from typing import Optional, Tuple

from ..errors import ValidationException
from .base import INGESTION, BackendBase, Params, Result, conflict, tags_from
from .models import AppBundle, Ingestion


class IngestionOperations(BackendBase):
    """CreateIngestion, GetIngestion, ListIngestions, Start/StopIngestion and DeleteIngestion."""

    def create_ingestion(self, params: Params) -> Result:
        """Create an ``enabled`` ingestion of an app and tenant that have an authorization in the bundle.

        The authorization may be in any status (it need not be ``Connected``).  The checks run
        in this order: authorization, quota, duplicate.  A retry with the same ``clientToken``
        and parameters returns the same ingestion in its current state and charges no quota.

        Raises:
            ResourceNotFoundException: no such bundle.
            ValidationException: the bundle has no app authorization for this ``app`` and
                ``tenantId`` (``tenantId`` in ``fieldList``), or ``app`` is unknown under
                ``strict_apps``.
            ServiceQuotaExceededException: the account already has as many ingestions in this
                region, over all its bundles, as the ``ingestions`` quota allows (50 by default).
            ConflictException: the bundle already has an ingestion of this app, tenant and
                ``ingestionType``.
            IdempotentParameterMismatch: the ``clientToken`` was used in this bundle with other
                parameters.
        """
        bundle = self._bundle(params["appBundleIdentifier"])
        app, tenant_id, kind = params["app"], params["tenantId"], params["ingestionType"]
        self._check_app(app)

        def create() -> Tuple[str, Result]:
            if not any(a.app == app and a.tenant_identifier == tenant_id for a in bundle.authorizations):
                raise ValidationException.for_fields(
                    [("tenantId", f"Value '{tenant_id}' at 'tenantId' failed to satisfy constraint: "
                      f"the app bundle has no app authorization for app {app} and this tenant")]
                )
            ingestion_id = self._new_id()
            arn = f"{bundle.arn}/ingestion/{ingestion_id}"
            self._check_quota("ingestions", self._count_ingestions, arn, INGESTION)
            for other in bundle.ingestions:
                if other.app == app and other.tenant_id == tenant_id and other.ingestion_type == kind:
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
                tags=tags_from(params),
            )
            bundle.ingestions.add(ingestion_id, ingestion.seq, ingestion)
            return arn, {"ingestion": ingestion.describe()}

        return self._idempotent("CreateIngestion", bundle.id, params, create,
                                lambda arn: self._describe_ingestion(bundle, arn))

    def _describe_ingestion(self, bundle: AppBundle, arn: str) -> Optional[Result]:
        found = bundle.ingestions.get(arn.rsplit("/", 1)[-1])
        return {"ingestion": found.describe()} if found else None

    def get_ingestion(self, params: Params) -> Result:
        """The ingestion, named by ARN or UUID.

        Raises:
            ResourceNotFoundException: no such bundle, or no such ingestion in it (an ingestion
                ARN of another bundle is not found).
        """
        bundle = self._bundle(params["appBundleIdentifier"])
        return {"ingestion": self._ingestion(bundle, params["ingestionIdentifier"]).describe()}

    def list_ingestions(self, params: Params) -> Result:
        """Ingestion summaries of the bundle, in creation order, paginated.

        Raises:
            ResourceNotFoundException: no such bundle.
            ValidationException: ``nextToken`` is malformed, was issued for another listing or
                bundle, or is more than 24 hours old.
        """
        bundle = self._bundle(params["appBundleIdentifier"])
        items, token = self._page("ListIngestions", bundle.id, bundle.ingestions, params)
        return {"ingestions": [i.summary() for i in items], "nextToken": token}

    def start_ingestion(self, params: Params) -> Result:
        """Set the ingestion ``enabled``; if it already is, succeed without any change.

        ``updatedAt`` moves only on a real change.  An ingestion without destinations can be
        started.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion.
        """
        return self._set_state(params, "enabled")

    def stop_ingestion(self, params: Params) -> Result:
        """Set the ingestion ``disabled``; if it already is, succeed without any change.

        ``updatedAt`` moves only on a real change.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion.
        """
        return self._set_state(params, "disabled")

    def _set_state(self, params: Params, state: str) -> Result:
        bundle = self._bundle(params["appBundleIdentifier"])
        ingestion = self._ingestion(bundle, params["ingestionIdentifier"])
        # Starting an enabled (stopping a disabled) ingestion succeeds without change,
        # which keeps SDK retries safe.
        if ingestion.state != state:
            ingestion.state = state
            ingestion.updated_at = self._now()
        return {}

    def delete_ingestion(self, params: Params) -> Result:
        """Delete an ingestion that has no destinations left, enabled or not.

        Its slot of the ``ingestions`` quota is free again, and its app authorization can be
        deleted.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion.
            ConflictException: the ingestion still has destinations.
        """
        identifier = params["ingestionIdentifier"]
        bundle = self._bundle(params["appBundleIdentifier"])
        ingestion = self._ingestion(bundle, identifier)
        if ingestion.destinations:
            raise conflict(
                f"Ingestion {identifier} still has {len(ingestion.destinations)} destination(s); delete them first",
                identifier,
                INGESTION,
            )
        bundle.ingestions.remove(ingestion.id, ingestion.seq)
        return {}
