"""Safe loading, atomic writes and rollback of the model artifact."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
import sklearn

from model.artifact import (ARTIFACT_FILES, FLAT_PREVIOUS, MANIFEST_FILE, MODEL_FILE,
                            load_artifact, load_published, publish, read_manifest, rollback)
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


# ---- the versioned layout: publish as a set, switch, roll back, migrate ---------------------

@pytest.fixture(scope="module")
def other_dir(tmp_path_factory: pytest.TempPathFactory, dataset_path: Path) -> Path:
    """A second model (another seed, so another version), published once (read-only use)."""
    directory = tmp_path_factory.mktemp("other")
    run_training(dataset_path, directory, seed=7, progress=lambda line: None)
    return directory


def test_a_publish_is_a_version_folder_and_one_link(artifacts: Path) -> None:
    version = read_manifest(artifacts)["version"]
    assert os.readlink(artifacts / "current") == f"versions/{version}"
    assert sorted(os.listdir(artifacts / "versions" / version)) == [
        "MODEL_CARD.md", "model.joblib", "model.json"]
    for name in ("model.joblib", "model.json", "MODEL_CARD.md"):
        assert os.readlink(artifacts / name) == f"current/{name}"


def test_publish_verifies_the_source_and_switches(artifacts: Path, other_dir: Path) -> None:
    before = read_manifest(artifacts)["version"]
    published = publish(other_dir, artifacts)
    assert load_artifact(artifacts).version == published["version"] != before
    assert os.readlink(artifacts / "previous") == f"versions/{before}"
    assert rollback(artifacts)["version"] == before


def test_publish_refuses_a_tampered_source_and_keeps_serving(
        artifacts: Path, other_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "download"
    shutil.copytree(other_dir, source, symlinks=True)
    with open(source / "current" / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    before = os.readlink(artifacts / "current")
    with pytest.raises(ArtifactError, match="sha256"):
        publish(source, artifacts)
    assert os.readlink(artifacts / "current") == before


def test_a_switch_is_a_rename_readers_never_see_a_mix(artifacts: Path, other_dir: Path) -> None:
    """Every file a reader opens through `current` belongs to one version or the other."""
    publish(other_dir, artifacts)
    versions = {read_manifest(artifacts)["version"]}
    rollback(artifacts)
    versions.add(read_manifest(artifacts)["version"])
    for _ in range(20):
        rollback(artifacts)
        model, target = load_published(artifacts)
        assert target == f"versions/{model.version}" and model.version in versions


def _flatten(source: Path, target: Path, previous: Path | None = None) -> None:
    """Lay an artifact out the old way: three files, and model.prev.* from another one."""
    target.mkdir()
    for name in ARTIFACT_FILES:
        (target / name).write_bytes((source / name).read_bytes())
        if previous is not None:
            (target / FLAT_PREVIOUS[name]).write_bytes((previous / name).read_bytes())


def test_a_flat_artifact_still_loads(trained_dir: Path, tmp_path: Path) -> None:
    _flatten(trained_dir, tmp_path / "flat")
    model, target = load_published(tmp_path / "flat")
    assert target is None and model.version == read_manifest(trained_dir)["version"]


def test_a_flat_artifact_is_migrated_by_the_next_publish(trained_dir: Path, other_dir: Path,
                                                         dataset_path: Path,
                                                         tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    _flatten(trained_dir, flat, previous=other_dir)
    old, older = read_manifest(trained_dir)["version"], read_manifest(other_dir)["version"]
    newest = run_training(dataset_path, flat, progress=lambda line: None)["version"]
    assert sorted(os.listdir(flat / "versions")) == sorted({old, older, newest})
    assert not any(name.startswith("model.prev") for name in os.listdir(flat))
    assert load_artifact(flat).version == newest
    assert rollback(flat)["version"] == old


def test_rollback_migrates_a_flat_artifact_and_goes_back(trained_dir: Path, other_dir: Path,
                                                         tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    _flatten(trained_dir, flat, previous=other_dir)
    assert rollback(flat)["version"] == read_manifest(other_dir)["version"]
    assert rollback(flat)["version"] == read_manifest(trained_dir)["version"]


def test_rollback_refuses_a_previous_model_that_fails_verification(artifacts: Path,
                                                                   other_dir: Path) -> None:
    before = read_manifest(artifacts)["version"]
    publish(other_dir, artifacts)
    with open(artifacts / "previous" / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    current = os.readlink(artifacts / "current")
    with pytest.raises(ArtifactError, match="sha256"):
        rollback(artifacts)
    assert os.readlink(artifacts / "current") == current != f"versions/{before}"


def test_publishing_into_a_file_is_refused(other_dir: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "artifacts"
    a_file.write_text("")
    with pytest.raises(ArtifactError, match="is not a directory"):
        publish(other_dir, a_file)


def test_a_file_system_error_while_publishing_is_one_clear_error(other_dir: Path,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "versions").write_text("a file where the versions folder should be")
    with pytest.raises(ArtifactError, match="cannot publish to"):
        publish(other_dir, tmp_path)
    assert not (tmp_path / "current").is_symlink()
