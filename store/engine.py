"""Engines for the journal: SQLite tuned for several writers, PostgreSQL through psycopg 3."""

from __future__ import annotations

import functools
import os
import weakref
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url

DEFAULT_URL = "sqlite:///instance/focus.db"
DEFAULT_BUSY_TIMEOUT = 15.0  # seconds a writer waits for a lock before the store is "locked"
WRITE_OPTION = "focus_store_write"  # execution option: this transaction will write


def display_url(url: str) -> str:
    """The URL with its password hidden, fit for logs and answers."""
    return make_url(url).render_as_string(hide_password=True)


def _dispose_after_fork(reference: "weakref.ref[Engine]") -> None:
    """In a forked child, drop the parent's pooled connections without closing them."""
    engine = reference()
    if engine is not None:
        engine.dispose(close=False)


def _tune_sqlite(engine: Engine, busy_timeout: float) -> None:
    """WAL, a busy timeout and foreign keys on every connection; BEGIN IMMEDIATE for writes.

    The driver's own transaction handling is turned off so that SQLAlchemy's BEGIN is the one
    SQLite sees: a writing transaction takes the write lock at its start (waiting up to the
    busy timeout) instead of failing on a lock upgrade half way through.
    """
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str = DEFAULT_URL, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """An engine for url; connects lazily, so a database that is down fails per request."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # reported by the first connection: "unable to open database file"
        engine = create_engine(parsed, connect_args={"timeout": busy_timeout})
        _tune_sqlite(engine, busy_timeout)
    else:
        connect_args = {"connect_timeout": 5} if parsed.get_driver_name() == "psycopg" else {}
        engine = create_engine(parsed, pool_pre_ping=True, pool_timeout=busy_timeout,
                               connect_args=connect_args)
    os.register_at_fork(after_in_child=functools.partial(_dispose_after_fork,
                                                         weakref.ref(engine)))
    return engine
