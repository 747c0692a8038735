"""Concurrency: 8 threads hammer one bundle with mixed operations; nothing is lost, duplicated or broken.

Each thread has its own boto3 client (created up front: creating clients is not
thread-safe in boto3) and its own seeded random generator, and picks targets
from a shared pool, so threads race on the same resources.  Quotas are AWS's
(50 authorizations, 50 ingestions, 5 destinations per ingestion), so quota
checks race too.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any, Callable, Dict, List, Set, Tuple

from botocore.exceptions import ClientError
from helpers import NO_RETRIES, appfabric_client, make_bundle

from appfabric_mock import mock_appfabric

THREADS = 8
OPERATIONS_PER_THREAD = 200
APPS = ("ASANA", "CISCO", "TERRAFORMCLOUD")  # apps that connect with an API key
TENANTS = 20  # 60 (app, tenant) pairs: more than the quota of 50 authorizations
BUCKETS = ("logs-a", "logs-b", "logs-c", "logs-d", "logs-e", "logs-f", "logs-g")
#: Answers a correct mock may give to racing, conflicting requests.
EXPECTED_ERRORS = {"ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException",
                   "ValidationException"}


class Pool:
    """The ARNs threads pick targets from (the test's bookkeeping, not the mock's)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.auths: List[Dict[str, str]] = []
        self.ingestions: List[Dict[str, str]] = []
        self.destinations: List[Dict[str, str]] = []

    def pick(self, rng: random.Random, items: List[Dict[str, str]]) -> Any:
        with self.lock:
            return rng.choice(items) if items else None

    def add(self, items: List[Dict[str, str]], item: Dict[str, str]) -> None:
        with self.lock:
            items.append(item)


class Worker:
    """One thread's run: its operations, and what it saw succeed."""

    def __init__(self, index: int, client: Any, bundle: str, pool: Pool) -> None:
        self.rng = random.Random(index)
        self.client = client
        self.bundle = bundle
        self.pool = pool
        self.created: List[Tuple[str, str]] = []
        self.deleted: List[Tuple[str, str]] = []
        self.errors: Counter = Counter()
        self.unexpected: List[str] = []
        self.calls = 0

    def run(self, barrier: threading.Barrier) -> None:
        operations: List[Callable[[], None]] = [
            self.create_authorization, self.create_authorization, self.connect, self.update_authorization,
            self.create_ingestion, self.create_ingestion, self.create_destination, self.create_destination,
            self.delete_destination, self.delete_ingestion, self.delete_authorization, self.start_or_stop,
            self.tag, self.list_everything, self.user_access,
        ]
        barrier.wait()
        for _ in range(OPERATIONS_PER_THREAD):
            operation = self.rng.choice(operations)
            try:
                operation()
            except ClientError as error:
                code = error.response["Error"]["Code"]
                self.errors[code] += 1
                if code not in EXPECTED_ERRORS:
                    self.unexpected.append(f"{operation.__name__}: {code}: {error}")
            except Exception as exc:  # anything else is a failure of the mock
                self.unexpected.append(f"{operation.__name__}: {type(exc).__name__}: {exc}")

    def _call(self, name: str, **kwargs: Any) -> Any:
        self.calls += 1
        return getattr(self.client, name)(appBundleIdentifier=self.bundle, **kwargs)

    # -- operations -------------------------------------------------------------------------
    def create_authorization(self) -> None:
        app, tenant = self.rng.choice(APPS), f"tenant-{self.rng.randrange(TENANTS)}"
        auth = self._call("create_app_authorization", app=app, authType="apiKey",
                          credential={"apiKeyCredential": {"apiKey": "k"}},
                          tenant={"tenantIdentifier": tenant, "tenantDisplayName": tenant})["appAuthorization"]
        self.created.append(("AppAuthorization", auth["appAuthorizationArn"]))
        self.pool.add(self.pool.auths, {"arn": auth["appAuthorizationArn"], "app": app, "tenant": tenant})

    def connect(self) -> None:
        auth = self.pool.pick(self.rng, self.pool.auths)
        if auth:
            self._call("connect_app_authorization", appAuthorizationIdentifier=auth["arn"])

    def update_authorization(self) -> None:
        auth = self.pool.pick(self.rng, self.pool.auths)
        if auth:
            self._call("update_app_authorization", appAuthorizationIdentifier=auth["arn"],
                       credential={"apiKeyCredential": {"apiKey": "rotated"}})

    def create_ingestion(self) -> None:
        auth = self.pool.pick(self.rng, self.pool.auths)
        if auth:
            ingestion = self._call("create_ingestion", app=auth["app"], tenantId=auth["tenant"],
                                   ingestionType="auditLog")["ingestion"]
            self.created.append(("Ingestion", ingestion["arn"]))
            self.pool.add(self.pool.ingestions, {"arn": ingestion["arn"]})

    def create_destination(self) -> None:
        ingestion = self.pool.pick(self.rng, self.pool.ingestions)
        if ingestion:
            destination = self._call(
                "create_ingestion_destination", ingestionIdentifier=ingestion["arn"],
                processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
                destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {
                    "bucketName": self.rng.choice(BUCKETS)}}}},
            )["ingestionDestination"]
            self.created.append(("IngestionDestination", destination["arn"]))
            self.pool.add(self.pool.destinations, {"arn": destination["arn"], "ingestion": ingestion["arn"]})

    def delete_destination(self) -> None:
        destination = self.pool.pick(self.rng, self.pool.destinations)
        if destination:
            self._call("delete_ingestion_destination", ingestionIdentifier=destination["ingestion"],
                       ingestionDestinationIdentifier=destination["arn"])
            self.deleted.append(("IngestionDestination", destination["arn"]))

    def delete_ingestion(self) -> None:
        ingestion = self.pool.pick(self.rng, self.pool.ingestions)
        if ingestion:
            self._call("delete_ingestion", ingestionIdentifier=ingestion["arn"])
            self.deleted.append(("Ingestion", ingestion["arn"]))

    def delete_authorization(self) -> None:
        auth = self.pool.pick(self.rng, self.pool.auths)
        if auth:
            self._call("delete_app_authorization", appAuthorizationIdentifier=auth["arn"])
            self.deleted.append(("AppAuthorization", auth["arn"]))

    def start_or_stop(self) -> None:
        ingestion = self.pool.pick(self.rng, self.pool.ingestions)
        if ingestion:
            name = self.rng.choice(("start_ingestion", "stop_ingestion"))
            self._call(name, ingestionIdentifier=ingestion["arn"])

    def tag(self) -> None:
        auth = self.pool.pick(self.rng, self.pool.auths)
        if auth:
            self.calls += 1
            self.client.tag_resource(resourceArn=auth["arn"], tags=[{"key": "k", "value": str(self.rng.random())}])

    def list_everything(self) -> None:
        self._call("list_app_authorizations", maxResults=10)
        self._call("list_ingestions")

    def user_access(self) -> None:
        self._call("start_user_access_tasks", email="someone@example.com")


def test_eight_threads_of_mixed_operations_lose_and_duplicate_nothing() -> None:
    with mock_appfabric(seed=1) as m:
        bundle = make_bundle(appfabric_client())
        pool = Pool()
        workers = [Worker(i, appfabric_client(config=NO_RETRIES), bundle, pool) for i in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        threads = [threading.Thread(target=w.run, args=(barrier,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        unexpected = [u for w in workers for u in w.unexpected]
        assert unexpected == []
        created = [c for w in workers for c in w.created]
        deleted = [d for w in workers for d in w.deleted]
        errors = sum((w.errors for w in workers), Counter())
        issued = sum(w.calls for w in workers)

        # Nothing duplicated: every create made a new resource, every resource was deleted at most once.
        assert len({arn for _, arn in created}) == len(created)
        assert len({arn for _, arn in deleted}) == len(deleted)
        assert {d for d in deleted} <= set(created)
        # Nothing lost: what is left is exactly what was created and not deleted.
        remaining = {(r["type"], r["arn"]) for r in m.resources() if r["type"] != "AppBundle"}
        assert remaining == set(created) - set(deleted)

        # Every call was recorded once, in a consistent way.
        calls = m.calls[1:]  # after the set-up's CreateAppBundle
        assert len(calls) == issued
        assert sum(1 for c in calls if c.ok) == issued - sum(errors.values())
        assert Counter(c.error_code for c in calls if not c.ok) == errors
        assert all(c.status < 500 for c in calls)

        # Invariants of the final state.
        region = m.snapshot()["accounts"]["123456789012"]["us-east-1"]["appBundles"][0]
        auths = region["appAuthorizations"]
        ingestions = region["ingestions"]
        assert len(auths) <= 50 and len(ingestions) <= 50
        assert len({(a["app"], a["tenantIdentifier"]) for a in auths}) == len(auths)
        assert len({(i["app"], i["tenantId"], i["ingestionType"]) for i in ingestions}) == len(ingestions)
        pairs: Set[Tuple[str, str]] = {(a["app"], a["tenantIdentifier"]) for a in auths}
        for ingestion in ingestions:
            assert (ingestion["app"], ingestion["tenantId"]) in pairs  # no ingestion without its authorization
            assert ingestion["arn"].startswith(bundle + "/ingestion/")
            destinations = ingestion["destinations"]
            assert len(destinations) <= 5
            buckets = [d["destinationConfiguration"]["auditLog"]["destination"]["s3Bucket"]["bucketName"]
                       for d in destinations]
            assert len(set(buckets)) == len(buckets)
            assert all(d["arn"].startswith(ingestion["arn"] + "/ingestiondestination/") for d in destinations)
            if not destinations:
                assert ingestion["state"] in ("enabled", "disabled")
        assert all(a["arn"].startswith(bundle + "/appauthorization/") for a in auths)

        # The run really raced: successes and each kind of expected conflict happened.
        assert issued >= THREADS * OPERATIONS_PER_THREAD
        assert len(created) > 100 and len(deleted) > 20
        assert {"ConflictException", "ResourceNotFoundException"} <= set(errors)
