"""The mock's state as plain data: for assertions, debugging and the server's control API.

Timestamps are ``datetime`` objects with the value a client receives (UTC, whole
milliseconds, as AppFabric sends them), so they compare equal to what boto3 returns;
the JSON form (``json=True``, the control API's) has AWS's ISO-8601 strings instead.

Nothing sensitive is in it: credentials are never stored, e-mail addresses and
user names are left out, and the configurations a client sent are copied
through :mod:`~appfabric_mock.protocol.redaction` (so a snapshot shares nothing
with the state either).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Dict, List

from ._model import service_model
from .backend.models import AppBundle
from .protocol.redaction import Redactor, redactor
from .protocol.serialization import iso8601
from .state import MockState


def _configuration_copiers() -> "tuple[Redactor, Redactor]":
    """(processing, destination) configuration redactors, from the IngestionDestination shape."""
    members = service_model().shape_for("IngestionDestination").members  # type: ignore[attr-defined]
    return redactor(members["processingConfiguration"]), redactor(members["destinationConfiguration"])


#: A timestamp as a client receives it.
Timestamp = Callable[[_dt.datetime], Any]


def as_received(value: _dt.datetime) -> _dt.datetime:
    """``value`` as boto3 reads it from the mock's answer: UTC, truncated to milliseconds (see ``iso8601``)."""
    value = value.astimezone(_dt.timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _bundle(bundle: AppBundle, time: Timestamp) -> Dict[str, Any]:
    processing, destination = _configuration_copiers()
    return {
        "arn": bundle.arn,
        "customerManagedKeyArn": bundle.customer_managed_key_arn,
        "createdAt": time(bundle.created_at),
        "tags": dict(bundle.tags),
        "appAuthorizations": [
            {
                "arn": a.arn,
                "app": a.app,
                "tenantIdentifier": a.tenant_identifier,
                "tenantDisplayName": a.tenant_display_name,
                "authType": a.auth_type,
                "status": a.status,
                "persona": a.persona,
                "createdAt": time(a.created_at),
                "updatedAt": time(a.updated_at),
                "tags": dict(a.tags),
            }
            for a in bundle.authorizations
        ],
        "ingestions": [
            {
                "arn": i.arn,
                "app": i.app,
                "tenantId": i.tenant_id,
                "ingestionType": i.ingestion_type,
                "state": i.state,
                "createdAt": time(i.created_at),
                "updatedAt": time(i.updated_at),
                "tags": dict(i.tags),
                "destinations": [
                    {
                        "arn": d.arn,
                        "processingConfiguration": processing(d.processing_configuration),
                        "destinationConfiguration": destination(d.destination_configuration),
                        "status": d.status,
                        "statusReason": d.status_reason,
                        "createdAt": time(d.created_at),
                        "updatedAt": time(d.updated_at),
                        "tags": dict(d.tags),
                    }
                    for d in i.destinations
                ],
            }
            for i in bundle.ingestions
        ],
    }


def snapshot(state: MockState, json: bool = False) -> Dict[str, Any]:
    """``{"accounts": {account: {region: {"appBundles": [...], "userAccessTasks": [...]}}}}``.

    An account and region appear once they hold a resource: a request that only
    looked (and failed) leaves no trace.  Timestamps are datetimes, or ISO-8601 strings
    with ``json=True``.
    """
    time: Timestamp = iso8601 if json else as_received
    accounts: Dict[str, Dict[str, Any]] = {}
    for (account, region), backend in state.store.items():
        with backend.lock:
            if not backend.bundles and not backend.tasks:
                continue
            accounts.setdefault(account, {})[region] = {
                "appBundles": [_bundle(b, time) for b in backend.bundles],
                "userAccessTasks": [
                    {"taskId": t.id, "app": t.app, "tenantId": t.tenant_id, "resultStatus": t.result_status}
                    for t in backend.tasks.values()
                ],
            }
    return {"defaultAccountId": state.default_account_id, "accounts": accounts}


def flat_resources(state: MockState, json: bool = False) -> List[Dict[str, Any]]:
    """Every resource with a ``type`` key, bundles first, then their children (timestamps as in :func:`snapshot`)."""
    out: List[Dict[str, Any]] = []
    for regions in snapshot(state, json)["accounts"].values():
        for region_state in regions.values():
            for bundle in region_state["appBundles"]:
                out.append({"type": "AppBundle", **{k: v for k, v in bundle.items()
                                                    if k not in ("appAuthorizations", "ingestions")}})
                out.extend({"type": "AppAuthorization", **a} for a in bundle["appAuthorizations"])
                for ingestion in bundle["ingestions"]:
                    out.append({"type": "Ingestion", **{k: v for k, v in ingestion.items() if k != "destinations"}})
                    out.extend({"type": "IngestionDestination", **d} for d in ingestion["destinations"])
    return out
