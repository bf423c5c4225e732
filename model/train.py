"""Training: the pipeline, a stratified split, and C chosen by stratified cross-validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from model.schema import FEATURES, MOODS_BEFORE

DEFAULT_SEED = 42
TEST_SIZE = 0.2
CV_FOLDS = 5
C_GRID: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0, 100.0)
MAX_ITER = 2000


@dataclass(frozen=True)
class Split:
    """Features and labels of the training and the held-out test part."""

    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


@dataclass(frozen=True)
class CrossValidation:
    """The C that cross-validation chose, and the accuracy across its folds."""

    best_c: float
    mean: float
    std: float
    folds: int
    grid: tuple[float, ...]


def build_pipeline(c: float = 1.0, seed: int = DEFAULT_SEED) -> Pipeline:
    """One-hot mood and scaled duration, then a multinomial logistic regression."""
    preprocess = ColumnTransformer([
        ("mood", OneHotEncoder(categories=[list(MOODS_BEFORE)]), ["mood_before"]),
        ("duration", StandardScaler(), ["duration_minutes"]),
    ])
    classifier = LogisticRegression(C=c, max_iter=MAX_ITER, random_state=seed)
    return Pipeline([("preprocess", preprocess), ("classify", classifier)])


def split(sessions: pd.DataFrame, seed: int = DEFAULT_SEED) -> Split:
    """A stratified 80/20 split, the same for the same data and seed."""
    x_train, x_test, y_train, y_test = train_test_split(
        sessions[list(FEATURES)], sessions["mood_after"], test_size=TEST_SIZE,
        stratify=sessions["mood_after"], random_state=seed)
    return Split(x_train, x_test, y_train, y_test)


def choose_c(data: Split, seed: int = DEFAULT_SEED,
             grid: tuple[float, ...] = C_GRID) -> CrossValidation:
    """Pick C by stratified k-fold accuracy on the training part only."""
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    search = GridSearchCV(build_pipeline(seed=seed), {"classify__C": list(grid)},
                          scoring="accuracy", cv=folds)
    search.fit(data.x_train, data.y_train)
    best = search.best_index_
    return CrossValidation(
        best_c=float(search.best_params_["classify__C"]),
        mean=float(search.cv_results_["mean_test_score"][best]),
        std=float(search.cv_results_["std_test_score"][best]),
        folds=CV_FOLDS, grid=tuple(grid))


def fit(data: Split, c: float, seed: int = DEFAULT_SEED) -> Pipeline:
    """Fit the pipeline with the chosen C on the whole training part."""
    pipeline = build_pipeline(c, seed)
    pipeline.fit(data.x_train, data.y_train)
    return pipeline


def trained_duration_range(sessions: pd.DataFrame) -> tuple[int, int]:
    """The shortest and longest session the model learnt from."""
    minutes = sessions["duration_minutes"].to_numpy()
    return int(np.min(minutes)), int(np.max(minutes))
