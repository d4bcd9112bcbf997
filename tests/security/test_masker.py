"""The masker (wiremap.secrets) against its corpus: every secret masked, every innocent text kept byte for
byte, the text around a secret kept, masking idempotent, and SEC001 reporting exactly what is masked."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.security.corpus import INNOCENT, SECRETS, expected_masked
from wiremap.document import parse_text
from wiremap.lint import RULES
from wiremap.lint.reference import render_rule_reference
from wiremap.lint.rule import DocContext
from wiremap.secrets import MASK, find_secrets, looks_secret_name, mask_json, mask_text

LABELS = [label for label, _, _ in SECRETS]


def test_the_corpus_is_large_enough_and_labels_are_unique() -> None:
    assert len(SECRETS) >= 60 and len(INNOCENT) >= 30
    assert len(set(LABELS)) == len(LABELS)
    for label, text, secrets in SECRETS:
        assert secrets and all(s and s in text for s in secrets), label


@pytest.mark.parametrize(("text", "secrets"), [(t, s) for _, t, s in SECRETS], ids=LABELS)
def test_each_secret_is_masked_and_nothing_else_changes(text: str, secrets: tuple[str, ...]) -> None:
    out = mask_text(text)
    assert out == expected_masked(text, secrets)  # the prefix and suffix of each secret are kept as is
    assert mask_text(out) == out  # idempotent
    for secret in secrets:
        assert secret not in out


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_look_alikes_are_kept_byte_for_byte(text: str) -> None:
    assert mask_text(text) == text
    assert find_secrets(text) == []


def _sec001(text: str) -> list[int]:
    rule = RULES["SEC001"]
    assert rule.check_doc is not None
    return [v.line for v in rule.check_doc(DocContext(parse_text(text)))]


def _doc(body: str) -> tuple[str, int]:
    head = (
        "# Integration: Checkout Service → Payments API\n\n**Purpose:** Charges orders\n\n## Notes\n\n```\n"
    )
    return head + body + "\n```\n", head.count("\n") + 1


@pytest.mark.parametrize(("text", "secrets"), [(t, s) for _, t, s in SECRETS], ids=LABELS)
def test_sec001_reports_each_line_that_is_masked(text: str, secrets: tuple[str, ...]) -> None:
    doc, first = _doc(text)
    masked = mask_text(doc)
    lines = {first + text[: text.index(s)].count("\n") for s in secrets}
    assert set(_sec001(doc)) == lines
    changed = {
        n for n, (a, b) in enumerate(zip(doc.split("\n"), masked.split("\n"), strict=False), 1) if a != b
    }
    assert lines <= changed | {n - 1 for n in changed}  # a block's secret starts on the line after BEGIN


@pytest.mark.parametrize("text", INNOCENT)
def test_sec001_reports_nothing_that_is_not_masked(text: str) -> None:
    assert _sec001(_doc(text)[0]) == []


def test_secrets_inside_larger_text_keep_their_surroundings() -> None:
    parts = [INNOCENT[n % len(INNOCENT)] + "\n" + text for n, (_, text, _) in enumerate(SECRETS)]
    whole = "\n\n".join(parts)
    expected = "\n\n".join(
        INNOCENT[n % len(INNOCENT)] + "\n" + expected_masked(text, secrets)
        for n, (_, text, secrets) in enumerate(SECRETS)
    )
    assert mask_text(whole) == expected


def test_json_and_xml_forms_of_the_corpus() -> None:
    """Reports carry doc text JSON-escaped (lint --format json, show) or XML-escaped (junit)."""
    for label, text, secrets in SECRETS:
        dumped = json.dumps({"message": text})
        masked = mask_text(dumped)
        assert json.loads(masked)["message"] == expected_masked(text, secrets) or all(
            s not in json.loads(masked)["message"] for s in secrets
        ), label
        assert json.loads(masked)["message"].count(MASK) >= 1, label


def test_mask_json_masks_by_key_and_by_env_var_name() -> None:
    data = {
        "env_vars": [
            {"name": "REDIS_AUTH", "value": "pw1", "purpose": None},
            {"name": "AUTH_MODE", "value": "oauth", "purpose": None},
            {"name": "TOKEN_TTL", "value": "3600", "purpose": None},
        ],
        "request": {"json": {"clientSecret": "pw2", "nested": [{"api_key": "pw3"}], "password": "${PW}"}},
        "headers": {"Authorization": "Bearer abcdefgh123", "X-Api-Key": "pw4"},
        "purpose": "sync with postgresql://app:pw5@db/x",
    }
    out = mask_json(data)
    text = json.dumps(out)
    for secret in ("pw1", "pw2", "pw3", "pw4", "pw5", "abcdefgh123"):
        assert secret not in text
    assert out["env_vars"][1]["value"] == "oauth" and out["env_vars"][2]["value"] == "3600"
    assert out["request"]["json"]["password"] == "${PW}"
    assert out["headers"]["Authorization"] == "Bearer ***"
    assert mask_json(out) == out


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("db_pass", True),
        ("MYSQL_PWD", True),
        ("REDIS_AUTH", True),
        ("BASIC_AUTH", True),
        ("AUTH_TOKEN", True),
        ("apiKey", True),
        ("X-Api-Key", True),
        ("AccountKey", True),
        ("spring.datasource.password", True),
        ("PWD", False),
        ("AUTH_MODE", False),
        ("AUTH_TYPE", False),
        ("OAUTH_PROVIDER", False),
        ("AUTHOR", False),
        ("DB_PASSWORD_FILE", False),
        ("password_min_length", False),
        ("TOKEN_TTL", False),
        ("tokenType", False),
        ("TOKENIZER", False),
        ("ROUTING_KEY", False),
        ("Idempotency-Key", False),
        ("password-stdin", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert looks_secret_name(name) is secret


def test_the_rule_reference_passes_the_door_unchanged() -> None:
    """``wiremap rule --all --format markdown`` is masked like every output, and is docs/rules.md."""
    text = render_rule_reference()
    assert mask_text(text) == text, [text[s.start - 40 : s.end + 10] for s in find_secrets(text)]


# -- properties ----------------------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [t for _, t, _ in SECRETS]
    + INNOCENT
    + ["\n", " ", "=", ":", "@", "`", '"', "'", "\\n", "--", " -p", "&", "?"]
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_PIECES, st.sampled_from([" ", "\n", "\t"])), max_size=8))
def test_masking_only_replaces_spans_and_is_idempotent(pieces: list[tuple[str, str]]) -> None:
    text = "".join(piece + sep for piece, sep in pieces)
    found = find_secrets(text)
    pos = 0
    for s in found:
        assert pos <= s.start < s.end <= len(text) and MASK in s.shown
        pos = s.end
    out = mask_text(text)
    assert mask_text(out) == out
    rebuilt, pos = [], 0
    for s in found:
        rebuilt += (text[pos : s.start], MASK)
        pos = s.end
    assert out == "".join(rebuilt) + text[pos:]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(range(len(SECRETS))),
    st.sampled_from([*INNOCENT, "", "note:", "-- see below", "x = 1", "{"]),
    st.sampled_from([*INNOCENT, "", "done.", "# comment", "}"]),
)
def test_a_secret_between_any_lines_keeps_them(n: int, before: str, after: str) -> None:
    _, text, secrets = SECRETS[n]
    out = mask_text(f"{before}\n{text}\n{after}")
    assert out == f"{before}\n{expected_masked(text, secrets)}\n{after}"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_any_text_masks_without_error_and_idempotently(text: str) -> None:
    out = mask_text(text)
    assert mask_text(out) == out
    assert out == text or MASK in out


# A value's extent follows the syntax it is written in: a connection string's value runs to ``;``, a URL
# query's to ``&``, a line's to a space, a quoted value is the whole string. Whatever characters a secret
# holds (``&``, spaces, ``=``, quotes, ``%``, ``#``, ``@``, ``:``, ``/``), none of them is left in the output.
def _value(chars: str) -> st.SearchStrategy[str]:
    tail = st.text(alphabet=chars, min_size=1, max_size=10)
    return st.builds(lambda t: f"Tr0{t}9x", tail).filter(lambda v: "://" not in v)


_CONN_KEYS = [
    "Password",
    "password",
    "Pwd",
    "PWD",
    "passwd",
    "AccountKey",
    "SharedAccessKey",
    "Token",
    "ApiKey",
]
_QUERY_KEYS = ["password", "pwd", "passwd", "token", "access_token", "secret", "api_key", "sig", "key"]
_LINE_KEYS = ["DB_PASSWORD", "MYSQL_PWD", "REDIS_PASS", "API_TOKEN", "CLIENT_SECRET", "STRIPE_API_KEY"]


def _masked_exactly(before: str, secret: str, after: str) -> None:
    text = before + secret + after
    for form in (text, f"{text}\n", f"notes\n{text}\nmore"):
        out = mask_text(form)
        assert out == form.replace(text, before + MASK + after), (form, out)
        assert secret not in out and secret not in mask_text(json.dumps({"m": form}))
    doc, first = _doc(text)
    assert _sec001(doc) == [first]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.sampled_from(_CONN_KEYS),
    _value('&= %#@:/"aZ-+!'),
    st.sampled_from(["", "export DSN='", 'dsn = "', "`"]),
    st.sampled_from(["Server=db;", "Server=db; Database=shop;", ""]),
)
def test_a_connection_string_value_is_masked_to_its_semicolon(
    key: str, value: str, lead: str, keys: str
) -> None:
    close = {"export DSN='": "'", 'dsn = "': '"', "`": "`"}.get(lead, "")
    if close and close in value:
        value = value.replace(close, "")
    _masked_exactly(f"{lead}{keys}{key}=", value, f";Encrypt=true;{close}")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(_QUERY_KEYS), _value("=%@:/aZ-+!~"))
def test_a_query_string_value_is_masked_to_its_ampersand(key: str, value: str) -> None:
    _masked_exactly(f"curl 'https://api.example.com/v1?user=app&{key}=", value, "&page=2'")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.sampled_from(_LINE_KEYS),
    _value("&= %#@:/'\"aZ;|"),
    st.sampled_from(["'", '"', ""]),
    st.sampled_from(["", "export ", "- "]),
)
def test_a_line_value_is_masked_whole_quoted_or_to_its_space(
    key: str, value: str, quote: str, head: str
) -> None:
    if quote:
        value = value.replace(quote, "").replace("\\", "")
    else:
        value = "".join(c for c in value if c not in " '\"")
    _masked_exactly(f"{head}{key}={quote}", value, f"{quote}  # rotated monthly")


def test_a_password_is_redacted_where_it_is_a_word_not_inside_words() -> None:
    """A PostgreSQL error under the password "data" read "***base 'nope_db' does not exist", and under
    "x" "does not e***ist": the mask garbled the message and spelled the password out (new user,
    round 14). A protocol's error detail is redacted where the password stands as a word."""
    from wiremap.secrets import redact

    detail = 'database "nope_db" does not exist; password data rejected for postgres:data@db'
    assert (
        redact(detail, "data")
        == 'database "nope_db" does not exist; password *** rejected for postgres:***@db'
    )
    assert redact("does not exist", "x") == "does not exist"
    assert redact("token s3cr3t! was refused", "s3cr3t!") == "token *** was refused"


def test_a_semicolon_of_prose_does_not_start_a_connection_string() -> None:
    """A commit subject "… from PAYMENTS_API_TOKEN; token=hunter2supersecret was removed" lost " was
    removed" in sync and SRC007 (new user, round 21): a value after ``;`` runs to the next ``;`` only in a
    connection string, where a ``key=value`` pair comes before it."""
    from wiremap.secrets import mask_text

    subject = "payments: send bearer token from PAYMENTS_API_TOKEN; token=hunter2supersecret was removed"
    assert mask_text(subject) == "payments: send bearer token from PAYMENTS_API_TOKEN; token=*** was removed"
    assert mask_text("Server=db;User Id=sa;Password=my secret pw;Database=x") == (
        "Server=db;User Id=sa;Password=***;Database=x"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mosquitto_pub -h broker --pw Mq2Pw33xx -t a", "mosquitto_pub -h broker --pw *** -t a"),
        (
            'Elasticsearch(hosts, basic_auth=("elastic", "BasicAuthPw88"))',
            'Elasticsearch(hosts, basic_auth=("elastic", "***"))',
        ),
        ('pika.PlainCredentials("router", "Pl41nCredPw77")', 'pika.PlainCredentials("router", "***")'),
        ('client.username_pw_set("dev", "UsrPwSet55")', 'client.username_pw_set("dev", "***")'),
        ("requests.get(u, auth=('user', 's3cretPw1'))", "requests.get(u, auth=('user', '***'))"),
        ('new NetworkCredential("svc", "N3tCred!")', 'new NetworkCredential("svc", "***")'),
        # references and placeholders are no secrets
        ('auth=("user", os.environ["PW"])', 'auth=("user", os.environ["PW"])'),
        ('auth=("user", "pass")', 'auth=("user", "pass")'),
        (
            'PlainCredentials("router", "${RABBIT_PASSWORD}")',
            'PlainCredentials("router", "${RABBIT_PASSWORD}")',
        ),
    ],
)
def test_credentials_given_to_code_and_to_pw_are_masked(text: str, masked: str) -> None:
    """Found by an adversary (round 22): ``--pw`` (mosquitto's long -P) and a user and password passed as two
    literals to what takes credentials were printed as written, and SEC001 said nothing."""
    from wiremap.secrets import mask_text

    assert mask_text(text) == masked


def _rows_line_by_line(text: str) -> list[tuple[int, int, int]]:
    """The table rows of ``text`` read line by line (what wiremap.secrets._rows did before it looked only at
    the lines holding a ``|``): the reference the faster one must equal."""
    import itertools

    from wiremap.secrets import _LINE_BREAK

    out: list[tuple[int, int, int]] = []
    start = 0
    for n, brk in enumerate(itertools.chain(_LINE_BREAK.finditer(text), (None,))):
        end = brk.start() if brk is not None else len(text)
        first = text.find("|", start, end)
        if first >= 0:
            last = text.rfind("|", start, end)
            head, tail = text[start:first].strip(" \t"), text[last + 1 : end].strip(" \t")
            if last > first and head[-1:] in ("", '"') and tail[:1] in ("", '"', "\\"):
                out.append((n, first, last + 1))
        start = brk.end() if brk is not None else len(text)
    return out


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["|", "\n", "\r", "\\", "n", "r", '"', " ", "a", "\\n", "\r\n", "| a |", "\\r\\n"])
    )
)
def test_table_rows_are_found_as_line_by_line(pieces: list[str]) -> None:
    from wiremap.secrets import _rows

    text = "".join(pieces)
    assert _rows(text) == _rows_line_by_line(text)


def test_a_word_after_auth_colon_is_prose_and_a_terraform_default_is_a_secret() -> None:
    """A commit subject "recs: headers helper; auth: comments" was written into Recent Changes as
    "auth: ***"; a Terraform variable named as a secret kept its ``default`` in clear (round 23)."""
    from wiremap.secrets import mask_text

    assert mask_text("recs: headers helper; auth: comments") == "recs: headers helper; auth: comments"
    assert mask_text("password: hunter") == "password: ***"  # a password may be a word
    assert mask_text("token: tk_8f7a6b5c4d") == "token: ***"
    hcl = 'variable "webhook_signing_secret" {\n  type = string\n  default = "k8Jd93hdHs72kLs0Qp"\n}\n'
    assert mask_text(hcl) == hcl.replace("k8Jd93hdHs72kLs0Qp", "***")
    region = 'variable "region" {\n  default = "eu-west-1"\n}\n'
    assert mask_text(region) == region


def test_a_pgpass_line_is_masked_and_an_example_cut_short_is_not() -> None:
    """Round 24: a .pgpass line in a Connection String was shown as written (and linted clean), while
    ``"access_token": "eyJ..."`` (a cut example, kept per docs/format.md) was an SEC001 error."""
    from wiremap.secrets import mask_text

    assert mask_text("127.0.0.1:5432:test:report_ro:pGR3p0rtng2024x") == "127.0.0.1:5432:test:report_ro:***"
    assert mask_text("*:*:*:app:s3cretPgPw") == "*:*:*:app:***"
    assert mask_text("at 12:30:45:10:20 the job ran") == "at 12:30:45:10:20 the job ran"
    assert mask_text('"access_token": "eyJ..."') == '"access_token": "eyJ..."'
    assert mask_text('"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIi"') == '"access_token": "***"'
    assert (
        mask_text("FEED_WS_TOKEN=${{ secrets.FEED_WS_TOKEN }}")
        == "FEED_WS_TOKEN=${{ secrets.FEED_WS_TOKEN }}"
    )


def test_a_row_that_names_its_variable_is_reported_by_that_name() -> None:
    """ "API key is set to a literal value (API key | ***)": the purpose cell was taken for the name of a
    row that names its variable (new user, round 25)."""
    from wiremap.secrets import find_secrets

    table = (
        "| Variable | Value | Purpose |\n|---|---|---|\n"
        "| NOTIFY_API_KEY | sk_live_abc123def456 | API key |\n"
        "| Stripe key | rk_live_51HxAbCdEfGh | payments |\n"
    )
    assert [s.shown for s in find_secrets(table)] == ["NOTIFY_API_KEY | ***", "Stripe key | ***"]


def test_a_setting_far_from_every_known_one_gets_no_suggestion() -> None:
    from wiremap.trust.settings import suggest

    assert suggest("owner") == ""  # (it offered down_after)
    assert suggest("expect_stauts") == " (did you mean expect_status?)"


# the scans looked for only near what a match must hold (lint at parse speed, issue 14) find what the
# whole-text scans find
_NEAR = st.sampled_from(
    [
        "password is ",
        "The API key was ",
        "token  is ",
        "is ",
        " was ",
        "hunter2xyz9",
        "basic_auth=(",
        "HTTPBasicAuth(",
        "credentials(",
        "username_pw_set(",
        '"admin", ',
        "'s3cr3t-Pw9'",
        '"pw"',
        ")",
        "db.internal:5432:orders:app:",
        "*:*:*:*:",
        "Sup3rSecretPw",
        "12:30:45",
        "|",
        "\n",
        " ",
        ",",
    ]
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_NEAR, max_size=14))
def test_the_scans_near_their_words_find_what_whole_text_scans_find(pieces: list[str]) -> None:
    from wiremap import secrets as s

    text = "".join(pieces)
    low = text.lower()
    assert [m.span() for m in s._credential_pair_matches(text)] == [
        m.span() for m in s._CREDENTIAL_PAIR.finditer(text)
    ]
    whole = {m.start() for m in s._PROSE_SECRET.finditer(text)}
    assert {m.start() for m in s._prose_statements(text, low)} <= whole
    found_near: list[s.Secret] = []
    s._pgpass(text, found_near)
    pgpass = [m.span("secret") for m in s._PGPASS.finditer(text)]
    assert [(x.start, x.end) for x in found_near] == [
        span
        for span in pgpass
        if not s._plain(text[span[0] : span[1]])
        and not s._PLACEHOLDER_PASSWORD.fullmatch(text[span[0] : span[1]])
    ]
