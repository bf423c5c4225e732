"""Training: reproducible metrics, a complete manifest and card, and gates that bite."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sklearn

from model.artifact import CARD_FILE, MANIFEST_FILE, MODEL_FILE, read_manifest
from model.errors import DataValidationError, GateFailed
from model.evaluate import calibration
from model.gate import DEFAULT_MIN_CLASS_RECALL, GateRules, gate_failures
from model.schema import MOODS_AFTER, MOODS_BEFORE
from model.workflow import run_training

QUIET = {"progress": lambda line: None}


def test_training_writes_the_three_files(trained_dir: Path) -> None:
    for name in (MODEL_FILE, MANIFEST_FILE, CARD_FILE):
        assert (trained_dir / name).stat().st_size > 0


def test_metrics_are_complete_and_sane(trained_dir: Path) -> None:
    metrics = read_manifest(trained_dir)["metrics"]
    assert 0.65 <= metrics["accuracy"] <= 1
    assert 0 < metrics["macro_f1"] <= 1
    assert metrics["log_loss"] > 0
    assert metrics["baseline_class"] == "calm"
    assert metrics["accuracy"] - metrics["baseline_accuracy"] >= 0.10
    assert set(metrics["per_class"]) == set(MOODS_AFTER)
    assert sum(row["support"] for row in metrics["per_class"].values()) == 400
    matrix = metrics["confusion_matrix"]["matrix"]
    assert sum(map(sum, matrix)) == 400
    assert metrics["cv"]["folds"] == 5 and 0 < metrics["cv"]["std"] < metrics["cv"]["mean"]


def test_same_data_and_seed_give_the_same_metrics(trained_dir: Path, dataset_path: Path,
                                                  tmp_path: Path) -> None:
    again = run_training(dataset_path, tmp_path, **QUIET)
    assert again["metrics"] == read_manifest(trained_dir)["metrics"]
    assert again["artifact"]["sha256"] == read_manifest(trained_dir)["artifact"]["sha256"]


def test_manifest_is_a_full_passport(trained_dir: Path) -> None:
    manifest = read_manifest(trained_dir)
    assert manifest["libraries"]["scikit-learn"] == sklearn.__version__
    assert {"numpy", "joblib"} <= set(manifest["libraries"])
    assert manifest["python"].startswith("3.11")
    assert manifest["data"]["rows"] == 2000 and len(manifest["data"]["sha256"]) == 64
    assert manifest["data"]["path"].endswith("meditation_sessions.csv")
    assert manifest["parameters"]["C"] in manifest["metrics"]["cv"]["grid"]
    assert sorted(manifest["classes"]) == sorted(MOODS_AFTER)
    assert manifest["features"]["mood_before"]["allowed"] == list(MOODS_BEFORE)
    assert manifest["features"]["duration_minutes"]["trained_range"] == [10, 35]
    assert manifest["artifact"]["bytes"] == (trained_dir / MODEL_FILE).stat().st_size
    assert manifest["version"].endswith(manifest["artifact"]["sha256"][:8])
    assert "created_at" in manifest and "git_commit" in manifest


def test_card_shows_metrics_confusion_and_limits(trained_dir: Path) -> None:
    card = (trained_dir / CARD_FILE).read_text()
    accuracy = read_manifest(trained_dir)["metrics"]["accuracy"]
    for heading in ("## Intended use", "## Data", "## Metrics", "### Confusion matrix",
                    "## Limits"):
        assert heading in card
    assert f"{accuracy:.4f}" in card


def test_invalid_data_never_trains(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,duration_minutes,mood_before,mood_after\n2024-01-01,x,tired,calm\n")
    with pytest.raises(DataValidationError):
        run_training(bad, tmp_path / "out", **QUIET)
    assert not (tmp_path / "out").exists()


def test_failed_gate_keeps_the_current_artifact(artifacts: Path, dataset_path: Path) -> None:
    before = {name: (artifacts / name).read_bytes() for name in (MODEL_FILE, MANIFEST_FILE)}
    with pytest.raises(GateFailed, match="minimum accuracy"):
        run_training(dataset_path, artifacts, rules=GateRules(min_accuracy=0.99), **QUIET)
    assert {name: (artifacts / name).read_bytes() for name in before} == before


def test_retraining_keeps_the_previous_artifact(artifacts: Path, dataset_path: Path) -> None:
    old = json.loads((artifacts / MANIFEST_FILE).read_text())
    run_training(dataset_path, artifacts, **QUIET)
    assert json.loads((artifacts / "previous" / MANIFEST_FILE).read_text()) == old


def test_regression_gate_scores_the_deployed_model(artifacts: Path,
                                                   dataset_path: Path) -> None:
    manifest = run_training(dataset_path, artifacts, **QUIET)
    assert manifest["parameters"]["deployed_accuracy_before"] == manifest["metrics"]["accuracy"]


@pytest.mark.parametrize("accuracy, baseline, deployed, gate", [
    (0.60, 0.40, None, "minimum accuracy"),
    (0.70, 0.65, None, "baseline lift"),
    (0.70, 0.40, 0.75, "regression"),
])
def test_each_gate_fails_and_says_by_how_much(accuracy: float, baseline: float,
                                              deployed: float | None, gate: str) -> None:
    failures = gate_failures(accuracy, baseline, deployed, GateRules())
    assert len(failures) == 1
    assert failures[0].startswith(gate)
    assert "by" in failures[0] or "short" in failures[0] or "below" in failures[0]


@pytest.mark.parametrize("accuracy, baseline, deployed", [
    (0.70, 0.40, None),
    (0.70, 0.60, None),
    (0.70, 0.40, 0.72),
    (0.65, 0.40, 0.60),
])
def test_gates_pass_at_and_above_their_thresholds(accuracy: float, baseline: float,
                                                  deployed: float | None) -> None:
    assert gate_failures(accuracy, baseline, deployed, GateRules()) == []


def test_gate_message_gives_the_shortfall() -> None:
    (failure,) = gate_failures(0.60, 0.40, None, GateRules(min_accuracy=0.65))
    assert "0.6000 is below 0.6500 by 0.0500" in failure


def test_an_unloadable_deployed_model_skips_the_regression_gate_and_says_so(
        artifacts: Path, dataset_path: Path) -> None:
    manifest = json.loads((artifacts / MANIFEST_FILE).read_text())
    manifest["libraries"]["scikit-learn"] = "0.1"
    (artifacts / MANIFEST_FILE).write_text(json.dumps(manifest))
    lines: list[str] = []
    published = run_training(dataset_path, artifacts, progress=lines.append)
    assert any("regression gate skipped" in line and "scikit-learn 0.1" in line
               for line in lines)
    assert published["parameters"]["deployed_accuracy_before"] is None


LOPSIDED = {"calm": 0.95, "relaxed": 0.70, "focused": 0.0, "energized": 0.80}


def test_a_model_that_never_predicts_a_mood_fails_the_recall_floor() -> None:
    (failure,) = gate_failures(0.75, 0.40, None, GateRules(), LOPSIDED)
    assert failure.startswith("class recall: focused recall 0.0000 is below"
                              f" {DEFAULT_MIN_CLASS_RECALL:.4f} by {DEFAULT_MIN_CLASS_RECALL:.4f}")


def test_the_recall_floor_is_configurable_and_passes_at_the_threshold() -> None:
    recalls = {**LOPSIDED, "focused": 0.25}
    assert gate_failures(0.75, 0.40, None, GateRules(min_class_recall=0.25), recalls) == []
    assert len(gate_failures(0.75, 0.40, None, GateRules(min_class_recall=0.75), recalls)) == 2


def test_the_trained_model_clears_the_recall_floor_for_every_class(trained_dir: Path) -> None:
    per_class = read_manifest(trained_dir)["metrics"]["per_class"]
    assert min(row["recall"] for row in per_class.values()) >= DEFAULT_MIN_CLASS_RECALL


def test_calibration_of_certain_right_answers_is_perfect() -> None:
    result = calibration(["calm", "focused"], np.array([[1.0, 0.0], [0.0, 1.0]]),
                         ["calm", "focused"])
    assert result["brier"] == 0 and result["expected_calibration_error"] == 0
    assert [(row["low"], row["count"], row["observed_frequency"]) for row in result["bins"]] == [
        (0.0, 2, 0.0), (0.9, 2, 1.0)]


def test_calibration_bins_compare_stated_and_observed() -> None:
    probabilities = np.array([[0.7, 0.3], [0.7, 0.3], [0.3, 0.7], [0.3, 0.7]])
    result = calibration(["calm", "focused", "focused", "focused"], probabilities,
                         ["calm", "focused"])
    assert result["brier"] == pytest.approx((0.18 + 0.98 + 0.18 + 0.18) / 4)
    by_low = {row["low"]: row for row in result["bins"]}
    assert set(by_low) == {0.3, 0.7}
    assert by_low[0.7]["count"] == 4 and by_low[0.7]["observed_frequency"] == 0.75
    assert by_low[0.3]["mean_probability"] == pytest.approx(0.3)


def test_the_card_reports_calibration_bins(trained_dir: Path) -> None:
    manifest = read_manifest(trained_dir)
    bins = manifest["metrics"]["calibration"]["bins"]
    assert sum(row["count"] for row in bins) == 400 * len(MOODS_AFTER)
    card = (trained_dir / CARD_FILE).read_text()
    assert "| stated probability | forecasts | mean stated | observed frequency |" in card
