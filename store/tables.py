"""The journal's tables: sessions, the datasets seeded into it, and idempotency keys."""

from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, Date, DateTime, ForeignKey, Index,
                        Integer, MetaData, SmallInteger, String, Table, Text)

SOURCE_DATASET = "dataset"
SOURCE_API = "api"

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

Id = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY on SQLite

seeds = Table(
    "seeds", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("seeded_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("date", Date, nullable=False),
    Column("duration_minutes", SmallInteger, nullable=False),
    Column("mood_before", String(16), nullable=False),
    Column("mood_after", String(16), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("source", String(16), nullable=False),
    Column("predicted_mood", String(16), nullable=True),
    Column("model_version", String(64), nullable=True),
    Column("seed_sha256", String(64), ForeignKey("seeds.sha256", ondelete="CASCADE"),
           nullable=True),
    CheckConstraint("duration_minutes > 0", name="positive_duration"),
    CheckConstraint(f"source IN ('{SOURCE_DATASET}', '{SOURCE_API}')", name="known_source"),
    Index("ix_sessions_mood_before_id", "mood_before", "id"),
    Index("ix_sessions_mood_after_id", "mood_after", "id"),
    Index("ix_sessions_summary", "mood_before", "mood_after", "duration_minutes"),  # /stats
    Index("ix_sessions_date", "date"),
    Index("ix_sessions_recorded_at", "recorded_at"),
    Index("ix_sessions_seed_sha256", "seed_sha256"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("client", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("status", SmallInteger, nullable=True),  # NULL while the first request runs
    Column("response", Text, nullable=True),
    Column("location", String(255), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
