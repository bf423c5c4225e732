"""HTTP policy for every answer: security headers, Vary on `/`, and OPTIONS as 204 + Allow."""

from __future__ import annotations

from flask import Flask, Response, request

from app.logs import request_middleware

FRAME_ANCESTORS = "frame-ancestors 'none'"
NOSNIFF = ("X-Content-Type-Options", "nosniff")


def add_policy_headers(response: Response) -> Response:
    """No framing of HTML; `/` varies by Accept; OPTIONS is 204 + Allow."""
    if request.method == "OPTIONS" and response.status_code == 200 and response.allow:
        # Flask's automatic OPTIONS answer: an empty 200 typed text/html, with Allow.
        response.status_code = 204
        response.set_data(b"")
        response.headers["Allow"] = ", ".join(sorted(response.allow))
        del response.headers["Content-Type"]
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
    """nosniff on every answer (static files and errors too, appended by the request wrapper
    rather than set on each Response); the rest of the policy in one after_request hook."""
    request_middleware(app).headers.append(NOSNIFF)
    app.after_request(add_policy_headers)
