"""Docs changing under a running ``wiremap serve``: a doc truncated to 0 bytes, rewritten as non-UTF-8 or cut
off mid-edit keeps its last good version monitored, with "doc broken since … (finding)" on its page, in the
API and as a webhook event; fixing it says so; a removed doc is a ``removed`` event."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.monitor._serve import Hooks, doc_id, get_json, write_docs
from tests.web._live import Destination, Serve, wait_until

TAGS = ["empty", "latin", "cut", "gone", "fine"]


def test_a_broken_doc_keeps_its_last_good_version_and_a_removed_one_is_said(tmp_path: Path) -> None:
    dest, hooks = Destination(), Hooks()
    docs = tmp_path / "docs"
    paths = write_docs(docs, TAGS, dest.port)
    good = {tag: p.read_text(encoding="utf-8") for tag, p in paths.items()}
    args = [str(docs), "--interval", "0.3s", "--port", "0", "--webhook", hooks.url]
    args += ["--store", f"sqlite:///{tmp_path / 'history.db'}"]
    serve = Serve(args, cwd=tmp_path)
    try:
        url = serve.start()
        wait_until("all up", lambda: get_json(f"{url}/api/integrations")["counts"]["up"] == len(TAGS))

        paths["empty"].write_bytes(b"")
        paths["latin"].write_bytes(good["latin"].replace("→", "->").encode() + "café".encode("latin-1"))
        text = good["cut"]
        paths["cut"].write_text(text[: text.index("## Quick Reference")], encoding="utf-8")
        paths["gone"].unlink()

        broken = {doc_id(t) for t in ("empty", "latin", "cut")}
        wait_until(
            "three doc_broken events and one removed",
            lambda: (
                {b["integration"] for b in hooks.events("integration.doc_broken")} == broken
                and [b["integration"] for b in hooks.events("integration.removed")] == [doc_id("gone")]
            ),
        )
        findings = {b["integration"]: b["finding"] for b in hooks.events("integration.doc_broken")}
        assert "empty" in findings[doc_id("empty")], findings
        assert "not UTF-8" in findings[doc_id("latin")], findings
        assert "no longer names a destination host" in findings[doc_id("cut")], findings

        listing = get_json(f"{url}/api/integrations")
        by_id = {i["id"]: i for i in listing["integrations"]}
        assert doc_id("gone") not in by_id
        assert by_id[doc_id("fine")]["doc_broken"] is None
        checked = {key: by_id[key]["last_check"]["ts"] for key in broken}
        for key in broken:  # still there, still up, with the banner's data
            assert by_id[key]["status"] == "up", by_id[key]
            assert by_id[key]["doc_broken"]["finding"] == findings[key]
            assert by_id[key]["note"] == "", by_id[key]  # not "no destination host": still probed
        # still probed, from the last good version
        wait_until(
            "probed again",
            lambda: all(
                get_json(f"{url}/api/integrations/{k}")["last_check"]["ts"] > checked[k] for k in broken
            ),
        )
        page = _text(f"{url}/integrations/{doc_id('cut')}")
        assert "Doc broken since" in page and "no longer names a destination host" in page
        assert "Service cut" in page  # the last good version's doc is rendered
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as resp:
            metrics = resp.read().decode()
        for key in broken:
            assert any(
                line.startswith("wiremap_probe_success{") and f'integration="{key}"' in line
                for line in metrics.splitlines()
            ), key

        paths["empty"].write_text(good["empty"], encoding="utf-8")  # fixed
        wait_until("doc_fixed", lambda: hooks.events("integration.doc_fixed", doc_id("empty")))
        assert get_json(f"{url}/api/integrations/{doc_id('empty')}")["doc_broken"] is None
        assert len(hooks.events("integration.doc_broken")) == 3  # said once each, not on every reload
        assert not hooks.events("integration.status_changed")
    finally:
        code = serve.stop()
        dest.stop()
        hooks.stop()
    assert code == 0, serve.output()
    assert "broken" in serve.output() and "removed" in serve.output()


def _text(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read().decode()


def test_the_store_beside_the_docs_does_not_reload_them(tmp_path: Path) -> None:
    """``serve .`` keeps its default store (``.wiremap/history.db`` beside the config) under the docs it
    watches: every write of the store reloaded every doc, ten times a second ("docs changed" in the log).
    Only a doc or a config change reloads; SIGTERM stops it at once."""
    dest = Destination()
    docs = tmp_path / "docs"
    paths = write_docs(docs, ["one", "two"], dest.port)
    args = [
        str(docs),
        "--interval",
        "0.2s",
        "--port",
        "0",
        "--store",
        f"sqlite:///{docs / '.wiremap' / 'h.db'}",
    ]
    serve = Serve(args, cwd=tmp_path)
    try:
        url = serve.start()
        wait_until("both up", lambda: get_json(f"{url}/api/integrations")["counts"]["up"] == 2)
        time.sleep(2.0)  # ~10 probes each, as many store writes
        assert "docs changed" not in serve.output(), serve.output()
        paths["one"].write_text(paths["one"].read_text(encoding="utf-8") + "\n", encoding="utf-8")
        wait_until("a doc's change reloads", lambda: "docs changed" in serve.output())
        started = time.monotonic()
        assert serve.stop() == 0
        assert time.monotonic() - started < 5, serve.output()
        assert serve.output().count("docs changed") == 1, serve.output()
    finally:
        serve.stop()
        dest.stop()


def test_a_copy_added_while_serving_does_not_take_over_and_a_broken_example_is_a_broken_doc(
    tmp_path: Path,
) -> None:
    """Round 69: a copy of a doc (same integration) added while serve ran took its monitoring over — its
    dead Destination paged on a healthy integration — where start-up refuses the two (CAT001); and a doc
    whose Response JSON broke mid-edit lost its contract check silently (a drifted destination was ok)."""
    dest, hooks = Destination(), Hooks()
    docs = tmp_path / "docs"
    paths = write_docs(docs, ["orig", "json"], dest.port)
    args = [str(docs), "--interval", "0.3s", "--port", "0", "--webhook", hooks.url]
    args += ["--store", f"sqlite:///{tmp_path / 'history.db'}"]
    serve = Serve(args, cwd=tmp_path)
    try:
        url = serve.start()
        wait_until("all up", lambda: get_json(f"{url}/api/integrations")["counts"]["up"] == 2)
        original = get_json(f"{url}/api/integrations/{doc_id('orig')}")["doc_path"]
        # sorts before the original: "the first one" by path was the copy
        copy = docs / "a-copy.md"
        copy.write_text(
            paths["orig"].read_text(encoding="utf-8").replace(str(dest.port), "1"), encoding="utf-8"
        )
        text = paths["json"].read_text(encoding="utf-8")
        paths["json"].write_text(text.replace('"status": "ok"\n}', '"status": "ok"\n'), encoding="utf-8")
        wait_until("doc_broken", lambda: hooks.events("integration.doc_broken", doc_id("json")))
        (event,) = hooks.events("integration.doc_broken", doc_id("json"))
        assert "Response example is not valid JSON" in event["finding"], event
        checked = get_json(f"{url}/api/integrations/{doc_id('orig')}")["last_check"]["ts"]
        wait_until(
            "probed again",
            lambda: get_json(f"{url}/api/integrations/{doc_id('orig')}")["last_check"]["ts"] > checked + 0.5,
        )
        state = get_json(f"{url}/api/integrations/{doc_id('orig')}")
        assert state["doc_path"] == original and state["status"] == "up", state
        assert not hooks.events("integration.status_changed")
    finally:
        code = serve.stop()
        dest.stop()
        hooks.stop()
    assert code == 0, serve.output()
    assert "docs/a-copy.md documents it again (CAT001)" in serve.output(), serve.output()
