"""Run every integration's checks concurrently, each bounded by its own deadline.

A hung destination costs one deadline of one slot; it never delays the others beyond that.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..model import Integration
from ..probes._base import ErrorKind, ProbeContext, ProbeResult, Target, failure, skipped
from ..probes.registry import get_probe, preload, probe_name
from ..values import is_placeholder_text
from .commands import run_command
from .targets import resolve_target

__all__ = ["IntegrationReport", "VerifyOptions", "verify", "verify_all"]


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    timeout_s: float = 5.0
    concurrency: int = 32
    targets: Mapping[str, str] = field(default_factory=dict)
    allow_writes: bool = False
    run_commands: bool = False
    command_timeout_s: float = 30.0


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
    def duration_ms(self) -> float:
        return sum(c.duration_ms for c in self.checks)

    @property
    def first_failure(self) -> ProbeResult | None:
        return next((c for c in self.checks if c.ok is False), None)


GRACE_S = 0.5


async def _probe(ctx: ProbeContext) -> list[ProbeResult]:
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


async def verify(
    integ: Integration, options: VerifyOptions, config: Config, env: Mapping[str, str]
) -> IntegrationReport:
    """All checks of one integration: its protocol probe, then (opt-in) its documented commands."""
    target = resolve_target(integ, options.targets, env)
    checks: list[ProbeResult] = []
    if target is None:
        checks.append(
            skipped(
                probe_name(integ.protocol), "no destination host in the doc (Destination: name (host:port))"
            )
        )
    else:
        ctx = ProbeContext(
            integ, target, options.timeout_s, config.settings_for(integ), env, options.allow_writes
        )
        checks.extend(await _probe(ctx))
    if options.run_commands:
        for name, command in (
            ("health-check", integ.health_check),
            ("integration-test", integ.integration_test),
        ):
            if not command or not command.strip():
                continue
            if is_placeholder_text(command.strip()):
                checks.append(
                    skipped(name, f"not run: the command is a template placeholder {command.strip()}")
                )
                continue
            checks.append(await run_command(name, command, options.command_timeout_s, env))
    return IntegrationReport(integ, target, tuple(checks))


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

    async def one(integ: Integration) -> IntegrationReport:
        async with sem:
            report = await verify(integ, options, config, env)
        if on_done is not None:
            on_done(report)
        return report

    return list(await asyncio.gather(*(one(i) for i in integrations)))
