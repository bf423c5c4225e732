"""What the application loaded at start-up, kept in the app's extension slot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from app.model_slot import ModelSlot
from app.serving import ServingModel
from model.artifact import LoadedModel

log = logging.getLogger(__name__)
EXTENSION = "focus_agent"


@dataclass
class AgentState:
    """The served model, or why it could not be loaded (the journal has its own slot)."""

    models: ModelSlot

    @property
    def model(self) -> ServingModel | None:
        """The model serving right now (it may be swapped between two requests)."""
        return self.models.serving

    @property
    def model_error(self) -> str | None:
        """Why no model is served, if none is."""
        return self.models.error


def load_models(model_dir: str, model: LoadedModel | None = None,
                check_seconds: float = 1.0) -> ModelSlot:
    """The injected model, or the one published in model_dir, followed from then on."""
    if model is not None:
        return ModelSlot.fixed(model)
    return ModelSlot.following(Path(model_dir), check_seconds)


def load_state(model_dir: str, model: LoadedModel | None = None,
               check_seconds: float = 1.0) -> AgentState:
    """Load (or take) the model, followed from then on; a failure becomes the reason."""
    return AgentState(load_models(model_dir, model, check_seconds))


def install(app: Flask, state: AgentState) -> None:
    """Keep the state on the app; before each request, follow a newly published model."""
    app.extensions[EXTENSION] = state
    app.before_request(state.models.refresh)


def agent_state() -> AgentState:
    """The current app's state."""
    return current_app.extensions[EXTENSION]
