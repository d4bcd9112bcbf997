"""The history store on SQLAlchemy Core: one class for SQLite and PostgreSQL.

Threads: the scheduler writes from one worker thread at a time, the web app reads from others. Every call
takes its own connection from the engine's pool and gives it back, so no connection is ever shared
between threads; on SQLite, WAL lets those readers run while a batch is written, and writers take the
write lock up front (see :mod:`.engine`).

Rollups track a watermark per bucket size (the end of what is rolled up). A batch holding a result older
than the watermark (a slow probe flushed after its minute was rolled up) lowers it again, and the next
:meth:`SqlStore.roll_up` recomputes those buckets with an upsert: late results are never lost, and
rolling up twice writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, bindparam, case, delete, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from ..monitor.model import CheckResult, Percentiles, Rollup, Status, Transition
from .rollup import BUCKETS, Accumulator, bucket_floor, combine, summarize
from .rows import clip, result_row, rollup_row, to_result
from .schema import bookkeeping, results, rollups, transitions

__all__ = ["SqlStore"]

_DAY = 86_400.0
_CHUNK_BUCKETS = 60  # buckets per roll-up transaction: a long catch-up never holds the write lock long

_RESULT_COLUMNS = (
    results.c.integration_id,
    results.c.ts,
    results.c.ok,
    results.c.duration_ms,
    results.c.ttfb_ms,
    results.c.error_kind,
    results.c.message,
)
_LATENCY = func.coalesce(results.c.ttfb_ms, results.c.duration_ms)


class SqlStore:
    """The :class:`~wiremap.monitor.model.Store` on an SQLAlchemy engine (SQLite or PostgreSQL).

    Build it with :func:`wiremap.store.open_store`, which also migrates the schema.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(wiremap_write=True)
        self._postgresql = engine.dialect.name == "postgresql"

    @property
    def engine(self) -> Engine:
        return self._engine

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes --------------------------------------------------------------------------------------------

    def add_results(self, results_: Sequence[CheckResult]) -> None:
        """Append a batch in one transaction (one executemany): all of it is stored, or none."""
        if not results_:
            return
        rows = [result_row(r) for r in results_]
        oldest = min(row["ts"] for row in rows)
        with self._writer.begin() as conn:
            conn.execute(results.insert(), rows)
            # A result in an already rolled-up bucket moves the watermark back to that bucket. The UPDATE
            # touches the watermark rows even when it changes nothing: on PostgreSQL it then waits for a
            # roll_up() in progress (which holds them FOR UPDATE and cannot see this batch) and sees the
            # watermark it leaves. On SQLite, BEGIN IMMEDIATE serializes the two anyway.
            late = bookkeeping.c.value > oldest
            conn.execute(
                update(bookkeeping)
                .where(bookkeeping.c.key.in_([f"rollup_{b}" for b in BUCKETS]))
                .values(
                    value=case(
                        *(
                            (late & (bookkeeping.c.key == f"rollup_{b}"), bucket_floor(oldest, b))
                            for b in BUCKETS
                        ),
                        else_=bookkeeping.c.value,
                    )
                )
            )

    def add_transition(self, transition: Transition) -> None:
        self.add_transitions([transition])

    def add_transitions(self, transitions_: Sequence[Transition]) -> None:
        """Append status changes in one transaction: a start or a mass outage brings thousands at once."""
        if not transitions_:
            return
        rows = [
            {
                "integration_id": t.integration_id,
                "ts": float(t.ts),
                "old": str(t.old),
                "new": str(t.new),
                "reason": clip(t.reason),
            }
            for t in transitions_
        ]
        with self._writer.begin() as conn:
            conn.execute(transitions.insert(), rows)

    def roll_up(self, now: float) -> None:
        """Write the minute and hour rollups of every bucket that ends at or before ``now`` and is not yet
        written (or got a late result since). Hour buckets come from raw results too, so they are exact."""
        for bucket_s in BUCKETS:
            end = bucket_floor(now, bucket_s)
            while self._roll_chunk(bucket_s, end):
                pass

    def _roll_chunk(self, bucket_s: int, end: float) -> bool:
        """Roll up at most :data:`_CHUNK_BUCKETS` buckets below ``end`` in one transaction; ``True`` when
        more remain."""
        key = f"rollup_{bucket_s}"
        with self._writer.begin() as conn:
            # the row lock makes a concurrent add_results wait to lower the watermark until this commits
            mark = conn.execute(
                select(bookkeeping.c.value).where(bookkeeping.c.key == key).with_for_update()
            ).scalar()
            start = mark
            pruned = conn.execute(
                select(bookkeeping.c.value).where(bookkeeping.c.key == "pruned_raw")
            ).scalar()
            if pruned is not None:
                # a bucket that lost raw results to prune() is never recomputed (from what is left of it)
                complete = -bucket_floor(-pruned, bucket_s)
                start = complete if start is None else max(start, complete)
            # skip straight over stretches without results (the monitor was stopped)
            first_q = select(func.min(results.c.ts)).where(results.c.ts < end)
            if start is not None:
                first_q = first_q.where(results.c.ts >= start)
            first = conn.execute(first_q).scalar()
            if first is None:
                if mark is not None and mark < end:
                    self._set_mark(conn, key, end)
                return False
            lo = bucket_floor(first, bucket_s)  # the watermark is a bucket boundary: lo >= start
            hi = min(end, lo + _CHUNK_BUCKETS * bucket_s)
            rows = conn.execute(
                select(results.c.integration_id, results.c.ts, results.c.ok, _LATENCY).where(
                    results.c.ts >= lo, results.c.ts < hi
                )
            )
            found = summarize(((r[0], r[1], r[2], r[3]) for r in rows), bucket_s)
            if found:
                conn.execute(self._upsert_rollups(), [rollup_row(r) for r in found])
            self._set_mark(conn, key, hi)
            return hi < end

    @staticmethod
    def _set_mark(conn: Connection, key: str, value: float) -> None:
        conn.execute(update(bookkeeping).where(bookkeeping.c.key == key).values(value=value))

    def prune(self, now: float, raw_days: float = 7, minute_days: float = 30, hour_days: float = 400) -> None:
        """Delete raw results older than ``raw_days``, minute rollups older than ``minute_days``, hour
        rollups and transitions (rare, and the history of an outage) older than ``hour_days``.

        Raw results are deleted by age alone: call :meth:`roll_up` first (the monitor does) so that
        what is pruned is summarized. The cut-offs are remembered: :meth:`percentiles` uses them to
        know whether raw results still cover a window.
        """
        cuts = {
            "pruned_raw": now - raw_days * _DAY,
            "pruned_60": now - minute_days * _DAY,
            "pruned_3600": now - hour_days * _DAY,
        }
        with self._writer.begin() as conn:
            conn.execute(delete(results).where(results.c.ts < cuts["pruned_raw"]))
            for bucket_s in BUCKETS:
                conn.execute(
                    delete(rollups).where(
                        rollups.c.bucket_s == bucket_s, rollups.c.bucket_start < cuts[f"pruned_{bucket_s}"]
                    )
                )
            conn.execute(delete(transitions).where(transitions.c.ts < cuts["pruned_3600"]))
            conn.execute(
                update(bookkeeping)
                .where(
                    bookkeeping.c.key == bindparam("k"),
                    or_(bookkeeping.c.value.is_(None), bookkeeping.c.value < bindparam("v")),
                )
                .values(value=bindparam("v")),
                [{"k": k, "v": v} for k, v in cuts.items()],
            )

    # -- reads ---------------------------------------------------------------------------------------------

    def results(
        self, integration_id: str, since: float, until: float | None = None, limit: int | None = None
    ) -> list[CheckResult]:
        """Raw results in ``[since, until)``, oldest first; with ``limit``, the newest ``limit`` of them."""
        q = select(*_RESULT_COLUMNS).where(results.c.integration_id == integration_id, results.c.ts >= since)
        if until is not None:
            q = q.where(results.c.ts < until)
        if limit is not None:
            if limit <= 0:
                return []
            q = q.order_by(results.c.ts.desc(), results.c.id.desc()).limit(limit)
            with self._engine.connect() as conn:
                return [to_result(r) for r in reversed(conn.execute(q).all())]
        with self._engine.connect() as conn:
            return [to_result(r) for r in conn.execute(q.order_by(results.c.ts, results.c.id))]

    def failures(self, integration_id: str, since: float, limit: int = 50) -> list[CheckResult]:
        """Failed results since ``since``, newest first (through the partial index of failures)."""
        q = (
            select(*_RESULT_COLUMNS)
            .where(results.c.integration_id == integration_id, results.c.ok == false(), results.c.ts >= since)
            .order_by(results.c.ts.desc(), results.c.id.desc())
            .limit(max(limit, 0))
        )
        with self._engine.connect() as conn:
            return [to_result(r) for r in conn.execute(q)]

    def percentiles(self, integration_id: str, since: float, until: float | None = None) -> Percentiles:
        """Over raw results when they still cover ``since`` (nothing older was pruned), else over rollups:
        minute rollups when they cover ``since``, else hour rollups, plus raw results after the last
        rolled-up bucket. Over rollups, counts are summed and each percentile is the maximum of the
        buckets' (see :func:`.rollup.combine`); buckets count when their start is in the window."""
        with self._engine.connect() as conn:
            marks: dict[str, float | None] = {
                k: v for k, v in conn.execute(select(bookkeeping.c.key, bookkeeping.c.value))
            }
            pruned = marks.get("pruned_raw")
            if pruned is None or since >= pruned:
                return self._raw(conn, integration_id, since, until)
            pruned_minutes = marks.get("pruned_60")
            bucket_s = 60 if pruned_minutes is None or since >= pruned_minutes else 3600
            rolled = marks.get(f"rollup_{bucket_s}")
            if rolled is None:  # nothing rolled up yet: whatever raw results are left
                return self._raw(conn, integration_id, since, until)
            top = rolled if until is None else min(until, rolled)
            agg = conn.execute(
                select(
                    func.sum(rollups.c.count),
                    func.sum(rollups.c.failures),
                    func.max(rollups.c.p50),
                    func.max(rollups.c.p95),
                    func.max(rollups.c.p99),
                ).where(
                    rollups.c.integration_id == integration_id,
                    rollups.c.bucket_s == bucket_s,
                    rollups.c.bucket_start >= since,
                    rollups.c.bucket_start < top,
                )
            ).one()
            parts = [Percentiles(int(agg[0] or 0), int(agg[1] or 0), agg[2], agg[3], agg[4])]
            if until is None or until > rolled:
                parts.append(self._raw(conn, integration_id, max(since, rolled), until))
            return combine(parts)

    @staticmethod
    def _raw(conn: Connection, integration_id: str, since: float, until: float | None) -> Percentiles:
        q = select(results.c.ok, _LATENCY).where(
            results.c.integration_id == integration_id, results.c.ts >= since
        )
        if until is not None:
            q = q.where(results.c.ts < until)
        acc = Accumulator()
        for ok, latency in conn.execute(q):
            acc.add(bool(ok), latency)
        return acc.percentiles()

    def rollups(
        self, integration_id: str, bucket_s: int, since: float, until: float | None = None
    ) -> list[Rollup]:
        """The ``bucket_s`` rollups whose start is in ``[since, until)``, oldest first."""
        q = select(
            rollups.c.integration_id,
            rollups.c.bucket_start,
            rollups.c.bucket_s,
            rollups.c.count,
            rollups.c.failures,
            rollups.c.p50,
            rollups.c.p95,
            rollups.c.p99,
        ).where(
            rollups.c.integration_id == integration_id,
            rollups.c.bucket_s == bucket_s,
            rollups.c.bucket_start >= since,
        )
        if until is not None:
            q = q.where(rollups.c.bucket_start < until)
        with self._engine.connect() as conn:
            return [Rollup(*r) for r in conn.execute(q.order_by(rollups.c.bucket_start))]

    def summaries(self, bucket_s: int, since: float, until: float | None = None) -> dict[str, Percentiles]:
        """Every integration's rollups of ``bucket_s`` starting in ``[since, until)``, combined (counts
        summed, each percentile the maximum): one query for a whole catalog page."""
        q = select(
            rollups.c.integration_id,
            func.sum(rollups.c.count),
            func.sum(rollups.c.failures),
            func.max(rollups.c.p50),
            func.max(rollups.c.p95),
            func.max(rollups.c.p99),
        ).where(rollups.c.bucket_s == bucket_s, rollups.c.bucket_start >= since)
        if until is not None:
            q = q.where(rollups.c.bucket_start < until)
        q = q.group_by(rollups.c.integration_id)
        with self._engine.connect() as conn:
            return {
                row[0]: Percentiles(int(row[1] or 0), int(row[2] or 0), row[3], row[4], row[5])
                for row in conn.execute(q)
            }

    def transitions(self, integration_id: str | None, since: float, limit: int = 100) -> list[Transition]:
        """Status changes since ``since`` (of one integration, or all with ``None``), newest first."""
        q = select(transitions).where(transitions.c.ts >= since)
        if integration_id is not None:
            q = q.where(transitions.c.integration_id == integration_id)
        q = q.order_by(transitions.c.ts.desc(), transitions.c.id.desc()).limit(max(limit, 0))
        with self._engine.connect() as conn:
            return [
                Transition(r.integration_id, r.ts, Status(r.old), Status(r.new), r.reason)
                for r in conn.execute(q)
            ]

    def latest(self) -> dict[str, CheckResult]:
        """The newest result of every integration, in one query whatever the number of results.

        Neither SQLite nor PostgreSQL skip-scans a ``GROUP BY integration_id`` (it would read every row),
        so a recursive CTE walks the distinct ids through the ``(integration_id, ts)`` index (the next id
        after the previous one), and each id's newest row comes from the same index. That costs no work
        on the write path for a call made once at start-up (measured: 500 integrations × 400 results,
        ~20 ms on SQLite, ~60 ms on PostgreSQL).
        """
        nxt = results.alias("nxt")
        ids = select(func.min(results.c.integration_id).label("iid")).cte("ids", recursive=True)
        ids = ids.union_all(
            select(
                select(func.min(nxt.c.integration_id))
                .where(nxt.c.integration_id > ids.c.iid)
                .scalar_subquery()
            ).where(ids.c.iid.is_not(None))
        )
        newest = results.alias("newest")
        newest_id = (
            select(newest.c.id)
            .where(newest.c.integration_id == ids.c.iid)
            .order_by(newest.c.ts.desc(), newest.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        q = select(*_RESULT_COLUMNS).select_from(ids.join(results, results.c.id == newest_id))
        with self._engine.connect() as conn:
            return {r.integration_id: to_result(r) for r in conn.execute(q)}

    def close(self) -> None:
        """Close every pooled connection (a checkpoint of the SQLite WAL happens on the last one)."""
        self._engine.dispose()

    # -- dialect-specific upsert ---------------------------------------------------------------------------

    def _upsert_rollups(self) -> Insert:
        ins = postgresql.insert(rollups) if self._postgresql else sqlite.insert(rollups)
        key = ("integration_id", "bucket_s", "bucket_start")
        changed = {c.name: ins.excluded[c.name] for c in rollups.columns if c.name not in key}
        return ins.on_conflict_do_update(index_elements=list(key), set_=changed)
