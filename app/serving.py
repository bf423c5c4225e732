"""The model as the API serves it: the whole domain scored once, answers gathered per request.

The accepted domain is finite (4 moods x 56 whole minutes = 224 inputs, the same points the
predictor's parity proof covers), so at start-up the compiled predictor scores all of it in one
vectorised call; a single request is then one lookup of ready JSON bytes, and a batch is one
vectorised gather over that table.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
import orjson

from model.artifact import LoadedModel
from model.predictor import domain
from model.schema import DURATION_MIN, DURATIONS, MOODS_AFTER, MOODS_BEFORE

MOOD_POSITION = {mood: position for position, mood in enumerate(MOODS_BEFORE)}


def domain_index(mood: str, minutes: int) -> int:
    """Position of (mood, minutes) in the domain's order (mood-major, then minutes)."""
    return MOOD_POSITION[mood] * len(DURATIONS) + minutes - DURATION_MIN


class ServingModel:
    """A verified model plus every answer the request path can give, computed at start-up."""

    def __init__(self, loaded: LoadedModel) -> None:
        """Score the whole domain once with the fast predictor and keep the answers."""
        self.loaded = loaded
        self.version = loaded.version
        self.trained_range = loaded.trained_range
        order = [loaded.predictor.classes.index(mood) for mood in MOODS_AFTER]
        moods, durations = domain()
        probabilities = loaded.predictor.predict_proba(moods, durations)[:, order]
        self.table = probabilities.reshape(len(MOODS_BEFORE), len(DURATIONS), len(MOODS_AFTER))
        self.predicted = probabilities.argmax(axis=1)  # position in MOODS_AFTER, per point
        labels = self._labels = np.asarray(MOODS_AFTER)[self.predicted].tolist()
        predictions = [{"mood_after": label, "probabilities": dict(zip(MOODS_AFTER, row))}
                       for label, row in zip(labels, probabilities.tolist())]
        self._prediction_json = np.empty(len(predictions), dtype=object)
        self._prediction_json[:] = [orjson.dumps(prediction) for prediction in predictions]
        self._single_bodies = [
            orjson.dumps({**prediction, "model_version": self.version,
                          "warnings": self.warnings([minutes])})
            for prediction, minutes in zip(predictions, durations.tolist())]

    def warnings(self, durations: Iterable[int]) -> list[str]:
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
        return self._single_bodies[domain_index(mood, minutes)]

    def mood_after(self, mood: str, minutes: int) -> str:
        """The predicted mood for one validated input."""
        return self._labels[domain_index(mood, minutes)]

    @staticmethod
    def batch_indices(instances: Sequence[dict[str, Any]]) -> np.ndarray:
        """The domain positions of a validated batch, in input order."""
        width = len(DURATIONS)
        return np.array([MOOD_POSITION[item["mood_before"]] * width
                         + item["duration_minutes"] - DURATION_MIN for item in instances],
                        dtype=np.intp)

    def mood_counts(self, indices: np.ndarray) -> dict[str, int]:
        """How many of the given domain positions are predicted as each mood."""
        counts = np.bincount(self.predicted[indices], minlength=len(MOODS_AFTER)).tolist()
        return {mood: count for mood, count in zip(MOODS_AFTER, counts) if count}

    def batch_body_at(self, indices: np.ndarray) -> bytes:
        """The JSON answer to a batch at these domain positions (batch_indices): one gather."""
        width = len(DURATIONS)
        minutes = set((indices % width + DURATION_MIN).tolist())
        return b"".join((b'{"predictions":[', b",".join(self._prediction_json[indices]),
                         b'],"model_version":', orjson.dumps(self.version),
                         b',"warnings":', orjson.dumps(self.warnings(minutes)), b"}"))

    def curve(self, mood: str, target: str, low: int, high: int) -> list[float]:
        """P(target) at every whole minute from low to high."""
        column = MOODS_AFTER.index(target)
        return self.table[MOOD_POSITION[mood], low - DURATION_MIN:high - DURATION_MIN + 1,
                          column].tolist()
