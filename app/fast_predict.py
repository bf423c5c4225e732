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
from typing import Any, Callable, Iterable, Mapping

import orjson
from flask import Flask

from app.logs import ROUTE_ENVIRON
from app.metrics import observe_predictions
from app.responses import JSON
from app.schemas import PREDICT_REQUEST
from app.serving import ServingModel
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
        """The fast answer when there is one, else whatever Flask answers.

        A body read here and declined is put back in the environ for Flask to read again.
        """
        length = environ.get("CONTENT_LENGTH", "")
        if (environ["PATH_INFO"] == ROUTE and environ["REQUEST_METHOD"] == "POST"
                and environ.get("CONTENT_TYPE") == JSON and length.isascii() and length.isdigit()
                and int(length) <= MAX_FAST_BYTES):
            data = environ["wsgi.input"].read(int(length))
            body = self.answer(data)
            if body is not None:
                environ[ROUTE_ENVIRON] = ROUTE
                start_response("200 OK", [("Content-Type", JSON),
                                          ("Content-Length", str(len(body)))])
                return [body]
            environ["wsgi.input"] = io.BytesIO(data)
        return self.wsgi_app(environ, start_response)

    def answer(self, data: bytes) -> bytes | None:
        """The answer to a body that is a plain single prediction, or None to let Flask answer."""
        model = models_of(self.app).model
        if model is None:
            return None
        try:
            return single_answer(self.app, model, PREDICT_REQUEST.validate_python(
                orjson.loads(data)))
        except Exception:  # a body to refuse, or an unexpected error: Flask answers either
            return None


def single_answer(app: object, model: ServingModel, session: Mapping[str, Any]) -> bytes:
    """The JSON answer to one validated session, counted in the app's metrics."""
    mood, minutes = session["mood_before"], session["duration_minutes"]
    body, predicted = model.single_body(mood, minutes), model.mood_after(mood, minutes)
    observe_predictions(app, {predicted: 1})
    return body


def install_fast_predict(app: Flask) -> None:
    """Answer plain single predictions below Flask (call before any other wrapper)."""
    app.wsgi_app = PredictFastPath(app)
