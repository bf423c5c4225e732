"""Extra readiness checks: each may give a reason why /health should answer 503.

The model and the data give their reasons through the app state; other parts (the drain on
shutdown, a refused model swap) register a check here instead of growing /health itself.
"""

from __future__ import annotations

from typing import Callable

from flask import Flask

EXTENSION = "focus_agent_readiness"
ReadinessCheck = Callable[[], "str | None"]


def add_readiness_check(app: Flask, check: ReadinessCheck) -> None:
    """Register a check: it returns a reason when the service is not ready, else None."""
    app.extensions.setdefault(EXTENSION, []).append(check)


def readiness_reasons(app: Flask) -> list[str]:
    """The reasons the registered checks give right now (empty when all pass)."""
    return [reason for check in app.extensions.get(EXTENSION, []) if (reason := check())]
