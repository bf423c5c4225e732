"""The Focus Meditation Agent web application: create_app() builds it."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask

from app.config import Config
from app.errors import register_error_handlers
from app.headers import register_headers
from app.state import install, load_state
from model.artifact import LoadedModel

__version__ = "1.0.0"


def create_app(config: Config | Mapping[str, Any] | None = None,
               model: LoadedModel | None = None) -> Flask:
    """Build the app: read config, load the model once, open the journal, add the routes."""
    if not isinstance(config, Config):
        config = Config.from_env().override(config)
    logging.basicConfig(level=config.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=config.max_body_bytes, FOCUS_AGENT=config)
    install(app, load_state(config.model_dir, model, config.model_check_seconds))
    register_error_handlers(app)
    register_headers(app)

    from app.api import api
    from app.journal import install_journal, journal_api
    app.register_blueprint(api)
    install_journal(app, config)
    app.register_blueprint(journal_api)
    return app
