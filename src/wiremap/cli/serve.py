"""``wiremap serve [PATH]``: monitor every integration, keep history, serve metrics and a dashboard."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer

from .._errors import UsageError
from ..secrets import mask_text
from ..values import parse_duration_ms
from ._common import ConfigOption, err, resolve

if TYPE_CHECKING:
    from ..monitor.service import Monitor

TOKEN_ENV = "WIREMAP_TOKEN"


def _duration_s(text: str, option: str) -> float:
    ms = parse_duration_ms(text) if not text.replace(".", "", 1).isdigit() else float(text) * 1000
    if ms is None or ms <= 0:
        raise UsageError(f"{option} must be a duration like 30s, 500ms or 2m, got {text!r}")
    return ms / 1000


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _targets(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        key, sep, url = v.partition("=")
        if not sep or not key or not url:
            raise UsageError(f"--target must be ID=URL, got {v!r}")
        out[key] = url
    return out


def serve(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    interval: str = typer.Option("30s", "--interval", help="Time between two probes of one integration."),
    store_url: str | None = typer.Option(
        None, "--store", help="History store URL [default: sqlite at .wiremap/history.db beside the config]."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (beyond loopback needs --token)."
    ),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None, "--token", help=f"Require this token on every request [env: {TOKEN_ENV}]."
    ),
    webhook: list[str] = typer.Option([], "--webhook", help="POST status changes to this URL (repeatable)."),
    timeout: str = typer.Option("5s", "--timeout", help="Deadline of one probe."),
    concurrency: int = typer.Option(64, "--concurrency", min=1, help="Probes in flight at most."),
    down_after: int = typer.Option(2, "--down-after", min=1, help="Consecutive failures before down."),
    up_after: int = typer.Option(2, "--up-after", min=1, help="Consecutive successes before up again."),
    retention_days: float = typer.Option(7.0, "--retention-days", min=0.01, help="Days of raw results kept."),
    target: list[str] = typer.Option([], "--target", help="ID=URL: probe this URL instead (repeatable)."),
    no_watch: bool = typer.Option(False, "--no-watch", help="Do not reload when the docs change."),
    config_file: Path | None = ConfigOption,
) -> None:
    """Probe every integration continuously; history, Prometheus /metrics and a dashboard on one port."""
    from ..monitor.server import listen, run_server
    from ..monitor.service import ServeOptions
    from ..monitor.state import Thresholds
    from ..store import open_store

    targets_, config = resolve(paths, config_file)
    token = token or os.environ.get(TOKEN_ENV) or None
    if not _is_loopback(host) and not token:
        raise UsageError(
            f"--host {host} listens beyond loopback: give --token (or {TOKEN_ENV}) so every request needs it"
        )
    for url in webhook:
        if urlsplit(url).scheme not in ("http", "https"):
            raise UsageError(f"--webhook must be an http(s) URL, got {mask_text(url)!r}")
    options = ServeOptions(
        interval_s=_duration_s(interval, "--interval"),
        timeout_s=_duration_s(timeout, "--timeout"),
        concurrency=concurrency,
        thresholds=Thresholds(down_after, up_after),
        webhooks=tuple(webhook),
        targets=_targets(target),
        raw_days=retention_days,
        watch=not no_watch,
    )
    sock = listen(host, port)
    store = open_store(store_url, default_path=config.base_dir / ".wiremap" / "history.db")
    try:
        from ..monitor.service import Monitor

        monitor = Monitor(targets_, config, store, options)
        if not monitor.trackers:
            raise UsageError(f"no integration docs found in {', '.join(str(p) for p in targets_)}")

        async def make() -> Monitor:
            return monitor

        code = run_server(make, sock, token=token, announce=_announce(host, token))
    finally:
        store.close()
        sock.close()
    raise typer.Exit(code)


def _announce(host: str, token: str | None) -> Callable[[Monitor, int], None]:
    def announce(monitor: Monitor, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        err.print(
            f"wiremap serve: {len(monitor.trackers)} integrations, dashboard on http://{shown}:{port}/"
            + (" (token required)" if token else ""),
            markup=False,
        )

    return announce
