"""Alembic environment: run the journal's migrations on the connection the caller passes."""

from alembic import context
from sqlalchemy import text

from store.tables import metadata

MIGRATION_LOCK = 7_318_006  # PostgreSQL advisory lock: one instance migrates at a time


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    """Migrate inside the connection's transaction (PostgreSQL: under an advisory lock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations(context.config.attributes["connection"])
