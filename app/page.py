"""The page for people in a browser: `GET /` answers it when the client prefers HTML."""

from __future__ import annotations

from flask import Response, render_template, request

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def wants_html() -> bool:
    """True for browsers (HTML preferred); curl and scripts (*/* or JSON) get JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def page_response() -> Response:
    """The single page, which calls the JSON API from the browser."""
    return Response(render_template("index.html"), mimetype="text/html", headers=PAGE_HEADERS)
