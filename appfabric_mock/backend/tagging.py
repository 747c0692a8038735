"""Tags on app bundles, app authorizations, ingestions and ingestion destinations."""

from __future__ import annotations

from ..errors import ValidationException
from . import resources
from .base import BackendBase, Params, Result, check_tag_keys, not_found
from .models import tag_list

MAX_TAGS = 50


class TagOperations(BackendBase):
    """TagResource, UntagResource and ListTagsForResource on all four resource types."""

    def _taggable(self, arn: str) -> "resources.Resource":
        parsed = resources.parse_arn(arn)
        if parsed is None:
            # An ARN (it passed the model's `arn:.+` pattern) that is not AppFabric's.
            raise ValidationException.for_fields(
                [("resourceArn", f"Value '{arn[:128]}' at 'resourceArn' failed to satisfy constraint: "
                  "Member must be the ARN of an AppFabric resource")]
            )
        found = resources.locate(self.bundles, parsed) if parsed.names_scope(self.account_id, self.region) else None
        if found is None:
            raise not_found(arn, parsed.resource_type)
        return found

    def tag_resource(self, params: Params) -> Result:
        """Add tags to an app bundle, authorization, ingestion or destination, named by ARN.

        A key the resource already has gets the new value and keeps its place.  Nothing is
        applied when the request fails.  Keys starting with ``aws:`` (in any case) are
        reserved for AWS, as in AWS's general tagging rules.

        Raises:
            ResourceNotFoundException: no such resource in the caller's account and region (confirmed:
                modelled).
            ValidationException: the ARN is not an AppFabric resource's (inferred); a key starts with
                ``aws:``, ``tags.N.member.key`` in ``fieldList`` (inferred: AWS's general tagging rules); or
                the resource would have more than 50 tags (inferred: AWS's usual tag limit).
        """
        resource = self._taggable(params["resourceArn"])
        check_tag_keys([tag["key"] for tag in params["tags"]], "tags")
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
            ResourceNotFoundException: no such resource in the caller's account and region (confirmed:
                modelled).
            ValidationException: the ARN is not an AppFabric resource's (inferred); a key starts with
                ``aws:``, ``tagKeys.N.member`` in ``fieldList`` (inferred: AWS's tags cannot be removed); or
                ``tagKeys`` is empty, as botocore leaves an empty list out of the query string and the
                required member is missing (confirmed: required in the model).
        """
        resource = self._taggable(params["resourceArn"])
        check_tag_keys(list(params["tagKeys"]), "tagKeys")
        for key in params["tagKeys"]:
            resource.tags.pop(key, None)
        return {}

    def list_tags_for_resource(self, params: Params) -> Result:
        """The tags of the resource, in the order their keys were added (a new value keeps the place).

        A resource without tags is answered without the (optional) ``tags`` member: AWS's
        answer is not documented, and code that reads ``response["tags"]`` unguarded should
        fail here rather than on AWS.

        Raises:
            ResourceNotFoundException: no such resource in the caller's account and region (confirmed:
                modelled).
            ValidationException: the ARN is not an AppFabric resource's (inferred).
        """
        tags = self._taggable(params["resourceArn"]).tags
        return {"tags": tag_list(tags)} if tags else {}
