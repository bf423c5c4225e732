"""Logs: one line per request (JSON or text, LOG_FORMAT), request ids, and the log format itself.

A request line holds only what is chosen here (time, request id, method, route template,
status, duration, model version): never a body, a header other than the request id, or a
query string, so API keys and tokens cannot reach the log.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any, Callable, Iterable

import orjson
from flask import Flask, Response, request

from app.state import agent_state

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
STARTED_ENVIRON = "focus_agent.started"
# What a client may choose as its request id: short, and nothing that could forge a log line.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
REQUEST_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "model_version")
request_log = logging.getLogger("focus_agent.requests")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and a request's fields."""

    _second: tuple[float, str] = (-1.0, "")  # the last second written, as date and time

    def timestamp(self, created: float) -> str:
        """`created` in UTC, ISO 8601 with milliseconds, as datetime.isoformat writes it.

        The date and time of day are formatted once a second (datetime's own formatting, with
        a time zone, costs a few microseconds on every line); the milliseconds are datetime's:
        the time rounded half-even to microseconds, then truncated.
        """
        second, fraction = divmod(created, 1)
        micros = round(fraction * 1e6)
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S",
                                                           time.gmtime(second)))
        return f"{cached[1]}.{micros // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {"time": self.timestamp(record.created),
                                "level": record.levelname.lower(),
                                "logger": record.name, "message": record.getMessage()}
        for field in REQUEST_FIELDS:
            if field in record.__dict__:
                line[field] = record.__dict__[field]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """Readable lines for people at a terminal: time, level, logger, message."""

    def __init__(self) -> None:
        """The project's text layout."""
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {
    "json": JsonFormatter, "text": TextFormatter}


def configure_logging(log_format: str, level: str) -> None:
    """Log to stdout in the chosen format, unless logging is configured already (Gunicorn)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(FORMATTERS[log_format]())
    root.addHandler(handler)
    root.setLevel(level)


class RequestIdMiddleware:
    """WSGI wrapper: every request gets an id (the client's when well formed) and a start time.

    The id replaces the X-Request-ID header in the environ, so every part of the app (error
    answers, logs) reads the same one, and it is echoed on every answer.
    """

    def __init__(self, wsgi_app: Callable) -> None:
        """Wrap the app's WSGI callable."""
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Stamp the request, call the app, add the id to the answer's headers."""
        environ[STARTED_ENVIRON] = time.perf_counter()
        given = environ.get(REQUEST_ID_ENVIRON, "")
        request_id = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        environ[REQUEST_ID_ENVIRON] = request_id

        def start_with_id(status: str, headers: list, exc_info: Any = None) -> Callable:
            # (no part of the app sets this header itself)
            return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], exc_info)

        return self.wsgi_app(environ, start_with_id)


def route_template(rule: Any) -> str:
    """The URL rule that matched (`/predict`), never the raw path; `unmatched` for a 404."""
    return rule.rule if rule is not None else "unmatched"


def elapsed_seconds(environ: dict) -> float:
    """Seconds since the request reached the app."""
    return time.perf_counter() - environ.get(STARTED_ENVIRON, time.perf_counter())


def _log_request(response: Response) -> Response:
    """Write the request's line."""
    if request_log.isEnabledFor(logging.INFO):
        state = agent_state()
        fields = {"request_id": request.environ.get(REQUEST_ID_ENVIRON),
                  "method": request.method, "route": route_template(request.url_rule),
                  "status": response.status_code,
                  "duration_ms": round(elapsed_seconds(request.environ) * 1000, 3),
                  "model_version": state.model.version if state.model else None}
        # makeRecord + handle: what info() does, minus its walk up the stack for the caller
        request_log.handle(request_log.makeRecord(
            request_log.name, logging.INFO, __file__, 0, "%s %s %s",
            (fields["method"], fields["route"], fields["status"]), None, extra=fields))
    return response


def install_request_logging(app: Flask) -> None:
    """Give every request an id and a log line."""
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)
    app.after_request(_log_request)
