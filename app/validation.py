"""Reading a JSON request body and validating it, with errors a person can act on."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

import orjson
from flask import Request
from flask import request as current_request
from pydantic import BaseModel, TypeAdapter, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import ApiError
from model.schema import DURATION_MAX, DURATION_MIN

Model = TypeVar("Model", bound=BaseModel)
MAX_DETAILS = 20  # problems listed in an error answer; the rest are counted
MAX_ECHO = 60  # characters of a client's value quoted back in a problem
UTF8 = ("utf-8", "utf8")


def json_body() -> dict[str, Any]:
    """The current request's JSON object, or an ApiError saying what is wrong with the body."""
    request = current_request._get_current_object()  # one context lookup, not one per use
    if not request.is_json:
        raise ApiError(415, f"Content-Type must be application/json, got "
                            f"{clipped(request.content_type or 'none')}")
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower() not in UTF8:
        raise ApiError(415, f"JSON must be encoded as UTF-8, the body declares charset "
                            f"{clipped(charset)}; send it as UTF-8 (or declare no charset)")
    data = _whole_body(request)
    if not data.strip():
        raise ApiError(400, "request body is empty; send a JSON object")
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"the body must be a JSON object, got {_json_type(body)}")
    return body


def _whole_body(request: Request) -> bytes:
    """The body; 413 when a body without Content-Length (chunked) runs past the limit."""
    data = request.get_data(cache=False)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        # Werkzeug stops reading a streamed body at the limit without saying so: one byte
        # more from the server's (terminated) stream tells a body at the limit from a longer one.
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    return data


def clipped(text: str) -> str:
    """Text from the client cut to MAX_ECHO characters, so error answers stay small."""
    return text if len(text) <= MAX_ECHO else f"{text[:MAX_ECHO]}... ({len(text)} characters)"


def _echo(value: Any) -> str:
    """A client's JSON value, quoted back clipped."""
    return clipped(orjson.dumps(value).decode())


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
               f"got {_echo(given)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"must be between {DURATION_MIN} and {DURATION_MAX}, got {_echo(given)}"
    if kind == "literal_error":
        return f"must be one of {context.get('expected')}, got {_echo(given)}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    return error["msg"]


def _details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One {field, problem} per pydantic error."""
    return [{"field": clipped(".".join(str(part) for part in error["loc"]) or "body"),
             "problem": _problem(error)} for error in errors]


@lru_cache(maxsize=None)
def _fields(schema: type[BaseModel] | TypeAdapter) -> frozenset[str]:
    """The top-level fields a request schema knows."""
    document = schema.json_schema() if isinstance(schema, TypeAdapter) \
        else schema.model_json_schema()
    return frozenset(document.get("properties", {}))


def validated(schema: type[Model] | TypeAdapter, body: dict[str, Any]) -> Any:
    """The body validated by a model or a TypeAdapter, or ApiError(400) listing its problems.

    Unknown top-level fields are counted here rather than by pydantic, whose error objects
    cost about 5 microseconds each: a 1 MiB body of unknown keys stays cheap to refuse.
    """
    fields = _fields(schema)
    unknown = [name for name in body if name not in fields]
    known = {name: value for name, value in body.items() if name in fields} if unknown else body
    try:
        result = schema.validate_python(known) if isinstance(schema, TypeAdapter) \
            else schema.model_validate(known)
        details, count = [], 0
    except ValidationError as exc:
        details, count = _details(exc.errors(include_url=False)[:MAX_DETAILS]), exc.error_count()
    if not unknown and not count:
        return result
    details += [{"field": clipped(name), "problem": "is not a known field"}
                for name in unknown[:MAX_DETAILS - len(details)]]
    count += len(unknown)
    if count > len(details):
        details.append({"field": "body", "problem": f"and {count - len(details)} more problems"})
    summary = f"{details[0]['field']} {details[0]['problem']}" if count == 1 \
        else f"{count} problems, see details"
    raise ApiError(400, f"invalid request: {summary}", details)
