"""Configuration read from the environment, with defaults that run on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Mapping

DEFAULT_MODEL_DIR = "model/artifacts"
DEFAULT_DATA_PATH = "data/group_01/meditation_sessions.csv"
LOG_FORMATS = ("json", "text")
OFF = ("off", "0", "false", "no")


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
    log_format: str = "json"
    metrics: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Config":
        """Read MODEL_DIR, DATA_PATH, LOG_LEVEL, LOG_FORMAT, METRICS; unset keeps the default."""
        log_format = environ.get("LOG_FORMAT", "json").lower()
        if log_format not in LOG_FORMATS:
            raise ValueError(f"LOG_FORMAT must be json or text, got {log_format!r}")
        return cls(model_dir=environ.get("MODEL_DIR", DEFAULT_MODEL_DIR),
                   data_path=environ.get("DATA_PATH", DEFAULT_DATA_PATH),
                   log_level=environ.get("LOG_LEVEL", "INFO").upper(),
                   log_format=log_format,
                   metrics=environ.get("METRICS", "on").lower() not in OFF)

    def override(self, values: Mapping[str, Any] | None) -> "Config":
        """A copy with some fields replaced (how tests inject configuration)."""
        return replace(self, **dict(values or {}))
