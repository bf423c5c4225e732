"""Schema migrations with Alembic, run from code (`focus-agent db upgrade`, `serve`)."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:  # Alembic is imported when a migration runs, not with every app start
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    """Alembic's configuration for the journal, without an alembic.ini."""
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


HEAD = "0001"  # the newest revision in migrations/versions (a test keeps the two in step)


def head_revision() -> str:
    """The newest revision this code knows (a constant: no Alembic import on the request path)."""
    return HEAD


def scripted_head() -> str:
    """The newest revision as Alembic reads it from migrations/versions."""
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None when it was never migrated)."""
    if not connection.dialect.has_table(connection, VERSION_TABLE):
        return None
    return connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to revision, in one transaction."""
    from alembic import command
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to revision (base: empty)."""
    from alembic import command
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
