"""One account's AppFabric in one region: every operation, by its snake_case name."""

from __future__ import annotations

from .authorizations import AuthorizationOperations
from .bundles import BundleOperations
from .destinations import DestinationOperations
from .ingestions import IngestionOperations
from .tagging import TagOperations
from .user_access import UserAccessOperations


class AppFabricBackend(
    BundleOperations,
    AuthorizationOperations,
    IngestionOperations,
    DestinationOperations,
    UserAccessOperations,
    TagOperations,
):
    """The domain model of AppFabric for one (account, region).

    Each operation takes the request parameters (model member names) and
    returns the output (model member names), raising the modelled errors of
    :mod:`appfabric_mock.errors`.  Callers hold :attr:`lock` around a call.
    """

    def __repr__(self) -> str:
        return (
            f"<AppFabricBackend account={self.account_id} region={self.region} "
            f"bundles={len(self.bundles)}>"
        )
