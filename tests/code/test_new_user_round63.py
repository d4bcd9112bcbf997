"""Code-linked lint and discover on a polyglot shop (new user, round 63): each was wrong before."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap

from ._git import repo_of


def _doc(source: str, client: str, destination: str, env: str = "", protocol: str = "HTTP") -> str:
    listed = f"**Environment Variables:**\n```bash\n{env}```\n" if env else ""
    return (
        f"# Integration: Web → Peer\n\n**Purpose:** Test\n**Protocol:** {protocol}\n"
        "**Direction:** Unidirectional\n"
        f"**Critical Path:** No\n\n## Quick Reference\n\n**Source:** `{source}`\n"
        f"**Destination:** Peer ({destination})\n**Client:** `{client}`\n\n## Configuration\n\n{listed}"
    )


def _lint(tmp_path: Path, files: dict[str, str], select: str) -> list[str]:
    repo = repo_of(tmp_path / "repo", {"wiremap.toml": 'docs = "docs"\nroot = "."\n', **files})
    return [f.message for f in wiremap.lint_catalog(wiremap.load(repo / "docs"), select=[select])]


DB_TS = (
    'import { Pool } from "pg";\n\nconst { DATABASE_URL, PG_POOL_MAX = "10" } = process.env;\n\n'
    "export const pool = new Pool({\n  connectionString: DATABASE_URL,\n  max: Number(PG_POOL_MAX),\n});\n"
)


def test_src006_reads_a_destructuring_of_process_env_at_its_line(tmp_path: Path) -> None:
    """``const { DATABASE_URL, PG_POOL_MAX = "10" } = process.env``: both read on line 3 (PG_POOL_MAX was
    missed, DATABASE_URL named at the Pool's line)."""
    doc = _doc("src/db.ts:5", "pool", "127.0.0.1:5432", protocol="PostgreSQL")
    found = _lint(tmp_path, {"src/db.ts": DB_TS, "docs/db.md": doc}, "SRC006")
    assert found == [
        "src/db.ts:3 reads environment variable DATABASE_URL, which the doc does not list",
        "src/db.ts:3 reads environment variable PG_POOL_MAX, which the doc does not list",
    ]
    multiline = DB_TS.replace(
        "const { DATABASE_URL, PG_POOL_MAX = ", "const {\n  DATABASE_URL,\n  PG_POOL_MAX = "
    )
    found = _lint(tmp_path / "b", {"src/db.ts": multiline, "docs/db.md": doc.replace(":5`", ":8`")}, "SRC006")
    assert [m.split(" reads ")[1] for m in found] == [
        "environment variable DATABASE_URL, which the doc does not list",
        "environment variable PG_POOL_MAX, which the doc does not list",
    ]


def test_env_reads_through_a_name_given_to_the_environment(tmp_path: Path) -> None:
    """``import { env } from "node:process"``, ``const { env } = process``, ``const e = process.env``;
    Python's ``env = os.environ``: each read was "never read" (SRC005)."""
    from wiremap.code.javascript import index_javascript
    from wiremap.code.python import index_python

    forms = {
        'import { env } from "node:process";\nconst A = env.SEARCH_URL;\n': ("SEARCH_URL", 2),
        "const { env } = process;\nconst A = env.SEARCH_URL;\n": ("SEARCH_URL", 2),
        'const e = process.env;\nconst A = e["SEARCH_URL"] ?? "x";\n': ("SEARCH_URL", 2),
        "const { env: vars } = process;\nconst A = vars.SEARCH_URL;\n": ("SEARCH_URL", 2),
    }
    for code, (name, line) in forms.items():
        reads = index_javascript("a.ts", code.encode(), "sha").env_reads
        assert [(e.name, e.line) for e in reads] == [(name, line)], code
    unrelated = index_javascript("a.ts", b"const env = load();\nconst A = env.SEARCH_URL;\n", "sha")
    assert unrelated.env_reads == ()  # a name of something else is no read
    py = (
        'import os\n\nenv = os.environ\nLEDGER_URL = env.get("LEDGER_URL", "http://127.0.0.1:9")\n'
        'TOKEN = env["LEDGER_TOKEN"]\n'
    )
    reads = index_python("a.py", py.encode(), "sha").env_reads
    assert [(e.name, e.line) for e in reads] == [("LEDGER_URL", 4), ("LEDGER_TOKEN", 5)]


MAIL = (
    'import os\nimport smtplib\n\nSMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")\n'
    'SMTP_PORT = int(os.environ.get("SMTP_PORT", "24825"))\n\n\ndef send(msg) -> None:\n'
    "    with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=10) as smtp:\n        smtp.send_message(msg)\n"
)
LEDGER = (
    'import os\n\nimport requests\n\nLEDGER_URL = os.environ.get("LEDGER_URL", "http://127.0.0.1:24840")\n\n\n'
    "def post_entry(entry: dict) -> dict:\n"
    '    return requests.post(f"{LEDGER_URL}/v1/entries", json=entry).json()\n'
)


def test_a_default_the_code_falls_back_to_is_no_disagreement_with_the_variables_documented_value(
    tmp_path: Path,
) -> None:
    """``os.environ.get("SMTP_HOST", "127.0.0.1")`` with the doc's ``SMTP_HOST=smtp.internal`` and
    Destination smtp.internal:24825: documented, no mismatch (it said "the doc says smtp.internal and the
    code 127.0.0.1"); a Destination the variable's value contradicts still is one."""
    from wiremap.code.discover import discover
    from wiremap.code.index import index_tree
    from wiremap.model import EnvVar, Integration, SourceRef

    for rel, text in {"app/mail.py": MAIL, "app/ledger.py": LEDGER}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    index = index_tree(tmp_path, use_cache=False)

    def doc(path: str, line: int, dest: str, env: list[EnvVar], protocol: str) -> tuple[Integration, str]:
        host, _, port = dest.partition(":")
        integ = Integration(
            id=path, path=f"docs/{path}.md", source="App", destination="Peer", protocol=protocol,
            destination_host=host, destination_port=int(port), source_ref=SourceRef(path=path, line=line),
            env_vars=env,
        )  # fmt: skip
        return integ, path

    mail = doc(
        "app/mail.py", 9, "smtp.internal:24825", [EnvVar(name="SMTP_HOST", value="smtp.internal")], "smtp"
    )
    ledger_env = [EnvVar(name="LEDGER_URL", value="http://ledger.internal:24840")]
    ledger = doc("app/ledger.py", 9, "ledger.internal:24840", ledger_env, "http")
    got = {sc.site.path: (sc.documented, sc.mismatch) for sc in discover(index, [mail, ledger]).sites}
    assert got == {"app/mail.py": (True, None), "app/ledger.py": (True, None)}
    wrong = doc("app/ledger.py", 9, "ledger.internal:9999", ledger_env, "http")
    (site,) = [sc for sc in discover(index, [mail, wrong]).sites if sc.site.path == "app/ledger.py"]
    assert site.documented and site.mismatch is not None and ":9999" in site.mismatch


LEDGER_CLASS = '''import requests

LEDGER_URL = "http://127.0.0.1:24840"


class LedgerClient:
    """Client for the accounting ledger.

    The ledger dedupes entries on the Idempotency-Key header,
    so post_entry may be retried safely.
    """

    def __init__(self, base_url: str = LEDGER_URL, timeout: float = 5.0):
        self.base_url = base_url
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "billing/1.0"

    def post_entry(self, entry: dict) -> dict:
        resp = self.session.post(f"{self.base_url}/v1/entries", json=entry, timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()
'''


def test_a_call_in_the_docs_client_class_is_documented_with_a_wrong_port_however_far(tmp_path: Path) -> None:
    """Source at the class line (where sync puts it), the post 14 lines below, the doc's port wrong: the
    call is the doc's, with the mismatch said (it was UNDOCUMENTED, and --scaffold drafted a duplicate)."""
    from wiremap.code.discover import discover
    from wiremap.code.index import index_tree
    from wiremap.model import Integration, SourceRef

    (tmp_path / "app").mkdir()
    (tmp_path / "app/ledger.py").write_text(LEDGER_CLASS)
    integ = Integration(
        id="l", path="docs/l.md", source="Billing", destination="Ledger", protocol="http",
        client="LedgerClient", destination_host="127.0.0.1", destination_port=24849,
        source_ref=SourceRef(path="app/ledger.py", line=6),
    )  # fmt: skip
    (site,) = discover(index_tree(tmp_path, use_cache=False), [(integ, "app/ledger.py")]).sites
    assert site.site.line == 20 and site.documented
    assert site.mismatch == "the doc says :24849 and the code :24840"


def test_a_js_options_object_keeps_the_port_beside_its_host() -> None:
    """``createTransport({ host, port })`` (nodemailer; pg, ioredis alike): host:port (the port was
    dropped, so a doc's wrong port went unseen); a port read from the environment gives its default."""
    from wiremap.code.javascript import index_javascript

    code = (
        'import nodemailer from "nodemailer";\n'
        'export const a = nodemailer.createTransport({ host: "127.0.0.1", port: 24825, secure: false });\n'
        'export const b = nodemailer.createTransport({\n  host: process.env.SMTP_HOST ?? "127.0.0.1",\n'
        '  port: Number(process.env.SMTP_PORT ?? "2525"),\n});\n'
    )
    sites = index_javascript("m.ts", code.encode(), "sha").sites
    assert [(s.line, s.target, s.env) for s in sites] == [
        (2, "127.0.0.1:24825", None),
        (3, "127.0.0.1:2525", "SMTP_HOST"),
    ]


def test_src006_names_the_read_of_another_modules_config_object_where_it_is(tmp_path: Path) -> None:
    """``baseURL: config.catalogUrl`` with config.ts reading CATALOG_URL: the read is config.ts:2 (it was
    named at the call's line in http.ts)."""
    config = (
        'export const config = {\n  catalogUrl: process.env.CATALOG_URL || "http://127.0.0.1:24814",\n};\n'
    )
    http = (
        'import axios from "axios";\nimport { config } from "./config";\n\n'
        "export const catalogApi = axios.create({\n  baseURL: config.catalogUrl,\n  timeout: 1500,\n});\n"
    )
    doc = _doc("src/http.ts:4", "catalogApi", "127.0.0.1:24814")
    found = _lint(tmp_path, {"src/config.ts": config, "src/http.ts": http, "docs/c.md": doc}, "SRC006")
    assert found == ["src/config.ts:2 reads environment variable CATALOG_URL, which the doc does not list"]


FACTORY = 'import httpx\n\n\ndef make_tax_client() -> httpx.Client:\n    return httpx.Client(base_url="http://127.0.0.1:24841")\n'
TAX = (
    "from app.factory import make_tax_client\n\n\ndef quote_vat(country: str) -> int:\n"
    "    with make_tax_client() as client:\n"
    '        r = client.post("/v1/quotes", json={"country": country})\n        return r.json()["vat_cents"]\n'
)


def test_a_source_near_a_use_of_a_client_defined_in_another_file_is_src003_and_sync_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """make_tax_client moved to factory.py; the doc's Source is tax.py:6, one line from a call of it. lint
    said nothing (the window tolerated the use) while sync's note named SRC003; sync --write then recorded
    the commit in Recent Changes, which quieted SRC007 on the unfixed doc, and a second sync said "already
    in sync" (exit 0)."""
    from wiremap.cli.main import main

    from ._git import commit_all

    doc = _doc("app/tax.py:6", "make_tax_client", "127.0.0.1:24841") + (
        "## Recent Changes\n\n**2026-11-01:**\n- First\n\n---\n\n**Last Updated:** 2026-11-10\n"
    )
    files = {"wiremap.toml": 'docs = "docs"\nroot = "."\n', "app/factory.py": FACTORY, "app/tax.py": TAX}
    repo = repo_of(tmp_path / "repo", {**files, "docs/tax.md": doc}, date="2026-11-01T09:00:00+00:00")
    (repo / "app/tax.py").write_text(TAX + "\n# moved the factory\n")
    commit_all(repo, "Move tax client factory", "2026-11-20T09:00:00+00:00")
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003"])
    assert [f.message.split(";")[0] for f in found] == [
        "Client make_tax_client is not at app/tax.py:6: it is defined in app/factory.py:4 (app/tax.py only "
        "uses it, at line 5)"
    ]
    monkeypatch.chdir(repo)
    before = (repo / "docs/tax.md").read_text()
    assert main(["sync", "--write", "docs"]) == 1
    assert (repo / "docs/tax.md").read_text() == before  # no commit recorded: SRC007 still says so
    err = capsys.readouterr().err
    assert "Recent Changes and Last Updated left as they are" in err
    assert "0 doc(s) synced, 0 already in sync, 1 to fix by hand" in err
    assert [f.code for f in wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC007"])] == [
        "SRC007"
    ]


def test_drafts_name_the_service_not_a_role_folder_inside_it(tmp_path: Path) -> None:
    """services/web/src/clients and services/web/src/routes were "Clients → …" and "Routes → …" beside
    "Web → …"; billing/clients is Billing."""
    from wiremap.code.discover import discover
    from wiremap.code.draft import draft_doc
    from wiremap.code.index import index_tree

    files = {
        "services/web/src/clients/catalog.ts": (
            'import axios from "axios";\nexport const c = axios.get("http://catalog.internal:8080/x");\n'
        ),
        "services/web/src/routes/search.ts": 'export const s = fetch("http://search.internal:9200/q");\n',
        "billing/clients/ledger.py": 'import requests\n\nrequests.post("http://ledger.internal:8097/e")\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    index = index_tree(tmp_path, use_cache=False)
    titles = sorted(draft_doc(g, index)[1].splitlines()[0] for g in discover(index, []).groups)
    assert [t.split(" → ")[0] for t in titles] == [
        "# Integration: Billing",
        "# Integration: Web",
        "# Integration: Web",
    ]


def test_src006_reads_a_module_level_statement_configuring_the_client(tmp_path: Path) -> None:
    """``paymentsApi.interceptors.request.use(… process.env.PAYMENTS_API_TOKEN …)`` after the instance:
    the token is the integration's (it was never asked for); another instance's variable is not."""
    http = (
        'import axios from "axios";\n\n'
        "export const paymentsApi = axios.create({\n"
        '  baseURL: process.env.PAYMENTS_API_URL ?? "http://p:1",\n});\n\n'
        "paymentsApi.interceptors.request.use((req) => {\n"
        "  req.headers.Authorization = `Bearer ${process.env.PAYMENTS_API_TOKEN}`;\n  return req;\n});\n\n"
        'export const catalogApi = axios.create({ baseURL: process.env.CATALOG_URL ?? "http://c:2" });\n'
    )
    doc = _doc("src/http.ts:3", "paymentsApi", "p:1", env="export PAYMENTS_API_URL=http://p:1\n")
    found = _lint(tmp_path, {"src/http.ts": http, "docs/p.md": doc}, "SRC006")
    assert found == [
        "src/http.ts:8 reads environment variable PAYMENTS_API_TOKEN, which the doc does not list"
    ]


def test_a_draft_lists_every_variable_its_clients_code_reads(tmp_path: Path) -> None:
    """The SMTP draft listed SMTP_HOST alone; SRC006 then flagged the fresh draft for SMTP_PORT,
    SMTP_USER and SMTP_PASSWORD. A variable of another client of the file is not listed."""
    from wiremap.code.discover import discover
    from wiremap.code.draft import draft_doc
    from wiremap.code.index import index_tree

    mail = (
        "import os\nimport smtplib\n\n"
        'HOST = os.environ.get("SMTP_HOST", "127.0.0.1")\n'
        'PORT = int(os.environ.get("SMTP_PORT", "2525"))\n\n\n'
        "def send(msg):\n    with smtplib.SMTP(HOST, PORT) as smtp:\n"
        '        smtp.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])\n'
        "        smtp.send_message(msg)\n\n\n"
        'def other():\n    import requests\n\n    return requests.get(os.environ["OTHER_URL"])\n'
    )
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail/send.py").write_text(mail)
    index = index_tree(tmp_path, use_cache=False)
    smtp = next(g for g in discover(index, []).groups if g.protocol == "smtp")
    text = draft_doc(smtp, index)[1]
    listed = [
        line.split("=")[0].removeprefix("export ") for line in text.splitlines() if line.startswith("export ")
    ]
    assert listed[:1] == ["SMTP_HOST"]  # the site's first
    assert sorted(listed) == ["SMTP_HOST", "SMTP_PASSWORD", "SMTP_PORT", "SMTP_USER"]
