"""The OpenAPI 3.1 document, generated from the pydantic schemas that validate requests."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from typing_extensions import is_typeddict

from app import schemas
from model.schema import MOODS_BEFORE

REF = "#/components/schemas/{model}"
ERRORS = {"400": "Invalid request (see details)", "404": "Unknown URL",
          "405": "Method not allowed", "413": "Body over 1 MiB or batch over 1000",
          "415": "Content-Type is not application/json", "500": "Unexpected error",
          "503": "Model or data not loaded"}

# (method, path, summary, request body, success status, success schema, error statuses)
ROUTES: list[tuple[str, str, str, Any, str, Any, tuple[str, ...]]] = [
    ("get", "/", "Greeting (a browser that prefers HTML gets the page)", None, "200",
     schemas.Index, ()),
    ("get", "/health", "Readiness", None, "200", schemas.Health, ("503",)),
    ("get", "/livez", "Liveness", None, "200", None, ()),
    ("get", "/sessions", "Recorded sessions, paged", None, "200", list[schemas.Session],
     ("400", "503")),
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
SESSION_PARAMETERS = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000}},
    {"name": "offset", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"name": "mood_before", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(MOODS_BEFORE)}},
]


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


@lru_cache(maxsize=4)
def openapi_document(version: str) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    _, definitions = models_json_schema([(model, "validation") for model in _models()],
                                        ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, body, status, success, errors in ROUTES:
        operation = _operation(summary, body, status, success, errors)
        if path == "/sessions":
            operation["parameters"] = SESSION_PARAMETERS
        if path in TEXT_ANSWERS:
            operation["responses"][status]["content"] = {TEXT_ANSWERS[path]:
                                                         {"schema": {"type": "string"}}}
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Focus Meditation Agent", "version": version,
                 "description": "Predicts the mood after a meditation session."},
        "paths": paths,
        "components": {"schemas": definitions["$defs"]},
    }
