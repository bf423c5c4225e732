"""The journal's slot on the app (beside the model's): the open store, its health, live figures."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app

from app.serving import MOOD_POSITION, ServingModel
from app.state import agent_state
from model.schema import DURATION_MAX, DURATION_MIN
from store.errors import StoreUnavailable
from store.journal import Journal
from store.live import live_for

log = logging.getLogger(__name__)
EXTENSION = "focus_journal"


def install_store(app: Flask, store: Journal) -> None:
    """Keep the journal on the app."""
    app.extensions[EXTENSION] = store


def journal() -> Journal:
    """The current app's journal."""
    return current_app.extensions[EXTENSION]


def store_problem() -> str | None:
    """Why the store cannot serve right now (None when it can): asks the database."""
    try:
        journal().check()
    except StoreUnavailable as error:
        return f"store unavailable: {error}"
    return None


def predicted_mood(model: ServingModel, mood: str, minutes: int) -> str | None:
    """The served model's most likely mood after (None outside the accepted domain)."""
    if mood not in MOOD_POSITION or not DURATION_MIN <= minutes <= DURATION_MAX:
        return None
    return model.mood_after(mood, minutes)


def live_fields(model: ServingModel) -> dict[str, Any]:
    """{"live": ...} for GET /model, or {"live": None, "live_error": why} when the store is down."""
    try:
        return {"live": live_for(journal(), model.loaded.manifest,
                                 lambda mood, minutes: predicted_mood(model, mood, minutes))}
    except StoreUnavailable as error:
        return {"live": None, "live_error": f"store unavailable: {error}"}


def live_accuracy() -> float | None:
    """The served model's accuracy on what people reported since it was trained, for /metrics.

    None (the gauge is left out) when no model serves, no session was recorded since, or the
    store is down.
    """
    model = agent_state().model
    if model is None:
        return None
    live = live_fields(model)["live"]
    return live["accuracy"] if live else None
