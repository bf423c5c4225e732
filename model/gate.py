"""The quality gate: a model ships only if it is good enough for every class, and not worse
than the last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

DEFAULT_MIN_ACCURACY = 0.65
DEFAULT_MIN_LIFT = 0.10
DEFAULT_MAX_REGRESSION = 0.02
DEFAULT_MIN_CLASS_RECALL = 0.30
TOLERANCE = 1e-9  # so that a threshold met exactly is not failed by float rounding


@dataclass(frozen=True)
class GateRules:
    """The thresholds a candidate model must meet."""

    min_accuracy: float = DEFAULT_MIN_ACCURACY
    min_lift: float = DEFAULT_MIN_LIFT
    max_regression: float = DEFAULT_MAX_REGRESSION
    min_class_recall: float = DEFAULT_MIN_CLASS_RECALL


def recall_failures(recalls: Mapping[str, float], floor: float) -> list[str]:
    """One failure per class whose test recall is below the floor."""
    return [f"class recall: {label} recall {recall:.4f} is below {floor:.4f} by"
            f" {floor - recall:.4f} (the model rarely predicts {label} when it is the answer)"
            for label, recall in recalls.items() if recall < floor - TOLERANCE]


def gate_failures(accuracy: float, baseline: float, deployed: float | None,
                  rules: GateRules, recalls: Mapping[str, float] | None = None) -> list[str]:
    """Every gate the candidate fails, each saying by how much; empty when it passes."""
    failures = []
    if accuracy < rules.min_accuracy - TOLERANCE:
        failures.append(
            f"minimum accuracy: test accuracy {accuracy:.4f} is below {rules.min_accuracy:.4f}"
            f" by {rules.min_accuracy - accuracy:.4f}")
    lift = accuracy - baseline
    if lift < rules.min_lift - TOLERANCE:
        failures.append(
            f"baseline lift: accuracy {accuracy:.4f} is only {lift * 100:.1f} points above the"
            f" majority baseline {baseline:.4f}; at least {rules.min_lift * 100:.1f} required"
            f" (short by {(rules.min_lift - lift) * 100:.1f} points)")
    if deployed is not None and deployed - accuracy > rules.max_regression + TOLERANCE:
        failures.append(
            f"regression: accuracy {accuracy:.4f} is {deployed - accuracy:.4f} below the"
            f" deployed model's {deployed:.4f} on the same test split"
            f" (at most {rules.max_regression:.4f} allowed)")
    return failures + recall_failures(recalls or {}, rules.min_class_recall)
