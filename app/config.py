"""Configuration read from the environment, with defaults that run on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Mapping

DEFAULT_MODEL_DIR = "model/artifacts"
DEFAULT_DATA_PATH = "data/group_01/meditation_sessions.csv"
DEFAULT_DATABASE_URL = "sqlite:///instance/focus.db"
LOG_FORMATS = ("json", "text")
OFF = ("off", "0", "false", "no")


def api_keys_from(text: str) -> tuple[str, ...]:
    """The API keys in a comma-separated list (blanks ignored)."""
    return tuple(key.strip() for key in text.split(",") if key.strip())


def _seconds(text: str) -> float:
    """A non-negative number of seconds; 1 when the text is not one."""
    try:
        value = float(text)
    except ValueError:
        return 1.0
    return value if value >= 0 else 1.0


@dataclass(frozen=True)
class Config:
    """Everything the application can be told; see the README's configuration table."""

    model_dir: str = DEFAULT_MODEL_DIR
    data_path: str = DEFAULT_DATA_PATH
    max_body_bytes: int = 1024 * 1024
    max_batch: int = 1000
    sessions_default_limit: int = 1000
    sessions_max_limit: int = 10000
    log_level: str = "INFO"
    model_check_seconds: float = 1.0
    database_url: str = DEFAULT_DATABASE_URL
    api_keys: tuple[str, ...] = ()
    log_format: str = "json"
    metrics: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Config":
        """Read the environment (see the README's configuration table); unset keeps defaults."""
        log_format = environ.get("LOG_FORMAT", "json").lower()
        if log_format not in LOG_FORMATS:
            raise ValueError(f"LOG_FORMAT must be json or text, got {log_format!r}")
        return cls(model_dir=environ.get("MODEL_DIR", DEFAULT_MODEL_DIR),
                   data_path=environ.get("DATA_PATH", DEFAULT_DATA_PATH),
                   log_level=environ.get("LOG_LEVEL", "INFO").upper(),
                   model_check_seconds=_seconds(environ.get("MODEL_CHECK_SECONDS", "1")),
                   database_url=environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
                   api_keys=api_keys_from(environ.get("API_KEYS", "")),
                   log_format=log_format,
                   metrics=environ.get("METRICS", "on").lower() not in OFF)

    def override(self, values: Mapping[str, Any] | None) -> "Config":
        """A copy with some fields replaced (how tests inject configuration)."""
        return replace(self, **dict(values or {}))
