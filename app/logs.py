"""Logs: one line per request (JSON or text, LOG_FORMAT), request ids, and the log format itself.

A request line holds only what is chosen here (time, request id, method, route template,
status, duration, model version): never a body, a header other than the request id, or a
query string, so API keys and tokens cannot reach the log.
"""

from __future__ import annotations

import logging
import random
import re
import sys
import threading
import time
import traceback
from collections import deque
from typing import Any, Callable, Iterable, NamedTuple

import orjson
from flask import Flask

from app.model_slot import ModelSlot
from app.state import models_of

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
WERKZEUG_REQUEST = "werkzeug.request"  # the request, until Flask pops its context
ROUTE_ENVIRON = "focus_agent.route"  # the route template of a request answered below Flask
EXTENSION = "focus_agent_requests"
# What a client may choose as its request id: short, and nothing that could forge a log line.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
REQUEST_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "model_version")
request_log = logging.getLogger("focus_agent.requests")
# No format here shows a thread, process or multiprocessing name: every record (one per
# request) skips looking them up, which halves what creating it costs.
logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


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


class StdoutHandler(logging.StreamHandler):
    """A StreamHandler whose threads never queue behind each other to write a line.

    Each thread formats its record itself and queues the line; whichever thread finds the
    stream free writes every queued line in one write, then looks again, so no line waits for
    a later record. (A plain StreamHandler writes under a lock: with a worker's threads each
    logging every request, they convoy on that lock.)
    """

    def __init__(self, stream: Any = None) -> None:
        """Write to stream (default: sys.stderr, as StreamHandler)."""
        super().__init__(stream)
        self._pending: deque[str] = deque()
        self._writing = threading.Lock()

    def handle(self, record: logging.LogRecord) -> bool:
        """Format the record if it passes the filters, then write what is queued."""
        if not self.filter(record):
            return False
        try:
            self._pending.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return True
        self._write_pending()
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """Write one record (what handle does, for callers of emit)."""
        self.handle(record)

    def _write_pending(self) -> None:
        """Write every queued line, unless another thread is writing (it will write ours)."""
        while self._pending and self._writing.acquire(blocking=False):
            try:
                lines = [self._pending.popleft() for _ in range(len(self._pending))]
                self.stream.write("".join(lines))
                self.stream.flush()
            except Exception:  # as logging does: a broken stream must not break the caller
                if logging.raiseExceptions:
                    traceback.print_exc(file=sys.stderr)
            finally:
                self._writing.release()

    def _at_fork_reinit(self) -> None:
        """In a forked child: fresh locks (another thread may have held one at the fork)."""
        super()._at_fork_reinit()
        self._writing = threading.Lock()


def configure_logging(log_format: str, level: str) -> None:
    """Log to stdout in the chosen format, unless logging is configured already (Gunicorn)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = StdoutHandler(sys.stdout)
    handler.setFormatter(FORMATTERS[log_format]())
    root.addHandler(handler)
    root.setLevel(level)


def new_request_id() -> str:
    """128 random bits as 32 hex digits.

    From `random`, not uuid4: uuid4 reads the kernel's random source, a system call that
    releases the GIL on every request, and a request id is a label, not a secret. The module's
    generator is reseeded in every forked process, so no two workers share a sequence.
    """
    return f"{random.getrandbits(128):032x}"


class Answered(NamedTuple):
    """What is recorded of one answered request: never a body, a header or a query string."""

    request_id: str
    method: str
    route: str
    status: int
    seconds: float


RequestObserver = Callable[[Answered], None]


class RequestMiddleware:
    """WSGI wrapper: every request gets an id (the client's when well formed); every answer
    carries it and the fixed headers registered here (nosniff), and is told once to the
    observers (the request log, the metrics).

    The id replaces the X-Request-ID header in the environ, so every part of the app (error
    answers, logs) reads the same one. The observers hear of the answer when the app starts
    it, while Flask still holds the request whose URL rule gives the route template: one
    place per request instead of a Flask hook per observer.
    """

    def __init__(self, wsgi_app: Callable) -> None:
        """Wrap the app's WSGI callable; no observers or fixed headers yet."""
        self.wsgi_app = wsgi_app
        self.observers: list[RequestObserver] = []
        self.headers: list[tuple[str, str]] = []

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Stamp the request, call the app, add the id to the answer and tell the observers."""
        started = time.perf_counter()
        given = environ.get(REQUEST_ID_ENVIRON, "")
        request_id = given if VALID_REQUEST_ID.fullmatch(given) else new_request_id()
        environ[REQUEST_ID_ENVIRON] = request_id

        def start_with_id(status: str, headers: list, exc_info: Any = None) -> Callable:
            if self.observers:
                route = environ.get(ROUTE_ENVIRON) or route_template(
                    getattr(environ.get(WERKZEUG_REQUEST), "url_rule", None))
                answered = Answered(request_id, environ["REQUEST_METHOD"], route,
                                    int(status[:3]), time.perf_counter() - started)
                for observe in self.observers:
                    observe(answered)
            # (no part of the app sets these headers itself)
            return start_response(status, [*headers, *self.headers,
                                           (REQUEST_ID_HEADER, request_id)], exc_info)

        return self.wsgi_app(environ, start_with_id)


def route_template(rule: Any) -> str:
    """The URL rule that matched (`/predict`), never the raw path; `unmatched` for a 404."""
    return rule.rule if rule is not None else "unmatched"


def request_middleware(app: Flask) -> RequestMiddleware:
    """The request wrapper of an app built by create_app (to add observers and headers)."""
    return app.extensions[EXTENSION]


def _request_line_writer(models: ModelSlot) -> RequestObserver:
    """An observer that writes each answered request's line, with the model that served."""
    def write_line(answered: Answered) -> None:
        if request_log.isEnabledFor(logging.INFO):
            model = models.model
            fields = {"request_id": answered.request_id, "method": answered.method,
                      "route": answered.route, "status": answered.status,
                      "duration_ms": round(answered.seconds * 1000, 3),
                      "model_version": model.version if model else None}
            # makeRecord + handle: what info() does, minus its walk up the stack for the caller
            request_log.handle(request_log.makeRecord(
                request_log.name, logging.INFO, __file__, 0, "%s %s %s",
                (answered.method, answered.route, answered.status), None, extra=fields))
    return write_line


def install_request_logging(app: Flask) -> None:
    """Give every request an id and a log line."""
    middleware = RequestMiddleware(app.wsgi_app)
    app.wsgi_app = middleware
    app.extensions[EXTENSION] = middleware
    middleware.observers.append(_request_line_writer(models_of(app)))
