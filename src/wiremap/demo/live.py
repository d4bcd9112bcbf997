"""``wiremap demo --serve``: the example shop's destinations on 127.0.0.1, monitored by ``wiremap serve``.

The same destinations as the demo, with the real local PostgreSQL, Redis and RabbitMQ when they
run. The Cart Service keeps its deliberate drift, so the dashboard shows it down with the contract
error. History goes to a throwaway SQLite file unless ``--store`` says otherwise.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

from rich.console import Console

from ..config import load_config
from ..monitor.server import listen, run_server
from ..monitor.service import Monitor, ServeOptions
from .run import LOCAL_SERVICES
from .servers import start_servers

__all__ = ["serve_demo"]


def serve_demo(docs: Path, console: Console, *, port: int, interval_s: float, store_url: str | None) -> int:
    from ..store import open_store

    config = load_config(start=docs)
    env = dict(os.environ)
    for _, _, var, url in LOCAL_SERVICES.values():
        env.setdefault(var, url)
    sock = listen("127.0.0.1", port)
    with tempfile.TemporaryDirectory(prefix="wiremap-demo-") as tmp:
        store = open_store(store_url, default_path=Path(tmp) / "history.db")
        holder: dict[str, object] = {}

        @contextlib.asynccontextmanager
        async def destinations() -> AsyncIterator[None]:
            async with AsyncExitStack() as stack:
                servers = await start_servers(stack)
                holder["targets"] = {
                    "checkout-service-to-payments-api": f"http://127.0.0.1:{servers.payments}",
                    "storefront-to-cart-service": f"http://127.0.0.1:{servers.cart}",
                    "checkout-service-to-inventory-service": f"grpc://127.0.0.1:{servers.inventory}",
                    "notifications-service-to-realtime-gateway": f"ws://127.0.0.1:{servers.realtime}/v1/stream",
                }
                yield

        async def make() -> Monitor:
            targets = holder["targets"]
            assert isinstance(targets, dict)
            # the demo started these destinations itself: its POSTs may be repeated
            options = ServeOptions(
                interval_s=interval_s, targets=targets, timeout_s=2.0, allow_writes=frozenset(targets)
            )
            return Monitor([docs], config, store, options, env)

        def announce(monitor: Monitor, bound: int) -> None:
            targets = holder["targets"]
            assert isinstance(targets, dict)
            shown = "\n".join(f"  {name}: {url}" for name, url in targets.items())
            console.print(
                f"The example shop runs on 127.0.0.1 and {len(monitor.trackers)} integrations are monitored "
                f"every {interval_s:g} s. Its destinations:\n{shown}\n"
                f"Open the dashboard: http://127.0.0.1:{bound}/  (Ctrl-C stops)",
                highlight=False,
                markup=False,
            )

        try:
            return run_server(make, sock, token=None, announce=announce, around=destinations)
        finally:
            store.close()
