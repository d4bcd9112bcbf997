"""``--find-max``: step the offered rate up until it is no longer sustained.

A rate is *sustained* when the run sends at least 99% of the requests the rate asks for in the measured
period and all of them succeed (completions lag the last sends by one latency, so the achieved rate over a
short window reads a little under the offered one: it is counted over the measured period shifted by the
median latency, and has to be within 1%: a server that completes 97% of what it is offered builds a queue
that a 2 s step ends before it shows in the p99, and its capacity was written: round 55), and latency p99
(corrected for coordinated omission, so counting every late send) is within the budget (default: the
documented P99, else 100 ms). The answer is the highest sustained rate seen.

Which side stopped the search matters. Send lateness counts the wait for a free connection as well as a
busy client CPU: when a step failed with requests sent late (lateness p99 over 1 ms, or 2% of the
service-time p99 when longer) while the destination still answered within the budget (service time
p99), or its p99 was over the budget by no more than twice the send lateness (the client's delays on
both sides of the request), the rate was not sustained because of the *client* (its CPU or its
connections) — unless the requests waited for connections the destination held ever longer (its service
time well above that of the lowest sustained step: a server with one worker, saturated, whose queue was
held in wiremap's pool instead of its own), and the answer
is a lower bound of the destination's capacity, the ceiling of this machine (``client_bound``). Only a
search bounded above by a failure of the destination (errors, the achieved rate, p99 over the budget)
found the destination's capacity; one ended by the cap is a lower bound too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from ..probes._base import ProbeContext
from ._base import LoadPlan, MeasureResult, OperationFactory
from .engine import run_load

__all__ = ["FindMaxResult", "Judgement", "StepReport", "find_max", "sustained"]

ACHIEVED_SHARE = 0.99


@dataclass(frozen=True, slots=True)
class StepReport:
    rate: float
    result: MeasureResult
    sustained: bool
    reason: str
    client_bound: bool = False  # not sustained because the client fell behind, not the destination


@dataclass(frozen=True, slots=True)
class FindMaxResult:
    max_rate: float | None  # highest sustained rate; None when even the first step failed
    best: MeasureResult | None  # the run at that rate
    steps: tuple[StepReport, ...]
    stopped: str  # why the search ended
    # The failed step that bounded the search (the lowest failed rate above max_rate, else the first
    # step) failed because the client fell behind: max_rate is this machine's ceiling, not the
    # destination's capacity.
    client_bound: bool = False
    limit: StepReport | None = None  # that step; None when no step above max_rate failed (the cap)

    @property
    def lower_bound(self) -> bool:
        """``max_rate`` is only a lower bound of the destination's capacity: the client stopped the
        search, or nothing above it failed (the cap, the step limit, Ctrl-C)."""
        return self.max_rate is not None and (self.limit is None or self.client_bound)


class Judgement(NamedTuple):
    ok: bool
    reason: str
    client: bool  # not sustained because of the client (late sends), the destination answering in time


def sustained(result: MeasureResult, budget_ms: float) -> Judgement:
    """Did the destination sustain ``result.rate``, and if not, whose limit was it?

    Lateness alone never fails a step: the corrected latency already counts it, so a step whose
    achieved rate and corrected p99 are within bounds was sustained however late a few sends were (a
    busy machine made 1.8 ms of lateness at 100 req/s against a 6 ms endpoint fail the first step).
    Lateness decides *whose* limit a failed step is: sent late while the destination answered within
    the budget (service time p99) is the client's."""
    if result.stopped_early:
        return Judgement(False, result.stopped_early, False)
    if result.measured_errors:
        counts = {k: e.count - e.warmup for k, e in result.errors.items() if e.count > e.warmup}
        return Judgement(False, f"errors: {counts}", False)
    expected = result.rate * result.duration_s
    reason: str | None = None
    if result.requests < ACHIEVED_SHARE * expected - 1:
        reason = f"sent {result.requests} of {expected:.0f} requests in {result.duration_s:.1f} s"
    elif short_of_rate(result):
        reason = f"achieved {result.throughput_per_s:.0f}/s of {result.rate:g}/s"
    elif result.latency_ms.p99 > budget_ms:
        reason = f"p99 {result.latency_ms.p99:.1f} ms over the {budget_ms:g} ms budget"
    if reason is None:
        return Judgement(True, "sustained", False)
    if result.saturating:  # requests waited for connections the destination held ever longer: its limit
        return Judgement(False, f"{reason}: {result.saturation()}", False)
    # the destination's own service time (sent to answered) over the budget is its failure whoever else
    # was late, beyond the client's own delay in reading answers when its CPU was busy (as --check holds
    # it: a server at 8.4 ms a request, service p99 15.5 ms of a 15 ms budget, was said "client fell
    # behind": round 32); queued requests leave the service time clean
    queued = result.queued_for_connections
    slack = 0.0 if queued else result.lateness_ms.p99
    if result.uncorrected_ms.p99 > budget_ms + slack:
        return Judgement(False, reason, False)
    late = f"send lateness p99 {result.lateness_ms.p99:.2f} ms"
    if result.fell_behind:  # sent late, answered in time
        return Judgement(False, f"client fell behind ({late}; {reason})", True)
    # over the budget by no more than the client's own delays (sent late, and read as late by the same
    # busy loop): the excess may be all the client's, so it is not said to be the destination's; only
    # when those delays are of the order of the service time itself (a server serialising 5 ms PINGs,
    # p99 10.03 ms of a 10 ms budget beside 0.97 ms of lateness, was "client-bound" at 60/s: round 58)
    over = result.latency_ms.p99 - budget_ms
    comparable = result.lateness_ms.p99 >= 0.5 * result.uncorrected_ms.p50
    if result.latency_ms.p99 > budget_ms and 0 < over <= 2 * result.lateness_ms.p99 and comparable:
        why = f"{reason}: by no more than the client's own delays ({late}), the service time within it"
        return Judgement(False, why, True)
    return Judgement(False, reason, False)


def _unloaded(steps: list[StepReport]) -> float | None:
    """The lowest service time p50 of the sustained steps (its figure at the lightest load; a step whose
    client was late read its answers late, which only raises it: never a rise that was not there)."""
    p50s = [s.result.uncorrected_ms.p50 for s in steps if s.sustained]
    return min(p50s) if p50s else None


def short_of_rate(result: MeasureResult) -> bool:
    """The destination completed fewer than 99% of the requests offered, less one request's worth over
    the period (over a 1 s step at 15/s one completion is 7%, more than the 1% allowed); the achieved rate
    is every worker's completions together."""
    slack = 1.0 / max(result.duration_s, 0.1)
    return result.throughput_per_s < ACHIEVED_SHARE * result.rate - slack


async def find_max(
    factory: OperationFactory,
    ctx: ProbeContext,
    plan: LoadPlan,
    *,
    budget_ms: float,
    max_rate: float,
    factor: float = 1.5,
    max_steps: int = 16,
    on_step: Callable[[StepReport], None] | None = None,
    stop: asyncio.Event | None = None,
    workers: int = 1,
) -> FindMaxResult:
    """Start at ``plan.rate``, multiply by ``factor`` while sustained, then bisect once between the last
    good and the first bad rate. Never offers more than ``max_rate`` (the safety cap)."""
    steps: list[StepReport] = []
    best: StepReport | None = None
    rate = min(plan.rate, max_rate)
    bad: float | None = None
    limit: StepReport | None = None  # the step at ``bad``
    stopped = f"reached {max_steps} steps"
    for _ in range(max_steps):
        if workers > 1:
            from .workers import run_load_workers

            result = await run_load_workers(
                factory, ctx, replace(plan, rate=rate), stop=stop, workers=workers
            )
        else:
            result = await run_load(factory, ctx, replace(plan, rate=rate), stop=stop)
        if best is not None and (base := _unloaded(steps)) is not None:
            # the lowest sustained step's service time is the destination's unloaded one
            first = result.baseline_service_ms
            result = replace(result, baseline_service_ms=base if first is None else min(first, base))
        ok, reason, client = sustained(result, budget_ms)
        step = StepReport(rate, result, ok, reason, client)
        steps.append(step)
        if on_step is not None:
            on_step(step)
        if stop is not None and stop.is_set():
            stopped = "interrupted"
            break
        if ok:
            best = step
            if rate >= max_rate:
                stopped = f"reached the cap of {max_rate:g} req/s while still sustained"
                break
            nxt = rate * factor if bad is None else (rate + bad) / 2
        else:
            bad, limit = rate, step
            if best is None:
                stopped = f"not sustained even at {rate:g} req/s: {reason}"
                break
            nxt = (best.rate + rate) / 2
        if bad is not None and best is not None and bad - best.rate <= max(1.0, 0.05 * best.rate):
            stopped = f"converged between {best.rate:g} and {bad:g} req/s"
            break
        rate = min(round(nxt, 1), max_rate)
    return FindMaxResult(
        best.rate if best else None,
        best.result if best else None,
        tuple(steps),
        stopped,
        client_bound=limit is not None and limit.client_bound,
        limit=limit,
    )
