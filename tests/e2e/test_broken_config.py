"""Broken manifests and paths never crash start-up: real Gunicorn starts, /health says why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from tests.e2e.conftest import serving

Setup = Callable[[Path, Path, pytest.MonkeyPatch], tuple[Path, Path]]


def _edit_manifest(change: Callable[[dict], object]) -> Setup:
    """A copy of the trained model whose manifest was changed."""
    def setup(model: Path, data: Path, patch: pytest.MonkeyPatch) -> tuple[Path, Path]:
        manifest = json.loads((model / "model.json").read_text())
        (model / "model.json").write_text(json.dumps(change(manifest)))
        return model, data
    return setup


def _without_features(manifest: dict) -> dict:
    """The manifest with its right checksum but no feature schema."""
    del manifest["features"]
    return manifest


def _libraries_as_text(manifest: dict) -> dict:
    """The manifest with `libraries` as a string."""
    manifest["libraries"] = "scikit-learn"
    return manifest


def _model_dir_is_a_file(model: Path, data: Path,
                         patch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """MODEL_DIR names a file."""
    a_file = model.parent / "a-file"
    a_file.write_text("not a folder")
    return a_file, data


def _unsigned_but_required(model: Path, data: Path,
                           patch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """REQUIRE_SIGNED_MODEL=1 and an artifact without a signature."""
    patch.setenv("REQUIRE_SIGNED_MODEL", "1")
    return model, data


CASES: dict[str, tuple[Setup, str, str]] = {
    "manifest is a JSON list": (_edit_manifest(lambda manifest: [manifest]),
                                "model", "a JSON object is expected, not list"),
    "libraries is a string": (_edit_manifest(_libraries_as_text), "model", "libraries"),
    "no features, right checksum": (_edit_manifest(_without_features), "model",
                                    "features: Field required"),
    "MODEL_DIR is a file": (_model_dir_is_a_file, "model", "is not a directory"),
    "unsigned, signatures required": (_unsigned_but_required, "model",
                                      "not signed and REQUIRE_SIGNED_MODEL is on"),
}


@pytest.mark.parametrize("setup, broken, reason", CASES.values(), ids=CASES.keys())
def test_the_server_starts_and_health_gives_the_reason(
        artifacts: Path, dataset_path: Path, monkeypatch: pytest.MonkeyPatch,
        setup: Setup, broken: str, reason: str) -> None:
    for name in ("REQUIRE_SIGNED_MODEL", "MODEL_SIGNING_KEY", "MODEL_SIGNING_KEY_FILE",
                 "MODEL_VERIFY_KEY", "MODEL_VERIFY_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    model_dir, data_path = setup(artifacts, dataset_path, monkeypatch)
    with serving(model_dir, data_path, workers=1, ready="/livez") as server:
        http = server.http
        status, _, health = http.call("GET", "/health")
        assert status == 503 and health["status"] == "unhealthy"
        assert health[f"{broken}_loaded"] is False
        assert len(health["reasons"]) == 1 and reason in health["reasons"][0]
        assert "Traceback" not in health["reasons"][0]
        if broken == "model":
            status, _, body = http.post_json("/predict", {"duration_minutes": 20,
                                                          "mood_before": "tired"})
            assert status == 503 and body["code"] == "MODEL_UNAVAILABLE"
    assert "Traceback" not in server.output()


def test_a_data_path_that_is_a_directory_leaves_the_journal_empty_and_says_why(
        artifacts: Path, dataset_path: Path) -> None:
    """DATA_PATH only seeds an empty journal now: the server starts, serves predictions and an
    empty journal, and its log names the problem in one line."""
    with serving(artifacts, dataset_path.parent, workers=1, ready="/livez") as server:
        http = server.http
        assert http.call("GET", "/health")[0] == 200
        status, headers, rows = http.call("GET", "/sessions")
        assert status == 200 and rows == [] and headers["X-Total-Count"] == "0"
        assert http.post_json("/predict", {"duration_minutes": 20,
                                           "mood_before": "tired"})[0] == 200
    output = server.output()
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if "not seeded" in line and
            "is a directory" in line], output[-3000:]
