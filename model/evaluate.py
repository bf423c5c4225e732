"""Evaluation on the held-out split: accuracy, macro-F1, per class, confusion, log-loss."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss,
                             precision_recall_fscore_support)

from model.schema import MOODS_AFTER


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
    }


def accuracy_of(y_true: Sequence[str], probabilities: np.ndarray,
                classes: Sequence[str]) -> float:
    """Accuracy of the most probable class."""
    y_pred = np.asarray(classes)[np.argmax(probabilities, axis=1)]
    return float(np.mean(np.asarray(y_true) == y_pred))
