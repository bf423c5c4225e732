"""The compiled predictor: equal to the pipeline on the whole domain, vectorised, with fallback."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn.preprocessing import StandardScaler

from model.artifact import load_artifact
from model.data import load_sessions
from model.features import MoodDurationInteraction
from model.predictor import (CompiledPredictor, PipelinePredictor, build_predictor, domain,
                             parity_gap)
from model.schema import DURATIONS, MOODS_BEFORE
from model.train import build_pipeline, split


@pytest.fixture(scope="module")
def model(trained_dir: Path):
    """The trained artifact, loaded once."""
    return load_artifact(trained_dir)


def test_compiled_equals_pipeline_on_every_domain_point(model) -> None:
    moods, durations = domain()
    assert len(moods) == len(MOODS_BEFORE) * len(DURATIONS)
    compiled = model.predictor.predict_proba(moods, durations)
    reference = model.pipeline.predict_proba(
        pd.DataFrame({"duration_minutes": durations, "mood_before": moods}))
    assert np.abs(compiled - reference).max() <= 1e-9


def test_the_served_model_is_the_interaction_compiled(model) -> None:
    assert isinstance(model.pipeline.named_steps["interact"], MoodDurationInteraction)
    assert isinstance(model.predictor, CompiledPredictor) and model.compiled


@pytest.mark.parametrize("features", ["additive", "interaction"])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_every_candidate_of_the_space_compiles_with_parity(dataset_path: Path, features: str,
                                                           class_weight: str | None) -> None:
    data = split(load_sessions(dataset_path))
    pipeline = build_pipeline(0.1, features=features, class_weight=class_weight).fit(
        data.x_train, data.y_train)
    predictor = build_predictor(pipeline)
    assert isinstance(predictor, CompiledPredictor)
    assert parity_gap(predictor, PipelinePredictor(pipeline)) <= 1e-9


def test_per_mood_slopes_differ_and_the_additive_slope_is_shared(dataset_path: Path) -> None:
    data = split(load_sessions(dataset_path))
    slopes = {features: CompiledPredictor(build_pipeline(features=features).fit(
        data.x_train, data.y_train))._duration_weights for features in ("additive", "interaction")}
    assert np.allclose(slopes["additive"], slopes["additive"][0])
    assert not np.allclose(slopes["interaction"], slopes["interaction"][0])


def test_neutral_people_switch_to_focused_at_28_minutes_as_in_the_data(model) -> None:
    classes = np.asarray(model.predictor.classes)
    answers = classes[model.predictor.predict_proba(["neutral"] * 2, [27, 28]).argmax(1)]
    assert answers.tolist() == ["relaxed", "focused"]


def test_an_unknown_step_before_the_classifier_falls_back(
        model, caplog: pytest.LogCaptureFixture) -> None:
    changed = copy.deepcopy(model.pipeline)
    changed.steps[1] = ("interact", StandardScaler().fit(np.eye(8)))
    with caplog.at_level(logging.WARNING):
        predictor = build_predictor(changed)
    assert isinstance(predictor, PipelinePredictor)
    assert "unknown step" in caplog.text


def test_the_interaction_gives_each_mood_its_own_duration_column() -> None:
    one_hot_and_duration = np.array([[1.0, 0, 0, 0, 0.5], [0, 0, 1, 0, -2.0]])
    step = MoodDurationInteraction().fit(one_hot_and_duration)
    assert step.transform(one_hot_and_duration).tolist() == [
        [1, 0, 0, 0, 0.5, 0, 0, 0], [0, 0, 1, 0, 0, 0, -2.0, 0]]
    with pytest.raises(ValueError, match="expected 5 columns"):
        step.transform(np.ones((1, 4)))
    with pytest.raises(ValueError, match="one-hot columns followed by the duration"):
        MoodDurationInteraction().fit(np.ones((2, 1)))


def test_batches_equal_single_predictions(model) -> None:
    rng = np.random.default_rng(0)
    moods = [MOODS_BEFORE[i] for i in rng.integers(0, 4, 500)]
    durations = rng.integers(5, 61, 500)
    batch = model.predictor.predict_proba(moods, durations)
    singles = np.vstack([model.predictor.predict_proba([m], [d]) for m, d in zip(moods, durations)])
    assert np.array_equal(batch, singles)
    assert np.allclose(batch.sum(axis=1), 1.0)


def test_the_same_input_gives_the_same_answer(model) -> None:
    first = model.predictor.predict_proba(["tired"], [20])
    assert np.array_equal(first, model.predictor.predict_proba(["tired"], [20]))


def test_longer_sessions_move_neutral_people_towards_focused(model) -> None:
    focused = model.predictor.classes.index("focused")
    probabilities = model.predictor.predict_proba(["neutral"] * 3, [10, 25, 40])[:, focused]
    assert probabilities[0] < probabilities[1] < probabilities[2]


def test_typical_answers_follow_the_data(model) -> None:
    classes = np.array(model.predictor.classes)
    answers = classes[model.predictor.predict_proba(
        ["stressed", "anxious", "tired", "neutral", "neutral"], [15, 15, 20, 12, 45]).argmax(1)]
    assert answers.tolist() == ["calm", "calm", "energized", "relaxed", "focused"]


def test_unknown_mood_raises_key_error(model) -> None:
    with pytest.raises(KeyError):
        model.predictor.predict_proba(["happy"], [20])


def test_a_pipeline_that_does_not_compile_falls_back_with_a_warning(
        model, caplog: pytest.LogCaptureFixture) -> None:
    broken = copy.deepcopy(model.pipeline)
    del broken.named_steps["classify"].coef_
    with caplog.at_level(logging.WARNING):
        predictor = build_predictor(broken)
    assert isinstance(predictor, PipelinePredictor)
    assert "cannot compile" in caplog.text


def test_a_compiled_predictor_that_disagrees_falls_back(
        model, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    original = CompiledPredictor.predict_proba
    monkeypatch.setattr(CompiledPredictor, "predict_proba",
                        lambda self, moods, durations: original(self, moods, durations) + 1e-6)
    with caplog.at_level(logging.WARNING):
        predictor = build_predictor(model.pipeline)
    assert isinstance(predictor, PipelinePredictor)
    assert "differs from the pipeline" in caplog.text


def test_parity_gap_of_the_pipeline_with_itself_is_zero(model) -> None:
    reference = PipelinePredictor(model.pipeline)
    assert parity_gap(reference, reference) == 0.0
