"""Several real ``wiremap serve`` processes on this machine's PostgreSQL (each test in a schema of its own).

- Two instances of one location share the work: each destination counts one probe per interval; a
  ``kill -9`` of one is failed over within two intervals; one alert per transition for the group.
- Two locations with ``--quorum 2``: one location sees a destination down (its ``--target`` is a closed
  port), the other up: not down, no alert; both see it down: one alert. Results carry their location.
- SQLite takes one instance: a second ``serve`` on the same file is refused.
"""

from __future__ import annotations

import signal
import socket
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.monitor._serve import Counting, Hooks, doc_id, get_json, write_docs
from tests.store.conftest import drop_schema, postgresql_url
from tests.web._live import Serve, wait_until
from wiremap.monitor.cluster import preferred

INTERVAL = 1.0
CHANGED = "integration.status_changed"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg() -> Iterator[tuple[str, str]]:
    """``(--store URL with a fresh schema, plain URL)``."""
    url = postgresql_url()
    schema = f"wiremap_cluster_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{url}?schema={schema}", url + f"?options=-csearch_path%3D{schema}"
    finally:
        drop_schema(url, schema)


def _sql(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(query).fetchall())


def _serve(args: list[str], cwd: Path) -> tuple[Serve, str]:
    proc = Serve(args, cwd=cwd)
    return proc, proc.start()


def _docs(tmp_path: Path, ports: dict[str, int]) -> Path:
    docs = tmp_path / "docs"
    for tag, port in ports.items():
        write_docs(docs, [tag], port)
    return docs


def _exported(api: str) -> set[str]:
    """The integrations whose probe result an instance exports."""
    with urllib.request.urlopen(f"{api}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    return {
        line.split('integration="', 1)[1].split('"', 1)[0]
        for line in text.splitlines()
        if line.startswith("wiremap_probe_success{")
    }


def _by_id(api: str) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in get_json(f"{api}/api/integrations")["integrations"]}


def test_two_instances_of_one_location_share_the_work_and_fail_over(
    tmp_path: Path, pg: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, sql_url = pg
    tags = ["a", "b", "c", "d", "e", "f"]
    dests = {t: Counting() for t in tags}
    docs = _docs(tmp_path, {t: d.port for t, d in dests.items()})
    hooks = Hooks()
    args = [str(docs), "--interval", f"{INTERVAL}s", "--port", "0", "--no-watch", "--store", store]
    args += ["--webhook", hooks.url, "--location", "eu"]
    first, api1 = _serve(args, tmp_path)
    second, api2 = _serve(args, tmp_path)
    procs = [first, second]
    try:
        # the work is split: every lease held by the instance rendezvous hashing prefers for it, with both
        # instances counted (with 6 integrations, one instance is preferred for all of them 1 time in 32:
        # "both hold some" was a flaky condition in a fresh clone's run, not a rule of the group)
        ids = {doc_id(t) for t in tags}

        def split() -> bool:
            members = [r[0] for r in _sql(sql_url, "SELECT id FROM cluster_instances WHERE location = 'eu'")]
            held = {
                k: h
                for k, h in _sql(
                    sql_url, "SELECT integration_id, holder FROM cluster_leases WHERE location = 'eu'"
                )
                if k in ids
            }
            return (
                len(members) == 2
                and set(held) == ids
                and all(preferred(members, k) == h for k, h in held.items())
            )

        # (a loaded machine starts the second instance late: a wait, not a bound on the split)
        wait_until("the leases split between the two", split, timeout=60)
        wait_until("all up", lambda: all(i["status"] == "up" for i in _by_id(api2).values()), timeout=30)
        for i in _by_id(api1).values():  # both show the group's view
            assert i["status"] == "up" and [loc["location"] for loc in i["locations"]] == ["eu"], i

        # each destination sees one probe per interval (two independent instances would make it two)
        time.sleep(2 * INTERVAL)
        start, window = time.time(), 10 * INTERVAL
        time.sleep(window)
        counts = {t: d.between(start, start + window) for t, d in dests.items()}
        print(f"\nprobes per destination in {window:g} s at --interval {INTERVAL:g}s: {counts}")
        assert all(9 <= n <= 11 for n in counts.values()), counts

        # each probe result is exported by the instance that probes it, once (the first instance, alone at
        # the start, kept exporting a success for those it handed over: round 69)
        exported = [_exported(api) for api in (api1, api2)]
        assert exported[0] | exported[1] == ids and not exported[0] & exported[1], exported

        # one destination goes away: one alert, whoever probes it. It is one of the instance holding the
        # most leases, so that killing that instance below moves other leases too (a holder of the victim's
        # lease alone, in an uneven split, left nothing to time: a flaky "moved == {}")
        by_holder: dict[str, set[str]] = {}
        for h, integration_id in _sql(
            sql_url, "SELECT holder, integration_id FROM cluster_leases WHERE location = 'eu'"
        ):
            by_holder.setdefault(h, set()).add(integration_id)
        biggest = max(by_holder.values(), key=len)
        victim_tag = next(t for t in tags if doc_id(t) in biggest)
        victim = dests[victim_tag]
        victim.stop()
        key = doc_id(victim_tag)
        wait_until("down alerted", lambda: len(hooks.events(CHANGED, key)) == 1, timeout=20)

        # kill -9 the instance holding it: the other takes everything over within two intervals
        holder = _sql(
            sql_url, f"SELECT holder FROM cluster_leases WHERE location = 'eu' AND integration_id = '{key}'"
        )
        held = _sql(
            sql_url,
            f"SELECT integration_id FROM cluster_leases WHERE holder = '{holder[0][0]}' AND location = 'eu'",
        )
        held_ids = {r[0] for r in held if r[0] in {doc_id(t) for t in tags}}
        pids = {p.proc.pid: p for p in procs}
        hosts = _sql(sql_url, f"SELECT host FROM cluster_instances WHERE id = '{holder[0][0]}'")
        pid = int(hosts[0][0].rsplit(" ", 1)[1])
        killed, survivor_api = pids[pid], api2 if pids[pid] is first else api1
        t_kill = time.time()
        killed.proc.send_signal(signal.SIGKILL)
        killed.proc.wait(10)
        time.sleep(3 * INTERVAL)
        delays = {}
        for t, d in dests.items():
            if d is victim:
                continue
            after = d.first_after(t_kill)
            assert after is not None, t
            delays[t] = round(after - t_kill, 2)
        moved = {t: delays[t] for t in tags if doc_id(t) in held_ids and t in delays}
        print(f"kill -9 of the holder of {len(held_ids)} leases; first probe after it (s): {delays}")
        assert moved and all(v <= 2 * INTERVAL for v in moved.values()), moved

        # the outage outlived its decider: not alerted again; its recovery is alerted once
        time.sleep(3 * INTERVAL)
        assert len(hooks.events(CHANGED, key)) == 1, hooks.bodies
        assert _by_id(survivor_api)[key]["status"] == "down"
        victim.start()
        wait_until("up alerted", lambda: len(hooks.events(CHANGED, key)) == 2, timeout=20)
        time.sleep(3 * INTERVAL)
        events = hooks.events(CHANGED)
        assert [(b["integration"], b["old_status"], b["new_status"]) for b in events] == [
            (key, "up", "down"),
            (key, "down", "up"),
        ], events
        stored = _sql(sql_url, f"SELECT old, new FROM transitions WHERE integration_id = '{key}' ORDER BY id")
        assert stored == [("unknown", "up"), ("up", "down"), ("down", "up")], stored
        doubled = _sql(
            sql_url, "SELECT integration_id, count(*) FROM transitions GROUP BY 1 HAVING count(*) > 1"
        )
        assert {r[0] for r in doubled} == {key}
    finally:
        for p in procs:
            p.stop()
        for d in dests.values():
            d.stop()
        hooks.stop()
    with capsys.disabled():
        print(capsys.readouterr().out)


def test_two_locations_decide_down_by_quorum(
    tmp_path: Path, pg: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, sql_url = pg
    dest, other = Counting(), Counting()
    docs = _docs(tmp_path, {"x": dest.port, "y": other.port})
    closed = _free_port()  # nothing listens: location a sees x down
    hooks = Hooks()
    args = [str(docs), "--interval", f"{INTERVAL}s", "--port", "0", "--no-watch", "--store", store]
    args += ["--webhook", hooks.url, "--quorum", "2"]
    x, y = doc_id("x"), doc_id("y")
    a, api_a = _serve([*args, "--location", "a", "--target", f"{x}=http://127.0.0.1:{closed}"], tmp_path)
    b, api_b = _serve([*args, "--location", "b"], tmp_path)
    try:

        def seen(api: str) -> dict[str, str]:
            return {loc["location"]: loc["status"] for loc in _by_id(api)[x]["locations"]}

        wait_until("a sees x down, b up", lambda: seen(api_b) == {"a": "down", "b": "up"}, timeout=30)
        time.sleep(5 * INTERVAL)  # and so it stays
        for api in (api_a, api_b):
            state = _by_id(api)[x]
            assert state["status"] == "up", state
            assert state["quorum"].startswith("1 of 2 live locations see it down; quorum 2"), state
        assert hooks.events(CHANGED) == []
        locations = _sql(
            sql_url, f"SELECT location, count(*) FROM results WHERE integration_id = '{x}' GROUP BY 1"
        )
        assert {loc for loc, _ in locations} == {"a", "b"}, locations

        # both see it down: one alert for the group
        t_stop = time.time()
        dest.stop()
        wait_until("down alerted", lambda: len(hooks.events(CHANGED, x)) == 1, timeout=20)
        alerted = time.time() - t_stop
        time.sleep(5 * INTERVAL)
        events = hooks.events(CHANGED)
        assert [(e["integration"], e["old_status"], e["new_status"]) for e in events] == [(x, "up", "down")]
        assert "down at 2 of 2 locations (quorum 2)" in events[0]["reason"], events[0]
        assert _by_id(api_a)[x]["status"] == "down"
        assert seen(api_a) == {"a": "down", "b": "down"}
        assert _by_id(api_a)[y]["status"] == "up" and len(_by_id(api_a)[y]["locations"]) == 2
        with urllib.request.urlopen(f"{api_b}/integrations/{x}", timeout=10) as resp:
            page = resp.read().decode()
        assert '<li data-location="a" data-status="down">' in page and "quorum 2" in page
        with urllib.request.urlopen(f"{api_b}/", timeout=10) as resp:
            page = resp.read().decode()
        assert '<span data-location="b" data-status="down">b: down</span>' in page
        print(f"\nquorum 2 of 2: both down -> one alert {alerted:.1f} s after the destination stopped")
    finally:
        for p in (a, b):
            p.stop()
        dest.stop()
        other.stop()
        hooks.stop()
    with capsys.disabled():
        print(capsys.readouterr().out)


def test_sqlite_takes_one_instance(tmp_path: Path) -> None:
    dest = Counting()
    docs = _docs(tmp_path, {"s": dest.port})
    args = [str(docs), "--port", "0", "--no-watch", "--store", f"sqlite:///{tmp_path / 'h.db'}"]
    first, _ = _serve(args, tmp_path)
    try:
        second = Serve(args, cwd=tmp_path)
        assert second.proc.wait(30) == 2, second.output()
        time.sleep(0.2)
        assert "takes one instance" in second.output() and "postgresql://" in second.output()
    finally:
        assert first.stop() == 0
        dest.stop()
