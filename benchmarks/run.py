"""How much does appfabric-mock cost?  One run, every comparison side by side.

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --quick    # a smoke run: tiny batches, small scale sizes

Every number is the median of repeated batches, and the variants of one row are
run interleaved (A B C, B C A, C A B, ...), so a noisy neighbour slows them all
alike and the *ratios* stay meaningful even when the absolute times do not.

Sections (each prints one Markdown table):

* per call: one boto3 call answered by appfabric-mock, against
  - the floor: a ``before-send`` handler on the client that returns the very bytes
    the mock returns (botocore still serialises, signs and parses: only the mock's
    own work is missing);
  - botocore's ``Stubber`` (no HTTP at all: no serialising, signing or parsing);
  - moto (``mock_aws``) answering EventBridge Scheduler's comparable rest-json calls.
* per test: ``with mock_appfabric(): pass``; and start + ``boto3.client`` + one call
  + stop, against moto doing the same with Scheduler.
* import: ``import boto3; import appfabric_mock`` in a fresh interpreter, against
  ``import boto3`` alone.
* scale: a Get and a 100-item List page with 10, 1,000 and 100,000 stored resources.
* server: one GET through the mock's HTTP server, against a minimal server on the same
  HTTP stack (waitress); ThreadedServer start and stop; and load: requests per second and
  p99 latency with 1, 8 and 50 keep-alive clients and a new connection per request,
  against moto's server on Scheduler's comparable call (``benchmarks/server_bench.py``).
* delivery: generating and delivering 10,000 audit events (OCSF, JSON lines, one S3 object
  in the in-memory sink; and as 10,000 Firehose records), in events per second.

The last line is a summary of every ratio against its target.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import boto3
from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint
from botocore.stub import Stubber

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)  # run from a checkout without installing
sys.path.insert(0, HERE)  # server_bench.py sits beside this file

from appfabric_mock import mock_appfabric  # noqa: E402

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "AKIABENCHMARK0000000", "aws_secret_access_key": "benchmark-secret"}
# Scheduler needs an ARN for a target and a role; moto never calls them.
TARGET = {
    "Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
    "RoleArn": "arn:aws:iam::123456789012:role/bench",
}
OAUTH = {"oauth2Credential": {"clientId": "bench-client", "clientSecret": "bench-secret"}}
AUTH_REQUEST = {"redirectUri": "https://us-east-1.console.aws.amazon.com/appfabric/oauth2", "code": "bench-code"}
#: botocore's own method, kept before any mock patches it (see _UnmockedEndpoint).
ORIGINAL_DO_GET_RESPONSE = Endpoint.__dict__["_do_get_response"]

Call = Callable[[int], Any]


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Settings:
    """How long to measure."""

    calls: int  # operations per batch, per-call and scale rows
    rounds: int  # interleaved batches per variant, per-call and scale rows
    tests: int  # iterations per batch, per-test rows
    moto_tests: int  # iterations per batch, moto's per-test row (much slower)
    empty_tests: int  # iterations per batch, `with mock_appfabric(): pass`
    repeats: int  # batches per variant, per-test rows
    imports: int  # fresh interpreters per variant
    scale_sizes: Tuple[int, ...]
    server_calls: int
    load_requests: int  # requests per server, load level and round
    load_rounds: int
    delivery_rounds: int  # interleaved batches of 10,000 events per variant


FULL = Settings(calls=20, rounds=51, tests=10, moto_tests=2, empty_tests=500, repeats=15, imports=21,
                scale_sizes=(10, 1_000, 100_000), server_calls=2000, load_requests=1500, load_rounds=3,
                delivery_rounds=15)
QUICK = Settings(calls=2, rounds=1, tests=1, moto_tests=1, empty_tests=10, repeats=1, imports=1,
                 scale_sizes=(10, 100, 1_000), server_calls=5, load_requests=50, load_rounds=1, delivery_rounds=1)

#: A batch: sets itself up (untimed), runs ``n`` operations and returns the seconds they took.
Batch = Callable[[int], float]


class Samples(Dict[str, List[float]]):
    """µs per operation of every batch, by variant, in the order the rounds ran."""

    def median(self, name: str) -> float:
        return statistics.median(self[name])

    def ratio(self, name: str, reference: str) -> float:
        """Median over rounds of name/reference: each pair ran back to back, so load drift cancels."""
        return statistics.median(a / b for a, b in zip(self[name], self[reference]))


def interleaved(batches: Dict[str, Tuple[Batch, int]], rounds: int) -> Samples:
    """Run every batch ``rounds`` times, rotating their order from round to round."""
    names = list(batches)
    samples = Samples({name: [] for name in names})
    if rounds > 1:  # (--quick measures nothing worth a warm-up)
        for batch, _ in batches.values():
            batch(1)  # warm up: first calls fill botocore's caches (endpoint resolution, shapes)
    for round_ in range(rounds):
        offset = round_ % len(names)
        for name in names[offset:] + names[:offset]:
            batch, n = batches[name]
            gc.collect()  # a collection left over from the last batch is not this batch's cost
            samples[name].append(batch(n) / n * 1e6)
    return samples


def timed(call: Call, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        call(i)
    return time.perf_counter() - start


# -- tables ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a table."""

    cells: List[str]


@dataclass
class Table:
    title: str
    header: List[str]
    rows: List[Row] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append(Row([str(c) for c in cells]))

    def render(self) -> str:
        widths = [max(len(h), *(len(r.cells[i]) for r in self.rows)) if self.rows else len(h)
                  for i, h in enumerate(self.header)]

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

        out = [f"### {self.title}", "", line(self.header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(r.cells) for r in self.rows]
        if self.notes:
            out += [""] + self.notes
        return "\n".join(out)


def us(value: Optional[float]) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


@dataclass
class Summary:
    """Every checked ratio or absolute number against its target."""

    items: List[Tuple[str, str, bool]] = field(default_factory=list)

    def check(self, label: str, shown: str, ok: bool) -> str:
        self.items.append((label, shown, ok))
        return "yes" if ok else "NO"

    def missing(self, label: str) -> None:
        self.items.append((label, "not available", False))

    def line(self) -> str:
        parts = [f"{label} {shown}{'' if ok else ' (MISSED)'}" for label, shown, ok in self.items]
        met = sum(1 for _, _, ok in self.items if ok)
        return f"SUMMARY {met}/{len(self.items)} targets met: " + "; ".join(parts)


# -- per call ----------------------------------------------------------------------------


@dataclass
class Case:
    """One AppFabric operation and its EventBridge Scheduler counterpart.

    ``seed`` runs against the active mock and returns the arguments ``call`` needs;
    ``call(client, args, i)`` makes the i-th timed call.  ``reseed``: seed again before
    every batch (a create fills its app bundle otherwise).  Same for moto, whose
    every batch runs in a fresh ``mock_aws``.
    """

    name: str
    operation: str
    seed: Callable[[Any], Dict[str, Any]]
    call: Callable[[Any, Dict[str, Any], int], Any]
    moto_name: str
    moto_seed: Callable[[Any], Dict[str, Any]]
    moto_call: Callable[[Any, Dict[str, Any], int], Any]
    reseed: bool = False


def _bundle(client: Any) -> str:
    return str(client.create_app_bundle()["appBundle"]["arn"])


def _authorization(client: Any, bundle: str, tenant: str) -> str:
    response = client.create_app_authorization(
        appBundleIdentifier=bundle, app="SLACK", authType="oauth2", credential=OAUTH,
        tenant={"tenantIdentifier": tenant, "tenantDisplayName": "Bench"},
    )
    return str(response["appAuthorization"]["appAuthorizationArn"])


def _ingestions(client: Any, count: int) -> Dict[str, Any]:
    bundle = _bundle(client)
    for index in range(count):
        auth = _authorization(client, bundle, f"tenant-{index}")
        # An ingestion needs a Connected authorization, as on AWS.
        client.connect_app_authorization(appBundleIdentifier=bundle, appAuthorizationIdentifier=auth,
                                         authRequest=AUTH_REQUEST)
        client.create_ingestion(appBundleIdentifier=bundle, app="SLACK", tenantId=f"tenant-{index}",
                                ingestionType="auditLog")
    listed = client.list_ingestions(appBundleIdentifier=bundle)["ingestions"]
    assert len(listed) == count, listed
    return {"bundle": bundle}


def _schedule(client: Any, name: str, expression: str = "rate(1 hour)") -> None:
    client.create_schedule(Name=name, ScheduleExpression=expression, FlexibleTimeWindow={"Mode": "OFF"},
                           Target=TARGET)


def _schedules(client: Any, count: int) -> Dict[str, Any]:
    for index in range(count):
        _schedule(client, f"schedule-{index}")
    listed = client.list_schedules()["Schedules"]
    assert len(listed) == count, listed
    return {}


def _with_authorization(client: Any) -> Dict[str, Any]:
    bundle = _bundle(client)
    return {"bundle": bundle, "auth": _authorization(client, bundle, "tenant")}


CASES: List[Case] = [
    Case(
        "GetAppBundle", "GetAppBundle",
        lambda c: {"bundle": _bundle(c)},
        lambda c, a, i: c.get_app_bundle(appBundleIdentifier=a["bundle"]),
        "get_schedule",
        lambda c: _schedule(c, "bench") or {},
        lambda c, a, i: c.get_schedule(Name="bench"),
    ),
    Case(
        "ListIngestions, 1 item", "ListIngestions",
        lambda c: _ingestions(c, 1),
        lambda c, a, i: c.list_ingestions(appBundleIdentifier=a["bundle"]),
        "list_schedules, 1 item",
        lambda c: _schedules(c, 1),
        lambda c, a, i: c.list_schedules(),
    ),
    Case(
        "ListIngestions, 50 items", "ListIngestions",
        lambda c: _ingestions(c, 50),
        lambda c, a, i: c.list_ingestions(appBundleIdentifier=a["bundle"]),
        "list_schedules, 50 items",
        lambda c: _schedules(c, 50),
        lambda c, a, i: c.list_schedules(),
    ),
    Case(
        "CreateAppAuthorization", "CreateAppAuthorization",
        lambda c: {"bundle": _bundle(c)},
        lambda c, a, i: c.create_app_authorization(
            appBundleIdentifier=a["bundle"], app="SLACK", authType="oauth2", credential=OAUTH,
            tenant={"tenantIdentifier": f"tenant-{i}", "tenantDisplayName": "Bench"},
        ),
        "create_schedule",
        lambda c: {},
        lambda c, a, i: _schedule(c, f"schedule-{i}"),
        reseed=True,
    ),
    Case(
        "UpdateAppAuthorization", "UpdateAppAuthorization",
        _with_authorization,
        lambda c, a, i: c.update_app_authorization(
            appBundleIdentifier=a["bundle"], appAuthorizationIdentifier=a["auth"], credential=OAUTH,
        ),
        "update_schedule",
        lambda c: _schedule(c, "bench") or {},
        lambda c, a, i: c.update_schedule(Name="bench", ScheduleExpression="rate(2 hours)",
                                          FlexibleTimeWindow={"Mode": "OFF"}, Target=TARGET),
    ),
]


class _Body:
    """The ``raw`` of an AWSResponse: what urllib3 would hand botocore."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


class _UnmockedEndpoint(Endpoint):
    """An endpoint the mock's class-level patch does not reach: the floor's clients use it.

    So the floor runs next to an active mock (no stop and start between batches, which
    would lose the mock's state) with botocore's own ``_do_get_response``.
    """

    _do_get_response = ORIGINAL_DO_GET_RESPONSE


@dataclass
class Captured:
    """What the mock answered to one call of a case: the floor and the Stubber replay it."""

    args: Dict[str, Any]
    status: int
    headers: Dict[str, str]
    body: bytes
    parsed: Dict[str, Any]


def capture(client: Any, case: Case) -> Captured:
    """Seed a case in the active mock and keep the raw response of one timed call."""
    raw: Dict[str, Any] = {}

    def keep(response_dict: Dict[str, Any], **_: Any) -> None:
        raw.update(response_dict)

    event = f"before-parse.appfabric.{case.operation}"
    args = case.seed(client)
    client.meta.events.register(event, keep)
    try:
        parsed = case.call(client, args, 0)
    finally:
        client.meta.events.unregister(event, keep)
    if case.reseed:
        args = case.seed(client)
    parsed.pop("ResponseMetadata", None)
    return Captured(args, raw["status_code"], dict(raw["headers"]), raw["body"], parsed)


def _client(service: str = "appfabric") -> Any:
    # A private session, not boto3's default one.
    return boto3.session.Session(region_name=REGION, **CREDENTIALS).client(service)


def mock_batch(m: Any, client: Any, case: Case, captured: Captured, recording: bool = True) -> Batch:
    def run(n: int) -> float:
        args = case.seed(client) if case.reseed else captured.args
        m.clear_calls()  # recording stays on; only the pile of earlier batches' calls goes
        if recording:
            return timed(lambda i: case.call(client, args, i), n)
        observers = m.state.observers
        saved = list(observers)
        observers[:] = [o for o in saved if o != m.state.recorder.observe]
        try:
            return timed(lambda i: case.call(client, args, i), n)
        finally:
            observers[:] = saved

    return run


def floor_batch(client: Any, case: Case, captured: Captured) -> Batch:
    status, headers, body = captured.status, captured.headers, captured.body

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, status, headers, _Body(body))

    client._endpoint.__class__ = _UnmockedEndpoint
    client.meta.events.register(f"before-send.appfabric.{case.operation}", answer)
    return lambda n: timed(lambda i: case.call(client, captured.args, i), n)


def stubber_batch(client: Any, case: Case, captured: Captured) -> Batch:
    method = _method_name(case.operation)
    stubber = Stubber(client)
    stubber.activate()

    def run(n: int) -> float:
        for _ in range(n):
            stubber.add_response(method, captured.parsed)
        return timed(lambda i: case.call(client, captured.args, i), n)

    return run


def moto_batch(case: Case) -> Batch:
    from moto import mock_aws

    def run(n: int) -> float:
        with mock_aws():
            client = _client("scheduler")
            args = case.moto_seed(client)
            return timed(lambda i: case.moto_call(client, args, i), n)

    return run


def _method_name(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


RECORDING_CASES = ("GetAppBundle", "ListIngestions, 50 items", "CreateAppAuthorization")


def per_call(settings: Settings, summary: Summary) -> List[Table]:
    table = Table(
        "Per call through boto3 (µs per call; ratio = appfabric-mock / other)",
        ["operation", "appfabric-mock", "floor", "mock/floor", "target", "met", "Stubber", "mock/Stubber",
         "moto (Scheduler)", "moto µs", "moto/mock"],
    )
    recording = Table(
        "Cost of call recording (always on; µs per call)",
        ["operation", "recording on", "recording off", "difference", "share of the call"],
    )
    with mock_appfabric(quotas=None) as m:
        for case in CASES:
            mock_client = _client()
            captured = capture(mock_client, case)
            batches: Dict[str, Tuple[Batch, int]] = {
                "mock": (mock_batch(m, mock_client, case, captured), settings.calls),
                "floor": (floor_batch(_client(), case, captured), settings.calls),
                "stubber": (stubber_batch(_client(), case, captured), settings.calls),
                "moto": (moto_batch(case), settings.calls),
            }
            if case.name in RECORDING_CASES:
                batches["recording off"] = (
                    mock_batch(m, mock_client, case, captured, recording=False), settings.calls)
            result = interleaved(batches, settings.rounds)
            mock = result.median("mock")
            over = result.ratio("mock", "floor")
            met = summary.check(f"{case.name} mock/floor", f"{over:.2f}x (<=1.2x)", over <= 1.2)
            table.add(case.name, us(mock), us(result.median("floor")), ratio(over), "<= 1.20x", met,
                      us(result.median("stubber")), ratio(result.ratio("mock", "stubber")), case.moto_name,
                      us(result.median("moto")), ratio(result.ratio("moto", "mock")))
            if "recording off" in result:
                off = result.median("recording off")
                share = 1 - 1 / result.ratio("mock", "recording off")
                recording.add(case.name, us(mock), us(off), us(mock - off), f"{share:.1%}")
    table.notes.append(
        f"Medians of {settings.rounds} interleaved batches of {settings.calls} calls; each ratio is the median of "
        "the per-round ratios (the two batches of a round ran back to back). floor: the same boto3 call, "
        "answered by a before-send handler returning the mock's bytes (serialise + sign + parse, no mock "
        "work). Stubber: botocore.stub.Stubber (no HTTP). moto: mock_aws, EventBridge Scheduler's "
        "comparable rest-json calls."
    )
    recording.notes.append(
        "recording off: the recorder's observer taken out of the mock's observers for the batch; "
        "share = 1 - off/on (median of per-round ratios)."
    )
    return [table, recording]


# -- per call, async -----------------------------------------------------------------------


class _AsyncBody:
    """The ``raw`` of an AioAWSResponse: what aiohttp would hand aiobotocore."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any) -> bytes:
        return self._body


ASYNC_CASES = ("GetAppBundle", "ListIngestions, 50 items", "CreateAppAuthorization")


def per_call_async(settings: Settings, summary: Summary) -> Table:
    """One aiobotocore call answered by the mock, against the same call answered at ``before-send``."""
    import asyncio

    table = Table(
        "Per call through aiobotocore (µs per call; ratio = appfabric-mock / floor)",
        ["operation", "appfabric-mock", "floor", "mock/floor", "target", "met"],
    )
    try:
        from aiobotocore.awsrequest import AioAWSResponse
        from aiobotocore.endpoint import AioEndpoint
        from aiobotocore.session import get_session
    except ImportError as exc:
        for name in ASYNC_CASES:
            summary.missing(f"{name} (aiobotocore) mock/floor")
            table.add(name, "not available", "", "", "<= 1.15x", "n/a")
        table.notes.append(f"aiobotocore is not installed ({exc}): pip install 'appfabric-mock[async]'.")
        return table

    class UnmockedAioEndpoint(AioEndpoint):  # type: ignore[misc]
        """The floor's endpoint: the mock's class-level patch does not reach it."""

    UnmockedAioEndpoint._do_get_response = AioEndpoint.__dict__["_do_get_response"]
    loop = asyncio.new_event_loop()
    contexts: List[Any] = []

    def new_client() -> Any:
        context = get_session().create_client("appfabric", region_name=REGION, **CREDENTIALS)
        contexts.append(context)
        return loop.run_until_complete(context.__aenter__())

    def async_batch(client: Any, case: Case, args: Dict[str, Any]) -> Batch:
        async def calls(n: int) -> float:
            start = time.perf_counter()
            for i in range(n):
                await case.call(client, args, i)
            return time.perf_counter() - start

        def run(n: int) -> float:
            return loop.run_until_complete(calls(n))

        return run

    try:
        with mock_appfabric(quotas=None) as m:
            for case in (c for c in CASES if c.name in ASYNC_CASES):
                sync_client = _client()
                captured = capture(sync_client, case)
                mock_client = new_client()
                def answer(request: Any, captured: Captured = captured, **_: Any) -> Any:
                    return AioAWSResponse(request.url, captured.status, captured.headers, _AsyncBody(captured.body))

                floor_client = new_client()
                floor_client._endpoint.__class__ = UnmockedAioEndpoint
                floor_client.meta.events.register(f"before-send.appfabric.{case.operation}", answer)

                def mock_run(n: int, client: Any = mock_client, case: Case = case, sync: Any = sync_client,
                             captured: Captured = captured) -> float:
                    m.clear_calls()
                    # A create fills its app bundle otherwise.
                    return async_batch(client, case, case.seed(sync) if case.reseed else captured.args)(n)

                result = interleaved({"mock": (mock_run, settings.calls),
                                      "floor": (async_batch(floor_client, case, captured.args), settings.calls)},
                                     settings.rounds)
                over = result.ratio("mock", "floor")
                met = summary.check(f"{case.name} (aiobotocore) mock/floor", f"{over:.2f}x (<=1.15x)", over <= 1.15)
                table.add(case.name, us(result.median("mock")), us(result.median("floor")), ratio(over),
                          "<= 1.15x", met)
    finally:
        for context in contexts:
            loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()
    table.notes.append(
        f"Medians of {settings.rounds} interleaved batches of {settings.calls} awaited calls on one event loop; "
        "the ratio is the median of the per-round ratios. floor: the same aiobotocore call, answered by a "
        "before-send handler returning the mock's bytes in an AioAWSResponse (serialise + sign + parse, no "
        "mock work)."
    )
    return table


# -- per test ----------------------------------------------------------------------------


def per_test(settings: Settings, summary: Summary) -> Table:
    from moto import mock_aws

    def empty_mock(n: int) -> float:
        return timed(lambda i: _enter_exit(mock_appfabric()), n)

    def empty_moto(n: int) -> float:
        return timed(lambda i: _enter_exit(mock_aws()), n)

    parts: Dict[str, List[float]] = {"start": [], "client": [], "call": [], "stop": []}

    def one_test(i: int) -> None:
        t0 = time.perf_counter()
        m = mock_appfabric()
        m.start()
        t1 = time.perf_counter()
        client = boto3.client("appfabric", region_name=REGION)
        t2 = time.perf_counter()
        client.create_app_bundle()
        t3 = time.perf_counter()
        m.stop()
        t4 = time.perf_counter()
        for name, begin, end in (("start", t0, t1), ("client", t1, t2), ("call", t2, t3), ("stop", t3, t4)):
            parts[name].append((end - begin) * 1e6)

    def one_moto_test(i: int) -> None:
        with mock_aws():
            client = boto3.client("scheduler", region_name=REGION)
            _schedule(client, "bench")

    created = {"appBundle": {"arn": "arn:aws:appfabric:us-east-1:123456789012:appbundle/bench"}}
    created_body = json.dumps(created).encode()

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 201, {"Content-Type": "application/json"}, _Body(created_body))

    def one_floor_test(i: int) -> None:
        # No mock: the same client creation and call, answered by a before-send handler.
        client = boto3.client("appfabric", region_name=REGION, **CREDENTIALS)
        client.meta.events.register("before-send.appfabric.CreateAppBundle", answer)
        client.create_app_bundle()

    one_test(0)  # the first start compiles the protocol from botocore's model: not a test's cost
    for values in parts.values():
        values.clear()
    result = interleaved(
        {
            "with mock_appfabric(): pass": (empty_mock, settings.empty_tests),
            "with mock_aws(): pass": (empty_moto, max(1, settings.empty_tests // 20)),
            "mock test": (lambda n: timed(one_test, n), settings.tests),
            "moto test": (lambda n: timed(one_moto_test, n), settings.moto_tests),
            "no mock": (lambda n: timed(one_floor_test, n), settings.tests),
        },
        settings.repeats,
    )
    table = Table("Per test (µs per test)", ["what", "appfabric-mock", "moto", "moto/mock", "target", "met"])
    empty = result.median("with mock_appfabric(): pass")
    met = summary.check("with mock_appfabric(): pass", f"{us(empty)} µs (<50 µs)", empty < 50)
    table.add("`with mock_appfabric(): pass` / `with mock_aws(): pass`", us(empty),
              us(result.median("with mock_aws(): pass")),
              ratio(result.ratio("with mock_aws(): pass", "with mock_appfabric(): pass")), "< 50 µs", met)
    mock, moto = result.median("mock test"), result.median("moto test")
    cheaper = result.ratio("moto test", "mock test")
    met = summary.check("start+client+call+stop moto/mock", f"{cheaper:.1f}x (>=20x)", cheaper >= 20)
    table.add("start + boto3.client + one create call + stop", us(mock), us(moto), ratio(cheaper), ">= 20x", met)
    table.add("(no mock: boto3.client + one call answered by before-send)", us(result.median("no mock")), "",
              "", "", "")
    median = {name: statistics.median(values) for name, values in parts.items()}
    table.notes.append(
        f"appfabric-mock's test, split (medians): start {us(median['start'])} µs, boto3.client "
        f"{us(median['client'])} µs, create_app_bundle {us(median['call'])} µs, stop {us(median['stop'])} µs. "
        f"The mock's own share is start + stop ({us(median['start'] + median['stop'])} µs) and its part of the "
        "call (see per call); client creation and the first call of a new client are botocore's, as the "
        "no-mock row shows. moto's test also builds a new boto3 session each time (mock_aws resets "
        "boto3's default session), so botocore loads its JSON models again."
    )
    return table


def _enter_exit(mock: Any) -> None:
    with mock:
        pass


# -- import ------------------------------------------------------------------------------


def import_time(settings: Settings, summary: Summary) -> Table:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")

    def process(code: str) -> Batch:
        def run(n: int) -> float:
            total = 0.0
            for _ in range(n):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], check=True, env=env)
                total += time.perf_counter() - start
            return total

        return run

    result = interleaved(
        {
            "boto3": (process("import boto3"), 1),
            "boto3 + appfabric_mock": (process("import boto3; import appfabric_mock"), 1),
        },
        settings.imports,
    )
    table = Table("Import (ms per fresh interpreter)", ["what", "ms", "ratio", "target", "met"])
    base, ours = result.median("boto3"), result.median("boto3 + appfabric_mock")
    over = result.ratio("boto3 + appfabric_mock", "boto3")
    met = summary.check("import mock/boto3", f"{over:.2f}x (<=1.15x)", over <= 1.15)
    table.add("python -c 'import boto3'", f"{base / 1000:.1f}", "", "", "")
    table.add("python -c 'import boto3; import appfabric_mock'", f"{ours / 1000:.1f}", ratio(over), "<= 1.15x", met)
    table.notes.append(f"medians of {settings.imports} interleaved runs of a whole process each; the ratio is "
                       "the median of the per-round ratios.")
    return table


# -- scale -------------------------------------------------------------------------------


def scale(settings: Settings, summary: Summary) -> Table:
    sizes = settings.scale_sizes
    page = 100
    accounts = {f"AKIASCALE{index:011d}": f"{index + 100000000000:012d}" for index in range(len(sizes))}
    keys = list(accounts)
    table = Table(
        f"Scale (µs per call; app bundles stored in the account, a {page}-item page from the middle)",
        ["stored app bundles", "GetAppBundle", "vs smallest", "ListAppBundles (100 items)", "vs smallest"],
    )
    with mock_appfabric(quotas=None, accounts=accounts) as m:
        probes: Dict[int, Tuple[Any, str, str]] = {}
        for size, key in zip(sizes, keys):
            backend = m.backend(accounts[key])
            # Seed straight through the backend: 100,000 creates through boto3 would take minutes.
            # `page` more than `size`, so that every size has a full page to list.
            arns = [backend.create_app_bundle({})["appBundle"]["arn"] for _ in range(size + page)]
            middle = size // 2
            token = backend.list_app_bundles({"maxResults": middle})["nextToken"] if middle else None
            client = boto3.session.Session(
                aws_access_key_id=key, aws_secret_access_key="scale", region_name=REGION
            ).client("appfabric")
            probes[size] = (client, arns[middle], token)
            listed = _list_page(client, token, page)
            assert len(listed["appBundleSummaryList"]) == page, size
        batches: Dict[str, Tuple[Batch, int]] = {}
        for size, (client, arn, token) in probes.items():
            batches[f"get {size}"] = (_clearing(m, lambda n, c=client, a=arn: timed(
                lambda i: c.get_app_bundle(appBundleIdentifier=a), n)), settings.calls)
            batches[f"list {size}"] = (_clearing(m, lambda n, c=client, t=token: timed(
                lambda i: _list_page(c, t, page), n)), max(1, settings.calls // 2))
        result = interleaved(batches, settings.rounds)
    smallest, largest = sizes[0], sizes[-1]
    for size in sizes:
        table.add(f"{size:,}", us(result.median(f"get {size}")), ratio(result.ratio(f"get {size}", f"get {smallest}")),
                  us(result.median(f"list {size}")), ratio(result.ratio(f"list {size}", f"list {smallest}")))
    get_ratio = result.ratio(f"get {largest}", f"get {smallest}")
    list_ratio = result.ratio(f"list {largest}", f"list {smallest}")
    summary.check(f"scale Get {largest:,}/{smallest}", f"{get_ratio:.2f}x (<=1.5x)", get_ratio <= 1.5)
    summary.check(f"scale List {largest:,}/{smallest}", f"{list_ratio:.2f}x (<=1.5x)", list_ratio <= 1.5)
    table.notes.append(
        f"each account holds N + {page} app bundles (so that a full {page}-item page exists at every N); "
        "the Get reads the bundle in the middle, the List starts from the middle with a nextToken. "
        "Target: the largest within 1.5x of the smallest."
    )
    return table


def _list_page(client: Any, token: Optional[str], page: int) -> Any:
    if token is None:
        return client.list_app_bundles(maxResults=page)
    return client.list_app_bundles(maxResults=page, nextToken=token)


def _clearing(m: Any, batch: Batch) -> Batch:
    """Forget the recorded calls before each batch: thousands of recorded 100-item pages pile up."""

    def run(n: int) -> float:
        m.clear_calls()
        return batch(n)

    return run


# -- server ------------------------------------------------------------------------------


def server(settings: Settings, summary: Summary) -> List[Table]:
    table = Table("Server (µs per GET over HTTP)", ["what", "µs", "ratio", "target", "met"])
    try:
        from server_bench import load_table, measure_load, measure_server, measure_start_stop  # type: ignore[import-not-found]
    except ImportError as exc:
        summary.missing("server mock/minimal")
        table.add("appfabric-mock server", "not available", "", "<= 1.30x", "n/a")
        table.add("minimal server, same HTTP stack", "not available", "", "", "")
        table.notes.append(f"server benchmark not available: benchmarks/server_bench.py could not be imported ({exc}).")
        return [table]
    mock, minimal = _server_numbers(measure_server(settings.server_calls))
    over = mock / minimal
    met = summary.check("server mock/minimal", f"{over:.2f}x (<=1.3x)", over <= 1.3)
    table.add("appfabric-mock server", us(mock), ratio(over), "<= 1.30x", met)
    table.add("minimal server, same HTTP stack", us(minimal), "", "", "")
    timing = measure_start_stop(5 if settings.load_rounds == 1 else 20)
    table.notes.append(f"ThreadedServer start {timing['start_ms']:.2f} ms (median {timing['start_median_ms']:.2f}), "
                       f"stop {timing['stop_ms']:.2f} ms (median {timing['stop_median_ms']:.2f}).")
    load = Table("Server under load (requests/s, p99 ms; GetAppBundle vs moto server's GetScheduleGroup)",
                 ["level", "mock rps", "mock p99 ms", "mock errors", "moto rps", "moto p99 ms", "moto errors",
                  "mock/moto rps"])
    try:
        import moto.server  # noqa: F401

        include_moto = True
    except ImportError:
        include_moto = False
        load.notes.append("moto's server is not installed (pip install 'moto[server]'): no moto columns.")
    results = measure_load(settings.load_requests, settings.load_rounds, include_moto)
    for row in load_table(results):
        load.add(*row)
    failed = sum(figures.errors for by_server in results.values() for name, figures in by_server.items()
                 if name == "appfabric-mock server")
    summary.check("server load errors", f"{failed} (0)", failed == 0)
    load.notes.append(f"Each server in its own process, clients as threads in this one (raw http.client); "
                      f"{settings.load_requests} requests per server, level and round, {settings.load_rounds} "
                      f"interleaved round(s); medians over rounds, errors in total.")
    return [table, load]


def _server_numbers(result: Any) -> Tuple[float, float]:
    """(mock µs, minimal µs) from what measure_server returns (a pair or a mapping)."""
    if isinstance(result, dict):
        mock = next(v for k, v in result.items() if "mock" in k)
        minimal = next(v for k, v in result.items() if "minimal" in k or "baseline" in k)
        return float(mock), float(minimal)
    mock, minimal = result[0], result[1]
    return float(mock), float(minimal)


# -- delivery ----------------------------------------------------------------------------

#: Events per delivery in the delivery rows (the issue's measure: 10,000 events).
DELIVERY_EVENTS = 10_000


def delivery(settings: Settings, summary: Summary) -> Table:
    """Events per second generated and delivered by ``deliver_audit_logs`` to the in-memory sink."""
    table = Table(f"Delivery (events per second; {DELIVERY_EVENTS:,} events per delivery, in-memory sink)",
                  ["what", "events/s", "ms per delivery", "target", "met"])
    consent = {"redirectUri": "https://us-east-1.console.aws.amazon.com/appfabric/oauth2", "code": "bench"}
    with mock_appfabric(seed=1, now="2024-06-01T09:00:00Z") as m:
        client = _client()
        bundle = client.create_app_bundle()["appBundle"]["arn"]
        ingestions = {}
        for name, destination in (
            ("S3, OCSF JSON lines", {"s3Bucket": {"bucketName": "bench-logs", "prefix": "okta/"}}),
            ("Firehose, OCSF records", {"firehoseStream": {"streamName": "bench-stream"}}),
        ):
            tenant = f"{len(ingestions)}.okta.com"
            auth = client.create_app_authorization(
                appBundleIdentifier=bundle, app="OKTA", authType="oauth2", credential=OAUTH,
                tenant={"tenantIdentifier": tenant, "tenantDisplayName": tenant})["appAuthorization"]
            client.connect_app_authorization(appBundleIdentifier=bundle,
                                             appAuthorizationIdentifier=auth["appAuthorizationArn"],
                                             authRequest=consent)
            ingestion = client.create_ingestion(appBundleIdentifier=bundle, app="OKTA", tenantId=tenant,
                                                ingestionType="auditLog")["ingestion"]["arn"]
            client.create_ingestion_destination(
                appBundleIdentifier=bundle, ingestionIdentifier=ingestion,
                processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
                destinationConfiguration={"auditLog": {"destination": destination}})
            ingestions[name] = ingestion

        def batch(ingestion: str) -> Batch:
            def run(n: int) -> float:
                m.clear_deliveries()  # each batch starts from an empty sink
                start = time.perf_counter()
                for _ in range(n):
                    m.deliver_audit_logs(ingestion, count=DELIVERY_EVENTS)
                return time.perf_counter() - start
            return run

        result = interleaved({name: (batch(arn), 1) for name, arn in ingestions.items()}, settings.delivery_rounds)
    for index, name in enumerate(ingestions):
        seconds = result.median(name) / 1e6  # µs per delivery -> s
        rate = DELIVERY_EVENTS / seconds
        if index == 0:
            met = summary.check("delivery events/s (S3 JSON)", f"{rate:,.0f} (>=50,000)", rate >= 50_000)
            table.add(name, f"{rate:,.0f}", f"{seconds * 1000:.1f}", ">= 50,000", met)
        else:
            table.add(name, f"{rate:,.0f}", f"{seconds * 1000:.1f}", "", "")
    table.notes.append(f"medians of {settings.delivery_rounds} interleaved deliveries of {DELIVERY_EVENTS:,} "
                       "generated Okta events each (seeded), through m.deliver_audit_logs: generation, OCSF "
                       "JSON, key and record ids, the in-memory sink.")
    return table


# -- main --------------------------------------------------------------------------------


def machine() -> str:
    import botocore

    return (f"{os.cpu_count()} CPUs (nproc), Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.machine()}, boto3 {boto3.__version__}, botocore {botocore.__version__}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (numbers are meaningless)")
    parser.add_argument("--only", choices=("call", "test", "import", "scale", "server", "delivery"), action="append",
                        help="run only these sections (repeatable)")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    sections = options.only or ["call", "test", "import", "scale", "server", "delivery"]
    summary = Summary()
    print(f"appfabric-mock benchmarks{' (--quick)' if options.quick else ''}: {machine()}", flush=True)
    started = time.perf_counter()
    for section in sections:
        if section == "call":
            tables = per_call(settings, summary) + [per_call_async(settings, summary)]
        elif section == "test":
            tables = [per_test(settings, summary)]
        elif section == "import":
            tables = [import_time(settings, summary)]
        elif section == "scale":
            tables = [scale(settings, summary)]
        elif section == "delivery":
            tables = [delivery(settings, summary)]
        else:
            tables = server(settings, summary)
        for table in tables:
            print("\n" + table.render(), flush=True)
    print(f"\n(ran in {time.perf_counter() - started:.0f} s)")
    print(summary.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())

