"""JSON responses serialised with orjson (fast, and strict about what it can encode)."""

from __future__ import annotations

from typing import Any, Mapping

import orjson
from flask import Response

JSON = "application/json"


def json_response(payload: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    """A Response holding payload as JSON."""
    return raw_json_response(orjson.dumps(payload), status, headers)


def raw_json_response(body: bytes, status: int = 200,
                      headers: Mapping[str, str] | None = None) -> Response:
    """A Response around bytes that already are JSON."""
    return Response(body, status=status, headers=headers, mimetype=JSON)
