"""The Bayes-optimal limit, computed from the generator's rules and checked against its draws."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from model.artifact import load_artifact, read_manifest
from model.data import load_sessions
from model.limit import bayes_predictions, expected_accuracy, limit_on, true_probabilities
from model.schema import MOODS_AFTER, MOODS_BEFORE
from model.synthetic import DURATION_RANGE, NOISE_RATE, outcome_distribution
from model.train import split
from tests.conftest import ROOT

TRAINED = range(DURATION_RANGE[0], DURATION_RANGE[1] + 1)


def generator_module():
    """data/generate_sessions.py, imported from its path (data/ is not a package)."""
    spec = importlib.util.spec_from_file_location("generate_sessions",
                                                  ROOT / "data" / "generate_sessions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mood", MOODS_BEFORE)
def test_every_outcome_distribution_sums_to_one(mood: str) -> None:
    for minutes in TRAINED:
        distribution = outcome_distribution(mood, minutes)
        assert set(distribution) == set(MOODS_AFTER)
        assert sum(distribution.values()) == pytest.approx(1.0)


def test_the_rules_of_the_data_card() -> None:
    noise = NOISE_RATE / 3
    assert outcome_distribution("tired", 20)["energized"] == pytest.approx(0.8)
    assert outcome_distribution("neutral", 27)["relaxed"] == pytest.approx(0.8)
    assert outcome_distribution("neutral", 28)["focused"] == pytest.approx(0.8)
    assert outcome_distribution("stressed", 18)["calm"] == pytest.approx(0.8)
    at_35 = outcome_distribution("anxious", 35)
    assert at_35["relaxed"] == pytest.approx(0.45 * 0.8 + 0.55 * noise)
    assert at_35["focused"] == pytest.approx(noise)


def test_expected_bayes_accuracy_matches_the_closed_form() -> None:
    # stressed and anxious (0.55): always calm, wrong when relaxed was drawn; the mean relaxed
    # share over 10-35 minutes is 0.45 * (1 + ... + 17) / 17 / 26; the rest (0.45) is right 0.8
    mean_relaxed = 0.45 * (17 * 18 / 2) / 17 / 26
    closed_form = 0.55 * (0.8 - mean_relaxed * (0.8 - NOISE_RATE / 3)) + 0.45 * 0.8
    assert expected_accuracy() == pytest.approx(closed_form, abs=1e-12)
    assert round(expected_accuracy(), 4) == 0.7372


def test_the_limit_agrees_with_what_the_generator_draws() -> None:
    rows = generator_module().generate_rows(seed=7, rows=20_000)
    moods = [row["mood_before"] for row in rows]
    minutes = [row["duration_minutes"] for row in rows]
    truth = np.array([row["mood_after"] for row in rows])
    observed = float(np.mean(bayes_predictions(moods, minutes) == truth))
    assert observed == pytest.approx(expected_accuracy(), abs=0.012)  # ~4 standard errors


def test_the_limit_on_the_held_out_split(dataset_path: Path) -> None:
    data = split(load_sessions(dataset_path))
    limit = limit_on(data.x_test["mood_before"].tolist(),
                     data.x_test["duration_minutes"].to_numpy(), data.y_test)
    assert limit["accuracy"] == pytest.approx(0.7725)
    assert limit["macro_f1"] == pytest.approx(0.752, abs=5e-4)
    assert 0 < limit["log_loss"] < 1 and 0 < limit["brier"] < 1


def test_the_manifest_states_the_distance_to_the_limit(trained_dir: Path) -> None:
    manifest = read_manifest(trained_dir)
    limit, metrics = manifest["limit"], manifest["metrics"]
    assert limit["accuracy_gap"] == pytest.approx(limit["accuracy"] - metrics["accuracy"])
    assert limit["macro_f1_gap"] == pytest.approx(limit["macro_f1"] - metrics["macro_f1"])
    assert limit["accuracy_gap"] <= 0.01


def test_within_the_trained_range_the_model_answers_like_the_bayes_classifier(
        trained_dir: Path) -> None:
    predictor = load_artifact(trained_dir).predictor
    moods = [mood for mood in MOODS_BEFORE for _ in TRAINED]
    minutes = [m for _ in MOODS_BEFORE for m in TRAINED]
    answers = np.asarray(predictor.classes)[predictor.predict_proba(moods, minutes).argmax(1)]
    assert answers.tolist() == bayes_predictions(moods, minutes).tolist()
    assert true_probabilities(moods, minutes).shape == (len(moods), len(MOODS_AFTER))
