"""Between the model's dataclasses and table rows, making every value storable on both backends.

Probes report whatever the remote side said: a whole HTML page, a NUL byte from a binary protocol, text
decoded with ``surrogateescape``, a connection string with its password. One such message must not fail
the batch of a few hundred results it travels with, nor behave differently on SQLite and PostgreSQL,
nor keep a secret, so values are masked, clipped and cleaned here.
"""

from __future__ import annotations

import math
from typing import Any

from ..monitor.model import CheckResult, Rollup
from ..secrets import mask_text

__all__ = ["ERROR_KIND_MAX", "MESSAGE_MAX", "clip", "result_row", "rollup_row", "to_result"]

MESSAGE_MAX = 1_000  # messages and reasons: enough for an error, not a whole response body
ERROR_KIND_MAX = 100


def clip(text: str | None, limit: int = MESSAGE_MAX) -> str:
    """Text any backend stores: secrets masked (before the cut, which could leave half a secret no longer
    recognisable), at most ``limit`` characters (an ellipsis marks the cut), no NUL (which PostgreSQL
    rejects), no lone surrogate (which no UTF-8 database accepts). Every message and reason written to
    the store passes here: the store's door (see :mod:`wiremap.output`)."""
    if not text:
        return ""
    text = mask_text(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _finite(value: float | None) -> float | None:
    # SQLite stores NaN as NULL, which would make the NOT NULL duration fail the whole batch
    return None if value is None or math.isnan(value) else float(value)


def result_row(r: CheckResult) -> dict[str, Any]:
    return {
        "integration_id": r.integration_id,
        "ts": float(r.ts),
        "ok": bool(r.ok),
        "duration_ms": _finite(r.duration_ms) or 0.0,
        "ttfb_ms": _finite(r.ttfb_ms),
        "error_kind": clip(r.error_kind, ERROR_KIND_MAX) if r.error_kind is not None else None,
        "message": clip(r.message),
        "location": r.location,
    }


def to_result(row: Any) -> CheckResult:
    return CheckResult(
        row.integration_id,
        row.ts,
        bool(row.ok),
        row.duration_ms,
        row.ttfb_ms,
        row.error_kind,
        row.message,
        getattr(row, "location", ""),  # read where a query asks for it (monitor.cluster)
    )


def rollup_row(r: Rollup) -> dict[str, Any]:
    return {
        "integration_id": r.integration_id,
        "bucket_s": r.bucket_s,
        "bucket_start": r.bucket_start,
        "count": r.count,
        "failures": r.failures,
        "p50": r.p50,
        "p95": r.p95,
        "p99": r.p99,
    }
