"""The training run end to end: load, split, select by CV, fit, evaluate, gate, publish."""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import joblib
import numpy as np
import pandas as pd
import sklearn

from model import selection, train
from model.artifact import artifact_exists, load_artifact, save_artifact, serialise
from model.card import render_card
from model.data import TrainingData, file_sha256, load_sessions
from model.errors import ArtifactError, GateFailed
from model.evaluate import accuracy_of, evaluate
from model.gate import GateRules, gate_failures
from model.limit import limit_on
from model.schema import DURATION_MAX, DURATION_MIN, MOODS_BEFORE
from store.live import input_profile

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def git_commit() -> str | None:
    """The commit being built: $GIT_COMMIT (CI) or `git rev-parse HEAD`, if either exists."""
    if os.environ.get("GIT_COMMIT"):
        return os.environ["GIT_COMMIT"]
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def _display_path(path: Path) -> str:
    """The data path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def csv_training_data(path: Path) -> TrainingData:
    """A sessions CSV, validated, with its checksum."""
    return TrainingData(load_sessions(path), "csv", _display_path(path), file_sha256(path))


def data_record(data: TrainingData) -> dict[str, Any]:
    """The manifest's `data`: source, where, checksum, rows, and the inputs' profile."""
    inputs = data.sessions.groupby(["mood_before", "duration_minutes"]).size()
    return {"source": data.source, "path": data.location, "sha256": data.sha256,
            "rows": int(len(data.sessions)),
            "profile": input_profile((mood, int(minutes), int(count))
                                     for (mood, minutes), count in inputs.items())}


def build_manifest(*, data: TrainingData, params: dict[str, Any],
                   metrics: dict[str, Any], classes: list[str], model_bytes: bytes,
                   created: datetime, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The artifact's passport (see docs/model.md for every field)."""
    sha = hashlib.sha256(model_bytes).hexdigest()
    return {
        "format": 1,
        "version": f"{created:%Y%m%d.%H%M%S}-{sha[:8]}",
        "created_at": created.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "libraries": {"scikit-learn": sklearn.__version__, "numpy": np.__version__,
                      "joblib": joblib.__version__, "pandas": pd.__version__},
        "data": data_record(data),
        "parameters": params,
        "metrics": metrics,
        "classes": classes,
        "features": {
            "mood_before": {"type": "category", "allowed": list(MOODS_BEFORE)},
            "duration_minutes": {"type": "integer", "unit": "minutes",
                                 "contract": [DURATION_MIN, DURATION_MAX],
                                 "trained_range": list(train.trained_duration_range(
                                     data.sessions))},
        },
        "artifact": {"file": "model.joblib", "sha256": sha, "bytes": len(model_bytes)},
        **(extra or {}),
    }


def deployed_accuracy(directory: Path, data: train.Split, progress: Progress) -> float | None:
    """Accuracy of the currently deployed model on this run's test split, if there is one."""
    if not artifact_exists(directory):
        return None
    try:
        deployed = load_artifact(directory)
    except ArtifactError as exc:
        progress(f"      deployed model not comparable, regression gate skipped: {exc}")
        return None
    probabilities = deployed.predictor.predict_proba(
        data.x_test["mood_before"].tolist(), data.x_test["duration_minutes"].to_numpy())
    return accuracy_of(data.y_test, probabilities, deployed.predictor.classes)


def select_model(data: train.Split, seed: int, progress: Progress) -> selection.Selection:
    """Cross-validate the declared space on the training part and apply the one-SE rule."""
    progress(f"[3/6] choose the model: {len(selection.SPACE)} candidates, {selection.CV_FOLDS}-fold"
             " stratified CV on the training part, criterion log-loss, one-SE rule")
    chosen = selection.one_standard_error_choice(selection.cross_validate_space(data, seed))
    best, pick = chosen.scores[chosen.best], chosen.chosen_scores
    progress(f"      best by mean: {best.candidate.name}, log-loss {best.mean():.4f}"
             f" ± {best.standard_error():.4f} (SE)")
    progress(f"      chosen: {pick.candidate.name}, log-loss {pick.mean():.4f}, accuracy"
             f" {pick.mean('accuracy'):.4f}, macro-F1 {pick.mean('macro_f1'):.4f}")
    return chosen


def run_training(data_path: Path | TrainingData, artifacts: Path, *,
                 seed: int = train.DEFAULT_SEED, rules: GateRules = GateRules(),
                 progress: Progress = print) -> dict[str, Any]:
    """Train, evaluate and gate a model; publish it only if it passes. Returns the manifest.

    data_path is a sessions CSV, or TrainingData already loaded (e.g. from the journal).
    """
    where = data_path.location if isinstance(data_path, TrainingData) else data_path
    progress(f"[1/6] load and validate {where}")
    training = (data_path if isinstance(data_path, TrainingData)
                else csv_training_data(data_path))
    sessions = training.sessions
    progress(f"      {len(sessions)} sessions")
    progress(f"[2/6] stratified split: {1 - train.TEST_SIZE:.0%} train,"
             f" {train.TEST_SIZE:.0%} test (seed {seed})")
    data = train.split(sessions, seed)
    chosen = select_model(data, seed, progress)
    candidate, cv = chosen.chosen_scores.candidate, chosen.chosen_scores
    progress("[4/6] fit on the training part and evaluate on the test part")
    pipeline = candidate.pipeline(seed).fit(data.x_train, data.y_train)
    classes = [str(label) for label in pipeline.classes_]
    probabilities = pipeline.predict_proba(data.x_test)
    metrics = evaluate(data.y_test, probabilities, classes, data.y_train)
    metrics["cv"] = {"metric": "accuracy", "folds": selection.CV_FOLDS,
                     "mean": cv.mean("accuracy"), "std": cv.std("accuracy"),
                     "best_c": candidate.c, "grid": list(selection.C_GRID)}
    limit = limit_on(data.x_test["mood_before"].tolist(),
                     data.x_test["duration_minutes"].to_numpy(), data.y_test)
    limit.update(accuracy_gap=limit["accuracy"] - metrics["accuracy"],
                 macro_f1_gap=limit["macro_f1"] - metrics["macro_f1"])
    progress(f"[5/6] quality gate (min accuracy {rules.min_accuracy}, lift {rules.min_lift},"
             f" max regression {rules.max_regression}, min class recall"
             f" {rules.min_class_recall})")
    deployed = deployed_accuracy(artifacts, data, progress)
    recalls = {label: row["recall"] for label, row in metrics["per_class"].items()}
    failures = gate_failures(metrics["accuracy"], metrics["baseline_accuracy"], deployed, rules,
                             recalls)
    if failures:
        raise GateFailed("quality gate failed; the current artifact was kept:\n"
                         + "\n".join(f"  - {failure}" for failure in failures))
    progress(f"[6/6] publish to {artifacts}")
    model_bytes = serialise(pipeline)
    params = {"C": candidate.c, "features": candidate.features,
              "class_weight": candidate.class_weight, "seed": seed,
              "test_size": train.TEST_SIZE, "cv_folds": selection.CV_FOLDS,
              "max_iter": train.MAX_ITER, "deployed_accuracy_before": deployed}
    manifest = build_manifest(data=training, params=params,
                              metrics=metrics, classes=classes, model_bytes=model_bytes,
                              created=datetime.now(timezone.utc),
                              extra={"selection": chosen.as_dict(), "limit": limit})
    save_artifact(artifacts, model_bytes, manifest, render_card(manifest))
    return manifest
