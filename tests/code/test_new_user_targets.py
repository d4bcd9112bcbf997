"""discover follows what the code states to a target: a module-level constant read from the environment
that reaches the client as a parameter's default or a constructor argument, and a literal port beside a
host (a new user's billing and sensors code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wiremap.cli.main import main
from wiremap.code.python import index_python

LEDGER = """import os

import requests

LEDGER_URL = os.environ.get("LEDGER_BASE_URL", "http://127.0.0.1:9101")


class LedgerClient:
    def __init__(self, base_url=LEDGER_URL, *, retries: int = 2):
        self.base_url = base_url
        self.session = requests.Session()

    def post_entry(self, entry):
        return self.session.post(f"{self.base_url}/v1/entries", json=entry, timeout=5)
"""

MQTT = """import os

import paho.mqtt.client as mqtt

PORT = int(os.getenv("MQTT_PORT", "1884"))


def publish(reading):
    c = mqtt.Client()
    c.connect(os.getenv("MQTT_HOST","127.0.0.1"), 1883)
    c.connect(host=os.getenv("MQTT_HOST", "127.0.0.1"), port=PORT)
    c.connect("broker.internal")
"""


def _sites(src: str) -> list[tuple[int, str | None, str | None]]:
    return [(s.line, s.target, s.env) for s in index_python("x.py", src.encode(), "s").sites]


def test_a_parameter_default_from_a_module_level_env_read_is_followed() -> None:
    assert (14, "http://127.0.0.1:9101/v1/entries", "LEDGER_BASE_URL") in _sites(LEDGER)
    # a keyword-only default, and an argument the caller gives, which wins over the default
    kw = LEDGER.replace("base_url=LEDGER_URL, *, retries", "*, base_url: str = LEDGER_URL, retries")
    assert (14, "http://127.0.0.1:9101/v1/entries", "LEDGER_BASE_URL") in _sites(kw)
    given = LEDGER + '\n\nCLIENT = LedgerClient("http://ledger.internal:9200")\n'
    assert (14, "http://ledger.internal:9200/v1/entries", None) in _sites(given)


def test_a_literal_port_beside_the_host_is_kept() -> None:
    assert _sites(MQTT) == [
        (10, "127.0.0.1:1883", "MQTT_HOST"),
        (11, "127.0.0.1:1884", "MQTT_HOST"),  # port=PORT: a constant with an env default
        (12, "broker.internal", None),  # no port given: the host alone
    ]


def test_discover_and_its_drafts_name_the_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for rel, text in {"billing/ledger.py": LEDGER, "sensors/mqtt_pub.py": MQTT}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "none").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["discover", ".", "--no-cache", "--format", "json", "--docs", str(tmp_path / "none")]) == 0
    found = json.loads(capsys.readouterr().out)
    by_source = {g["source"]: g for g in found["integrations"]}
    assert by_source["billing"]["destination"] == "127.0.0.1:9101"
    assert by_source["billing"]["env"] == "LEDGER_BASE_URL"
    assert by_source["sensors"]["destination"] == "127.0.0.1:1883"
    assert (
        main(["discover", ".", "--no-cache", "--scaffold", "drafts", "--docs", str(tmp_path / "none")]) == 0
    )
    drafts = "\n".join(p.read_text() for p in (tmp_path / "drafts").glob("*.md"))
    assert "(127.0.0.1:9101)" in drafts and "(127.0.0.1:1883)" in drafts
    assert "[host:port]" not in drafts.split("## Integration Flow")[0], drafts
