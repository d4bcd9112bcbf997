"""``wiremap stub NAME|PATH``: serve a destination as its doc describes it, on 127.0.0.1, record every
request, and fail the way the doc says it might (``--fault``); ``--proxy-to`` puts the same faults in
front of a real destination instead."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path
from typing import TextIO

import typer

from .._errors import UsageError
from .._loop import run
from ..secrets import mask_json
from ..stub import (
    NO_FAULT,
    Recorded,
    Recorder,
    RunningStub,
    Schedule,
    StubContext,
    StubSpec,
    check_supported,
    parse_fault,
)
from ..stub.faults import FaultKind, FaultPlan
from ._common import ConfigOption, err, out


def _refuses_some(plan: FaultPlan) -> bool:
    """``first:N:refused``, ``every:N:refused``, ``p:P:refused``: refusals the stub must count to open
    again (``refused`` alone never opens)."""
    return plan.kind is FaultKind.REFUSED and plan.schedule is not Schedule.ALWAYS


def _count_refusals(ctx: StubContext, stub: RunningStub) -> asyncio.Task[None] | None:
    """Count refused attempts at the wire (:mod:`wiremap.faults.syns`): each SYN that arrives while the
    listener is closed is one, told to the stub so that it listens again when the plan says so."""
    from ..faults.syns import open_syn_counter, tell_refusals

    counter = open_syn_counter(stub.port)
    if isinstance(counter, str):
        err.print(f"warning: {counter}; the listener stays closed after the first refusal", markup=False)
        return None
    return tell_refusals(counter, stub)


def _print_record(item: Recorded) -> None:
    out.print(item.summary(), markup=False)  # through the door: masked


async def _serve(
    spec: StubSpec,
    ctx: StubContext,
    proxy_to: tuple[str, int] | None,
    allow_remote: bool,
    duration: float | None,
) -> int:
    if proxy_to is not None:
        from ..stub.proxy import start_proxy

        stub = await start_proxy(proxy_to, ctx, allow_remote=allow_remote)
        what = f"proxy to {proxy_to[0]}:{proxy_to[1]} for {spec.integration_id}"
    else:
        from ..stub.registry import get_server

        stub = await get_server(spec.protocol)(spec, ctx)
        what = f"{spec.protocol} stub of {spec.integration_id}"
    stop = asyncio.Event()
    received: list[int] = []
    loop = asyncio.get_running_loop()

    def on_signal(sig: int) -> None:
        received.append(sig)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal, sig)
    # counting before the address is printed: a client told the address may connect at once
    counting = _count_refusals(ctx, stub) if _refuses_some(ctx.plan) else None
    try:
        out.print(f"{what} listening on {stub.url}", markup=False)
        if stub.cafile:
            out.print(f"  TLS: self-signed certificate, trust {stub.cafile}", markup=False)
        if ctx.plan is not NO_FAULT:
            out.print(f"  fault: {ctx.plan}", markup=False)
        for note in spec.not_served if proxy_to is None else ():
            out.print(f"  not served: {note}", markup=False)
        if ctx.plan.kind is FaultKind.REFUSED:
            out.print("  refused attempts reach no listener: they are not recorded", markup=False)
        out.print("  Ctrl-C stops", markup=False)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=duration)
    finally:
        if counting is not None:
            counting.cancel()
            await asyncio.gather(counting, return_exceptions=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
        await stub.close()
    n = len(ctx.recorder)
    err.print(f"stopped after {n} request{'s' if n != 1 else ''}", markup=False)
    return 130 if signal.SIGINT in received else 0


def stub(
    name: str = typer.Argument(..., help="An integration id / 'Source → Destination', or a doc's path."),
    port: int = typer.Option(
        0, "--port", min=0, max=65535, help="Port on 127.0.0.1 [default: any free one]."
    ),
    fault: str | None = typer.Option(
        None, "--fault", help="Fail this way: timeout, reset, status:503, first:2:status:503, p:0.3:reset …"
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of a p:P:FAULT plan (same seed, same failures)."),
    proxy_to: str | None = typer.Option(
        None, "--proxy-to", help="HOST:PORT: forward to the real destination, with the faults."
    ),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a --proxy-to destination that is not this machine."
    ),
    record: Path | None = typer.Option(None, "--record", help="Write every request as JSON lines to FILE."),
    duration: float | None = typer.Option(
        None, "--duration", min=0.0, help="Stop after this many seconds [default: at Ctrl-C]."
    ),
    docs: Path | None = typer.Option(
        None, "--docs", help="Where to look NAME up [default: docs of [tool.wiremap]]."
    ),
    config_file: Path | None = ConfigOption,
) -> None:
    """Serve a destination as its doc describes it (127.0.0.1 only), record requests, inject faults."""
    from .measure import _choose

    plan: FaultPlan = parse_fault(fault, seed=seed) if fault is not None else NO_FAULT
    target = None
    if proxy_to is not None:
        from ..stub.proxy import parse_hostport

        target = parse_hostport(proxy_to)
    integ = _choose(name, docs, config_file).integration
    spec = StubSpec.from_integration(integ)
    check_supported(plan, "proxy" if target is not None else spec.protocol)
    if target is None:
        from ..stub.registry import get_server

        get_server(spec.protocol)  # no stub of this protocol: said before anything listens
    sink: TextIO | None = None
    if record is not None:
        try:
            sink = record.open("w", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--record {record}: {exc.strerror or exc}") from exc

    def on_record(item: Recorded) -> None:
        _print_record(item)
        if sink is not None:
            sink.write(json.dumps(mask_json(item.to_json()), ensure_ascii=False) + "\n")
            sink.flush()

    try:
        ctx = StubContext(Recorder(on_record=on_record), plan, port=port)
        code = run(_serve(spec, ctx, target, allow_remote, duration))
    finally:
        if sink is not None:
            sink.close()
    if code:
        raise typer.Exit(code)
