"""The served model's slot (app/model_slot.py), kept in the app's extension slot."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from app.model_slot import ModelSlot
from model.artifact import LoadedModel

EXTENSION = "focus_agent"


def load_models(model_dir: str, model: LoadedModel | None = None,
                check_seconds: float = 1.0) -> ModelSlot:
    """The injected model, or the one published in model_dir, followed from then on."""
    if model is not None:
        return ModelSlot.fixed(model)
    return ModelSlot.following(Path(model_dir), check_seconds)


def install(app: Flask, models: ModelSlot) -> None:
    """Keep the slot on the app; before each request, follow a newly published model."""
    app.extensions[EXTENSION] = models
    app.before_request(models.refresh)


def agent_state() -> ModelSlot:
    """The current app's model slot: the served model, or why none is (the journal has its own)."""
    return current_app.extensions[EXTENSION]
