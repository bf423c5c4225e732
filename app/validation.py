"""Reading a JSON request body and validating it, with errors a person can act on."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from flask import Request
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.errors import ApiError
from model.schema import DURATION_MAX, DURATION_MIN

Model = TypeVar("Model", bound=BaseModel)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or an ApiError saying what is wrong with the body."""
    if not request.is_json:
        raise ApiError(415, f"Content-Type must be application/json, got "
                            f"{request.content_type or 'none'}")
    data = request.get_data(cache=False)
    if not data.strip():
        raise ApiError(400, "request body is empty; send a JSON object")
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"the body must be a JSON object, got {_json_type(body)}")
    return body


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type."""
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _problem(error: dict[str, Any]) -> str:
    """A plain-language problem for one pydantic error."""
    kind, given, context = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind.startswith("int_"):
        return f"must be a JSON integer (whole number; not a string, boolean or fraction), " \
               f"got {orjson.dumps(given).decode()}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"must be between {DURATION_MIN} and {DURATION_MAX}, got {given}"
    if kind == "literal_error":
        return f"must be one of {context.get('expected')}, got {orjson.dumps(given).decode()}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    return error["msg"]


def details_of(exc: ValidationError) -> list[dict[str, str]]:
    """One {field, problem} per pydantic error."""
    return [{"field": ".".join(str(part) for part in error["loc"]) or "body",
             "problem": _problem(error)}
            for error in exc.errors(include_url=False)]


def validated(schema: type[Model] | TypeAdapter, body: dict[str, Any]) -> Any:
    """The body validated by a model or a TypeAdapter, or ApiError(400) listing every problem."""
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_python(body)
        return schema.model_validate(body)
    except ValidationError as exc:
        details = details_of(exc)
        first = details[0]
        summary = f"{first['field']} {first['problem']}" if len(details) == 1 \
            else f"{len(details)} problems, see details"
        raise ApiError(400, f"invalid request: {summary}", details) from None
