"""Fuzzing: whatever arrives, the mock answers like AWS and a rejected request changes nothing.

Two properties, each with a modest, fixed number of examples (``derandomize``: the
same examples on every run, so the suite stays deterministic):

* raw HTTP straight into ``dispatch``: random methods, paths (real routes with
  random labels, and garbage), query strings, headers and bodies;
* boto3 with ``parameter_validation=False``: random operations with parameters
  drawn from (and around) the model's input shapes.

Every answer must be a success or a well-formed AWS error that botocore parses,
with a code of the model (or one of the two documented extra codes), never an
internal error caused by the mock, and an error must leave the state as it was.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape
from botocore.parsers import create_parser
from helpers import HOST, label
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appfabric_mock import AppFabricMock, mock_appfabric
from appfabric_mock.backend.answerable import UNKNOWN_OPERATION, UNMODELLED_ERRORS, answerable_errors
from appfabric_mock.backend.resources import parse_arn
from appfabric_mock.dispatch import dispatch
from appfabric_mock.protocol.compiled import protocol

# Fuzz deeper by hand: FUZZ_HTTP=5000 FUZZ_BOTO3=2000 FUZZ_RANDOM=1 python -m pytest tests/test_fuzz.py
HTTP_EXAMPLES = int(os.environ.get("FUZZ_HTTP", 400))
BOTO3_EXAMPLES = int(os.environ.get("FUZZ_BOTO3", 250))
SEED = 99
INTERNAL = "appfabric-mock internal error"
#: Codes outside the model that the mock documents: an unknown route, a reused client token, an expired page token.
EXTRA_CODES = {UNKNOWN_OPERATION, *UNMODELLED_ERRORS}
FUZZ_SETTINGS = settings(deadline=None, derandomize=os.environ.get("FUZZ_RANDOM") != "1", database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- a known starting state, identical for every example ------------------------------------------
def _post(m: AppFabricMock, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
    response = dispatch(m.state, "POST", f"https://{HOST}{path}", {"Content-Type": "application/json"},
                        json.dumps(body).encode())
    assert response.status < 300, response.body
    return dict(json.loads(response.body))


def _seed_state(m: AppFabricMock) -> Dict[str, str]:
    """Reset to: a bundle, a connected authorization, an ingestion with a destination (same ids each time)."""
    m.reset()
    m.state.settings.ids.reseed(SEED)
    bundle = _post(m, "/appbundles", {})["appBundle"]["arn"]
    auth = _post(m, f"/appbundles/{label(bundle)}/appauthorizations", {
        "app": "ASANA", "authType": "apiKey", "credential": {"apiKeyCredential": {"apiKey": "k"}},
        "tenant": {"tenantIdentifier": "t1", "tenantDisplayName": "T1"}})["appAuthorization"]["appAuthorizationArn"]
    _post(m, f"/appbundles/{label(bundle)}/appauthorizations/{label(auth)}/connect", {})
    ingestion = _post(m, f"/appbundles/{label(bundle)}/ingestions", {
        "app": "ASANA", "tenantId": "t1", "ingestionType": "auditLog"})["ingestion"]["arn"]
    destination = _post(m, f"/appbundles/{label(bundle)}/ingestions/{label(ingestion)}/ingestiondestinations", {
        "processingConfiguration": {"auditLog": {"schema": "ocsf", "format": "json"}},
        "destinationConfiguration": {"auditLog": {"destination": {"s3Bucket": {"bucketName": "bucket"}}}},
    })["ingestionDestination"]["arn"]
    return {"appBundleIdentifier": bundle, "appAuthorizationIdentifier": auth, "ingestionIdentifier": ingestion,
            "ingestionDestinationIdentifier": destination, "resourceArn": auth}


def _known_ids() -> Dict[str, str]:
    with mock_appfabric(now="2024-01-01T00:00:00Z") as m:
        return _seed_state(m)


KNOWN = _known_ids()
IDENTIFIERS = sorted(set(KNOWN.values())) + [v.rsplit("/", 1)[-1] for v in KNOWN.values()]


def _arns(value: Any) -> List[str]:
    if isinstance(value, dict):
        return [a for k, v in value.items() for a in ([v] if k == "arn" or k.endswith("Arn") else _arns(v))
                if isinstance(a, str) and ":appfabric:" in a]
    if isinstance(value, list):
        return [a for v in value for a in _arns(v)]
    return []


# -- checking an answer -----------------------------------------------------------------------------
def _known_codes() -> set:
    return set(protocol().error_shapes) | EXTRA_CODES


def check_answer(method: str, path: str, status: int, headers: Dict[str, str], body: bytes) -> Optional[str]:
    """Assert the answer is one AWS could send; return its error code (None for a success)."""
    assert 200 <= status < 600
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    found = protocol().router.find(method, path)
    operation = found[0] if found is not None else None
    parsed = create_parser("rest-json").parse(
        {"status_code": status, "headers": headers, "body": body},
        operation.output_shape if operation is not None and status < 300 else None,
    )
    if status < 300:
        assert operation is not None, f"{method} {path} succeeded without an operation"
        assert "Error" not in parsed
        for arn in _arns(parsed):  # every ARN the mock hands out is one it can resolve again
            assert parse_arn(arn) is not None, f"{method} {path} returned an unusable ARN {arn!r}"
        return None
    code = headers["x-amzn-ErrorType"]
    document = json.loads(body)
    assert document["__type"] == code and isinstance(document["message"], str)
    assert parsed["Error"]["Code"] == code
    assert code in _known_codes(), f"unmodelled error code {code}"
    if operation is not None:  # only errors the operation may answer (its model's list and the documented extras)
        assert code in answerable_errors(operation), f"{operation.name} answered {code}, which it does not model"
    assert not document["message"].startswith(INTERNAL), document["message"]
    return code


# -- values: mostly plausible, sometimes not ------------------------------------------------------
#: Plausible values per member name (what a real caller would send), so that examples get past
#: validation and reach the backend; random text and wrong types are mixed in below.
PLAUSIBLE: Dict[str, List[Any]] = {
    "app": ["ASANA", "SLACK", "OKTA", "ZOOM"],
    "tenantIdentifier": ["t1", "t2"], "tenantId": ["t1", "t2"], "tenantDisplayName": ["T"],
    "clientId": ["cid"], "clientSecret": ["secret"], "apiKey": ["key"], "code": ["code"],
    "redirectUri": ["https://us-east-1.console.aws.amazon.com/appfabric/oauth2"],
    "bucketName": ["bucket", "bucket-2"], "prefix": ["logs/"], "streamName": ["stream"],
    "key": ["team", "env"], "value": ["", "sec"],
    "clientToken": ["11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-aaaaaaaaaaaa"],
    "customerManagedKeyIdentifier": ["alias/appfabric", "arn:aws:kms:us-east-1:123456789012:key/k"],
    "email": ["a@example.com", "not-an-email"],
}


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any], odds: int) -> st.SearchStrategy[Any]:
    """``bad`` once in ``odds`` draws, else ``good`` (``one_of`` would weigh them equally)."""

    @st.composite
    def pick(draw: Any) -> Any:
        return draw(bad) if draw(st.integers(1, odds)) == odds else draw(good)

    return pick()


def _strategy(shape: Shape, name: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of ``shape``, mostly valid, sometimes not."""
    kind = shape.type_name
    junk = st.one_of(st.integers(-3, 3), st.text(max_size=5), st.booleans(), st.none())
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        if depth > 4:
            return st.just({})
        required = [m for m in shape.required_members if m in members]  # type: ignore[attr-defined]
        inner = {n: _strategy(s, n, depth + 1) for n, s in members.items()}
        if shape.metadata.get("union"):  # exactly one member, mostly
            valid = st.one_of(*[inner[n].map(lambda v, n=n: {n: v}) for n in sorted(inner)])
        else:
            valid = st.fixed_dictionaries({n: inner[n] for n in required},
                                          optional={n: inner[n] for n in members if n not in required})
        # Path labels always: without them no SDK can even build the URL.
        labels = {n: inner[n] for n in required if members[n].serialization.get("location") == "uri"}
        sparse = st.fixed_dictionaries(labels, optional={n: s for n, s in inner.items() if n not in labels})
        value = mostly(valid, sparse, 4)
    elif kind == "list":
        value = st.lists(_strategy(shape.member, name, depth + 1), max_size=3)  # type: ignore[attr-defined]
    elif kind == "map":
        value = st.dictionaries(st.text(max_size=5), _strategy(shape.value, name, depth + 1),  # type: ignore[attr-defined]
                                max_size=2)
    elif kind in ("integer", "long"):
        value = mostly(st.integers(1, 100), st.integers(-2, 120), 5)
    elif kind == "boolean":
        value = st.booleans()
    elif kind == "timestamp":
        value = st.datetimes()
    elif name in KNOWN or name in ("taskIdList", "resourceArn"):
        value = mostly(mostly(st.just(KNOWN.get(name, IDENTIFIERS[0])), st.sampled_from(IDENTIFIERS), 3),
                       st.text(max_size=20), 8)
    elif shape.enum:
        value = mostly(st.sampled_from(shape.enum), st.text(max_size=8), 8)
    elif name in PLAUSIBLE:
        value = mostly(st.sampled_from(PLAUSIBLE[name]), st.text(max_size=30), 8)
    else:
        value = st.text(max_size=30)
    if depth == 0:  # the input itself: always an object (the parameters of a call)
        return value
    # About one value in fifteen of the wrong type.
    return mostly(value, junk, 15)


OPERATION_NAMES = sorted(protocol().operations)
#: Built once: hypothesis strategies are cheap to draw from, not to build.
INPUTS: Dict[str, st.SearchStrategy[Any]] = {
    name: _strategy(spec.input_shape) if spec.input_shape is not None else st.just({})
    for name, spec in protocol().operations.items()
}


# -- property 1: raw HTTP into dispatch ---------------------------------------------------------------
def _path(uri: str, params: Dict[str, Any]) -> str:
    """A route with its labels taken from ``params``, encoded as SDKs encode them."""
    path = uri.split("?", 1)[0]
    for key in list(params):
        if "{" + key + "}" in path:
            value = params.pop(key)
            path = path.replace("{" + key + "}", label(value if isinstance(value, str) else json.dumps(value)))
    return path


def _raw_paths() -> List[str]:
    """Every route with the known identifiers not percent-encoded (as a careless client sends them)."""
    paths = set()
    for spec in protocol().operations.values():
        path = spec.model.http["requestUri"].split("?", 1)[0]
        for name, value in KNOWN.items():
            path = path.replace("{" + name + "}", value)
        paths.add(path)
    return sorted(paths)


RAW_PATHS = _raw_paths()


def _query(spec_query: Dict[str, Any], params: Dict[str, Any]) -> str:
    pairs = []
    for wire, (name, _) in spec_query.items():
        if name in params:
            value = params.pop(name)
            for item in value if isinstance(value, list) else [value]:
                pairs.append((wire, item if isinstance(item, str) else json.dumps(item)))
    return urlencode(pairs)


@st.composite
def http_requests(draw: Any) -> Tuple[str, str, Dict[str, str], bytes]:
    """(method, path with query, headers, body): an operation's request, mangled at random."""
    name = draw(st.sampled_from(OPERATION_NAMES))
    spec = protocol().operations[name]
    params: Dict[str, Any] = dict(draw(INPUTS[name]))
    # One request in ten has each part replaced by something random.
    mangle = draw(st.lists(st.integers(0, 9), min_size=4, max_size=4).map(lambda xs: [9 - x for x in xs]))
    method = spec.model.http["method"]
    if mangle[0] == 0:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS"]) | st.text(min_size=1, max_size=8))
    path = _path(spec.model.http["requestUri"], params)
    if mangle[1] == 0:
        path = draw(st.sampled_from(RAW_PATHS) | st.text(max_size=30).map(lambda t: "/" + quote(t, safe="/%")))
    query = _query(spec.bindings.query, params)
    if mangle[2] == 0:
        query = draw(st.text(max_size=20))
    body = json.dumps(params).encode()
    if mangle[3] == 0:
        body = draw(st.binary(max_size=30) | json_values.map(lambda v: json.dumps(v).encode()))
    headers = draw(st.fixed_dictionaries({}, optional={
        "Content-Type": st.sampled_from(["application/json", "application/x-amz-json-1.1", "text/plain", "", "%"]),
        "Authorization": st.one_of(
            (st.sampled_from(["us-east-1", "eu-west-1", "us-west-2"]) | st.text(min_size=1, max_size=12)).map(
                lambda r: f"AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20240101/{r}/appfabric/aws4_request"),
            st.text(max_size=30)),
        "x-appfabric-mock-account-id": st.sampled_from(["123456789012", "210987654321"]) | st.text(max_size=14),
    }))
    return method, path + (f"?{query}" if query else ""), headers, body


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=20) | st.sampled_from(IDENTIFIERS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=15), children, max_size=4),
    max_leaves=12,
)


def test_raw_http_into_dispatch_always_gets_a_wellformed_answer() -> None:
    counts: Dict[str, int] = {}
    with mock_appfabric(now="2024-01-01T00:00:00Z") as m:

        @settings(FUZZ_SETTINGS, max_examples=HTTP_EXAMPLES)
        @given(request=http_requests())
        def run(request: Tuple[str, str, Dict[str, str], bytes]) -> None:
            method, path, sent_headers, body = request
            _seed_state(m)
            before = m.snapshot()
            response = dispatch(m.state, method, f"https://{HOST}{path}", {"Host": HOST, **sent_headers}, body)
            code = check_answer(method, path.split("?", 1)[0], response.status, response.headers, response.body)
            counts[code or "success"] = counts.get(code or "success", 0) + 1
            if code is not None:
                assert m.snapshot() == before, f"{method} {path} failed with {code} but changed the state"

        run()
    assert sum(counts.values()) == HTTP_EXAMPLES
    assert counts.get("success", 0) > 0 and counts.get("ValidationException", 0) > 0
    assert counts.get("UnknownOperationException", 0) > 0


# -- property 2: boto3 with random parameters ---------------------------------------------------------
@st.composite
def boto3_calls(draw: Any) -> Tuple[str, Dict[str, Any]]:
    name = draw(st.sampled_from(OPERATION_NAMES))
    params = draw(INPUTS[name])
    return name, dict(params)


def _snake(name: str) -> str:
    return protocol().operations[name].method_name


def test_random_parameters_through_boto3_get_modelled_answers() -> None:
    counts: Dict[str, int] = {"success": 0, "client-side": 0}
    with mock_appfabric(now="2024-01-01T00:00:00Z") as m:
        client = boto3.client("appfabric", region_name="us-east-1",
                              config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))

        @settings(FUZZ_SETTINGS, max_examples=BOTO3_EXAMPLES)
        @given(call=boto3_calls())
        def run(call: Tuple[str, Dict[str, Any]]) -> None:
            name, params = call
            _seed_state(m)
            before, seen = m.snapshot(), len(m.calls)
            try:
                getattr(client, _snake(name))(**params)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                assert code in _known_codes(), code
                assert not error.response["Error"]["Message"].startswith(INTERNAL), error.response
                assert m.snapshot() == before, f"{name} failed with {code} but changed the state"
                counts[code] = counts.get(code, 0) + 1
                return
            except Exception:
                # Only botocore failing to serialise the parameters is acceptable: then the mock was
                # never asked.  A response botocore cannot parse would have been recorded first.
                assert len(m.calls) == seen
                counts["client-side"] += 1
                return
            counts["success"] += 1
            assert m.calls[-1].ok and m.calls[-1].operation == name

        run()
    assert sum(counts.values()) == BOTO3_EXAMPLES
    assert counts["success"] > 0 and counts.get("ValidationException", 0) > 0


@pytest.mark.parametrize("body", [b"{", b"[]", b"\xff\xfe", b'{"tags": "x"}', b'{"tags": [null]}'])
def test_malformed_bodies_are_rejected_without_change(appfabric_mock: AppFabricMock, body: bytes) -> None:
    before = appfabric_mock.snapshot()
    response = dispatch(appfabric_mock.state, "POST", f"https://{HOST}/appbundles",
                        {"Content-Type": "application/json"}, body)
    assert check_answer("POST", "/appbundles", response.status, response.headers, response.body) is not None
    assert appfabric_mock.snapshot() == before


# -- what the fuzzing found -----------------------------------------------------------------------
def test_a_signing_scope_that_is_no_region_does_not_make_unusable_arns(appfabric_mock: AppFabricMock) -> None:
    scope = "AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20240101/:/appfabric/aws4_request"
    response = dispatch(appfabric_mock.state, "POST", f"https://{HOST}/appbundles", {"Authorization": scope}, b"{}")
    assert check_answer("POST", "/appbundles", response.status, response.headers, response.body) is None
    arn = json.loads(response.body)["appBundle"]["arn"]
    assert arn.startswith("arn:aws:appfabric:us-east-1:123456789012:appbundle/")  # the host's region
    assert appfabric_mock.last_call is not None and appfabric_mock.last_call.access_key_id == "AKIAFUZZ"


@pytest.mark.parametrize("account", ["abc", "12345678901", "1234567890123", "12345678901\n"])
def test_a_malformed_account_header_is_a_validation_error(appfabric_mock: AppFabricMock, account: str) -> None:
    response = dispatch(appfabric_mock.state, "POST", f"https://{HOST}/appbundles",
                        {"x-appfabric-mock-account-id": account}, b"{}")
    assert check_answer("POST", "/appbundles", response.status, response.headers, response.body) == (
        "ValidationException")
    assert "12-digit account id" in json.loads(response.body)["message"]
    assert appfabric_mock.snapshot()["accounts"] == {}


def test_a_failed_look_in_another_region_leaves_no_trace_in_the_snapshot(appfabric_mock: AppFabricMock) -> None:
    before = appfabric_mock.snapshot()
    response = dispatch(appfabric_mock.state, "GET", "https://appfabric.eu-west-1.amazonaws.com/appbundles/"
                        + "0" * 8 + "-0000-4000-8000-" + "0" * 12, {}, b"")
    assert response.status == 404
    assert appfabric_mock.snapshot() == before
