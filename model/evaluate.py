"""Evaluation on the held-out split: accuracy, macro-F1, per class, confusion, log-loss and
calibration (Brier score, reliability table)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import (accuracy_score, brier_score_loss, confusion_matrix, f1_score,
                             log_loss, precision_recall_fscore_support)

from model.schema import MOODS_AFTER

RELIABILITY_BINS = 10


def majority_baseline(y_train: Sequence[str], y_test: Sequence[str]) -> tuple[str, float]:
    """The most common training label, and its accuracy on the test labels."""
    labels, counts = np.unique(np.asarray(y_train), return_counts=True)
    majority = str(labels[np.argmax(counts)])
    return majority, float(np.mean(np.asarray(y_test) == majority))


def evaluate(y_true: Sequence[str], probabilities: np.ndarray, classes: Sequence[str],
             y_train: Sequence[str]) -> dict[str, Any]:
    """Metrics of predicted probabilities against the true labels (JSON-ready)."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(classes)[np.argmax(probabilities, axis=1)]
    labels = list(MOODS_AFTER)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    baseline_class, baseline_accuracy = majority_baseline(y_train, y_true)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                   zero_division=0)),
        "log_loss": float(log_loss(y_true, probabilities, labels=list(classes))),
        "baseline_class": baseline_class,
        "baseline_accuracy": baseline_accuracy,
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f),
                    "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        "confusion_matrix": {
            "labels": labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
        "calibration": calibration(y_true, probabilities, classes),
    }


def calibration(y_true: Sequence[str], probabilities: np.ndarray, classes: Sequence[str],
                bins: int = RELIABILITY_BINS) -> dict[str, Any]:
    """Multiclass Brier score, and how often each stated probability comes true.

    Every (session, class) pair is one forecast "this class, with probability p"; the pairs
    are grouped into equal-width bins of p, and each bin compares its mean p with the share of
    its pairs whose class was the true one. Empty bins are left out.
    """
    classes = list(classes)
    outcome = (np.asarray(y_true)[:, None] == np.asarray(classes)[None, :]).ravel()
    stated = np.asarray(probabilities, dtype=np.float64).ravel()
    positions = np.minimum((stated * bins).astype(int), bins - 1)
    table = [{"low": index / bins, "high": (index + 1) / bins, "count": int(inside.sum()),
              "mean_probability": float(stated[inside].mean()),
              "observed_frequency": float(outcome[inside].mean())}
             for index in range(bins) if (inside := positions == index).any()]
    gaps = sum(row["count"] * abs(row["mean_probability"] - row["observed_frequency"])
               for row in table)
    order = np.argsort(classes)  # brier_score_loss reads the columns in sorted label order
    brier = brier_score_loss(y_true, np.asarray(probabilities)[:, order],
                             labels=sorted(classes), scale_by_half=False)
    return {"brier": float(brier),
            "expected_calibration_error": float(gaps / len(stated)),
            "bins": table}


def accuracy_of(y_true: Sequence[str], probabilities: np.ndarray,
                classes: Sequence[str]) -> float:
    """Accuracy of the most probable class."""
    y_pred = np.asarray(classes)[np.argmax(probabilities, axis=1)]
    return float(np.mean(np.asarray(y_true) == y_pred))
