"""Every error is JSON: {"error", "code", "details"}; one handler turns exceptions into it."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.responses import json_response

log = logging.getLogger(__name__)

CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_ERROR",
    503: "MODEL_UNAVAILABLE",
}
# The codes some endpoints answer instead of their status's default above (ApiError(code=...)).
SPECIFIC_CODES = {(401, "UNAUTHORIZED"), (403, "WRITES_DISABLED"), (409, "IDEMPOTENCY_KEY_IN_USE"),
                  (422, "IDEMPOTENCY_KEY_REUSED"), (503, "STORE_UNAVAILABLE")}


class ApiError(Exception):
    """An error that carries its own HTTP status, stable code and details for the client."""

    def __init__(self, status: int, message: str, details: list[dict[str, Any]] | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None) -> None:
        """Keep what the client will be told."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.code = code or CODES.get(status, "BAD_REQUEST")
        self.headers = headers


def error_response(status: int, message: str, details: list[dict[str, Any]] | None = None,
                   code: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """The one shape of every error answer."""
    payload = {"error": message, "code": code or CODES.get(status, "BAD_REQUEST"),
               "details": details or []}
    return json_response(payload, status, headers)


def _http_message(error: HTTPException) -> str:
    """A message that says what was wrong and what is allowed."""
    if error.code == 404:
        return f"no such endpoint: {request.method} {request.path}; see GET /openapi.json"
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        allowed = ", ".join(sorted(set(error.valid_methods) - {"HEAD", "OPTIONS"}))
        return f"{request.method} is not allowed on {request.path}; allowed: {allowed}"
    if error.code == 413:
        return (f"request body is larger than the {request.max_content_length} bytes allowed")
    return error.description or error.name


def handle_api_error(error: ApiError) -> Response:
    """Answer an ApiError raised by a view."""
    return error_response(error.status, error.message, error.details, error.code, error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    """Answer Werkzeug's HTTP errors (unknown URL, wrong method, too large...) as JSON."""
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(status, _http_message(error), headers=headers)


def handle_unexpected(error: Exception) -> Response:
    """Log an unexpected exception with a request id; tell the client only the id.

    The id is the one app/logs.py's middleware gave the request and echoes on every answer.
    """
    request_id = request.headers.get("X-Request-ID")
    log.exception("unhandled error in %s %s [request id %s]", request.method, request.path,
                  request_id)
    return error_response(500, f"internal error; quote request id {request_id} when reporting")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers at app level, so unknown URLs and methods answer JSON too."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
