"""What is delivered: OCSF 1.1.0 events valid against the schema, raw entries, keys, formats."""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
from typing import Any, Dict, List

import pytest
from _delivery import HALF_HOUR, START, START_MS, client, connected_ingestion, firehose_destination, s3_destination

from appfabric_mock import mock_appfabric
from appfabric_mock.backend.apps import KNOWN_APPS
from appfabric_mock.delivery import catalog, generator, ocsf, raw
from appfabric_mock.delivery.formats import json_lines

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
APPS = sorted(KNOWN_APPS)
CLASS_NAMES = {3001: "account_change", 3002: "authentication", 3005: "user_access", 3006: "group_management",
               6001: "web_resources_activity", 6003: "api_activity"}


def _events(app: str, count: int = 400, seed: int = 7) -> List[Dict[str, Any]]:
    profile = catalog.profile(app, app.title())
    made = generator.activities(profile.kinds, generator.actors(app, []), count, 1_717_230_000_000,
                                1_717_231_800_000, random.Random(seed))
    return [ocsf.render(activity, app, profile, "tenant-1", 1_717_231_800_000) for activity in made]


@pytest.fixture(scope="module")
def ocsf_validators() -> Dict[int, Any]:
    # ocsf-json-schema ships the OCSF schema exports (1.1.0 among them) and builds each class's
    # JSON Schema (required attributes, enums, types, no unknown attributes); jsonschema checks.
    schema_package = pytest.importorskip(
        "ocsf_json_schema", reason="ocsf-json-schema needs Python 3.10+ (the test extra installs it there)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = schema_package.OcsfJsonSchemaEmbedded(schema_package.get_ocsf_schema(version=ocsf.OCSF_VERSION))
    return {uid: jsonschema.Draft202012Validator(schema.get_class_schema(name, []))
            for uid, name in CLASS_NAMES.items()}


@pytest.mark.parametrize("app", APPS + ["EXTRAAPP"])
def test_generated_events_are_valid_ocsf_1_1_0(app: str, ocsf_validators: Dict[int, Any]) -> None:
    events = _events(app)
    classes = set()
    for event in events:
        validator = ocsf_validators[event["class_uid"]]
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(event)]
        assert problems == [], (app, event["metadata"]["event_code"], problems)
        classes.add(event["class_uid"])
    expected = {catalog.OCSF_CLASSES[k.kind].class_uid for k in catalog.profile(app, app).kinds}
    assert classes == expected  # every class the app's catalog names shows up


def test_the_validator_rejects_a_broken_event(ocsf_validators: Dict[int, Any]) -> None:
    event = _events("OKTA", 1)[0]
    broken = dict(event, severity_id=42, made_up_attribute=1)
    assert len(list(ocsf_validators[event["class_uid"]].iter_errors(broken))) >= 2


@pytest.mark.parametrize("app", APPS)
def test_the_fast_json_path_writes_the_same_bytes_as_the_dicts(app: str) -> None:
    profile = catalog.profile(app, app)
    made = generator.activities(profile.kinds, generator.actors(app, []), 300, 0, 1_800_000, random.Random(3))
    for tenant in ('odd "tenant" 100% é {0} %s @@', "nul\x00tenant"):
        fast = ocsf.json_lines(made, app, profile, tenant, 99)
        plain = json_lines([ocsf.render(a, app, profile, tenant, 99) for a in made]).decode().splitlines()
        assert fast == plain


def test_events_name_the_app_the_tenant_and_registered_users() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api, app="SLACK", tenant="acme.slack.com")
        s3_destination(api, ingestion)
        m.add_app_user(app="SLACK", tenant_id="acme.slack.com", email="ana@acme.com", user_id="U0ANA",
                       first_name="Ana", last_name="Silva")
        m.add_app_user(app="SLACK", tenant_id="acme.slack.com", email="bo@acme.com", first_name="Bo")
        m.add_app_user(app="SLACK", tenant_id="other", email="stranger@acme.com")
        m.deliver_audit_logs(ingestion["arn"], count=200)

        events = m.delivered_events()
        assert {e["metadata"]["product"]["name"] for e in events} == {"Slack"}
        assert {e["metadata"]["product"]["uid"] for e in events} == {"slack"}
        assert {e["metadata"]["tenant_uid"] for e in events} == {"acme.slack.com"}
        actors = {(e["actor"]["user"]["email_addr"], e["actor"]["user"]["uid"], e["actor"]["user"]["name"])
                  for e in events if "actor" in e}
        assert {a[0] for a in actors} == {"ana@acme.com", "bo@acme.com"}
        assert ("ana@acme.com", "U0ANA", "Ana Silva") in actors
        assert {e["metadata"]["version"] for e in events} == {"1.1.0"}


def test_the_seed_makes_deliveries_reproducible() -> None:
    def run(seed: int) -> List[bytes]:
        with mock_appfabric(seed=seed, now=START) as m:
            api = client()
            s3_destination(api, connected_ingestion(api))
            m.clock.advance(2 * HALF_HOUR)
            return [m.delivery_sink.get_object(d.bucket, d.key) + d.key.encode() for d in m.deliveries]

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_no_secret_reaches_a_delivery() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        for app in ("OKTA", "TERRAFORMCLOUD"):
            ingestion = connected_ingestion(api, app=app, tenant=f"{app.lower()}-tenant",
                                            bundle=api.list_app_bundles()["appBundleSummaryList"][0]["arn"]
                                            if app != "OKTA" else None)
            s3_destination(api, ingestion, bucket=app.lower())
            s3_destination(api, ingestion, bucket=app.lower() + "-raw", schema="raw")
            firehose_destination(api, ingestion, stream=app.lower())
        m.clock.advance(HALF_HOUR)
        store = m.delivery_sink.store
        blobs = [body for objects in store.objects.values() for body in objects.values()]
        blobs += [record.data for records in store.records.values() for record in records]
        assert len(blobs) == 2 * 2 + 2 * 10
        assert not any(b"SECRET" in blob for blob in blobs)


RAW_KEYS = {
    "OKTA": {"uuid", "published", "eventType", "actor", "client", "outcome", "target"},
    "SLACK": {"id", "date_create", "action", "actor", "entity", "context"},
    "M365": {"CreationTime", "Id", "Operation", "OrganizationId", "RecordType", "UserId", "Workload"},
    "M365AUDITLOGS": {"CreationTime", "Id", "Operation", "OrganizationId", "RecordType", "UserId", "Workload"},
    "GOOGLE": {"kind", "id", "actor", "ipAddress", "events"},
    "ZOOM": {"time"},
    "JIRA": {"id", "summary", "created", "category", "objectItem", "authorAccountId"},
    "DROPBOX": {"timestamp", "event_category", "actor", "event_type", "details"},
    "ASANA": {"gid", "created_at", "event_type", "actor", "resource", "context"},
    "ZENDESK": {"id", "action", "actor_id", "source_type", "created_at"},
    "SMARTSHEET": {"eventId", "objectType", "action", "eventTimestamp", "userId"},
    "CISCO": {"action", "isotimestamp", "object", "timestamp", "username"},
    "TERRAFORMCLOUD": {"id", "type", "timestamp", "auth", "resource"},
}


@pytest.mark.parametrize("app", APPS)
def test_a_raw_destination_gets_the_apps_own_entries(app: str) -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api, app=app, tenant=f"{app.lower()}.example.com")
        s3_destination(api, ingestion, schema="raw")
        m.deliver_audit_logs(ingestion["arn"], count=50)

        events = m.delivered_events()
        assert len(events) == 50
        for event in events:
            assert RAW_KEYS[app] <= set(event), event
            assert "class_uid" not in event and "metadata" not in event


def test_raw_entries_carry_the_apps_event_codes() -> None:
    profile = catalog.profile("OKTA", "Okta")
    made = generator.activities(profile.kinds, generator.actors("OKTA", []), 100, 0, 1_800_000, random.Random(1))
    codes = {raw.render(a, "OKTA", "t")["eventType"] for a in made}
    assert codes <= {k.code for k in profile.kinds} and "user.session.start" in codes


KEY = re.compile(
    rf"^(?P<prefix>.*?)AWSAppFabric/AuditLog/(?P<schema>OCSF|RAW)/(?P<format>JSON|PARQUET)/(?P<app>[A-Z0-9]+)/"
    rf"(?P<bundle>{UUID})/(?P<ingestion>{UUID})/(?P<day>\d{{8}})/AuditLog-(?P<ms>\d{{13}})-{UUID}$"
)


@pytest.mark.parametrize(("prefix", "expected"), [(None, ""), ("okta/", "okta/"), ("okta", "okta/"),
                                                  ("logs/okta/", "logs/okta/")])
def test_s3_keys_follow_appfabrics_layout(prefix: Any, expected: str) -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, prefix=prefix, fmt="json")
        m.clock.advance(HALF_HOUR)

        [delivery] = m.deliveries
        match = KEY.match(delivery.key or "")
        assert match, delivery.key
        assert match["prefix"] == expected
        assert (match["schema"], match["format"], match["app"]) == ("OCSF", "JSON", "OKTA")
        assert match["bundle"] == ingestion["appBundleArn"].rsplit("/", 1)[1]
        assert match["ingestion"] == ingestion["arn"].rsplit("/", 1)[1]
        assert (match["day"], match["ms"]) == ("20240601", "1717234200000")


def test_firehose_gets_one_record_per_event() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        firehose_destination(api, ingestion, stream="okta-stream")
        [delivery] = m.deliver_audit_logs(ingestion["arn"], count=7)

        records = m.delivery_sink.get_records("okta-stream")
        assert [r.record_id for r in records] == delivery.record_ids and len(set(delivery.record_ids)) == 7
        for record in records:
            assert record.data.endswith(b"\n") and record.data.count(b"\n") == 1
            assert json.loads(record.data)["metadata"]["product"]["name"] == "Okta"


def test_parquet_round_trip_with_pyarrow_and_pandas() -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pandas = pytest.importorskip("pandas")
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, fmt="parquet")
        [delivery] = m.deliver_audit_logs(ingestion["arn"], count=40)

        assert "/OCSF/PARQUET/OKTA/" in (delivery.key or "")
        body = m.delivery_sink.get_object(delivery.bucket, delivery.key)
        table = pq.read_table(io.BytesIO(body))
        assert table.num_rows == 40 and {"class_uid", "metadata", "time", "user"} <= set(table.column_names)
        frame = pandas.read_parquet(io.BytesIO(body))
        assert len(frame) == 40 and set(frame["metadata"].map(lambda md: md["product"]["name"])) == {"Okta"}
        events = m.delivered_events()
        assert {e["class_uid"] for e in events} <= {3001, 3002, 3005, 3006}
        assert all("src_endpoint" not in e or e["src_endpoint"]["ip"] for e in events)


def test_given_events_that_cannot_form_a_table_are_a_clear_error() -> None:
    pytest.importorskip("pyarrow")
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, fmt="parquet")
        with pytest.raises(ValueError, match="Parquet"):
            m.deliver_audit_logs(ingestion["arn"], events=[{"a": 1}, {"a": {"b": 2}}])


def test_importing_the_package_imports_no_data_plane() -> None:
    code = ("import sys, appfabric_mock; "
            "print(sorted(m for m in sys.modules if m.startswith(('pyarrow', 'appfabric_mock.delivery', 'pandas'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_without_pyarrow_scheduled_parquet_deliveries_warn_and_calls_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from appfabric_mock import AppFabricMockWarning
    from appfabric_mock.delivery import formats

    def missing() -> None:
        raise formats.ParquetUnavailable("Parquet delivery needs pyarrow: pip install 'appfabric-mock[parquet]'")

    monkeypatch.setattr(formats, "_pyarrow", missing)
    with mock_appfabric(now=START) as m:
        api = client()
        ingestion = connected_ingestion(api)
        s3_destination(api, ingestion, bucket="lake", fmt="parquet")
        s3_destination(api, ingestion, bucket="json")
        m.clock.advance(HALF_HOUR)
        with pytest.warns(AppFabricMockWarning, match=r"appfabric-mock\[parquet\]"):
            api.list_app_bundles()  # answered; the JSON destination still receives
        assert [d.bucket for d in m.deliveries] == ["json"]
        with pytest.raises(formats.ParquetUnavailable, match="pip install"):
            m.deliver_audit_logs(ingestion["arn"], count=1)


def test_scheduled_events_are_never_older_than_the_destination() -> None:
    with mock_appfabric(now=START) as m:
        api = client()
        m.clock.advance(HALF_HOUR - 60)  # the destination exists for the last minute of the interval
        s3_destination(api, connected_ingestion(api))
        m.clock.advance(60)
        times = [e["time"] for e in m.delivered_events()]
        assert len(times) == 10 and min(times) > START_MS + (HALF_HOUR - 60) * 1000
