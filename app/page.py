"""The page for people in a browser: `GET /` answers it when the client prefers HTML."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from app.state import agent_state
from model.schema import DURATION_MAX, DURATION_MIN, MOODS_AFTER, MOODS_BEFORE

# (nosniff and frame-ancestors: app/headers.py, on every answer)
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "Referrer-Policy": "no-referrer",
}


def wants_html() -> bool:
    """True for browsers (HTML preferred); curl and scripts (*/* or JSON) get JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def page_context() -> dict[str, Any]:
    """What the page states before any script runs: the moods, the contract, the trained range."""
    model = agent_state().model
    return {"moods_before": MOODS_BEFORE, "moods_after": MOODS_AFTER,
            "contract": (DURATION_MIN, DURATION_MAX),
            "trained": model.trained_range if model is not None else None}


def page_response() -> Response:
    """The single page, which calls the JSON API from the browser."""
    return Response(render_template("index.html", **page_context()), mimetype="text/html",
                    headers=PAGE_HEADERS)
