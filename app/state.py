"""The served model's slot (app/model_slot.py), kept in the app's extension slot."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

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


class FollowPublished:
    """WSGI wrapper: before each request, the slot follows a newly published model."""

    def __init__(self, wsgi_app: Callable, models: ModelSlot) -> None:
        """Wrap the app's WSGI callable."""
        self.wsgi_app = wsgi_app
        self.models = models

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Refresh the slot (a cheap check at most once per interval), then call the app."""
        self.models.refresh()
        return self.wsgi_app(environ, start_response)


def install(app: Flask, models: ModelSlot) -> None:
    """Keep the slot on the app; before each request, follow a newly published model."""
    app.extensions[EXTENSION] = models
    app.wsgi_app = FollowPublished(app.wsgi_app, models)


def models_of(app: Flask) -> ModelSlot:
    """The model slot of an app built by create_app."""
    return app.extensions[EXTENSION]


def agent_state() -> ModelSlot:
    """The current app's model slot: the served model, or why none is (the journal has its own)."""
    return models_of(current_app)
