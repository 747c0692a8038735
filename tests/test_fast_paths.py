"""Fast paths answer what the plain definitions they duplicate answer.

* Routing: :class:`~appfabric_mock.protocol.routing.Router` (one alternation per method,
  matches kept) against :class:`~appfabric_mock.protocol.routing.Routes` (the first
  route, in order, whose template matches).
* An oauth2 authorization's ``authUrl``: the query written out directly against
  ``urlencode(..., quote_via=quote)``.

(The serialiser's fast paths: ``tests/test_serialization_fast_paths.py``.)
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appfabric_mock._model import service_model
from appfabric_mock.backend.backend import AppFabricBackend
from appfabric_mock.backend.settings import Settings
from appfabric_mock.protocol.routing import Router, Routes

EQUIVALENCE = settings(deadline=None, derandomize=True, database=None, max_examples=150,
                       suppress_health_check=[HealthCheck.too_slow])

ROUTES = Routes(service_model())
ROUTER = Router(service_model())
TEMPLATES: List[Tuple[str, str]] = sorted(
    (model.http["method"], model.http["requestUri"].split("?", 1)[0])
    for model in (service_model().operation_model(name) for name in service_model().operation_names)
)
#: Label values as clients send them: ARNs percent-encoded or not, odd characters, empty.
LABELS = st.one_of(
    st.sampled_from(["b1", "arn%3Aaws%3Aappfabric%3Aus-east-1%3A123456789012%3Aappbundle%2Fb1",
                     "arn:aws:appfabric:us-east-1:123456789012:appbundle/b1", "%2F", "a/b", "", "%E2%82%AC", "%zz"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
)


def _fill(template: str, values: List[str]) -> str:
    parts = template.split("{")
    out = parts[0]
    for index, part in enumerate(parts[1:]):
        out += values[index % len(values)] + part.split("}", 1)[1]
    return out


@st.composite
def requests(draw: Any) -> Tuple[str, str]:
    method, template = draw(st.sampled_from(TEMPLATES))
    path = _fill(template, draw(st.lists(LABELS, min_size=1, max_size=4)))
    if draw(st.booleans()):
        path = draw(st.sampled_from(["", "/", "//"])) + path + draw(st.sampled_from(["", "/", "/x", "?q=1"]))
    method = draw(st.sampled_from([method, method.lower(), "GET", "PUT", "HEAD"]))
    return method, path


@EQUIVALENCE
@given(request=requests())
def test_the_router_matches_as_the_routes_mean(request: Tuple[str, str]) -> None:
    method, path = request
    expected = ROUTES.find(method, path)
    for _ in range(2):  # the second time from the kept matches
        found = ROUTER.find(method, path)
        assert (found is None) == (expected is None), (method, path)
        if found is not None and expected is not None:
            assert (found[0].name, found[1]) == (expected[0].name, expected[1]), (method, path)


def test_kept_matches_are_never_shared() -> None:
    operation, labels = ROUTER.match("GET", "/appbundles/b1")
    labels["appBundleIdentifier"] = "changed"
    assert ROUTER.match("GET", "/appbundles/b1")[1] == {"appBundleIdentifier": "b1"}
    assert operation.name == "GetAppBundle"


def _authorization(backend: AppFabricBackend, client_id: str) -> Dict[str, Any]:
    bundle = backend.create_app_bundle({})["appBundle"]["arn"]
    created = backend.create_app_authorization({
        "appBundleIdentifier": bundle, "app": "SLACK", "authType": "oauth2",
        "credential": {"oauth2Credential": {"clientId": client_id, "clientSecret": "s"}},
        "tenant": {"tenantIdentifier": "t", "tenantDisplayName": "T"},
    })
    return created["appAuthorization"]  # type: ignore[no-any-return]


@EQUIVALENCE
@given(client_id=st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
       region=st.sampled_from(["us-east-1", "eu-west-1", "ap-northeast-1", "cn-north-1", "us-gov-west-1"]))
def test_auth_urls_carry_what_urlencode_writes(client_id: str, region: str) -> None:
    settings = Settings()
    settings.quotas = {name: None for name in settings.quotas}
    authorization = _authorization(AppFabricBackend("123456789012", region, settings), client_id)
    url = urlsplit(authorization["authUrl"])
    state = parse_qs(url.query)["state"][0]
    expected = urlencode({
        "client_id": client_id,
        "redirect_uri": f"https://{region}.console.aws.amazon.com/appfabric/oauth2",
        "response_type": "code",
        "state": state,
    }, quote_via=quote)
    assert url.query == expected
    assert (url.scheme, url.netloc, url.path) == ("https", "slack.com", "/oauth/v2/authorize")  # Slack's endpoint
