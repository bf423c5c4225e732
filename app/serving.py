"""The model as the API serves it: answers precomputed over the domain, batches vectorised."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import orjson

from model.artifact import LoadedModel
from model.predictor import domain
from model.schema import DURATION_MIN, DURATIONS, MOODS_AFTER, MOODS_BEFORE


class ServingModel:
    """A verified model plus everything the request path needs, computed once at start-up."""

    def __init__(self, loaded: LoadedModel) -> None:
        """Score the whole domain once with the fast predictor and keep the answers."""
        self.loaded = loaded
        self.version = loaded.version
        self.trained_range = loaded.trained_range
        self._class_order = [loaded.predictor.classes.index(mood) for mood in MOODS_AFTER]
        moods, durations = domain()
        table = self.probabilities(moods, durations)
        self.table = table.reshape(len(MOODS_BEFORE), len(DURATIONS), len(MOODS_AFTER))
        self._single_bodies = {
            (mood, minutes): orjson.dumps({**self._prediction(row),
                                           "model_version": self.version,
                                           "warnings": self.warnings([minutes])})
            for mood, minutes, row in zip(moods, durations.tolist(), table.tolist())
        }

    def probabilities(self, moods: Sequence[str], durations: Sequence[int]) -> np.ndarray:
        """Probabilities in MOODS_AFTER order, for a whole batch in one vectorised call."""
        return self.loaded.predictor.predict_proba(moods, durations)[:, self._class_order]

    @staticmethod
    def _prediction(row: Sequence[float]) -> dict[str, Any]:
        """The most likely mood and each mood's probability, from one row."""
        best = max(range(len(row)), key=row.__getitem__)
        return {"mood_after": MOODS_AFTER[best],
                "probabilities": dict(zip(MOODS_AFTER, row))}

    def warnings(self, durations: Sequence[int]) -> list[str]:
        """A warning when any duration lies outside the range the model was trained on."""
        low, high = self.trained_range
        outside = sorted({minutes for minutes in durations if not low <= minutes <= high})
        if not outside:
            return []
        listed = ", ".join(map(str, outside[:10])) + (", ..." if len(outside) > 10 else "")
        return [f"duration_minutes {listed} outside the trained range {low}-{high}: "
                "the prediction is an extrapolation"]

    def single_body(self, mood: str, minutes: int) -> bytes:
        """The JSON answer to one validated prediction request."""
        return self._single_bodies[(mood, minutes)]

    def predict_batch(self, moods: Sequence[str], durations: Sequence[int]) -> dict[str, Any]:
        """The answer to a batch: one vectorised call, predictions in input order."""
        rows = self.probabilities(moods, durations).tolist()
        return {"predictions": [self._prediction(row) for row in rows],
                "model_version": self.version, "warnings": self.warnings(durations)}

    def curve(self, mood: str, target: str, low: int, high: int) -> list[float]:
        """P(target) at every whole minute from low to high."""
        mood_row = self.table[MOODS_BEFORE.index(mood)]
        column = MOODS_AFTER.index(target)
        return mood_row[low - DURATION_MIN:high - DURATION_MIN + 1, column].tolist()
