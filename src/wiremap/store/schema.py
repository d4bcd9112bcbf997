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
    "cluster_instances",
    "cluster_leases",
    "cluster_status",
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
    # where the probe ran (``serve --location``); '' for results written before locations existed
    Column("location", Text, nullable=False, server_default=text("''")),
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

# Several instances on one PostgreSQL store (:mod:`wiremap.monitor.cluster`). Times are the database's
# clock (epoch seconds), so instances never compare their own clocks. On SQLite the tables exist, unused.

# every running ``serve``: its location and last heartbeat (live while ``heartbeat_at`` is within the TTL)
cluster_instances = Table(
    "cluster_instances",
    metadata,
    Column("id", Text, primary_key=True),
    Column("location", Text, nullable=False),
    Column("host", Text, nullable=False),  # host name and pid, for people
    Column("started_at", Double, nullable=False),
    Column("heartbeat_at", Double, nullable=False),
)

# who probes (location ``L``) or decides the global status and alerts (location ``*``) of an integration
cluster_leases = Table(
    "cluster_leases",
    metadata,
    Column("location", Text, nullable=False),
    Column("integration_id", Text, nullable=False),
    Column("holder", Text, nullable=False),
    Column("expires_at", Double, nullable=False),
    PrimaryKeyConstraint("location", "integration_id", name="pk_cluster_leases"),
    Index("ix_cluster_leases_holder", "holder"),
)

# the status of an integration at each location (written by its lease holder), and the global one
# (location ``*``, decided by quorum by the holder of the global lease)
cluster_status = Table(
    "cluster_status",
    metadata,
    Column("location", Text, nullable=False),
    Column("integration_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("since", Double, nullable=True),
    Column("reason", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("successes", Integer, nullable=False),
    Column("last_ts", Double, nullable=True),
    Column("last_ok", Boolean, nullable=True),
    Column("last_ms", Double, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("updated_at", Double, nullable=False),
    PrimaryKeyConstraint("location", "integration_id", name="pk_cluster_status"),
)
