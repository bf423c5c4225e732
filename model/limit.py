"""The Bayes-optimal limit: the best any model can do on data drawn by the synthetic rules."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, log_loss

from model.schema import MOODS_AFTER
from model.synthetic import DURATION_RANGE, MOOD_BEFORE_WEIGHTS, outcome_distribution


def true_probabilities(moods: Sequence[str], durations: Sequence[int],
                       labels: Sequence[str] = MOODS_AFTER) -> np.ndarray:
    """P(mood after | mood before, minutes) by the rules, one column per label."""
    rows = [outcome_distribution(mood, int(minutes)) for mood, minutes in zip(moods, durations)]
    return np.array([[row[label] for label in labels] for row in rows]).reshape(-1, len(labels))


def bayes_predictions(moods: Sequence[str], durations: Sequence[int]) -> np.ndarray:
    """The Bayes-optimal answer to each input: its most probable mood after."""
    return np.asarray(MOODS_AFTER)[true_probabilities(moods, durations).argmax(axis=1)]


def expected_accuracy() -> float:
    """Bayes-optimal accuracy averaged over the generator's moods and durations."""
    low, high = DURATION_RANGE
    minutes = list(range(low, high + 1))
    total = sum(weight for _, weight in MOOD_BEFORE_WEIGHTS)
    return float(sum(
        weight * true_probabilities([mood] * len(minutes), minutes).max(axis=1).mean()
        for mood, weight in MOOD_BEFORE_WEIGHTS) / total)


def limit_on(moods: Sequence[str], durations: Sequence[int],
             y_true: Sequence[str]) -> dict[str, Any]:
    """What the Bayes-optimal classifier scores on these labelled sessions (JSON-ready)."""
    labels = sorted(MOODS_AFTER)  # the column order log_loss and brier_score_loss expect
    probabilities = true_probabilities(moods, durations, labels)
    predicted = np.asarray(labels)[probabilities.argmax(axis=1)]
    return {
        "expected_accuracy": expected_accuracy(),
        "accuracy": float(accuracy_score(y_true, predicted)),
        "macro_f1": float(f1_score(y_true, predicted, labels=labels, average="macro",
                                   zero_division=0)),
        "log_loss": float(log_loss(y_true, probabilities, labels=labels)),
        "brier": float(brier_score_loss(y_true, probabilities, labels=labels,
                                        scale_by_half=False)),
    }
