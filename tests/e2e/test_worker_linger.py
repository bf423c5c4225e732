"""The served worker (app/worker.py) keeps a busy keep-alive connection on its thread, but never
one that goes quiet: a real Gunicorn, one worker with two threads, over loopback sockets."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.conftest import serving
from tests.e2e.load import PREDICT_BODY, SlowClients

GENEROUS_TIMEOUT = 10  # "answered", not "answered fast"; the idle connections stay up for 60 s
REQUEST = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: " + str(len(PREDICT_BODY)).encode() + b"\r\n\r\n" + PREDICT_BODY)


@pytest.fixture(scope="module")
def server_port(trained_dir: Path, dataset_path: Path) -> Iterator[int]:
    """One worker with two threads, keep-alive connections kept for a minute."""
    with serving(trained_dir, dataset_path, workers=1,
                 env={"GUNICORN_THREADS": "2", "KEEPALIVE_SECONDS": "60"}) as server:
        yield server.http.port


def read_answers(connection: socket.socket, count: int) -> list[bytes]:
    """Read `count` whole HTTP answers (each with a Content-Length) from the connection."""
    connection.settimeout(GENEROUS_TIMEOUT)
    data, answers = b"", []
    while len(answers) < count:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1")
            length = int(next(line.split(":", 1)[1] for line in head.split("\r\n")
                              if line.lower().startswith("content-length:")))
            end = head_end + 4 + length
            if len(data) >= end:
                answers.append(data[:end])
                data = data[end:]
                continue
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed after {len(answers)} of {count} answers"
        data += chunk
    return answers


def test_back_to_back_and_pipelined_requests_on_one_connection_are_all_answered(
        server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port)) as connection:
        statuses = []
        for _ in range(50):
            connection.sendall(REQUEST)
            statuses += [answer.split(b" ", 2)[1] for answer in read_answers(connection, 1)]
        connection.sendall(REQUEST * 3)  # three requests in one write: answered in order
        statuses += [answer.split(b" ", 2)[1] for answer in read_answers(connection, 3)]
    assert statuses == [b"200"] * 53


def test_connections_gone_quiet_leave_the_threads_free(server_port: int) -> None:
    """Were a quiet connection kept on its thread, the trickling client would hold the other
    and the fresh request would wait for as long as the connections stay open."""
    idle = [socket.create_connection(("127.0.0.1", server_port)) for _ in range(4)]
    slow = None
    try:
        for connection in idle:  # each answered once, then kept open and silent
            connection.sendall(REQUEST)
            assert read_answers(connection, 1)[0].startswith(b"HTTP/1.1 200 ")
        slow = SlowClients(server_port, silent=0, trickling=1)
        slow.wait_trickling()
        with socket.create_connection(("127.0.0.1", server_port)) as fresh:
            fresh.sendall(REQUEST)
            assert read_answers(fresh, 1)[0].startswith(b"HTTP/1.1 200 ")
        for connection in idle:  # and the quiet ones are still served when they speak again
            connection.sendall(REQUEST)
            assert read_answers(connection, 1)[0].startswith(b"HTTP/1.1 200 ")
        assert slow.holding(), "the trickling client was dropped"
    finally:
        for connection in idle:
            connection.close()
        if slow is not None:
            slow.close()
