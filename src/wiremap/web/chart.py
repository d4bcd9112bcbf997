"""The latency chart of an integration page: geometry for a server-rendered SVG (no script).

p50/p95/p99 per bucket as polylines (a missing bucket breaks the line), the documented P99 as a dashed
horizontal line, axes with ticks and a legend. The template ``_chart.html`` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import fmt
from .live import Point

__all__ = ["Chart", "Series", "latency_chart", "nice_step"]

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 64  # plot margins; the legend sits under the x axis

OFF_SCALE = 4.0  # a documented P99 over 4x the largest measured value is drawn at the top edge
COLOURS = {"p50": "#1f77b4", "p95": "#9467bd", "p99": "#d62728", "documented": "#444444"}


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str
    lines: list[str]  # polyline ``points`` attributes
    dots: list[tuple[float, float]]  # buckets with no neighbour to join


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: float
    top: float
    right: float  # x of the plot's right edge
    bottom: float  # y of the x axis
    series: list[Series]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    documented_p99: tuple[float, float, str] | None  # (y, value in ms, label)
    failures: list[tuple[float, str]]  # (x, title): buckets with failed checks
    points: int
    legend: list[tuple[str, str, bool]] = field(default_factory=list)  # (label, colour, dashed)


def nice_step(span: float, ticks: int = 4) -> float:
    """A 1-2-5 step giving about ``ticks`` intervals over ``span``."""
    raw = max(span, 1e-9) / ticks
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _fmt_tick(v: float, step: float) -> str:
    return f"{v:,.0f}" if step >= 1 else f"{v:.{max(0, -math.floor(math.log10(step)))}f}"


def latency_chart(points: Sequence[Point], since: float, until: float, documented_p99: float | None) -> Chart:
    x0, x1, y0 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM
    values = [v for p in points for v in (p.p50, p.p95, p.p99) if v is not None]
    data_top = max([*values, 0.0])
    # the documented P99 sets the scale unless it is far above the data (then the data would be a
    # sliver at the bottom): the line is then drawn at the top edge and labelled as off the scale
    off_scale = documented_p99 is not None and data_top > 0 and documented_p99 > OFF_SCALE * data_top
    top_value = data_top if off_scale else max(data_top, documented_p99 or 0.0)
    step = nice_step(top_value * 1.1 if top_value > 0 else 1.0)
    y_max = max(step, math.ceil(top_value * 1.1 / step) * step)
    span = max(until - since, 1.0)

    def x(ts: float) -> float:
        return round(x0 + (ts - since) / span * (x1 - x0), 1)

    def y(v: float) -> float:
        return round(y0 - v / y_max * (y0 - TOP), 1)

    series: list[Series] = []
    for name in ("p50", "p95", "p99"):
        lines: list[list[tuple[float, float]]] = []
        prev: Point | None = None
        for p in points:
            v = getattr(p, name)
            if v is None:
                prev = None
                continue
            joined = prev is not None and p.ts - prev.ts <= p.bucket_s
            if not joined:
                lines.append([])
            lines[-1].append((x(p.ts + p.bucket_s / 2), y(v)))
            prev = p
        series.append(
            Series(
                name,
                COLOURS[name],
                [" ".join(f"{a},{b}" for a, b in line) for line in lines if len(line) > 1],
                [line[0] for line in lines if len(line) == 1],
            )
        )
    tick_s = 600 if span <= 2 * 3600 else 3600 * max(1, round(span / 3600 / 6))
    first_tick = math.ceil(since / tick_s) * tick_s
    x_ticks = [(x(t), fmt.utc_time(t)) for t in range(int(first_tick), int(until) + 1, tick_s)]
    y_ticks = [(y(v * step), _fmt_tick(v * step, step)) for v in range(round(y_max / step) + 1)]
    documented = None
    if documented_p99 is not None:
        label = f"documented P99 {fmt.ms(documented_p99)}" + (" (above the scale)" if off_scale else "")
        documented = (TOP if off_scale else y(documented_p99), documented_p99, label)
    failures = [
        (x(p.ts + p.bucket_s / 2), f"{p.failures} of {p.count} checks failed at {fmt.utc_time(p.ts)} UTC")
        for p in points
        if p.failures
    ]
    legend = [(s.name, s.colour, False) for s in series]
    if documented is not None:
        legend.append(("documented P99", COLOURS["documented"], True))
    return Chart(
        WIDTH, HEIGHT, x0, TOP, x1, y0, series, x_ticks, y_ticks, documented, failures, len(points), legend
    )
