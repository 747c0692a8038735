"""Server mode under hostile or broken input: every probe gets a well-formed answer or a closed connection.

Each test is one probe of issue 13 (hand-framed HTTP, connection handling, client mistakes
answered as server errors), sent raw over a socket to 127.0.0.1.  After each, the server
still serves, and nothing was logged with a traceback.  Nothing sleeps: waits are for an
answer or a closed connection, bounded by a socket timeout.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
from typing import Dict, Iterator, List, Optional, Tuple

import boto3
import pytest
from botocore.config import Config

from appfabric_mock.identity import MAX_REGION_LENGTH
from appfabric_mock.server import MAX_BODY_BYTES, ThreadedServer
from appfabric_mock.wsgi_server import ServerLimits

TIMEOUT = 20.0  # a bound for an answer that must come, never a sleep
HOST = b"Host: 127.0.0.1\r\n"


@pytest.fixture
def server(caplog: pytest.LogCaptureFixture) -> Iterator[ThreadedServer]:
    caplog.set_level(logging.INFO)
    with ThreadedServer() as running:
        yield running
    # A client's mistake is never logged as a server error.
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text


def exchange(port: int, data: bytes) -> Tuple[Optional[int], Dict[str, str], bytes]:
    """Send raw bytes and read one answer: (status or None when the server closed, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before all was sent
        return read_answer(sock)


def read_answer(sock: socket.socket) -> Tuple[Optional[int], Dict[str, str], bytes]:
    response = http.client.HTTPResponse(sock)
    try:
        response.begin()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None, {}, b""
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def assert_aws_error(answer: Tuple[Optional[int], Dict[str, str], bytes], status: int, code: str) -> str:
    got, headers, body = answer
    assert got == status, (got, body)
    assert headers["x-amzn-errortype"] == code
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-amzn-requestid"]
    document = json.loads(body)
    assert document["__type"] == code
    return str(document["message"])


def assert_still_serving(server: ThreadedServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request("GET", "/appbundles")
        response = conn.getresponse()
        assert response.status == 200
        assert "appBundleSummaryList" in json.loads(response.read())
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def post(path: str, body: bytes, *headers: bytes) -> bytes:
    return (b"POST " + path.encode() + b" HTTP/1.1\r\n" + HOST + b"".join(h + b"\r\n" for h in headers)
            + b"\r\n" + body)


# -- framing ------------------------------------------------------------------------------


def test_negative_chunk_size_is_a_400(server: ThreadedServer) -> None:
    data = post("/appbundles", b"-1\r\n" + b"x" * 4096, b"Content-Type: application/json",
                b"Transfer-Encoding: chunked")
    assert "chunk size" in assert_aws_error(exchange(server.port, data), 400, "ValidationException")
    assert_still_serving(server)


def test_a_chunked_body_past_the_limit_is_a_413_and_not_kept(server: ThreadedServer) -> None:
    # The probe sent 200 MiB this way; the server stops reading at the limit (1 MiB).
    chunk = b"x" * 65536
    data = post("/appbundles", b"", b"Content-Type: application/json", b"Transfer-Encoding: chunked")
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sent = 0
        try:
            sock.sendall(data)
            while sent < 4 * MAX_BODY_BYTES:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_answer(sock)
    # Either the 413 arrived, or the connection was cut before it could be read: never a body kept.
    if answer[0] is not None:
        assert_aws_error(answer, 413, "RequestEntityTooLarge")
    assert sent <= 4 * MAX_BODY_BYTES
    assert server.mock.resources() == []
    assert_still_serving(server)


def test_duplicate_content_length_is_a_400_and_no_second_request(server: ThreadedServer) -> None:
    # Two lengths (2, then 60): the rest of the body once ran as a second request.
    smuggled = b"POST /appbundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
    data = post("/appbundles", b"{}" + smuggled + b"x" * (60 - 2 - len(smuggled)),
                b"Content-Type: application/json", b"Content-Length: 2", b"Content-Length: 60")
    status, headers, body = exchange(server.port, data)
    assert "Content-Length" in assert_aws_error((status, headers, body), 400, "ValidationException")
    assert headers["connection"] == "close"
    assert server.mock.resources() == []
    assert_still_serving(server)


def test_content_length_with_chunked_is_a_400(server: ThreadedServer) -> None:
    data = post("/appbundles", b"2\r\n{}\r\n0\r\n\r\n", b"Content-Type: application/json",
                b"Content-Length: 12", b"Transfer-Encoding: chunked")
    message = assert_aws_error(exchange(server.port, data), 400, "ValidationException")
    assert "both Content-Length and Transfer-Encoding" in message
    assert server.mock.resources() == []
    assert_still_serving(server)


def test_transfer_encoding_in_http_1_0_is_a_400(server: ThreadedServer) -> None:
    data = (b"POST /appbundles HTTP/1.0\r\n" + HOST + b"Content-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    assert "HTTP/1.0" in assert_aws_error(exchange(server.port, data), 400, "ValidationException")
    assert_still_serving(server)


def test_an_unknown_transfer_coding_is_a_501(server: ThreadedServer) -> None:
    # "xchunkedx" once counted as chunked.  RFC 9112 §6.1: an unknown coding gets 501.
    data = post("/appbundles", b"2\r\n{}\r\n0\r\n\r\n", b"Content-Type: application/json",
                b"Transfer-Encoding: xchunkedx")
    assert_aws_error(exchange(server.port, data), 501, "NotImplemented")
    assert server.mock.resources() == []
    assert_still_serving(server)


@pytest.mark.parametrize("request_line, status, code", [
    (b"GET /appbundles\r\n\r\n", 400, "ValidationException"),  # HTTP/0.9: no version
    (b"GET /appbundles HTTP/0.9\r\n\r\n", 505, "HTTPVersionNotSupported"),
    (b"GET /appbundles HTTP/2.0\r\n\r\n", 505, "HTTPVersionNotSupported"),
    (b"get /appbundles HTTP/1.1\r\n\r\n", 400, "ValidationException"),
])
def test_other_http_versions_get_an_http_1_answer(server: ThreadedServer, request_line: bytes, status: int,
                                                  code: str) -> None:
    # HTTP/0.9 input once got a bare body; now a status line, headers and a JSON error.
    assert_aws_error(exchange(server.port, request_line), status, code)
    assert_still_serving(server)


def test_a_huge_header_block_is_a_431_and_not_kept(server: ThreadedServer) -> None:
    # The probe: 97 headers of 65,000 bytes (6.3 MB) were all accepted.
    head = b"GET /appbundles HTTP/1.1\r\n" + HOST
    headers = b"".join(b"X-Big-%d: %s\r\n" % (index, b"a" * 65000) for index in range(97))
    status, answer_headers, body = exchange(server.port, head + headers + b"\r\n")
    if status is not None:  # else cut off while sending, which is as bounded
        assert_aws_error((status, answer_headers, body), 431, "RequestHeaderFieldsTooLarge")
    assert_still_serving(server)


def test_just_over_the_header_limit_is_a_431(server: ThreadedServer) -> None:
    data = b"GET /appbundles HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * (64 << 10) + b"\r\n\r\n"
    assert_aws_error(exchange(server.port, data), 431, "RequestHeaderFieldsTooLarge")


# -- connections -------------------------------------------------------------------------


def test_fifty_keep_alive_clients_at_once_get_no_errors(server: ThreadedServer) -> None:
    # Backlog 5 once reset connections in such a burst; waitress listens with 1024.
    errors: List[BaseException] = []
    statuses: List[int] = []
    barrier = threading.Barrier(50)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            barrier.wait(TIMEOUT)
            for _ in range(20):
                conn.request("GET", "/appbundles")
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert statuses == [200] * 1000


def test_connections_beyond_the_limit_wait_and_are_served_in_turn() -> None:
    # No cap once meant stalls and a spinning accept loop at the file limit; now clients
    # beyond the cap wait in the backlog (the server does not accept them) until one closes.
    with ThreadedServer(limits=ServerLimits(connection_limit=3)) as server:
        socks = [socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) for _ in range(8)]
        most = 0
        try:
            for sock in socks:
                sock.sendall(b"GET /appbundles HTTP/1.1\r\n" + HOST + b"\r\n")
            for sock in socks:  # in connection order: each close lets the next one in
                status, _, _ = read_answer(sock)
                assert status == 200
                most = max(most, server.open_connections)
                sock.close()
        finally:
            for sock in socks:
                sock.close()
        assert 1 <= most <= 3
        assert_still_serving(server)


def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    # Idle connections were once held 120 s, a thread each.
    with ThreadedServer(limits=ServerLimits(idle_timeout=1)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /appbundles HTTP/1.1\r\n" + HOST + b"\r\n")
            assert read_answer(sock)[0] == 200
            assert sock.recv(1) == b""  # closed by the server, well within TIMEOUT
        assert_still_serving(server)


def test_a_request_that_does_not_arrive_in_time_gets_a_408() -> None:
    # A trickling client resets the idle timer; the request deadline counts from its first byte.
    # (A body that timed out was once a 500 with a traceback.)
    with ThreadedServer(limits=ServerLimits(idle_timeout=600, request_timeout=1)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(b"POST /appbundles HTTP/1.1\r\n" + HOST + b"Content-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{")
            answer = read_answer(sock)
        assert "did not arrive within 1 seconds" in assert_aws_error(answer, 408, "RequestTimeout")
        assert server.mock.resources() == []
        assert_still_serving(server)


# -- client mistakes are 4xx -------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_deeply_nested_json_is_a_400(server: ThreadedServer, depth: int) -> None:
    nested = b'{"tags": ' + b"[" * depth + b"]" * depth + b"}"
    message = assert_aws_error(exchange(server.port, post("/appbundles", nested, b"Content-Type: application/json",
                                                          b"Content-Length: %d" % len(nested))),
                               400, "ValidationException")
    assert "nested deeper than 64 levels" in message
    control = b'{"arn": ' + b"[" * depth + b"]" * depth + b"}"
    status, _, body = exchange(server.port, post("/_appfabric_mock/authorization-status", control,
                                                 b"Content-Type: application/json",
                                                 b"Content-Length: %d" % len(control)))
    assert status == 400 and "nested deeper" in json.loads(body)["error"]
    assert_still_serving(server)


def test_a_lone_surrogate_is_a_400_and_the_page_keeps_working(server: ThreadedServer) -> None:
    # A tag value "\ud800" once made GET / a 500 until reset.
    body = b'{"tags": [{"key": "k", "value": "\\ud800"}]}'
    message = assert_aws_error(exchange(server.port, post("/appbundles", body, b"Content-Type: application/json",
                                                          b"Content-Length: %d" % len(body))),
                               400, "ValidationException")
    assert "surrogate" in message
    user = b'{"app": "ASANA", "tenantId": "t", "email": "\\udfff@example.com"}'
    status, _, answer = exchange(server.port, post("/_appfabric_mock/app-users", user,
                                                   b"Content-Type: application/json",
                                                   b"Content-Length: %d" % len(user)))
    assert status == 400 and "surrogate" in json.loads(answer)["error"]
    # A surrogate pair (how JSON writes an emoji) is text, and fine.
    emoji = b'{"tags": [{"key": "k", "value": "\\ud83d\\ude00"}]}'
    status, _, _ = exchange(server.port, post("/appbundles", emoji, b"Content-Type: application/json",
                                              b"Content-Length: %d" % len(emoji)))
    assert status == 201
    assert server.mock.resources()[0]["tags"] == {"k": "\U0001F600"}
    assert_still_serving(server)


def test_the_page_survives_text_that_is_no_unicode() -> None:
    # Defence in depth: state written from Python, past the parser, with a lone surrogate still renders.
    with ThreadedServer() as server:
        backend = server.mock.backend()
        with backend.lock:
            backend.create_app_bundle({"tags": [{"key": "k", "value": "\ud800"}]})
        status, _, page = exchange(server.port, b"GET / HTTP/1.1\r\n" + HOST + b"\r\n")
        assert status == 200 and b"k=\\ud800" in page


def test_a_client_that_hangs_up_mid_request_harms_nobody(server: ThreadedServer) -> None:
    for data in (b"", b"GET /app", b"POST /appbundles HTTP/1.1\r\n" + HOST + b"Content-Length: 50\r\n\r\n{"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(data)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    assert_still_serving(server)


def test_waitress_answers_are_aws_shaped_with_a_request_id(server: ThreadedServer) -> None:
    first = exchange(server.port, b"BAD\r\n\r\n")
    second = exchange(server.port, b"BAD\r\n\r\n")
    assert_aws_error(first, 400, "ValidationException")
    assert first[1]["x-amzn-requestid"] != second[1]["x-amzn-requestid"]


def test_reads_of_unknown_accounts_and_regions_allocate_nothing(server: ThreadedServer) -> None:
    # Every new SigV4 region and account header once allocated a backend for good.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        for index in range(200):
            region = f"xx-probe-{index}" + "x" * 1000
            conn.request("GET", "/appbundles", headers={
                "Authorization": f"AWS4-HMAC-SHA256 Credential=AKID/20240101/{region}/appfabric/aws4_request, "
                                 "SignedHeaders=host, Signature=0",
                "X-Appfabric-Mock-Account-Id": f"{index:012d}"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            # A write that fails (no such bundle) allocates nothing either.
            conn.request("DELETE", "/appbundles/00000000-0000-4000-8000-000000000000",
                         headers={"X-Appfabric-Mock-Account-Id": f"{index:012d}"})
            response = conn.getresponse()
            response.read()
            assert response.status == 400  # DeleteAppBundle models no ResourceNotFoundException
    finally:
        conn.close()
    assert list(server.state.store.items()) == []
    assert_still_serving(server)


def test_a_scope_region_longer_than_a_dns_label_is_no_region(server: ThreadedServer) -> None:
    assert MAX_REGION_LENGTH == 63
    # The longest name botocore itself accepts (a DNS label) is a region of its own.
    longest = "xx-" + "a" * (MAX_REGION_LENGTH - 3)
    api = boto3.client("appfabric", endpoint_url=f"http://127.0.0.1:{server.port}", region_name=longest,
                       aws_access_key_id="AKIDLONG", aws_secret_access_key="fake",
                       config=Config(retries={"total_max_attempts": 1}))
    assert api.create_app_bundle()["appBundle"]["arn"].split(":")[3] == longest
    # One more character names no endpoint: the scope does not count, and the host (here, the
    # default region) decides, as for any scope that is not a region name.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request("POST", "/appbundles", body=b"{}", headers={
            "Content-Type": "application/json",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIDLONG/20240101/{longest}b/appfabric/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        response = conn.getresponse()
        created = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 201 and created["appBundle"]["arn"].split(":")[3] == "us-east-1"
    assert sorted(region for (_, region), _ in server.state.store.items()) == ["us-east-1", longest]
