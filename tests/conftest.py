"""Fixtures shared by every test package: the dataset, a trained model, the journal's stores."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from app.store_cli import seed_file
from model.workflow import run_training
from store.journal import Journal
from tests.pgcluster import Cluster, Databases

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


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Databases]:
    """Fresh PostgreSQL databases: on TEST_DATABASE_URL's server, else on a throwaway cluster."""
    url = os.environ.get("TEST_DATABASE_URL")
    cluster = None if url else Cluster().init().start()
    databases = Databases(url or cluster.admin_url)
    try:
        yield databases
    finally:
        databases.drop_all()
        if cluster is not None:
            cluster.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind the journal supports (the same tests run on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'focus.db'}"
    return request.getfixturevalue("postgres_databases").new()


@pytest.fixture()
def journal(database_url: str) -> Iterator[Journal]:
    """A migrated, empty journal on each backend."""
    store = Journal(database_url)
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite journal seeded from the bundled dataset once per session (copy it to write)."""
    path = tmp_path_factory.mktemp("journal") / "focus.db"
    store = Journal(f"sqlite:///{path}")
    store.upgrade()
    seed_file(store, DATASET)
    store.dispose()
    return path


@pytest.fixture()
def seeded_url(seeded_sqlite: Path, tmp_path: Path) -> str:
    """A private copy of the seeded SQLite journal for one test."""
    target = tmp_path / "seeded.db"
    shutil.copyfile(seeded_sqlite, target)
    return f"sqlite:///{target}"
