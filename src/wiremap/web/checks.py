"""What a check measured, in words, and the strip of recent checks (built here, not in Jinja: at 500 rows of
30 cells a template loop and its per-value masking would cost more than the rest of the page).

Latency, everywhere in the monitor, is the time of the call itself, connection set-up not counted
(:data:`wiremap.monitor.service.CALL_PHASES`): HTTP's first response byte, Redis' PING, PostgreSQL's
``SELECT 1``, NATS' PING, AMQP's channel open, the WebSocket exchange after the handshake, gRPC's health
Check (its connect included: gRPC connects on the first call); MQTT's and TCP's probes are their connect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ..model import Integration
from ..monitor.model import IntegrationState, RecentCheck
from ..probes.registry import probe_name
from ..secrets import mask_text
from . import fmt

__all__ = ["CATALOG_CELLS", "PAGE_CELLS", "Strip", "measured", "probe_of", "strip", "timed"]

CATALOG_CELLS = 20  # cells per catalog row
PAGE_CELLS = 30  # on the integration page (what the monitor keeps)
_TITLE_MAX = 120  # characters of a failure's message in a cell's title

# what each probe does, and the part of it its latency is
_STEPS = {
    "amqp": "connect + open a channel",
    "grpc": "gRPC health Check call",
    "mqtt": "connect + CONNACK",
    "nats": "connect + PING",
    "postgresql": "connect + SELECT 1",
    "redis": "connect + PING",
    "tcp": "TCP connect",
    "websocket": "handshake + the documented exchange",
}
_TIMED = {
    "amqp": "channel open",
    "grpc": "health Check call",
    "mqtt": "connect + CONNACK",
    "nats": "PING",
    "postgresql": "SELECT 1",
    "redis": "PING",
    "tcp": "TCP connect",
    "websocket": "the documented exchange",
}
_WHOLE = frozenset({"mqtt", "tcp"})  # the connect is the call: the whole probe
_NAMES = {
    "amqp": "AMQP",
    "grpc": "gRPC",
    "mqtt": "MQTT",
    "nats": "NATS",
    "postgresql": "PostgreSQL",
    "redis": "Redis",
    "tcp": "TCP",
    "websocket": "WebSocket",
}


def _http_request(integ: Integration, target: str | None) -> str:
    from ..probes.http import method_and_path  # the probe's own choice of request, not a copy of it

    path = urlsplit(target).path if target and "://" in target else None
    method, sent = method_and_path(integ, path or None)
    return f"HTTP {method} {sent.partition('?')[0]}"


def probe_of(state: IntegrationState) -> str:
    """What a probe of this integration does: ``HTTP GET /healthz``, ``Redis: connect + PING``."""
    integ = state.integration
    name = probe_name(integ.protocol)
    if name == "http":
        return _http_request(integ, state.target)
    return f"{_NAMES.get(name, name)}: {_STEPS.get(name, 'the probe')}"


def measured(state: IntegrationState, short: bool = False) -> str:
    """What a successful check's latency is: ``time to first response`` or ``connect + PING``
    (``short``: ``to first response``, to follow a number)."""
    name = probe_name(state.integration.protocol)
    if name == "http":
        return "to first response" if short else "time to first response"
    return _TIMED.get(name, "the whole probe")


def timed(state: IntegrationState, latency_ms: float | None) -> str:
    """``time to first response 22 ms (HTTP GET /healthz)``, ``connect + PING 3 ms (Redis, whole probe)``."""
    name = probe_name(state.integration.protocol)
    if name == "http":
        return f"time to first response {fmt.ms(latency_ms)} ({probe_of(state)})"
    protocol = _NAMES.get(name, name)
    if name in _WHOLE or name not in _TIMED:
        return f"{_STEPS.get(name, 'the whole probe')} {fmt.ms(latency_ms)} ({protocol}, whole probe)"
    return f"{_TIMED[name]} {fmt.ms(latency_ms)} ({protocol}, connect not counted)"


@dataclass(frozen=True, slots=True)
class Strip:
    html: Markup
    total: int
    ok: int
    failed: int
    skipped: int

    @property
    def summary(self) -> str:
        """``18 of 20 ok · 2 failed`` (the strip's text alternative, also shown under it)."""
        if not self.total:
            return "no check yet"
        parts = [f"{self.ok} of {self.total} ok"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return " · ".join(parts)


def _clock(ts: float, day: int) -> str:
    """``08:00:00 UTC``, the date before it when ``ts`` is not on ``day`` (strftime costs 5 µs a cell)."""
    t = int(ts)
    if t // 86400 != day:
        return fmt.utc(ts)
    s = t % 86400
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} UTC"


def _title(c: RecentCheck, what: str, day: int) -> str:
    when = _clock(c.ts, day)
    if c.outcome == "ok":
        return f"{when} · ok · {fmt.ms(c.latency_ms)} {what}"
    detail = mask_text(c.detail)
    if len(detail) > _TITLE_MAX:
        detail = detail[: _TITLE_MAX - 1] + "…"
    if c.outcome == "failed":
        return f"{when} · failed after {fmt.ms(c.latency_ms)} · {detail}"
    return f"{when} · skipped · {detail}"


def strip(state: IntegrationState, cells: int = CATALOG_CELLS) -> Strip:
    """The last ``cells`` checks, oldest first, one coloured cell each with a title (time, outcome,
    latency and what it measures, message); empty cells pad a short history on the left. For screen
    readers the strip is one image whose label is the summary."""
    recent: Sequence[RecentCheck] = state.recent[-cells:]
    what = measured(state, short=True)
    day = int(recent[-1].ts) // 86400 if recent else 0  # the newest check's day: its date is the label's
    counts = {"ok": 0, "failed": 0, "skipped": 0}
    parts = ['<i class="none"></i>'] * (cells - len(recent))  # <i>: the shortest element, 10,000 a page
    for c in recent:
        counts[c.outcome] = counts.get(c.outcome, 0) + 1
        parts.append(f'<i class="{c.outcome}" title="{escape(_title(c, what, day))}"></i>')
    s = Strip(Markup(), len(recent), counts["ok"], counts["failed"], counts["skipped"])
    since = f" since {fmt.utc(recent[0].ts)}" if recent else ""
    label = f"Last {s.total} checks{since}, oldest first: {s.summary}" if s.total else "No check yet"
    html = Markup(
        f'<div class="strip" role="img" aria-label="{escape(label)}" data-checks="{s.total}">'
        f"{''.join(parts)}</div>"  # no style attribute: the CSP allows the stylesheet's styles only
    )
    return Strip(html, s.total, s.ok, s.failed, s.skipped)
