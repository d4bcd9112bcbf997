"""The initial schema: results, transitions, rollups, bookkeeping.

Written out in full (not ``metadata.create_all``) so that later changes to ``schema.py`` need a new
revision; the compare test fails until they get one.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KEYS = ("rollup_60", "rollup_3600", "pruned_raw", "pruned_60", "pruned_3600")


def upgrade() -> None:
    op.create_table(
        "results",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Double(), nullable=False),
        sa.Column("ttfb_ms", sa.Double(), nullable=True),
        sa.Column("error_kind", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_results_integration_ts", "results", ["integration_id", "ts"])
    op.create_index("ix_results_ts", "results", ["ts"])
    op.create_index(
        "ix_results_failures",
        "results",
        ["integration_id", "ts"],
        sqlite_where=sa.text("ok = 0"),
        postgresql_where=sa.text("NOT ok"),
    )
    op.create_table(
        "transitions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("old", sa.Text(), nullable=False),
        sa.Column("new", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_transitions_integration_ts", "transitions", ["integration_id", "ts"])
    op.create_index("ix_transitions_ts", "transitions", ["ts"])
    op.create_table(
        "rollups",
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("bucket_s", sa.Integer(), nullable=False),
        sa.Column("bucket_start", sa.Double(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("p50", sa.Double(), nullable=True),
        sa.Column("p95", sa.Double(), nullable=True),
        sa.Column("p99", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("integration_id", "bucket_s", "bucket_start", name="pk_rollups"),
    )
    op.create_index("ix_rollups_bucket", "rollups", ["bucket_s", "bucket_start"])
    bookkeeping = op.create_table(
        "bookkeeping",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", sa.Double(), nullable=True),
    )
    # every key exists from the start, so the store only ever UPDATEs (and can lock) its row
    op.bulk_insert(bookkeeping, [{"key": key, "value": None} for key in _KEYS])


def downgrade() -> None:
    for table in ("bookkeeping", "rollups", "transitions", "results"):
        op.drop_table(table)
