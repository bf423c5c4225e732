"""The model artifact and its passport: publish as a set, load only when verified, roll back.

Layout of a model folder (MODEL_DIR)::

    versions/<version>/   model.joblib, model.json, MODEL_CARD.md, model.sig (when signed)
    current  -> versions/<version>     the served model; switched by one atomic rename
    previous -> versions/<version>     what `rollback` goes back to
    model.joblib, model.json, MODEL_CARD.md -> current/...   (stable paths for tools)

A folder in the older flat layout (the three files, model.prev.* beside them) still loads, and
is migrated to this layout by the next publish or rollback.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from model.atomic import write_bytes_atomically
from model.errors import ArtifactError, ArtifactNotFound
from model.manifest import VERSION_PATTERN, parse_manifest
from model.predictor import CompiledPredictor, Predictor, build_predictor
from model.signing import SIGNATURE_FILE, VerifyPolicy, check_signature, sign, signing_key

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"
ARTIFACT_FILES = (MODEL_FILE, MANIFEST_FILE, CARD_FILE)
VERSIONS_DIR = "versions"
CURRENT_LINK = "current"
PREVIOUS_LINK = "previous"
FLAT_PREVIOUS = {MODEL_FILE: "model.prev.joblib", MANIFEST_FILE: "model.prev.json",
                 CARD_FILE: "model.prev.md", SIGNATURE_FILE: "model.prev.sig"}
DIR_MODE = 0o755  # readable by the non-root user that serves the model
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


# ---- where the served model lives -----------------------------------------------------------

def _link_target(directory: Path, name: str) -> str | None:
    """Where the symlink `name` in the folder points, or None when there is no such link."""
    try:
        return os.readlink(Path(directory) / name)
    except OSError:
        return None


def published_target(directory: Path) -> str | None:
    """Where `current` points (versions/<version>): one readlink, the cheap change check.

    None for a folder in the flat layout, or one that is missing or not a folder.
    """
    return _link_target(directory, CURRENT_LINK)


def _check_folder(directory: Path) -> None:
    """ArtifactNotFound when the model folder is missing, ArtifactError when it is a file."""
    if not directory.exists():
        raise ArtifactNotFound(f"no model in {directory}: the folder does not exist (train one"
                               " with `make train`)")
    if not directory.is_dir():
        raise ArtifactError(f"the model folder {directory} is not a directory (check MODEL_DIR"
                            " or --artifacts)")


def artifact_exists(directory: Path) -> bool:
    """Whether the folder holds a published model (in either layout)."""
    return (Path(directory) / MANIFEST_FILE).is_file()


# ---- verified loading -----------------------------------------------------------------------

def _read(path: Path, missing: str) -> bytes:
    """A file's bytes; ArtifactNotFound with `missing` when absent, ArtifactError if unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ArtifactNotFound(missing) from None
    except OSError as exc:
        raise ArtifactError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_optional(path: Path) -> bytes | None:
    """A file's bytes, or None when it does not exist."""
    return _read(path, "") if path.exists() or path.is_symlink() else None


def _check_contents(folder: Path, manifest: dict[str, Any], model_bytes: bytes) -> None:
    """The library version and the model's checksum agree with the manifest."""
    trained_with = manifest["libraries"]["scikit-learn"]
    if trained_with != sklearn.__version__:
        raise ArtifactError(
            f"refusing {folder / MODEL_FILE}: trained with scikit-learn {trained_with},"
            f" but {sklearn.__version__} is installed; retrain with `make train`")
    expected = manifest["artifact"]["sha256"]
    actual = hashlib.sha256(model_bytes).hexdigest()
    if actual != expected:
        raise ArtifactError(
            f"refusing {folder / MODEL_FILE}: its sha256 is {actual[:12]}... but the manifest"
            f" says {expected[:12]}...; the file was changed or is not the one the manifest"
            " describes")


def _unpickle(folder: Path, manifest: dict[str, Any], model_bytes: bytes) -> Pipeline:
    """The verified bytes unpickled, checked to be a pipeline over the manifest's classes."""
    try:
        pipeline = joblib.load(io.BytesIO(model_bytes))
    except Exception as exc:  # a verified file that still does not load is refused, not fatal
        raise ArtifactError(f"refusing {folder / MODEL_FILE}: it cannot be loaded"
                            f" ({type(exc).__name__}: {exc})") from None
    classes = [str(label) for label in getattr(pipeline, "classes_", [])]
    if not isinstance(pipeline, Pipeline) or sorted(classes) != sorted(manifest["classes"]):
        raise ArtifactError(f"refusing {folder / MODEL_FILE}: it is not a fitted pipeline over"
                            " the manifest's classes")
    return pipeline


def load_folder(folder: Path, policy: VerifyPolicy | None = None) -> LoadedModel:
    """Load the artifact files in one folder: signature, manifest shape, libraries, checksum,
    and only then unpickle the very bytes that were checked."""
    folder = Path(folder)
    manifest_bytes = _read(folder / MANIFEST_FILE, f"no model in {folder}: {MANIFEST_FILE} is"
                           " missing (train one with `make train`)")
    model_bytes = _read(folder / MODEL_FILE, f"no model file {folder / MODEL_FILE} beside its"
                        " manifest")
    policy = policy if policy is not None else VerifyPolicy.from_env()
    signer = check_signature(policy, _read_optional(folder / SIGNATURE_FILE), manifest_bytes,
                             model_bytes, str(folder))
    manifest = parse_manifest(manifest_bytes, str(folder / MANIFEST_FILE))
    _check_contents(folder, manifest, model_bytes)
    pipeline = _unpickle(folder, manifest, model_bytes)
    log.debug("artifact %s verified (signed by %s)", folder, signer or "nobody")
    return LoadedModel(manifest=manifest, pipeline=pipeline, predictor=build_predictor(pipeline))


def _served_folder(directory: Path) -> tuple[Path, str | None]:
    """The folder holding the served model's files, and where `current` points (if anywhere)."""
    directory = Path(directory)
    _check_folder(directory)
    target = published_target(directory)
    return (directory / target if target is not None else directory), target


def load_published(directory: Path,
                   policy: VerifyPolicy | None = None) -> tuple[LoadedModel, str | None]:
    """The served model of a model folder and the target it was loaded from (see
    published_target), resolved once so that a concurrent switch cannot mix two versions."""
    folder, target = _served_folder(directory)
    return load_folder(folder, policy), target


def load_artifact(directory: Path = DEFAULT_DIR) -> LoadedModel:
    """Load the served model for any consumer (API, CLI, gate), verified before unpickling."""
    return load_published(directory)[0]


def read_manifest(directory: Path) -> dict[str, Any]:
    """The served model's manifest, shape-checked (the model itself is not loaded)."""
    directory = Path(directory)
    _check_folder(directory)
    path = directory / MANIFEST_FILE
    return parse_manifest(_read(path, f"no model in {directory}: {MANIFEST_FILE} is missing"
                                " (train one with `make train`)"), str(path))


# ---- publishing as a set --------------------------------------------------------------------

def _sync_folder(folder: Path) -> None:
    """fsync a folder so that renames inside it survive a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _set_link(directory: Path, name: str, target: str) -> None:
    """Point the symlink `name` at target, atomically (a new link renamed over the old)."""
    temporary = directory / f".{name}.{os.getpid()}.tmp"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, directory / name)
    _sync_folder(directory)


def _link_stable_paths(directory: Path) -> None:
    """model.joblib, model.json and MODEL_CARD.md in the folder point into current/."""
    for name in ARTIFACT_FILES:
        path, target = directory / name, f"{CURRENT_LINK}/{name}"
        if not (path.is_symlink() and os.readlink(path) == target):
            _set_link(directory, name, target)


def _write_version(directory: Path, version: str, files: dict[str, bytes]) -> str:
    """Write a version folder completely under a temporary name, then rename it into place."""
    if not re.match(VERSION_PATTERN, version):
        raise ArtifactError(f"cannot publish version {version!r}: not a safe folder name")
    versions = directory / VERSIONS_DIR
    versions.mkdir(mode=DIR_MODE, exist_ok=True)
    final = versions / version
    if final.is_dir():
        if (final / MANIFEST_FILE).read_bytes() != files[MANIFEST_FILE]:
            raise ArtifactError(f"version {version} is already published in {directory} with"
                                " another manifest")
        return f"{VERSIONS_DIR}/{version}"
    incoming = Path(tempfile.mkdtemp(dir=versions, prefix=f".{version}.", suffix=".incoming"))
    try:
        os.chmod(incoming, DIR_MODE)
        for name, data in files.items():
            write_bytes_atomically(incoming / name, data)
        os.rename(incoming, final)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    _sync_folder(versions)
    return f"{VERSIONS_DIR}/{version}"


def _switch(directory: Path, target: str) -> None:
    """Make target the served version (one rename); the one it replaces becomes `previous`."""
    old = published_target(directory)
    if old is not None and old != target:
        _set_link(directory, PREVIOUS_LINK, old)
    _set_link(directory, CURRENT_LINK, target)
    _link_stable_paths(directory)


def _flat_version(directory: Path, names: dict[str, str]) -> tuple[str, dict[str, bytes]] | None:
    """The version and files of a flat-layout artifact (names maps roles to file names)."""
    manifest_path = directory / names[MANIFEST_FILE]
    if manifest_path.is_symlink() or not manifest_path.is_file():
        return None
    files = {role: (directory / name).read_bytes() for role, name in names.items()
             if (directory / name).is_file()}
    try:
        version = str(json.loads(files[MANIFEST_FILE]).get("version", ""))
    except (ValueError, AttributeError):
        version = ""
    if not re.match(VERSION_PATTERN, version):
        version = "legacy-" + hashlib.sha256(files[MANIFEST_FILE]).hexdigest()[:12]
    return version, files


def _migrate_flat(directory: Path) -> None:
    """Move a flat-layout artifact (and its model.prev.*) into the versioned layout."""
    if published_target(directory) is not None:
        return
    previous = _flat_version(directory, FLAT_PREVIOUS)
    current = _flat_version(directory, {name: name for name in (*ARTIFACT_FILES,
                                                                SIGNATURE_FILE)})
    if previous is not None:
        _set_link(directory, PREVIOUS_LINK, _write_version(directory, *previous))
    if current is not None:
        _set_link(directory, CURRENT_LINK, _write_version(directory, *current))
        _link_stable_paths(directory)
        if (directory / SIGNATURE_FILE).is_file():
            (directory / SIGNATURE_FILE).unlink()
        log.info("migrated the flat artifact in %s to %s/", directory, VERSIONS_DIR)
    for name in FLAT_PREVIOUS.values():
        if (directory / name).is_file():
            (directory / name).unlink()


def _prepare(directory: Path) -> Path:
    """The model folder, created if needed and migrated to the versioned layout."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        _check_folder(directory)
        raise
    _migrate_flat(directory)
    return directory


def publish_files(directory: Path, version: str, files: dict[str, bytes]) -> str:
    """Publish a complete set of artifact files as `version` and switch to it; the target."""
    try:
        directory = _prepare(directory)
        target = _write_version(directory, version, files)
        _switch(directory, target)
    except OSError as exc:
        raise ArtifactError(f"cannot publish to {directory}: {exc.strerror or exc}"
                            f"{f' ({exc.filename})' if exc.filename else ''}") from None
    return target


def save_artifact(directory: Path, model_bytes: bytes, manifest: dict[str, Any],
                  card: str) -> None:
    """Publish model, manifest and card as one set, signed when a signing key is configured."""
    manifest_bytes = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    files = {MODEL_FILE: model_bytes, MANIFEST_FILE: manifest_bytes,
             CARD_FILE: card.encode("utf-8")}
    key = signing_key()
    if key is not None:
        files[SIGNATURE_FILE] = sign(key, manifest_bytes, model_bytes)
    publish_files(directory, str(manifest["version"]), files)


def publish(source: Path, directory: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Verify the served artifact of another folder (a CI download) and publish it here."""
    folder = _served_folder(source)[0]
    manifest = load_folder(folder).manifest
    files = {name: (folder / name).read_bytes()
             for name in (*ARTIFACT_FILES, SIGNATURE_FILE) if (folder / name).is_file()}
    publish_files(directory, str(manifest["version"]), files)
    return manifest


def rollback(directory: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Serve the previous model again (verified first); the current one becomes the previous."""
    directory = _prepare(directory)
    previous = _link_target(directory, PREVIOUS_LINK)
    if previous is None or previous == published_target(directory):
        raise ArtifactNotFound(f"nothing to roll back to in {directory}: no previous model")
    restored = load_folder(directory / previous).manifest
    try:
        _switch(directory, previous)
    except OSError as exc:
        raise ArtifactError(f"cannot roll back in {directory}: {exc.strerror or exc}") from None
    return restored
