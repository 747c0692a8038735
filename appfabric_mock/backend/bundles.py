"""App bundles: CreateAppBundle, GetAppBundle, ListAppBundles, DeleteAppBundle."""

from __future__ import annotations

from typing import Optional, Tuple

from . import resources
from .base import BackendBase, Params, Result, conflict, tags_from
from .models import AppBundle
from .resources import APP_BUNDLE


class BundleOperations(BackendBase):
    """CreateAppBundle, GetAppBundle, ListAppBundles and DeleteAppBundle.

    The docstring of each operation method is its row in the documentation's table of
    supported operations (docs/_ext/operations_table.py): the text before ``Raises:`` is
    the behaviour, each ``Raises:`` entry an error code and when it is answered.
    """

    def create_app_bundle(self, params: Params) -> Result:
        """Create an app bundle in the caller's account and region, with the tags given.

        A ``customerManagedKeyIdentifier`` that is a key id or ``alias/...`` is answered as a
        KMS key ARN in the bundle's region and account; an ARN is kept as sent.  A retry with
        the same ``clientToken`` and parameters returns the same bundle and charges no quota.

        Raises:
            ValidationException: a tag key starts with ``aws:`` (inferred: AWS's general tagging rules).
            ServiceQuotaExceededException: the account already has as many app bundles in this region as the
                ``app_bundles`` quota allows (1 by default), with AWS's message "You have exceeded the
                maximum number of app bundles per account, per AWS Region." (confirmed: quota, HTTP 402 and
                message).
            IdempotentParameterMismatch: the ``clientToken`` was used with other parameters (confirmed: the
                code, in the API reference; invented: HTTP 400 and the message).
        """
        tags = tags_from(params)

        def create() -> Tuple[str, Result, Result]:
            bundle_id = self._new_id()
            arn = self._bundle_arn(bundle_id)
            self._check_quota("app_bundles", len(self.bundles), arn, APP_BUNDLE)
            bundle = AppBundle(
                id=bundle_id,
                arn=arn,
                seq=self._next_seq(),
                created_at=self._now(),
                customer_managed_key_arn=self._key_arn(params.get("customerManagedKeyIdentifier")),
                tags=tags,
            )
            self.bundles.add(bundle_id, bundle.seq, bundle)
            result = {"appBundle": bundle.describe()}
            return arn, result, result

        return self._idempotent("CreateAppBundle", "", params, create, self._describe_bundle)

    def _describe_bundle(self, arn: str) -> Optional[Result]:
        parsed = resources.parse_arn(arn)
        bundle = self.bundles.get(parsed.bundle_id) if parsed else None
        return {"appBundle": bundle.describe()} if bundle else None

    def _key_arn(self, key: Optional[str]) -> Optional[str]:
        # The console takes a key id or an ARN; the API answers with an ARN.
        if not key or key.startswith("arn:"):
            return key
        if key.startswith("alias/"):
            return f"arn:{resources.partition_for(self.region)}:kms:{self.region}:{self.account_id}:{key}"
        return f"arn:{resources.partition_for(self.region)}:kms:{self.region}:{self.account_id}:key/{key}"

    def get_app_bundle(self, params: Params) -> Result:
        """The app bundle, named by ARN or UUID.

        Raises:
            ResourceNotFoundException: no such bundle in the caller's account and region, an ARN of another
                account or region included (confirmed: modelled).
        """
        return {"appBundle": self._find_bundle(params["appBundleIdentifier"]).describe()}

    def list_app_bundles(self, params: Params) -> Result:
        """The ARNs of the account's app bundles in this region, in creation order, paginated.

        Raises:
            ValidationException: ``nextToken`` is malformed, or was issued for another listing, account or
                region (invented: AWS documents nothing for these).
            InvalidToken: ``nextToken`` is more than 24 hours old by the mock's clock, HTTP 400 (confirmed:
                the model's documentation of ``nextToken``).
        """
        items, token = self._page("ListAppBundles", "", self.bundles, params)
        return {"appBundleSummaryList": [b.summary() for b in items], "nextToken": token}

    def delete_app_bundle(self, params: Params) -> Result:
        """Delete an empty app bundle; its slot of the ``app_bundles`` quota is free again.

        The model lists no ResourceNotFoundException for this operation (Terraform's delete
        checks for one, but the AWS SDK for Go, which Terraform uses, only decodes the
        errors an operation models, so that check cannot fire): a bundle that does not exist
        is a ValidationException.

        Raises:
            ValidationException: no such bundle in the caller's account and region (inferred: the model
                lists no ResourceNotFoundException here).
            ConflictException: the bundle still has app authorizations or ingestions (inferred: AWS
                documents the order; Conflict is the operation's only modelled state error).
        """
        identifier = params["appBundleIdentifier"]
        bundle = self._bundle_precondition(identifier)
        if bundle.authorizations or bundle.ingestions:
            raise conflict(
                f"App bundle {identifier} still has {len(bundle.authorizations)} app authorization(s) "
                f"and {len(bundle.ingestions)} ingestion(s); delete them first",
                identifier,
                APP_BUNDLE,
            )
        self.bundles.remove(bundle.id, bundle.seq)
        return {}
