"""``wiremap demo``: the bundled example shop, linted and verified live on loopback."""

from __future__ import annotations

from pathlib import Path

import typer

from .._errors import UsageError
from ._common import out

DEFAULT_DOCS = Path("examples/shop/docs/integrations")


def demo(
    docs: Path = typer.Option(DEFAULT_DOCS, "--docs", help="The example docs (default: the bundled shop)."),
    serve: bool = typer.Option(
        False, "--serve", help="Keep the shop running and monitor it: the dashboard of `wiremap serve`."
    ),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Dashboard port with --serve."),
    interval: float = typer.Option(5.0, "--interval", min=0.1, help="Seconds between probes with --serve."),
    store_url: str | None = typer.Option(
        None, "--store", help="History store with --serve [default: a throwaway SQLite file]."
    ),
) -> None:
    """Start the example shop's destinations on 127.0.0.1, then lint and verify its docs against them."""
    if not docs.is_dir():
        raise UsageError(f"{docs} not found: run the demo from a checkout of wiremap (or pass --docs)")
    try:
        from ..demo.run import run_demo
    except ImportError as exc:
        raise UsageError(
            f"the demo needs the protocol drivers: pip install 'wiremap[probes]' ({exc})"
        ) from exc
    if serve:
        from ..demo.live import serve_demo

        raise typer.Exit(serve_demo(docs, out, port=port, interval_s=interval, store_url=store_url))
    outcome = run_demo(docs, out)
    raise typer.Exit(0 if outcome.ok else 1)
