"""The Focus Meditation Agent web application: create_app() builds it."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from app.config import Config
from app.drain import install_drain
from app.errors import register_error_handlers
from app.fast_predict import install_fast_predict
from app.headers import register_headers
from app.logs import configure_logging, install_request_logging
from app.metrics import install_metrics
from app.state import install, load_models
from model.artifact import LoadedModel

__version__ = "1.0.0"


def create_app(config: Config | Mapping[str, Any] | None = None,
               model: LoadedModel | None = None) -> Flask:
    """Build the app: read config, load the model once, open the journal, add the routes."""
    if not isinstance(config, Config):
        config = Config.from_env().override(config)
    configure_logging(config.log_format, config.log_level)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=config.max_body_bytes, FOCUS_AGENT=config)
    install_fast_predict(app)
    install(app, load_models(config.model_dir, model, config.model_check_seconds))
    register_error_handlers(app)
    install_request_logging(app)
    register_headers(app)
    install_drain(app)
    if config.metrics:
        install_metrics(app)

    from app.api import api
    from app.journal import install_journal, journal_api
    app.register_blueprint(api)
    install_journal(app, config)
    app.register_blueprint(journal_api)
    return app
