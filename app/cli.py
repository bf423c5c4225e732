"""`focus-agent`: the model's commands plus `serve`, which runs the API under Gunicorn."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from app.config import Config
from app.logs import configure_logging
from app.store_cli import prepare_store
from model.artifact import artifact_exists
from model.cli import cli
from model.workflow import run_training

GUNICORN_CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def gunicorn_argv(config_file: Path) -> list[str]:
    """The command that serves app.wsgi:app with the project's Gunicorn settings."""
    argv = [sys.executable, "-m", "gunicorn"]
    if config_file.exists():
        argv += ["-c", str(config_file)]
    return argv + ["app.wsgi:app"]


@cli.command("serve")
@click.option("--host", help="Interface to bind (default $HOST or 0.0.0.0).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default $PORT or 5000).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Worker processes (default $WEB_CONCURRENCY or 2).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API with Gunicorn: train a model if there is none, prepare the journal."""
    config = Config.from_env()
    configure_logging(config.log_format, config.log_level)  # what serve says is logged like
    say = logging.getLogger("focus_agent.serve").info      # the server's own lines (LOG_FORMAT)
    model_dir = Path(config.model_dir)
    if not model_dir.exists() or model_dir.is_dir() and not artifact_exists(model_dir):
        say(f"no model in {config.model_dir}: training one first")
        run_training(Path(config.data_path), model_dir, progress=say)
    prepare_store(config.database_url, Path(config.data_path), say)
    for name, value in (("HOST", host), ("PORT", port), ("WEB_CONCURRENCY", workers)):
        if value is not None:
            os.environ[name] = str(value)
    argv = gunicorn_argv(GUNICORN_CONFIG)
    os.execv(argv[0], argv)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
