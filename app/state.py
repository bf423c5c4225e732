"""What the application loaded at start-up, kept in the app's extension slot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from app.serving import ServingModel
from model.artifact import LoadedModel, load_artifact
from model.errors import ModelError

log = logging.getLogger(__name__)
EXTENSION = "focus_agent"


@dataclass
class AgentState:
    """The served model, or why it could not be loaded (the journal has its own slot)."""

    model: ServingModel | None
    model_error: str | None


def load_state(model_dir: str, model: LoadedModel | None = None) -> AgentState:
    """Load (or take) the model; a failure becomes the reason, not a crash."""
    serving, model_error = None, None
    try:
        serving = ServingModel(model if model is not None else load_artifact(Path(model_dir)))
        log.info("model %s loaded (compiled predictor: %s)", serving.version,
                 serving.loaded.compiled)
    except ModelError as error:
        model_error = f"model unavailable: {error}"
        log.error("%s", model_error)
    return AgentState(serving, model_error)


def install(app: Flask, state: AgentState) -> None:
    """Keep the state on the app."""
    app.extensions[EXTENSION] = state


def agent_state() -> AgentState:
    """The current app's state."""
    return current_app.extensions[EXTENSION]
