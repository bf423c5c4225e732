"""Safe loading, atomic writes and rollback of the model artifact."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
import sklearn

from model.artifact import MANIFEST_FILE, MODEL_FILE, load_artifact, read_manifest, rollback
from model.atomic import write_bytes_atomically
from model.errors import ArtifactError, ArtifactNotFound
from model.workflow import run_training


def test_verified_artifact_loads_with_the_compiled_predictor(artifacts: Path) -> None:
    model = load_artifact(artifacts)
    assert model.compiled
    assert model.version == read_manifest(artifacts)["version"]
    assert model.trained_range == (10, 35)


def test_tampered_model_file_is_refused_before_unpickling(artifacts: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    unpickled = []
    monkeypatch.setattr("joblib.load", lambda *args, **kwargs: unpickled.append(1))
    with open(artifacts / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ArtifactError, match="sha256 .* but the manifest says"):
        load_artifact(artifacts)
    assert unpickled == []


def test_other_scikit_learn_version_is_refused(artifacts: Path) -> None:
    manifest = json.loads((artifacts / MANIFEST_FILE).read_text())
    manifest["libraries"]["scikit-learn"] = "0.24.2"
    (artifacts / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=f"scikit-learn 0.24.2, but {sklearn.__version__}"):
        load_artifact(artifacts)


def test_missing_artifact_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ArtifactNotFound, match="make train"):
        load_artifact(tmp_path)


def test_missing_model_file_beside_manifest(artifacts: Path) -> None:
    (artifacts / "current" / MODEL_FILE).unlink()
    with pytest.raises(ArtifactNotFound, match="no model file"):
        load_artifact(artifacts)


def test_corrupt_manifest_is_refused(artifacts: Path) -> None:
    (artifacts / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(ArtifactError, match="not a valid manifest"):
        load_artifact(artifacts)


def test_rollback_restores_the_previous_model_and_can_be_undone(artifacts: Path,
                                                                dataset_path: Path) -> None:
    first = read_manifest(artifacts)
    second = run_training(dataset_path, artifacts, progress=lambda line: None)
    assert rollback(artifacts)["version"] == first["version"]
    assert load_artifact(artifacts).version == first["version"]
    assert rollback(artifacts)["version"] == second["version"]


def test_rollback_without_a_previous_model_is_refused(artifacts: Path) -> None:
    with pytest.raises(ArtifactNotFound, match="nothing to roll back to"):
        rollback(artifacts)


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")

    def failing_write(*args: object) -> None:
        raise OSError("disk full")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", failing_write)
        with pytest.raises(OSError):
            write_bytes_atomically(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file.bin"]


def _write_many(path: str, rounds: int) -> None:
    """Rewrite a file again and again with one of two large contents."""
    for index in range(rounds):
        write_bytes_atomically(Path(path), (b"A" if index % 2 else b"B") * 2_000_000)


def test_a_reader_during_writes_sees_whole_files_only(tmp_path: Path) -> None:
    target = tmp_path / "model.joblib"
    write_bytes_atomically(target, b"A" * 2_000_000)
    writer = multiprocessing.get_context("spawn").Process(target=_write_many,
                                                          args=(str(target), 40))
    writer.start()
    seen = set()
    while writer.is_alive() or not seen:
        data = target.read_bytes()
        seen.add((len(data), data[:1], data[-1:]))
    writer.join()
    assert writer.exitcode == 0
    assert seen <= {(2_000_000, b"A", b"A"), (2_000_000, b"B", b"B")}
