"""How numbers and times read on the dashboard: latency in ms, uptime in %, times relative and in UTC."""

from __future__ import annotations

import datetime as dt
import math

__all__ = ["ago", "bare_ms", "duration", "iso", "ms", "pct", "utc", "utc_time"]

NONE = "—"


def ms(value: float | None) -> str:
    """``0.42 ms``, ``4.2 ms``, ``182 ms``, ``1,250 ms``; a dash for no value."""
    if value is None or not math.isfinite(value):
        return NONE
    if value < 1:
        return f"{value:.2f} ms"
    if value < 10:
        return f"{value:.1f} ms"
    return f"{round(value):,} ms"


def bare_ms(value: float | None) -> str:
    """:func:`ms` without its unit, for a row of numbers that states it once: ``1,250``, ``0.42``."""
    return ms(value).removesuffix(" ms")


def pct(value: float | None) -> str:
    """An uptime ratio as ``99.95%`` or ``75%``; never rounds up to 100% unless it is exactly 1."""
    if value is None:
        return NONE
    if value >= 1:
        return "100%"
    return f"{math.floor(value * 10000) / 100:.2f}".rstrip("0").rstrip(".") + "%"


def duration(seconds: float) -> str:
    """``12 s``, ``3 min``, ``2 h``, ``4 d``."""
    s = abs(seconds)
    if s < 60:
        return f"{int(s)} s"
    if s < 3600:
        return f"{int(s // 60)} min"
    if s < 86400:
        return f"{int(s // 3600)} h"
    return f"{int(s // 86400)} d"


def ago(ts: float | None, now: float) -> str:
    """``12 s ago``, ``just now``, ``in 5 s`` (a time in the future)."""
    if ts is None:
        return "never"
    delta = now - ts
    if abs(delta) < 1:
        return "just now"
    return f"{duration(delta)} ago" if delta > 0 else f"in {duration(delta)}"


def _dt(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def utc(ts: float | None) -> str:
    """``2026-11-28 09:14:07 UTC``."""
    return NONE if ts is None else _dt(ts).strftime("%Y-%m-%d %H:%M:%S UTC")


def utc_time(ts: float) -> str:
    """``09:14`` (UTC), for chart axes."""
    return _dt(ts).strftime("%H:%M")


def iso(ts: float | None) -> str:
    """``2026-11-28T09:14:07Z``, for ``<time datetime>``."""
    return "" if ts is None else _dt(ts).strftime("%Y-%m-%dT%H:%M:%SZ")
