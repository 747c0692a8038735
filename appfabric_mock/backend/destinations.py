"""Ingestion destinations: S3 buckets or Firehose streams receiving audit logs."""

from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Tuple

from ..errors import ValidationException
from .base import BackendBase, Params, Result, conflict, tags_from
from .models import AppBundle, Ingestion, IngestionDestination
from .resources import INGESTION_DESTINATION, child_arn


def _delivery_target(configuration: Dict[str, Any]) -> Dict[str, Any]:
    """The bucket or stream a destination configuration delivers to."""
    return configuration.get("auditLog", {}).get("destination", {})


def _check_combination(processing: Dict[str, Any], configuration: Dict[str, Any]) -> None:
    # The console offers raw-json, ocsf-json and ocsf-parquet for S3, and only the
    # JSON formats for Firehose; the mock rejects the other combinations.
    audit = processing.get("auditLog", {})
    if audit.get("format") != "parquet":
        return
    name = "processingConfiguration.auditLog.format"
    if audit.get("schema") == "raw":
        reason = "the raw schema is delivered only as json"
    elif "firehoseStream" in _delivery_target(configuration):
        reason = "a Firehose stream receives only json"
    else:
        return
    raise ValidationException.for_fields(
        [(name, f"Value 'parquet' at '{name}' failed to satisfy constraint: {reason}")]
    )


class DestinationOperations(BackendBase):
    """Create, Get, List, Update and DeleteIngestionDestination."""

    def create_ingestion_destination(self, params: Params) -> Result:
        """Create an ``Active`` destination of the ingestion; the ingestion's state does not change.

        Buckets and streams are not checked for existence.  The checks run in this order:
        format, quota, duplicate.  A retry with the same ``clientToken`` and parameters returns
        the same destination in its current state and charges no quota.

        Raises:
            ValidationException: no such bundle, or no such ingestion in it (inferred: the model lists no
                ResourceNotFoundException here); ``format`` ``parquet`` with the ``raw`` schema or with a
                Firehose stream, ``processingConfiguration.auditLog.format`` in ``fieldList`` (inferred: the
                console offers no such combination); or a tag key starts with ``aws:`` (inferred).
            ServiceQuotaExceededException: the ingestion already has as many destinations as the
                ``ingestion_destinations`` quota allows (5 by default) (confirmed: quota and status;
                inferred: the message).
            ConflictException: another destination of the ingestion has the same bucket and prefix, or the
                same stream (invented).
            IdempotentParameterMismatch: the ``clientToken`` was used for this ingestion with other
                parameters (confirmed: the code).
        """
        bundle = self._bundle_precondition(params["appBundleIdentifier"])
        ingestion = self._ingestion_precondition(bundle, params["ingestionIdentifier"])
        processing = copy.deepcopy(params["processingConfiguration"])
        configuration = copy.deepcopy(params["destinationConfiguration"])
        _check_combination(processing, configuration)
        tags = tags_from(params)

        def create() -> Tuple[str, Result, Result]:
            destination_id = self._new_id()
            arn = child_arn(ingestion.arn, INGESTION_DESTINATION, destination_id)
            used = len(ingestion.destinations)
            self._check_quota("ingestion_destinations", used, arn, INGESTION_DESTINATION)
            self._check_unique_destination(ingestion, configuration, None)
            now = self._now()
            destination = IngestionDestination(
                id=destination_id,
                arn=arn,
                seq=self._next_seq(),
                ingestion_arn=ingestion.arn,
                processing_configuration=processing,
                destination_configuration=configuration,
                created_at=now,
                updated_at=now,
                tags=tags,
            )
            ingestion.destinations.add(destination_id, destination.seq, destination)
            self._track_delivery(bundle, ingestion)
            result = {"ingestionDestination": destination.describe()}
            return arn, result, result

        return self._idempotent("CreateIngestionDestination", ingestion.id, params, create,
                                lambda arn: self._describe_destination_arn(ingestion, arn))

    def _describe_destination_arn(self, ingestion: Ingestion, arn: str) -> Optional[Result]:
        found = ingestion.destinations.get(arn.rsplit("/", 1)[-1])
        return {"ingestionDestination": found.describe()} if found else None

    def _check_unique_destination(
        self, ingestion: Ingestion, configuration: Dict[str, Any], skip: Optional[str]
    ) -> None:
        target = _delivery_target(configuration)
        for other in ingestion.destinations:
            if other.id != skip and _delivery_target(other.destination_configuration) == target:
                raise conflict("The ingestion already delivers to this destination", other.arn,
                               INGESTION_DESTINATION)

    def _addressed_destination(self, params: Params) -> Tuple[AppBundle, Ingestion, IngestionDestination]:
        bundle = self._find_bundle(params["appBundleIdentifier"])
        ingestion = self._find_ingestion(bundle, params["ingestionIdentifier"])
        return bundle, ingestion, self._find_destination(ingestion, params["ingestionDestinationIdentifier"])

    def get_ingestion_destination(self, params: Params) -> Result:
        """The destination, with ``statusReason`` when it is ``Failed``.

        Raises:
            ResourceNotFoundException: no such bundle, ingestion or destination; a destination ARN of
                another ingestion is not found (confirmed: modelled).
        """
        return {"ingestionDestination": self._addressed_destination(params)[2].describe()}

    def list_ingestion_destinations(self, params: Params) -> Result:
        """Destination ARNs of the ingestion, in creation order, paginated.

        Raises:
            ResourceNotFoundException: no such bundle or ingestion (confirmed: modelled).
            ValidationException: ``nextToken`` is malformed, or was issued for another listing or ingestion
                (invented).
            InvalidToken: ``nextToken`` is more than 24 hours old by the mock's clock, HTTP 400 (confirmed:
                the model's documentation of ``nextToken``).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        ingestion = self._find_ingestion(bundle, params["ingestionIdentifier"])
        items, token = self._page("ListIngestionDestinations", ingestion.id, ingestion.destinations, params)
        return {"ingestionDestinations": [d.summary() for d in items], "nextToken": token}

    def update_ingestion_destination(self, params: Params) -> Result:
        """Replace the destination configuration (S3 or Firehose); the processing configuration stays.

        The destination becomes ``Active`` again (a ``Failed`` one loses its ``statusReason``)
        and ``updatedAt`` moves.  Updating a destination to its own configuration is fine.

        Raises:
            ResourceNotFoundException: no such bundle, ingestion or destination (confirmed: modelled).
            ValidationException: the new target does not take the destination's format: ``parquet`` to a
                Firehose stream (inferred).
            ConflictException: another destination of the ingestion already has this bucket and prefix, or
                this stream (invented).
        """
        _, ingestion, destination = self._addressed_destination(params)
        configuration = copy.deepcopy(params["destinationConfiguration"])
        _check_combination(destination.processing_configuration, configuration)
        self._check_unique_destination(ingestion, configuration, destination.id)
        destination.destination_configuration = configuration
        # An update re-validates delivery: a Failed destination becomes Active again.
        destination.status = "Active"
        destination.status_reason = None
        destination.updated_at = self._now()
        return {"ingestionDestination": destination.describe()}

    def delete_ingestion_destination(self, params: Params) -> Result:
        """Delete the destination; an enabled ingestion left without any is disabled at once.

        The ingestion's ``updatedAt`` then moves; it can be started again.  A disabled ingestion
        stays as it is.

        Raises:
            ResourceNotFoundException: no such bundle, ingestion or destination (confirmed: modelled).
        """
        bundle, ingestion, destination = self._addressed_destination(params)
        ingestion.destinations.remove(destination.id, destination.seq)
        # AWS: an enabled ingestion whose last destination goes fails and is disabled.
        if not ingestion.destinations and ingestion.state == "enabled":
            ingestion.state = "disabled"
            ingestion.updated_at = self._now()
        self._track_delivery(bundle, ingestion)
        return {}
