"""The OpenAPI 3.1 document, generated from the pydantic schemas that validate requests."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from typing_extensions import is_typeddict

from app import schemas
from model.schema import MOODS_AFTER, MOODS_BEFORE

REF = "#/components/schemas/{model}"
ERRORS = {"400": "Invalid request (see details)", "404": "Unknown URL",
          "405": "Method not allowed", "413": "Body over 1 MiB or batch over 1000",
          "415": "Content-Type is not application/json", "500": "Unexpected error",
          "503": "Model not loaded, or the sessions store unavailable (STORE_UNAVAILABLE)",
          "401": "No valid API key (Authorization: Bearer <key>)",
          "403": "Writes disabled: the server has no API key configured",
          "409": "A request with this Idempotency-Key is still being processed",
          "422": "This Idempotency-Key was used with another body"}
WRITE_ERRORS = ("400", "401", "403", "409", "413", "415", "422", "503")

# (method, path, summary, request body, success status, success schema, error statuses)
ROUTES: list[tuple[str, str, str, Any, str, Any, tuple[str, ...]]] = [
    ("get", "/", "Greeting (a browser that prefers HTML gets the page)", None, "200",
     schemas.Index, ()),
    ("get", "/health", "Readiness", None, "200", schemas.Health, ("503",)),
    ("get", "/livez", "Liveness", None, "200", None, ()),
    ("get", "/sessions", "Recorded sessions, filtered and paged (X-Total-Count)", None, "200",
     list[schemas.Session], ("400", "503")),
    ("post", "/sessions", "Record a session, or a batch (all or nothing); needs an API key",
     schemas.NewSession | schemas.NewSessions, "201",
     schemas.Session | schemas.RecordedSessions, WRITE_ERRORS),
    ("get", "/sessions.csv", "The sessions as CSV (same filters, no paging)", None, "200", None,
     ("400", "503")),
    ("get", "/sessions/{session_id}", "One recorded session", None, "200", schemas.Session,
     ("503",)),
    ("delete", "/sessions/{session_id}", "Delete a session recorded by mistake", None, "204",
     None, ("401", "403", "503")),
    ("get", "/stats", "Summary of the sessions", None, "200", schemas.Stats, ("503",)),
    ("post", "/predict", "Mood after one session, or after a batch",
     schemas.PredictRequest | schemas.BatchPredictRequest, "200",
     schemas.PredictResponse | schemas.BatchPredictResponse, ("400", "413", "415", "503")),
    ("post", "/recommend", "Best session length for a target mood", schemas.RecommendRequest,
     "200", schemas.RecommendResponse, ("400", "413", "415", "503")),
    ("get", "/model", "The served model's manifest", None, "200", schemas.ModelInfo, ("503",)),
    ("get", "/openapi.json", "This document", None, "200", None, ()),
    ("get", "/metrics", "Prometheus metrics (text exposition format)", None, "200", None, ()),
]
TEXT_ANSWERS = {"/metrics": "text/plain"}
FILTER_PARAMETERS = [
    {"name": "mood_before", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(MOODS_BEFORE)}},
    {"name": "mood_after", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(MOODS_AFTER)}},
    {"name": "since", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date"}, "description": "Sessions on or after."},
    {"name": "until", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date"}, "description": "Sessions on or before."},
]
SESSION_PARAMETERS = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000}},
    {"name": "offset", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 0, "maximum": 10 ** 18 - 1, "default": 0}},
    *FILTER_PARAMETERS,
]
ID_PARAMETER = {"name": "session_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 0}}
WRITE_PARAMETERS = [{"name": "Idempotency-Key", "in": "header", "required": False,
                     "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
                     "description": "Makes a retry safe: the same key and body replay the"
                                    " first answer."}]


def _models() -> list[type[BaseModel]]:
    """Every pydantic model the document refers to."""
    return [value for value in vars(schemas).values()
            if isinstance(value, type) and issubclass(value, BaseModel) and value
            not in (BaseModel, schemas.Strict)]


def _schema(annotation: Any) -> dict[str, Any]:
    """A JSON schema (with $refs to components) for a model, a list of one, or a union."""
    if annotation is None:
        return {"type": "object"}
    if isinstance(annotation, type) and (issubclass(annotation, BaseModel)
                                         or is_typeddict(annotation)):
        return {"$ref": REF.format(model=annotation.__name__)}
    arguments = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is list:
        return {"type": "array", "items": _schema(arguments[0])}
    return {"oneOf": [_schema(argument) for argument in arguments]}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON media-type object."""
    return {"application/json": {"schema": schema}}


def _operation(summary: str, body: Any, status: str, success: Any,
               errors: tuple[str, ...]) -> dict[str, Any]:
    """One operation object."""
    responses = {status: {"description": "OK", "content": _json(_schema(success))}}
    for code in ("404", "405", "500", *errors):
        responses[code] = {"description": ERRORS[code],
                           "content": _json(_schema(schemas.ErrorResponse))}
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(_schema(body))}
    return operation


def _describe_journal(method: str, path: str, operation: dict[str, Any]) -> None:
    """Parameters, security and media types of the journal's operations."""
    if path == "/sessions.csv":
        operation["parameters"] = FILTER_PARAMETERS
        operation["responses"]["200"]["content"] = {"text/csv": {"schema": {"type": "string"}}}
    if path == "/sessions/{session_id}":
        operation["parameters"] = [ID_PARAMETER]
    if method in ("post", "delete") and path.startswith("/sessions"):
        operation["security"] = [{"apiKey": []}]
    if method == "post" and path == "/sessions":
        operation["parameters"] = WRITE_PARAMETERS
    if method == "delete":
        operation["responses"]["204"] = {"description": "Deleted"}


@lru_cache(maxsize=4)
def openapi_document(version: str) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    _, definitions = models_json_schema([(model, "validation") for model in _models()],
                                        ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, body, status, success, errors in ROUTES:
        operation = _operation(summary, body, status, success, errors)
        if (method, path) == ("get", "/sessions"):
            operation["parameters"] = SESSION_PARAMETERS
        if path in TEXT_ANSWERS:
            operation["responses"][status]["content"] = {TEXT_ANSWERS[path]:
                                                         {"schema": {"type": "string"}}}
        _describe_journal(method, path, operation)
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Focus Meditation Agent", "version": version,
                 "description": "Predicts the mood after a meditation session."},
        "paths": paths,
        "components": {"schemas": definitions["$defs"],
                       "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "A key from API_KEYS"}}},
    }
