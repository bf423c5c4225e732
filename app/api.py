"""The JSON API blueprint: the original endpoints plus batch, recommend, model and OpenAPI."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request

import app as package
from app.errors import ApiError
from app.metrics import observe_predictions
from app.openapi import openapi_document
from app.page import page_response, wants_html
from app.readiness import readiness_reasons
from app.responses import json_response, raw_json_response
from app.schemas import PREDICT_REQUEST, BatchPredictRequest, RecommendRequest
from app.serving import ServingModel
from app.sessions import SessionStore
from app.state import agent_state
from app.validation import json_body, validated
from model.schema import MOODS_BEFORE

api = Blueprint("api", __name__)


def serving_model() -> ServingModel:
    """The loaded model, or 503 MODEL_UNAVAILABLE with the reason."""
    state = agent_state()
    if state.model is None:
        raise ApiError(503, state.model_error or "model unavailable")
    return state.model


def session_store() -> SessionStore:
    """The loaded sessions, or 503 DATA_UNAVAILABLE with the reason."""
    state = agent_state()
    if state.sessions is None:
        raise ApiError(503, state.data_error or "data unavailable", code="DATA_UNAVAILABLE")
    return state.sessions


@api.get("/")
def index() -> Response:
    """Greeting, in the original API's shape; the page instead when a browser asks."""
    if wants_html():
        return page_response()
    return json_response({"status": "ok", "msg": "Focus Meditation Agent",
                          "version": package.__version__,
                          "endpoints": sorted({rule.rule for rule in current_app.url_map
                                               .iter_rules() if rule.endpoint != "static"})})


@api.get("/health")
def health() -> Response:
    """Readiness: 200 when the model and the data are loaded, 503 with reasons otherwise."""
    state = agent_state()
    reasons = [*state.reasons, *readiness_reasons(current_app)]
    ready = not reasons
    return json_response({
        "status": "healthy" if ready else "unhealthy",
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model_loaded": state.model is not None,
        "data_loaded": state.sessions is not None,
        "version": package.__version__,
        "model_version": state.model.version if state.model else None,
        "reasons": reasons,
    }, 200 if ready else 503)


@api.get("/livez")
def liveness() -> Response:
    """Liveness: the process answers (restart it if this fails; /health says if it is ready)."""
    return json_response({"status": "alive"})


def _int_query(name: str, default: int, low: int, high: int | None = None) -> int:
    """A whole-number query parameter within bounds, or 400 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        raise ApiError(400, f"invalid query: {name} must be a whole number {bounds}",
                       [{"field": name, "problem": f"must be a whole number {bounds}, got"
                                                   f" {raw!r}"}])
    return int(raw)


@api.get("/sessions")
def sessions() -> Response:
    """Recorded sessions, paged (limit, offset), optionally for one mood before."""
    config = current_app.config["FOCUS_AGENT"]
    limit = _int_query("limit", config.sessions_default_limit, 1, config.sessions_max_limit)
    offset = _int_query("offset", 0, 0)
    mood = request.args.get("mood_before")
    if mood is not None and mood not in MOODS_BEFORE:
        problem = f"must be one of {', '.join(MOODS_BEFORE)}, got {mood!r}"
        raise ApiError(400, f"invalid query: mood_before {problem}",
                       [{"field": "mood_before", "problem": problem}])
    total, rows = session_store().page(mood, offset, limit)
    return json_response(rows, headers={"X-Total-Count": str(total)})


@api.get("/stats")
def stats() -> Response:
    """Summary of the recorded sessions."""
    return json_response(session_store().stats)


@api.post("/predict")
def predict() -> Response:
    """Mood after one session, or after each of a batch of sessions ({"instances": [...]})."""
    body = json_body(request)
    model = serving_model()
    if "instances" in body:
        return _predict_batch(body, model)
    session = validated(PREDICT_REQUEST, body)
    mood, minutes = session["mood_before"], session["duration_minutes"]
    observe_predictions({model.mood_after(mood, minutes): 1})
    return raw_json_response(model.single_body(mood, minutes))


def _predict_batch(body: dict, model: ServingModel) -> Response:
    """Validate a batch and answer it with one vectorised call."""
    limit = current_app.config["FOCUS_AGENT"].max_batch
    instances = body["instances"]
    if isinstance(instances, list) and len(instances) > limit:
        raise ApiError(413, f"batch of {len(instances)} instances is over the limit of {limit};"
                            " split it into smaller batches",
                       [{"field": "instances", "problem": f"at most {limit} items"}])
    indices = model.batch_indices(validated(BatchPredictRequest, body).instances)
    observe_predictions(model.mood_counts(indices), batch_size=len(indices))
    return raw_json_response(model.batch_body_at(indices))


@api.post("/recommend")
def recommend() -> Response:
    """The session length that makes the target mood most likely, with the whole curve."""
    wish = validated(RecommendRequest, json_body(request))
    model = serving_model()
    low = wish.min_minutes if wish.min_minutes is not None else model.trained_range[0]
    high = wish.max_minutes if wish.max_minutes is not None else model.trained_range[1]
    if low > high:
        raise ApiError(400, f"invalid request: the range {low}-{high} is empty",
                       [{"field": "min_minutes", "problem": "must not exceed max_minutes"}])
    curve = model.curve(wish.mood_before, wish.target_mood, low, high)
    best = max(range(len(curve)), key=curve.__getitem__)
    return json_response({
        "mood_before": wish.mood_before, "target_mood": wish.target_mood,
        "recommended_minutes": low + best, "probability": curve[best],
        "curve": [{"duration_minutes": low + offset, "probability": probability}
                  for offset, probability in enumerate(curve)],
        "model_version": model.version,
        "warnings": model.warnings(range(low, high + 1)),
    })


@api.get("/model")
def model_info() -> Response:
    """The served model's manifest: version, when trained, metrics, classes, features."""
    manifest = serving_model().loaded.manifest
    return json_response({**manifest, "trained_at": manifest["created_at"]})


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of every route."""
    return json_response(openapi_document(package.__version__))
