"""App bundles: CreateAppBundle, GetAppBundle, ListAppBundles, DeleteAppBundle."""

from __future__ import annotations

from typing import Optional

from . import arns
from .base import APP_BUNDLE, BackendBase, Params, Result, conflict, tags_from
from .models import AppBundle


class BundleOperations(BackendBase):
    def create_app_bundle(self, params: Params) -> Result:
        def create() -> "tuple[str, Result]":
            bundle_id = self._new_id()
            arn = self._bundle_arn(bundle_id)
            self._check_quota("app_bundles", len(self.bundles), arn, APP_BUNDLE)
            bundle = AppBundle(
                id=bundle_id,
                arn=arn,
                seq=self._next_seq(),
                created_at=self._now(),
                customer_managed_key_arn=self._key_arn(params.get("customerManagedKeyIdentifier")),
                tags=tags_from(params),
            )
            self.bundles.add(bundle_id, bundle.seq, bundle)
            return arn, {"appBundle": bundle.describe()}

        return self._idempotent("CreateAppBundle", "", params, create, self._describe_bundle)

    def _describe_bundle(self, arn: str) -> Optional[Result]:
        parsed = arns.parse_arn(arn)
        bundle = self.bundles.get(parsed.bundle_id) if parsed else None
        return {"appBundle": bundle.describe()} if bundle else None

    def _key_arn(self, key: Optional[str]) -> Optional[str]:
        # The console takes a key id or an ARN; the API answers with an ARN.
        if not key or key.startswith("arn:"):
            return key
        if key.startswith("alias/"):
            return f"arn:{arns.partition_for(self.region)}:kms:{self.region}:{self.account_id}:{key}"
        return f"arn:{arns.partition_for(self.region)}:kms:{self.region}:{self.account_id}:key/{key}"

    def get_app_bundle(self, params: Params) -> Result:
        return {"appBundle": self._bundle(params["appBundleIdentifier"]).describe()}

    def list_app_bundles(self, params: Params) -> Result:
        items, token = self._page("ListAppBundles", "", self.bundles, params)
        return {"appBundleSummaryList": [b.summary() for b in items], "nextToken": token}

    def delete_app_bundle(self, params: Params) -> Result:
        identifier = params["appBundleIdentifier"]
        bundle = self._bundle(identifier)
        if bundle.authorizations or bundle.ingestions:
            raise conflict(
                f"App bundle {identifier} still has {len(bundle.authorizations)} app authorization(s) "
                f"and {len(bundle.ingestions)} ingestion(s); delete them first",
                identifier,
                APP_BUNDLE,
            )
        self.bundles.remove(bundle.id, bundle.seq)
        return {}
