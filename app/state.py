"""What the application loaded at start-up, kept in the app's extension slot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from app.model_slot import ModelSlot
from app.serving import ServingModel
from app.sessions import SessionStore
from model.artifact import LoadedModel
from model.data import load_sessions
from model.errors import ModelError

log = logging.getLogger(__name__)
EXTENSION = "focus_agent"


@dataclass
class AgentState:
    """The served model and sessions, or why each could not be loaded."""

    models: ModelSlot
    sessions: SessionStore | None
    data_error: str | None

    @property
    def model(self) -> ServingModel | None:
        """The model serving right now (it may be swapped between two requests)."""
        return self.models.serving

    @property
    def model_error(self) -> str | None:
        """Why no model is served, if none is."""
        return self.models.error

    @property
    def reasons(self) -> list[str]:
        """Why the service is not ready (empty when it is)."""
        return [reason for reason in (self.model_error, self.data_error) if reason]


def load_models(model_dir: str, model: LoadedModel | None = None,
                check_seconds: float = 1.0) -> ModelSlot:
    """The injected model, or the one published in model_dir, followed from then on."""
    if model is not None:
        return ModelSlot.fixed(model)
    return ModelSlot.following(Path(model_dir), check_seconds)


def load_state(model_dir: str, data_path: str, model: LoadedModel | None = None,
               check_seconds: float = 1.0) -> AgentState:
    """Load (or take) the model and load the sessions; failures become reasons, not crashes."""
    models = load_models(model_dir, model, check_seconds)
    sessions, data_error = None, None
    try:
        sessions = SessionStore(load_sessions(data_path))
    except ModelError as error:
        data_error = f"data unavailable: {error}"
        log.error("%s", data_error)
    return AgentState(models, sessions, data_error)


def install(app: Flask, state: AgentState) -> None:
    """Keep the state on the app; before each request, follow a newly published model."""
    app.extensions[EXTENSION] = state
    app.before_request(state.models.refresh)


def agent_state() -> AgentState:
    """The current app's state."""
    return current_app.extensions[EXTENSION]
