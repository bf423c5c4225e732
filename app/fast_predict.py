"""POST /predict's common case answered below Flask, byte for byte as Flask answers it.

A single prediction is the service's hot path, and Flask's request machinery (request and
app contexts, routing, a Response object, the after-request hook) costs several times what
the prediction does: called in process, the app takes about 60 us for it below Flask and
about 300 us through Flask (docs/benchmarks.md). So a request
that is plainly a well-formed single prediction is answered here from the same validation
(PREDICT_REQUEST) and the same precomputed answers (ServingModel.single_body), counted in the
same metrics; the request wrapper around it still gives it its id, fixed headers, log line
and request metrics. Anything else (a batch, a body with a problem, another Content-Type
spelling, a chunked body, no model) goes to Flask untouched, or with the body it already
read, and Flask answers it as it always has: every error message keeps one source.
"""

from __future__ import annotations

import io
from typing import Callable, Iterable

import orjson
from flask import Flask
from pydantic import ValidationError

from app.logs import ROUTE_ENVIRON
from app.metrics import metrics_of
from app.responses import JSON
from app.schemas import PREDICT_REQUEST
from app.state import models_of

ROUTE = "/predict"
MAX_FAST_BYTES = 1024  # a single prediction is ~50 bytes; a longer body is Flask's to read


class PredictFastPath:
    """WSGI wrapper around Flask: answers a well-formed single POST /predict itself."""

    def __init__(self, app: Flask) -> None:
        """Wrap the app's own WSGI callable (innermost, so every other wrapper still applies)."""
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """The fast answer when there is one, else whatever Flask answers."""
        if environ["PATH_INFO"] == ROUTE and environ["REQUEST_METHOD"] == "POST":
            body = self.answer(environ)
            if body is not None:
                environ[ROUTE_ENVIRON] = ROUTE
                start_response("200 OK", [("Content-Type", JSON),
                                          ("Content-Length", str(len(body)))])
                return [body]
        return self.wsgi_app(environ, start_response)

    def answer(self, environ: dict) -> bytes | None:
        """The answer to a plain single prediction, or None to let Flask answer.

        The body, once read, is put back in the environ for Flask to read again.
        """
        length = environ.get("CONTENT_LENGTH", "")
        if environ.get("CONTENT_TYPE") != JSON or not length.isascii() \
                or not length.isdigit() or int(length) > MAX_FAST_BYTES:
            return None
        data = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(data)
        model = models_of(self.app).model
        if model is None:
            return None
        try:
            session = PREDICT_REQUEST.validate_python(orjson.loads(data))
        except (orjson.JSONDecodeError, ValidationError):
            return None
        mood, minutes = session["mood_before"], session["duration_minutes"]
        try:
            body, predicted = model.single_body(mood, minutes), model.mood_after(mood, minutes)
        except Exception:  # Flask meets it again and answers it as every unexpected error
            return None
        metrics = metrics_of(self.app)
        if metrics is not None:
            metrics.observe_predictions({predicted: 1}, None)
        return body


def install_fast_predict(app: Flask) -> None:
    """Answer plain single predictions below Flask (call before any other wrapper)."""
    app.wsgi_app = PredictFastPath(app)
