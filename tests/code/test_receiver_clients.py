"""A Client written as ``receiver.method``, where the receiver is a variable or field the Source file
defines (Go's ``var client = &http.Client{…}`` then ``client.Post(…)``), is in the file: SRC004 and
sync's skip agree with discover, which reports the call site at that line (new-user round 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap
from tests.code._git import repo_of
from tests.code.test_new_user_clients import doc
from wiremap.cli.main import main
from wiremap.code.locate import receiver_calls

GO = """package notify

import (
	"net/http"
	"os"
	"time"
)

var client = &http.Client{Timeout: 3 * time.Second}

func Send(msg string) error {
	url := os.Getenv("NOTIFY_URL")
	_, err := client.Post(url+"/send", "application/json", nil)
	return err
}
"""

PY = """import requests


class Pay:
    def __init__(self):
        self.session = requests.Session()

    def charge(self):
        return self.session.post("http://127.0.0.1:9000/charge")


http = requests.Session()
http.get("http://127.0.0.1:9000/health")
"""

TS = """import axios from "axios";

const api = axios.create({ baseURL: "http://127.0.0.1:9100" });

export async function ping() {
  return api.get("/ping");
}
"""

CODE = {"services/notify/pub.go": GO, "services/pay/pay.py": PY, "web/api.ts": TS}
DOCS = {
    "notify.md": doc("services/notify/pub.go:13", "client.Post"),
    "pay.md": doc("services/pay/pay.py:9", "self.session.post"),
    "pay-module.md": doc("services/pay/pay.py:13", "http.get"),
    "api.md": doc("web/api.ts:6", "api.get"),
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    docs = {f"docs/{k}": v for k, v in DOCS.items()}
    repo = repo_of(tmp_path / "repo", {"wiremap.toml": 'docs = "docs"\nroot = "."\n', **CODE, **docs})
    monkeypatch.chdir(repo)
    return repo


def test_receiver_calls_need_a_receiver_the_file_defines() -> None:
    assert receiver_calls(GO.splitlines(), "client.Post") == {13}
    assert receiver_calls(PY.splitlines(), "self.session.post") == {9}
    assert receiver_calls(PY.splitlines(), "session.post") == {9}  # the field, without its owner
    assert receiver_calls(PY.splitlines(), "http.get") == {13}
    assert receiver_calls(TS.splitlines(), "api.get") == {6}
    assert receiver_calls(GO.splitlines(), "other.Post") == set()  # no such variable
    assert receiver_calls(GO.splitlines(), "client.Get") == set()  # not called
    assert receiver_calls(GO.splitlines(), "Post") == set()


def test_lint_and_sync_find_a_method_called_on_a_variable_of_the_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC004"])
    assert found == [], found
    capsys.readouterr()
    main(["sync", "docs"])
    assert "skipped" not in capsys.readouterr().err


def test_a_receiver_the_file_does_not_define_is_still_missing(repo: Path) -> None:
    (repo / "docs" / "notify.md").write_text(doc("services/notify/pub.go:13", "notifier.Post"))
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC004"])
    assert [(Path(f.path).name, f.code) for f in found] == [("notify.md", "SRC004")], found


VARS_PY = """import redis

feature_cache = redis.Redis.from_url("redis://127.0.0.1:6379/0")
"""
VARS_JS = """const pRetry = require('p-retry');
const axios = require('axios');

const searchClient = axios.create({ baseURL: 'http://127.0.0.1:9200' });

async function fetchThumb(id) {
  return searchClient.get(`/thumbs/${id}`);
}

async function getThumb(id) {
  return pRetry(() => fetchThumb(id), { retries: 5 });
}
"""


def test_a_client_that_is_a_variable_of_the_file_is_found_where_it_is_defined_or_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``feature_cache = redis.Redis.from_url(…)`` and ``const searchClient = axios.create(…)`` were
    "not defined or imported anywhere" (SRC004) and sync skipped their docs while discover matched
    them; ``pRetry`` documented at its call on line 12 was "at line 1 now", its ``require`` (new user,
    round 16)."""
    docs = {
        "docs/cache.md": doc("services/cache.py:3", "feature_cache"),
        "docs/search.md": doc("web/thumbs.js:4", "searchClient"),
        "docs/thumbs.md": doc("web/thumbs.js:12", "pRetry"),
    }
    code = {"services/cache.py": VARS_PY, "web/thumbs.js": VARS_JS}
    repo = repo_of(tmp_path / "repo", {"wiremap.toml": 'docs = "docs"\nroot = "."\n', **code, **docs})
    monkeypatch.chdir(repo)
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC004"])
    assert found == [], found
    capsys.readouterr()
    main(["sync", "docs"])
    out = capsys.readouterr()
    assert "skipped" not in out.err and "→ 1" not in out.out, out


def test_sync_says_when_a_source_line_past_the_end_has_nowhere_to_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Source: orders/device.py:31`` against an 18-line file with Client ``paho-mqtt`` (a package, no
    name of the code): lint said SRC002, sync said nothing of it (new user, round 16)."""
    code = {"orders/device.py": "import paho.mqtt.client as mqtt\n" + "\n" * 17}
    docs = {"docs/printer.md": doc("orders/device.py:31", "paho-mqtt")}
    repo = repo_of(tmp_path / "repo", {"wiremap.toml": 'docs = "docs"\nroot = "."\n', **code, **docs})
    monkeypatch.chdir(repo)
    capsys.readouterr()
    main(["sync", "docs"])
    err = capsys.readouterr().err
    assert "note: docs/printer.md: Source line 31 is past the end of orders/device.py" in err, err
