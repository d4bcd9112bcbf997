"""``wiremap measure NAME|PATH``: latency percentiles and throughput, measured right, written back."""

from __future__ import annotations

import asyncio
import enum
import functools
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .._errors import UsageError
from .._loop import run
from ..catalog import load
from ..config import Config, load_config
from ..measure._base import LoadPlan, MeasureResult
from ..model import Integration
from ..names import ambiguity, named
from ..probes._base import ProbeContext, Target, is_loopback
from ..trust.credentials import CredentialsWithheld, SecretGate
from ..trust.resolve import resolve_settings
from ..trust.settings import PROBE_GRANTS
from ..verify.targets import doc_credentials_message, resolve_target, target_ids
from ._common import (
    BindSecretOption,
    ConfigOption,
    bindings,
    duration_s,
    err,
    out,
    report_problems,
    warn_refused,
)

if TYPE_CHECKING:
    from ..measure._base import OperationFactory, Progress
    from ..measure.findmax import FindMaxResult, StepReport
    from ..measure.writeback import Edit

CAP_RATE = 200.0
CAP_DURATION_S = 10.0
DEFAULT_BUDGET_MS = 100.0


class MeasureFormat(enum.StrEnum):
    text = "text"
    json = "json"


@dataclass(frozen=True, slots=True)
class _Chosen:
    integration: Integration
    path: Path
    config: Config
    others: list[Integration]  # every integration NAME was looked up among (what --target may name)


def _choose(name: str, docs: Path | None, config_file: Path | None) -> _Chosen:
    candidate = Path(name)
    if candidate.is_file():
        catalog = load(candidate)
        config = load_config(config_file, start=candidate)
        if report_problems(catalog) and not catalog.docs:
            raise typer.Exit(1)  # unreadable input: said on stderr, exit 1 as in every command
        if not catalog.docs:
            raise UsageError(f"{name}: cannot read it as an integration doc")
        return _Chosen(catalog.docs[0].integration, candidate, config, catalog.integrations)
    config = load_config(config_file, start=docs or Path.cwd())
    folder = docs or config.docs_path
    if not folder.exists():
        raise UsageError(f"{name!r} is not a file, and the docs folder {folder} does not exist (pass --docs)")
    catalog = load(folder)
    report_problems(catalog)
    found = named(catalog, name)
    if not found:
        raise UsageError(f"no integration {name!r} in {folder}")
    if (why := ambiguity(found, name)) is not None:
        raise UsageError(why)
    integ = found[0]
    return _Chosen(integ, Path(integ.path), config, catalog.integrations)


# without --connections: this many up front, then more while requests wait for a free one (an open model
# needs rate x service time of them: Little's law), up to the second
AUTO_CONNECTIONS = 8
MAX_CONNECTIONS = 256


def measure(
    name: str = typer.Argument(..., help="An integration id / 'Source → Destination', or a doc's path."),
    rate: float | None = typer.Option(
        None, "--rate", min=0.1, help="Requests per second offered [default: 100]."
    ),
    duration: str | None = typer.Option(
        None, "--duration", metavar="DURATION", help="How long to measure: 10, 3s, 500ms, 2m [default: 10s]."
    ),
    connections: int | None = typer.Option(
        None,
        "--connections",
        min=1,
        help=f"Keep-alive connections, fixed [default: {AUTO_CONNECTIONS} up front, more while requests "
        f"wait, up to {MAX_CONNECTIONS}].",
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Processes to send the load from, each its share of the rate [default: 1 for a destination on "
        "this machine or a rate one process keeps up with, else one per core].",
    ),
    warmup: float = typer.Option(
        1.0, "--warmup", min=0.0, help="Seconds of load sent first and not recorded."
    ),
    timeout: float = typer.Option(5.0, "--timeout", min=0.01, help="Deadline of one request, in seconds."),
    target: list[str] = typer.Option([], "--target", help="NAME=URL: measure another instance."),
    find_max: bool = typer.Option(False, "--find-max", help="Step the rate up to the highest sustained one."),
    budget_ms: float | None = typer.Option(
        None, "--budget-ms", help="p99 budget of --find-max [default: the documented P99, else 100 ms]."
    ),
    write: bool = typer.Option(
        False, "--write", help="Write Typical/P95/P99 (and Throughput after --find-max)."
    ),
    check: bool = typer.Option(False, "--check", help="Exit 1 when P95 or P99 exceed the documented values."),
    tolerance: float = typer.Option(
        0.2, "--tolerance", min=0.0, help="Allowed excess for --check (0.2 = 20%)."
    ),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a target outside loopback."),
    allow_writes: bool = typer.Option(
        False, "--allow-writes", help="Allow load of POST/PUT/PATCH/DELETE requests (sent again and again)."
    ),
    bind_secret: list[str] = BindSecretOption,
    no_cap: bool = typer.Option(
        False, "--no-cap", help=f"Allow more than {CAP_RATE:g} req/s or {CAP_DURATION_S:g} s."
    ),
    output_format: MeasureFormat = typer.Option(MeasureFormat.text, "--format", help="text or json."),
    docs: Path | None = typer.Option(
        None, "--docs", help="Where to look NAME up [default: docs of [tool.wiremap]]."
    ),
    config_file: Path | None = ConfigOption,
) -> None:
    """Measure latency percentiles (open model, corrected for coordinated omission) and throughput."""
    from ..measure.ops import get_factory

    chosen = _choose(name, docs, config_file)
    integ, config = chosen.integration, chosen.config
    warn_refused(config)
    plan = LoadPlan(
        rate=rate or 100.0,
        duration_s=duration_s(duration, "--duration") if duration is not None else 10.0,
        connections=connections or AUTO_CONNECTIONS,
        max_connections=0 if connections else MAX_CONNECTIONS,
        warmup_s=warmup,
        timeout_s=timeout,
    )
    if not no_cap and (plan.rate > CAP_RATE or plan.duration_s > CAP_DURATION_S):
        raise UsageError(
            f"a run is capped at {CAP_RATE:g} req/s and {CAP_DURATION_S:g} s by default; "
            "pass --no-cap to go beyond"
        )
    env = dict(os.environ)
    overrides = target_ids(target, chosen.others)
    other = next((i for i in overrides if i != integ.id), None)
    if other is not None:
        raise UsageError(f"--target names {other}: measuring {integ.id}, not {other}")
    resolved = resolve_target(integ, overrides, env)
    if resolved is None:
        raise UsageError(f"{integ.name}: the doc names no destination host:port to measure")
    if (carried := doc_credentials_message(integ, resolved)) is not None:
        raise UsageError(f"not measured: {carried}")
    resolved_settings = resolve_settings(integ, config)
    settings = resolved_settings.values
    remote_ok = allow_remote or bool(settings.get("allow_remote"))
    if not is_loopback(resolved.host) and not remote_ok:
        asked = resolved_settings.refusal("allow_remote")
        said = f" ({asked.where} asks for allow_remote, which only the runner may set)" if asked else ""
        raise UsageError(
            f"refusing to load-test {resolved.hostport}: not a loopback address{said}. wiremap never "
            "load-tests a remote system by accident: pass --allow-remote if you mean it"
        )
    refusal = resolved_settings.refusal(*PROBE_GRANTS)
    if refusal is not None:
        raise UsageError(f"not measured: {refusal.message}")
    from ..probes.registry import probe_name

    operation = probe_name(integ.protocol)  # a protocol wiremap does not know: TCP connects, as verify
    if operation != integ.protocol:
        said = integ.protocol_raw or integ.protocol or "no protocol"
        err.print(f"{said}: no load operation of its own; measuring TCP connects, as verify probes it")
    try:
        factory = get_factory(operation)
    except KeyError as exc:
        raise UsageError(str(exc.args[0]) if exc.args else str(exc)) from exc
    gate = SecretGate(env, bindings(config, bind_secret))
    view, withheld = gate.env_for(resolved.host, resolved.port, resolved.explicit)
    writes_ok = allow_writes or bool(settings.get("allow_writes"))
    ctx = ProbeContext(
        integ,
        resolved,
        timeout,
        settings,
        view,
        writes_ok,
        withheld,
        repeated=True,
        secret_check=functools.partial(
            gate.reason_for, host=resolved.host, port=resolved.port, explicit=resolved.explicit
        ),
    )
    budget = budget_ms or integ.latency_ms.p99 or DEFAULT_BUDGET_MS
    cap = float("inf") if no_cap else CAP_RATE
    if workers is None:
        from ..measure.workers import choose_workers

        top = min(cap, CAP_RATE * 10) if find_max else plan.rate  # a search goes up: its top decides
        workers, why = choose_workers(resolved.host, top)
        if workers > 1:
            err.print(f"{workers} worker processes ({why}); --workers N to choose", markup=False)
    elif connections and workers > connections:
        err.print(
            f"--workers {workers} with --connections {connections}: {connections} worker process(es), each "
            "sending over connections of its own",
            markup=False,
        )
    try:
        result, find, interrupted = run(_measure(factory, ctx, plan, find_max, budget, cap, workers))
    except CredentialsWithheld as exc:
        raise UsageError(f"not measured: {exc.reason}") from None
    if result is None:
        raise UsageError(f"nothing measured: {find.stopped if find else 'no result'}")
    _finish(chosen, resolved, result, find, interrupted, write, check, tolerance, budget, output_format)


async def _measure(
    factory: OperationFactory,
    ctx: ProbeContext,
    plan: LoadPlan,
    find_max: bool,
    budget: float,
    cap: float,
    workers: int = 1,
) -> tuple[MeasureResult | None, FindMaxResult | None, bool]:
    from ..measure.findmax import find_max as search
    from ..measure.workers import run_load_workers

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        if find_max:

            def step(s: StepReport) -> None:
                if err.is_terminal:
                    err.print(f"step {s.rate:g}/s: {s.reason}", markup=False)

            found = await search(
                factory, ctx, plan, budget_ms=budget, max_rate=cap, on_step=step, stop=stop, workers=workers
            )
            best = found.best or (found.steps[-1].result if found.steps else None)
            return best, found, stop.is_set()
        # (one worker: run_load itself, the live progress shown; more: the workers' figures meet at the end)
        progress = _live_progress() if err.is_terminal else None
        result = await run_load_workers(factory, ctx, plan, progress, stop, workers=workers)
        return result, None, stop.is_set()
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def _live_progress() -> Progress:
    def show(elapsed: float, requests: int, p50: float, p99: float) -> None:
        err.print(
            f"\r{elapsed:5.1f} s  {requests:>8} requests  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms",
            end="",
            markup=False,
        )

    return show


def _finish(
    chosen: _Chosen,
    target: Target,
    result: MeasureResult,
    find: FindMaxResult | None,
    interrupted: bool,
    write: bool,
    check: bool,
    tolerance: float,
    budget: float,
    output_format: MeasureFormat,
) -> None:
    from ..measure.check import check_against_doc
    from ..measure.report import render_json, render_text

    if err.is_terminal:
        err.print("")
    verdicts = check_against_doc(chosen.integration, result, tolerance) if check else None
    edits: list[Edit] | None = None
    not_written: list[str] = []
    if write:
        at = target.hostport if target.explicit else None  # the runner's --target: say where
        edits, not_written = _write(chosen.path, result, find, interrupted, budget, at)
    integ = chosen.integration
    if output_format is MeasureFormat.json:
        data = render_json(integ, target, result, find, verdicts, edits, not_written if write else None)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        text = render_text(integ, target, result, out.is_terminal, find, verdicts, edits, not_written)
        sys.stdout.write(text + "\n")
    if interrupted:
        raise typer.Exit(130)
    failed = (
        bool(result.stopped_early)
        or bool(result.failed_run)
        or (find is not None and find.max_rate is None)  # no rate sustained: nothing was found
        or (verdicts is not None and any(v.ok is False for v in verdicts))  # not judged: no failure
        or (verdicts is not None and result.successes <= 0)  # nothing to hold the doc to: the gate fails
    )
    raise typer.Exit(1 if failed else 0)


def _write(
    path: Path,
    result: MeasureResult,
    find: FindMaxResult | None,
    interrupted: bool,
    budget: float,
    at: str | None = None,
) -> tuple[list[Edit], list[str]]:
    """Write what was measured, and only that: nothing from a run that was interrupted, stopped early,
    had no success or (``--find-max``) sustained no rate; the capacity only when the search found the
    destination's limit, never a lower bound (the client's ceiling, the cap). Returns the edits and
    why something was not written."""
    from ..measure.writeback import format_rate, write_back

    if interrupted:
        return [], ["not written: the run was interrupted"]
    if find is not None and find.max_rate is None:
        return [], [f"not written: no rate was sustained ({find.stopped})"]
    if result.stopped_early:
        return [], [f"not written: the run stopped early ({result.stopped_early})"]
    if result.successes <= 0:
        return [], [f"not written: {result.unmeasured}"]
    if result.measured_errors > 0.01 * result.requests:  # a P99 holds for 99% of requests, answered ones
        return [], [
            f"not written: {result.measured_errors} of {result.requests} requests failed (more than 1%): "
            "the latency of the answered ones alone is not the integration's"
        ]
    from ..measure.findmax import short_of_rate

    if find is None and not result.fell_behind and short_of_rate(result):
        # the destination finished fewer than were offered: its queue grew all run, and the percentiles are
        # that queue's depth at the end (150/s offered, 95/s achieved: P99 2,296 ms was written: round 64)
        return [], [
            f"not written: the destination did not sustain {result.rate:g}/s (achieved "
            f"{result.throughput_per_s:.1f}/s): the latency measured is that of a queue growing all run "
            "(`--find-max` finds the rate it sustains)"
        ]
    best = find.best if find is not None and find.best is not None else result
    why: list[str] = []
    if best.fell_behind:  # its figures hold wiremap's own wait: not the destination's latency
        # a lower sustained step whose client kept up holds the destination's latency (the search's top
        # step at the cap, 1.2 ms late on a busy machine, wrote nothing: new user, round 26)
        kept = max(
            (
                s
                for s in (find.steps if find is not None else ())
                if s.sustained and not s.result.fell_behind and not s.result.measured_errors
            ),
            key=lambda s: (s.result.successes >= 100, s.rate),
            default=None,
        )
        if kept is None:
            return [], [
                f"not written: {best.behind()}; the latency measured includes wiremap's own wait (a "
                "lower --rate or a quieter machine keeps up)"
            ]
        why.append(
            f"latency written from the {kept.rate:g} req/s step, whose client kept up: at "
            f"{best.rate:g} req/s {best.behind()}"
        )
        result = kept.result
    capacity: float | None = None
    if find is not None and find.max_rate is not None:
        bound = f"≥ {format_rate(find.max_rate)}"
        if find.client_bound and find.limit is not None:
            why.append(
                f"capacity not written: {bound} is client-bound, the ceiling of this client, not the "
                f"destination's capacity (at {find.limit.rate:g}/s: {find.limit.reason})"
            )
        elif find.lower_bound:
            hint = "; --no-cap lifts it" if "cap" in find.stopped else ""
            why.append(f"capacity not written: {bound} is only a lower bound ({find.stopped}{hint})")
        else:
            capacity = find.max_rate
    edits, more = write_back(path, result, max_rate=capacity, budget_ms=budget if capacity else None, at=at)
    if not edits and not why and not more:  # a second run said nothing at all (round 36)
        more = ["nothing written: the doc already says these figures"]
    return edits, why + more
