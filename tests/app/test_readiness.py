"""Readiness without a model or data: 503 with the reason, and the rest still answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from app import create_app
from app.config import Config


def test_no_model_is_unhealthy_and_predict_is_503(tmp_path: Path, dataset_path: Path,
                                                  seeded_url: str) -> None:
    client = create_app({"model_dir": str(tmp_path), "data_path": str(dataset_path),
                         "database_url": seeded_url}).test_client()
    health = client.get("/health")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "unhealthy" and not body["model_loaded"] and body["data_loaded"]
    assert "make train" in body["reasons"][0]
    response = client.post("/predict", json={"duration_minutes": 20, "mood_before": "tired"})
    assert response.status_code == 503 and response.get_json()["code"] == "MODEL_UNAVAILABLE"
    assert client.get("/model").status_code == 503
    assert client.get("/stats").status_code == 200


def test_refused_artifact_gives_the_reason(trained_dir: Path, tmp_path: Path,
                                           dataset_path: Path, seeded_url: str) -> None:
    target = tmp_path / "artifacts"
    shutil.copytree(trained_dir, target)
    manifest = json.loads((target / "model.json").read_text())
    manifest["libraries"]["scikit-learn"] = "0.1"
    (target / "model.json").write_text(json.dumps(manifest))
    client = create_app({"model_dir": str(target), "data_path": str(dataset_path),
                         "database_url": seeded_url}).test_client()
    body = client.get("/health").get_json()
    assert "scikit-learn 0.1" in body["reasons"][0]


def test_an_unmigrated_store_is_degraded_and_its_endpoints_are_503(trained_dir: Path,
                                                                   tmp_path: Path) -> None:
    client = create_app({"model_dir": str(trained_dir),
                         "database_url": f"sqlite:///{tmp_path / 'new.db'}"}).test_client()
    health = client.get("/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert "focus-agent db upgrade" in health.get_json()["parts"]["store"]
    assert health.get_json()["parts"]["model"] == "ok"
    for path in ("/sessions", "/stats", "/sessions/1", "/sessions.csv"):
        response = client.get(path)
        assert response.status_code == 503 and response.get_json()["code"] == "STORE_UNAVAILABLE"
        assert response.headers["Retry-After"]
    assert client.post("/predict", json={"duration_minutes": 20,
                                         "mood_before": "tired"}).status_code == 200


def test_an_injected_model_is_used(trained_dir: Path, dataset_path: Path,
                                   seeded_url: str) -> None:
    from model.artifact import load_artifact
    model = load_artifact(trained_dir)
    app = create_app(Config(model_dir="/nonexistent", data_path=str(dataset_path),
                            database_url=seeded_url), model=model)
    assert app.test_client().get("/health").get_json()["model_version"] == model.version


def test_config_reads_the_environment() -> None:
    config = Config.from_env({"MODEL_DIR": "/m", "DATA_PATH": "/d.csv", "LOG_LEVEL": "debug",
                              "DATABASE_URL": "postgresql+psycopg://db/focus",
                              "API_KEYS": " one, ,two "})
    assert (config.model_dir, config.data_path, config.log_level) == ("/m", "/d.csv", "DEBUG")
    assert config.database_url == "postgresql+psycopg://db/focus"
    assert config.api_keys == ("one", "two")
    assert Config.from_env({}).model_dir == "model/artifacts"
    assert Config.from_env({}).database_url == "sqlite:///instance/focus.db"
    assert Config.from_env({}).api_keys == ()
