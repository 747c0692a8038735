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
  HTTP stack (``benchmarks/server_bench.py``).

The last line is a summary of every ratio against its target.
"""

from __future__ import annotations

import argparse
import gc
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

Call = Callable[[int], Any]


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Settings:
    """How long to measure."""

    calls: int  # operations per batch, per-call rows
    tests: int  # iterations per batch, per-test rows
    moto_tests: int  # iterations per batch, moto's per-test row (much slower)
    empty_tests: int  # iterations per batch, `with mock_appfabric(): pass`
    repeats: int  # batches per variant (the median is reported)
    imports: int  # fresh interpreters per variant
    scale_sizes: Tuple[int, ...]
    server_calls: int


FULL = Settings(calls=200, tests=20, moto_tests=4, empty_tests=2000, repeats=9, imports=15,
                scale_sizes=(10, 1_000, 100_000), server_calls=500)
QUICK = Settings(calls=3, tests=2, moto_tests=1, empty_tests=20, repeats=1, imports=1,
                 scale_sizes=(10, 100, 1_000), server_calls=5)

#: A batch: sets itself up (untimed), runs ``n`` operations and returns the seconds they took.
Batch = Callable[[int], float]


def interleaved(batches: Dict[str, Tuple[Batch, int]], repeats: int) -> Dict[str, float]:
    """Median µs per operation of each batch, the batches run in rotating order."""
    names = list(batches)
    samples: Dict[str, List[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        offset = round_ % len(names)
        for name in names[offset:] + names[:offset]:
            batch, n = batches[name]
            gc.collect()  # a collection left over from the last batch is not this batch's cost
            samples[name].append(batch(n) / n * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def timed(call: Call, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        call(i)
    return time.perf_counter() - start


# -- per call ----------------------------------------------------------------------------


@dataclass
class Case:
    """One AppFabric operation and its EventBridge Scheduler counterpart.

    ``seed`` runs against an active mock and returns the arguments ``call`` needs;
    ``call(client, args, i)`` makes the i-th timed call.  Same for moto.
    """

    name: str
    operation: str
    seed: Callable[[Any], Dict[str, Any]]
    call: Callable[[Any, Dict[str, Any], int], Any]
    moto_name: str
    moto_seed: Callable[[Any], Dict[str, Any]]
    moto_call: Callable[[Any, Dict[str, Any], int], Any]


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
        _authorization(client, bundle, f"tenant-{index}")
        client.create_ingestion(appBundleIdentifier=bundle, app="SLACK", tenantId=f"tenant-{index}",
                                ingestionType="auditLog")
    return {"bundle": bundle}


def _schedule(client: Any, name: str, expression: str = "rate(1 hour)") -> None:
    client.create_schedule(Name=name, ScheduleExpression=expression, FlexibleTimeWindow={"Mode": "OFF"},
                           Target=TARGET)


def _schedules(client: Any, count: int) -> Dict[str, Any]:
    for index in range(count):
        _schedule(client, f"schedule-{index}")
    return {}


def _with_authorization(client: Any) -> Dict[str, Any]:
    bundle = _bundle(client)
    return {"bundle": bundle, "auth": _authorization(client, bundle, "tenant")}


def _list_schedules(client: Any, expected: int) -> Any:
    response = client.list_schedules()
    assert len(response["Schedules"]) == expected, response
    return response


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


@dataclass
class Captured:
    """What the mock answered to one call of a case: the floor and the Stubber replay it."""

    args: Dict[str, Any]
    status: int
    headers: Dict[str, str]
    body: bytes
    parsed: Dict[str, Any]


def capture(client: Any, case: Case) -> Captured:
    """Run a case once against the mock and keep the raw response of its timed call."""
    raw: Dict[str, Any] = {}

    def keep(response_dict: Dict[str, Any], **_: Any) -> None:
        raw.update(response_dict)

    event = f"before-parse.appfabric.{case.operation}"
    with mock_appfabric(quotas=None):
        args = case.seed(client)
        client.meta.events.register(event, keep)
        try:
            parsed = case.call(client, args, 0)
        finally:
            client.meta.events.unregister(event, keep)
    parsed.pop("ResponseMetadata", None)
    return Captured(args, raw["status_code"], dict(raw["headers"]), raw["body"], parsed)


def appfabric_clients() -> Dict[str, Any]:
    # One private session (not boto3's default one) for every per-call client.
    session = boto3.session.Session(region_name=REGION, **CREDENTIALS)
    return {name: session.client("appfabric") for name in ("mock", "floor", "stubber", "recording-off")}


def mock_batch(client: Any, case: Case, recording: bool = True) -> Batch:
    def run(n: int) -> float:
        with mock_appfabric(quotas=None) as m:
            args = case.seed(client)
            if not recording:
                _remove_recorder(m)
            return timed(lambda i: case.call(client, args, i), n)

    return run


def _remove_recorder(m: Any) -> None:
    state = m.state
    recorder = getattr(state, "recorder", None)
    if recorder is not None and recorder.observe in state.observers:
        state.observers.remove(recorder.observe)


def floor_batch(client: Any, case: Case, captured: Captured) -> Batch:
    status, headers, body = captured.status, captured.headers, captured.body

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, status, headers, _Body(body))

    event = f"before-send.appfabric.{case.operation}"

    def run(n: int) -> float:
        client.meta.events.register(event, answer)
        try:
            return timed(lambda i: case.call(client, captured.args, i), n)
        finally:
            client.meta.events.unregister(event, answer)

    return run


def stubber_batch(client: Any, case: Case, captured: Captured) -> Batch:
    method = _method_name(case.operation)

    def run(n: int) -> float:
        stubber = Stubber(client)
        for _ in range(n):
            stubber.add_response(method, captured.parsed)
        with stubber:
            return timed(lambda i: case.call(client, captured.args, i), n)

    return run


def moto_batch(case: Case) -> Batch:
    from moto import mock_aws

    def run(n: int) -> float:
        with mock_aws():
            client = boto3.session.Session(region_name=REGION, **CREDENTIALS).client("scheduler")
            args = case.moto_seed(client)
            if case.moto_name.startswith("list_schedules"):
                _list_schedules(client, 50 if "50" in case.moto_name else 1)
            return timed(lambda i: case.moto_call(client, args, i), n)

    return run


def _method_name(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


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


def per_call(settings: Settings, summary: Summary) -> List[Table]:
    clients = appfabric_clients()
    captured = {case.name: capture(clients["mock"], case) for case in CASES}
    table = Table(
        "Per call through boto3 (µs per call; ratio = appfabric-mock / other)",
        ["operation", "appfabric-mock", "floor", "mock/floor", "target", "met", "Stubber", "mock/Stubber",
         "moto (Scheduler)", "moto µs", "moto/mock"],
    )
    recording = Table(
        "Cost of call recording (always on; µs per call)",
        ["operation", "recording on", "recording off", "difference", "share of the call"],
    )
    for case in CASES:
        batches: Dict[str, Tuple[Batch, int]] = {
            "mock": (mock_batch(clients["mock"], case), settings.calls),
            "floor": (floor_batch(clients["floor"], case, captured[case.name]), settings.calls),
            "stubber": (stubber_batch(clients["stubber"], case, captured[case.name]), settings.calls),
            "moto": (moto_batch(case), settings.calls),
        }
        if case.name in ("GetAppBundle", "ListIngestions, 50 items", "CreateAppAuthorization"):
            batches["recording-off"] = (mock_batch(clients["recording-off"], case, recording=False), settings.calls)
        result = interleaved(batches, settings.repeats)
        mock, floor = result["mock"], result["floor"]
        over = mock / floor
        met = summary.check(f"{case.name} mock/floor", f"{over:.2f}x (<=1.2x)", over <= 1.2)
        table.add(case.name, us(mock), us(floor), ratio(over), "<= 1.20x", met, us(result["stubber"]),
                  ratio(mock / result["stubber"]), case.moto_name, us(result["moto"]), ratio(result["moto"] / mock))
        if "recording-off" in result:
            off = result["recording-off"]
            recording.add(case.name, us(mock), us(off), us(mock - off), f"{(mock - off) / mock:.1%}")
    table.notes.append(
        "floor: a before-send handler returns the mock's bytes (serialise + sign + parse, no mock work). "
        "Stubber: botocore.stub.Stubber (no HTTP). moto: mock_aws with EventBridge Scheduler's rest-json calls."
    )
    recording.notes.append("recording off: the recorder's observer removed from the mock's state for the batch.")
    return [table, recording]


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

    one_test(0)  # warm: the first start compiles the protocol from botocore's model
    one_moto_test(0)
    result = interleaved(
        {
            "with mock_appfabric(): pass": (empty_mock, settings.empty_tests),
            "with mock_aws(): pass": (empty_moto, max(1, settings.empty_tests // 20)),
            "mock test": (lambda n: timed(one_test, n), settings.tests),
            "moto test": (lambda n: timed(one_moto_test, n), settings.moto_tests),
        },
        settings.repeats,
    )
    table = Table("Per test (µs per test)", ["what", "appfabric-mock", "moto", "moto/mock", "target", "met"])
    empty = result["with mock_appfabric(): pass"]
    met = summary.check("with mock_appfabric(): pass", f"{us(empty)} µs (<50 µs)", empty < 50)
    table.add("`with mock_appfabric(): pass` / `with mock_aws(): pass`", us(empty), us(result["with mock_aws(): pass"]),
              ratio(result["with mock_aws(): pass"] / empty), "< 50 µs", met)
    mock, moto = result["mock test"], result["moto test"]
    cheaper = moto / mock
    met = summary.check("start+client+call+stop moto/mock", f"{cheaper:.1f}x (>=20x)", cheaper >= 20)
    table.add("start + boto3.client + one create call + stop", us(mock), us(moto), ratio(cheaper), ">= 20x", met)
    median = {name: statistics.median(values) for name, values in parts.items()}
    ours = median["start"] + median["call"] + median["stop"]
    table.notes.append(
        f"appfabric-mock's test, split (medians): start {us(median['start'])} µs, boto3.client "
        f"{us(median['client'])} µs (botocore), create_app_bundle {us(median['call'])} µs, stop "
        f"{us(median['stop'])} µs; what is the mock's own: start + stop = "
        f"{us(median['start'] + median['stop'])} µs (the call is mostly botocore, see per call)."
    )
    table.notes.append(
        f"moto's test also creates a boto3 session per test (mock_aws resets boto3's default session); "
        f"start + call + stop of appfabric-mock alone: {us(ours)} µs."
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

    process("import boto3; import appfabric_mock")(1)  # warm the OS file cache and the .pyc files
    result = interleaved(
        {
            "boto3": (process("import boto3"), 1),
            "boto3 + appfabric_mock": (process("import boto3; import appfabric_mock"), 1),
        },
        settings.imports,
    )
    table = Table("Import (ms per fresh interpreter)", ["what", "ms", "ratio", "target", "met"])
    base, ours = result["boto3"], result["boto3 + appfabric_mock"]
    over = ours / base
    met = summary.check("import mock/boto3", f"{over:.2f}x (<=1.15x)", over <= 1.15)
    table.add("python -c 'import boto3'", f"{base / 1000:.1f}", "", "", "")
    table.add("python -c 'import boto3; import appfabric_mock'", f"{ours / 1000:.1f}", ratio(over), "<= 1.15x", met)
    table.notes.append(f"medians of {settings.imports} interleaved runs of a whole process each.")
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
                lambda i: _list_page(c, t, page), n)), max(1, settings.calls // 4))
        result = interleaved(batches, settings.repeats)
    smallest, largest = sizes[0], sizes[-1]
    for size in sizes:
        get, listed = result[f"get {size}"], result[f"list {size}"]
        table.add(f"{size:,}", us(get), ratio(get / result[f"get {smallest}"]), us(listed),
                  ratio(listed / result[f"list {smallest}"]))
    get_ratio = result[f"get {largest}"] / result[f"get {smallest}"]
    list_ratio = result[f"list {largest}"] / result[f"list {smallest}"]
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
        if hasattr(m, "clear_calls"):
            m.clear_calls()
        return batch(n)

    return run


# -- server ------------------------------------------------------------------------------


def server(settings: Settings, summary: Summary) -> Table:
    table = Table("Server (µs per GET over HTTP)", ["what", "µs", "ratio", "target", "met"])
    try:
        from server_bench import measure_server  # type: ignore[import-not-found]
    except ImportError as exc:
        summary.missing("server mock/minimal")
        table.add("appfabric-mock server", "not available", "", "<= 1.30x", "n/a")
        table.add("minimal server, same HTTP stack", "not available", "", "", "")
        table.notes.append(f"server benchmark not available: benchmarks/server_bench.py could not be imported ({exc}).")
        return table
    mock, minimal = _server_numbers(measure_server(settings.server_calls))
    over = mock / minimal
    met = summary.check("server mock/minimal", f"{over:.2f}x (<=1.3x)", over <= 1.3)
    table.add("appfabric-mock server", us(mock), ratio(over), "<= 1.30x", met)
    table.add("minimal server, same HTTP stack", us(minimal), "", "", "")
    return table


def _server_numbers(result: Any) -> Tuple[float, float]:
    """(mock µs, minimal µs) from what measure_server returns (a pair or a mapping)."""
    if isinstance(result, dict):
        mock = next(v for k, v in result.items() if "mock" in k)
        minimal = next(v for k, v in result.items() if "minimal" in k or "baseline" in k)
        return float(mock), float(minimal)
    mock, minimal = result[0], result[1]
    return float(mock), float(minimal)


# -- main --------------------------------------------------------------------------------


def machine() -> str:
    import botocore

    return (f"{os.cpu_count()} CPUs (nproc), Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.machine()}, boto3 {boto3.__version__}, botocore {botocore.__version__}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (numbers are meaningless)")
    parser.add_argument("--only", choices=("call", "test", "import", "scale", "server"), action="append",
                        help="run only these sections (repeatable)")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    sections = options.only or ["call", "test", "import", "scale", "server"]
    summary = Summary()
    print(f"appfabric-mock benchmarks{' (--quick)' if options.quick else ''}: {machine()}", flush=True)
    started = time.perf_counter()
    for section in sections:
        if section == "call":
            tables = per_call(settings, summary)
        elif section == "test":
            tables = [per_test(settings, summary)]
        elif section == "import":
            tables = [import_time(settings, summary)]
        elif section == "scale":
            tables = [scale(settings, summary)]
        else:
            tables = [server(settings, summary)]
        for table in tables:
            print("\n" + table.render(), flush=True)
    print(f"\n(ran in {time.perf_counter() - started:.0f} s)")
    print(summary.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())

