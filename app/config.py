"""Configuration read from the environment, with defaults that run on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Mapping

DEFAULT_MODEL_DIR = "model/artifacts"
DEFAULT_DATA_PATH = "data/group_01/meditation_sessions.csv"


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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Config":
        """Read MODEL_DIR, DATA_PATH and LOG_LEVEL; anything unset keeps its default."""
        return cls(model_dir=environ.get("MODEL_DIR", DEFAULT_MODEL_DIR),
                   data_path=environ.get("DATA_PATH", DEFAULT_DATA_PATH),
                   log_level=environ.get("LOG_LEVEL", "INFO").upper())

    def override(self, values: Mapping[str, Any] | None) -> "Config":
        """A copy with some fields replaced (how tests inject configuration)."""
        return replace(self, **dict(values or {}))
