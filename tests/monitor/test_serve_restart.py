"""``wiremap serve`` killed (-9) and restarted with integrations already down: the statuses, their times and
streaks come back from the store, no outage is alerted twice, no transition is stored twice, and a
recovery after the restart is alerted once. On SQLite and on this machine's PostgreSQL."""

from __future__ import annotations

import signal
import socket
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.monitor._serve import Counting, Hooks, doc_id, get_json, write_docs
from tests.store.conftest import drop_schema, postgresql_url
from tests.web._live import Serve, wait_until
from wiremap.store import open_store

TAGS = ["a", "b", "c"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """``(--store URL, PostgreSQL schema or None)``."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.db'}", None
        return
    url = postgresql_url()
    schema = f"wiremap_test_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{url}?schema={schema}", schema
    finally:
        drop_schema(url, schema)


def test_kill_9_and_restart_alerts_no_known_outage_again(
    tmp_path: Path, store_url: tuple[str, str | None]
) -> None:
    url_, schema = store_url
    port = _free_port()  # nothing listens there yet: every integration is refused, down
    docs = tmp_path / "docs"
    write_docs(docs, TAGS, port)
    hooks = Hooks()
    args = [str(docs), "--interval", "0.3s", "--port", "0", "--no-watch", "--store", url_]
    args += ["--webhook", hooks.url]
    store = open_store(url_, default_path=tmp_path / "unused.db", pg_schema=schema)

    def transitions() -> list[Any]:
        return store.transitions(None, 0, limit=1000)

    server: Counting | None = None
    try:
        first = Serve(args, cwd=tmp_path)
        api = first.start()
        try:
            wait_until("three outages alerted", lambda: len(hooks.events("integration.status_changed")) == 3)
            wait_until("and stored", lambda: len(transitions()) == 3)
            before = {i["id"]: i for i in get_json(f"{api}/api/integrations")["integrations"]}
        finally:
            first.proc.send_signal(signal.SIGKILL)
            first.stop()

        again = Serve(args, cwd=tmp_path)
        api = again.start()
        try:
            after = get_json(f"{api}/api/integrations")["integrations"]
            for i in after:  # restored at start, before the first probe
                assert i["status"] == "down", i
                assert i["status_since"] == pytest.approx(before[i["id"]]["status_since"]), i
                assert i["consecutive_failures"] >= 2, i
            # many rounds of the same outage: no alert, no transition
            wait_until(
                "ten more probes each",
                lambda: all(
                    i["consecutive_failures"] >= before[i["id"]]["consecutive_failures"] + 10
                    for i in get_json(f"{api}/api/integrations")["integrations"]
                ),
            )
            assert len(hooks.events("integration.status_changed")) == 3, hooks.bodies
            assert len(transitions()) == 3, transitions()

            # a recovery after the restart is news: one alert, one transition per integration
            server = Counting(port)  # the destination comes back on its port
            wait_until("recoveries alerted", lambda: len(hooks.events("integration.status_changed")) == 6)
            recoveries = hooks.events("integration.status_changed")[3:]
            assert {(b["old_status"], b["new_status"]) for b in recoveries} == {("down", "up")}
            assert sorted(b["integration"] for b in recoveries) == sorted(doc_id(t) for t in TAGS)
            wait_until("stored once", lambda: len(transitions()) == 6)
        finally:
            code = again.stop()
        assert code == 0, again.output()
        assert len(transitions()) == 6
        assert len(hooks.events("integration.status_changed")) == 6
    finally:
        store.close()
        hooks.stop()
        if server is not None:
            server.stop()


def test_a_doc_that_lost_its_host_while_stopped_is_not_left_up(tmp_path: Path) -> None:
    """The Score doc's host removed while serve was stopped: after the restart its row read "up since 2
    min ago … not probed: no destination host in the doc", for ever, and /api and the status metric
    agreed (new user, round 28). What cannot be probed is *skipped*, and why, never alerted."""
    from tests.web._live import Destination

    dest, hooks = Destination(), Hooks()
    docs = tmp_path / "docs"
    paths = write_docs(docs, ["keep", "cut"], dest.port)
    args = [str(docs), "--interval", "0.3s", "--port", "0", "--no-watch", "--webhook", hooks.url]
    args += ["--store", f"sqlite:///{tmp_path / 'history.db'}"]
    try:
        first = Serve(args, cwd=tmp_path)
        try:
            url = first.start()
            wait_until("both up", lambda: get_json(f"{url}/api/integrations")["counts"]["up"] == 2)
        finally:
            assert first.stop() == 0
        text = paths["cut"].read_text(encoding="utf-8")
        paths["cut"].write_text(text.replace(f"(127.0.0.1:{dest.port})", "(see the wiki)"), encoding="utf-8")
        again = Serve(args, cwd=tmp_path)
        try:
            url = again.start()
            by_id = {i["id"]: i for i in get_json(f"{url}/api/integrations")["integrations"]}
            cut = by_id[doc_id("cut")]
            assert cut["status"] == "skipped", cut
            assert "no destination host" in cut["note"], cut
            assert by_id[doc_id("keep")]["status"] == "up"

            def skipped_in_metrics() -> bool:
                text = urllib.request.urlopen(f"{url}/metrics", timeout=10).read().decode()
                return any(
                    line.startswith("wiremap_integration_status{")
                    and f'integration="{doc_id("cut")}"' in line
                    and 'status="skipped"' in line
                    and line.endswith(" 1.0")
                    for line in text.splitlines()
                )

            wait_until("skipped in /metrics", skipped_in_metrics)
        finally:
            assert again.stop() == 0
        assert not [
            b for b in hooks.events("integration.status_changed") if b["integration"] == doc_id("cut")
        ]
    finally:
        dest.stop()


def test_a_skipped_integration_keeps_its_since_over_a_restart(tmp_path: Path) -> None:
    """A skipped integration has no results: each restart recorded "unknown -> skipped" again and its page
    said "skipped since 11 s ago" (new user, round 49)."""
    docs = tmp_path / "docs"
    port = _free_port()
    paths = write_docs(docs, ["cut"], port)
    text = paths["cut"].read_text(encoding="utf-8")
    text = text.replace(f"127.0.0.1:{port}", "payments.example.com:443").replace(
        "`GET /healthz`", "`POST /v1/x`"
    )
    paths["cut"].write_text(text, encoding="utf-8")  # a POST to a host not this machine: skipped, never sent
    db = tmp_path / "history.db"
    args = [str(docs), "--interval", "0.3s", "--port", "0", "--no-watch", "--store", f"sqlite:///{db}"]
    store = open_store(f"sqlite:///{db}", default_path=tmp_path / "unused.db")
    try:
        first = Serve(args, cwd=tmp_path)
        try:
            url = first.start()
            wait_until("skipped", lambda: get_json(f"{url}/api/integrations")["counts"]["skipped"] == 1)
            wait_until("stored", lambda: len(store.transitions(None, 0, limit=10)) == 1)
            since = get_json(f"{url}/api/integrations")["integrations"][0]["status_since"]
        finally:
            assert first.stop() == 0
        again = Serve(args, cwd=tmp_path)
        try:
            url = again.start()
            (row,) = get_json(f"{url}/api/integrations")["integrations"]
            assert row["status"] == "skipped" and row["status_since"] == pytest.approx(since), row
            wait_until(
                "a few rounds",
                lambda: get_json(f"{url}/api/integrations")["integrations"][0]["status"] == "skipped",
            )
        finally:
            assert again.stop() == 0
        assert len(store.transitions(None, 0, limit=10)) == 1  # recorded once, not once per start
    finally:
        store.close()
