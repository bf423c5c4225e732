"""A manifest of the wrong shape is refused with the reason, before anything is unpickled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from model.artifact import MANIFEST_FILE, load_artifact, read_manifest
from model.errors import ArtifactError


def _drop(*path: str) -> Callable[[dict[str, Any]], Any]:
    """A change that deletes one field of the manifest."""
    def change(manifest: dict[str, Any]) -> dict[str, Any]:
        parent = manifest
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        return manifest
    return change


def _set(value: Any, *path: str) -> Callable[[dict[str, Any]], Any]:
    """A change that sets one field of the manifest."""
    def change(manifest: dict[str, Any]) -> dict[str, Any]:
        parent = manifest
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
        return manifest
    return change


BROKEN = {
    "a JSON list": (lambda manifest: [manifest], "a JSON object is expected, not list"),
    "a JSON string": (lambda manifest: "model", "a JSON object is expected, not str"),
    "libraries as a string": (_set("scikit-learn 1.9", "libraries"), "libraries"),
    "no scikit-learn version": (_set({}, "libraries"), "must name the scikit-learn version"),
    "no features": (_drop("features"), "features: Field required"),
    "no trained range": (_drop("features", "duration_minutes", "trained_range"),
                         "trained_range"),
    "a trained range outside the contract": (
        _set([0, 500], "features", "duration_minutes", "trained_range"), "within 5-60"),
    "no checksum": (_drop("artifact", "sha256"), "artifact.sha256"),
    "a checksum that is not hex": (_set("x" * 64, "artifact", "sha256"), "artifact.sha256"),
    "a version that is a path": (_set("../../etc", "version"), "version"),
    "other classes": (_set(["calm", "sad"], "classes"), "classes must be"),
    "no version": (_drop("version"), "version: Field required"),
}


@pytest.mark.parametrize("change, message", BROKEN.values(), ids=BROKEN.keys())
def test_a_manifest_of_the_wrong_shape_is_refused_before_unpickling(
        artifacts: Path, monkeypatch: pytest.MonkeyPatch,
        change: Callable[[dict[str, Any]], Any], message: str) -> None:
    path = artifacts / MANIFEST_FILE
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    unpickled = []
    monkeypatch.setattr("joblib.load", lambda *args, **kwargs: unpickled.append(1))
    with pytest.raises(ArtifactError, match="not a valid manifest") as refused:
        load_artifact(artifacts)
    assert message in str(refused.value)
    assert unpickled == []
    with pytest.raises(ArtifactError, match="not a valid manifest"):
        read_manifest(artifacts)


def test_many_problems_are_counted_not_all_listed(artifacts: Path) -> None:
    (artifacts / MANIFEST_FILE).write_text("{}")
    with pytest.raises(ArtifactError, match=r"; and \d+ more$"):
        load_artifact(artifacts)


def test_a_manifest_that_is_not_utf8_is_refused(artifacts: Path) -> None:
    (artifacts / MANIFEST_FILE).write_bytes(b"\xff\xfe{")
    with pytest.raises(ArtifactError, match="not a valid manifest"):
        load_artifact(artifacts)


def test_a_model_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "artifacts"
    a_file.write_text("not a folder")
    with pytest.raises(ArtifactError, match="is not a directory"):
        load_artifact(a_file)
