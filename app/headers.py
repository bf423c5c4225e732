"""HTTP policy for every answer: security headers, Vary on `/`, and OPTIONS as 204 + Allow."""

from __future__ import annotations

from flask import Flask, Response, request

FRAME_ANCESTORS = "frame-ancestors 'none'"


def add_policy_headers(response: Response) -> Response:
    """nosniff everywhere; no framing of HTML; `/` varies by Accept; OPTIONS is 204 + Allow."""
    if request.method == "OPTIONS" and response.status_code == 200 and response.allow:
        # Flask's automatic OPTIONS answer: an empty 200 typed text/html, with Allow.
        response.status_code = 204
        response.set_data(b"")
        response.headers["Allow"] = ", ".join(sorted(response.allow))
        del response.headers["Content-Type"]
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
    """Install the header hook on the app (one after_request: it never skips other hooks)."""
    app.after_request(add_policy_headers)
