"""The demo: lint the example shop's docs, start its destinations, verify every doc against them live.

Exit 0 when everything behaves as the demo expects, the deliberate drift of the Cart Service included.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from ..catalog import Catalog, load
from ..config import Config, load_config
from ..faults.report import render_text as fault_text
from ..faults.run import IntegrationFaults, RunOptions, run_integration
from ..lint import lint_catalog
from ..lint.report import text as lint_text
from ..probes._base import ErrorKind
from ..verify import VerifyOptions, verify_all
from ..verify.engine import IntegrationReport
from ..verify.report import text as verify_text
from .servers import start_servers

__all__ = ["DemoOutcome", "run_demo"]

DRIFTED = "storefront-to-cart-service"

# The faults the demo injects (a few seconds each at most, observable without root): the Storefront's cart
# client makes 2 attempts where its doc promises 4, the one mismatch the demo expects. The Orders Database
# and the Order Events Broker are left out: faults runs them through its proxy, in front of a local
# PostgreSQL and RabbitMQ the demo does not start (`wiremap faults` on the shop runs them). The Inventory
# doc is skipped by faults (gRPC health only).
DEMO_FAULTS: dict[str, tuple[str, ...]] = {
    "storefront-to-cart-service": ("status:503",),
    "checkout-service-to-payments-api": ("status:503", "status:402"),
    "cart-service-to-cart-redis": ("timeout", "invalid"),
    "notifications-service-to-realtime-gateway": ("timeout",),
    "checkout-service-to-inventory-service": ("timeout",),
}
# The client each of them runs: the demo's own commands, never a doc's. The demo once ran each doc's
# Integration Test (Live) with its own consent: a doc edited in a pull request, or a copy of the shop given
# with --docs, ran what it liked with the runner's environment (round 68).
DEMO_CLIENTS: dict[str, str] = {
    "storefront-to-cart-service": "services.storefront.cart_client",
    "checkout-service-to-payments-api": "services.checkout.payments_client",
    "cart-service-to-cart-redis": "services.cart.cart_store",
    "notifications-service-to-realtime-gateway": "services.notifications.realtime_client",
    "checkout-service-to-inventory-service": "services.checkout.inventory_client",
}
# the bundled shop of this checkout: the only code the demo runs clients of
BUNDLED_SHOP = Path(__file__).resolve().parents[3] / "examples" / "shop"
MISMATCHED = "storefront-to-cart-service"
# the shop's clients read their tokens from the environment; the stub does not check them
DEMO_TOKENS = {"PAYMENTS_API_TOKEN": "sk_test_wiremap_demo", "REALTIME_WS_TOKEN": "wiremap-demo"}

# Real local services, used when they run; the demo's credentials unless the user set the variable.
LOCAL_SERVICES: dict[str, tuple[str, int, str, str]] = {
    "checkout-service-to-orders-database": (
        "PostgreSQL",
        5432,
        "ORDERS_DATABASE_URL",
        "postgresql://postgres@127.0.0.1:5432/postgres",
    ),
    "cart-service-to-cart-redis": ("Redis", 6379, "CART_REDIS_URL", "redis://127.0.0.1:6379/0"),
    "checkout-service-to-order-events-broker": (
        "RabbitMQ",
        5672,
        "ORDER_EVENTS_AMQP_URL",
        "amqp://guest:guest@127.0.0.1:5672/",
    ),
}


@dataclass(frozen=True, slots=True)
class DemoOutcome:
    reports: list[IntegrationReport]
    not_running: list[str]
    unexpected: list[str]
    faults: list[IntegrationFaults] | None = None

    @property
    def ok(self) -> bool:
        return not self.unexpected


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _expectation(report: IntegrationReport) -> str | None:
    """None when the report is what the demo expects, else what is wrong."""
    integ = report.integration
    if integ.id == DRIFTED:
        contract = next((c for c in report.checks if c.name == "contract"), None)
        if contract is None or contract.ok is not False or contract.error_kind is not ErrorKind.CONTRACT:
            return f"{integ.name}: the deliberate drift was not detected"
        return None
    if not report.ok:
        bad = report.first_failure
        return f"{integ.name}: {bad.name if bad else '?'} failed: {bad.message if bad else ''}"
    if any(c.skipped for c in report.checks):
        return (
            f"{integ.name}: a check was skipped: {'; '.join(c.message for c in report.checks if c.skipped)}"
        )
    return None


async def _verify(
    catalog: Catalog, config: Config, env: Mapping[str, str]
) -> tuple[list[IntegrationReport], list[str]]:
    async with AsyncExitStack() as stack:
        servers = await start_servers(stack)
        targets = {
            "checkout-service-to-payments-api": f"http://127.0.0.1:{servers.payments}",
            "storefront-to-cart-service": f"http://127.0.0.1:{servers.cart}",
            "checkout-service-to-inventory-service": f"grpc://127.0.0.1:{servers.inventory}",
            "notifications-service-to-realtime-gateway": f"ws://127.0.0.1:{servers.realtime}/v1/stream",
        }
        not_running: list[str] = []
        chosen = []
        for integ in catalog:
            service = LOCAL_SERVICES.get(integ.id)
            if service is not None and not _reachable(service[1]):
                not_running.append(f"{integ.name}: {service[0]} is not running on 127.0.0.1:{service[1]}")
                continue
            chosen.append(integ)
        options = VerifyOptions(timeout_s=5.0, concurrency=16, targets=targets)
        reports = await verify_all(chosen, options, config, env)
    return reports, not_running


def bundled(docs: Path) -> bool:
    """``docs`` is the bundled shop's docs folder of this checkout."""
    try:
        return docs.resolve() == (BUNDLED_SHOP / "docs" / "integrations").resolve()
    except OSError:
        return False


async def _faults(catalog: Catalog, env: Mapping[str, str]) -> list[IntegrationFaults]:
    """``wiremap faults`` on the bundled shop: its own clients (:data:`DEMO_CLIENTS`, run with ``python``
    of this interpreter), each against a stub on 127.0.0.1."""
    path = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    run_env = {**DEMO_TOKENS, **env, "PATH": path}
    out = []
    for integ in catalog:
        only = DEMO_FAULTS.get(integ.id)
        if only is None:
            continue
        command = f"python -m {DEMO_CLIENTS[integ.id]}"
        options = RunOptions(command=command, root=BUNDLED_SHOP, env=run_env, only=only)
        out.append(await run_integration(integ, options))
    return out


def _faults_expectation(report: IntegrationFaults) -> list[str]:
    """What in a faults report the demo did not expect: a mismatch but the Storefront's 4-vs-2 one,
    or a skip but the Inventory doc's."""
    integ = report.integration
    out = []
    for r in report.results:
        if integ.id == MISMATCHED:
            if r.verdict != "mismatch" or "attempts: documented 4, observed 2" not in r.message:
                out.append(
                    f"{integ.name}: {r.fault}: the 2 attempts of 4 documented were not caught: {r.message}"
                )
        elif r.verdict == "skipped" and "gRPC health only" in r.message:
            continue
        elif r.verdict != "ok":
            out.append(f"{integ.name}: {r.fault}: {r.verdict}: {r.message}")
    return out


def run_demo(docs: Path, console: Console) -> DemoOutcome:
    from .._loop import run

    config = load_config(start=docs)
    catalog = load(docs)
    console.rule("1. lint: the docs, statically")
    findings = lint_catalog(catalog, config)
    console.print(
        lint_text.render(findings, [], console.is_terminal), highlight=False, markup=console.is_terminal
    )

    console.rule("2. verify: the docs against the running shop")
    env = dict(os.environ)
    for _, _, var, url in LOCAL_SERVICES.values():
        env.setdefault(var, url)
    reports, not_running = run(_verify(catalog, config, env))
    console.print(
        verify_text.render(reports, console.is_terminal), highlight=False, markup=console.is_terminal
    )
    for line in not_running:
        console.print(f"not verified: {line}", highlight=False, markup=False)

    drift = next((r for r in reports if r.integration.id == DRIFTED), None)
    contract = next((c for c in drift.checks if c.name == "contract"), None) if drift else None
    if contract is not None and contract.ok is False:
        console.print(
            f"\nDrift caught: the doc of {drift.integration.name} promises a response the service no longer "  # type: ignore[union-attr]
            f"sends:\n  {contract.message}",
            highlight=False,
            markup=False,
        )

    console.rule("3. faults: the shop's clients against stubs that fail")
    faults: list[IntegrationFaults] = []
    if bundled(docs):
        faults = run(_faults(catalog, env))
        console.print(fault_text(faults), end="", highlight=False, markup=False)
    else:  # the clients run are the bundled shop's: of other docs, no code is run
        console.print(
            f"skipped: the demo runs the clients of its bundled shop ({BUNDLED_SHOP}) only, and {docs} is "
            "not its docs folder; `wiremap faults DOCS --run CMD` runs your own client",
            highlight=False,
            markup=False,
        )
    mismatch = next((f for rep in faults if rep.integration.id == MISMATCHED for f in rep.results), None)
    if mismatch is not None and mismatch.verdict == "mismatch":
        name = next(rep.integration.name for rep in faults if rep.integration.id == MISMATCHED)
        console.print(
            f"\nRetry drift caught: the doc of {name} promises 4 attempts, its client makes 2:\n"
            f"  {mismatch.fault}: {mismatch.message}",
            highlight=False,
            markup=False,
        )
    unexpected = [m for r in reports if (m := _expectation(r))]
    unexpected += [m for rep in faults for m in _faults_expectation(rep)]
    if bundled(docs) and not any(rep.integration.id == MISMATCHED for rep in faults):
        unexpected.append(f"the doc with the deliberate retry drift ({MISMATCHED}) is not among the docs")
    if drift is None:
        unexpected.append(
            f"the doc with the deliberate drift ({DRIFTED}) is not among the docs: nothing to catch"
        )
    if findings:
        unexpected.append(f"lint reported {len(findings)} finding(s) on the example docs")
    console.rule("result")
    if unexpected:
        for m in unexpected:
            console.print(f"unexpected: {m}", highlight=False, markup=False)
        console.print("The demo did not behave as expected.", highlight=False)
    else:
        console.print("Everything behaved as expected (the drift included).", highlight=False)
    return DemoOutcome(reports, not_running, unexpected, faults)
