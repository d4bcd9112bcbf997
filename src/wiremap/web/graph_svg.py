"""Left-to-right layered layout of the system graph for a server-rendered SVG.

Columns are longest-path ranks over the integrations (edges closing a cycle are ignored for ranking),
rows are ordered by the mean row of each service's callers. Edges are cubic curves; an edge that goes
back (or within a column) curves under the boxes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ..monitor.model import Status
from .system import Link, System

__all__ = ["COLOURS", "Box", "Curve", "Layout", "layout"]

COLOURS = {
    Status.UP: "#2e7d32",
    Status.DEGRADED: "#b26a00",
    Status.DOWN: "#c62828",
    Status.UNKNOWN: "#6b7280",
    Status.SKIPPED: "#5f6b7a",
    None: "#9aa0a6",
}
BOX_H, ROW_GAP, COL_GAP, MARGIN, CHAR_W = 40, 30, 130, 24, 7.4


@dataclass(frozen=True, slots=True)
class Box:
    name: str
    x: float
    y: float
    w: float
    h: float
    status: str  # a Status value, or "none" for a service nothing calls
    colour: str
    role: str  # "down" (the service assumed down), "affected" (upstream of it) or ""


@dataclass(frozen=True, slots=True)
class Curve:
    link: Link
    d: str
    label: str
    label_x: float
    label_y: float
    colour: str
    impacted: bool


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    boxes: list[Box]
    curves: list[Curve]


def _ranks(names: list[str], links: list[Link]) -> dict[str, int]:
    succ: dict[str, list[str]] = {n: [] for n in names}
    for link in links:
        succ[link.source].append(link.destination)
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(n: str) -> None:
        stack = [(n, iter(succ[n]))]
        state[n] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))

    for n in names:
        if n not in state:
            visit(n)
    rank = dict.fromkeys(names, 0)
    forward = [(a, b) for a in names for b in succ[a] if (a, b) not in back and a != b]
    for _ in names:
        changed = False
        for a, b in forward:
            if rank[b] < rank[a] + 1:
                rank[b], changed = rank[a] + 1, True
        if not changed:
            break
    return rank


def _bezier_at(p: list[tuple[float, float]], t: float) -> tuple[float, float]:
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = p
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
    return a * ax + b * bx + c * cx + d * dx, a * ay + b * by + c * cy + d * dy


def layout(
    system: System, down: str | None = None, affected: Collection[str] = (), broken: Collection[str] = ()
) -> Layout:
    """``down``: the service assumed down; ``affected``: services upstream of it; ``broken``: ids of the
    integrations that break."""
    names = [s.name for s in system.services]
    rank = _ranks(names, system.links)
    columns: dict[int, list[str]] = {}
    for n in names:
        columns.setdefault(rank[n], []).append(n)
    row: dict[str, float] = {}
    callers: dict[str, list[str]] = {n: [] for n in names}
    for link in system.links:
        callers[link.destination].append(link.source)
    for r in sorted(columns):
        col = columns[r]
        for i, n in enumerate(col):
            placed = [row[c] for c in callers[n] if c in row]
            row[n] = sum(placed) / len(placed) if placed else float(i)
        col.sort(key=lambda n: (row[n], n.lower()))
        for i, n in enumerate(col):
            row[n] = float(i)
    box_w = max((len(n) for n in names), default=8) * CHAR_W + 28
    pos = {n: (MARGIN + rank[n] * (box_w + COL_GAP), MARGIN + row[n] * (BOX_H + ROW_GAP)) for n in names}
    boxes = []
    for s in system.services:
        x, y = pos[s.name]
        role = "down" if s.name == down else "affected" if s.name in affected else ""
        status = s.status.value if s.status is not None else "none"
        boxes.append(Box(s.name, x, y, box_w, BOX_H, status, COLOURS[s.status], role))
    curves: list[Curve] = []
    pairs: dict[tuple[str, str], int] = {}
    for link in system.links:
        (sx, sy), (dx, dy) = pos[link.source], pos[link.destination]
        nth = pairs.get((link.source, link.destination), 0)
        pairs[(link.source, link.destination)] = nth + 1
        bend = nth * 14
        forward = rank[link.destination] > rank[link.source]
        if forward:
            pts = [(sx + box_w, sy + BOX_H / 2), (sx + box_w + COL_GAP / 2, sy + BOX_H / 2 + bend)]
            pts += [(dx - COL_GAP / 2, dy + BOX_H / 2 + bend), (dx, dy + BOX_H / 2)]
        else:  # backwards, same column or a loop: under the boxes
            drop = BOX_H + 24 + bend
            pts = [(sx + box_w * 0.6, sy + BOX_H), (sx + box_w * 0.6, sy + drop)]
            pts += [(dx + box_w * 0.4, dy + drop), (dx + box_w * 0.4, dy + BOX_H)]
        d = "M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}".format(*(v for p in pts for v in p))
        mx, my = _bezier_at(pts, 0.75 if forward else 0.5)  # near the arrow: fanned-out labels stay apart
        label = link.integration.protocol or link.integration.protocol_raw or "?"
        curves.append(Curve(link, d, label, mx, my - 5, COLOURS[link.status], link.integration.id in broken))
    cols = max(rank.values(), default=0) + 1
    rows = max((len(c) for c in columns.values()), default=1)
    width = 2 * MARGIN + cols * box_w + (cols - 1) * COL_GAP
    height = 2 * MARGIN + rows * BOX_H + (rows - 1) * ROW_GAP + BOX_H
    return Layout(width, height, boxes, curves)
