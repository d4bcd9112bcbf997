"""Run the Source's own test against a stub failing one documented way, and judge what its client did.

For each integration and each fault (:mod:`.plan`, or ``--only``), one at a time:

1. start the stub of the doc's protocol on 127.0.0.1 with that fault (or, for what wiremap does not stub —
   PostgreSQL, AMQP — the fault proxy in front of the doc's destination, which must be this machine);
2. for ``refused``, count the attempts at the wire (:mod:`.syns`: a refused connection leaves no other
   trace; without root they are said to be unobserved, never turned into resets to count them);
3. point the Source at it: the doc's env vars that hold the destination's address (:mod:`.env`), rewritten
   to the stub's; the command runs with the runner's environment as the runner gave it plus those
   variables (an inline ``VAR=…`` of the command for one of them is rewritten too);
4. run the command (``--run CMD``, else the doc's Integration Test with the runner's consent), in the
   project root, through the shell, for a bounded time (the doc's worst case, or ``--timeout``), output
   captured (its tail kept, masked where it is shown);
5. compare the start of every attempt the stub saw (:meth:`Recorder.starts`, the SYN times for refusals)
   and the command's exit with the doc's promise (:func:`.compare.expected`, :func:`.compare.judge`).

The stub listens on loopback only and keeps what it records in memory; reports show it masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import shlex
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import UsageError
from ..model import Integration
from ..secrets import mask_text
from ..stub import LOOPBACK, FaultKind, FaultPlan, Recorder, RunningStub, StubContext, StubSpec
from ..stub.faults import check_supported, parse_fault
from ..stub.spec import TLS_SCHEMES
from ..trust.credentials import SecretGate
from ..values import is_placeholder_text
from .compare import Expected, Observed, Verdict, expected, judge
from .env import Rewrite, point_at
from .plan import Planned, planned_faults, untested_modes

__all__ = [
    "FaultResult",
    "IntegrationFaults",
    "RunOptions",
    "run_integration",
    "time_bound",
]

TAIL_LINES = 20
DEFAULT_BOUND_S = 60.0  # a doc that states no timeout: how long a run may take
MAX_BOUND_S = 300.0
_SETTLE_S = 0.05  # after the command ended: what it sent last reaches the stub
_TLS_VARS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What the runner decided: the command (``--run``), the consent to run the doc's, the time bound,
    where to run, the environment and where its secrets may go."""

    command: str | None = None
    run_commands: bool = False
    timeout_s: float | None = None
    root: Path = field(default_factory=Path.cwd)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    bindings: Mapping[str, list[str]] = field(default_factory=dict)
    only: Sequence[str] = ()  # fault specs: these instead of the doc's


@dataclass(frozen=True, slots=True)
class FaultResult:
    fault: str
    verdict: Verdict
    message: str
    mode: str | None = None  # the failure mode it stands for
    documented_attempts: int | None = None
    documented_backoff_ms: list[float] | None = None
    documented_timeout_ms: float | None = None
    observed_attempts: int | None = None
    observed_intervals_ms: list[float] | None = None
    gave_up_after_ms: float | None = None
    exit_code: int | None = None
    rewritten: Mapping[str, str] = field(default_factory=dict)
    output: str = ""  # the command's last lines, masked

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "mode": self.mode,
            "verdict": self.verdict,
            "documented": {
                "attempts": self.documented_attempts,
                "backoff_ms": _rounded(self.documented_backoff_ms),
                "timeout_ms": self.documented_timeout_ms,
            },
            "observed": {
                "attempts": self.observed_attempts,
                "intervals_ms": _rounded(self.observed_intervals_ms),
                "gave_up_after_ms": _round1(self.gave_up_after_ms),
                "exit_code": self.exit_code,
            },
            "message": self.message,
            "rewritten": dict(self.rewritten),
            "output": self.output,
        }


def _rounded(values: Sequence[float] | None) -> list[float] | None:
    return None if values is None else [round(v, 1) for v in values]


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True, slots=True)
class IntegrationFaults:
    integration: Integration
    results: list[FaultResult]

    @property
    def ok(self) -> bool:
        return all(r.verdict != "mismatch" for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "integration": self.integration.id,
            "path": self.integration.path,
            "ok": self.ok,
            "faults": [r.to_json() for r in self.results],
        }


# ---------------------------------------------------------------------------------------------
# What to run, and against what


@dataclass(frozen=True, slots=True)
class _Setup:
    server: str  # a protocol with a stub, or "proxy"
    spec: StubSpec | None  # the stub's spec (None for the proxy)
    target: tuple[str, int] | None  # the proxy's destination
    command: str


def _server(integ: Integration) -> tuple[str, StubSpec | None, tuple[str, int] | None] | str:
    """The stub (or the proxy) that stands in for the destination, or why there is none."""
    from ..stub.proxy import is_this_machine
    from ..stub.registry import SERVERS

    if not integ.protocol:
        return "no Protocol documented: nothing to stub"
    if integ.protocol in SERVERS:
        try:
            spec = StubSpec.from_integration(integ)
        except UsageError as exc:
            return f"the doc documents nothing a stub can serve: {exc}"
        return integ.protocol, _client_tls(integ, spec), None
    host, port = integ.destination_host, integ.destination_port
    if not host or not port or is_placeholder_text(host):
        return (
            f"no {integ.protocol} stub, and no destination host:port for the fault proxy to forward to "
            "(Destination: name (host:port))"
        )
    if not is_this_machine(host):
        return (
            f"no {integ.protocol} stub, and the fault proxy forwards to this machine only "
            f"(the doc's destination is {host}:{port})"
        )
    return "proxy", None, (host, port)


def _client_tls(integ: Integration, spec: StubSpec) -> StubSpec:
    """The stub speaks TLS as the client will be told to: the scheme of the address URLs that point it
    at the destination (``http://`` under ``Protocol: HTTPS`` is a plaintext client, which a TLS stub
    would see fail its handshake and count as no attempt); the doc's Protocol when they name none."""

    schemes = {
        v.partition("://")[0].lower() for v in point_at(integ, "127.0.0.1", 1).was.values() if "://" in v
    }
    if not schemes or len({s in TLS_SCHEMES for s in schemes}) != 1:
        return spec
    return dataclasses.replace(spec, tls=next(iter(schemes)) in TLS_SCHEMES)


def _command(integ: Integration, options: RunOptions, run_commands: bool) -> str:
    """The command to run, or raise :class:`_Skip` with why there is none."""
    if options.command is not None:
        return options.command
    doc = (integ.integration_test or "").strip()
    if not doc:
        raise _Skip("no command: the doc has no Integration Test (Live) command; give --run CMD")
    if is_placeholder_text(doc):
        raise _Skip(f"no command: the Integration Test is a template placeholder {doc}; give --run CMD")
    if not run_commands:
        raise _Skip("needs --run-commands (or --run CMD) to run the doc's Integration Test")
    return doc


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_GRPC_HEALTH = "grpc.health.v1.Health/"


def _unservable(integ: Integration, server: str) -> str | None:
    """Why the stub cannot stand in for the doc's destination although it speaks its protocol: the gRPC
    stub serves the health service only, so a Source whose doc calls another method would get
    UNIMPLEMENTED under every fault (no attempt, whatever its client does)."""
    method = (integ.endpoint or "").strip().lstrip("/")
    if server != "grpc" or not method or method.startswith(_GRPC_HEALTH):
        return None
    return f"the stub serves gRPC health only: {method} cannot be stubbed yet"


def _setup(integ: Integration, options: RunOptions, run_commands: bool) -> _Setup:
    found = _server(integ)
    if isinstance(found, str):
        raise _Skip(found)
    if (why := _unservable(integ, found[0])) is not None:
        raise _Skip(why)
    server, spec, target = found
    command = _command(integ, options, run_commands)
    if not (rewrite := point_at(integ, LOOPBACK, 1)).env:
        host, port = integ.destination_host or "host", integ.destination_port or "port"
        scheme = (integ.protocol or "http").lower()
        listed = [v.name for v in integ.env_vars if not v.value]
        why = (
            f" ({', '.join(listed[:3])} {'is' if len(listed) == 1 else 'are'} listed with no value: write "
            "`NAME=value`, a purpose after `#`)"
            if listed
            else ""
        )
        if rewrite.refused:
            name, reason = next(iter(rewrite.refused.items()))
            why += f" ({name} holds it, but is {reason})"
        raise _Skip(
            "no env var of the doc holds the destination's address (Configuration → Environment "
            f"Variables: `export NAME={scheme}://{host}:{port}`){why}: the Source cannot be pointed at a stub"
        )
    return _Setup(server, spec, target, command)


def time_bound(integ: Integration, promise: Expected) -> float:
    """Seconds a run may take: the doc's worst case (every attempt to its timeout, every pause) × 1.5
    plus 10 s for the command to start, at most :data:`MAX_BOUND_S`; :data:`DEFAULT_BOUND_S` when the
    doc states no timeout."""
    policy = integ.error_handling.retry
    worst = policy.worst_case_ms() if policy is not None else None
    if worst is None and promise.attempts is not None and promise.timeout_ms is not None:
        worst = promise.attempts * promise.timeout_ms + sum(promise.sleeps_ms or [])
    if promise.deadline_ms is not None:
        worst = promise.deadline_ms if worst is None else min(worst, promise.deadline_ms)
    if worst is None:
        return DEFAULT_BOUND_S
    return min(MAX_BOUND_S, worst / 1000 * 1.5 + 10.0)


# ---------------------------------------------------------------------------------------------
# The environment


def _rewrite(integ: Integration, stub: RunningStub, options: RunOptions, gate: SecretGate) -> Rewrite:
    """The doc's address variables pointed at ``stub``. Where the runner set one of them to the same
    destination, the runner's value is rewritten instead (its database, user …) — when its secrets may go
    to the destination (:class:`SecretGate`: a URL with credentials names that host:port, or is bound
    to it); else the doc's value, which is no secret."""
    from_doc = point_at(integ, stub.host, stub.port)
    host, port = integ.destination_host, integ.destination_port
    runner = {k: options.env[k] for k in from_doc.env if k in options.env}
    if not runner or not host:
        return from_doc
    view, _ = gate.env_for(host, port, False)
    allowed = {k: v for k, v in runner.items() if k in view}
    if not allowed:
        return from_doc
    vars_ = [v.model_copy(update={"value": allowed.get(v.name, v.value)}) for v in integ.env_vars]
    theirs = point_at(integ.model_copy(update={"env_vars": vars_}), stub.host, stub.port)
    env = dict(from_doc.env)
    was = dict(from_doc.was)
    for name in allowed:
        if name in theirs.env:
            env[name], was[name] = theirs.env[name], theirs.was[name]
    return Rewrite(env, was, from_doc.refused)


def _inline(command: str, env: Mapping[str, str]) -> tuple[str, list[str]]:
    """``PAYMENTS_API_URL=http://127.0.0.1:8081 python -m …``: an assignment in the command to a
    rewritten variable would win over the environment; it is rewritten too."""
    changed: list[str] = []
    for name, value in env.items():
        pattern = re.compile(rf"(?<![\w$]){re.escape(name)}=(?:'[^']*'|\"[^\"]*\"|[^\s;&|]*)")
        if pattern.search(command):
            command = pattern.sub(f"{name}={shlex.quote(value)}".replace("\\", "\\\\"), command)
            changed.append(name)
    return command, changed


# ---------------------------------------------------------------------------------------------
# One run


@dataclass(slots=True)
class _Refusals:
    """SYNs to the stub's closed port: each a refused attempt, told to the stub (``first:N:refused``
    opens again once N are counted)."""

    times: list[float] = field(default_factory=list)
    why: str | None = None
    task: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        if self.task is not None:
            await asyncio.sleep(_SETTLE_S)
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


def _count_refusals(stub: RunningStub) -> _Refusals:
    from .syns import open_syn_counter, tell_refusals

    counter = open_syn_counter(stub.port)
    if isinstance(counter, str):
        return _Refusals(why=counter)
    found = _Refusals()
    found.task = tell_refusals(counter, stub, found.times.extend)
    return found


async def _start(setup: _Setup, ctx: StubContext) -> RunningStub:
    if setup.target is not None:
        from ..stub.proxy import start_proxy

        return await start_proxy(setup.target, ctx)
    from ..stub.registry import get_server

    assert setup.spec is not None
    return await get_server(setup.server)(setup.spec, ctx)


@dataclass(frozen=True, slots=True)
class _Ran:
    exit_code: int | None  # None: stopped at the time bound
    ended: float  # time.monotonic()
    output: str


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def _run_command(command: str, env: Mapping[str, str], cwd: Path, bound_s: float) -> _Ran:
    proc = await asyncio.create_subprocess_shell(
        command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(env),
        cwd=str(cwd),
        start_new_session=True,
    )
    code: int | None
    try:
        async with asyncio.timeout(bound_s):
            out, _ = await proc.communicate()
        code = proc.returncode
    except TimeoutError:
        _kill(proc.pid)
        out = b""
        with contextlib.suppress(Exception):
            assert proc.stdout is not None
            out = await asyncio.wait_for(proc.stdout.read(), 1.0)
        await proc.wait()
        code = None
    except BaseException:  # Ctrl-C: the command runs in its own session, the terminal's signal missed it
        _kill(proc.pid)
        raise
    ended = time.monotonic()
    lines = out.decode("utf-8", "replace").rstrip().splitlines()
    return _Ran(code, ended, mask_text("\n".join(lines[-TAIL_LINES:])))


def _no_attempt(setup: _Setup, rewrite: Rewrite, ran: _Ran) -> str:
    """Why a command may have made no attempt at the stub: it is the test that failed, not the client."""
    ended = "was stopped" if ran.exit_code is None else f"exited {ran.exit_code}"
    why = (
        f"; the command made no attempt at the stub and {ended}: it failed before reaching it (see its "
        f"output), or its client takes the address from elsewhere than {', '.join(rewrite.env)}"
    )
    if setup.server == "grpc":
        why += " (the gRPC stub serves the health service only: calls to other methods are no attempts)"
    return why


def _skipped(planned: Planned, why: str) -> FaultResult:
    return FaultResult(planned.fault, "skipped", why, planned.mode)


async def _one(
    integ: Integration, planned: Planned, setup: _Setup, options: RunOptions, gate: SecretGate
) -> FaultResult:
    try:
        plan: FaultPlan = parse_fault(planned.fault)
        check_supported(plan, setup.server)
    except UsageError as exc:
        return _skipped(planned, str(exc).removeprefix("--fault "))
    ctx = StubContext(Recorder(), plan)
    stub = await _start(setup, ctx)
    refusals: _Refusals | None = None
    try:
        if plan.kind is FaultKind.REFUSED:
            refusals = _count_refusals(stub)
        rewrite = _rewrite(integ, stub, options, gate)
        rewritten = dict(rewrite.env)
        if stub.cafile:
            rewritten.update(dict.fromkeys(_TLS_VARS, stub.cafile))
        command, inline = _inline(setup.command, rewrite.env)
        env = {**options.env, **rewritten}
        promise = expected(integ, plan, mode=planned.mode)
        bound = options.timeout_s if options.timeout_s is not None else time_bound(integ, promise)
        ran = await _run_command(command, env, options.root, bound)
        await asyncio.sleep(_SETTLE_S)
    finally:
        if refusals is not None:
            await refusals.stop()
        await stub.close()
    starts: list[float] | None = ctx.recorder.starts()
    why = ""
    if refusals is not None:
        if refusals.why is not None:
            # the stub never learns of a refusal: the listener stays closed, every attempt is refused
            starts, why = None, refusals.why
        else:
            assert starts is not None
            starts = sorted([*refusals.times, *starts])
    gave_up = None
    if starts and ran.exit_code is not None:
        gave_up = (ran.ended - starts[0]) * 1000.0
    if (
        plan.kind is FaultKind.REFUSED
        and integ.protocol == "grpc"
        and starts is not None
        and len(starts) == 1
    ):
        # a gRPC channel retries a call on the connection attempt that failed (its own reconnect backoff):
        # one connection is no evidence of one call (a right retry policy was a mismatch: round 53)
        why = "a gRPC channel retries its calls over one failed connection: the wire shows no retry count"
        starts = None
    seen = Observed(starts, ran.exit_code, gave_up, why)
    verdict = judge(promise, seen)
    message = verdict.message
    if ran.exit_code is None:
        message += f" (stopped after {bound:g} s)"
    if seen.attempts == 0:
        message += _no_attempt(setup, rewrite, ran)
    if inline:
        message += f" (the command's own {', '.join(inline)} rewritten too)"
    if rewrite.refused:  # the doc's, holding the address, left as the runner has them (round 68)
        message += " (not set: " + ", ".join(f"{k}: {why}" for k, why in rewrite.refused.items()) + ")"
    return FaultResult(
        fault=planned.fault,
        verdict=verdict.verdict,
        message=message,
        mode=planned.mode,
        documented_attempts=promise.attempts,
        documented_backoff_ms=promise.sleeps_ms,
        documented_timeout_ms=promise.timeout_ms,
        observed_attempts=seen.attempts,
        observed_intervals_ms=seen.intervals_ms() if starts is not None else None,
        gave_up_after_ms=gave_up,
        exit_code=ran.exit_code,
        rewritten=rewritten,
        output=ran.output,
    )


async def run_integration(
    integ: Integration, options: RunOptions, *, run_commands: bool | None = None
) -> IntegrationFaults:
    """Every fault of ``integ`` (the documented ones, or ``options.only``), one after the other."""
    allowed = options.run_commands if run_commands is None else run_commands
    try:
        setup: _Setup | None = _setup(integ, options, allowed)
        reason = ""
    except _Skip as exc:
        setup, reason = None, exc.reason
    server = setup.server if setup is not None else (integ.protocol or "")
    if options.only:
        planned = [Planned(spec, None) for spec in options.only]
    else:
        if setup is None and not _server_known(integ):
            server = "proxy"
        planned = planned_faults(integ, server)
    # the documented failure modes no fault is: said skipped, with why, never silently left out
    untested = (
        []
        if options.only
        else [FaultResult("(none)", "skipped", why, mode) for mode, why in untested_modes(integ, server)]
    )
    if not planned:
        what = "no failure mode wiremap can inject is documented (Error Handling → Failure Modes)"
        return IntegrationFaults(integ, [FaultResult("(none)", "skipped", what), *untested])
    if setup is None:
        return IntegrationFaults(integ, [_skipped(p, reason) for p in planned] + untested)
    gate = SecretGate(options.env, options.bindings)
    return IntegrationFaults(integ, [await _one(integ, p, setup, options, gate) for p in planned] + untested)


def _server_known(integ: Integration) -> bool:
    from ..stub.registry import SERVERS

    return integ.protocol in SERVERS


def check_only(specs: Sequence[str]) -> None:
    """A :class:`UsageError` for a ``--only`` fault the grammar does not take."""
    for spec in specs:
        parse_fault(spec)
