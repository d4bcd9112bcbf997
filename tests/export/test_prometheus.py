"""``wiremap export prometheus``: the files it writes are what promtool and blackbox_exporter accept, the
alerts fire as documented (promtool test rules), and the modules probe the example shop successfully."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests._paths import EXAMPLE_DOCS
from tests.export._tools import blackbox_exporter, promtool
from tests.services import SERVICES
from wiremap.catalog import load
from wiremap.cli.main import main
from wiremap.config import Config
from wiremap.demo.servers import DemoServers, start_servers
from wiremap.export.prometheus import Module, Options, alert_rules, plan
from wiremap.secrets import mask_text

# An HTTPS integration that goes bad (down, slow, its certificate near expiry), one that stays healthy,
# and one with no host (skipped, said so)
LEDGER = """\
# Integration: Billing → {name}

**Protocol:** HTTP
**Critical Path:** {critical}

---

## Quick Reference

**Destination:** {name} ({host}:443)

---

## Request Format

**Endpoint:** `GET https://{host}/v1/totals`

**Response:**
```json
{{"total": 4998, "currency": "EUR"}}
```

---

## Performance

**Latency:**
- P99: 200 ms

---

**Last Updated:** 2026-11-02
**Maintained By:** {owner}
"""
NO_HOST = """\
# Integration: Billing → Mailer

**Protocol:** SMTP

## Quick Reference

**Destination:** Mailer
"""


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    code = main(["export", "prometheus", *args])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    return out, err


def _run(*argv: str, cwd: Path) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, f"{' '.join(argv)}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    ledger = {"name": "Ledger API", "host": "ledger.example.com", "critical": "Yes", "owner": "@ledger-team"}
    audit = {"name": "Audit API", "host": "audit.example.com", "critical": "No", "owner": "Audit Team"}
    (folder / "billing-to-ledger-api.md").write_text(LEDGER.format(**ledger), encoding="utf-8")
    (folder / "billing-to-audit-api.md").write_text(LEDGER.format(**audit), encoding="utf-8")
    (folder / "billing-to-mailer.md").write_text(NO_HOST, encoding="utf-8")
    return folder


def test_the_shop_export_is_valid_for_promtool_and_blackbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    promtool_bin, blackbox_bin = promtool(), blackbox_exporter()
    out_dir = tmp_path / "prometheus"
    out, err = _export(capsys, str(EXAMPLE_DOCS), "-o", str(out_dir), "--exporter", "bbx.internal:9115")
    assert out.count("exported: ") == 7 and "skipped" not in out
    assert "7 integrations exported, 0 skipped" in err
    names = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert names == ["blackbox.yml", "prometheus.yml", "rules.yml", "targets/wiremap-30s.json"]
    for name in names:  # nothing in them looks like a secret: the masking door left them as written
        text = (out_dir / name).read_text(encoding="utf-8")
        assert mask_text(text) == text, name
    assert "SUCCESS" in _run(promtool_bin, "check", "config", "prometheus.yml", cwd=out_dir)
    assert "SUCCESS: 14 rules found" in _run(promtool_bin, "check", "rules", "rules.yml", cwd=out_dir)
    check = _run(blackbox_bin, "--config.check", "--config.file", "blackbox.yml", cwd=out_dir)
    assert "Config file is ok" in check
    prometheus = (out_dir / "prometheus.yml").read_text(encoding="utf-8")
    assert 'replacement: "bbx.internal:9115"' in prometheus and 'rule_files: ["rules.yml"]' in prometheus
    blackbox = (out_dir / "blackbox.yml").read_text(encoding="utf-8")
    assert "# does not check: the PostgreSQL handshake, login and query" in blackbox
    # the whole server's health, while verify asks the Endpoint's service first: said, with the setting
    # that probes it (new user, round 23: green here, NOT_SERVING in verify, and nothing said)
    assert 'set grpc_service = "inventory.v1.Inventory" to probe it' in blackbox
    assert "POST /v1/charges is not sent: it is not idempotent" in blackbox  # its Health Check instead
    targets = json.loads((out_dir / "targets" / "wiremap-30s.json").read_text(encoding="utf-8"))
    by_id = {t["labels"]["integration"]: t for t in targets}
    assert by_id["checkout-service-to-payments-api"]["targets"] == ["http://127.0.0.1:8081/healthz"]
    assert by_id["checkout-service-to-payments-api"]["labels"] == {
        "integration": "checkout-service-to-payments-api",
        "source": "Checkout Service",
        "destination": "Payments API",
        "owner": "Payments Team (@payments-team)",
        "critical": "true",
        "protocol": "http",
        "module": "wiremap_checkout-service-to-payments-api",
    }
    assert by_id["checkout-service-to-orders-database"]["targets"] == ["127.0.0.1:5432"]


def _series(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ", ".join(f"{k}={json.dumps(v)}" for k, v in labels.items()) + "}"


def _alert(m: Module, options: Options, alertname: str, value: str) -> dict[str, object]:
    """The alert promtool should see: the series' labels and the rule's, the annotations rendered."""
    rule = next(r for r in alert_rules(m, options) if r["alert"] == alertname)
    series = {"job": m.job, "instance": m.target, **m.labels}
    annotations = {
        k: v.replace("{{ $labels.instance }}", m.target).replace("{{ $value | humanizeDuration }}", value)
        for k, v in rule["annotations"].items()
    }
    return {"exp_labels": {**series, **rule["labels"]}, "exp_annotations": annotations}


def test_the_alerts_fire_with_the_docs_owner_and_critical_flag(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    promtool_bin = promtool()
    out_dir = tmp_path / "out"
    out, _ = _export(capsys, str(docs), "-o", str(out_dir))
    assert "skipped: billing-to-mailer: no destination host in the doc" in out  # said, not dropped
    assert "# billing-to-mailer: no destination host" in (out_dir / "blackbox.yml").read_text("utf-8")
    options = Options()
    export = plan(load([docs]).integrations, Config(), options)
    bad, good = (
        next(m for m in export.modules if m.integration.id == i)
        for i in ("billing-to-ledger-api", "billing-to-audit-api")
    )
    assert bad.tls and bad.target == "https://ledger.example.com:443/v1/totals"
    week, quarter = 7 * 86400, 90 * 86400
    series = []
    for m, success, seconds, expiry in (
        (bad, "1 0x20", "0.5x150", week),
        (good, "1x150", "0.05x150", quarter),
    ):
        labels = {"job": m.job, "instance": m.target, **m.labels}
        series += [
            {"series": _series("probe_success", labels), "values": success},
            {"series": _series("probe_duration_seconds", labels), "values": seconds},
            {"series": _series("probe_ssl_earliest_cert_expiry", labels), "values": f"{expiry}x150"},
        ]
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "30s",
        "tests": [
            {
                "interval": "30s",
                "input_series": series,
                "alert_rule_test": [
                    # the first failure is at 30s: pending for 2 intervals (the default --for), firing after
                    {"eval_time": "1m", "alertname": "WiremapIntegrationDown", "exp_alerts": []},
                    {
                        "eval_time": "2m",
                        "alertname": "WiremapIntegrationDown",
                        "exp_alerts": [_alert(bad, options, "WiremapIntegrationDown", "")],
                    },
                    {
                        "eval_time": "10m",
                        "alertname": "WiremapIntegrationSlow",
                        "exp_alerts": [_alert(bad, options, "WiremapIntegrationSlow", "500ms")],
                    },
                    {
                        "eval_time": "10m",
                        "alertname": "WiremapCertificateExpiring",
                        "exp_alerts": [_alert(bad, options, "WiremapCertificateExpiring", "6d 23h 50m 0s")],
                    },
                ],
            }
        ],
    }
    down = _alert(bad, options, "WiremapIntegrationDown", "")["exp_labels"]
    assert isinstance(down, dict)
    assert down["severity"] == "critical" and down["owner"] == "@ledger-team" and down["critical"] == "true"
    (out_dir / "tests.yml").write_text(json.dumps(tests, indent=2), encoding="utf-8")  # JSON is YAML
    assert "SUCCESS" in _run(promtool_bin, "test", "rules", "tests.yml", cwd=out_dir)


# ---------------------------------------------------------------------------------------------
# blackbox_exporter probing the example shop


@contextmanager
def _shop() -> Iterator[DemoServers]:
    """The demo's in-process destinations (HTTP, gRPC, WebSocket) on 127.0.0.1, in a thread of their own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    stack = AsyncExitStack()
    try:
        yield asyncio.run_coroutine_threadsafe(start_servers(stack), loop).result(30)
    finally:
        asyncio.run_coroutine_threadsafe(stack.aclose(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _exporter(binary: str, config: Path) -> Iterator[str]:
    port = _free_port()
    address = f"127.0.0.1:{port}"
    proc = subprocess.Popen(
        [binary, "--config.file", str(config), "--web.listen-address", address],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"blackbox_exporter did not start: {proc.stderr.read() if proc.stderr else ''}"
                    )
                time.sleep(0.05)
        yield address
    finally:
        proc.terminate()
        proc.wait(10)


def _reachable() -> list[str]:
    """The real services of the shop's docs that run here (Redis, PostgreSQL, RabbitMQ)."""
    out = []
    for name in ("redis", "postgresql", "amqp"):
        try:
            with socket.create_connection(SERVICES[name], timeout=2):
                out.append(name)
        except OSError:
            if os.environ.get("WIREMAP_REQUIRE_SERVICES") == "1":
                pytest.fail(f"WIREMAP_REQUIRE_SERVICES=1 but {name} is not reachable at {SERVICES[name]}")
    return out


def test_blackbox_probes_the_shop_with_the_exported_modules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = blackbox_exporter()
    with _shop() as shop:
        out_dir = tmp_path / "out"
        _export(
            capsys,
            str(EXAMPLE_DOCS),
            "-o",
            str(out_dir),
            "--target",
            f"checkout-service-to-payments-api=http://127.0.0.1:{shop.payments}",
            "--target",
            f"storefront-to-cart-service=http://127.0.0.1:{shop.cart}",
            "--target",
            f"checkout-service-to-inventory-service=127.0.0.1:{shop.inventory}",
            "--target",
            f"notifications-service-to-realtime-gateway=ws://127.0.0.1:{shop.realtime}/v1/stream",
        )
        targets = json.loads((out_dir / "targets" / "wiremap-30s.json").read_text(encoding="utf-8"))
        protocols = {"redis": "redis", "postgresql": "postgresql", "amqp": "amqp"}
        real = {protocols[name] for name in _reachable()}
        healthy = [t for t in targets if t["labels"]["protocol"] in {"http", "grpc", "websocket", *real}]
        assert len(healthy) >= 4
        with _exporter(binary, out_dir / "blackbox.yml") as address:
            for group in healthy:
                query = urlencode({"target": group["targets"][0], "module": group["labels"]["module"]})
                with urllib.request.urlopen(f"http://{address}/probe?{query}", timeout=20) as response:
                    metrics = response.read().decode()
                assert re.search(r"^probe_success 1$", metrics, re.M), (group, metrics)
            # and a module fails where it should: the gRPC health check against the HTTP server
            query = urlencode(
                {
                    "target": f"127.0.0.1:{shop.cart}",
                    "module": "wiremap_checkout-service-to-inventory-service",
                }
            )
            with urllib.request.urlopen(f"http://{address}/probe?{query}", timeout=20) as response:
                assert re.search(r"^probe_success 0$", response.read().decode(), re.M)
