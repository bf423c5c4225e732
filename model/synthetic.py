"""The rules the synthetic sessions dataset is drawn from, shared by its generator and its limit.

`data/generate_sessions.py` draws the bundled dataset with these rules and `model/limit.py`
derives from them the best accuracy any model can reach (data/README.md states them in words).
"""

from __future__ import annotations

MOOD_BEFORE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("stressed", 0.30), ("anxious", 0.25), ("neutral", 0.25), ("tired", 0.20))
OUTCOMES: tuple[str, ...] = ("calm", "relaxed", "focused", "energized")
DURATION_RANGE = (10, 35)
RELAXED_FROM = 18
RELAXED_SHARE_MAX = 0.45
NEUTRAL_FOCUS_FROM = 28
NOISE_RATE = 0.20


def relaxed_chance(minutes: int) -> float:
    """Share of stressed or anxious people whose typical outcome is relaxed, not calm."""
    return max(0.0, (minutes - RELAXED_FROM) / (DURATION_RANGE[1] - RELAXED_FROM)) \
        * RELAXED_SHARE_MAX


def typical_distribution(mood_before: str, minutes: int) -> dict[str, float]:
    """The typical outcome's probabilities before self-report noise (rule 4 of the card)."""
    if mood_before in ("stressed", "anxious"):
        relaxed = relaxed_chance(minutes)
        return {"calm": 1.0 - relaxed, "relaxed": relaxed}
    if mood_before == "neutral":
        return {"focused" if minutes >= NEUTRAL_FOCUS_FROM else "relaxed": 1.0}
    return {"energized": 1.0}


def outcome_distribution(mood_before: str, minutes: int) -> dict[str, float]:
    """Probability of every reported mood: the typical outcome, then the uniform noise."""
    typical = typical_distribution(mood_before, minutes)
    swap = NOISE_RATE / (len(OUTCOMES) - 1)
    return {mood: (1 - NOISE_RATE) * typical.get(mood, 0.0)
            + swap * (1 - typical.get(mood, 0.0)) for mood in OUTCOMES}
