"""The journal: sessions, seeded datasets and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the three tables and the indexes the API's filters use."""
    op.create_table(
        "seeds",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("seeded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_seeds"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("duration_minutes", sa.SmallInteger, nullable=False),
        sa.Column("mood_before", sa.String(16), nullable=False),
        sa.Column("mood_after", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("predicted_mood", sa.String(16), nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("seed_sha256", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["seed_sha256"], ["seeds.sha256"], ondelete="CASCADE",
                                name="fk_sessions_seed_sha256_seeds"),
        sa.CheckConstraint("duration_minutes > 0", name="ck_sessions_positive_duration"),
        sa.CheckConstraint("source IN ('dataset', 'api')", name="ck_sessions_known_source"),
    )
    op.create_index("ix_sessions_mood_before_id", "sessions", ["mood_before", "id"])
    op.create_index("ix_sessions_mood_after_id", "sessions", ["mood_after", "id"])
    # covers /stats: the totals and the GROUP BY read this index, not the table
    op.create_index("ix_sessions_summary", "sessions",
                    ["mood_before", "mood_after", "duration_minutes"])
    op.create_index("ix_sessions_date", "sessions", ["date"])
    op.create_index("ix_sessions_recorded_at", "sessions", ["recorded_at"])
    op.create_index("ix_sessions_seed_sha256", "sessions", ["seed_sha256"])
    op.create_table(
        "idempotency_keys",
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=True),
        sa.Column("response", sa.Text, nullable=True),
        sa.Column("location", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client", "key", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    """Drop everything this revision created."""
    op.drop_table("idempotency_keys")
    op.drop_table("sessions")
    op.drop_table("seeds")
