"""Gunicorn's own refusals (request line or header too large, malformed framing) as JSON.

Gunicorn answers a request it cannot parse before the application sees it, with an HTML page
written by `gunicorn.util.write_error(sock, status, reason, message)`, which every worker class
calls from `Worker.handle_error`. Gunicorn has no setting or hook for that page, so the
`post_worker_init` hook replaces this one function in each worker with one that writes the
API's error shape. It relies on Gunicorn's internals (pinned in requirements.txt):
tests/e2e/test_gunicorn_refusals.py fails if an upgrade stops calling it.
"""

from __future__ import annotations

import socket
from typing import Any

import orjson
from gunicorn import util

CODES = {400: "BAD_REQUEST", 403: "FORBIDDEN", 414: "URI_TOO_LONG",
         417: "EXPECTATION_FAILED", 431: "HEADERS_TOO_LARGE", 500: "INTERNAL_ERROR",
         501: "NOT_IMPLEMENTED"}


def error_bytes(status: int, reason: str, message: str) -> bytes:
    """A complete HTTP/1.1 error answer in the API's JSON shape; the connection closes."""
    text = f"{reason}: {message}" if message else reason
    body = orjson.dumps({"error": text, "code": CODES.get(status, "BAD_REQUEST"),
                         "details": []})
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for gunicorn.util.write_error that writes JSON instead of HTML."""
    util.write_nonblock(sock, error_bytes(status_int, reason, mesg))


def post_worker_init(worker: Any) -> None:
    """Gunicorn hook: this worker's own error answers are JSON from now on."""
    util.write_error = write_json_error
