"""``wiremap serve [PATH]``: monitor every integration, keep history, serve metrics and a dashboard."""

from __future__ import annotations

import ipaddress
import os
import secrets
import ssl
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer

from .._errors import UsageError
from ._common import BindSecretOption, ConfigOption, bindings, duration_s, err, report_problems, resolve

if TYPE_CHECKING:
    from ..model import Integration
    from ..monitor.service import Monitor

TOKEN_ENV = "WIREMAP_TOKEN"
TOKEN_MIN = 16
GENERATE = "generate"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _targets(values: list[str], paths: list[Path], watch: bool) -> dict[str, str]:
    """``--target NAME=URL`` as every command reads it (:func:`~wiremap.verify.targets.target_ids`).
    While the docs are watched, a NAME no doc has yet is kept for the doc that will appear with it."""
    if not values:
        return {}
    from ..catalog import load
    from ..verify.targets import target_ids

    catalog = load(paths)
    targets = target_ids(values, catalog, keep_unknown=watch)
    for name in sorted(set(targets) - {i.id for i in catalog}):
        err.print(
            f"wiremap serve: --target {name}=…: no doc is named so yet; it applies to one that appears",
            markup=False,
        )
    return targets


def _token(option: str | None) -> tuple[str | None, bool]:
    """The token (None: none) from ``--token`` or the environment, and whether it was generated here."""
    source, value = "--token", option or None
    if value is None:
        source, value = TOKEN_ENV, os.environ.get(TOKEN_ENV) or None
    if value is None:
        return None, False
    if value == GENERATE:
        return secrets.token_urlsafe(32), True
    if len(value) < TOKEN_MIN:
        raise UsageError(
            f"{source} must be at least {TOKEN_MIN} characters, it has {len(value)} "
            f"(--token {GENERATE} makes a strong one)"
        )
    if any(c.isspace() or not c.isprintable() for c in value):
        raise UsageError(f"{source} must not contain spaces or control characters")
    return value, False


def _no_password() -> str:
    raise UsageError("--tls-key is encrypted: give an unencrypted key (readable by this user only)")


def _tls(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """The server's TLS context (TLS 1.2 at least) from PEM files, or None without them."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise UsageError("--tls-cert and --tls-key go together: give both")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        for option, path, marker, what in (
            ("--tls-cert", cert, b"-----BEGIN CERTIFICATE-----", "a PEM certificate"),
            ("--tls-key", key, b"PRIVATE KEY-----", "a PEM private key"),
        ):
            if not path.is_file():
                raise UsageError(f"{option} {path}: no such file")
            with path.open("rb") as fh:
                if marker not in fh.read(1 << 20):
                    raise UsageError(f"{option} {path} is not {what}")
        context.load_cert_chain(cert, key, password=_no_password)
    except ssl.SSLError as exc:
        why = (exc.reason or "unreadable").replace("_", " ").lower()
        raise UsageError(f"--tls-cert {cert} and --tls-key {key} cannot be used together ({why})") from None
    except OSError as exc:
        raise UsageError(f"cannot read --tls-cert {cert} or --tls-key {key}: {exc.strerror or exc}") from None
    return context


def _public_hosts(urls: list[str]) -> list[str]:
    """The host of each ``--public-url``: the names the dashboard answers to behind a reverse proxy."""
    from ..web.hosts import host_key

    hosts: list[str] = []
    for url in urls:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (raises ValueError on a bad port)
        except ValueError:
            raise UsageError(f"--public-url {url!r} cannot be parsed (a bad port or IPv6 address)") from None
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host or host_key(host, bare_ipv6=True) is None:
            raise UsageError(
                f"--public-url must be an http(s) URL with a host (https://wiremap.example.com), got {url!r}"
            )
        hosts.append(host)
    return hosts


def _check_webhooks(urls: list[str]) -> None:
    from ..monitor.alerts import mask_webhook, webhook

    for url in urls:
        try:
            webhook(url)
        except ValueError as exc:
            raise UsageError(f"--webhook {mask_webhook(url)} {exc}") from None


def serve(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    interval: str = typer.Option("30s", "--interval", help="Time between two probes of one integration."),
    store_url: str | None = typer.Option(
        None, "--store", help="History store URL [default: sqlite at .wiremap/history.db beside the config]."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (beyond loopback needs --token and TLS)."
    ),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None,
        "--token",
        help=f"Require this token (16+ characters; '{GENERATE}': make one) [env: {TOKEN_ENV}].",
    ),
    public_url: list[str] = typer.Option(
        [], "--public-url", help="URL of a reverse proxy in front; its host is answered too (repeatable)."
    ),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="Serve HTTPS with this PEM certificate."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="The PEM private key of --tls-cert."),
    webhook: list[str] = typer.Option([], "--webhook", help="POST status changes to this URL (repeatable)."),
    timeout: str = typer.Option("5s", "--timeout", help="Deadline of one probe."),
    concurrency: int = typer.Option(64, "--concurrency", min=1, help="Probes in flight at most."),
    down_after: int = typer.Option(2, "--down-after", min=1, help="Consecutive failures before down."),
    up_after: int = typer.Option(2, "--up-after", min=1, help="Consecutive successes before up again."),
    retention_days: float = typer.Option(7.0, "--retention-days", min=0.01, help="Days of raw results kept."),
    target: list[str] = typer.Option([], "--target", help="NAME=URL: probe this URL instead (repeatable)."),
    store_buffer: int = typer.Option(
        100_000,
        "--store-buffer",
        min=1,
        envvar="WIREMAP_STORE_BUFFER",
        help="Results kept in memory while the store is unavailable; then the oldest are dropped.",
    ),
    location: str = typer.Option(
        "default",
        "--location",
        envvar="WIREMAP_LOCATION",
        help="Where this instance probes from: instances of one location on one PostgreSQL store share "
        "the work; each location probes every integration.",
    ),
    quorum: int | None = typer.Option(
        None,
        "--quorum",
        min=1,
        help="Locations that must see an integration down for it to be down [default: a majority].",
    ),
    no_watch: bool = typer.Option(False, "--no-watch", help="Do not reload when the docs change."),
    allow_writes: list[str] = typer.Option(
        [],
        "--allow-writes",
        help="ID (or '*'): send this integration's POST/PUT/PATCH/DELETE every interval (repeatable).",
    ),
    bind_secret: list[str] = BindSecretOption,
    config_file: Path | None = ConfigOption,
) -> None:
    """Probe every integration continuously; history, Prometheus /metrics and a dashboard on one port."""
    from ..monitor.cluster import check_location
    from ..monitor.server import listen, run_server
    from ..monitor.service import ServeOptions
    from ..monitor.state import Thresholds
    from ..store import open_store

    targets_, config = resolve(paths, config_file)
    token, generated = _token(token)
    tls = _tls(tls_cert, tls_key)
    if not _is_loopback(host) and not token:
        raise UsageError(
            f"--host {host} listens beyond loopback: give --token (or {TOKEN_ENV}) so every request needs it"
        )
    if not _is_loopback(host) and tls is None:
        raise UsageError(
            f"--host {host} listens beyond loopback: give --tls-cert and --tls-key so the token never "
            "crosses the network in clear (or stay on 127.0.0.1 behind a TLS reverse proxy: --public-url)"
        )
    hosts = [host, *_public_hosts(public_url)]
    _check_webhooks(webhook)
    options = ServeOptions(
        interval_s=duration_s(interval, "--interval"),
        timeout_s=duration_s(timeout, "--timeout"),
        concurrency=concurrency,
        thresholds=Thresholds(down_after, up_after),
        webhooks=tuple(webhook),
        targets=_targets(target, targets_, watch=not no_watch),
        raw_days=retention_days,
        store_buffer=store_buffer,
        watch=not no_watch,
        allow_writes=frozenset(allow_writes),  # and allow_writes = true in the runner's config
        bindings=bindings(config, bind_secret),
        location=check_location(location),
    )
    sock = listen(host, port)
    store = open_store(store_url, default_path=config.base_dir / ".wiremap" / "history.db")
    single = None
    try:
        from ..monitor.cluster import Cluster, lock_sqlite
        from ..monitor.service import Monitor

        postgresql = store.engine.dialect.name == "postgresql"
        if not postgresql and store.engine.url.database:  # one instance per SQLite file
            single = lock_sqlite(Path(store.engine.url.database))
        monitor = Monitor(targets_, config, store, options)
        if postgresql:  # instances on one PostgreSQL store share the work (monitor.cluster)
            monitor.cluster = Cluster(monitor, store.engine, options.location, quorum)
        if report_problems(monitor.catalog):  # a doc that cannot be read whole: not served, exit 1
            raise typer.Exit(1)
        if _report_duplicates(monitor.catalog.integrations):  # one of them would not be monitored
            raise typer.Exit(1)
        if not monitor.trackers:
            raise UsageError(f"no integration docs found in {', '.join(str(p) for p in targets_)}")
        unknown = sorted(set(allow_writes) - set(monitor.trackers) - {"*"})
        if unknown:
            raise UsageError(f"--allow-writes names no integration: {', '.join(unknown)}")

        async def make() -> Monitor:
            return monitor

        announce = _announce(host, token, generated, "https" if tls else "http")
        code = run_server(make, sock, token=token, announce=announce, hosts=hosts, tls=tls)
    finally:
        store.close()
        sock.close()
        if single is not None:
            single.close()
    raise typer.Exit(code)


def _announce(host: str, token: str | None, generated: bool, scheme: str) -> Callable[[Monitor, int], None]:
    def announce(monitor: Monitor, port: int) -> None:
        if generated and token:  # the one place it is ever shown
            err.print(f"wiremap serve: generated token (shown once): {token}", markup=False)
        shown = f"[{host.strip('[]')}]" if ":" in host else host
        err.print(
            f"wiremap serve: {len(monitor.trackers)} integrations, dashboard on {scheme}://{shown}:{port}/"
            + (" (token required)" if token else ""),
            markup=False,
        )

    return announce


def _report_duplicates(integrations: Sequence[Integration]) -> bool:
    """Two docs of one id (CAT001): serve monitors one integration per id, so one of them would silently
    not be (a critical one, unmonitored, under the other's name). Said per doc, as a problem."""
    first: dict[str, Integration] = {}
    found = False
    for i in integrations:
        other = first.setdefault(i.id, i)
        if other is not i:
            found = True
            err.print(
                f"error: {i.path}:{i.line_of('title')}: its id {i.id} is also {other.path}'s (CAT001): serve "
                "monitors one integration per id; give one of them another title",
                markup=False,
            )
    return found
