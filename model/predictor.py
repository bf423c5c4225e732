"""Fast prediction: the fitted pipeline (additive or per-mood slopes) compiled to NumPy, proved
equal to it at load time."""

from __future__ import annotations

import logging
from typing import Protocol, Sequence

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from model.features import MoodDurationInteraction
from model.schema import DURATIONS, FEATURES, MOODS_BEFORE

log = logging.getLogger(__name__)
PARITY_TOLERANCE = 1e-9


class Predictor(Protocol):
    """What every predictor offers: class names and probabilities for a batch."""

    classes: tuple[str, ...]

    def predict_proba(self, moods: Sequence[str], durations: Sequence[int]) -> np.ndarray:
        """Probabilities, one row per input and one column per class."""


class PipelinePredictor:
    """The fitted scikit-learn pipeline itself: the reference, and the fallback."""

    def __init__(self, pipeline: Pipeline) -> None:
        """Wrap a fitted pipeline."""
        self.pipeline = pipeline
        self.classes = tuple(str(label) for label in pipeline.classes_)

    def predict_proba(self, moods: Sequence[str], durations: Sequence[int]) -> np.ndarray:
        """Ask the pipeline, through the DataFrame it was trained on."""
        frame = pd.DataFrame({"duration_minutes": np.asarray(durations, dtype=np.int64),
                              "mood_before": list(moods)}, columns=list(FEATURES))
        return self.pipeline.predict_proba(frame)


def _duration_columns(pipeline: Pipeline, mood_columns: range, duration_column: int) -> list[int]:
    """Per mood, the classifier column that holds its duration slope.

    Additive pipelines share one duration column; with the mood × duration interaction the
    classifier sees the one-hot columns, then one slope column per mood in the same order.
    """
    interact = pipeline.named_steps.get("interact", "passthrough")
    if interact in (None, "passthrough"):
        return [duration_column] * len(mood_columns)
    if not isinstance(interact, MoodDurationInteraction) or duration_column != len(mood_columns):
        raise ValueError(f"unknown step between preprocessing and classifier: {interact!r}")
    return [len(mood_columns) + position for position in range(len(mood_columns))]


class CompiledPredictor:
    """Mood index -> base logits + a per-mood duration slope -> softmax, as plain NumPy."""

    def __init__(self, pipeline: Pipeline) -> None:
        """Read the fitted encoder, scaler, interaction and classifier; ValueError if unknown."""
        preprocess = pipeline.named_steps["preprocess"]
        classifier = pipeline.named_steps["classify"]
        encoder = preprocess.named_transformers_["mood"]
        scaler = preprocess.named_transformers_["duration"]
        if len(classifier.classes_) < 3 or classifier.coef_.shape[0] != len(classifier.classes_):
            raise ValueError("only a multinomial classifier over three or more classes compiles")
        mood_columns = range(*preprocess.output_indices_["mood"].indices(classifier.coef_.shape[1]))
        slope_columns = _duration_columns(pipeline, mood_columns,
                                          preprocess.output_indices_["duration"].start)
        coef = classifier.coef_
        categories = [str(value) for value in encoder.categories_[0]]
        weights = coef[:, slope_columns].T / scaler.scale_[0]
        base = coef[:, list(mood_columns)].T + classifier.intercept_ - weights * scaler.mean_[0]
        self.classes = tuple(str(label) for label in classifier.classes_)
        self._mood_index = {mood: position for position, mood in enumerate(categories)}
        self._base_logits = np.ascontiguousarray(base)
        self._duration_weights = np.ascontiguousarray(weights)

    def mood_indices(self, moods: Sequence[str]) -> np.ndarray:
        """Positions of the moods in the encoder's categories; KeyError on an unknown one."""
        index = self._mood_index
        return np.fromiter((index[mood] for mood in moods), dtype=np.intp, count=len(moods))

    def predict_proba(self, moods: Sequence[str], durations: Sequence[int]) -> np.ndarray:
        """Softmax of the linear logits, for the whole batch in one call."""
        minutes = np.asarray(durations, dtype=np.float64)
        rows = self.mood_indices(moods)
        logits = self._base_logits[rows] + self._duration_weights[rows] * minutes[:, None]
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


def domain() -> tuple[list[str], np.ndarray]:
    """Every (mood, duration) pair the contract accepts, as two aligned columns."""
    moods = [mood for mood in MOODS_BEFORE for _ in DURATIONS]
    durations = np.array([minutes for _ in MOODS_BEFORE for minutes in DURATIONS])
    return moods, durations


def parity_gap(candidate: Predictor, reference: Predictor) -> float:
    """Largest absolute probability difference between two predictors over the domain."""
    moods, durations = domain()
    return float(np.abs(candidate.predict_proba(moods, durations)
                        - reference.predict_proba(moods, durations)).max())


def build_predictor(pipeline: Pipeline) -> Predictor:
    """The compiled predictor when it provably equals the pipeline, else the pipeline."""
    reference = PipelinePredictor(pipeline)
    try:
        compiled = CompiledPredictor(pipeline)
        gap = parity_gap(compiled, reference)
    except (AttributeError, KeyError, ValueError, IndexError) as exc:
        log.warning("cannot compile the pipeline (%s); predicting with scikit-learn", exc)
        return reference
    if compiled.classes != reference.classes or gap > PARITY_TOLERANCE:
        log.warning("compiled predictor differs from the pipeline by %.3g (> %g); "
                    "predicting with scikit-learn", gap, PARITY_TOLERANCE)
        return reference
    return compiled
