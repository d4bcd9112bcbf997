"""Every lint rule against its fixture, the clean doc, the template, and the tricky cases."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wiremap
from tests._fuzz import examples
from wiremap.document import parse_text
from wiremap.document.template import template_text
from wiremap.findings import Severity
from wiremap.lint import RULES
from wiremap.lint.rule import DocContext, Rule
from wiremap.lint.rules import _common

FIXTURES = Path(__file__).parent / "fixtures"
RULES_DIR = Path(wiremap.__file__).parent / "lint" / "rules"
TODAY = dt.date(2026, 11, 28)
CODES = sorted(RULES)

SEVERITIES = {
    "AGE001": Severity.WARNING,
    "AGE002": Severity.ERROR,
    "BLK001": Severity.ERROR,
    "BLK002": Severity.ERROR,
    "CAT001": Severity.ERROR,
    "CFG001": Severity.ERROR,
    "CFG002": Severity.ERROR,
    "CFG003": Severity.WARNING,
    "CRT001": Severity.ERROR,
    "CRT002": Severity.ERROR,
    "CRT003": Severity.ERROR,
    "DOC000": Severity.ERROR,
    "DOC001": Severity.ERROR,
    "DOC002": Severity.ERROR,
    "DOC003": Severity.ERROR,
    "DOC004": Severity.ERROR,
    "ERR001": Severity.INFO,
    "ERR002": Severity.WARNING,
    "ERR003": Severity.ERROR,
    "ERR004": Severity.WARNING,
    "ERR005": Severity.WARNING,
    "SEC001": Severity.ERROR,
    "VAL001": Severity.ERROR,
    "VAL002": Severity.ERROR,
    "VAL003": Severity.ERROR,
    "VAL004": Severity.ERROR,
    "VAL005": Severity.WARNING,
    "VAL006": Severity.ERROR,
    "VAL007": Severity.ERROR,
    "VAL008": Severity.ERROR,
    "VAL009": Severity.ERROR,
    "VAL010": Severity.WARNING,
    "VAL011": Severity.WARNING,
    "VAL012": Severity.ERROR,
    "SRC001": Severity.ERROR,
    "SRC002": Severity.ERROR,
    "SRC003": Severity.ERROR,
    "SRC004": Severity.ERROR,
    "SRC005": Severity.WARNING,
    "SRC006": Severity.WARNING,
    "SRC007": Severity.WARNING,
    "SRC008": Severity.WARNING,
}

# The secrets written into fixtures/SEC001.md: no message may repeat them.
SEC001_SECRETS = (
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlMTIz",
    "changeme",
    "sk_live_51HxAbCdEfGhIjKlMnOpQr4t",
    "hunter2pass",
    "AKIA2E0A8F3B244C9986",
    "ghp_R4nd0mT0k3nV4lu3F0rT3st1ng0123456789",
)


# -- helpers -----------------------------------------------------------------------------------------------


def _fixture(code: str) -> Path:
    """A Markdown file per rule; a folder for catalog rules that need several docs or code beside them."""
    return FIXTURES / code if code == "CAT001" or code.startswith("SRC") else FIXTURES / f"{code}.md"


def _expected(code: str) -> list[str]:
    lines = (FIXTURES / f"{code}.expected").read_text(encoding="utf-8").splitlines()
    return sorted(x.strip() for x in lines if x.strip())


def _lint(path: Path, *codes: str) -> list[wiremap.Finding]:
    return wiremap.lint_catalog(wiremap.load(path), select=list(codes) or ["ALL"], today=TODAY)


def _check(code: str, text: str, today: dt.date = TODAY) -> list[int]:
    """Lines a doc rule reports on ``text``."""
    rule = RULES[code]
    assert rule.check_doc is not None
    return [v.line for v in rule.check_doc(DocContext(parse_text(text), today=today))]


def _messages(code: str, text: str) -> list[str]:
    rule = RULES[code]
    assert rule.check_doc is not None
    return [v.message for v in rule.check_doc(DocContext(parse_text(text), today=TODAY))]


def _doc(
    header: str = "", body: str = "", title: str = "# Integration: Checkout Service → Payments API"
) -> str:
    return f"{title}\n\n{header}\n\n## Quick Reference\n\n{body}\n"


# -- fixtures: one per rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_rule_has_fixture_and_expected_file(code: str) -> None:
    assert _fixture(code).exists(), f"{code}: add tests/lint/fixtures/{_fixture(code).name}"
    assert (FIXTURES / f"{code}.expected").exists(), f"{code}: add tests/lint/fixtures/{code}.expected"
    assert _expected(code), f"{code}.expected lists no finding"


@pytest.mark.parametrize("code", CODES)
def test_rule_fixture_gives_exactly_the_expected_findings(code: str) -> None:
    path = _fixture(code)
    findings = _lint(path, code)
    assert {f.code for f in findings} <= {code}
    if path.is_dir():
        got = sorted(
            f"{Path(f.path).resolve().relative_to(path.resolve()).as_posix()} {f.line} {f.code}"
            for f in findings
        )
    else:
        got = sorted(f"{f.line} {f.code}" for f in findings)
    assert Counter(got) == Counter(_expected(code))
    assert all(f.severity == RULES[code].severity and f.name == RULES[code].name for f in findings)
    assert all(f.message.strip() for f in findings)


def test_clean_fixture_gives_no_finding_from_any_rule() -> None:
    """Every rule that reads the doc alone; the SRC rules need code beside the doc (their own fixtures)."""
    catalog = wiremap.load(FIXTURES / "clean.md")
    integ = catalog.docs[0].integration
    assert integ.critical_path is True
    assert integ.latency_ms.p99 == 900.0
    assert wiremap.lint_catalog(catalog, select=["ALL"], ignore=["SRC"], today=TODAY) == []


def test_expected_files_belong_to_registered_rules() -> None:
    for path in FIXTURES.glob("*.expected"):
        assert path.stem in RULES, f"{path.name} has no rule"
        assert all(line.split()[-1] == path.stem for line in _expected(path.stem))


def test_template_is_only_reported_as_unfilled() -> None:
    """Placeholders are DOC003's alone: on the bare template no other rule reports anything."""
    doc = parse_text(template_text(), "template.md")
    for code in CODES:
        rule = RULES[code]
        if rule.check_doc is None or code == "DOC003":
            continue
        assert list(rule.check_doc(DocContext(doc, today=TODAY))) == [], code
    assert len(_check("DOC003", template_text())) > 20


# -- the rules themselves -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_rule_is_documented_and_named(code: str) -> None:
    rule: Rule = RULES[code]
    assert rule.code == code
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.name)
    assert rule.severity == SEVERITIES[code]
    # Headings inside the examples' code blocks are not the docstring's own.
    prose = re.sub(r"^(~~~|```).*?^\1", "CODE", rule.doc, flags=re.MULTILINE | re.DOTALL)
    heads = [m.group(0) for m in re.finditer(r"^## .+$", prose, re.MULTILINE)]
    assert heads == ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
    for part in re.split(r"^## .+$", prose, flags=re.MULTILINE)[1:]:
        assert part.strip(), f"{code}: empty docstring section"
    assert rule.summary.endswith(".")
    module = RULES_DIR / f"{code.lower()}_{rule.name.replace('-', '_')}.py"
    assert module.exists(), f"{code}: module should be {module.name}"
    assert (rule.check_doc is None) != (rule.check_catalog is None)


def test_every_rule_module_is_registered_in_code_order() -> None:
    modules = sorted(p.stem for p in RULES_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(modules) == sorted(f"{c.lower()}_{r.name.replace('-', '_')}" for c, r in RULES.items())
    assert list(RULES) == sorted(RULES)
    assert set(RULES) == set(SEVERITIES)


def test_doc000_is_reported_by_the_loader(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(b"# Integration: Caf\xe9 \xe2\x86\x92 Payments\n\n**Purpose:** x\n\xff\n")
    findings = _lint(latin1, "DOC000")
    assert [(f.line, f.code) for f in findings] == [(1, "DOC000")]
    assert "UTF-8" in findings[0].message
    assert _lint(FIXTURES / "clean.md", "DOC000") == []


# -- DOC ----------------------------------------------------------------------------------------------------


def test_doc001_accepts_section_aliases_and_reports_each_missing_one() -> None:
    text = "# Integration: A → B\n\n## Quick Reference\n\n## Configuration & Environment\n"
    msgs = _messages("DOC001", text)
    assert len(msgs) == 4
    assert not any("Configuration" in m or "Quick Reference" in m for m in msgs)


def test_doc002_health_check_as_block_or_inline() -> None:
    block = _doc(body="**Health Check:**\n```bash\ncurl -f http://b/healthz\n```")
    inline = _doc(body="**Health Check:** `curl -f http://b/healthz`")
    for text in (block, inline):
        assert not any("Health Check" in m for m in _messages("DOC002", text))
    empty = _doc(body="**Health Check:**\n\n**Client:** `X`")
    found = dict(zip(_messages("DOC002", empty), _check("DOC002", empty), strict=True))
    assert found["field 'Health Check' is empty"] == 7


def test_doc002_lines_of_missing_fields() -> None:
    text = _doc(body="**Source:** `a.py:1`", title="<!-- x -->\n\n# Integration: A → B")
    found = {
        m.split("'")[1]: line
        for m, line in zip(_messages("DOC002", text), _check("DOC002", text), strict=True)
    }
    assert found["**Purpose:**"] == 3  # under the title
    assert found["**Destination:**"] == 7  # the Quick Reference heading
    assert found["**Endpoint:**"] == 1  # no Request Format section
    assert found["**Last Updated:**"] == 1  # footer
    assert "**Source:**" not in found


def test_doc002_placeholder_counts_as_present() -> None:
    assert not any(
        "Purpose" in m for m in _messages("DOC002", _doc(header="**Purpose:** [What this integration does]"))
    )


@pytest.mark.parametrize(
    ("title", "bad"),
    [
        ("# Integration: Checkout Service → Payments API", False),
        ("# Integration: Checkout Service -> Payments API", False),
        ("# integration: checkout → payments", False),
        ("# Integration: [Source] → [Destination]", False),
        ("# Integration: Checkout Service => Payments API", False),  # tolerated (format.md); fmt writes →
        ("# Integration: Checkout Service ⟶ Payments API", False),
        ("# Integration: → Payments API", True),
        ("# Integration: Checkout →", True),
        ("# Integration: Checkout → Payments → Ledger", True),
        ("# Checkout talks to payments", True),
        ("## Integration: Checkout → Payments", True),
        ("", True),
    ],
)
def test_doc004_title_forms(title: str, bad: bool) -> None:
    assert bool(_check("DOC004", f"{title}\n\n**Purpose:** x\n")) is bad


# -- VAL ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("Unidirectional", False),
        ("bidirectional", False),
        ("Bidirectional (acks come back on the same socket)", False),
        ("[Unidirectional/Bidirectional]", False),
        ("", False),
        ("One-way", True),
        ("Bi-directional", True),
        ("Unidirectional, mostly", True),
    ],
)
def test_val001_direction(value: str, bad: bool) -> None:
    assert bool(_check("VAL001", _doc(header=f"**Direction:** {value}"))) is bad


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("Yes", False),
        ("no", False),
        ("Yes (month-end close only)", False),
        ("[Yes/No]", False),
        ("Sometimes", True),
    ],
)
def test_val002_critical_path(value: str, bad: bool) -> None:
    assert bool(_check("VAL002", _doc(header=f"**Critical Path:** {value}"))) is bad


def test_val003_reads_every_latency_item() -> None:
    body = (
        "**Latency:**\n- Typical: 10-20 ms\n- P50: 45\n- Median: ~0.2 s (warm)\n- P95: [ms]\n- P99:\n"
        "- Cold start: slow\n- **P99**: n/a\n"
    )
    text = _doc(body=body)
    first = text.split("\n").index("- Typical: 10-20 ms") + 1
    assert _check("VAL003", text) == [first + 1, first + 4, first + 6]


def test_val004_compares_with_typical_when_p95_is_missing() -> None:
    body = "**Latency:**\n- Typical: 0.2 s\n- P99: 150 ms\n"
    text = _doc(body=body)
    assert _check("VAL004", text) == [text.split("\n").index("- P99: 150 ms") + 1]
    assert _check("VAL004", _doc(body="**Latency:**\n- Typical: 0.2 s\n- P95: 200 ms\n- P99: 1 s\n")) == []


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("~2,500 RPC/s", False),
        ("1.2k msgs/min", False),
        ("300 rps", False),
        ("[requests/sec or similar metric]", False),
        ("Bursty", True),
    ],
)
def test_val005_throughput(value: str, bad: bool) -> None:
    assert bool(_check("VAL005", _doc(body=f"**Throughput:**\n- {value}\n"))) is bad


def test_a_figure_that_reads_two_ways_is_said_so_not_guessed() -> None:
    """``1.200 Nachrichten/s`` was 1.2/s with nothing said (round 54): 1,200 in German."""
    (message,) = _messages("VAL005", _doc(body="**Throughput:**\n- 1.200 Nachrichten/s\n"))
    assert "1.200 reads two ways" in message and "write 1200 or 1.2" in message
    (message,) = _messages("VAL003", _doc(body="**Latency:**\n- Typical: 0,5 s\n- P99: 1.500 ms\n"))
    assert message.startswith("P99 latency '1.500 ms': 1.500 reads two ways")


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("Orders DB (orders-db.internal:5432)", False),
        ("Orders DB ([::1]:5432)", False),
        ("Orders DB (`orders-db:5432`)", False),
        ("[Service name] ([host:port])", False),
        ("Orders DB ([host:port])", False),
        ("(orders-db:5432)", True),
        ("Orders DB (orders-db)", True),
        ("orders-db:5432", True),
    ],
)
def test_val006_destination(value: str, bad: bool) -> None:
    assert bool(_check("VAL006", _doc(body=f"**Destination:** {value}"))) is bad


def test_val007_ports() -> None:
    assert (
        _check("VAL007", _doc(body="**Destination:** DB (db:65535)\n**Endpoint:** `GET https://db:1/x`"))
        == []
    )
    text = _doc(body="**Destination:** DB (db:65536)\n**Endpoint:** `GET https://u:p@[::1]:70000/x`")
    line = text.split("\n").index("**Destination:** DB (db:65536)") + 1
    assert _check("VAL007", text) == [line, line + 1]


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("`services/checkout/client.py:41`", False),
        ("services/checkout/client.py#L41", False),
        ("`[source_file.py:line]`", False),
        ("PaymentsClient", True),
        ("the checkout service", True),
    ],
)
def test_val008_source_ref(value: str, bad: bool) -> None:
    assert bool(_check("VAL008", _doc(body=f"**Source:** {value}"))) is bad


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("2026-11-20", False),
        ("`2026-11-20`", False),
        ("2026-11-20 (after the v2 release)", False),
        ("[Date]", False),
        ("2026/11/20", True),
        ("20 November 2026", True),
        ("2026-02-30", True),
        ("Q3", True),
    ],
)
def test_val009_last_updated(value: str, bad: bool) -> None:
    assert bool(_check("VAL009", _doc(body=f"**Last Updated:** {value}"))) is bad


# -- BLK ----------------------------------------------------------------------------------------------------


def test_blk001_checks_nested_blocks_and_skips_placeholders() -> None:
    nested = _doc(body='- **Request**:\n\n  ```json\n  {"a": 1,}\n  ```\n')
    assert _check("BLK001", nested) == [nested.split("\n").index('  {"a": 1,}') + 1]
    ok = _doc(body='```json\n{"id": [Charge ID], "name": "[value]"}\n```\n\n```jsonc\n{"a": 1, // c\n}\n```')
    assert _check("BLK001", ok) == []
    assert _messages("BLK001", _doc(body="```json\n{'a': 1}\n```"))[0].startswith(
        "invalid JSON: Expecting property"
    )


@pytest.mark.parametrize(
    "code",
    [
        "if ok:\n    return response.data",  # top-level return: ast.parse accepts it
        "    x = 1\n    y = 2",  # indented as a whole
        ">>> 1 +\n... 2",  # an interactive session
        "[retry logic if applicable]",
        'from [module] import [client]\nclient = [Client]("[connection_string]")\nr = client.[method]({})',
        "items[0]\nd['k']\nx = [1, 2]\nprint(f'{x!r}')",
        'p = "\\d+"',  # a SyntaxWarning only
    ],
)
def test_blk002_accepts(code: str) -> None:
    assert _check("BLK002", _doc(body=f"```python\n{code}\n```")) == []


@pytest.mark.parametrize(
    ("code", "bad_line"),
    [
        ("x = 1\ndef f(:\n    pass", 2),
        ("x = [Client]()\ny = 2\nz = (", 3),
        ("print('a')\nprint(b c)", 2),
        ("a = 1\x00", 1),
    ],
)
def test_blk002_reports_the_line(code: str, bad_line: int) -> None:
    text = _doc(body=f"```py\n{code}\n```")
    content = text.split("\n").index("```py") + 2
    assert _check("BLK002", text) == [content + bad_line - 1]


# -- placeholders in code (shared with DOC003) --------------------------------------------------------------


@pytest.mark.parametrize("line", ["items[0]", 'd["k"]', "[1, 2]", "x = [a for a in b]", "t: list[Foo] = []"])
def test_code_placeholders_ignore_real_code(line: str) -> None:
    assert _common.code_placeholders(line) == []
    assert _check("DOC003", _doc(body=f"```python\n{line}\n```")) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("r = client.[method]({})", ["[method]"]),
        ("[retry logic if applicable]", ["[retry logic if applicable]"]),
        ('client = [Client]("[connection_string]")', ["[Client]", "[connection_string]"]),
        ("export [VAR_NAME]=[value]  # [Purpose]", ["[VAR_NAME]", "[value]", "[Purpose]"]),
    ],
)
def test_code_placeholders_find_template_ones(line: str, found: list[str]) -> None:
    assert [ph for _, ph in _common.code_placeholders(line)] == found
    assert len(_check("DOC003", _doc(body=f"```python\n{line}\n```"))) == len(found)


def test_substitute_placeholders_keeps_lines() -> None:
    text, lines = _common.substitute_placeholders("a = 1\nb = client.[method](x)\n", "_")
    assert text == "a = 1\nb = client._(x)\n"
    assert lines == {2}


# -- SEC ----------------------------------------------------------------------------------------------------


def test_sec001_messages_never_contain_the_secret() -> None:
    text = (FIXTURES / "SEC001.md").read_text(encoding="utf-8")
    assert all(secret in text for secret in SEC001_SECRETS)
    findings = _lint(FIXTURES / "SEC001.md", "SEC001")
    assert len(findings) == len(SEC001_SECRETS)
    for f in findings:
        assert "***" in f.message
        for secret in SEC001_SECRETS:
            assert secret not in f.message


@pytest.mark.parametrize(
    "url",
    [
        "postgres://orders:${ORDERS_DB_PASSWORD}@db:5432/orders",
        "postgres://orders:$ORDERS_DB_PASSWORD@db:5432/orders",
        "postgres://orders:<password>@db:5432/orders",
        "postgres://orders:***@db:5432/orders",
        "postgres://orders:[password]@db:5432/orders",
        "postgres://[user]:[password]@[host]:5432/orders",
        "postgres://orders@db:5432/orders",
        # a format written with placeholder words (new user, round 21): not a password
        "amqp://user:pass@host:5672/vhost",
        "postgres://USER:PASSWORD@HOST:5432/DB",
        "redis://:password@hostname:6379/0",
        "https://db:5432/orders?x=a@b",
    ],
)
def test_sec001_url_references_are_fine(url: str) -> None:
    assert _check("SEC001", _doc(body=f"**Connection String:**\n```\n{url}\n```")) == []


@pytest.mark.parametrize(
    "text",
    [
        "postgres://orders:password@db:5432/orders",
        "redis://:s3cr3t@cache:6379/0",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "SLACK=xoxb-2837465019-9876543210-AbCdEfGhIjKlMnOp",
        "stripe key rk_live_51HxAbCdEfGhIjKl",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        '{"Authorization": "Bearer 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"}',
    ],
)
def test_sec001_finds_secrets_anywhere(text: str) -> None:
    msgs = _messages("SEC001", _doc(header=f"Note: {text}"))
    assert len(msgs) == 1
    assert "***" in msgs[0]


@pytest.mark.parametrize(
    ("line", "bad"),
    [
        ("export ORDERS_DB_PASSWORD=changeme", True),
        ("export STRIPE_API_KEY='sk_test_4eC39HqLyjWDarjtT1zdp7dc'", True),
        ("export ORDERS_DB_PASSWORD=${ORDERS_DB_PASSWORD}", False),
        ("export ORDERS_DB_PASSWORD=$(vault kv get -field=pw secret/orders)", False),
        ("export ORDERS_DB_PASSWORD=<from vault>", False),
        ("export ORDERS_DB_PASSWORD=", False),
        ("export ORDERS_DB_PASSWORD_FILE=/run/secrets/orders", False),
        ("export TOKEN_TTL_SECONDS=300", False),
        ("export TOKEN_BUCKET_SIZE=100", False),
        ("export [VAR_NAME]=[value]  # [Purpose]", False),
        ("export ORDERS_DB_HOST=db.internal", False),
    ],
)
def test_sec001_environment_variables(line: str, bad: bool) -> None:
    assert bool(_check("SEC001", _doc(body=f"**Environment Variables:**\n```bash\n{line}\n```"))) is bad


@pytest.mark.parametrize(
    "text",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "curl -H 'Authorization: Bearer $PAYMENTS_API_TOKEN' https://x",
        "Authorization: Bearer <token>",
        "headers={'Authorization': f'Bearer {token}'}",
    ],
)
def test_sec001_ignores_dummies_and_references(text: str) -> None:
    assert _check("SEC001", _doc(body=f"```bash\n{text}\n```")) == []


# -- CRT ----------------------------------------------------------------------------------------------------


def test_crt_rules_only_apply_to_critical_integrations() -> None:
    clean = (FIXTURES / "clean.md").read_text(encoding="utf-8")
    stripped = clean.replace("- P99: 900 ms (measured 2026-11-20 at 40 req/s)\n", "")
    assert _check("CRT003", stripped) == [6]
    assert _check("CRT003", stripped.replace("**Critical Path:** Yes", "**Critical Path:** No")) == []
    assert _check("CRT003", stripped.replace("**Critical Path:** Yes", "**Critical Path:** [Yes/No]")) == []
    unreadable = clean.replace("- P99: 900 ms (measured 2026-11-20 at 40 req/s)", "- P99: slow")
    assert _check("CRT003", unreadable) == []  # VAL003's
    assert _check("VAL003", unreadable) == [116]


def test_crt_rules_accept_prose_and_comments() -> None:
    clean = (FIXTURES / "clean.md").read_text(encoding="utf-8")
    retry = clean.index("**Retry Strategy:**")
    end = clean.index("## Performance")
    no_retry = clean[:retry] + "**Retry Strategy:** none, charges are not idempotent\n\n---\n\n" + clean[end:]
    assert _check("CRT002", no_retry) == []
    only_comment = clean[:retry] + "**Retry Strategy:**\n```python\n# [retry logic]\n```\n\n" + clean[end:]
    assert _check("CRT002", only_comment) == [6]


# -- AGE ----------------------------------------------------------------------------------------------------


def test_age_rules_read_any_readable_date_and_skip_the_rest() -> None:
    body = "## Recent Changes\n\n**Nov 2, 2026:**\n- x\n\n**someday:**\n- y\n\n**Last Updated:** 2026-11-02\n"
    text = _doc(body=body)
    assert _check("AGE001", text) == []
    assert _check("AGE001", text.replace("2026-11-02", "2026-11-01")) != []
    assert _check("AGE002", text) == []
    lines = text.split("\n")
    future = [lines.index("**Nov 2, 2026:**") + 1, lines.index("**Last Updated:** 2026-11-02") + 1]
    assert _check("AGE002", text, today=dt.date(2026, 11, 1)) == future
    assert _check("AGE001", _doc(body="**Last Updated:** [Date]")) == []


# -- never raise --------------------------------------------------------------------------------------------

ODD_DOCS = (
    "",
    "\n\n\n",
    "# Integration:",
    "# Integration: → ",
    "**Critical Path:** Yes\n",
    "**Critical Path:** Yes\n**Latency:**\n- P99\n- :\n- P95: 1e999 ms\n",
    "# Integration: A → B\n## Performance\n**Latency:**\n- Typical: 99999999999999999999999 h\n- P95: 1 ns\n",
    "**Destination:** x (h:99999999999999999999999999)\n**Endpoint:** `http://h:0000000/`\n",
    "```json\n" + "[" * 5000 + "\n```\n",
    "```python\n" + "(" * 300 + "\n```\n```python\n" + "[" * 5000 + "\n```\n",
    "**Environment Variables:**\n```\nexport =\nexport A_TOKEN=\"\nexport B_SECRET='x\n```\n",
    "## Recent Changes\n**9999-99-99:**\n**0001-01-01:**\n**Last Updated:** 0001-01-01\n",
    "- **Source**:\n  - **Destination**:\n    ```json\n    {\n    ```\n",
    "<!-- wiremap: disable=ALL -->\n| a | b |\n|---|---|\n| **Source:** x | y |\n> **Purpose:** quoted\n",
    "\ufeff# Integration: Ünïcødé → 日本語\r\n**Direction:** ↔\r\n",
    "[[[[]]]] **Source:** `` ` `` **:** [x](y) ![z](w) [^1]\n",
)


@pytest.mark.parametrize("text", ODD_DOCS)
def test_no_rule_raises_on_odd_docs(text: str) -> None:
    doc = parse_text(text, "odd.md")
    for rule in RULES.values():
        if rule.check_doc is not None:
            for v in rule.check_doc(DocContext(doc, today=TODAY)):
                assert v.line >= 1
                assert v.message


_MD = st.sampled_from(
    [
        "# Integration: A → B\n",
        "## Performance\n",
        "## Recent Changes\n",
        "**Latency:**\n",
        "**Critical Path:** Yes\n",
        "**Last Updated:** ",
        "**Destination:** ",
        "**Environment Variables:**\n",
        "- P99: ",
        "- Typical: ",
        "```python\n",
        "```json\n",
        "```\n",
        "[ms]",
        "(h:1)",
        "2026-13-45",
        "https://u:p@h:99999/",
        "export X_TOKEN=",
        "\n",
        " ",
        ":",
        "→",
    ]
)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.one_of(_MD, st.text(max_size=8)), max_size=25))
def test_no_rule_raises_on_generated_docs(parts: list[str]) -> None:
    doc = parse_text("".join(parts), "gen.md")
    for rule in RULES.values():
        if rule.check_doc is not None:
            for v in rule.check_doc(DocContext(doc, today=TODAY)):
                assert isinstance(v.line, int)
                assert v.message


def test_src008_calls_a_placeholder_a_placeholder(capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a new user: 'Maintained By is empty' for `**Maintained By:** [Your name]`."""
    from wiremap.cli.main import main

    assert main(["lint", str(FIXTURES / "SRC008" / "docs"), "--select", "SRC008"]) == 0
    assert "Maintained By is a placeholder; CODEOWNERS names" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("under", "lines"),
    [
        ("\n\n| Failure | Cause | Handling |\n|---|---|---|\n| Timeout | slow | retried |", []),
        ("\n\n- **Timeout**: slow → retried", []),
        ("\n\nNone known.", []),
        (" n/a", []),
        ("", []),
        ("\n\nConnection refused: pool empty, we page the on-call.", [7]),
        ("\n\n```\nTimeout -> retried\n```", [7]),
        ("\n\n<table><tr><td>Timeout</td></tr></table>", [7]),
        (" timeouts are retried, see the runbook", [5]),
        ("\nTimeouts are retried, see the runbook", [6]),
        ("\n| Failure | Handling |\n|---|---|\n| Timeout | retried |", []),
        ("\n\n| Failure | Handling |\n|---|---|\n| | retried |", [9]),
    ],
)
def test_val011_says_what_under_failure_modes_cannot_be_read(under: str, lines: list[int]) -> None:
    """Found by a new user: Failure Modes written as a table gave failure_modes [] and lint said nothing;
    a table is read now, and a shape that is not read is said."""
    head = "# Integration: A → B\n\n## Error Handling\n\n"
    text = f"{head}**Failure Modes:**{under}\n\n**Retry Strategy:** none\n"
    assert _check("VAL011", text) == lines


@pytest.mark.parametrize(
    ("destination", "endpoint", "lines"),
    [
        ("Tax API (127.0.0.1:18799)", "GET http://127.0.0.1:18701/v1/rates", [7]),  # new user, round 16
        ("Tax API (tax.internal:443)", "GET https://tax.internal/v1/rates", []),  # the scheme's default port
        ("Tax API (localhost:8080)", "GET http://127.0.0.1:8080/v1/rates", []),  # one loopback host
        ("Tax API (tax.internal:8080)", "GET http://rates.internal:8080/v1", [7]),
        ("Tax API (tax.internal)", "GET http://tax.internal:8080/v1", []),  # no port documented to differ
        ("Tax API (tax.internal:8080)", "GET /v1/rates", []),  # no URL
    ],
)
def test_val012_endpoint_url_against_destination(destination: str, endpoint: str, lines: list[int]) -> None:
    head = f"# Integration: A → B\n\n**Destination:** {destination}\n\n"
    text = f"{head}## Request Format\n\n**Endpoint:** `{endpoint}`\n"
    assert _check("VAL012", text) == lines


def test_a_doc_named_twice_is_one_doc(capsys: pytest.CaptureFixture[str]) -> None:
    """``lint docs docs/a.md`` (or the same file twice) said CAT001 "already documented in" the doc itself,
    exit 1 (new user, round 30)."""
    from tests._paths import EXAMPLE_DOCS
    from wiremap.cli.main import main

    one = EXAMPLE_DOCS / "cart-service-to-cart-redis.md"
    main(["lint", str(EXAMPLE_DOCS), str(one), str(one), "--select", "CAT001"])
    assert "CAT001" not in capsys.readouterr().out
