"""Slow clients: connections that send nothing or trickle their headers do not stop service.

The issue's attack: with sync workers two such clients stopped every answer, /health included,
for the whole worker timeout. The gthread worker waits for a request's first bytes in its
poller, and a trickling client holds one thread of several, so everyone else is answered.
"""

from __future__ import annotations

from tests.e2e.conftest import Http
from tests.e2e.load import HEADERS, PREDICT_BODY, SlowClients

GENEROUS_TIMEOUT = 10  # "answered", not "answered fast": no latency is asserted


def test_health_and_predict_answer_while_eight_slow_clients_hold_connections(
        gunicorn: Http) -> None:
    slow = SlowClients(gunicorn.port, silent=4, trickling=4)
    try:
        slow.wait_trickling()
        statuses = []
        for _ in range(8):
            statuses.append(gunicorn.call("GET", "/health")[0])
            statuses.append(gunicorn.call("POST", "/predict", PREDICT_BODY, HEADERS)[0])
        assert statuses == [200] * 16
        assert slow.holding(), "a slow client was dropped before the probes ended"
    finally:
        slow.close()


def test_a_slow_client_that_finishes_its_request_is_answered(gunicorn: Http) -> None:
    slow = SlowClients(gunicorn.port, silent=1, trickling=0)
    try:
        connection = slow.silent[0]
        body = PREDICT_BODY
        connection.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           b"application/json\r\nContent-Length: " + str(len(body)).encode()
                           + b"\r\nConnection: close\r\n\r\n" + body)
        connection.settimeout(GENEROUS_TIMEOUT)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 ")
    finally:
        slow.close()
