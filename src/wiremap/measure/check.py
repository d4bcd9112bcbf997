"""The regression gate: measured P95/P99 against the documented ones, with a tolerance."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Integration
from ._base import MeasureResult

__all__ = ["Verdict", "check_against_doc"]


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str  # "P95" | "P99"
    documented_ms: float | None
    measured_ms: float | None  # None: nothing succeeded, so nothing was measured
    limit_ms: float | None
    ok: bool
    message: str


def check_against_doc(integration: Integration, result: MeasureResult, tolerance: float) -> list[Verdict]:
    """Exceeding the documented value by more than ``tolerance`` (0.2 = 20%) fails; so does a
    percentile the doc does not state (a gate needs a number to hold the line), and one that was not
    measured: without a successful request the percentiles read 0.00 ms, which is no sample."""
    out: list[Verdict] = []
    for name, documented, measured in (
        ("P95", integration.latency_ms.p95, result.latency_ms.p95),
        ("P99", integration.latency_ms.p99, result.latency_ms.p99),
    ):
        if result.successes <= 0:
            limit = documented * (1 + tolerance) if documented is not None else None
            message = f"{name}: not measured: no request succeeded"
            out.append(Verdict(name, documented, None, limit, False, message))
            continue
        if documented is None:
            message = f"{name}: the doc states no value to check against"
            out.append(Verdict(name, None, measured, None, False, message))
            continue
        limit = documented * (1 + tolerance)
        ok = measured <= limit
        verb = "within" if ok else "exceeds"
        out.append(
            Verdict(
                name,
                documented,
                measured,
                limit,
                ok,
                f"{name}: measured {measured:.2f} ms {verb} documented {documented:g} ms + {tolerance:.0%} "
                f"(limit {limit:.2f} ms)",
            )
        )
    return out
