"""Fixtures shared by every test package: the bundled dataset and a model trained from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from model.workflow import run_training

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "group_01" / "meditation_sessions.csv"


@pytest.fixture(scope="session")
def dataset_path() -> Path:
    """The bundled sessions CSV."""
    return DATASET


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once per test session from the bundled dataset (read-only use)."""
    directory = tmp_path_factory.mktemp("artifacts")
    run_training(DATASET, directory, progress=lambda line: None)
    return directory


@pytest.fixture()
def artifacts(trained_dir: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the trained artifact for one test."""
    target = tmp_path / "artifacts"
    shutil.copytree(trained_dir, target, symlinks=True)
    return target
