"""The mood × duration interaction: each mood its own duration slope, between encoder and model."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted


class MoodDurationInteraction(TransformerMixin, BaseEstimator):
    """Turn [mood one-hots..., duration] into [mood one-hots..., one-hot × duration per mood].

    The input is the preprocessing step's output: the one-hot mood columns, then the scaled
    duration as the last column. The shared duration column is replaced by one column per mood,
    so the classifier learns a separate duration slope for every mood.
    """

    def fit(self, X: np.ndarray, y: object = None) -> "MoodDurationInteraction":
        """Remember the input width (one-hot columns plus the duration column)."""
        X = check_array(X)
        if X.shape[1] < 2:
            raise ValueError("expected the mood one-hot columns followed by the duration column")
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The one-hot columns, then each of them multiplied by the duration."""
        check_is_fitted(self, "n_features_in_")
        X = check_array(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} columns, got {X.shape[1]}")
        indicators, duration = X[:, :-1], X[:, -1:]
        return np.hstack([indicators, indicators * duration])
