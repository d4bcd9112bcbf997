"""monitor.docs.reconcile: a broken doc keeps its last good version, a removed one is listed, a good
change replaces the old version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.monitor._serve import doc_id, http_doc
from wiremap.catalog import load
from wiremap.document import ParsedDoc
from wiremap.monitor.docs import LOST_HOST, reconcile


def _has_host(doc: ParsedDoc) -> bool:
    return bool(doc.integration.destination_host)


def test_broken_docs_keep_their_last_good_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # display paths are relative to the working directory
    docs = tmp_path / "docs"
    docs.mkdir()
    texts = {tag: http_doc(tag, 9000) for tag in ("empty", "latin", "cut", "gone", "edited")}
    for tag, text in texts.items():
        (docs / f"{tag}.md").write_text(text, encoding="utf-8")
    first = reconcile(load([docs]), {}, _has_host)
    assert len(first.good) == 5 and not first.broken and not first.removed

    (docs / "empty.md").write_bytes(b"")
    (docs / "latin.md").write_bytes("caf\u00e9".encode("latin-1"))
    (docs / "cut.md").write_text(texts["cut"][: texts["cut"].index("## Quick Reference")], encoding="utf-8")
    os.remove(docs / "gone.md")
    (docs / "edited.md").write_text(texts["edited"].replace("9000", "9001"), encoding="utf-8")
    second = reconcile(load([docs]), first.good, _has_host)

    assert [d.integration.id for d in second.removed] == [doc_id("gone")]
    findings = {key: finding for key, (_path, finding) in second.broken.items()}
    assert findings == {
        doc_id("empty"): "the file is empty (0 bytes)",
        doc_id("latin"): findings[doc_id("latin")],
        doc_id("cut"): LOST_HOST,
    }
    assert "not UTF-8" in findings[doc_id("latin")]
    monitored = {d.integration.id: d for d in second.catalog.docs}
    assert set(monitored) == {doc_id(t) for t in ("empty", "latin", "cut", "edited")}
    for tag in ("empty", "latin", "cut"):  # the last good versions, as they were
        assert monitored[doc_id(tag)] is first.good[f"docs/{tag}.md"]
    assert monitored[doc_id("edited")].integration.destination_port == 9001  # a good change is taken

    (docs / "empty.md").write_text(texts["empty"], encoding="utf-8")  # fixed
    third = reconcile(load([docs]), second.good, _has_host)
    assert doc_id("empty") not in third.broken and not third.removed
    assert set(third.broken) == {doc_id("latin"), doc_id("cut")}
