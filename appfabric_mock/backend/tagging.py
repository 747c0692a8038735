"""Tags on app bundles, app authorizations, ingestions and ingestion destinations."""

from __future__ import annotations

from typing import Union

from ..errors import ValidationException
from . import arns
from .base import BackendBase, Params, Result, _not_found
from .models import AppAuthorization, AppBundle, Ingestion, IngestionDestination, tag_list

MAX_TAGS = 50

Taggable = Union[AppBundle, AppAuthorization, Ingestion, IngestionDestination]

_TYPES = {
    "appbundle": "AppBundle",
    "appauthorization": "AppAuthorization",
    "ingestion": "Ingestion",
    "ingestiondestination": "IngestionDestination",
}


class TagOperations(BackendBase):
    """TagResource, UntagResource and ListTagsForResource on all four resource types."""

    def _taggable(self, arn: str) -> Taggable:
        parsed = arns.parse_arn(arn)
        if parsed is None:
            # An ARN (it passed the model's `arn:.+` pattern) that is not AppFabric's.
            raise ValidationException.for_fields(
                [("resourceArn", f"Value '{arn[:128]}' at 'resourceArn' failed to satisfy constraint: "
                  "Member must be the ARN of an AppFabric resource")]
            )
        resource_type = _TYPES[parsed.kind]
        if parsed.region != self.region or parsed.account != self.account_id:
            raise _not_found(arn, resource_type)
        bundle = self.bundles.get(parsed.bundle_id)
        if bundle is None:
            raise _not_found(arn, resource_type)
        if parsed.kind == "appbundle":
            return bundle
        if parsed.kind == "appauthorization":
            return self._authorization(bundle, arn)
        ingestion = bundle.ingestions.get(parsed.child_id or "")
        if ingestion is None:
            raise _not_found(arn, resource_type)
        if parsed.kind == "ingestion":
            return ingestion
        return self._destination(ingestion, arn)

    def tag_resource(self, params: Params) -> Result:
        """Add tags to an app bundle, authorization, ingestion or destination, named by ARN.

        A key the resource already has gets the new value and keeps its place.  Nothing is
        applied when the request fails.

        Raises:
            ResourceNotFoundException: no such resource in the caller's account and region.
            ValidationException: the ARN is not an AppFabric resource's, or the resource would
                have more than 50 tags.
        """
        resource = self._taggable(params["resourceArn"])
        merged = dict(resource.tags)
        for tag in params["tags"]:
            merged[tag["key"]] = tag.get("value", "")
        if len(merged) > MAX_TAGS:
            raise ValidationException.for_fields(
                [("tags", f"Value at 'tags' failed to satisfy constraint: a resource can have at most "
                  f"{MAX_TAGS} tags, this request would give it {len(merged)}")]
            )
        resource.tags = merged
        return {}

    def untag_resource(self, params: Params) -> Result:
        """Remove tags by key; a key the resource does not have is ignored.

        Raises:
            ResourceNotFoundException: no such resource in the caller's account and region.
            ValidationException: the ARN is not an AppFabric resource's; or ``tagKeys`` is
                empty (botocore leaves an empty list out of the query string, so the required
                member is missing).
        """
        resource = self._taggable(params["resourceArn"])
        for key in params["tagKeys"]:
            resource.tags.pop(key, None)
        return {}

    def list_tags_for_resource(self, params: Params) -> Result:
        """The tags of the resource, in the order their keys were added (a new value keeps the place).

        Raises:
            ResourceNotFoundException: no such resource in the caller's account and region.
            ValidationException: the ARN is not an AppFabric resource's.
        """
        return {"tags": tag_list(self._taggable(params["resourceArn"]).tags)}
