"""``--config`` (and ``$WIREMAP_CONFIG``) names the config: a config near the docs is not read, also not
for the project root of the SRC rules, sync and discover. A new user's ``docs/wiremap.toml`` with
``root = "../code"`` (outside its folder: refused as a repository's config) stopped ``lint``, ``sync`` and
``discover`` with exit 2 even with a runner's config named; verify, show and fmt already ignored it."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiremap.cli.main import main

CODE = """import os

import paho.mqtt.client as mqtt


def publish(reading):
    c = mqtt.Client()
    c.connect(os.getenv("MQTT_HOST", "127.0.0.1"), 1883)
"""

DOC = """# Integration: Sensors → MQTT Broker

**Purpose:** Publishes readings
**Protocol:** MQTT
**Direction:** Unidirectional
**Critical Path:** No

---

## Quick Reference

**Source:** `mqtt_pub.py:7`
**Destination:** MQTT Broker (127.0.0.1:1883)
**Client:** `mqtt.Client`

---

## Configuration

**Environment Variables:**
```bash
export MQTT_HOST=127.0.0.1  # broker host
```

---

**Last Updated:** 2026-11-10
**Maintained By:** Sensors Team
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # in no git repository
    monkeypatch.delenv("WIREMAP_CONFIG", raising=False)
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "mqtt_pub.py").write_text(CODE)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "sensors-to-mqtt.md").write_text(DOC)
    (tmp_path / "docs" / "wiremap.toml").write_text('root = "../code"\n')
    (tmp_path / "runner.toml").write_text(f'[tool.wiremap]\nroot = "{tmp_path / "code"}"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_without_a_named_config_the_docs_config_is_refused(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--select", "SRC", "docs"]) == 2
    assert "only the runner's config (--config) may name paths outside it" in capsys.readouterr().err


@pytest.mark.parametrize("how", ["--config", "WIREMAP_CONFIG"])
def test_the_runners_config_is_the_config_for_lint_sync_and_discover(
    tree: Path, how: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    named: list[str] = []
    if how == "--config":
        named = ["--config", str(tree / "runner.toml")]
    else:
        monkeypatch.setenv("WIREMAP_CONFIG", str(tree / "runner.toml"))
    assert main(["lint", "--select", "SRC", "docs", *named]) == 0
    assert main(["sync", "docs", *named]) == 0
    assert "1 already in sync" in capsys.readouterr().err  # compared with the code under the runner's root
    assert main(["discover", "code", "--no-cache", "--docs", "docs", *named]) == 0
    out = capsys.readouterr()
    assert "documented by docs/sensors-to-mqtt.md" in out.out, out
    # the named root is the root: the Source is checked against it (here: a Client the file lacks)
    (tree / "docs" / "sensors-to-mqtt.md").write_text(DOC.replace("mqtt.Client", "MqttPublisher"))
    assert main(["lint", "--select", "SRC004", "docs", *named]) == 1
    assert (
        f"Client MqttPublisher is not defined or imported anywhere under {tree / 'code'}"
        in capsys.readouterr().out
    )
