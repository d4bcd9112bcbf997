"""Run every integration's checks concurrently, each bounded by its own deadline.

A hung destination costs one deadline of one slot; it never delays the others beyond that.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..model import Integration
from ..probes._base import ErrorKind, ProbeContext, ProbeResult, Target, failure, skipped
from ..probes.registry import get_probe, preload, probe_name
from ..protocols import name_where
from ..trust.credentials import CredentialsWithheld, SecretGate
from ..trust.resolve import ResolvedSettings, resolve_settings
from ..trust.settings import PROBE_GRANTS
from ..values import is_placeholder_text, says_no_command
from .commands import run_command
from .targets import DocTargetError, doc_credentials_message, resolve_target

__all__ = ["IntegrationReport", "Prepared", "VerifyOptions", "prepare", "run", "verify", "verify_all"]


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """The runner's choices (flags, ``WIREMAP_*``, the ``--config`` file): only these allow writes,
    commands and secrets; what a doc asks for beyond them is reported as skipped (docs/security.md)."""

    timeout_s: float = 5.0
    concurrency: int = 32
    targets: Mapping[str, str] = field(default_factory=dict)
    allow_writes: bool = False
    run_commands: bool = False
    command_timeout_s: float = 30.0
    bindings: Mapping[str, list[str]] = field(default_factory=dict)  # secret -> the host:ports it may go to
    repeated: bool = False  # serve: the same checks again every interval (writes need allow_writes)


@dataclass(frozen=True, slots=True)
class IntegrationReport:
    integration: Integration
    target: Target | None
    checks: tuple[ProbeResult, ...]

    @property
    def ok(self) -> bool:
        """No check failed (skipped checks do not fail an integration)."""
        return all(c.ok is not False for c in self.checks)

    @property
    def checked(self) -> bool:
        """Something was checked: at least one check ran (an integration whose checks were all skipped
        is neither ok nor failed)."""
        return any(not c.skipped for c in self.checks)

    @property
    def duration_ms(self) -> float:
        return sum(c.duration_ms for c in self.checks)

    @property
    def first_failure(self) -> ProbeResult | None:
        return next((c for c in self.checks if c.ok is False), None)


GRACE_S = 0.5


_WHERE_KINDS = frozenset({ErrorKind.REFUSED, ErrorKind.DNS, ErrorKind.TIMEOUT, ErrorKind.TLS})


def _with_where(result: ProbeResult, target: Target) -> ProbeResult:
    """A refusal, a name that does not resolve, a timeout or a TLS failure says which host:port, whatever
    the probe's driver said, in the words of :func:`wiremap.protocols.name_where` (the error tree's)."""
    if result.error_kind not in _WHERE_KINDS:
        return result
    message = name_where(result.message, target.host, target.port)
    return result if message == result.message else dataclasses.replace(result, message=message)


async def _probe(ctx: ProbeContext) -> list[ProbeResult]:
    return [_with_where(r, ctx.target) for r in await _probe_once(ctx)]


async def _probe_once(ctx: ProbeContext) -> list[ProbeResult]:
    name = probe_name(ctx.integration.protocol)
    try:
        fn = get_probe(ctx.integration.protocol)
    except ImportError as exc:  # a probe module whose driver import failed at module level
        return [skipped(name, f"probe unavailable: {exc}")]
    started = time.perf_counter()
    try:
        # probes honour ctx.timeout_s themselves and say what they waited for; this is the backstop
        async with asyncio.timeout(ctx.timeout_s + GRACE_S):
            return await fn(ctx)
    except CredentialsWithheld as exc:  # a secret that does not belong to this target: not sent
        return [skipped(name, exc.reason)]
    except TimeoutError:
        res = failure(name, None, ErrorKind.TIMEOUT, f"no answer within {ctx.timeout_s:g} s")
        return [
            ProbeResult(
                res.name,
                False,
                False,
                (time.perf_counter() - started) * 1000,
                {},
                res.error_kind,
                res.message,
            )
        ]
    except Exception as exc:  # a bug in a probe: reported, and the other integrations go on
        return [
            failure(
                name,
                None,
                ErrorKind.PROTOCOL,
                f"internal error in the {name} probe: {type(exc).__name__}: {exc}",
            )
        ]


_COMMANDS = ("health-check", "integration-test")


def _commands(
    integ: Integration, options: VerifyOptions, resolved: ResolvedSettings, config: Config
) -> list[tuple[str, str, str | None]]:
    """(check name, command, why it is not run or None) for each documented command."""
    out: list[tuple[str, str, str | None]] = []
    allowed = options.run_commands or bool(resolved.values.get("run_commands"))
    asked = resolved.refusal("run_commands")
    repo_asked = "run-commands" in config.refused
    if not (allowed or asked or repo_asked):
        return out
    for name, command in zip(_COMMANDS, (integ.health_check, integ.integration_test), strict=True):
        if not command or not command.strip() or says_no_command(command):
            continue  # nothing documented ("none", "N/A"): no command to run, and no check
        why: str | None = None
        if is_placeholder_text(command.strip()):
            why = f"not run: the command is a template placeholder {command.strip()}"
        elif not allowed:
            where = asked.where if asked is not None else str(config.path)
            why = (
                f"not run: {where} asks for run-commands, which only the runner may set: needs --run-commands"
            )
        out.append((name, command, why))
    return out


@dataclass(frozen=True, slots=True)
class Prepared:
    """What :func:`verify` works out before it probes: the target, the settings, the secrets the probe
    may see (its :class:`ProbeContext`, None when the probe is skipped instead, ``skips`` saying why) and
    the documented commands. It depends only on the doc, the runner's options, the config and the
    environment: serve builds it once per integration and doc version (:func:`run`)."""

    integration: Integration
    target: Target | None
    ctx: ProbeContext | None
    skips: tuple[ProbeResult, ...]
    commands: tuple[tuple[str, str, str | None], ...]


def prepare(
    integ: Integration,
    options: VerifyOptions,
    config: Config,
    env: Mapping[str, str],
    gate: SecretGate | None = None,
) -> Prepared:
    unreadable = ""  # the doc's own address cannot be read: that integration is skipped, the run goes on
    try:
        target = resolve_target(integ, options.targets, env)
    except DocTargetError as exc:
        target, unreadable = None, str(exc)
    resolved = resolve_settings(integ, config)
    skips: list[ProbeResult] = []
    ctx: ProbeContext | None = None
    refusal = resolved.refusal(*PROBE_GRANTS)
    if unreadable:
        skips.append(skipped(probe_name(integ.protocol), unreadable))
    elif target is None:
        skips.append(
            skipped(
                probe_name(integ.protocol), "no destination host in the doc (Destination: name (host:port))"
            )
        )
    elif target.port is not None and not 1 <= target.port <= 65535:  # no connection can be tried
        bad_port = f"port {target.port} of {target.host} is not in 1-65535: nothing to connect to (VAL007)"
        skips.append(skipped(probe_name(integ.protocol), bad_port))
    elif refusal is not None:
        skips.append(skipped(probe_name(integ.protocol), refusal.message))
    elif (carried := doc_credentials_message(integ, target)) is not None:
        skips.append(skipped(probe_name(integ.protocol), carried))
    else:
        gate = gate if gate is not None else SecretGate(env, options.bindings)
        view, withheld = gate.env_for(target.host, target.port, target.explicit)
        allow_writes = options.allow_writes or bool(resolved.values.get("allow_writes"))
        ctx = ProbeContext(
            integ,
            target,
            options.timeout_s,
            resolved.values,
            view,
            allow_writes,
            withheld,
            options.repeated,
            functools.partial(gate.reason_for, host=target.host, port=target.port, explicit=target.explicit),
        )
    commands = tuple(_commands(integ, options, resolved, config))
    return Prepared(integ, target, ctx, tuple(skips), commands)


async def run(prepared: Prepared, options: VerifyOptions, env: Mapping[str, str]) -> IntegrationReport:
    """All checks of a prepared integration: its protocol probe, then (opt-in) its documented commands."""
    checks = list(prepared.skips)
    if prepared.ctx is not None:
        checks.extend(await _probe(prepared.ctx))
    for name, command, why in prepared.commands:
        if why is not None:
            checks.append(skipped(name, why))
        else:
            checks.append(await run_command(name, command, options.command_timeout_s, env))
    return IntegrationReport(prepared.integration, prepared.target, tuple(checks))


async def verify(
    integ: Integration,
    options: VerifyOptions,
    config: Config,
    env: Mapping[str, str],
    gate: SecretGate | None = None,
) -> IntegrationReport:
    """All checks of one integration: its protocol probe, then (opt-in) its documented commands."""
    return await run(prepare(integ, options, config, env, gate), options, env)


async def verify_all(
    integrations: Sequence[Integration],
    options: VerifyOptions,
    config: Config,
    env: Mapping[str, str],
    on_done: Callable[[IntegrationReport], Any] | None = None,
) -> list[IntegrationReport]:
    """Every integration, at most ``options.concurrency`` at a time; results in input order."""
    sem = asyncio.Semaphore(max(1, options.concurrency))
    preload({i.protocol for i in integrations})
    gate = SecretGate(env, options.bindings)

    async def one(integ: Integration) -> IntegrationReport:
        async with sem:
            report = await verify(integ, options, config, env, gate)
        if on_done is not None:
            on_done(report)
        return report

    return list(await asyncio.gather(*(one(i) for i in integrations)))
