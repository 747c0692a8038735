"""Server mode is safe by default against other web pages and local processes.

A page the developer opens can send "simple" cross-origin requests to 127.0.0.1
(forms, ``fetch`` with a text or unlabelled body) and, with DNS rebinding, read
the answers.  These tests send exactly what a browser would and check the refusal.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import warnings
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

from appfabric_mock import AppFabricMockWarning
from appfabric_mock.server import ThreadedServer

TIMEOUT = 20.0
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer() as running:
        yield running


def send(server: ThreadedServer, method: str, path: str, body: Optional[bytes] = None,
         headers: Optional[Dict[str, str]] = None, host: Optional[str] = None) -> Tuple[int, Dict[str, str], Any]:
    """One request; ``host`` replaces the Host header http.client would send."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        answer = {k.lower(): v for k, v in response.getheaders()}
        try:
            document = json.loads(data)
        except ValueError:
            document = data
        return response.status, answer, document
    finally:
        conn.close()


def create_bundle(server: ThreadedServer) -> None:
    status, _, _ = send(server, "POST", "/appbundles", b"{}", JSON)
    assert status == 201


# -- Host: DNS rebinding ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/appbundles", "/_appfabric_mock/state", "/_appfabric_mock/calls", "/"])
def test_a_foreign_host_is_refused(server: ThreadedServer, path: str) -> None:
    # A rebinding page's requests name its own host, resolved to 127.0.0.1.
    status, headers, body = send(server, "GET", path, host=f"attacker.example:{server.port}")
    assert status == 403
    assert headers["x-content-type-options"] == "nosniff"
    message = body["error"] if path.startswith("/_appfabric_mock") else body["message"]
    assert "attacker.example" in message and "--allowed-host" in message
    if not path.startswith("/_appfabric_mock"):
        assert headers["x-amzn-errortype"] == "HostNotAllowed"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "127.0.0.1"])
def test_loopback_hosts_are_allowed_on_any_port(server: ThreadedServer, host: str) -> None:
    assert send(server, "GET", "/appbundles", host=host.format(port=server.port))[0] == 200


def test_allowed_hosts_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFABRIC_MOCK_ALLOWED_HOSTS", "ci-runner, other.internal")
    with ThreadedServer(allowed_hosts=["appfabric"]) as server:
        for host in ("appfabric:5050", "ci-runner", "other.internal:80", "localhost"):
            assert send(server, "GET", "/appbundles", host=host)[0] == 200, host
        assert send(server, "GET", "/appbundles", host="appfabric.evil")[0] == 403
    with ThreadedServer(allowed_hosts=["*"]) as anything:
        assert send(anything, "GET", "/appbundles", host="whatever.example")[0] == 200
    with pytest.raises(TypeError):
        ThreadedServer(allowed_hosts="appfabric")


def test_http_1_1_without_host_is_a_400_and_http_1_0_may_omit_it(server: ThreadedServer) -> None:
    for request, status in ((b"GET /appbundles HTTP/1.1\r\n\r\n", 400), (b"GET /appbundles HTTP/1.0\r\n\r\n", 200)):
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(request)
            response = http.client.HTTPResponse(sock)
            response.begin()
            assert response.status == status
            response.read()


def test_a_server_on_every_address_accepts_ip_hosts_and_warns() -> None:
    with pytest.warns(AppFabricMockWarning, match="beyond this machine's loopback interface"):
        server = ThreadedServer(host="0.0.0.0").start()
    try:
        # No page can rebind to an IP literal; a name must still be allowed.
        assert send(server, "GET", "/appbundles", host=f"10.1.2.3:{server.port}")[0] == 200
        assert send(server, "GET", "/appbundles", host="attacker.example")[0] == 403
    finally:
        server.stop()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ThreadedServer(host="127.0.0.1").start().stop()  # loopback: no warning


# -- simple cross-origin requests -----------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/plain;charset=UTF-8", "text/plain; x=json",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
@pytest.mark.parametrize("action, body", [
    ("reset", b""),
    ("faults", b'{"operation": "*", "error": "ThrottlingException"}'),
    ("access/deny", b'{"action": "appfabric:*"}'),
    ("clock/set", b'{"at": "2030-01-01T00:00:00Z"}'),
])
def test_control_changes_need_application_json(server: ThreadedServer, content_type: Optional[str], action: str,
                                               body: bytes) -> None:
    create_bundle(server)
    headers = {"Content-Type": content_type} if content_type else {}
    status, _, answer = send(server, "POST", f"/_appfabric_mock/{action}", body, headers)
    assert status == 415
    assert "application/json" in answer["error"]
    # Nothing happened: the bundle is there, no fault or denial, the clock runs.
    assert len(server.mock.resources()) == 1
    assert server.mock.faults == [] and server.state.access is None
    assert not server.mock.clock.frozen
    assert send(server, "GET", "/appbundles")[0] == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_resource_requests_from_a_form_or_text_body_are_refused(server: ThreadedServer,
                                                                content_type: Optional[str]) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, headers_out, answer = send(server, "POST", "/appbundles", b'{"tags": []}', headers)
    assert status == 400 and headers_out["x-amzn-errortype"] == "ValidationException"
    assert answer["reason"] == "cannotParse"
    assert server.mock.resources() == []


@pytest.mark.parametrize("headers", [
    {"Origin": "http://attacker.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_browser_requests_from_other_pages_are_refused(server: ThreadedServer, headers: Dict[str, str]) -> None:
    # Even a body-less POST (no content type at all), as fetch() sends it without a preflight.
    status, answer_headers, answer = send(server, "POST", "/appbundles", None, headers)
    assert status == 403 and answer_headers["x-amzn-errortype"] == "CrossOriginRequest"
    status, _, answer = send(server, "POST", "/_appfabric_mock/reset", b"{}", {**JSON, **headers})
    assert status == 403 and "other web pages" in answer["error"]
    assert server.mock.resources() == []


def test_the_servers_own_page_is_same_origin(server: ThreadedServer) -> None:
    origin = {"Origin": f"http://127.0.0.1:{server.port}", "Sec-Fetch-Site": "same-origin"}
    assert send(server, "POST", "/_appfabric_mock/reset", b"", {**JSON, **origin})[0] == 200
    assert send(server, "GET", "/", None, {"Sec-Fetch-Site": "none"})[0] == 200  # typed in the address bar


def test_sdk_style_requests_pass(server: ThreadedServer) -> None:
    # botocore: application/json with a body, nothing on GET/DELETE; the JS SDK v2: application/json on
    # every POST; JSON-protocol SDKs label bodies application/x-amz-json-1.1.
    assert send(server, "POST", "/appbundles", b"{}", JSON)[0] == 201
    assert send(server, "GET", "/appbundles")[0] == 200
    server.mock.reset()
    assert send(server, "POST", "/appbundles", b"{}", {"Content-Type": "application/x-amz-json-1.1"})[0] == 201


# -- the token ---------------------------------------------------------------------------------


def test_a_token_protects_the_control_api(monkeypatch: pytest.MonkeyPatch) -> None:
    with ThreadedServer(token="s3cret-token") as server:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Appfabric-Mock-Token": "s3cret"}):
            status, answer_headers, answer = send(server, "GET", "/_appfabric_mock/state", None, headers)
            assert status == 401, headers
            assert answer_headers["www-authenticate"] == 'Bearer realm="appfabric-mock"'
            assert "token" in answer["error"] and "s3cret" not in answer["error"]
        assert send(server, "GET", "/_appfabric_mock/state", None, {"Authorization": "Bearer s3cret-token"})[0] == 200
        assert send(server, "POST", "/_appfabric_mock/reset", b"",
                    {**JSON, "X-Appfabric-Mock-Token": "s3cret-token"})[0] == 200
        # The AWS API itself is signed by the SDKs and needs no token.
        assert send(server, "GET", "/appbundles")[0] == 200
    monkeypatch.setenv("APPFABRIC_MOCK_TOKEN", "from-env")
    with ThreadedServer() as server:
        assert send(server, "GET", "/_appfabric_mock/state")[0] == 401
        assert send(server, "GET", "/_appfabric_mock/state", None, {"Authorization": "Bearer from-env"})[0] == 200


# -- response headers and the page -----------------------------------------------------------


def test_every_answer_says_nosniff_and_the_page_has_a_strict_csp(server: ThreadedServer) -> None:
    for method, path in (("GET", "/appbundles"), ("GET", "/nope"), ("GET", "/_appfabric_mock/state"),
                         ("GET", "/_appfabric_mock/nope"), ("GET", "/")):
        assert send(server, method, path)[1]["x-content-type-options"] == "nosniff", path
    _, headers, _ = send(server, "GET", "/")
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
    assert "'unsafe-inline'" not in csp and "script-src" not in csp
    assert headers["x-frame-options"] == "DENY"


def test_the_page_style_matches_its_csp_hash() -> None:
    import base64
    import hashlib
    import re

    from appfabric_mock import status_page
    from appfabric_mock.state import MockState

    page = status_page.render(MockState()).decode()
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in status_page.HEADERS["Content-Security-Policy"]


# -- the command line ------------------------------------------------------------------------


def _clean_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APPFABRIC_MOCK_"))}
    env.update(extra)
    return env


def test_the_server_extra_is_named_when_waitress_is_missing(tmp_path: Any) -> None:
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text("import sys\nsys.modules['waitress'] = None\n")
    env = _clean_env(PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    code = ("from appfabric_mock.server import ThreadedServer\n"
            "try:\n    ThreadedServer().start()\nexcept ImportError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "pip install 'appfabric-mock[server]'" in done.stdout, done.stderr
    cli = subprocess.run([sys.executable, "-m", "appfabric_mock", "server", "--port", "0"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 1
    assert "appfabric-mock[server]" in cli.stderr and "Traceback" not in cli.stderr


def _start_cli(*args: str, env: Optional[Dict[str, str]] = None) -> Tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "appfabric_mock", "server", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or _clean_env())
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("appfabric-mock serving on "):
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r} {proc.communicate(timeout=10)[1]}")
    return proc, line.rsplit(" ", 1)[1].strip()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signals", [("SIGTERM", "SIGINT"), ("SIGINT", "SIGTERM"), ("SIGTERM", "SIGTERM", "SIGTERM"),
                                     ("SIGINT", "SIGINT")])
def test_any_sequence_of_stop_signals_exits_0(signals: Tuple[str, ...]) -> None:
    proc, _ = _start_cli("--quiet")
    try:
        for name in signals:  # back to back: the later ones land during the stop
            proc.send_signal(getattr(signal, name))
        _, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_the_command_line_warns_beyond_loopback_and_takes_hosts_and_token() -> None:
    proc, url = _start_cli("--host", "0.0.0.0", "--allowed-host", "appfabric", "--token", "t0k")
    port = int(url.rsplit(":", 1)[1])
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.putrequest("GET", "/_appfabric_mock/state", skip_host=True)
        conn.putheader("Host", f"appfabric:{port}")
        conn.putheader("Authorization", "Bearer t0k")
        conn.endheaders()
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "WARNING: appfabric-mock is listening on 0.0.0.0, beyond this machine's loopback" in stderr
    assert "control API needs the token" in stderr and "t0k" not in stderr
