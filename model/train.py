"""Training: the pipeline (additive, or per-mood duration slopes) and a stratified split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from model.features import MoodDurationInteraction
from model.schema import FEATURES, MOODS_BEFORE

DEFAULT_SEED = 42
TEST_SIZE = 0.2
MAX_ITER = 2000
FEATURE_SETS: tuple[str, ...] = ("additive", "interaction")


@dataclass(frozen=True)
class Split:
    """Features and labels of the training and the held-out test part."""

    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def build_pipeline(c: float = 1.0, seed: int = DEFAULT_SEED, features: str = "additive",
                   class_weight: str | None = None) -> Pipeline:
    """One-hot mood and scaled duration, optionally per-mood slopes, then a logistic regression.

    `features` is "additive" (one duration slope shared by every mood) or "interaction" (each
    mood its own slope); `class_weight` is None or "balanced".
    """
    if features not in FEATURE_SETS:
        raise ValueError(f"features must be one of {', '.join(FEATURE_SETS)}, not {features!r}")
    preprocess = ColumnTransformer([
        ("mood", OneHotEncoder(categories=[list(MOODS_BEFORE)], sparse_output=False),
         ["mood_before"]),
        ("duration", StandardScaler(), ["duration_minutes"]),
    ])
    interact = MoodDurationInteraction() if features == "interaction" else "passthrough"
    classifier = LogisticRegression(C=c, class_weight=class_weight, max_iter=MAX_ITER,
                                    random_state=seed)
    return Pipeline([("preprocess", preprocess), ("interact", interact),
                     ("classify", classifier)])


def split(sessions: pd.DataFrame, seed: int = DEFAULT_SEED) -> Split:
    """A stratified 80/20 split, the same for the same data and seed."""
    x_train, x_test, y_train, y_test = train_test_split(
        sessions[list(FEATURES)], sessions["mood_after"], test_size=TEST_SIZE,
        stratify=sessions["mood_after"], random_state=seed)
    return Split(x_train, x_test, y_train, y_test)


def trained_duration_range(sessions: pd.DataFrame) -> tuple[int, int]:
    """The shortest and longest session the model learnt from."""
    minutes = sessions["duration_minutes"].to_numpy()
    return int(np.min(minutes)), int(np.max(minutes))
