"""The data plane: ingestions deliver audit logs where AppFabric would put them.

AppFabric pulls each ingestion's audit events from the SaaS application,
normalises them (OCSF) or keeps them as the application wrote them (raw), and
delivers them, as JSON lines or Parquet, to an S3 bucket or a Firehose stream.
This package does the same for the mock, in plain Python (no HTTP):

* :mod:`.catalog`: which events each application writes (event codes, OCSF classes).
* :mod:`.generator`: activities drawn from the registered users, with a seed.
* :mod:`.ocsf` and :mod:`.raw`: an activity as an OCSF 1.1.0 event, or as the
  application's own audit-log entry.
* :mod:`.layout`: the S3 object keys AppFabric writes.
* :mod:`.formats`: JSON lines and Parquet (``pyarrow``, the ``parquet`` extra).
* :mod:`.sinks`: where bytes go: in memory (default), any S3/Firehose that boto3
  reaches (moto, or an endpoint you name), a local directory.
* :mod:`.plane`: the schedule, the rules (enabled ingestion, ``Active``
  destination, ``Connected`` authorization) and the record of deliveries.

Nothing here is imported by ``import appfabric_mock``; the plane's hook is
created with a mock's state and imports the rest on the first delivery.
"""
