"""Edges only a real Gunicorn shows: chunked bodies, and Gunicorn's own refusals, over sockets."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Http

LIMIT = 1024 * 1024


def raw_exchange(http: Http, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; return the status, headers and body of the answer."""
    address = urlsplit(http.base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in
               (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def chunked_post(path: str, body: bytes, chunk: int = 64 * 1024) -> bytes:
    """A POST whose JSON body is sent with Transfer-Encoding: chunked (no Content-Length)."""
    pieces = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + chunk]), body[i:i + chunk])
                      for i in range(0, len(body), chunk))
    return (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode() \
        + pieces + b"0\r\n\r\n"


def padded_session(size: int) -> bytes:
    """A valid single-prediction body padded with spaces to exactly size bytes."""
    core = b'{"duration_minutes": 20, "mood_before": "tired"}'
    return core[:-1] + b" " * (size - len(core)) + b"}"


def test_a_chunked_body_over_the_limit_is_413(gunicorn: Http) -> None:
    status, headers, body = raw_exchange(gunicorn, chunked_post("/predict",
                                                                padded_session(LIMIT + 1)))
    assert status == 413 and json.loads(body)["code"] == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_at_the_limit_is_answered(gunicorn: Http) -> None:
    status, _, body = raw_exchange(gunicorn, chunked_post("/predict", padded_session(LIMIT)))
    assert status == 200 and json.loads(body)["mood_after"]


def test_a_small_chunked_body_is_answered(gunicorn: Http) -> None:
    status, _, body = raw_exchange(gunicorn, chunked_post("/predict", padded_session(100)))
    assert status == 200 and json.loads(body)["mood_after"]


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URI_TOO_LONG"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431,
     "HEADERS_TOO_LARGE"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(120))
     + b"\r\n", 431, "HEADERS_TOO_LARGE"),
    (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "BAD_REQUEST"),
    (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n{}", 400,
     "BAD_REQUEST"),
    (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "BAD_REQUEST"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400, "BAD_REQUEST"),
    (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
    (b"POST /predict HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}",
     417, "EXPECTATION_FAILED"),
    (b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n", 501,
     "NOT_IMPLEMENTED"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
     "BAD_REQUEST"),
])
def test_gunicorn_refusals_are_json(gunicorn: Http, request_bytes: bytes, status: int,
                                    code: str) -> None:
    got, headers, body = raw_exchange(gunicorn, request_bytes)
    assert got == status, body
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["code"] == code and answer["error"] and answer["details"] == []


def test_security_headers_over_http(gunicorn: Http) -> None:
    status, headers, _ = raw_exchange(gunicorn, b"OPTIONS /predict HTTP/1.1\r\nHost: x\r\n"
                                                b"Connection: close\r\n\r\n")
    assert status == 204 and headers["allow"] == "OPTIONS, POST"
    assert headers["x-content-type-options"] == "nosniff" and "content-type" not in headers
