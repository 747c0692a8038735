"""Test controls on the mock handle: reach states that are hard to reach against AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .identity import DEFAULT_REGION

if TYPE_CHECKING:
    from .backend.backend import AppFabricBackend
    from .backend.models import AppAuthorization, IngestionDestination
    from .backend.support import Clock
    from .state import MockState


class Controls:
    """Mixin of :class:`~appfabric_mock.AppFabricMock`: everything a test can steer."""

    @property
    def state(self) -> "MockState":
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------
    @property
    def clock(self) -> "Clock":
        """The clock every timestamp comes from (freeze, set, advance)."""
        return self.state.settings.clock

    def backend(self, account_id: Optional[str] = None, region: str = DEFAULT_REGION) -> "AppFabricBackend":
        """The backend of an account (default: the mock's default account) and region."""
        state = self.state
        return state.store.backend(account_id or state.default_account_id, region)

    def reset(self) -> None:
        """Forget every resource in every account and region."""
        self.state.reset()

    # -- app authorizations -----------------------------------------------------------
    def _authorization(self, arn: str) -> Tuple["AppFabricBackend", "AppAuthorization"]:
        from .backend import arns

        parsed = arns.parse_arn(arn)
        if parsed is None or parsed.kind != "appauthorization":
            raise ValueError(f"not an app authorization ARN: {arn}")
        backend = self.state.store.backend(parsed.account, parsed.region)
        bundle = backend.bundles.get(parsed.bundle_id)
        auth = bundle.authorizations.get(parsed.child_id or "") if bundle else None
        if auth is None:
            raise KeyError(f"no app authorization {arn}")
        return backend, auth

    def set_authorization_status(self, arn: str, status: str) -> None:
        """Force an app authorization into any status (e.g. ``TokenAutoRotationFailed``)."""
        from .backend.authorizations import STATUSES

        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        backend, auth = self._authorization(arn)
        with backend.lock:
            if auth.status != status:
                auth.status = status
                auth.updated_at = backend.settings.clock.now()

    def fail_next_connect(self, arn: str, message: str = "The credentials could not be validated") -> None:
        """Make the next ConnectAppAuthorization of ``arn`` fail (ConnectionValidationFailed)."""
        backend, auth = self._authorization(arn)
        with backend.lock:
            auth.connect_failure = message

    # -- ingestion destinations -------------------------------------------------------
    def _destination(self, arn: str) -> Tuple["AppFabricBackend", "IngestionDestination"]:
        from .backend import arns

        parsed = arns.parse_arn(arn)
        if parsed is None or parsed.kind != "ingestiondestination":
            raise ValueError(f"not an ingestion destination ARN: {arn}")
        backend = self.state.store.backend(parsed.account, parsed.region)
        bundle = backend.bundles.get(parsed.bundle_id)
        ingestion = bundle.ingestions.get(parsed.child_id or "") if bundle else None
        destination = ingestion.destinations.get(parsed.destination_id or "") if ingestion else None
        if destination is None:
            raise KeyError(f"no ingestion destination {arn}")
        return backend, destination

    def set_destination_failed(self, arn: str, reason: str = "The destination is not accepting logs") -> None:
        """Mark a destination ``Failed`` with a ``statusReason`` (as when delivery fails)."""
        backend, destination = self._destination(arn)
        with backend.lock:
            destination.status = "Failed"
            destination.status_reason = reason
            destination.updated_at = backend.settings.clock.now()

    # -- user access ------------------------------------------------------------------
    def add_app_user(
        self,
        *,
        app: str,
        tenant_id: str,
        email: str,
        user_id: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        status: Optional[str] = "Active",
    ) -> None:
        """Register a user of ``app`` in ``tenant_id``: user access tasks will find them."""
        from .backend.models import AppUser

        user = AppUser(app, tenant_id, email, user_id, first_name, last_name, status)
        settings = self.state.settings
        with settings.lock:
            settings.app_users[(app, tenant_id, email.lower())] = user

    # -- snapshots --------------------------------------------------------------------
    def snapshot(self) -> Dict[str, Any]:
        """The whole state as plain JSON-ready data (no credential is ever kept)."""
        from .snapshot import snapshot

        return snapshot(self.state)

    def resources(self) -> List[Dict[str, Any]]:  # convenience for asserts
        """Every resource of every account and region, flat, in creation order."""
        from .snapshot import flat_resources

        return flat_resources(self.state)
