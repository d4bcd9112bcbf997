"""discover on a polyglot monorepo (new user, round 48): each was wrong before."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.discover import discover
from wiremap.code.draft import draft_doc
from wiremap.code.index import index_tree
from wiremap.model import EnvVar, Integration, SourceRef


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_a_doc_naming_the_call_documents_it_whatever_variable_it_lists(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "orders/db.py": (
                "import os\n\nfrom sqlalchemy import create_engine\n\n"
                'DATABASE_URL = os.environ["ORDERS_DATABASE_URL"]\n\n'
                "engine = create_engine(DATABASE_URL, pool_size=5)\n"
            )
        },
    )
    doc = Integration(
        id="o", path="docs/o.md", source="Orders", destination="Orders DB", protocol="postgresql",
        source_ref=SourceRef(path="orders/db.py", line=7), env_vars=[EnvVar(name="ORDERS_DB_URL")],
    )  # fmt: skip
    (site,) = discover(index_tree(root, use_cache=False), [(doc, "orders/db.py")]).sites
    assert site.documented  # the misnamed variable is SRC005/SRC006's to say, not a second integration


AXIOS = (
    'import axios from "axios";\n\nconst api = axios.create({\n  baseURL: process.env.ORDERS_API_URL,\n'
    "  timeout: 2000,\n});\n\nexport async function listOrders(): Promise<unknown[]> {\n"
    '  const res = await api.get("/orders");\n  return res.data;\n}\n'
)


def test_the_calls_of_a_client_instance_are_its_integration(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"services/web/src/api.ts": AXIOS})
    found = discover(index_tree(root, use_cache=False), [])
    assert len(found.sites) == 2
    (group,) = found.groups  # was two integrations, the second with no destination
    assert group.env == "ORDERS_API_URL"


def test_drafts_name_the_service_not_its_layout_folder(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "services/web/src/cache.js": (
                'const Redis = require("ioredis");\n\n'
                'const redis = new Redis(process.env.WEB_REDIS_URL || "redis://cache.internal:6379/0");\n'
            )
        },
    )
    index = index_tree(root, use_cache=False)
    (group,) = discover(index, []).groups
    name, text = draft_doc(group, index)
    assert text.startswith("# Integration: Web → ")  # was "Src → Web"
    assert "**Client:** `Redis`" in text  # was `Redis.Redis`: nothing is named so
    assert "export WEB_REDIS_URL=[value]  # [Purpose]" in text  # was left out: SRC006 flagged every draft
    assert name.startswith("web-to-")


def test_go_a_package_variable_of_another_file(tmp_path: Path) -> None:
    """The URL of a request built from config.go's ``billingBaseURL`` was no target and no env var."""
    root = _tree(
        tmp_path,
        {
            "ledger/config.go": (
                'package main\n\nimport "os"\n\n'
                'var billingBaseURL = getenvDefault("BILLING_API_URL", "http://billing.internal:8443")\n\n'
                "func getenvDefault(key, def string) string {\n"
                '\tif v := os.Getenv(key); v != "" {\n\t\treturn v\n\t}\n\treturn def\n}\n'
            ),
            "ledger/billing.go": (
                'package main\n\nimport (\n\t"context"\n\t"fmt"\n\t"net/http"\n)\n\n'
                "var httpClient = &http.Client{}\n\n"
                "func FetchInvoice(ctx context.Context, id string) (*http.Response, error) {\n"
                '\turl := fmt.Sprintf("%s/v1/invoices/%s", billingBaseURL, id)\n'
                "\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)\n"
                "\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn httpClient.Do(req)\n}\n"
            ),
            "other/unknown.go": (
                'package other\n\nimport "net/http"\n\nfunc Get() { http.Get(baseURL + "/x") }\n'
            ),
        },
    )
    sites = {s.path: s for s in index_tree(root, use_cache=False).sites()}
    billing = sites["ledger/billing.go"]
    assert (billing.line, billing.target, billing.env) == (
        17,
        "http://billing.internal:8443/v1/invoices/{…}",
        "BILLING_API_URL",
    )
    assert sites["other/unknown.go"].target is None  # bound nowhere in its package: no address, no marker


def test_a_client_qualified_by_a_module_the_file_does_not_import_it_from(tmp_path: Path) -> None:
    """``nosuchlib.create_engine`` and ``Foo.Redis`` passed SRC003/SRC004 on the import of their last name."""
    from wiremap.code.locate import client_missing

    root = _tree(
        tmp_path,
        {
            "db.py": "from sqlalchemy import create_engine\n\nengine = create_engine(URL)\n",
            "cache.js": 'const Redis = require("ioredis");\n\nmodule.exports = { Redis };\n',
        },
    )
    index = index_tree(root, use_cache=False)

    def missing(rel: str, client: str) -> str | None:
        doc = Integration(id="x", path="x.md", client=client, source_ref=SourceRef(path=rel, line=1))
        return client_missing(doc, index.files[rel], (root / rel).read_text().splitlines())

    assert missing("db.py", "nosuchlib.create_engine") == "nosuchlib.create_engine"
    assert missing("db.py", "sqlalchemy.create_engine") is None
    assert missing("db.py", "create_engine") is None
    assert missing("cache.js", "Foo.Redis") == "Foo.Redis"
    assert missing("cache.js", "ioredis.Redis") is None
    assert missing("cache.js", "Redis") is None


def test_js_env_read_through_a_schema(tmp_path: Path) -> None:
    """zod's ``EnvSchema.parse(process.env)`` and envalid's ``cleanEnv(process.env, {…})``: each key is a
    read (SRC005 said the variables were never read: new user, round 53)."""
    root = _tree(
        tmp_path,
        {
            "config.ts": (
                'import { z } from "zod";\n\nconst EnvSchema = z.object({\n'
                '  PAYMENTS_API_URL: z.string().url().default("https://payments.internal:8443"),\n'
                "  PAYMENTS_API_TOKEN: z.string(),\n});\n\nexport const env = EnvSchema.parse(process.env);\n"
            ),
            "env.js": (
                'const { cleanEnv, str, url } = require("envalid");\n\nconst env = cleanEnv(process.env, {\n'
                '  AUDIT_SINK_URL: url({ default: "http://audit.internal:8088" }),\n'
                "  SERVICE_NAME: str(),\n});\n"
            ),
            "other.ts": "const opts = merge({ retries: 3 }, process.env);\n",
        },
    )
    files = index_tree(root, use_cache=False).files
    assert [(e.line, e.name, e.default) for e in files["config.ts"].env_reads] == [
        (4, "PAYMENTS_API_URL", "https://payments.internal:8443"),
        (5, "PAYMENTS_API_TOKEN", None),
    ]
    assert [(e.line, e.name, e.default) for e in files["env.js"].env_reads] == [
        (4, "AUDIT_SINK_URL", "http://audit.internal:8088"),
        (5, "SERVICE_NAME", None),
    ]
    assert files["other.ts"].env_reads == ()  # lower-case keys are options, not variables
