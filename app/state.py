"""What the application loaded at start-up, kept in the app's extension slot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from app.serving import ServingModel
from app.sessions import SessionStore
from model.artifact import LoadedModel, load_artifact
from model.data import load_sessions
from model.errors import ModelError

log = logging.getLogger(__name__)
EXTENSION = "focus_agent"


@dataclass
class AgentState:
    """The served model and sessions, or why each could not be loaded."""

    model: ServingModel | None
    model_error: str | None
    sessions: SessionStore | None
    data_error: str | None

    @property
    def reasons(self) -> list[str]:
        """Why the service is not ready (empty when it is)."""
        return [reason for reason in (self.model_error, self.data_error) if reason]


def load_state(model_dir: str, data_path: str, model: LoadedModel | None = None) -> AgentState:
    """Load (or take) the model and load the sessions; failures become reasons, not crashes."""
    serving, model_error = None, None
    try:
        serving = ServingModel(model if model is not None else load_artifact(Path(model_dir)))
        log.info("model %s loaded (compiled predictor: %s)", serving.version,
                 serving.loaded.compiled)
    except ModelError as error:
        model_error = f"model unavailable: {error}"
        log.error("%s", model_error)
    sessions, data_error = None, None
    try:
        sessions = SessionStore(load_sessions(data_path))
    except ModelError as error:
        data_error = f"data unavailable: {error}"
        log.error("%s", data_error)
    return AgentState(serving, model_error, sessions, data_error)


def install(app: Flask, state: AgentState) -> None:
    """Keep the state on the app."""
    app.extensions[EXTENSION] = state


def agent_state() -> AgentState:
    """The current app's state."""
    return current_app.extensions[EXTENSION]
