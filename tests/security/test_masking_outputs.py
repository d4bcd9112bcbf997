"""End to end: a doc with secrets planted in every field, and no planted secret in anything wiremap gives
out — every lint format, show, verify (every format, with the doc's commands run), graph, impact, index,
-o report files, the dashboard's pages, its JSON API and /metrics, an alert's payload, a row of the
history store, a log line. Innocent look-alikes planted beside them come out unchanged."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import pytest

import wiremap
from tests._paths import EXAMPLE_DOCS
from tests.security.corpus import INNOCENT, SECRETS
from tests.web._fakes import NOW, FakeStore, FakeView, TestClient
from wiremap.cli.main import main
from wiremap.lint.report import FORMATS as LINT_FORMATS
from wiremap.monitor.alerts import payload
from wiremap.monitor.metrics import Metrics
from wiremap.monitor.model import CheckResult, Status, Transition
from wiremap.output import MaskSecrets
from wiremap.store import open_store
from wiremap.verify.report import FORMATS as VERIFY_FORMATS
from wiremap.web import create_app

ID = "checkout-service-to-payments-api"

# (where in the doc, what is replaced, by what): each secret is the part after "Pl4nt"-ish markers
PLANTED = {
    "purpose": "Purp0se-Pl4nt-pw",
    "purpose key": "AKIA3PURPOSE7PLANT9Q",
    "owner": "xoxb-2837465019-9876543210-Ma1ntPl4nt3d",
    "env password": "Env-Pl4nted-pw",
    "env auth": "Env-Pl4nted-auth",
    "env token": "sk_live_51EnvPl4ntedT0kenAbCd",
    "connection string": "Conn-Pl4nted-pw",
    "connection bearer": "ConnPl4ntedBearer77",
    "request password": "Req-Pl4nted-pw",
    "request secret": "Req-Pl4nted-secret",
    "response token": "Resp-Pl4nted-t0ken",
    "health check echo": "Echo-Pl4nted-pw",
    "health check curl": "Curl-Pl4nted-pw",
    "integration test": "Cli-Pl4nted-pw",
    "failure mode": "Fm-Pl4nted-t0ken",
    "retry code": "RetryPl4ntedBearer9",
}
CORPUS_SECRETS = [s for _, _, secrets in SECRETS for s in secrets]
ALL_SECRETS = list(PLANTED.values()) + CORPUS_SECRETS
KEPT = [
    "123e4567-e89b-12d3-a456-426614174000",
    "postgresql://checkout@db/orders",
    "export TOKEN_TTL=3600",
    "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
]


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def planted_doc() -> str:
    p = PLANTED
    text = (EXAMPLE_DOCS / f"{ID}.md").read_text(encoding="utf-8")
    text = _replace(
        text,
        "if the order cannot be stored\n",
        f"if the order cannot be stored (staging: postgresql://app:{p['purpose']}@db/x, key "
        f"{p['purpose key']}, request 123e4567-e89b-12d3-a456-426614174000)\n",
    )
    text = _replace(
        text, "**Maintained By:** Payments Team", f"**Maintained By:** Payments Team (pager {p['owner']})"
    )
    text = _replace(
        text,
        "export PAYMENTS_API_TOKEN=${PAYMENTS_API_TOKEN}  # bearer token, from the secret store\n",
        f"export PAYMENTS_API_TOKEN={p['env token']}  # bearer token\n"
        f"export PAYMENTS_DB_PASSWORD={p['env password']}  # the database password\n"
        f"export REDIS_AUTH={p['env auth']}  # the cache password\n"
        "export TOKEN_TTL=3600  # seconds\n",
    )
    text = _replace(
        text,
        "http://127.0.0.1:8081/v1 (Authorization: Bearer $PAYMENTS_API_TOKEN)",
        f"postgresql://orders:{p['connection string']}@127.0.0.1:1/orders "
        f"(Authorization: Bearer {p['connection bearer']}); also postgresql://checkout@db/orders",
    )
    text = _replace(
        text,
        '  "capture": true\n',
        f'  "capture": true,\n  "password": "{p["request password"]}",\n'
        f'  "client_secret": "{p["request secret"]}"\n',
    )
    text = _replace(
        text,
        '  "created": "2026-11-20T09:14:07Z"\n',
        f'  "created": "2026-11-20T09:14:07Z",\n  "access_token": "{p["response token"]}"\n',
    )
    text = _replace(
        text,
        "curl -fsS --max-time 2 http://127.0.0.1:8081/healthz\n```\n\n---\n\n## Integration Flow",
        f'echo "connecting to postgresql://app:{p["health check echo"]}@db/x"\n'
        f"curl -fsS --max-time 2 -u checkout:{p['health check curl']} http://127.0.0.1:1/healthz\n"
        "```\n\n---\n\n## Integration Flow",
    )
    text = _replace(
        text,
        "PAYMENTS_API_URL=http://127.0.0.1:8081 python -m services.checkout.payments_client",
        f"redis-cli -h 127.0.0.1 -p 1 -a {p['integration test']} ping",
    )
    text = _replace(
        text,
        "- **Card Declined**:",
        f"- **Auth Failed**: 401 when PAYMENTS_API_TOKEN={p['failure mode']} is stale → rotate it\n"
        "- **Card Declined**:",
    )
    text = _replace(
        text,
        "client.session.mount(",
        f'client.session.headers["Authorization"] = "Bearer {p["retry code"]}"\nclient.session.mount(',
    )
    corpus = "\n".join(t for _, t, _ in SECRETS)
    notes = "\n".join([*KEPT[2:], *(t for t in INNOCENT if "~~~" not in t)])
    text = _replace(
        text,
        "## Recent Changes",
        f"## Notes\n\nSeen in the wild (sha {KEPT[3]}):\n\n~~~~text\n{corpus}\n{notes}\n~~~~\n\n"
        "---\n\n## Recent Changes",
    )
    return text


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    (folder / f"{ID}.md").write_text(planted_doc(), encoding="utf-8")
    return folder


def _leaks(text: str) -> list[str]:
    return [s for s in ALL_SECRETS if s in text]


def test_every_planted_secret_is_in_the_doc(docs: Path) -> None:
    text = (docs / f"{ID}.md").read_text(encoding="utf-8")
    assert _leaks(text) == ALL_SECRETS  # planted, so the tests below are not vacuous
    doc = wiremap.load(docs).docs[0].integration
    assert PLANTED["purpose"] in (doc.purpose or "") and PLANTED["owner"] in (doc.maintained_by or "")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    main(list(args))
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.mark.parametrize("fmt", sorted(LINT_FORMATS))
def test_lint_in_every_format(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = _run(capsys, "lint", "--format", fmt, str(docs))
    assert "SEC001" in out and not _leaks(out)
    report = tmp_path / f"lint.{fmt}"
    _run(capsys, "lint", "--format", fmt, "-o", str(report), str(docs))
    assert "SEC001" in report.read_text() and not _leaks(report.read_text())


def test_sec001_reports_the_planted_lines(docs: Path) -> None:
    findings = wiremap.lint_catalog(wiremap.load(docs), select=["SEC001"])
    text = (docs / f"{ID}.md").read_text(encoding="utf-8").split("\n")
    lines = {f.line for f in findings}
    for secret in PLANTED.values():
        at = next(n for n, line in enumerate(text, 1) if secret in line)
        assert at in lines, (secret, at)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show(docs: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    out = _run(capsys, "show", "--format", fmt, str(docs / f"{ID}.md"))
    assert not _leaks(out)
    if fmt == "json":
        data = json.loads(out)
        notes = data["extra_sections"][0]["text"]
        assert all(k in notes for k in KEPT[2:]) and KEPT[0] in data["purpose"]
    revealed = _run(capsys, "show", "--format", fmt, "--reveal", str(docs / f"{ID}.md"))
    assert PLANTED["env password"] in revealed  # --reveal: as written


@pytest.mark.parametrize("fmt", sorted(VERIFY_FORMATS))
def test_verify_in_every_format(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    args = ["verify", "--run-commands", "--timeout", "3", "--target", f"{ID}=http://127.0.0.1:1", str(docs)]
    out = _run(capsys, *args, "--format", fmt)
    assert not _leaks(out)
    if fmt in ("json", "junit"):  # every check (text and github show the first failure)
        assert "***" in out  # the health check's echo, masked
    report = tmp_path / f"verify.{fmt}"
    _run(capsys, *args, "--format", fmt, "-o", str(report))
    assert report.read_text() and not _leaks(report.read_text())


@pytest.mark.parametrize(
    "args",
    [
        ("graph", "--format", "mermaid"),
        ("graph", "--format", "dot"),
        ("impact", "Payments API"),
        ("impact", "Payments API", "--format", "json"),
        ("index",),
    ],
)
def test_graph_impact_index(docs: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    out = _run(capsys, *args, str(docs))
    assert out and not _leaks(out)


def test_index_file(docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "README.md"
    _run(capsys, "index", "-o", str(page), str(docs))
    assert "Payments API" in page.read_text() and not _leaks(page.read_text())


def test_errors_the_cli_prints_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://app:{PLANTED['connection string']}@127.0.0.1:1/x"
    out = _run(capsys, "serve", "--store", url, "--webhook", "ftp://u:x@h", str(EXAMPLE_DOCS))
    assert out and not _leaks(out)
    out = _run(capsys, "verify", "--target", f"nope={url}", "--only", "nope", str(EXAMPLE_DOCS))
    assert out and not _leaks(out)


# -- serve: pages, JSON API, /metrics, alerts, store, logs ---------------------------------------------------


def _view(docs: Path) -> FakeView:
    catalog = wiremap.load(docs)
    store = FakeStore()
    message = f"connection failed: postgresql://app:{PLANTED['connection string']}@db/x refused"
    store.add_results([CheckResult(ID, NOW - 60, False, 12.0, None, "refused", message)])
    reason = f"2 consecutive failed probes (refused: Authorization: Bearer {PLANTED['connection bearer']})"
    store.add_transition(Transition(ID, NOW - 60, Status.UP, Status.DOWN, reason))
    return FakeView(catalog, store, {ID: Status.DOWN})


def test_dashboard_api_and_metrics(docs: Path) -> None:
    view = _view(docs)
    integ = view.catalog.docs[0].integration
    metrics = Metrics()
    metrics.register(integ.model_copy(update={"destination": f"redis://:{PLANTED['env auth']}@cache"}))
    app = create_app(view, clock=lambda: NOW, metrics=metrics.render)
    with TestClient(app) as client:
        bodies = {}
        for path in (
            "/",
            f"/integrations/{ID}",
            "/graph",
            "/api/integrations",
            f"/api/integrations/{ID}",
            f"/api/integrations/{ID}/latency",
            "/api/graph",
            "/api/impact/Payments API",
            "/metrics",
            f"/integrations/PGPASSWORD={PLANTED['purpose']}",  # reflected in the 404 page
        ):
            r = client.get(path)
            bodies[path] = r.text
            assert not _leaks(r.text), (path, _leaks(r.text))
    page = bodies[f"/integrations/{ID}"]
    assert "Payments Team" in page and "***" in page  # Maintained By and Purpose: shown, masked
    assert KEPT[0] in page and "TOKEN_TTL=3600" in page
    api = json.loads(bodies[f"/api/integrations/{ID}"])
    assert "***" in json.dumps(api)
    assert "Payments Team" in bodies["/"]


def test_alert_payload(docs: Path) -> None:
    integ = wiremap.load(docs).docs[0].integration
    t = Transition(ID, NOW, Status.UP, Status.DOWN, f"failed: redis://:{PLANTED['env auth']}@cache")
    last = CheckResult(
        ID,
        NOW,
        False,
        1.0,
        None,
        "auth",
        f"redis://:{PLANTED['integration test']}@cache: Authorization: Basic {PLANTED['connection bearer']}",
    )
    body = json.dumps(payload(t, integ, last))
    assert not _leaks(body) and "Payments Team" in body


def test_store_rows(docs: Path, tmp_path: Path) -> None:
    store = open_store(None, default_path=tmp_path / "history.db")
    try:
        message = f"connection failed: postgresql://app:{PLANTED['connection string']}@db/x refused"
        store.add_results([CheckResult(ID, NOW, False, 1.0, None, "refused", message)])
        reason = f"down: PAYMENTS_API_TOKEN={PLANTED['env token']}"
        store.add_transition(Transition(ID, NOW, Status.UP, Status.DOWN, reason))
        assert "***" in store.failures(ID, NOW - 10)[0].message
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "history.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = "\n".join(str(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))
    assert "refused" in dump and not _leaks(dump)


def test_log_records() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskSecrets())
    log = logging.getLogger("wiremap.test-masking")
    log.addHandler(handler)
    try:
        log.error("cannot write history: %s", f"postgresql://app:{PLANTED['connection string']}@db/x")
        try:
            raise RuntimeError(f"PAYMENTS_DB_PASSWORD={PLANTED['env password']}")
        except RuntimeError:
            log.exception("reloading failed")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert "cannot write history" in text and "RuntimeError" in text and not _leaks(text)


def test_innocent_look_alikes_survive_the_doors(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "show", "--format", "json", str(docs / f"{ID}.md"))
    for text in KEPT:
        assert text in out
    survivors = [t for t in INNOCENT if "\n" not in t and '"' not in t and "\\" not in t]
    assert sum(t in out for t in survivors) >= 30


def test_a_secret_in_a_title_is_not_in_the_id_or_the_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token pasted into a title was masked in the label but verbatim in the id (slugified: ``ghp-…``) and
    in mermaid's node id, so JSON, the export, /metrics and the serve log carried it (attacker, round 29)."""
    token = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "l2.md").write_text(
        f"# Integration: Svc → Api L2 {token}\n\n**Protocol:** HTTP\n\n## Quick Reference\n\n"
        "**Destination:** Api (127.0.0.1:1)\n",
        encoding="utf-8",
    )
    secret_part = token.lower().replace("_", "-")[4:]
    for argv in (
        ["show", str(docs / "l2.md"), "--format", "json"],
        ["graph", str(docs), "--format", "mermaid"],
    ):
        main(argv)
        out = capsys.readouterr().out
        assert token not in out and secret_part not in out and token.lower()[4:] not in out, (argv, out)
