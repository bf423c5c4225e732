"""The model artifact and its passport: save atomically, load only when verified, roll back."""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from model.atomic import write_bytes_atomically, write_text_atomically
from model.errors import ArtifactError, ArtifactNotFound
from model.predictor import CompiledPredictor, Predictor, build_predictor

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"
ARTIFACT_FILES = (MODEL_FILE, MANIFEST_FILE, CARD_FILE)
PREVIOUS_NAMES = {MODEL_FILE: "model.prev.joblib", MANIFEST_FILE: "model.prev.json",
                  CARD_FILE: "model.prev.md"}
DEFAULT_DIR = Path("model/artifacts")


@dataclass(frozen=True)
class LoadedModel:
    """A verified artifact: its manifest, the pipeline and the predictor compiled from it."""

    manifest: dict[str, Any]
    pipeline: Pipeline
    predictor: Predictor

    @property
    def version(self) -> str:
        """The manifest's model version."""
        return str(self.manifest["version"])

    @property
    def compiled(self) -> bool:
        """Whether requests are answered by the compiled NumPy predictor."""
        return isinstance(self.predictor, CompiledPredictor)

    @property
    def trained_range(self) -> tuple[int, int]:
        """Shortest and longest session in the training data, in minutes."""
        low, high = self.manifest["features"]["duration_minutes"]["trained_range"]
        return int(low), int(high)


def serialise(pipeline: Pipeline) -> bytes:
    """The joblib bytes of a fitted pipeline."""
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return buffer.getvalue()


def _keep_previous(directory: Path) -> None:
    """Copy the current artifact's files to model.prev.* before they are replaced."""
    if not (directory / MANIFEST_FILE).exists():
        return
    for name in ARTIFACT_FILES:
        current = directory / name
        if current.exists():
            write_bytes_atomically(directory / PREVIOUS_NAMES[name], current.read_bytes())


def save_artifact(directory: Path, model_bytes: bytes, manifest: dict[str, Any],
                  card: str) -> None:
    """Publish model, manifest and card; each file is replaced atomically, the model first."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _keep_previous(directory)
    write_bytes_atomically(directory / MODEL_FILE, model_bytes)
    write_text_atomically(directory / MANIFEST_FILE, json.dumps(manifest, indent=2) + "\n")
    write_text_atomically(directory / CARD_FILE, card)


def read_manifest(directory: Path, manifest_name: str = MANIFEST_FILE) -> dict[str, Any]:
    """The manifest of the artifact in directory; ArtifactNotFound when there is none."""
    path = Path(directory) / manifest_name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactNotFound(
            f"no model in {directory}: {manifest_name} is missing (train one with"
            " `make train`)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path} is not a valid manifest: {exc}") from None


def _verified_bytes(directory: Path, manifest: dict[str, Any], model_name: str) -> bytes:
    """The model file's bytes, once the library version and the checksum are checked."""
    trained_with = manifest.get("libraries", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ArtifactError(
            f"refusing {directory / model_name}: trained with scikit-learn {trained_with},"
            f" but {sklearn.__version__} is installed; retrain with `make train`")
    path = Path(directory) / model_name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactNotFound(f"no model file {path} beside its manifest") from None
    expected = manifest.get("artifact", {}).get("sha256")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ArtifactError(
            f"refusing {path}: its sha256 is {actual[:12]}... but the manifest says"
            f" {str(expected)[:12]}...; the file was changed or is not the one the manifest"
            " describes")
    return data


def load_artifact(directory: Path = DEFAULT_DIR, previous: bool = False) -> LoadedModel:
    """Load an artifact for any consumer, verifying it before anything is unpickled."""
    directory = Path(directory)
    model_name, manifest_name = MODEL_FILE, MANIFEST_FILE
    if previous:
        model_name, manifest_name = PREVIOUS_NAMES[MODEL_FILE], PREVIOUS_NAMES[MANIFEST_FILE]
    manifest = read_manifest(directory, manifest_name)
    data = _verified_bytes(directory, manifest, model_name)
    pipeline = joblib.load(io.BytesIO(data))
    return LoadedModel(manifest=manifest, pipeline=pipeline, predictor=build_predictor(pipeline))


def rollback(directory: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Swap the current and the previous artifact (after verifying the previous one)."""
    directory = Path(directory)
    missing = [PREVIOUS_NAMES[name] for name in ARTIFACT_FILES
               if not (directory / PREVIOUS_NAMES[name]).exists()]
    if missing:
        raise ArtifactNotFound(
            f"nothing to roll back to in {directory}: {', '.join(missing)} missing")
    restored = load_artifact(directory, previous=True).manifest
    for name in ARTIFACT_FILES:
        current, kept = directory / name, directory / PREVIOUS_NAMES[name]
        swap = directory / f".{name}.swap"
        os.replace(current, swap)
        os.replace(kept, current)
        os.replace(swap, kept)
    return restored
