"""A worker follows the published model: a new version is swapped in, a refused one is not."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from model.artifact import publish, read_manifest, rollback
from model.workflow import run_training


@pytest.fixture(scope="module")
def newer_dir(tmp_path_factory: pytest.TempPathFactory, dataset_path: Path) -> Path:
    """Another model (seed 7: another version) to publish (read-only use)."""
    directory = tmp_path_factory.mktemp("newer")
    run_training(dataset_path, directory, seed=7, progress=lambda line: None)
    return directory


def _client(artifacts: Path, dataset_path: Path) -> FlaskClient:
    """A client of an app that checks for a new model before every request."""
    return create_app({"model_dir": str(artifacts), "data_path": str(dataset_path),
                       "model_check_seconds": 0}).test_client()


def _version(client: FlaskClient) -> str:
    """The model_version a prediction carries."""
    response = client.post("/predict", json={"duration_minutes": 20, "mood_before": "tired"})
    assert response.status_code == 200
    return response.get_json()["model_version"]


def test_a_published_model_is_served_without_a_restart(artifacts: Path, newer_dir: Path,
                                                       dataset_path: Path) -> None:
    client = _client(artifacts, dataset_path)
    old = _version(client)
    new = publish(newer_dir, artifacts)["version"]
    assert _version(client) == new != old
    rollback(artifacts)
    assert _version(client) == old


def test_the_check_runs_at_most_once_per_interval(artifacts: Path, newer_dir: Path,
                                                  dataset_path: Path) -> None:
    client = create_app({"model_dir": str(artifacts), "data_path": str(dataset_path),
                         "model_check_seconds": 3600}).test_client()
    old = _version(client)
    publish(newer_dir, artifacts)
    assert _version(client) == old


def test_a_refused_model_keeps_the_old_one_serving_and_says_why(
        artifacts: Path, dataset_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An attacker writes a version folder with a forged pair and switches `current` to it."""
    client = _client(artifacts, dataset_path)
    old = _version(client)
    evil = artifacts / "versions" / "evil"
    evil.mkdir()
    payload = pickle.dumps({"not": "a pipeline"})
    manifest = read_manifest(artifacts)
    manifest["artifact"]["sha256"] = hashlib.sha256(payload).hexdigest()
    (evil / "model.joblib").write_bytes(payload)
    (evil / "model.json").write_text(json.dumps({**manifest, "version": "evil"}))
    current = os.readlink(artifacts / "current")
    os.symlink("versions/evil", artifacts / "current.new")
    os.replace(artifacts / "current.new", artifacts / "current")
    with caplog.at_level("ERROR"):
        assert _version(client) == old
    health = client.get("/health")
    assert health.status_code == 200
    assert "refused, still serving " + old in health.get_json()["model_refused"]
    assert "not a fitted pipeline" in caplog.text
    os.symlink(current, artifacts / "current.new")
    os.replace(artifacts / "current.new", artifacts / "current")
    assert _version(client) == old and client.get("/health").get_json()["model_refused"] is None


def test_a_model_published_after_a_failed_start_makes_the_service_ready(
        newer_dir: Path, dataset_path: Path, tmp_path: Path) -> None:
    client = _client(tmp_path / "empty", dataset_path)
    assert client.get("/health").status_code == 503
    version = publish(newer_dir, tmp_path / "empty")["version"]
    health = client.get("/health")
    assert health.status_code == 200 and health.get_json()["model_version"] == version


def test_check_interval_comes_from_the_environment() -> None:
    from app.config import Config
    assert Config.from_env({"MODEL_CHECK_SECONDS": "0.5"}).model_check_seconds == 0.5
    assert Config.from_env({"MODEL_CHECK_SECONDS": "soon"}).model_check_seconds == 1.0
    assert Config.from_env({}).model_check_seconds == 1.0
