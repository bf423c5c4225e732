"""HTTP policy for every answer: security headers, Vary on `/`, and OPTIONS as 204 + Allow."""

from __future__ import annotations

from typing import Callable, Iterable

from flask import Flask, Response, request

FRAME_ANCESTORS = "frame-ancestors 'none'"
NOSNIFF = ("X-Content-Type-Options", "nosniff")


class NoSniff:
    """WSGI wrapper: nosniff on every answer, static files and error answers included.

    (Appended to the header list the app hands over: cheaper on every request than setting
    it on each Response in a Flask hook.)
    """

    def __init__(self, wsgi_app: Callable) -> None:
        """Wrap the app's WSGI callable."""
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Call the app; its answer gets the header."""
        def start_with_nosniff(status: str, headers: list, exc_info: object = None) -> Callable:
            return start_response(status, [*headers, NOSNIFF], exc_info)

        return self.wsgi_app(environ, start_with_nosniff)


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
    """nosniff on every answer; the rest of the policy in one after_request hook."""
    app.wsgi_app = NoSniff(app.wsgi_app)
    app.after_request(add_policy_headers)
