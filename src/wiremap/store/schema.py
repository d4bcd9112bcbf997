"""The tables of the history store, as SQLAlchemy Core metadata (one definition for SQLite and PostgreSQL).

The migrations in ``migrations/versions`` create exactly this schema; a test compares the migrated
database with this metadata on both backends, so the two cannot drift apart.

Times are epoch seconds in double precision (what :class:`~wiremap.monitor.model.CheckResult` carries);
strings are ``TEXT`` (no backend-specific length limits: the store clips them itself).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)

__all__ = [
    "BOOKKEEPING_KEYS",
    "bookkeeping",
    "metadata",
    "results",
    "rollups",
    "transitions",
]

metadata = MetaData()

# an auto-incrementing 64-bit key on PostgreSQL; SQLite only auto-increments an ``INTEGER PRIMARY KEY``
_ID = BigInteger().with_variant(Integer(), "sqlite")

results = Table(
    "results",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("integration_id", Text, nullable=False),
    Column("ts", Double, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("duration_ms", Double, nullable=False),
    Column("ttfb_ms", Double, nullable=True),
    Column("error_kind", Text, nullable=True),
    Column("message", Text, nullable=False),
    # results(), percentiles(), latest() (a skip scan over integration_id): one integration's time range
    Index("ix_results_integration_ts", "integration_id", "ts"),
    # prune() and roll_up(): every integration over a time range
    Index("ix_results_ts", "ts"),
    # failures(): partial, so it costs nothing for the (many) successful results
    Index(
        "ix_results_failures",
        "integration_id",
        "ts",
        sqlite_where=text("ok = 0"),
        postgresql_where=text("NOT ok"),
    ),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("integration_id", Text, nullable=False),
    Column("ts", Double, nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_transitions_integration_ts", "integration_id", "ts"),
    Index("ix_transitions_ts", "ts"),
)

rollups = Table(
    "rollups",
    metadata,
    Column("integration_id", Text, nullable=False),
    Column("bucket_s", Integer, nullable=False),
    Column("bucket_start", Double, nullable=False),
    Column("count", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("p50", Double, nullable=True),
    Column("p95", Double, nullable=True),
    Column("p99", Double, nullable=True),
    # one row per bucket: roll_up() upserts on this key, so it never writes a bucket twice
    PrimaryKeyConstraint("integration_id", "bucket_s", "bucket_start", name="pk_rollups"),
    # prune(): every integration's old buckets of one size
    Index("ix_rollups_bucket", "bucket_s", "bucket_start"),
)

# Watermarks, one number per key (see :data:`BOOKKEEPING_KEYS`).
bookkeeping = Table(
    "bookkeeping",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Double, nullable=True),
)

BOOKKEEPING_KEYS = {
    "rollup_60": "end of the minute buckets rolled up so far (lowered again when a late result arrives)",
    "rollup_3600": "end of the hour buckets rolled up so far (lowered again when a late result arrives)",
    "pruned_raw": "raw results before this time were pruned",
    "pruned_60": "minute rollups before this time were pruned",
    "pruned_3600": "hour rollups before this time were pruned",
}
