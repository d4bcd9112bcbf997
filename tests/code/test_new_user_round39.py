"""discover on a service whose addresses live in a settings module (new user, round 39).

Each test failed before its fix: the settings module's values were lost (targets ``?``, a wrong port
hidden as "documented"), a module picked at run time was missed, a documented subclass's base class was
an undocumented integration, and two unnamed destinations made two drafts of one title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wiremap.cli.main import main
from wiremap.code.index import index_tree

SETTINGS = '''"""Every env read goes through env()."""
import os


def env(name, default=None):
    return os.environ.get(name, default)


GEO_API_URL = env("GEO_API_URL", "http://127.0.0.1:21011")
REDIS_URL = env("ORDERS_REDIS_URL", "redis://127.0.0.1:6379/2")
SMTP_HOST = env("SMTP_HOST", "127.0.0.1")
WEBHOOK_URL = env("AUDIT_WEBHOOK_URL", "http://127.0.0.1:21013/hooks/audit")
BILLING_API_URL = env("BILLING_API_URL", "http://127.0.0.1:21010")
'''

FILES = {
    "orders/__init__.py": "",
    "orders/settings.py": SETTINGS,
    "orders/geo.py": (
        "import httpx\n\nfrom orders import settings\n\n\nclass GeoClient:\n    def __init__(self):\n"
        "        self.http = httpx.Client(base_url=settings.GEO_API_URL)\n"
    ),
    "orders/cache.py": (
        "import redis\n\nfrom orders import settings\n\n\nclass RedisCache:\n"
        "    def __init__(self, url: str = settings.REDIS_URL):\n        self.r = redis.Redis.from_url(url)\n"
    ),
    "orders/mailer.py": (
        "import smtplib\n\nfrom orders.settings import SMTP_HOST\n\n\ndef send(msg):\n"
        "    with smtplib.SMTP(SMTP_HOST, 2525) as s:\n        s.send_message(msg)\n"
    ),
    "orders/audit.py": (
        "import importlib\n\nfrom orders import settings\n\n"
        '_lib = settings.env("AUDIT_HTTP_LIB", "requests")\nhttp = importlib.import_module(_lib)\n\n\n'
        "def audit(event):\n    http.post(settings.WEBHOOK_URL, json=event)\n"
    ),
    "orders/pick.py": (
        "import httpx\nimport requests\n\nFAST = True\nlib = httpx if FAST else requests\n\n\n"
        'def ping():\n    lib.get("http://127.0.0.1:21017/ping")\n'
    ),
    "orders/base.py": (
        "import requests\n\n\nclass BaseApiClient:\n    def __init__(self, base_url):\n"
        "        self.base_url = base_url\n        self.session = requests.Session()\n\n"
        "    def _get(self, path):\n        return self.session.get(self.base_url + path)\n"
    ),
    "orders/billing.py": (
        "from orders import settings\nfrom orders.base import BaseApiClient\n\n\n"
        "class BillingClient(BaseApiClient):\n    def __init__(self):\n"
        "        super().__init__(settings.BILLING_API_URL)\n\n    def status(self):\n"
        '        return self._get("/health")\n'
    ),
}

DOC = """# Integration: Orders → {dest}

## Quick Reference

**Source:** `{source}`
**Destination:** {dest} ({addr})
**Protocol:** {protocol}
**Client:** `{client}`
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "cache.md").write_text(
        DOC.format(
            dest="Cache",
            source="orders/cache.py:6",
            addr="127.0.0.1:6390",
            protocol="Redis",
            client="RedisCache",
        )
    )
    (docs / "billing.md").write_text(
        DOC.format(
            dest="Billing",
            source="orders/billing.py:5",
            addr="127.0.0.1:21010",
            protocol="HTTP",
            client="BillingClient",
        )
    )
    (tmp_path / "wiremap.toml").write_text('docs = "docs"\nroot = "."\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _discover(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    main(["discover", ".", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_a_setting_of_another_module_is_the_target_and_its_variable(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = {(s["path"], s["line"]): s for s in _discover(capsys)["sites"]}
    geo = sites[("orders/geo.py", 8)]
    assert (geo["target"], geo["env"]) == ("http://127.0.0.1:21011", "GEO_API_URL")
    # through a parameter's default, and the port the call gives beside the host
    assert sites[("orders/cache.py", 8)]["target"] == "redis://127.0.0.1:6379/2"
    assert sites[("orders/mailer.py", 7)]["target"] == "127.0.0.1:2525"


def test_a_wrong_port_behind_a_setting_is_said(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = next(s for s in _discover(capsys)["sites"] if s["path"] == "orders/cache.py")
    assert cache["doc"] == "docs/cache.md" and ":6390" in (cache["mismatch"] or "")


def test_a_module_picked_at_run_time_is_the_client_it_names(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = {(s["path"], s["line"]): s for s in _discover(capsys)["sites"]}
    assert sites[("orders/audit.py", 10)]["client"] == "requests.post"
    assert sites[("orders/audit.py", 10)]["target"] == "http://127.0.0.1:21013/hooks/audit"
    assert sites[("orders/pick.py", 9)]["client"] == "httpx.get"


def test_env_reads_through_another_modules_helper(project: Path) -> None:
    reads = {(e.path, e.name) for e in index_tree(project, use_cache=False).env_reads()}
    assert ("orders/audit.py", "AUDIT_HTTP_LIB") in reads
    assert ("orders/settings.py", "GEO_API_URL") in reads


def test_the_base_class_of_a_documented_client_is_documented(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [s for s in _discover(capsys)["sites"] if s["path"] == "orders/base.py"]
    assert base and all(s["doc"] == "docs/billing.md" for s in base), base


def test_drafts_of_unnamed_destinations_have_titles_of_their_own(tmp_path: Path) -> None:
    for name, cls in (("geo", "GeoClient"), ("maps", "MapsClient")):
        (tmp_path / f"{name}.py").write_text(
            f"import requests\n\n\nclass {cls}:\n    def get(self, url):\n        return requests.get(url)\n"
        )
    drafts, docs = tmp_path / "drafts", tmp_path / "docs"
    docs.mkdir()
    main(["discover", str(tmp_path), "--docs", str(docs), "--scaffold", str(drafts)])
    titles = sorted(p.read_text().split("\n", 1)[0] for p in drafts.iterdir())
    assert len(titles) == 2 and len(set(titles)) == 2, titles


def test_src006_names_the_variable_a_setting_gives_the_call(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["lint", "docs", "--select", "SRC006"])
    out = capsys.readouterr().out
    assert "cache.md" in out and "ORDERS_REDIS_URL" in out, out
