"""Request and response schemas (pydantic v2): they validate requests and generate OpenAPI."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import (AfterValidator, WithJsonSchema, BaseModel, ConfigDict, Field, TypeAdapter,
                      model_validator)
from typing_extensions import TypedDict

from model.schema import DURATION_MAX, DURATION_MIN

MoodBefore = Literal["stressed", "neutral", "anxious", "tired"]
MoodAfter = Literal["calm", "relaxed", "focused", "energized"]
INTEGER_LITERAL = ("Whole minutes written as a JSON integer literal such as 20. A number with a "
                   "fraction or an exponent (51.0, 2e1) is refused with 400 even though JSON "
                   "Schema counts it as an integer; so are strings and booleans.")
Minutes = Annotated[int, Field(strict=True, ge=DURATION_MIN, le=DURATION_MAX,
                               description=INTEGER_LITERAL, examples=[20],
                               json_schema_extra={"x-integer-literal-only": True})]


class Strict(BaseModel):
    """Base of request bodies: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class PredictRequest(TypedDict):
    """One session to score (a TypedDict: validated without building an object per item)."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]
    duration_minutes: Minutes
    mood_before: MoodBefore


PREDICT_REQUEST = TypeAdapter(PredictRequest)


class BatchPredictRequest(Strict):
    """Several sessions to score in one vectorised call."""

    instances: list[PredictRequest] = Field(min_length=1, description="Up to 1000 sessions.")


class RecommendRequest(Strict):
    """Which session length makes the target mood most likely."""

    mood_before: MoodBefore
    target_mood: MoodAfter
    min_minutes: Optional[Minutes] = Field(None, description=(
        "Shortest duration searched. Default: the trained minimum (GET /model), "
        f"or {DURATION_MIN} when max_minutes alone is below it. " + INTEGER_LITERAL))
    max_minutes: Optional[Minutes] = Field(None, description=(
        "Longest duration searched. Default: the trained maximum (GET /model), "
        f"or {DURATION_MAX} when min_minutes alone is above it. Must not be below min_minutes. "
        + INTEGER_LITERAL))

    @model_validator(mode="after")
    def _range_is_ordered(self) -> "RecommendRequest":
        """min_minutes may not exceed max_minutes."""
        if (self.min_minutes is not None and self.max_minutes is not None
                and self.min_minutes > self.max_minutes):
            raise ValueError("min_minutes must not be greater than max_minutes")
        return self


class Probabilities(BaseModel):
    """Probability of each mood after the session; they sum to 1."""

    calm: float
    relaxed: float
    focused: float
    energized: float


class Prediction(BaseModel):
    """The most likely mood after the session, and every mood's probability."""

    mood_after: MoodAfter
    probabilities: Probabilities


class PredictResponse(Prediction):
    """Answer to a single prediction."""

    model_version: str
    warnings: list[str] = Field(description="E.g. a duration outside the trained range.")


class BatchPredictResponse(BaseModel):
    """Answer to a batch: predictions in the order of the instances."""

    predictions: list[Prediction]
    model_version: str
    warnings: list[str]


class CurvePoint(BaseModel):
    """Probability of the target mood at one duration."""

    duration_minutes: int
    probability: float


class RecommendResponse(BaseModel):
    """The best duration for the target mood, and the whole curve."""

    mood_before: MoodBefore
    target_mood: MoodAfter
    recommended_minutes: int
    probability: float
    curve: list[CurvePoint]
    model_version: str
    warnings: list[str]


def _iso_date(text: str) -> str:
    """A real calendar date written YYYY-MM-DD."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            dt.date.fromisoformat(text)
            return text
    except ValueError:
        pass
    raise ValueError(f"must be a date written YYYY-MM-DD, got {text!r}")


IsoDate = Annotated[str, AfterValidator(_iso_date),
                    WithJsonSchema({"type": "string", "format": "date",
                                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})]


class NewSession(Strict):
    """A session to record (date: today, UTC, when left out)."""

    date: Optional[IsoDate] = Field(None, description="YYYY-MM-DD; default: today (UTC).")
    duration_minutes: Minutes
    mood_before: MoodBefore
    mood_after: MoodAfter


class NewSessions(Strict):
    """Several sessions to record in one transaction: all of them or none."""

    sessions: list[NewSession] = Field(min_length=1, description="Up to 1000 sessions.")


class Session(BaseModel):
    """One recorded session (the original four fields first)."""

    date: str
    duration_minutes: int
    mood_before: MoodBefore
    mood_after: MoodAfter
    id: int
    recorded_at: str = Field(description="When it was stored (UTC, ISO 8601).")
    source: Literal["dataset", "api"]
    predicted_mood: Optional[MoodAfter] = Field(
        description="The served model's prediction when it was recorded.")
    model_version: Optional[str] = Field(description="The model that made that prediction.")


class RecordedSessions(BaseModel):
    """Answer to a batch write: the stored sessions, in the order sent."""

    sessions: list[Session]


class LiveFigures(BaseModel):
    """The served model on the sessions recorded since it was trained."""

    since: str
    sessions: int
    accuracy: Optional[float]
    per_class: dict[str, dict[str, Any]]
    psi: Optional[dict[str, float]] = Field(
        description="Population stability index of mood_before and of duration buckets.")


class Stats(BaseModel):
    """Summary of the recorded sessions (the first four keys are the original API's)."""

    total_sessions: int
    avg_duration: Optional[float]
    longest_session: Optional[int]
    shortest_session: Optional[int]
    by_mood_before: dict[str, int]
    transitions: dict[str, dict[str, int]]
    by_duration: dict[str, int] = Field(
        description='Sessions per duration bucket in minutes, in order ("10-14", ..., "45+").')


class Health(BaseModel):
    """Readiness: 503 without a model; 200 "degraded" when only the store is unavailable."""

    status: Literal["healthy", "degraded", "unhealthy"]
    timestamp: str
    model_loaded: bool
    data_loaded: bool = Field(description="Whether the sessions store answers.")
    parts: dict[str, str] = Field(description='"ok" or why, for "model" and "store".')
    version: str
    model_version: Optional[str]
    reasons: list[str]
    model_refused: Optional[str] = Field(
        None, description="Why the newest published model was refused (the previous one"
        " keeps serving); null when the newest is served.")


class Index(BaseModel):
    """The service's greeting (the original API's keys, plus where to read more)."""

    status: Literal["ok"]
    msg: str
    version: str
    endpoints: list[str]


class ErrorDetail(BaseModel):
    """Which field was wrong, and why."""

    field: str
    problem: str


class ErrorResponse(BaseModel):
    """Every error answer."""

    error: str
    code: Literal["BAD_REQUEST", "NOT_FOUND", "METHOD_NOT_ALLOWED", "UNSUPPORTED_MEDIA_TYPE",
                  "PAYLOAD_TOO_LARGE", "MODEL_UNAVAILABLE",
                  "INTERNAL_ERROR", "UNAUTHORIZED", "WRITES_DISABLED",
                  "IDEMPOTENCY_KEY_IN_USE", "IDEMPOTENCY_KEY_REUSED", "STORE_UNAVAILABLE"]
    details: list[ErrorDetail]


class ModelInfo(BaseModel):
    """The model's manifest (its passport)."""

    model_config = ConfigDict(extra="allow")

    version: str
    trained_at: str
    metrics: dict[str, Any]
    classes: list[str]
    features: dict[str, Any]
    live: Optional[LiveFigures] = Field(description="null when the store is unavailable "
                                                    "(live_error says why).")
