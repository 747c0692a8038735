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
try:  # aiobotocore's, likewise (the async floor's endpoint)
    from aiobotocore.endpoint import AioEndpoint as _AioEndpoint

    ORIGINAL_AIO_DO_GET_RESPONSE: Any = _AioEndpoint.__dict__["_do_get_response"]
except ImportError:  # no aiobotocore: the async rows say so
    ORIGINAL_AIO_DO_GET_RESPONSE = None

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
    parent_sizes: Tuple[int, int] = (10, 10_000)  # children in one bundle, small and large
    delivery_bundles: Tuple[int, int] = (10, 100_000)  # bundles beside a delivering one, small and large
    memory_items: int = 2000  # resources or calls per memory measure
    pytest_tests: int = 200  # tests per generated file, appfabric-mock
    pytest_moto_tests: int = 20  # tests per generated file, moto (each takes a tenth of a second)
    pytest_rounds: int = 5  # interleaved rounds of the pytest measure


FULL = Settings(calls=20, rounds=51, tests=10, moto_tests=2, empty_tests=500, repeats=15, imports=21,
                scale_sizes=(10, 1_000, 100_000), server_calls=2000, load_requests=1500, load_rounds=3,
                delivery_rounds=15)
QUICK = Settings(calls=2, rounds=1, tests=1, moto_tests=1, empty_tests=10, repeats=1, imports=1,
                 scale_sizes=(10, 100, 1_000), server_calls=5, load_requests=50, load_rounds=1, delivery_rounds=1,
                 parent_sizes=(10, 300), delivery_bundles=(10, 1_000), memory_items=100, pytest_tests=4,
                 pytest_moto_tests=2, pytest_rounds=1)

#: A batch: sets itself up (untimed), runs ``n`` operations and returns the seconds they took.
Batch = Callable[[int], float]


class Samples(Dict[str, List[float]]):
    """µs per operation of every batch, by variant, in the order the rounds ran."""

    def median(self, name: str) -> float:
        return statistics.median(self[name])

    def ratio(self, name: str, reference: str) -> float:
        """Median over rounds of name/reference: both ran in the same round, so slow load drift cancels."""
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
        return "met" if ok else "MISSED"

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


#: Per-call target: the mock at most 1.15 times the floor (stretch: 1.10).
CALL_TARGET = 1.15
CALL_STRETCH = 1.10
TARGET_LABEL = "<= 1.15x"
#: Recording may cost at most this share of any call.
RECORDING_TARGET = 0.03


def _target_shown(over: float) -> str:
    stretch = f", stretch <={CALL_STRETCH:.2f}x {'met' if over <= CALL_STRETCH else 'not met'}"
    return f"{over:.2f}x (<={CALL_TARGET:.2f}x{stretch})"


def per_call(settings: Settings, summary: Summary) -> List[Table]:
    table = Table(
        "Per call through boto3 (µs per call; ratio = appfabric-mock / other)",
        ["operation", "appfabric-mock", "floor", "mock/floor", "target", "met", "Stubber", "mock/Stubber",
         "moto (Scheduler)", "moto µs", "moto/mock"],
    )
    recording = Table(
        "Cost of call recording (always on; µs per call)",
        ["operation", "recording on", "recording off", "difference", "share of the call", "target", "met"],
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
            batches["recording off"] = (mock_batch(m, mock_client, case, captured, recording=False), settings.calls)
            result = interleaved(batches, settings.rounds)
            mock = result.median("mock")
            over = result.ratio("mock", "floor")
            met = summary.check(f"{case.name} mock/floor", _target_shown(over), over <= CALL_TARGET)
            table.add(case.name, us(mock), us(result.median("floor")), ratio(over), TARGET_LABEL, met,
                      us(result.median("stubber")), ratio(result.ratio("mock", "stubber")), case.moto_name,
                      us(result.median("moto")), ratio(result.ratio("moto", "mock")))
            off = result.median("recording off")
            share = 1 - 1 / result.ratio("mock", "recording off")
            met = summary.check(f"{case.name} recording share", f"{share:.1%} (<=3%)", share <= RECORDING_TARGET)
            recording.add(case.name, us(mock), us(off), us(mock - off), f"{share:.1%}", "<= 3%", met)
    table.notes.append(
        f"Medians of {settings.rounds} interleaved batches of {settings.calls} calls; each ratio is the median of "
        "the per-round ratios (every variant runs once per round, in an order rotated from round to round). "
        "floor: the same boto3 call, "
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


class AsyncClients:
    """aiobotocore clients on one event loop, closed on exit: the mock's and the floor's."""

    def __init__(self, loop: Any) -> None:
        self.loop = loop
        self._contexts: List[Any] = []

    def __enter__(self) -> "AsyncClients":
        return self

    def __exit__(self, *exc: Any) -> None:
        for context in self._contexts:
            self.loop.run_until_complete(context.__aexit__(None, None, None))

    def new_client(self) -> Any:
        from aiobotocore.session import get_session

        context = get_session().create_client("appfabric", region_name=REGION, **CREDENTIALS)
        self._contexts.append(context)
        return self.loop.run_until_complete(context.__aenter__())

    def batch(self, client: Any, case: Case, args: Callable[[], Dict[str, Any]]) -> Batch:
        async def calls(n: int, arguments: Dict[str, Any]) -> float:
            start = time.perf_counter()
            for i in range(n):
                await case.call(client, arguments, i)
            return time.perf_counter() - start

        return lambda n: self.loop.run_until_complete(calls(n, args()))  # type: ignore[no-any-return]

    def floor_batch(self, case: Case, captured: Captured) -> Batch:
        """The same aiobotocore call answered at ``before-send`` with the mock's bytes."""
        from aiobotocore.awsrequest import AioAWSResponse
        from aiobotocore.endpoint import AioEndpoint

        class UnmockedAioEndpoint(AioEndpoint):  # type: ignore[misc]
            """The floor's endpoint: the mock's class-level patch does not reach it."""

            _do_get_response = ORIGINAL_AIO_DO_GET_RESPONSE

        def answer(request: Any, **_: Any) -> Any:
            return AioAWSResponse(request.url, captured.status, captured.headers, _AsyncBody(captured.body))

        client = self.new_client()
        client._endpoint.__class__ = UnmockedAioEndpoint
        client.meta.events.register(f"before-send.appfabric.{case.operation}", answer)
        return self.batch(client, case, lambda: captured.args)

    def mock_batch(self, m: Any, case: Case, captured: Captured, sync: Any) -> Batch:
        """The aiobotocore call answered by the mock (``sync`` seeds again when the case needs it)."""
        batch = self.batch(self.new_client(), case,
                           lambda: case.seed(sync) if case.reseed else captured.args)  # a create fills its bundle

        def run(n: int) -> float:
            m.clear_calls()
            return batch(n)

        return run


def per_call_async(settings: Settings, summary: Summary) -> Table:
    """One aiobotocore call answered by the mock, against the same call answered at ``before-send``."""
    import asyncio

    table = Table(
        "Per call through aiobotocore (µs per call; ratio = appfabric-mock / floor)",
        ["operation", "appfabric-mock", "floor", "mock/floor", "target", "met"],
    )
    try:
        import aiobotocore  # noqa: F401
    except ImportError as exc:
        for name in ASYNC_CASES:
            summary.missing(f"{name} (aiobotocore) mock/floor")
            table.add(name, "not available", "", "", TARGET_LABEL, "n/a")
        table.notes.append(f"aiobotocore is not installed ({exc}): pip install 'appfabric-mock[async]'.")
        return table

    loop = asyncio.new_event_loop()
    try:
        with mock_appfabric(quotas=None) as m, AsyncClients(loop) as clients:
            for case in (c for c in CASES if c.name in ASYNC_CASES):
                sync_client = _client()
                captured = capture(sync_client, case)
                result = interleaved({"mock": (clients.mock_batch(m, case, captured, sync_client), settings.calls),
                                      "floor": (clients.floor_batch(case, captured), settings.calls)},
                                     settings.rounds)
                over = result.ratio("mock", "floor")
                met = summary.check(f"{case.name} (aiobotocore) mock/floor", _target_shown(over), over <= CALL_TARGET)
                table.add(case.name, us(result.median("mock")), us(result.median("floor")), ratio(over),
                          TARGET_LABEL, met)
    finally:
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
    def start_stop(n: int) -> float:
        # Start and stop apart, as a fixture does, the handle made outside the timing.
        handles = [mock_appfabric() for _ in range(n)]
        start = time.perf_counter()
        for handle in handles:
            handle.start()
            handle.stop()
        return time.perf_counter() - start

    result = interleaved(
        {
            "with mock_appfabric(): pass": (empty_mock, settings.empty_tests),
            "start + stop": (start_stop, settings.empty_tests),
            "with mock_aws(): pass": (empty_moto, max(1, settings.empty_tests // 20)),
            "mock test": (lambda n: timed(one_test, n), settings.tests),
            "moto test": (lambda n: timed(one_moto_test, n), settings.moto_tests),
            "no mock": (lambda n: timed(one_floor_test, n), settings.tests),
        },
        settings.repeats,
    )
    table = Table("Per test (µs per test)", ["what", "appfabric-mock", "moto", "moto/mock", "target", "met"])
    pytest_mock, pytest_moto, pytest_ratio = _pytest_per_test(settings)
    met = summary.check("pytest test moto/mock", f"{pytest_ratio:.1f}x (>=20x)", pytest_ratio >= 20)
    table.add("a pytest test: appfabric_client fixture, one create, one get", us(pytest_mock), us(pytest_moto),
              ratio(pytest_ratio), ">= 20x", met)
    empty = result.median("with mock_appfabric(): pass")
    met = summary.check("with mock_appfabric(): pass", f"{us(empty)} µs (<50 µs)", empty < 50)
    table.add("`with mock_appfabric(): pass` / `with mock_aws(): pass`", us(empty),
              us(result.median("with mock_aws(): pass")),
              ratio(result.ratio("with mock_aws(): pass", "with mock_appfabric(): pass")), "< 50 µs", met)
    both = result.median("start + stop")
    met = summary.check("start + stop", f"{us(both)} µs (<=50 µs)", both <= 50)
    table.add("start() + stop() of a handle made beforehand", us(both), "", "", "<= 50 µs", met)
    mock, moto = result.median("mock test"), result.median("moto test")
    cheaper = result.ratio("moto test", "mock test")
    table.add("start + boto3.client + one create call + stop", us(mock), us(moto), ratio(cheaper), "", "")
    table.add("(no mock: boto3.client + one call answered by before-send)", us(result.median("no mock")), "",
              "", "", "")
    median = {name: statistics.median(values) for name, values in parts.items()}
    table.notes.append(
        f"The pytest test: {settings.pytest_tests} generated tests in one file run in-process by pytest.main, "
        "against moto's documented pattern (a fixture entering mock_aws() with a new boto3 Scheduler client, "
        f"{settings.pytest_moto_tests} tests); one test's cost is (T(N tests) - T(1 test)) / (N - 1), so "
        "pytest's session start is left out and everything a test adds is in (fixture set-up and tear-down, "
        f"the calls, pytest's own work); medians of {settings.pytest_rounds} interleaved rounds "
        "(benchmarks/pytest_bench.py). The appfabric_client fixture hands out again a client an earlier "
        "test left untouched (appfabric_mock/client_pool.py)."
    )
    table.notes.append(
        f"appfabric-mock's start + client + call + stop, split (medians): start {us(median['start'])} µs, "
        f"boto3.client {us(median['client'])} µs, create_app_bundle {us(median['call'])} µs, stop "
        f"{us(median['stop'])} µs. Client creation and the first call of a new client are botocore's, as the "
        "no-mock row shows; this row has no target since the pytest row measures what a test costs."
    )
    return table


def _pytest_per_test(settings: Settings) -> Tuple[float, float, float]:
    """(µs per appfabric_client test, µs per moto test, moto/mock) by benchmarks/pytest_bench.py."""
    import pytest_bench  # type: ignore[import-not-found]

    samples = pytest_bench.measure({"mock": settings.pytest_tests, "moto": settings.pytest_moto_tests},
                                   settings.pytest_rounds)
    mock, moto = statistics.median(samples["mock"]), statistics.median(samples["moto"])
    over = statistics.median(b / a for a, b in zip(samples["mock"], samples["moto"]))
    return mock, moto, over


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


# -- scale inside one parent ------------------------------------------------------------


def _backend_call(backend: Any, method: str, params: Dict[str, Any]) -> Dict[str, Any]:
    """An operation straight through a backend: seeding thousands of resources through boto3 takes minutes."""
    with backend.lock:
        return getattr(backend, method)(params)  # type: ignore[no-any-return]


def new_authorization(backend: Any, bundle: str, tenant: str, connect: bool = False) -> str:
    """An oauth2 authorization for ``tenant`` (Connected if asked); its ARN."""
    arn = _backend_call(backend, "create_app_authorization", {
        "appBundleIdentifier": bundle, "app": "SLACK", "authType": "oauth2", "credential": OAUTH,
        "tenant": {"tenantIdentifier": tenant, "tenantDisplayName": "Seed"}})["appAuthorization"]["appAuthorizationArn"]
    if connect:
        _backend_call(backend, "connect_app_authorization", {
            "appBundleIdentifier": bundle, "appAuthorizationIdentifier": arn, "authRequest": AUTH_REQUEST})
    return str(arn)


def seed_authorizations(backend: Any, count: int) -> str:
    """A bundle holding ``count`` authorizations (quotas lifted); its ARN."""
    bundle = str(_backend_call(backend, "create_app_bundle", {})["appBundle"]["arn"])
    for index in range(count):
        new_authorization(backend, bundle, f"seed-{index}")
    return bundle


def seed_ingestions(backend: Any, count: int) -> str:
    """A bundle holding ``count`` ingestions, each with its Connected authorization; its ARN."""
    bundle = str(_backend_call(backend, "create_app_bundle", {})["appBundle"]["arn"])
    for index in range(count):
        new_authorization(backend, bundle, f"seed-{index}", connect=True)
        _backend_call(backend, "create_ingestion", {"appBundleIdentifier": bundle, "app": "SLACK",
                                                    "tenantId": f"seed-{index}", "ingestionType": "auditLog"})
    return bundle


def seed_delivery(backend: Any, bundles: int) -> None:
    """``bundles`` app bundles with nothing to deliver, then one ingestion that delivers to S3."""
    for _ in range(bundles):
        _backend_call(backend, "create_app_bundle", {})
    bundle = str(_backend_call(backend, "create_app_bundle", {})["appBundle"]["arn"])
    new_authorization(backend, bundle, "delivering", connect=True)
    ingestion = _backend_call(backend, "create_ingestion", {
        "appBundleIdentifier": bundle, "app": "SLACK", "tenantId": "delivering", "ingestionType": "auditLog"})
    _backend_call(backend, "create_ingestion_destination", {
        "appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["ingestion"]["arn"],
        "processingConfiguration": {"auditLog": {"schema": "ocsf", "format": "json"}},
        "destinationConfiguration": {"auditLog": {"destination": {"s3Bucket": {"bucketName": "bench"}}}}})


def due_delivery(state: Any) -> None:
    """One delivery time passes and falls due (the data plane needs no active mock)."""
    state.settings.clock.advance(state.data_plane.interval)
    state.data_plane.run_due()


def scale_inside_parent(settings: Settings, summary: Summary) -> List[Table]:
    """Creates in a bundle that holds few or many children; a due delivery among few or many bundles; memory."""
    small, large = settings.parent_sizes
    table = Table("Scale inside one parent (µs per call; quotas lifted)",
                  ["what", "small", "µs", "large", "µs", "ratio", "target", "met"])
    keys = [f"AKIAPARENT{index:010d}" for index in range(4)]
    accounts = {key: f"{index + 200000000000:012d}" for index, key in enumerate(keys)}
    batches: Dict[str, Tuple[Batch, int]] = {}
    with mock_appfabric(quotas=None, now="2024-06-01T09:00:00Z", seed=1, accounts=accounts) as m:
        pairs = [(kind, size) for kind in ("authorizations", "ingestions") for size in (small, large)]
        for key, (kind, size) in zip(keys, pairs):
            backend = m.backend(accounts[key])
            client = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key="x",
                                           region_name=REGION).client("appfabric")
            if kind == "authorizations":
                batch = _creating_authorizations(m, client, seed_authorizations(backend, size))
            else:
                batch = _creating_ingestions(m, backend, client, seed_ingestions(backend, size))
            batches[f"{kind} {size}"] = (batch, settings.calls)
        result = interleaved(batches, settings.rounds)
    for kind, label in (("authorizations", "CreateAppAuthorization"), ("ingestions", "CreateIngestion")):
        over = result.ratio(f"{kind} {large}", f"{kind} {small}")
        met = summary.check(f"{label} {large:,}/{small} in a bundle", f"{over:.2f}x (<=1.2x)", over <= 1.2)
        table.add(f"{label} in a bundle holding N {kind}", f"{small:,}", us(result.median(f"{kind} {small}")),
                  f"{large:,}", us(result.median(f"{kind} {large}")), ratio(over), "<= 1.20x", met)
    table.add(*_due_delivery_row(settings, summary))
    table.notes.append(
        f"Medians of {settings.rounds} interleaved batches of {settings.calls} boto3 calls (due deliveries: "
        f"{max(1, settings.calls // 4)} per batch); ratio: the median of per-round ratios, large to small. "
        "Each create is for a new tenant (so the uniqueness checks look it up and find nothing). A due "
        "delivery: the mock's clock moves one delivery interval and the deliveries that fell due are made "
        "(10 events to the one S3 destination), among N app bundles with nothing to deliver."
    )
    return [table, memory_table(settings, summary)]


def _creating_authorizations(m: Any, client: Any, bundle: str) -> Batch:
    made = [0]

    def run(n: int) -> float:
        m.clear_calls()
        first = made[0]
        made[0] += n
        return timed(lambda i: client.create_app_authorization(
            appBundleIdentifier=bundle, app="SLACK", authType="oauth2", credential=OAUTH,
            tenant={"tenantIdentifier": f"new-{first + i}", "tenantDisplayName": "New"}), n)

    return run


def _creating_ingestions(m: Any, backend: Any, client: Any, bundle: str) -> Batch:
    made = [0]

    def run(n: int) -> float:
        first = made[0]
        made[0] += n
        tenants = [f"new-{first + i}" for i in range(n)]
        for tenant in tenants:  # untimed: each create needs a Connected authorization of its own
            new_authorization(backend, bundle, tenant, connect=True)
        m.clear_calls()
        return timed(lambda i: client.create_ingestion(appBundleIdentifier=bundle, app="SLACK",
                                                       tenantId=tenants[i], ingestionType="auditLog"), n)

    return run


def _due_delivery_row(settings: Settings, summary: Summary) -> List[str]:
    small, large = settings.delivery_bundles
    states = {}
    for size in (small, large):  # a mock each: a due delivery looks at its own mock's state only
        with mock_appfabric(quotas=None, now="2024-06-01T09:00:00Z", seed=1) as m:
            seed_delivery(m.backend(), size)
            m.run_due_deliveries()  # the schedule starts
            states[size] = m.state

    def delivering(state: Any) -> Batch:
        def run(n: int) -> float:
            state.data_plane.clear()
            return timed(lambda i: due_delivery(state), n)

        return run

    per_batch = max(1, settings.calls // 4)
    result = interleaved({f"due {size}": (delivering(state), per_batch) for size, state in states.items()},
                         settings.rounds)
    made = len(states[large].data_plane.deliveries)
    assert made == per_batch, f"expected {per_batch} deliveries in the last batch, got {made}"
    over = result.ratio(f"due {large}", f"due {small}")
    met = summary.check(f"due delivery {large:,}/{small} bundles", f"{over:.2f}x (<=1.2x)", over <= 1.2)
    return ["a due delivery (one ingestion) among N app bundles", f"{small:,}", us(result.median(f"due {small}")),
            f"{large:,}", us(result.median(f"due {large}")), ratio(over), "<= 1.20x", met]


def memory_table(settings: Settings, summary: Summary) -> Table:
    """Bytes per stored authorization and per recorded call, by tracemalloc."""
    import tracemalloc

    count = settings.memory_items
    table = Table("Memory (tracemalloc, bytes)", ["what", "bytes each", "target", "met"])
    with mock_appfabric(quotas=None, max_recorded_calls=None) as m:
        client = _client()
        bundle = _bundle(client)
        for index in range(3):  # warm: the first calls fill caches that are not the resources' cost
            _authorization(client, bundle, f"warm-{index}")
        m.clear_calls()
        recorder = m.state.recorder
        observers = m.state.observers

        def measure(body: Callable[[], None]) -> float:
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            body()
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            return (after - before) / count

        # Authorizations through boto3 (each create also keeps what its client token needs, as on
        # AWS), with the recorder out of the way; then the same with it, to see what a record adds.
        observers.remove(recorder.observe)
        per_authorization = measure(lambda: [_authorization(client, bundle, f"tenant-{i}") for i in range(count)])
        observers.append(recorder.observe)
        recorded_create = measure(lambda: [_authorization(client, bundle, f"recorded-{i}") for i in range(count)])
        m.clear_calls()
        per_get = measure(lambda: [client.get_app_bundle(appBundleIdentifier=bundle) for _ in range(count)])
        read = measure(lambda: m.calls and None)  # the first read copies (redacts) the records
    met = summary.check("memory per authorization", f"{per_authorization:,.0f} B (<=2,048 B)",
                        per_authorization <= 2048)
    table.add("a stored app authorization (CreateAppAuthorization through boto3)", f"{per_authorization:,.0f}",
              "<= 2,048", met)
    table.add("a recorded CreateAppAuthorization call, not yet read", f"{recorded_create - per_authorization:,.0f}",
              "", "")
    table.add("a recorded GetAppBundle call, not yet read", f"{per_get:,.0f}", "", "")
    table.add("... its redacted copy, made by the first read of m.calls", f"{read:,.0f}", "", "")
    table.notes.append(f"{count:,} of each, measured with tracemalloc after a garbage collection; a stored "
                       "authorization includes what its create keeps for idempotent retries (the client token, "
                       "a digest of the request and what rebuilds the first answer). A record keeps its "
                       "answer, which no other structure shares.")
    return table


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


RESULTS = os.path.join(HERE, "RESULTS.md")

RESULTS_HEAD = """# Benchmark results

What appfabric-mock costs, measured by `benchmarks/run.py`: a full run writes this file (the
tables below are its output, unchanged), and the documentation's performance page reads it.

## Reproduce

```bash
pip install -e ".[test,bench]"
python benchmarks/run.py            # the full run; rewrites this file
python benchmarks/run.py --quick    # a smoke run: every row, meaningless numbers, this file untouched
python benchmarks/run.py --only call --only server   # some sections only (this file untouched)
python benchmarks/instructions.py --section call     # instruction counts (callgrind): for a busy machine
```

Absolute times on a shared virtual machine are slow and noisy.  Every row is therefore the
median of interleaved batches, and every ratio the median of per-round ratios of batches that
ran in the same round, milliseconds apart: ratios are what to read.  Compare runs made on the same machine under the
same load, and trust a figure when two runs agree.
"""


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), as uptime shows them."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_results(path: str, output: List[str], load_before: str, load_after: str) -> None:
    """RESULTS.md: the fixed head, then this run's output as its "Latest run" section."""
    import datetime

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(RESULTS_HEAD)
        handle.write(f"\n## Latest run\n\nRun on {when} at commit {_commit()}; load averages (1, 5, 15 min) "
                     f"{load_before} before the run and {load_after} after it.\n\n")
        handle.write("\n".join(output).strip() + "\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (numbers are meaningless)")
    parser.add_argument("--only", choices=("call", "test", "import", "scale", "server", "delivery"), action="append",
                        help="run only these sections (repeatable)")
    parser.add_argument("--results", default=None,
                        help="where a full run writes its results (default: benchmarks/RESULTS.md; "
                             "'-' writes none); --quick and --only runs write none unless given one")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    sections = options.only or ["call", "test", "import", "scale", "server", "delivery"]
    results = options.results if options.results is not None else (
        None if options.quick or options.only else RESULTS)
    if results == "-":
        results = None
    summary = Summary()
    output: List[str] = []

    def emit(text: str) -> None:
        output.append(text)
        print(text, flush=True)

    load_before = load()
    emit(f"appfabric-mock benchmarks{' (--quick)' if options.quick else ''}: {machine()}")
    started = time.perf_counter()
    for section in sections:
        if section == "call":
            tables = per_call(settings, summary) + [per_call_async(settings, summary)]
        elif section == "test":
            tables = [per_test(settings, summary)]
        elif section == "import":
            tables = [import_time(settings, summary)]
        elif section == "scale":
            tables = [scale(settings, summary)] + scale_inside_parent(settings, summary)
        elif section == "delivery":
            tables = [delivery(settings, summary)]
        else:
            tables = server(settings, summary)
        for table in tables:
            emit("\n" + table.render())
    emit(f"\n(ran in {time.perf_counter() - started:.0f} s; load averages {load_before} before, {load()} after)")
    emit(summary.line())
    if results is not None:
        write_results(results, output, load_before, load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
