"""Model selection: a declared space, CV log-loss, and the one-standard-error rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.artifact import CARD_FILE, read_manifest
from model.data import load_sessions
from model.selection import (C_GRID, CLASS_WEIGHTS, CV_FOLDS, SPACE, Candidate,
                             CandidateScores, cross_validate_space, one_standard_error_choice)
from model.train import FEATURE_SETS, split


def scores(candidate: Candidate, *fold_log_losses: float) -> CandidateScores:
    """Made-up CV scores with the given log-loss per fold."""
    folds = tuple(fold_log_losses)
    return CandidateScores(candidate, {"log_loss": folds, "accuracy": folds,
                                       "macro_f1": folds})


ADDITIVE = Candidate("additive", 1.0)
INTERACTION = Candidate("interaction", 1.0)


def test_the_space_is_features_by_c_by_class_weight_simplest_first() -> None:
    assert len(SPACE) == len(FEATURE_SETS) * len(C_GRID) * len(CLASS_WEIGHTS) == 16
    assert {(c.features, c.c, c.class_weight) for c in SPACE} == {
        (f, c, w) for f in FEATURE_SETS for c in C_GRID for w in CLASS_WEIGHTS}
    assert [c.complexity for c in SPACE] == sorted(c.complexity for c in SPACE)
    assert SPACE[0] == Candidate("additive", min(C_GRID), None)


def test_a_complex_candidate_within_one_standard_error_loses_to_the_simpler() -> None:
    # interaction is better on average by 0.01, but its folds spread by far more than that
    chosen = one_standard_error_choice([scores(ADDITIVE, 0.90, 0.94, 0.86, 0.92, 0.88),
                                        scores(INTERACTION, 0.89, 0.93, 0.85, 0.91, 0.87)])
    assert chosen.best == 1 and chosen.chosen == 0
    assert chosen.simpler_best is None


def test_a_complex_candidate_that_wins_by_more_than_its_noise_is_chosen() -> None:
    chosen = one_standard_error_choice([scores(ADDITIVE, 0.95, 0.96, 0.94, 0.95, 0.95),
                                        scores(INTERACTION, 0.85, 0.86, 0.84, 0.85, 0.85)])
    assert chosen.chosen == chosen.best == 1
    assert chosen.simpler_best.candidate == ADDITIVE
    assert chosen.simpler_margin_in_se == pytest.approx(0.10 / chosen.scores[1].standard_error())


def test_among_near_equals_the_smaller_c_and_no_weights_win() -> None:
    candidates = [Candidate("interaction", 0.1), Candidate("interaction", 1.0),
                  Candidate("interaction", 0.1, "balanced")]
    chosen = one_standard_error_choice([scores(candidates[0], 0.881, 0.90, 0.86),
                                        scores(candidates[1], 0.880, 0.90, 0.86),
                                        scores(candidates[2], 0.870, 0.89, 0.85)])
    assert chosen.best == 2 and chosen.scores[chosen.chosen].candidate == candidates[0]


def test_every_candidate_is_scored_on_the_same_folds(dataset_path: Path) -> None:
    data = split(load_sessions(dataset_path))
    twice = cross_validate_space(data, space=[ADDITIVE, ADDITIVE], folds=3)
    assert twice[0].folds == twice[1].folds
    assert len(twice[0].folds["log_loss"]) == 3


def test_the_manifest_records_space_scores_and_choice(trained_dir: Path) -> None:
    manifest = read_manifest(trained_dir)
    selection = manifest["selection"]
    assert selection["space"] == {"features": list(FEATURE_SETS), "C": list(C_GRID),
                                  "class_weight": list(CLASS_WEIGHTS)}
    assert len(selection["candidates"]) == len(SPACE)
    for row in selection["candidates"]:
        assert len(row["log_loss"]["folds"]) == CV_FOLDS
        assert {"mean", "std", "se"} <= set(row["accuracy"]) and "macro_f1" in row
    chosen = selection["candidates"][selection["chosen_index"]]
    assert chosen["name"] == selection["chosen"]
    assert (chosen["features"], chosen["C"], chosen["class_weight"]) == (
        manifest["parameters"]["features"], manifest["parameters"]["C"],
        manifest["parameters"]["class_weight"])
    assert chosen["log_loss"]["mean"] <= selection["threshold"]
    simpler = selection["candidates"][:selection["chosen_index"]]
    assert all(row["log_loss"]["mean"] > selection["threshold"] for row in simpler)


def test_cv_chooses_per_mood_slopes_and_reaches_the_limit(trained_dir: Path) -> None:
    manifest = read_manifest(trained_dir)
    assert manifest["parameters"]["features"] == "interaction"
    assert manifest["selection"]["simpler_margin_in_se"] > 1
    assert manifest["metrics"]["accuracy"] >= 0.76 and manifest["metrics"]["macro_f1"] >= 0.74


def test_the_card_shows_the_selection_the_limit_and_calibration(trained_dir: Path) -> None:
    card = (trained_dir / CARD_FILE).read_text()
    manifest = read_manifest(trained_dir)
    for heading in ("## Model selection", "## The limit", "## Calibration"):
        assert heading in card
    for row in manifest["selection"]["candidates"]:
        assert f"| {row['name']} | {row['log_loss']['mean']:.4f} ± " in card
    assert f"**{manifest['limit']['expected_accuracy']:.4f}**" in card
    assert f"Brier score {manifest['metrics']['calibration']['brier']:.4f}" in card
    assert "MoodDurationInteraction" in card
