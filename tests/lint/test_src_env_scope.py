"""SRC005 and SRC006 on a new user's messy code: a file with several integrations, variables read by
drivers on their own, and template placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap

NOTIFY = '''"""Three brokers, one function each."""

import os

import paho.mqtt.client as mqtt

AMQP_URL = os.environ["NOTIFY_AMQP_URL"]
BROKER_HOST = os.getenv("NOTIFY_BROKER_HOST", "127.0.0.1")
MQTT_PORT = int(os.getenv("NOTIFY_MQTT_PORT", "1883"))
MQTT_ADDR = (BROKER_HOST, MQTT_PORT)


def _client_id():
    return os.getenv("NOTIFY_MQTT_CLIENT_ID", "notify")


def mqtt_conn():
    client = mqtt.Client(client_id=_client_id())
    client.username_pw_set(os.environ["NOTIFY_MQTT_USER"])
    client.connect(*MQTT_ADDR)
    return client


def amqp_conn():
    import pika

    return pika.BlockingConnection(pika.URLParameters(AMQP_URL))


def nats_conn():
    import nats

    return nats.connect(os.environ["NOTIFY_NATS_URL"])
'''


def _doc(title: str, source: str, client: str, protocol: str, env: list[str]) -> str:
    exports = "\n".join(f"export {name}=x  # {name.lower()}" for name in env)
    return f"""# Integration: Notify → {title}

**Purpose:** Fixture
**Protocol:** {protocol}
**Direction:** Unidirectional
**Critical Path:** No

---

## Quick Reference

**Source:** `{source}`
**Destination:** {title} (127.0.0.1:1883)
**Client:** `{client}`

---

## Configuration

**Environment Variables:**
```bash
{exports}
```

---

**Last Updated:** 2026-11-28
**Maintained By:** Notify Team
"""


def _tree(tmp_path: Path, docs: dict[str, str], code: dict[str, str]) -> Path:
    (tmp_path / "wiremap.toml").write_text('docs = "docs"\nroot = "."\n')
    for rel, text in {**code, **{f"docs/{k}": v for k, v in docs.items()}}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path / "docs"


def _messages(docs: Path, code: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in wiremap.lint_catalog(wiremap.load(docs), select=[code]):
        out.setdefault(Path(f.path).name, []).append(f.message)
    return out


def test_src006_asks_only_for_what_the_integrations_code_reads(tmp_path: Path) -> None:
    docs = _tree(
        tmp_path,
        {
            "mqtt.md": _doc(
                "MQTT Broker", "services/notify/bus.py:17", "mqtt_conn", "MQTT", ["NOTIFY_MQTT_USER"]
            ),
            "amqp.md": _doc("AMQP Broker", "services/notify/bus.py:24", "amqp_conn", "AMQP", []),
            "nats.md": _doc("NATS", "services/notify/bus.py:30", "nats_conn", "NATS", ["NOTIFY_NATS_URL"]),
        },
        {"services/notify/bus.py": NOTIFY},
    )
    found = _messages(docs, "SRC006")
    mqtt = " ".join(found.get("mqtt.md", []))
    # the function's own reads, the module-level names it uses (through MQTT_ADDR) and its helper's
    for name in ("NOTIFY_BROKER_HOST", "NOTIFY_MQTT_PORT", "NOTIFY_MQTT_CLIENT_ID"):
        assert name in mqtt, found
    # other functions' reads, and a variable another doc of the file lists, are never asked of it
    assert "NOTIFY_AMQP_URL" not in mqtt and "NOTIFY_NATS_URL" not in mqtt, found
    assert len(found["mqtt.md"]) == 3, found
    # the module-level read amqp_conn uses is its own
    assert [m for m in found["amqp.md"] if "NOTIFY_AMQP_URL" in m] and len(found["amqp.md"]) == 1, found
    assert "nats.md" not in found, found


def test_src006_a_variable_another_doc_of_the_file_lists_is_not_asked(tmp_path: Path) -> None:
    docs = _tree(
        tmp_path,
        {
            "a.md": _doc("A", "services/notify/bus.py:17", "mqtt_conn", "MQTT", ["NOTIFY_MQTT_USER"]),
            "b.md": _doc(
                "B",
                "services/notify/bus.py:17",
                "mqtt_conn",
                "MQTT",
                ["NOTIFY_BROKER_HOST", "NOTIFY_MQTT_PORT", "NOTIFY_MQTT_CLIENT_ID"],
            ),
        },
        {"services/notify/bus.py": NOTIFY},
    )
    assert _messages(docs, "SRC006") == {}


def test_src005_variables_drivers_read_on_their_own_and_placeholders(tmp_path: Path) -> None:
    code = {
        "app/db.py": "import os\n\nimport psycopg\n\n\n"
        'def connect():\n    return psycopg.connect(os.environ["DB_URL"])\n'
    }
    pg = [
        "DB_URL",
        "PGPASSWORD",
        "PGSSLMODE",
        "AWS_REGION",
        "HTTPS_PROXY",
        "REQUESTS_CA_BUNDLE",
        "[VAR_NAME]",
        "DB_URI",
    ]
    docs = _tree(tmp_path, {"db.md": _doc("Orders DB", "app/db.py:6", "connect", "PostgreSQL", pg)}, code)
    found = _messages(docs, "SRC005")
    # libpq reads PGPASSWORD and PGSSLMODE, the AWS SDK AWS_REGION, every HTTP client HTTPS_PROXY;
    # [VAR_NAME] is a placeholder (DOC003's); REQUESTS_CA_BUNDLE is requests', not this PostgreSQL doc's
    assert sorted(m.split()[2] for m in found["db.md"]) == ["DB_URI", "REQUESTS_CA_BUNDLE"], found


def test_src005_pg_variables_count_only_for_postgresql(tmp_path: Path) -> None:
    code = {
        "app/http.py": "import os\n\nimport requests\n\n\n"
        'def get():\n    return requests.get(os.environ["API_URL"])\n'
    }
    docs = _tree(
        tmp_path,
        {
            "api.md": _doc(
                "API", "app/http.py:6", "get", "HTTP", ["API_URL", "PGPASSWORD", "REQUESTS_CA_BUNDLE"]
            )
        },
        code,
    )
    assert [m.split()[2] for m in _messages(docs, "SRC005")["api.md"]] == ["PGPASSWORD"]


LEDGER = '''"""Billing's ledger client. LEDGER_TIMEOUT sets TIMEOUT, for the health check."""

import os

import requests

LEDGER_URL = os.environ.get("LEDGER_BASE_URL", "http://127.0.0.1:9101")
TIMEOUT = float(os.environ.get("LEDGER_TIMEOUT", "2.5"))  # the health check's, not LedgerClient's

# the client


class LedgerClient:
    """Posts entries; TIMEOUT is not used here (see ``TIMEOUT`` above)."""

    TIMEOUT = 5.0

    def __init__(self, base_url=LEDGER_URL):
        self.base_url = base_url
        self.session = requests.Session()

    def post_entry(self, entry, TIMEOUT=None):
        return self.session.post(f"{self.base_url}/v1/entries", json=entry, timeout=self.TIMEOUT)


def health():
    return requests.get(LEDGER_URL + "/healthz", timeout=TIMEOUT)
'''


@pytest.mark.parametrize("line", [13, 9, 10, 8])
def test_src006_follows_only_the_names_the_integrations_code_uses(tmp_path: Path, line: int) -> None:
    """Not a word in a docstring or comment, an attribute (``self.TIMEOUT``), a parameter of the same
    name, nor the module-level statement a Source line a few lines off lands on (13: the class; 9 and 10:
    blank and comment lines after ``TIMEOUT = …``; 8: that statement itself, with the Client elsewhere)."""
    docs = _tree(
        tmp_path,
        {
            "ledger.md": _doc(
                "Ledger", f"billing/ledger.py:{line}", "LedgerClient", "HTTP", ["LEDGER_BASE_URL"]
            )
        },
        {"billing/ledger.py": LEDGER},
    )
    assert _messages(docs, "SRC006") == {}
    # the health check uses TIMEOUT: its doc is asked for LEDGER_TIMEOUT
    (docs / "health.md").write_text(_doc("Health", "billing/ledger.py:26", "health", "HTTP", []))
    found = _messages(docs, "SRC006")
    assert len(found["health.md"]) == 1 and "LEDGER_TIMEOUT" in found["health.md"][0], found


def test_env_vars_written_as_name_value_list_items_are_read(tmp_path: Path) -> None:
    """Found by a new user: ``- MQTT_HOST=127.0.0.1`` and ``- `PARTNER_HOOK_URL=http://…` `` under
    Environment Variables were dropped (only ``NAME: purpose`` items were read): SRC006 said the code reads
    a variable the doc does not list, and SRC005 never checked a listed one nobody reads."""
    env = ["NOTIFY_MQTT_USER", "NOTIFY_BROKER_HOST", "NOTIFY_MQTT_PORT", "NOTIFY_MQTT_CLIENT_ID"]
    doc = _doc("MQTT Broker", "services/notify/bus.py:17", "mqtt_conn", "MQTT", env)
    items = (
        "- NOTIFY_MQTT_USER=notify\n"
        "- `NOTIFY_BROKER_HOST=127.0.0.1` # the broker's host\n"
        "- NOTIFY_MQTT_PORT=1883 — the broker's port\n"
        "- NOTIFY_MQTT_CLIENT_ID: the client id\n"
        "- `PARTNER_HOOK_URL=http://127.0.0.1:9000/hook`: a leftover\n"
    )
    start = doc.index("```bash")
    doc = doc[:start] + items + doc[doc.index("```\n", start + 7) + 4 :]
    docs = _tree(tmp_path, {"mqtt.md": doc}, {"services/notify/bus.py": NOTIFY})
    assert _messages(docs, "SRC006") == {}
    found = _messages(docs, "SRC005")
    assert [m.split()[2] for m in found["mqtt.md"]] == ["PARTNER_HOOK_URL"], found
    (finding,) = wiremap.lint_catalog(wiremap.load(docs), select=["SRC005"])
    assert doc.split("\n")[finding.line - 1].startswith("- `PARTNER_HOOK_URL=")


def test_env_vars_in_a_table_are_documented(tmp_path: Path) -> None:
    """SRC006 said a variable listed in an Environment Variables table was undocumented, and VAL010 said
    nothing (found by a new user, round 12): the table's rows are the variables, a row naming none is
    VAL010's."""
    table = "| Variable | Purpose |\n|---|---|\n| `NOTIFY_NATS_URL` | the server |\n| the NATS token | - |\n"
    text = _doc("NATS", "services/notify/bus.py:30", "nats_conn", "NATS", [])
    text = text.replace("```bash\n\n```", table)
    docs = _tree(tmp_path, {"nats.md": text}, {"services/notify/bus.py": NOTIFY})
    catalog = wiremap.load(docs)
    assert [e.name for e in catalog.integrations[0].env_vars] == ["NOTIFY_NATS_URL"]
    assert _messages(docs, "SRC006") == {}
    assert _messages(docs, "SRC005") == {}
    [row] = list(wiremap.lint_catalog(catalog, select=["VAL010"]))
    assert row.line == text.split("\n").index("| the NATS token | - |") + 1
    assert "a table row" in row.message


def test_words_under_environment_variables_are_val010s(tmp_path: Path) -> None:
    """Words where the variables go name none to wiremap: VAL010 says so, at their line."""
    text = _doc("NATS", "services/notify/bus.py:30", "nats_conn", "NATS", [])
    text = text.replace("```bash\n\n```", "The server URL goes in NOTIFY_NATS_URL.")
    docs = _tree(tmp_path, {"nats.md": text}, {"services/notify/bus.py": NOTIFY})
    catalog = wiremap.load(docs)
    assert catalog.integrations[0].env_vars == []
    [words] = list(wiremap.lint_catalog(catalog, select=["VAL010"]))
    assert words.line == text.split("\n").index("The server URL goes in NOTIFY_NATS_URL.") + 1


def test_val010_quotes_an_item_masked_before_it_cuts_it(tmp_path: Path) -> None:
    """VAL010 cut the item at 60 characters and then masked it: the cut GitHub token was no longer one
    to the masker and 28 of its characters were printed (new user, round 15)."""
    token = "ghp_R4nd0mT0k3nV4lu3Xy9AbCdEfGhIjKlMn12"
    text = _doc("NATS", "services/notify/bus.py:30", "nats_conn", "NATS", [])
    text = text.replace("```bash\n\n```", f"- Token for the dashboard is {token} (remove later)")
    docs = _tree(tmp_path, {"nats.md": text}, {"services/notify/bus.py": NOTIFY})
    [finding] = list(wiremap.lint_catalog(wiremap.load(docs), select=["VAL010"]))
    assert "***" in finding.message
    assert token[4:20] not in finding.message


def test_src005_does_not_judge_a_source_file_in_a_language_it_does_not_read(tmp_path: Path) -> None:
    """``System.getenv("TAX_API_URL")`` in TaxClient.java: SRC005 said the variable "is never read in the
    code" (new user, round 16): wiremap does not index Java, so it does not know."""
    java = 'class TaxClient {\n  String url = System.getenv("TAX_API_URL");\n}\n'
    docs = _tree(
        tmp_path,
        {"tax.md": _doc("Tax API", "src/TaxClient.java:2", "TaxClient", "HTTP", ["TAX_API_URL"])},
        {"src/TaxClient.java": java},
    )
    assert _messages(docs, "SRC005") == {}


SETTINGS = {
    "billing/__init__.py": "",
    "billing/envutil.py": (
        "import os\n\n\ndef env_str(name, default=None):\n    value = os.environ.get(name)\n"
        "    return value if value is not None else default\n\n\n"
        "def env_int(name, default):\n    return int(os.getenv(name, str(default)))\n"
    ),
    "billing/settings.py": (
        '"""Settings."""\nimport os\n\nfrom billing.envutil import env_int, env_str\n\n'
        'REDIS_URL = os.environ.get("BILL_REDIS_URL", "redis://127.0.0.1:6379/0")\n'
        'PG_DSN = env_str("BILL_PG_DSN", "postgresql://127.0.0.1/test")\n'
        'FX_HOST = env_str("FX_HOST", "127.0.0.1")\nFX_PORT = env_int("FX_PORT", 21911)\n'
        'UNUSED = env_str("BILL_UNUSED")\n'
    ),
    "billing/db.py": (
        "import psycopg\n\nfrom billing import settings\n\n\n"
        "def connect():\n    return psycopg.connect(settings.PG_DSN)\n"
    ),
    "billing/cache.py": (
        "import redis\n\nfrom billing import settings\n\n_client = redis.Redis.from_url(settings.REDIS_URL)\n"
    ),
    "billing/fx.py": (
        "import httpx\n\nfrom billing.settings import FX_HOST, FX_PORT\n\n\ndef rate(c):\n"
        '    with httpx.Client(base_url=f"http://{FX_HOST}:{FX_PORT}") as client:\n'
        '        return client.get(f"/v1/rates/{c}").json()\n'
    ),
}


def test_src006_follows_a_settings_module_and_names_the_line_that_reads(tmp_path: Path) -> None:
    """A variable read by a settings module's own helper (``env_str``) was never asked of the doc, and
    one read there with ``os.environ`` was said to be read where the value was used (new user, round 46)."""
    docs = _tree(
        tmp_path,
        {
            "db.md": _doc("DB", "billing/db.py:6", "psycopg.connect", "PostgreSQL", []),
            "cache.md": _doc("Cache", "billing/cache.py:5", "redis.Redis.from_url", "Redis", []),
            "fx.md": _doc("FX", "billing/fx.py:6", "httpx.Client", "HTTP", ["FX_HOST"]),
        },
        SETTINGS,
    )
    found = _messages(docs, "SRC006")
    assert found["db.md"] == [
        "billing/settings.py:7 reads environment variable BILL_PG_DSN, which the doc does not list"
    ]
    assert found["cache.md"] == [
        "billing/settings.py:6 reads environment variable BILL_REDIS_URL, which the doc does not list"
    ]
    assert found["fx.md"] == [
        "billing/settings.py:9 reads environment variable FX_PORT, which the doc does not list"
    ]  # FX_HOST is listed; BILL_UNUSED is no one's


def test_src003_a_source_at_the_import_of_a_client_moved_to_another_module(tmp_path: Path) -> None:
    """The Source named the re-export of a class moved away: SRC003 said nothing (and the class's own
    reads were lost to SRC006: new user, round 46)."""
    code = {
        "billing/__init__.py": "",
        "billing/ledger_client.py": '"""Moved."""\nfrom billing.ledger_core import LedgerClient\n',
        "billing/ledger_core.py": (
            "import os\n\nimport httpx\n\n\nclass LedgerClient:\n    def __init__(self):\n"
            '        self.token = os.environ["LEDGER_API_TOKEN"]\n'
            '        self.http = httpx.Client(base_url="http://127.0.0.1:21910")\n'
        ),
    }
    docs = _tree(
        tmp_path,
        {"ledger.md": _doc("Ledger", "billing/ledger_client.py:2", "LedgerClient", "HTTP", [])},
        code,
    )
    src003 = _messages(docs, "SRC003")["ledger.md"]
    assert len(src003) == 1 and "it is defined in billing/ledger_core.py:6" in src003[0], src003
    assert _messages(docs, "SRC006")["ledger.md"] == [
        "billing/ledger_core.py:8 reads environment variable LEDGER_API_TOKEN, which the doc does not list"
    ]


def test_src006_a_field_of_another_modules_settings_object_read_in_the_client(tmp_path: Path) -> None:
    """``settings.billing_token`` (a pydantic-settings field aliased BILLING_TOKEN, in api/config.py) read in
    the Client's ``__init__``: no SRC006 (new user, round 51)."""
    code = {
        "api/__init__.py": "",
        "api/config.py": (
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n"
            '    billing_url: str = Field(default="http://127.0.0.1:9000", alias="API_BILLING_URL")\n'
            '    billing_token: str = Field(default="", alias="BILLING_TOKEN")\n'
            '    s3_bucket: str = Field(default="b", alias="S3_BUCKET")\n\n\nsettings = Settings()\n'
        ),
        "clients/__init__.py": "",
        "clients/http.py": (
            "import httpx\n\nfrom api.config import settings\n\n\nclass BillingApiClient:\n"
            "    def __init__(self):\n        self.http = httpx.Client(\n"
            "            base_url=settings.billing_url,\n"
            '            headers={"Authorization": f"Bearer {settings.billing_token}"},\n        )\n'
        ),
    }
    doc = _doc("Billing", "clients/http.py:6", "BillingApiClient", "HTTP", ["API_BILLING_URL"])
    docs = _tree(tmp_path, {"billing.md": doc}, code)
    assert _messages(docs, "SRC006")["billing.md"] == [
        "api/config.py:7 reads environment variable BILLING_TOKEN, which the doc does not list"
    ]  # S3_BUCKET is a field nothing here reads


def test_src003_a_client_named_by_its_module_path() -> None:
    """``clients.fraud.FraudClient`` for the class clients/fraud.py defines: SRC004 said it was not there."""
    from wiremap.code.locate import client_missing
    from wiremap.code.model import Definition, FileIndex
    from wiremap.model import Integration, SourceRef

    f = FileIndex(
        "clients/fraud.py", "python", "x", 20, (Definition("FraudClient", "FraudClient", "class", 9, 20),)
    )
    for client in ("clients.fraud.FraudClient", "clients.FraudClient", "fraud.FraudClient", "FraudClient"):
        doc = Integration(
            id="x", path="x.md", client=client, source_ref=SourceRef(path="clients/fraud.py", line=9)
        )
        assert client_missing(doc, f) is None, client
    doc = Integration(
        id="x", path="x.md", client="other.FraudClient", source_ref=SourceRef(path="clients/fraud.py", line=9)
    )
    assert client_missing(doc, f) == "other.FraudClient"


def test_src003_a_js_client_only_imported_at_the_source_line(tmp_path: Path) -> None:
    """``import { inventoryClient } from "./clients.js"`` at the Source file's line 1, the client a const of
    clients.ts: SRC003 was silent (within the window) and sync moved the Source to the import (round 53)."""
    code = {
        "api/grpc/clients.ts": (
            'import * as grpc from "@grpc/grpc-js";\n\n'
            "export const inventoryClient = new grpc.Client(process.env.INVENTORY_ADDR, creds);\n"
        ),
        "api/grpc/inventory.ts": (
            'import { inventoryClient } from "./clients.js";\n\nexport { inventoryClient };\n\n'
            "export function reserve(sku: string) {\n  return inventoryClient.Reserve({ sku });\n}\n"
        ),
    }
    docs = _tree(
        tmp_path,
        {"inv.md": _doc("Inventory", "api/grpc/inventory.ts:6", "inventoryClient", "gRPC", [])},
        code,
    )
    (message,) = _messages(docs, "SRC003")["inv.md"]
    assert "it is defined in api/grpc/clients.ts:3" in message and "only imports it, at line 1" in message


def test_an_import_path_out_of_the_project_is_never_read() -> None:
    """``import { c } from "../../../etc/x.js"``: the definition is looked for in the tree only."""
    from wiremap.code.locate import import_definition
    from wiremap.code.model import FileIndex, ImportRef

    f = FileIndex("a/b.ts", "javascript", "x", 3, imports=(ImportRef("../../../etc/x.js", "c", "c", 1),))
    asked: list[str] = []
    assert import_definition(f, "a/b.ts", "c", lambda p: asked.append(p) or True, lambda p: []) is None
    assert asked == []
