"""The S3 object keys AppFabric writes.

``<prefix>/AWSAppFabric/AuditLog/<OCSF|RAW>/<JSON|PARQUET>/<APP>/<bundle id>/<ingestion id>/<yyyymmdd>/``
``AuditLog-<epoch ms>-<uuid>`` (one key, cut in two here).

Evidence (see ``docs/guides/data-plane.rst``):

* the fixed ``AWSAppFabric/`` part: AppFabric's service-linked role may write only
  ``arn:aws:s3:::*/AWSAppFabric/*`` (AWS managed policy AWSAppFabricServiceRolePolicy);
* the whole shape, with an example key of a real delivery
  (``AWSAppFabric/AuditLog/OCSF/JSON/JIRA/<uuid>/<uuid>/20231123/AuditLog-1700743707323-<uuid>``):
  dynatrace-oss/dynatrace-aws-s3-log-forwarder, ``src/log/processing/rules/aws/appfabric.yaml``;
* the prefix in front, joined by ``/``: keys such as ``raw/AWSAppFabric/AuditLog/RAW/JSON/ONELOGIN/``
  for a destination whose prefix is ``raw/`` (public consumer scripts);
* which ids the two UUIDs are is not documented: the mock writes the app bundle id, then the
  ingestion id (inferred: both are fixed for an ingestion, as the two segments are).
"""

from __future__ import annotations

import datetime as _dt
from typing import Optional

ROOT = "AWSAppFabric/AuditLog"


def object_key(
    prefix: Optional[str],
    schema: str,
    fmt: str,
    app: str,
    bundle_id: str,
    ingestion_id: str,
    delivered_at: _dt.datetime,
    object_uuid: str,
) -> str:
    """The key of one delivered object (``delivered_at`` is timezone-aware UTC)."""
    epoch_ms = int(delivered_at.timestamp() * 1000)
    day = delivered_at.astimezone(_dt.timezone.utc).strftime("%Y%m%d")
    key = (f"{ROOT}/{schema.upper()}/{fmt.upper()}/{app}/{bundle_id}/{ingestion_id}/{day}/"
           f"AuditLog-{epoch_ms}-{object_uuid}")
    prefix = (prefix or "").strip("/")
    return f"{prefix}/{key}" if prefix else key
