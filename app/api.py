"""The JSON API blueprint: the original endpoints plus batch, recommend, model and OpenAPI."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request

import app as package
from app.drain import DRAINING, drain_flag
from app.errors import ApiError
from app.fast_predict import single_answer
from app.metrics import observe_predictions
from app.openapi import openapi_document
from app.page import page_response, wants_html
from app.responses import json_response, raw_json_response
from app.schemas import PREDICT_REQUEST, BatchPredictRequest, RecommendRequest
from app.serving import ServingModel
from app.state import agent_state
from app.store_state import live_fields, store_problem
from app.validation import clipped, json_body, validated
from model.schema import DURATION_MAX, DURATION_MIN

api = Blueprint("api", __name__)
ASCII_NUMBER = re.compile(r"[0-9]{1,18}")  # \d and str.isdigit() also match "²", "٣", "３"


def serving_model() -> ServingModel:
    """The loaded model, or 503 MODEL_UNAVAILABLE with the reason."""
    state = agent_state()
    model = state.model
    if model is None:
        raise ApiError(503, state.model_error or "model unavailable")
    return model


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
    """Readiness per part: 503 without a model; 200 "degraded" when only the store is down."""
    state = agent_state()
    store_error = store_problem()
    draining = drain_flag(current_app).active  # create_app always installs the flag
    reasons = [reason for reason in (state.model_error, store_error) if reason]
    reasons += [DRAINING] if draining else []
    ready = state.model is not None and not draining
    status = "unhealthy" if not ready else "degraded" if store_error else "healthy"
    return json_response({
        "status": status,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model_loaded": state.model is not None,
        "data_loaded": store_error is None,
        "parts": {"model": state.model_error or "ok", "store": store_error or "ok"},
        "version": package.__version__,
        "model_version": state.model.version if state.model else None,
        "reasons": reasons,
        "model_refused": state.refused,
    }, 200 if ready else 503)


@api.get("/livez")
def liveness() -> Response:
    """Liveness: the process answers (restart it if this fails; /health says if it is ready)."""
    return json_response({"status": "alive"})


def _int_query(name: str, default: int, low: int, high: int | None = None) -> int:
    """A whole-number query parameter (ASCII digits only) within bounds, or 400 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
    value = int(raw) if ASCII_NUMBER.fullmatch(raw) else None
    if value is None or value < low or (high is not None and value > high):
        raise ApiError(400, f"invalid query: {name} must be a whole number {bounds}",
                       [{"field": name, "problem": f"must be a whole number {bounds} written "
                                                   f"in ASCII digits, got {clipped(repr(raw))}"}])
    return value


@api.post("/predict")
def predict() -> Response:
    """Mood after one session, or after each of a batch of sessions ({"instances": [...]})."""
    body = json_body()
    model = serving_model()
    if "instances" in body:
        return _predict_batch(body, model)
    return raw_json_response(single_answer(current_app, model, validated(PREDICT_REQUEST, body)))


def _predict_batch(body: dict, model: ServingModel) -> Response:
    """Validate a batch and answer it with one vectorised call."""
    limit = current_app.config["FOCUS_AGENT"].max_batch
    instances = body["instances"]
    if isinstance(instances, list) and len(instances) > limit:
        raise ApiError(413, f"batch of {len(instances)} instances is over the limit of {limit};"
                            " split it into smaller batches",
                       [{"field": "instances", "problem": f"at most {limit} items"}])
    indices = model.batch_indices(validated(BatchPredictRequest, body).instances)
    observe_predictions(current_app, model.mood_counts(indices), batch_size=len(indices))
    return raw_json_response(model.batch_body_at(indices))


def search_range(low: int | None, high: int | None,
                 trained: tuple[int, int]) -> tuple[int, int]:
    """The minutes /recommend searches: a missing bound is the trained range's end, or the
    contract's end (5 or 60) when the given other bound lies beyond the trained range."""
    if low is None:
        low = trained[0] if high is None or trained[0] <= high else DURATION_MIN
    if high is None:
        high = trained[1] if trained[1] >= low else DURATION_MAX
    return low, high


@api.post("/recommend")
def recommend() -> Response:
    """The session length that makes the target mood most likely, with the whole curve."""
    wish = validated(RecommendRequest, json_body())
    model = serving_model()
    low, high = search_range(wish.min_minutes, wish.max_minutes, model.trained_range)
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
    """The manifest (version, when trained, metrics...) and `live`: accuracy on real outcomes."""
    model = serving_model()
    manifest = model.loaded.manifest
    return json_response({**manifest, "trained_at": manifest["created_at"], **live_fields(model)})


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of every route."""
    return json_response(openapi_document(package.__version__))
