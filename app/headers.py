"""HTTP policy for every answer: security headers, Vary on `/`, and OPTIONS as 204 + Allow."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.globals import request_ctx

FRAME_ANCESTORS = "frame-ancestors 'none'"


def answer_options() -> Response | None:
    """OPTIONS on a known URL: 204 with the methods it allows, no body (before the view)."""
    if request.method != "OPTIONS" or request.routing_exception is not None:
        return None
    allowed = sorted(request_ctx.url_adapter.allowed_methods())
    response = Response(status=204, headers={"Allow": ", ".join(allowed)})
    del response.headers["Content-Type"]
    return response


def add_policy_headers(response: Response) -> Response:
    """nosniff everywhere; no framing of HTML; `/` varies by Accept (page or JSON)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["X-Frame-Options"] = "DENY"
        policy = response.headers.get("Content-Security-Policy", "")
        if "frame-ancestors" not in policy:
            response.headers["Content-Security-Policy"] = "; ".join(
                part for part in (policy.strip().rstrip(";"), FRAME_ANCESTORS) if part)
    if request.path == "/":
        response.vary.add("Accept")
    return response


def register_headers(app: Flask) -> None:
    """Install the OPTIONS answer and the header hook on the app."""
    app.before_request(answer_options)
    app.after_request(add_policy_headers)
