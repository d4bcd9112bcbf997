"""A new user's messy docs and a small Python and Go tree: a Client written as the code writes it
(``mqtt.Client``, ``socket.create_connection``, Go's ``http.Get``) is found at its call site, by lint's
SRC003/SRC004, by sync and by discover's drafts alike (one resolution: ``code/locate.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap
from tests.code._git import repo_of
from wiremap.cli.main import main
from wiremap.code.index import index_tree
from wiremap.code.locate import as_written, client_lines, qualified

MQTT = """import os

import paho.mqtt.client as mqtt


def publish(reading):
    c = mqtt.Client()
    c.connect(os.getenv("MQTT_HOST", "127.0.0.1"), 1883)
    c.publish("sensors/temp", reading)
"""

MQTT_FROM = """from paho.mqtt import client


def publish(reading):
    c = client.Client()
    c.connect("127.0.0.1", 1883)
"""

RAW = """import socket


def send(data):
    s = socket.create_connection(("127.0.0.1", 7000))
    s.sendall(data)
"""

GO = """package main

import (
	"fmt"
	web "net/http"
	"net/http"
)

func main() {
	resp, err := http.Get("http://127.0.0.1:9200/health")
	if err != nil {
		return
	}
	fmt.Println(resp.Status)
	web.Head("http://127.0.0.1:9200/")
}
"""


def doc(source: str, client: str, dest: str = "Peer (127.0.0.1:1883)") -> str:
    return f"""# Integration: Sensors → Peer

**Purpose:** Fixture
**Protocol:** TCP
**Direction:** Unidirectional
**Critical Path:** No

---

## Quick Reference

**Source:** `{source}`
**Destination:** {dest}
**Client:** `{client}`

---

## Recent Changes

**2026-11-10:**
- First version

---

**Last Updated:** 2026-11-10
**Maintained By:** Sensors Team
"""


CODE = {
    "code/sensors/mqtt_pub.py": MQTT,
    "code/sensors/mqtt_from.py": MQTT_FROM,
    "code/sensors/raw.py": RAW,
    "code/gofetch/main.go": GO,
}
# the Source lines are off by two: SRC003 and sync must find the Client's call site to say where it is
DOCS = {
    "mqtt.md": doc("code/sensors/mqtt_pub.py:9", "mqtt.Client"),
    "mqtt-from.md": doc("code/sensors/mqtt_from.py:3", "client.Client"),
    "raw.md": doc("code/sensors/raw.py:3", "socket.create_connection"),
    "go.md": doc("code/gofetch/main.go:12", "http.Get"),
    "go-alias.md": doc("code/gofetch/main.go:12", "web.Head"),
}
WHERE = {"mqtt.md": 7, "mqtt-from.md": 5, "raw.md": 5, "go.md": 10, "go-alias.md": 15}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    docs = {f"docs/{k}": v for k, v in DOCS.items()}
    repo = repo_of(
        tmp_path / "repo",
        {"wiremap.toml": 'docs = "docs"\nroot = "."\nsource-line-window = 1\n', **CODE, **docs},
    )
    monkeypatch.chdir(repo)
    return repo


def test_one_resolution_of_a_client_written_as_the_code_writes_it(repo: Path) -> None:
    index = index_tree(repo, use_cache=False)
    mqtt, mqtt_from, go = (
        index.files[p]
        for p in ("code/sensors/mqtt_pub.py", "code/sensors/mqtt_from.py", "code/gofetch/main.go")
    )
    assert qualified(mqtt, "mqtt.Client") == "paho.mqtt.client.Client"
    assert qualified(mqtt_from, "client.Client") == "paho.mqtt.client.Client"
    assert qualified(go, "http.Get") == "net/http.Get" and qualified(go, "web.Head") == "net/http.Head"
    assert qualified(mqtt, "Client") is None and qualified(mqtt, "nope.Client") is None
    assert client_lines(mqtt, "mqtt.Client") == [(7, 7)]
    assert client_lines(mqtt, "paho.mqtt.client.Client") == [(7, 7)]  # by its import, too
    assert client_lines(index.files["code/sensors/raw.py"], "socket.create_connection") == [(5, 5)]
    assert client_lines(go, "http.Get") == [(10, 10)]
    assert as_written(go, "net/http.Get") in ("http.Get", "web.Get")
    assert as_written(mqtt, "paho.mqtt.client.Client") == "mqtt.Client"


def test_lint_and_sync_find_the_client_at_its_call_site(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC004"])
    by_doc = {Path(f.path).name: f for f in found}
    assert not [f for f in found if f.code == "SRC004"], found
    for name, line in WHERE.items():  # SRC003 names the call site: the line sync moves the Source to
        assert f"it is at line {line} now" in by_doc[name].message, by_doc[name]
    capsys.readouterr()
    assert main(["sync", "--write", "docs"]) == 0
    err = capsys.readouterr().err
    assert "skipped" not in err, err
    for name, line in WHERE.items():
        source = next(
            x for x in (repo / "docs" / name).read_text().splitlines() if x.startswith("**Source:**")
        )
        assert source.endswith(f":{line}`"), (name, source)
    assert wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC004"]) == []


def test_discover_drafts_a_client_lint_and_sync_find(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in DOCS:
        (repo / "docs" / name).unlink()
    assert main(["discover", ".", "--no-cache", "--scaffold", "drafts"]) == 0
    draft = next((repo / "drafts").glob("gofetch-*.md")).read_text()
    assert "**Client:** `http.Get`" in draft or "**Client:** `web.Get`" in draft, draft
    (repo / "docs" / "go.md").write_text(draft)
    assert [f for f in wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC004"])] == []
    capsys.readouterr()
    main(["sync", "docs"])
    assert "skipped" not in capsys.readouterr().err
