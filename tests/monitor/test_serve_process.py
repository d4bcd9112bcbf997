"""``wiremap serve`` as a process: reload on doc changes, kill -9 mid-write then restart with the history
intact, SIGTERM exits 0, and the loopback guard."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

from tests._paths import EXAMPLE_DOCS
from tests.web._live import Destination, Serve, wait_until
from wiremap.catalog import load
from wiremap.cli.main import main

PAYMENTS = "checkout-service-to-payments-api"
CART = "storefront-to-cart-service"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def _rows(db: Path, integration: str) -> int:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(
            conn.execute("SELECT count(*) FROM results WHERE integration_id = ?", (integration,)).fetchone()[
                0
            ]
        )


def test_reload_kill_9_and_restart_keep_the_history(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLE_DOCS / f"{PAYMENTS}.md", docs)
    bodies = {i.id: i.response.json_value if i.response else None for i in load([EXAMPLE_DOCS])}
    dests = {PAYMENTS: Destination(bodies[PAYMENTS]), CART: Destination(bodies[CART])}
    db = tmp_path / "history.db"
    args = [str(docs), "--interval", "0.3s", "--port", "0", "--store", f"sqlite:///{db}"]
    args += ["--allow-writes", "*"]  # the payments doc's POST, every interval, to the test's own destination
    for key, d in dests.items():
        args += ["--target", f"{key}={d.url}"]
    try:
        serve = Serve(args, cwd=tmp_path)
        url = serve.start()
        try:
            wait_until("payments up", lambda: _get(f"{url}/api/integrations")["counts"]["up"] == 1)
            # a new doc appears: the running server picks it up (watchfiles)
            shutil.copy(EXAMPLE_DOCS / f"{CART}.md", docs)
            ids = wait_until(
                "the new doc monitored",
                lambda: (
                    {i["id"] for i in _get(f"{url}/api/integrations")["integrations"]} >= {PAYMENTS, CART}
                    and _get(f"{url}/api/integrations/{CART}")["last_check"]
                ),
            )
            assert ids
            wait_until("history written", lambda: _rows(db, PAYMENTS) >= 5)
        finally:
            serve.proc.send_signal(signal.SIGKILL)  # mid-write: batches go to the store every second
            serve.stop()
        before = _rows(db, PAYMENTS)  # integrity_check is asserted inside
        assert before >= 5

        again = Serve(args, cwd=tmp_path)
        url = again.start()
        try:
            wait_until("more history after the restart", lambda: _rows(db, PAYMENTS) > before + 3)
            detail = _get(f"{url}/api/integrations/{PAYMENTS}")
            assert detail["latency_hour"]["count"] >= 1
            assert _get(f"{url}/api/integrations/{PAYMENTS}/latency?window=1h")["points"]
        finally:
            code = again.stop()
        assert code == 0, again.output()
    finally:
        for d in dests.values():
            d.stop()


def test_listening_beyond_loopback_needs_a_token(tmp_path: Path, capsys: Any) -> None:
    assert main(["serve", str(EXAMPLE_DOCS), "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--token" in capsys.readouterr().err
    assert main(["serve", str(EXAMPLE_DOCS), "--interval", "soon"]) == 2
    assert main(["serve", str(EXAMPLE_DOCS), "--webhook", "file:///etc/passwd"]) == 2
    assert main(["serve", str(tmp_path / "nothing")]) == 2
