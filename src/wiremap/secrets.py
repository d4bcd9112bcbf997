"""Secrets: finding them (the SEC001 rule) and masking them in every output.

One function decides both: :func:`find_secrets` returns where each secret is, :func:`mask_text` replaces
exactly those spans with ``***`` and SEC001 reports exactly those spans, so what lint calls a plaintext
secret is what every output of wiremap masks (the door is :mod:`wiremap.output`).

Masking never changes the text around a secret: every character outside the spans is kept, and masking
masked text changes nothing (``***`` and other references are never secrets). Detection is by shape (a
token's prefix, a URL's userinfo, a private-key block) and by name (``DB_PASSWORD=``, ``"api_key":``,
``--token``, ``Authorization:``); a name alone never says a value is secret when the value is a
reference (``${VAR}``, ``$VAR``, ``<secret>``, ``[placeholder]``, ``***``), a small number or a boolean,
code (``os.environ["X"]``, ``settings.token``) or a URL.

Cost: text in which no detector can match is rejected by one regex search. Each detector then looks for
its literals with ``str.find`` (``://``, ``-----BEGIN``, ``authorization``, ``password``, ``ghp_`` ...) and
runs an anchored regex only where one is: a regex scanning every position (``\b…``, a case-insensitive
alternation) would cost ten to a hundred times more on a doc of a few kilobytes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

__all__ = [
    "MASK",
    "SHAPES",
    "URL_PASSWORD",
    "Secret",
    "find_secrets",
    "is_reference",
    "looks_secret_name",
    "mask_json",
    "mask_text",
    "redact",
    "secret_values",
    "shorten",
]

MASK = "***"


class Secret(NamedTuple):
    """A secret in a text: ``text[start:end]`` is what is masked. ``kind`` says what it is, ``shown`` how a
    message may show it (with ``***``, never the secret)."""

    start: int
    end: int
    kind: str
    shown: str


# -- names and values ----------------------------------------------------------------------------------------

# A name (normalised: camelCase split, ``-`` and ``.`` as ``_``, upper-case) that holds a secret ...
_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|(?:^|_)PASS(?:_|$)|[A-Z0-9]_PWD$|SECRET|TOKEN(?!IZ)|API_?KEY|PRIVATE_?KEY|"
    r"CREDENTIAL|ACCESS_?KEY|ACCOUNT_?KEY|SUBSCRIPTION_?KEY|MASTER_?KEY|ENCRYPTION_?KEY|SIGNING_?KEY|"
    r"HMAC_?KEY|SESSION_?KEY|LICEN[CS]E_?KEY|SIGNATURE|(?:^|_)O?AUTH\d*(?:_|$)|AUTHORIZATION|BASICAUTH"
)
# ... unless it names something about the secret rather than the secret: where it is, how long it
# lives, which kind it is (``DB_PASSWORD_FILE``, ``TOKEN_TTL``, ``AUTH_MODE``, ``OAUTH_PROVIDER``).
_NOT_SECRET_NAME = re.compile(
    r"^(?:NO|ASK|SKIP|USE|WITH|WITHOUT)_|_(?:FILES?|PATH|DIR|URL|URI|ENDPOINT|HOST|HOSTNAME|PORT|TTL|TIMEOUT|"
    r"SECONDS|SECS?|MS|MINUTES|MINS|HOURS|DAYS|HEADER|NAME|ID|ARN|REF|TYPE|LENGTH|LEN|ENABLED?|DISABLED|"
    r"REQUIRED|VERSION|EXPIRY|EXPIRES(?:_IN|_AT)?|EXPIRATION|LIFETIME|LIMIT|REGION|USER|USERNAME|LOGIN|EMAIL|"
    r"ROTATION(?:_DAYS)?|MODE|PROVIDER|METHODS?|SCHEME|REALM|DOMAIN|ISSUER|AUDIENCE|SCOPES?|STRATEGY|BACKEND|"
    r"KIND|FORMAT|ALGORITHM|ALG|COUNT|SIZE|MAX|MIN|RETRIES|INTERVAL|POLICY|PREFIX|ENV|VAR|STDIN|LOCATION|"
    r"SERVICE|SERVER|ROLE|GROUP|STORE|FIELD|PARAM|SOURCE|LEEWAY|AGE|DELAY|CACHE|WARNING)$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# A value that is not a secret whatever its name says: numbers up to 6 digits, booleans, null ...
_NOT_SECRET_VALUE = re.compile(
    r"\d{1,6}(?:\.\d+)?|true|false|yes|no|on|off|none|null|nil|undefined|required|optional|enabled|disabled",
    re.IGNORECASE,
)
# ... and type names in code (``def f(token: str)``).
_TYPE_NAMES = frozenset(
    {"str", "bytes", "int", "float", "bool", "string", "String", "number", "boolean", "any", "object", "dict"}
    | {"list", "Optional", "SecretStr", "Secret", "None", "Any"}
)
_FILLER = re.compile(r"[*xX.…•]+")
_REFERENCE_PREFIXES = ("$", "<", "[", "{", "%", "op://", "vault:", "arn:", "env:", "file:")


def is_reference(value: str) -> bool:
    """``${VAR}``, ``$VAR``, ``$(cmd)``, ``%VAR%``, ``<secret>``, ``[placeholder]``, ``{name}``, ``***``,
    ``xxx``, ``…``, a secret manager's address (``op://``, ``vault:``, ``arn:``): no literal."""
    v = value.strip().strip("\"'`")
    if not v or v.startswith(_REFERENCE_PREFIXES):
        return True
    return bool(_FILLER.fullmatch(v))


_DUMMY_WORDS = frozenset(
    {"test", "testing", "dummy", "fake", "example", "sample", "mock", "placeholder", "redacted"}
)
_WORDS = re.compile(r"[a-z]+(?:[-_. ][a-z]+)*")


def _plain(value: str) -> bool:
    """Not a secret whatever its name: a reference, a small number, a boolean, a test dummy made of
    words (``"unit-test"``, ``fake_token``)."""
    if is_reference(value) or MASK in value or _NOT_SECRET_VALUE.fullmatch(value) is not None:
        return True  # (a value holding ``***`` was masked already: masking twice changes nothing)
    if value.endswith(("...", "…")) and len(value.rstrip(".…")) <= 12:
        return True  # an example cut short: ``"access_token": "eyJ..."``
    low = value.lower()
    return _WORDS.fullmatch(low) is not None and not _DUMMY_WORDS.isdisjoint(re.split(r"[-_. ]", low))


@functools.lru_cache(maxsize=4096)
def looks_secret_name(name: str) -> bool:
    """``DB_PASSWORD``, ``db_pass``, ``REDIS_AUTH``, ``apiKey``, ``X-Api-Key``; not ``DB_PASSWORD_FILE``,
    ``TOKEN_URL``, ``AUTH_MODE`` or ``PWD`` (they point at one, say how it is used, or are not one)."""
    n = _CAMEL.sub("_", name.strip("-$")).replace("-", "_").replace(".", "_").upper()
    return bool(_SECRET_NAME.search(n)) and not _NOT_SECRET_NAME.search(n)


# -- token shapes --------------------------------------------------------------------------------------------

# (what, shown instead of the secret, pattern with a ``secret`` group, matched where one of its prefixes is)
SHAPES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("AWS access key id", "AKIA***", re.compile(r"(?P<secret>A[KSBC][IC]A[0-9A-Z]{16})(?![0-9A-Za-z])")),
    ("GitHub token", "ghp_***", re.compile(r"(?P<secret>gh[pousr]_[A-Za-z0-9]{30,})(?!\w)")),
    ("GitHub token", "github_pat_***", re.compile(r"(?P<secret>github_pat_[A-Za-z0-9_]{22,})")),
    ("GitLab token", "glpat-***", re.compile(r"(?P<secret>gl[a-z]{2,5}-[A-Za-z0-9_-]{20,})")),
    (
        "Slack token",
        "xox*-***",
        re.compile(r"(?P<secret>xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})"),
    ),
    (
        "Slack webhook",
        "hooks.slack.com/services/***",
        re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9_/-]{8,})"),
    ),
    (
        "Stripe secret",
        "sk_live_***",
        re.compile(r"(?P<secret>(?:[sr]k_(?:live|test)|whsec)_[A-Za-z0-9]{10,})"),
    ),
    ("Google API key", "AIza***", re.compile(r"(?P<secret>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])")),
    ("Google OAuth client secret", "GOCSPX-***", re.compile(r"(?P<secret>GOCSPX-[A-Za-z0-9_-]{20,})")),
    (
        "JSON Web Token",
        "eyJ***",
        re.compile(r"(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)"),
    ),
    ("npm token", "npm_***", re.compile(r"(?P<secret>npm_[A-Za-z0-9]{36})(?!\w)")),
    (
        "API key",
        "sk-***",
        re.compile(r"(?P<secret>sk-(?:proj-|ant-|svcacct-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,})"),
    ),
    ("Vault token", "hvs.***", re.compile(r"(?P<secret>hv[sbr]\.[A-Za-z0-9_-]{24,})")),
)
# Where each shape above is looked for (same order): its literal prefixes, and whether the prefix must
# start a word (``AKIA…`` yes; ``hooks.slack.com/…`` is in the middle of a URL).
_SHAPE_PREFIXES: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("IA", "ACCA"), True),
    (("gh",), True),
    (("github_pat_",), True),
    (("gl",), True),
    (("xox", "xapp-"), True),
    (("hooks.slack.com/",), False),
    (("k_", "whsec_"), False),
    (("AIza",), True),
    (("GOCSPX-",), True),
    (("eyJ",), True),
    (("npm_",), True),
    (("sk-",), True),
    (("hv",), True),
)
# prefixes found in the middle of the token: where the token starts relative to them
_SHAPE_BACK = {"IA": 2, "k_": 1}
_DUMMY_PREFIX = re.compile(
    r"^(?:[A-Za-z]+_(?:live_|test_|pat_|v1_)?|AKIA|ASIA|ABIA|ACCA|xox[a-z]-|gl[a-z]+-|key-|sk-)"
)


def _dummy(token: str) -> bool:
    """Documentation dummies: AWS's ``…EXAMPLE`` keys, ``ghp_xxxxxxxx…``, ``sk_live_000000…``."""
    body = _DUMMY_PREFIX.sub("", token)
    return "EXAMPLE" in token.upper() or len(set(body.lower()) - set("_-./")) <= 2


def _token_dummy(value: str) -> bool:
    """A token of a known shape filled with a dummy (``ghp_xxxxxxxx…``, ``sk_live_00000000…``, an AWS
    ``…EXAMPLE`` key), whatever variable holds it; a short or plain value is no token."""
    value = value.strip("\"'`")
    m = _DUMMY_PREFIX.match(value)
    return m is not None and len(value) - m.end() >= 8 and _dummy(value)


# -- the detectors -------------------------------------------------------------------------------------------

Found = list[Secret]
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_NAME_CHARS = _WORD_CHARS | {".", "-"}
_COMMAND_BEFORE = _NAME_CHARS | {"/"}
# How far the masker reads around one hit (a name, ``://``): a value, a URL's user info or the line before a
# name longer than this is none a person writes. Without the bound, each of a line's hits read the line to
# its end: a 100 kB doc of ``password=`` repeated took minutes to show (round 68).
_SCAN = 4096
_NAME_SCAN = 256  # a variable name's length
_BEFORE_SCAN = 1024  # the line before a name, read for the syntax its value is written in


def _positions(hay: str, needle: str) -> Iterator[int]:
    """Every index of ``needle`` in ``hay`` (``str.find``: a fast search in C)."""
    i = hay.find(needle)
    while i >= 0:
        yield i
        i = hay.find(needle, i + 1)


def _positions_in(hay: str, needle: str, start: int, end: int) -> Iterator[int]:
    """Every index of ``needle`` in ``hay[start:end]``."""
    i = hay.find(needle, start, end)
    while i >= 0:
        yield i
        i = hay.find(needle, i + 1, end)


def _escape_before(text: str, i: int) -> bool:
    """Whether ``text[i]`` follows an escaped newline or tab (``\\n`` in JSON): a line starts there."""
    return i >= 2 and text[i - 2] == "\\" and text[i - 1] in "ntr"


def _starts_word(text: str, i: int, chars: frozenset[str] = _WORD_CHARS) -> bool:
    """Whether ``text[i]`` starts a word: no character of ``chars`` before it (an escape is a break)."""
    return i == 0 or text[i - 1] not in chars or _escape_before(text, i)


_SHOWN_STEM = re.compile(r"^[A-Za-z]+(?:_[a-z]+)?[_-]")


def _shown_prefix(secret: str, shown: str) -> str:
    """What stands for ``secret``: its shape's label (``sk_live_***``), or, when one shape has several
    prefixes (``rk_test_``, ``whsec_``), the secret's own, so the message names what was found."""
    stem = shown.removesuffix("***")
    if not stem or secret.startswith(stem) or not stem.endswith(("_", "-")):
        return shown
    m = _SHOWN_STEM.match(secret)
    return f"{m.group(0)}***" if m is not None else shown


def _shapes(text: str, probe: str, found: Found) -> None:
    for (prefixes, word), (what, shown, pattern) in zip(_SHAPE_PREFIXES, SHAPES, strict=True):
        for prefix in prefixes:
            back = _SHAPE_BACK.get(prefix, 0)
            covered = 0  # the end of the last token of this prefix: a prefix inside it is part of it
            for i in _positions(probe, prefix):
                i -= back
                if i < covered or i < 0 or ((word or back) and not _starts_word(text, i)):
                    continue
                m = pattern.match(text, i)
                if m is None:
                    continue
                covered = m.end()
                if not _dummy(m.group("secret")):
                    secret = m.group("secret")
                    found.append(
                        Secret(m.start("secret"), m.end("secret"), what, _shown_prefix(secret, shown))
                    )


# URL userinfo: the password runs to the LAST ``@`` before the host (it may hold ``@``, ``/`` and ``:``).
URL_PASSWORD = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^\s:/?#@\[\]\"'`<>\\]*):(?P<secret>[^\s\"'`<>\\]*)@"
    r"(?=[\w\[%~${<:/-])"
)
_USERINFO = re.compile(
    r"(?P<user>[^\s:/?#@\[\]\"'`<>\\]*):(?P<secret>[^\s\"'`<>\\]*)@(?=[\w\[%~${<:/-])"
)  # URL_PASSWORD after its ``://``
# a token where a user name would be: ``nats://TOKEN@host``, ``https://ghp…@github.com`` (long, with digits)
_USER_TOKEN = re.compile(
    r"(?P<secret>(?=[A-Za-z0-9._~-]*\d)(?=[A-Za-z0-9._~-]*[A-Za-z])[A-Za-z0-9._~-]{16,})@(?=[\w\[])"
)
_QUERY_START = re.compile(r"[?#]")
# schemes whose user info alone is a token, not a user name: NATS reads ``nats://TOKEN@host`` as one
_TOKEN_SCHEMES = frozenset({"nats", "tls"})
_SCHEME_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*$")
_USER_ONLY = re.compile(r"(?P<secret>[^\s:/?#@\[\]\"'`<>\\]{4,})@(?=[\w\[])")


# the password of a URL written as a format: ``amqp://user:pass@host``, ``postgres://USER:PASSWORD@HOST``
# (``orders:password@db`` names a real user and host: it is a password, however weak)
_PLACEHOLDER_PART = re.compile(
    r"(?:user(?:name)?|login|name|host(?:name)?|server|localhost|example\.(?:com|org|net)|[a-z]+\.example)",
    re.IGNORECASE,
)
_URL_HOST = re.compile(r"[^/:?#\s@]*")
_PLACEHOLDER_PASSWORD = re.compile(
    r"(?:your[-_]?|my[-_]?)?(?:pass(?:word|wd)?|pwd|pw|secret|changeme|change[-_]me)|x{3,}|\.\.\.|…",
    re.IGNORECASE,
)


def _url_passwords(text: str, probe: str, found: Found) -> None:
    for i in _positions(probe, "://"):
        if i == 0 or not text[i - 1].isalnum():
            continue  # no scheme
        bound = i + 3 + _SCAN
        m = _USERINFO.match(text, i + 3, bound)
        if m is None:
            scheme = _SCHEME_BEFORE.search(probe, max(0, i - 12), i)
            if scheme is not None and scheme.group(0).lower() in _TOKEN_SCHEMES:
                u = _USER_ONLY.match(text, i + 3, bound)  # ``nats://TOKEN@host``: whatever its length
                if u is not None and not is_reference(u.group("secret")):
                    shown = "nats://***@host"
                    found.append(Secret(u.start("secret"), u.end("secret"), "token written in a URL", shown))
                    continue
            t = _USER_TOKEN.match(text, i + 3, bound)
            if t is not None and not is_reference(t.group("secret")):
                shown = "scheme://***@host"
                found.append(Secret(t.start("secret"), t.end("secret"), "token written in a URL", shown))
            continue
        secret = m.group("secret")
        first_at = secret.find("@")
        if first_at >= 0:
            # ``pw@db/x?next=a@b``: an ``@`` after the query starts belongs to the query
            q = _QUERY_START.search(secret, first_at)
            if q is not None:
                secret = secret[: secret.rfind("@", 0, q.start())]
            # ``pw@host/users/@me``: an ``@`` right after a ``/`` starts a path segment
            elif secret.endswith("/"):
                secret = secret[:first_at]
        slash = secret.find("/")
        if slash >= 0 and "@" not in secret[:slash] and secret[:slash].isdigit():
            continue  # ``host:8080/path@v2``: a port and a path, not a password
        if not secret or is_reference(secret):
            continue
        start = m.start("secret")
        if _PLACEHOLDER_PASSWORD.fullmatch(secret):  # a format: its user or its host is a placeholder too
            host = _URL_HOST.match(text, start + len(secret) + 1)
            if _PLACEHOLDER_PART.fullmatch(text[i + 3 : start - 1]) or (
                host is not None and _PLACEHOLDER_PART.fullmatch(host.group())
            ):
                continue
        found.append(
            Secret(start, start + len(secret), "password written in a URL", "scheme://user:***@host")
        )


_PEM = re.compile(r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----")
_PEM_END = "-----END {}-----"
# without an END line: the base64 lines (and ``Proc-Type:``-style headers) right after BEGIN
_PEM_BODY = re.compile(r"(?:(?:\\n|\\r|\s)+(?:[A-Za-z0-9+/=]{8,}|[A-Za-z-]+: [^\n\\]*))+")
_PEM_MASKED = re.compile(r"(?:\\[nr]|\s)*\*\*\*")
_PEM_LEAD = re.compile(r"(?:\\[nr]|\s)+")
_PEM_TRAIL = re.compile(r"(?:\\[nr]|\s)+$")


def _private_keys(text: str, probe: str, found: Found) -> None:
    covered = 0  # the end of the last key found: a BEGIN inside it is part of it
    ends: dict[str, int] = {}  # kind -> where its next END line is (-1: none): searched once, not per BEGIN
    for i in _positions(probe, "-----BEGIN "):
        m = _PEM.match(text, i) if i >= covered else None
        if m is None:
            continue
        kind = m.group("kind")
        shown = f"-----BEGIN {kind}----- {MASK}"
        end = ends.get(kind, 0)
        if 0 <= end < m.end():
            end = ends[kind] = text.find(_PEM_END.format(kind), m.end())
        if end < 0:
            if _PEM_MASKED.match(text, m.end()):
                continue  # masked already
            body = _PEM_BODY.match(text, m.end())
            if body is None:  # a header alone: the key was pasted in part; the header is what is left of it
                found.append(Secret(m.start(), m.end(), "private key", shown))
                continue
            end = body.end()
        body_text = text[m.end() : end]
        lead = _PEM_LEAD.match(body_text)
        trail = _PEM_TRAIL.search(body_text)
        start = m.end() + (lead.end() if lead else 0)
        stop = m.end() + (trail.start() if trail else len(body_text))
        if stop > start and not is_reference(text[start:stop]):
            found.append(Secret(start, stop, "private key", shown))
            covered = stop


# after ``authorization``: ``: Bearer abc``, ``": "Basic abc"``, ``", "Token abc"`` (a builder's arguments)
_AUTH_VALUE = re.compile(
    r"(?:\\*[\"']|&quot;)?\]?\s*[:=,]\s*(?:\\*[\"']|&quot;)?[ \t]*"
    r"(?:(?P<scheme>bearer|basic|token|bot|apikey|api-key|key|jwt|oauth|sso-key|ssws|negotiate|ntlm)[ \t]+)?"
    r"(?P<secret>[^\s\"'`,;)\]}\\&]+)",
    re.IGNORECASE,
)
_END_OF_VALUE = frozenset("\"'`,;)]}\\&\n\r")
_IDENT = re.compile(r"[A-Za-z_]\w*")


def _auth_headers(text: str, low: str, hits: list[int], found: Found) -> None:
    for i in hits:
        if not low.startswith("authorization", i):
            continue
        if i > 0 and text[i - 1].isalnum() and not _escape_before(text, i):
            continue  # ``Preauthorization``; ``HTTP_AUTHORIZATION`` and ``Proxy-Authorization`` are headers
        m = _AUTH_VALUE.match(text, i + 13)
        if m is None:
            continue
        secret, scheme = m.group("secret"), m.group("scheme")
        if len(secret) < 8 or is_reference(secret):
            continue
        if scheme is None:
            if secret.isupper() and _IDENT.fullmatch(secret):
                continue  # ``Authorization=PAYMENTS_AUTH_HEADER``: the name of a variable holding it
            # A lone credential ends the value. ``Authorization: Digest username=…`` or ``AWS4-HMAC-SHA256
            # Credential=…`` is a scheme with parameters (found by name); ``Authorization: required``: prose.
            after = text[m.end() : m.end() + 1]
            if after and after not in _END_OF_VALUE:
                continue
            if len(secret) < 16 and not any(c.isdigit() for c in secret):
                continue
        shown = f"Authorization: {scheme + ' ' if scheme else ''}{MASK}"
        found.append(
            Secret(m.start("secret"), m.end("secret"), "credentials in an Authorization header", shown)
        )


# ``DB_PASSWORD=hunter2``, ``redis_password = hunter2``, ``"password": "hunter2"``, ``X-Api-Key: abc``,
# ``AccountKey=abc==;``, ``-Dspring.datasource.password=…``, ``\"token\": \"abc\"`` (JSON in JSON),
# ``&quot;secret&quot;: …`` (XML): a name holding one of these words, then a separator, then the value.
_NAME_WORDS = ("pass", "pwd", "secret", "token", "key", "auth", "credential", "sig")
_NAME_TAIL = re.compile(r"[\w.-]*")
# (a name in a code span or bold, as a Markdown list writes it: `` `DB_PASS`: hunter2 ``, ``**TOKEN**: abc``)
_SEPARATOR = re.compile(
    r"(?:\\*[\"'`]|&quot;|&#3[49];|&apos;|&#x27;|\*\*|__)?\]?[ \t]*(?P<sep>:=|=>|=|:)[ \t]*"
)
_OPEN_QUOTE = re.compile(r"[rbfuRBFU]?(?P<q>\\*[\"']|&quot;|&#3[49];|&apos;|&#x27;)")
_UNQUOTED = re.compile(r"[^\s\"'`&;<>,(){}\[\]\\|]+")
_CODE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")  # ``settings.token``, ``os.environ``
_AFTER_COLON_VALUE = frozenset("\"'`,}])\\#")
_STRING_PREFIXES = frozenset("rbfuRBFU")


def _quoted(text: str, pos: int) -> tuple[int, int] | None:
    """The content span of a quoted value starting at ``pos`` (on one line), or None. Quotes may be
    escaped any number of times (``\\"`` in JSON, ``\\\\\\"`` in JSON in JSON) or be XML entities."""
    m = _OPEN_QUOTE.match(text, pos)
    if m is None:
        return None
    q, start = m.group("q"), m.end()
    line_end = text.find("\n", start, start + _SCAN)
    if line_end < 0:
        line_end = min(len(text), start + _SCAN)
    i = start
    while True:
        i = text.find(q, i, line_end)
        if i < 0:
            return None
        if q[-1] not in "\"'":
            return start, i  # an XML entity
        quote = i + len(q) - 1
        j = quote
        while text[j - 1] == "\\" and j > 0:
            j -= 1
        n = quote - j  # backslashes before the quote character
        if (n == len(q) - 1) if len(q) > 1 else n % 2 == 0:
            return start, i
        i += len(q)  # a quote escaped once more than this string's: inside it


# Where an unquoted value ends follows the syntax it is written in:
# - in a ``;``-separated connection string (``Server=h;User Id=sa;Password=a b&c;``, JDBC's ``;password=``)
#   the value runs to the next ``;``, the end of the line or the string that holds it: spaces and ``&``
#   are part of it;
# - in a URL's query string (``?password=a&next=b``) it ends at ``&``, ``#`` or a space;
# - on a ``KEY=value`` line (shell, ``.env``, ``export``) or a ``key: value`` line (YAML, headers) it runs
#   to the next space or the quote that holds it;
# - anywhere else (code, prose) it ends at punctuation: ``connect(password=pw, host=h)``.
# A quoted value is the whole string, whatever the syntax (:func:`_quoted`).
_LINE_HEAD = re.compile(
    r"[ \t]*(?:[-*+>][ \t]+)?(?:\$[ \t]+)?"  # a list item, a quote, a prompt
    r"(?:(?:export|set|env|ENV|declare|readonly|local)[ \t]+(?:-\w+[ \t]+)?)?(?:`|\*\*|__)?"
)
_CONN_NEXT = re.compile(r"[ \t]*[A-Za-z][\w .-]*=")
_CONN_PAIR = re.compile(r"[ \t]*[A-Za-z][\w .-]*=[^;]*")  # one ``key=value`` of a connection string
_QUERY_VALUE = re.compile(r"[^&#\s\"'`<>\\;]+")
_WORD_VALUE = re.compile(r"[^\s\"'`\\]+")
_KV_WORDS = re.compile(r"(?:[A-Za-z_][\w.-]*=[^\s\"'`(),\\]*[ \t]+)+")  # libpq, ``env A=1 B=2 cmd``


def _enclosing_quote(line: str) -> str | None:
    """The quote character of the string ``line`` (text up to a name) is inside, if any: the one left
    open last (``export DSN='Server=h;Password=``: ``'``)."""
    best, at = None, -1
    for q in "'\"`":
        if line.count(q) % 2 == 1 and line.rfind(q) > at:
            best, at = q, line.rfind(q)
    return best


_CONN_ENDS: dict[tuple[str | None, bool], re.Pattern[str]] = {}  # what ends a value, by its quote and table


def _conn_end(text: str, pos: int, stop: str | None, table: bool) -> int:
    """The end of a connection string's value at ``pos``: the next ``;``, the line's end, or the closing
    quote ``stop`` (a ``|`` in a table row); the value's trailing blanks are not part of it."""
    ends = _CONN_ENDS.get((stop, table))
    if ends is None:
        chars = ";\n\r" + (stop or "") + ("|" if table else "")
        ends = _CONN_ENDS[(stop, table)] = re.compile(f"[{re.escape(chars)}]")
    m = ends.search(text, pos, pos + _SCAN)
    end = m.start() if m is not None else min(len(text), pos + _SCAN)
    while end > pos and text[end - 1] in " \t\\":  # (``\"`` closes a string in JSON: its escape too)
        end -= 1
    return end


def _value_syntax(text: str, name_start: int, pos: int, sep: str) -> tuple[str, str | None, bool]:
    """The syntax the value at ``pos`` (after the name at ``name_start`` and ``sep``) is written in:
    ``conn``, ``query``, ``line`` or ``""`` (code, prose); the quote of the string holding it; whether it
    is in a table row."""
    least = max(0, name_start - _BEFORE_SCAN)
    line_start = max(text.rfind("\n", least, name_start), text.rfind("\r", least, name_start), least - 1) + 1
    escaped = text.rfind("\\n", line_start, name_start)  # (a line in a JSON string)
    before = text[escaped + 2 if escaped >= 0 else line_start : name_start]
    stop = _enclosing_quote(before)
    lead = before.rfind(stop) + 1 if stop is not None else 0  # where the string holding the value starts
    table = before.lstrip().startswith("|")
    head = before.rstrip(" \t")
    # ``Key=value`` with nothing between the key, ``=`` and the value (``x = f(y);`` is code)
    tight = sep == "=" and pos >= 2 and text[pos - 1] == "=" and text[pos - 2] not in " \t"
    if tight and (head.endswith("&amp;") or (head == before and head.endswith(("?", "&")))):
        return "query", stop, table  # (``&amp;`` is ``&`` in HTML, not the ``;`` of a connection string)
    line = _LINE_HEAD.fullmatch(before, lead) is not None
    pair = head[max(lead, head.rfind(";", 0, -1) + 1) : -1]  # what comes before the ``;``
    if tight and head.endswith(";") and _CONN_PAIR.fullmatch(pair):
        return "conn", stop, table  # (after a ``key=value;`` pair: "… from X_TOKEN; token=…" is prose)
    if tight and (line or head.endswith(("=", "'", '"', "`"))):
        end = _conn_end(text, pos, stop, table)  # the first key of one: ``'Password=a b;Server=h'``
        after = text[end + 1 : end + 2]
        if text[end : end + 1] == ";" and (
            _CONN_NEXT.match(text, end + 1) is not None or after in ("", "\n", "\r") or after == stop
        ):
            return "conn", stop, table
    if line and (tight or sep == ":"):
        return "line", stop, table
    if tight:  # after other ``key=value`` words in a string or on a line: ``'host=db password=a&b'``
        head_end = _LINE_HEAD.match(before, lead)
        if _KV_WORDS.fullmatch(before, head_end.end() if head_end is not None else lead) is not None:
            return "line", stop, table
    return "", stop, table


def _unquoted_end(text: str, name_start: int, pos: int, sep: str) -> tuple[str, int] | None:
    """The syntax and the end of the unquoted value at ``pos`` (see ``_LINE_HEAD``), or None."""
    syntax, stop, table = _value_syntax(text, name_start, pos, sep)
    if syntax == "conn":
        return syntax, _conn_end(text, pos, stop, table)
    bound = pos + _SCAN
    if syntax == "query":
        m = _QUERY_VALUE.match(text, pos, bound)
        return (syntax, m.end()) if m is not None else None
    if syntax == "line":
        m = _WORD_VALUE.match(text, pos, bound)  # (``KEY=value``, ``key: value``)
        if m is not None and not (table and "|" in m.group(0)):
            return syntax, m.end()
    m = _UNQUOTED.match(text, pos, bound)
    return ("", m.end()) if m is not None else None


def _value_of(text: str, name: str, name_start: int, pos: int, sep: str) -> tuple[int, int] | None:
    """The span of the value assigned at ``pos``, or None when it is not a literal secret."""
    if sep == "=" and text[pos : pos + 1] in ("=", "~"):
        return None  # ``password == x``, ``token =~ re``: a comparison
    if sep == ":" and text[pos : pos + 2] == "//":
        return None  # ``passport://…``: a URL's scheme, not a name
    q = _quoted(text, pos)
    if q is not None:
        start, end = q
        value = text[start:end]
        if not value or _plain(value) or "://" in value:
            return None
        return start, end
    if text[pos : pos + 1] in ("'", '"', "`"):
        return None  # a string that does not close on this line
    if text[name_start - 2 : name_start] == "${":
        while text[pos : pos + 1] in ("-", "=", "?", "+", ":"):
            pos += 1  # ``${DB_PASSWORD:-default}``: the default is a literal
    if text[pos : pos + 1] == "{" and (close := text.find("}", pos, pos + 400)) > pos + 1:
        return pos + 1, close  # ODBC's braced value, ``PWD={p;w d9Z}``: ``;`` and spaces included
    extent = _unquoted_end(text, name_start, pos, sep)
    if extent is None or extent[1] <= pos:
        return None
    syntax, end = extent
    start = pos
    if syntax == "conn":  # the syntax says where the value is: no more guessing
        value = text[start:end]
        return None if _plain(value) or not value.strip() else (start, end)
    stop = end  # where the value's line goes on (after a sentence's full stop)
    if text[end - 1] == "." and (end == len(text) or text[end].isspace()) and end - start > 1:
        end -= 1  # the end of a sentence
    value = text[start:end]
    if _plain(value) or "://" in value or value[0] in ":=-" or not any(c.isalnum() for c in value):
        # (``"client_secret": │``: a table's border after a wrapped line, not a value)
        return None
    u = _UNQUOTED.match(text, start)
    word = text[start : u.end()] if u is not None else value
    if text[start + len(word) : start + len(word) + 1] in ("(", "[") or _CODE.fullmatch(word):
        return None  # code: ``token=os.environ["X"]``, ``password=get_password()``, ``token=self.token``
    if _IDENT.fullmatch(value):
        last = name.replace("-", "_").split(".")[-1]
        if value.lower() == last.lower() or value in _TYPE_NAMES:
            return None  # ``password=password``, ``token: str``
        before = text[max(0, name_start - 40) : name_start].rstrip()
        rest = text[end : end + 40].lstrip()
        if before.endswith(("(", ",")) and rest.startswith((",", ")")):
            return None  # a keyword argument given a variable: ``connect(host, password=pw)``
    if sep == ":":
        # ``password: hunter2`` ends its line (YAML, headers); ``Token: see the runbook`` is prose
        stripped = text[stop : stop + 200].lstrip(" \t")
        if stripped and stripped[0] not in "\n\r" and stripped[0] not in _AFTER_COLON_VALUE:
            return None
        if _WORD.fullmatch(value) and not _PASSWORD_NAME.search(name):
            return None  # "auth: comments" (a commit's scope and subject): a word, not a token or a key
    return start, end


_FILE_NAME = re.compile(r"[\w.-]*(?:/[\w.-]+)*\.[A-Za-z]{1,5}")
_WORD = re.compile(r"[a-z]{2,14}")  # a lower-case word: a token or a key is no such thing
_PASSWORD_NAME = re.compile(r"pass|pwd|secret", re.IGNORECASE)  # a password may be a word
_CODE_SPAN = re.compile(r"`(?P<value>[^`\s]{6,200})`")


def _quoted_in_prose(text: str, start: int) -> tuple[int, int] | None:
    """After ``PASSWORD:`` and prose, a code span on the same line that holds a value (not a word, a
    reference or a placeholder): the list form of Environment Variables puts the value there."""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    for m in _CODE_SPAN.finditer(text, start, min(end, start + 400)):
        value = m.group("value")
        if _plain(value) or is_reference(value) or _CODE.fullmatch(value):
            continue
        if _IDENT.fullmatch(value) and (value.isupper() or not any(c.isdigit() for c in value)):
            continue  # a name (``settings_password``, ``VAULT_PATH``), not one with digits (``r3disAuth``)
        if _FILE_NAME.fullmatch(value) or _PATH_LIKE.fullmatch(value) or "…" in value or "=" in value:
            continue  # ``ops/secrets.py``: where the value is kept; ``Key=…``: an example
        if any(c.isdigit() for c in value) or any(not c.isalnum() for c in value):
            return m.start("value"), m.end("value")
    return None


_CONN_KEYS = re.compile(r"(?i)(?:^|[;\"' ])(?:uid|user\s?id|server|driver|dsn|database|data\s?source)\s*=")


def _in_connection_string(text: str, at: int) -> bool:
    """``at`` is in an ODBC/ADO connection string: after a ``;`` or on a line with its keys."""
    if at > 0 and text[at - 1] == ";":
        return True
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return _CONN_KEYS.search(text, start, end if end >= 0 else len(text)) is not None


_NAME_RUN = re.compile(r"[A-Za-z0-9_.-]*\Z")  # :data:`_NAME_CHARS`


def _name_start(text: str, i: int) -> int:
    """Where the name holding ``text[i]`` starts (at most :data:`_NAME_SCAN` before it): after the name
    characters before it, or after an escaped line break (``\\npassword``: JSON's ``\n``, its ``n``)."""
    least = max(0, i - _NAME_SCAN)
    m = _NAME_RUN.search(text, least, i)
    run = m.start() if m is not None else i
    if least < run < i and text[run - 1] == "\\" and text[run] in "ntr":
        return run + 1
    return run


def _assignments(text: str, hits: dict[str, list[int]], found: Found) -> None:
    seen: set[int] = set()
    for word in _NAME_WORDS:
        covered = 0  # (hits come in order for each word)
        for i in hits[word]:
            if i < covered:
                continue  # inside the value of a secret found already (``password=password=…``)
            j = _name_start(text, i)
            while j < i and not (text[j].isalpha() or text[j] == "_"):
                j += 1  # ``-Dspring.datasource.password``: the name after the flag's dashes
            if j in seen:
                continue
            seen.add(j)
            if j > 0 and text[j - 1] in "$/":
                continue  # ``$DB_PASSWORD``, ``/etc/secret``: a reference, a path
            tail = _NAME_TAIL.match(text, i, i + _NAME_SCAN)
            end = tail.end() if tail is not None else i
            sep = _SEPARATOR.match(text, end)
            if sep is None:
                continue
            name = text[j:end]
            # ODBC's ``;PWD=…`` is a password (a bare ``PWD`` is the shell's working directory)
            odbc_pwd = name.lower() == "pwd" and sep.group("sep") == "=" and _in_connection_string(text, j)
            if not (looks_secret_name(name) or odbc_pwd) or name.lower().endswith("authorization"):
                continue  # an Authorization value is read by its scheme (_auth_headers)
            span = _value_of(text, name, j, sep.end(), sep.group("sep"))
            # masked already (``"password": "***"``): what follows is not its value
            masked = text[sep.end() : sep.end() + 8].lstrip("\"'`\\").startswith(MASK)
            if (
                span is None
                and not masked
                and sep.group("sep") == ":"
                and (j == 0 or text[j - 1] != "`" or text[sep.end() : sep.end() + 1] == "`")
            ):
                # ``MQTT_PASSWORD: ingest's, currently `pw```; `` `REDIS_AUTH`: `r3dis…` — purpose``
                span = _quoted_in_prose(text, sep.end())
            if span is not None and j >= 14 and text.startswith("--bind-secret", j - 14):
                continue  # ``--bind-secret DB_PASSWORD=db.internal:5432``: where it may go, not the secret
            if span is not None and _token_dummy(text[span[0] : span[1]]):
                continue  # ``GITHUB_TOKEN=ghp_xxxx…``: a documentation dummy (format.md; round 50)
            if span is not None:
                kind = f"{name} is set to a literal value"
                found.append(Secret(span[0], span[1], kind, f"{name}{sep.group('sep')}{MASK}"))
                covered = max(covered, span[1])


# a Markdown table row: a line (or a line of a JSON string, after ``\n``) from its first ``|`` to its last
_LINE_BREAK = re.compile(r"\r?\n|\\r\\n|\\n")
_ROW_DELIMITER = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_NAME = re.compile(r"^(?:`|\*\*|__)?(?P<name>[A-Za-z_][\w.-]*(?: [A-Za-z][\w-]*){0,3})(?:`|\*\*|__)?$")
_VALUE_HEADER = re.compile(r"\b(?:values?|defaults?|examples?|samples?|settings?)\b", re.IGNORECASE)


def _rows(text: str) -> list[tuple[int, int, int]]:
    """(line number, start, end) of each line that is a table row: from its first ``|`` to its last, with
    only blanks (or the quote opening or closing a JSON string) around them. Only the lines holding a
    ``|`` are looked at (most of a doc has none); the line breaks before each are counted in one pass."""
    out: list[tuple[int, int, int]] = []
    n = 0  # the line number at ``counted``
    counted = 0
    i = text.find("|")
    while i >= 0:
        start = _line_start(text, i)
        brk = _LINE_BREAK.search(text, i)
        end = brk.start() if brk is not None else len(text)
        first, last = i, text.rfind("|", i, end)
        head, tail = text[start:first].strip(" \t"), text[last + 1 : end].strip(" \t")
        if last > first and head[-1:] in ("", '"') and tail[:1] in ("", '"', "\\"):
            # (the lines are counted only up to a row: a shell pipe in a code block is none)
            n += len(_LINE_BREAK.findall(text, counted, start))
            counted = start
            out.append((n, first, last + 1))
        if brk is None:
            break
        i = text.find("|", brk.end())
    return out


def _line_start(text: str, i: int) -> int:
    """Where the line holding ``i`` starts: after the last line break before it (a newline, or an escaped
    ``\\n`` in a JSON string)."""
    start = text.rfind("\n", 0, i) + 1
    escaped = text.rfind("\\n", start, i)
    return escaped + 2 if escaped >= 0 else start


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = start + 1
    while i < end:
        j = i
        while j < end and not (text[j] == "|" and text[j - 1] != "\\"):
            j += 1
        if j >= end:
            break
        a, b = i, j
        while a < b and text[a] in " \t":
            a += 1
        while b > a and text[b - 1] in " \t":
            b -= 1
        out.append((a, b))
        i = j + 1
    return out


_TOKEN = re.compile(r"[A-Za-z0-9_+/=.-]{10,}")
_CREDENTIAL = re.compile(r"[A-Za-z0-9_+/=.-]{8,}")  # a token's characters (no ":" of a cache key "orders:v2")
_SECRET_WORDS = re.compile(r"(?i)\b(?:key|token|secret|password|passwd|pwd|credentials?|api[ -]?key)\b")


_WIDE_ROW = 64  # cells: a row wider than any table a person writes is not looked at across its columns


def _table_rows(text: str, found: Found) -> None:
    """``| DB_PASSWORD | hunter2 | the database |``: a row whose cell names a secret, the value in the
    column its table's header calls the value (``Value``, ``Default``, ``Example``), else the next cell."""
    header_value: int | None = None
    rows = _rows(text)
    for n, (line, start, end) in enumerate(rows):
        cells = _cells(text, start, end)
        if n == 0 or rows[n - 1][0] != line - 1:  # a table's first row
            header_value = None
        nxt = rows[n + 1] if n + 1 < len(rows) else None
        if nxt is not None and nxt[0] == line + 1 and _ROW_DELIMITER.fullmatch(text, nxt[1], nxt[2]):
            header_value = next(
                (k for k, (a, b) in enumerate(cells) if _VALUE_HEADER.search(text[a:b])), None
            )
            continue  # a header row (the delimiter row follows) names columns, it holds no value
        if _ROW_DELIMITER.fullmatch(text, start, end):
            continue
        names = [m.group("name") if (m := _CELL_NAME.match(text[a:b])) is not None else "" for a, b in cells]
        # a row naming its variable (``| NOTIFY_API_KEY | … | API key |``): its purpose in words is no name
        by_variable = any(" " not in n and looks_secret_name(n) for n in names if n)
        for k, name in enumerate(names):
            # a name in words ("Stripe key", "API token"): its value counts when it looks like a credential
            words = " " in name and bool(_SECRET_WORDS.search(name)) and not by_variable
            if words:
                v = header_value if header_value is not None and k != header_value < len(cells) else k + 1
                span = _cell_value(text, cells[v]) if v < len(cells) else None
                if (
                    span is not None
                    and _CREDENTIAL.fullmatch(text[span[0] : span[1]])
                    and _prose_secret(text[span[0] : span[1]])
                ):
                    found.append(
                        Secret(span[0], span[1], f"{name} is set to a literal value", f"{name} | {MASK}")
                    )
                continue
            if not name or not looks_secret_name(name) or name.lower().endswith("authorization"):
                continue
            if name.islower() and "-" in name:
                continue  # ``plaintext-secret``: a slug (a rule's name), not a variable or a key
            v = header_value if header_value is not None and k != header_value < len(cells) else k + 1
            span = _cell_value(text, cells[v]) if v < len(cells) else None
            if span is not None:
                found.append(
                    Secret(span[0], span[1], f"{name} is set to a literal value", f"{name} | {MASK}")
                )
            if len(cells) > _WIDE_ROW:  # no table's row: each secret name's look at every other cell was
                continue  # minutes for one line of "| password | x |" repeated (round 68)
            for other, (oa, ob) in enumerate(cells):  # "HMAC key; current: 7f3k9QpL2x…" in another column
                if other in (k, v) and span is not None:
                    continue
                for token in _TOKEN.finditer(text, oa, ob):
                    if other != k and _prose_secret(token.group()) and "://" not in token.group():
                        found.append(Secret(token.start(), token.end(), f"{name}'s value in its row", MASK))


def _cell_value(text: str, cell: tuple[int, int]) -> tuple[int, int] | None:
    """The span of a cell holding a literal value (code marks off), or None: words ("the database
    password"), a reference, a placeholder, another variable's name."""
    va, vb = cell
    while va < vb and text[va] == "`" and text[vb - 1] == "`":
        va, vb = va + 1, vb - 1
    value = text[va:vb]
    if not value or _plain(value) or " " in value or not any(c.isalnum() for c in value):
        return None
    if value.startswith(("<", "[", "$", "{")) or (_IDENT.fullmatch(value) and value.isupper()):
        return None
    return va, vb


# ``--password=pw``, ``--token ghp_…``, ``--auth user:pw``, ``--user user:pw`` (curl, wget, httpie, docker …)
_FLAG = re.compile(r"--(?P<name>[A-Za-z][\w-]*)(?:=|[ \t]+)")
_BINDING = re.compile(r"[A-Za-z_]\w*=(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}")
_FLAG_VALUE = re.compile(r"[^\s\"'`\\]+")
_METAVAR = re.compile(r"[A-Z][A-Z_]*")  # ``--token TEXT`` in a help text
_PATH_LIKE = re.compile(r"(?:~|\.{1,2})?/[^\s]*")
_NOT_SECRET_SPEC = re.compile(r"(?:id|src|source|env|type|target)=", re.IGNORECASE)
_USER_FLAGS = frozenset({"USER", "PROXY_USER", "SERVER_USER"})
_PASSWORD_FLAGS = frozenset({"PW", "PWD", "PASSWD"})  # ``mosquitto_pub --pw …``: as a flag, a password
_PROSE_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "can", "for", "from", "given", "if", "in", "instead", "is"}
    | {"may", "must", "not", "of", "on", "only", "option", "or", "the", "then", "to", "was", "when", "with"}
)


def _flag_value(text: str, pos: int) -> tuple[int, int] | None:
    q = _quoted(text, pos)
    if q is not None:
        return q
    m = _FLAG_VALUE.match(text, pos)
    return m.span() if m else None


def _add_credential(
    text: str, span: tuple[int, int], found: Found, kind: str, shown: str, *, user: bool
) -> None:
    """Add the secret at ``span``; with ``user``, a ``user:pw`` value whose secret follows the first ``:``
    (a value without ``:`` is a user name alone)."""
    start, end = span
    value = text[start:end]
    if user:
        colon = value.find(":")
        if colon < 0:
            return
        start += colon + 1
        value = value[colon + 1 :]
    if not value or value.startswith("-") or _plain(value):
        return
    found.append(Secret(start, end, kind, shown))


def _long_flags(text: str, probe: str, found: Found) -> None:
    for m in _FLAG.finditer(probe):
        i = m.start()
        if not _starts_word(text, i, _NAME_CHARS):
            continue
        name = m.group("name")
        n = name.upper().replace("-", "_")
        if n not in _USER_FLAGS and n not in _PASSWORD_FLAGS and not looks_secret_name(name):
            continue
        span = _flag_value(text, m.end())
        if span is None:
            continue
        value = text[span[0] : span[1]]
        binding = _BINDING.match(value)  # ``(bind it with --bind-secret X=h:1)``: punctuation may follow
        if binding is not None and value[binding.end() :].strip(")]}.,;:") == "":
            continue  # ``--bind-secret DB_PASSWORD=db.internal:5432``: where a secret may go, not the secret
        if _METAVAR.fullmatch(value) or _NOT_SECRET_SPEC.match(value):
            continue  # ``--bind-secret DB_PASSWORD=db.internal:5432``: where a secret may go, not the secret
        if not m.group(0).endswith("=") and (value.lower() in _PROSE_WORDS or value[0] in "([{<,.;:"):
            continue  # prose: ``give --token and --tls-key``, ``--token (or WIREMAP_TOKEN)``
        if "KEY" in n and _PATH_LIKE.fullmatch(value):
            continue  # ``--private-key ~/.ssh/id_ed25519``: where the key is
        # ``--user user:pw``, ``--auth user:pw``: the password; ``--auth abc123``: all of it
        user = n in _USER_FLAGS or ("AUTH" in n and ":" in value)
        shown = f"--{name} {MASK}"
        _add_credential(text, span, found, f"secret given to --{name} on a command line", shown, user=user)


# Short flags that take a password, by command: ``curl -u user:pw``, ``redis-cli -a pw``, ``mysql -ppw``,
# ``sshpass -p pw``, ``mongosh -p pw``, ``ldapsearch -w pw``, ``sqlcmd -P pw``, ``mosquitto_sub -P pw``,
# ``rabbitmqadmin -p pw``.
_COMMAND = re.compile(
    r"(?P<cmd>curl|redis-cli|mysqldump|mysqladmin|mysql|mariadb-dump|mariadb|sshpass|mongosh|mongodump|"
    r"mongorestore|mongoexport|mongoimport|mongo|ldapsearch|ldapmodify|ldapadd|ldapdelete|ldapwhoami|sqlcmd|"
    r"mosquitto_(?:sub|pub|rr)|rabbitmqadmin|"
    r"docker|podman|nerdctl|buildah|skopeo|helm|https?(?=[ \t]))"
    r"(?![\w-])(?P<args>[^\n|;&]*(?:\\\n[^\n|;&]*)*)"
)
# the families that take each short flag (``--user`` and ``--password`` are found by _long_flags)
_FLAG_FAMILIES = {
    "u": ("curl",),
    "a": ("redis-cli", "http"),
    "p": (
        "mysql",
        "mariadb",
        "sshpass",
        "mongo",
        "rabbitmqadmin",
        "docker",
        "podman",
        "nerdctl",
        "buildah",
        "skopeo",
        "helm",
    ),
    "w": ("ldap",),
    "P": ("sqlcmd", "mosquitto"),
}
_CMD_FLAG: dict[str, tuple[re.Pattern[str], bool]] = {
    "curl": (re.compile(r"(?<=\s)(?:-u[ \t]*|--user(?:=|[ \t]+))"), True),
    "redis-cli": (re.compile(r"(?<=\s)-a[ \t]+"), False),
    "mysql": (re.compile(r"(?<=\s)-p(?=[^\s])"), False),
    "mariadb": (re.compile(r"(?<=\s)-p(?=[^\s])"), False),
    "sshpass": (re.compile(r"(?<=\s)-p[ \t]*"), False),
    "mongo": (re.compile(r"(?<=\s)-p[ \t]+"), False),
    "ldap": (re.compile(r"(?<=\s)-w[ \t]+"), False),
    "sqlcmd": (re.compile(r"(?<=\s)-P[ \t]+"), False),
    "mosquitto": (re.compile(r"(?<=\s)-P[ \t]+"), False),  # mosquitto_sub/_pub/_rr -u user -P pw
    "rabbitmqadmin": (re.compile(r"(?<=\s)-p[ \t]+"), False),  # rabbitmqadmin -u user -p pw
    "http": (re.compile(r"(?<=\s)-a[ \t]+"), True),  # httpie: ``http -a user:pw GET …``
    **{
        c: (re.compile(r"(?<=\s)-p[ \t]+"), False)
        for c in ("docker", "podman", "nerdctl", "buildah", "skopeo")
    },
    "helm": (re.compile(r"(?<=\s)-p[ \t]+"), False),
}
# ``-p`` is a password only after ``login`` (``docker login -p pw``; ``docker run -p 8080:80`` maps a port)
_LOGIN_ONLY = frozenset({"docker", "podman", "nerdctl", "buildah", "skopeo", "helm"})
_LOGIN = re.compile(r"\blogin\b")


def _command_flags(text: str, probe: str, low: str, found: Found) -> None:
    """From each short flag that may take a password back to the command on its line (one search for
    `` -``: most lines with such a flag are not these commands, and most docs have none of them)."""
    seen: set[int] = set()
    taken: dict[str, int] = {}  # a flag pattern -> how far its flags were read
    # what the flags before on the same line found already: the line's start, and how far each family was
    # looked for on it (each flag of a line read the line from its start: quadratic in its flags, round 68)
    start, last = -1, -1  # (last < 0: no flag yet)
    scanned: dict[str, int] = {}
    for i in _positions(probe, " -"):
        families = _FLAG_FAMILIES.get(probe[i + 2 : i + 3])
        if families is None:
            continue
        if last < 0 or _new_line(probe, last, i):  # another line: its start, found again
            start = i
            while True:  # the start of the command line, continuation lines (``\`` at the end) included
                start = probe.rfind("\n", 0, start)
                if start <= 0 or probe[start - 1] != "\\":
                    break
            scanned = {}
        last = i
        for family in families:  # (no family holds " -": none is cut by a flag)
            for j in _positions_in(low, family, max(start, 0, scanned.get(family, 0)), i):
                if j not in seen and _starts_word(text, j, _COMMAND_BEFORE):
                    seen.add(j)
                    _command_at(text, j, family, found, taken)
            scanned[family] = i


def _new_line(probe: str, a: int, b: int) -> bool:
    """A line ends between ``a`` and ``b`` (a newline that is no continuation: no ``\\`` before it)."""
    nl = probe.find("\n", a, b)
    while nl >= 0:
        if nl == 0 or probe[nl - 1] != "\\":
            return True
        nl = probe.find("\n", nl + 1, b)
    return False


def _command_at(text: str, j: int, family: str, found: Found, taken: dict[str, int]) -> None:
    """The password flags of the command at ``j``, up to :data:`_SCAN` after it. ``taken``: how far the
    flags of each flag pattern were read by the commands before (an earlier command's on the same line,
    whose arguments run to the same end): each of N commands on a line read all the flags after it, N²
    findings, and a 20 kB line took the memory of the machine (round 68)."""
    m = _COMMAND.match(text, j, j + _SCAN)
    if m is not None:
        flag, user = _CMD_FLAG[family]
        cmd, args_end = m.group("cmd"), m.end("args")
        login = _LOGIN.search(text, m.start("args"), args_end) if family in _LOGIN_ONLY else None
        if family in _LOGIN_ONLY and login is None:
            return
        begin = max(login.end() if login is not None else m.start("args"), taken.get(flag.pattern, 0))
        reached = args_end
        for f in flag.finditer(text, begin, args_end):
            span = _flag_value(text, f.end())
            if span is not None and span[1] > args_end:
                reached = f.start()  # its value runs past the arguments: a command after may hold it whole
                break
            if span is not None:
                shown = f"{cmd} {f.group(0).strip()} {MASK}"
                _add_credential(text, span, found, f"password on a {cmd} command line", shown, user=user)
        if args_end >= j + _SCAN:  # cut by the bound: a flag there may be cut (its lookahead, its value) and
            reached = min(reached, max(begin, args_end - _NAME_SCAN))  # the next command reads it again
        taken[flag.pattern] = max(reached, taken.get(flag.pattern, 0))


# The rest: ``set -x TOKEN abc`` (fish), ``setx TOKEN abc`` (Windows), ``requirepass pw`` (redis.conf),
# ``machine h login u password pw`` (.netrc), ``-storepass pw`` (keytool), ``-passin pass:pw`` (openssl), the
# 40 characters after ``AWS_SECRET_ACCESS_KEY`` whatever separates them, and ``?sig=`` (Azure SAS), ``?pwd=``
# and the like: names that are secret only in a query string.
_SET = re.compile(r"(?:setx|set[ \t]+-[A-Za-z]+)[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+")
_CONF = re.compile(
    r"(?:requirepass|masterauth|machine\s+\S+\s+login\s+\S+\s+password|-(?:(?:src|dest)?(?:store|key)pass|"
    r"pass(?:in|out)?))(?:[ \t]+pass:|[ \t]+)(?P<secret>[^\s\"'`]+)"
)
_AWS_SECRET = re.compile(
    r"aws_?secret_?access_?key[\s\"'=:|,>]{1,8}(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", re.IGNORECASE
)
_QUERY_NAMES = ("sig", "pwd", "pass", "passwd", "signature", "x-amz-signature", "key")
_PASSWORD_NAMES = ("pwd", "pass", "passwd")
_QUERY = re.compile(r"(?P<name>[\w-]+)=")


# statements that take a password as an argument: SQL's ``CREATE USER u WITH PASSWORD 'pw'`` / ``ALTER
# ROLE u PASSWORD 'pw'``, Redis' ``AUTH [user] pw`` (redis-cli, a MULTI script), JDBC's
# ``DriverManager.getConnection(url, "user", "pw")``
_SQL_PASSWORD = re.compile(
    r"\b(?:create|alter)\s+(?:user|role)\b[^;\n]{0,200}?\b(?:password|identified\s+by)\s+'(?P<secret>[^'\n]{1,200})'",
    re.IGNORECASE,
)
_REDIS_AUTH = re.compile(r"(?<![\w-])AUTH[ \t]+(?:(?P<user>[^\s\"'`;|]+)[ \t]+)?(?P<secret>[^\s\"'`;|]+)")
_JDBC = re.compile(
    r'getConnection\(\s*[^,()]{1,300},\s*\\?"[^"\n]*?\\?"\s*,\s*\\?"(?P<secret>[^"\\\n]{1,200})\\?"',
    re.IGNORECASE,
)


# a secret said in prose: "the DB password is Tr0ub4dor3xyz", "token was ghX81_aa (rotated)": the word after
# "is"/"was" when it looks like a credential (letters and digits mixed, 6 or more characters), not a word
_PROSE_SECRET = re.compile(
    r"\b(?:password|passwd|passphrase|pass|pwd|token|secret|api[ _-]?key|access[ _-]?key)\s+(?:is|was)\s+"
    r"(?:currently\s+|still\s+|now\s+|set\s+to\s+)?[`'\"]?(?P<secret>[^\s`'\",;()]{6,200})",
    re.IGNORECASE,
)


_NAMED_BEFORE_IS = ("password", "passwd", "passphrase", "pass", "pwd", "token", "secret", "key")


def _prose_statements(text: str, low: str) -> Iterator[re.Match[str]]:
    """:data:`_PROSE_SECRET`'s matches, looked for only around each " is " and " was " (a scan of the whole
    doc by a case-blind alternation cost a third of the masker's time on every doc)."""
    seen: set[int] = set()
    for needle in (" is ", " was "):
        i = low.find(needle)
        while i >= 0:
            if not low[max(0, i - 24) : i].rstrip().endswith(_NAMED_BEFORE_IS):
                i = low.find(needle, i + 1)  # no secret's name right before it: the regex cannot match here
                continue
            m = _PROSE_SECRET.search(text, max(0, i - 24), i + 280)
            if m is not None and m.start() < i <= m.start("secret") and m.start() not in seen:
                seen.add(m.start())
                yield m
            i = low.find(needle, i + 1)


def _prose_secret(value: str) -> bool:
    value = value.rstrip(".:!?")
    return (
        any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and not _plain(value)
        and not value.startswith(("$", "<", "["))
        and "/" not in value
    )


# XML: ``<password>…</password>``, .NET's ``<add key="ApiKey" value="…"/>``
_XML_ELEMENT = re.compile(r"<(?P<tag>[A-Za-z_][\w.-]{0,60})>(?P<secret>[^<>\s]{1,300})</(?P=tag)>")
_XML_ADD = re.compile(
    r"<add\s+key\s*=\s*\\?[\"'](?P<name>[^\"'\\]{1,80})\\?[\"']\s+value\s*=\s*\\?[\"'](?P<secret>[^\"'\\]{1,300})\\?[\"']",
    re.IGNORECASE,
)
# SMTP: ``AUTH PLAIN <base64>`` (user and password in it), ``AUTH LOGIN`` then base64 lines
_SMTP_AUTH = re.compile(r"(?<![\w-])AUTH[ \t]+(?:PLAIN|LOGIN|XOAUTH2)[ \t]+(?P<secret>[A-Za-z0-9+/=]{8,})")


# a user and a password given as two literals to what takes credentials: ``basic_auth=("elastic", "pw")``,
# ``pika.PlainCredentials("router", "pw")``, ``client.username_pw_set("dev", "pw")``,
# ``HTTPBasicAuth("u", "pw")``, ``aiohttp.BasicAuth("u", "pw")``, .NET's ``new NetworkCredential("u", "pw")``
_CREDENTIAL_PAIR = re.compile(
    r"(?i:\b(?:basic_?auth|http_?auth|auth|plain_?credentials|username_?pw_?set|http_?basic_?auth|"
    r"http_?digest_?auth|network_?credential|username_?password_?credentials?|password_?authentication|"
    r"credentials))\s*(?:=\s*)?[(\[{]\s*(?:\w+\s*[=:]\s*)?(?P<q1>[\"'`])(?P<user>[^\"'`\n]{0,100})(?P=q1)\s*,\s*"
    r"(?:\w+\s*[=:]\s*)?(?P<q2>[\"'`])(?P<secret>[^\"'`\n]{1,200})(?P=q2)"
)


# Terraform/HCL: ``variable "webhook_signing_secret" { … default = "…" }``: the default of a variable named
# as a secret (its own name is ``default``)
_HCL_VARIABLE = re.compile(r'\bvariable\s+"(?P<name>[^"\n]{1,100})"\s*\{(?P<body>[^{}]{0,800})\}')
_HCL_DEFAULT = re.compile(r'\bdefault\s*=\s*"(?P<secret>[^"\n]{1,300})"')


def _hcl_variables(text: str, found: Found) -> None:
    for m in _HCL_VARIABLE.finditer(text):
        if not looks_secret_name(m.group("name")):
            continue
        if (d := _HCL_DEFAULT.search(m.group("body"))) is None or _plain(d.group("secret")):
            continue
        start = m.start("body") + d.start("secret")
        found.append(
            Secret(start, start + len(d.group("secret")), f"{m.group('name')} defaults to a literal", MASK)
        )


# a .pgpass line: ``hostname:port:database:username:password`` (``*`` for any of the first four)
_PGPASS = re.compile(
    r"(?m)^[ \t]*(?:[\w.-]+|\*|\[[0-9a-fA-F:]+\]):(?:\d{1,5}|\*):(?:[\w.-]+|\*):(?:[\w.@-]+|\*):"
    r"(?P<secret>[^\s:]{4,200})[ \t]*$"
)


_PGPASS_PORT = re.compile(
    r":(?:\d{1,5}|\*):"
)  # what every .pgpass line holds: looked for first (a doc has few)


def _pgpass(text: str, found: Found) -> None:
    tried: set[int] = set()
    for hint in _PGPASS_PORT.finditer(text):
        start = text.rfind("\n", 0, hint.start()) + 1
        if start in tried:
            continue
        tried.add(start)
        m = _PGPASS.match(text, start)
        if (
            m is not None
            and not _plain(m.group("secret"))
            and not _PLACEHOLDER_PASSWORD.fullmatch(m.group("secret"))
        ):
            found.append(Secret(m.start("secret"), m.end("secret"), "password of a .pgpass line", MASK))


def _credential_pair_matches(text: str) -> Iterator[re.Match[str]]:
    """:data:`_CREDENTIAL_PAIR`'s matches, looked for only from a little before each ``auth``,
    ``credential`` and ``pw_set`` (every match holds one of them near its start): a scan of the whole doc
    by its case-blind alternation cost 250 µs on a doc that has them."""
    low = text.lower()
    keys = sorted(i for word in ("auth", "credential", "pw_set", "pwset") for i in _positions(low, word))
    pos = 0
    for k in keys:
        if k < pos:
            continue  # inside the last match
        m = _CREDENTIAL_PAIR.search(text, max(pos, k - 32), k + 1024)
        while m is not None and m.start() > k:
            m = None  # the match found starts after this keyword: it is the next keyword's
        if m is not None:
            yield m
            pos = m.end()


def _credential_pairs(text: str, found: Found) -> None:
    for m in _credential_pair_matches(text):
        secret = m.group("secret")
        if not _plain(secret) and not _PLACEHOLDER_PASSWORD.fullmatch(secret):
            found.append(
                Secret(m.start("secret"), m.end("secret"), "password given with its user in code", MASK)
            )


def _markup(text: str, found: Found) -> None:
    for m in _XML_ELEMENT.finditer(text):
        if looks_secret_name(m.group("tag")) and not _plain(m.group("secret")):
            found.append(
                Secret(m.start("secret"), m.end("secret"), f"<{m.group('tag')}> holds a literal value", MASK)
            )
    for m in _XML_ADD.finditer(text):
        if looks_secret_name(m.group("name")) and not _plain(m.group("secret")):
            found.append(
                Secret(
                    m.start("secret"), m.end("secret"), f"{m.group('name')} is set to a literal value", MASK
                )
            )
    for m in _SMTP_AUTH.finditer(text):
        found.append(Secret(m.start("secret"), m.end("secret"), "credentials of an SMTP AUTH command", MASK))


def _statements(text: str, low: str, found: Found) -> None:
    if " is " in low or " was " in low:
        for m in _prose_statements(text, low):
            value = m.group("secret")
            end = m.start("secret") + len(value.rstrip(".:!?"))
            if _prose_secret(value):
                found.append(Secret(m.start("secret"), end, "a secret written in a sentence", MASK))
    if "password '" in low or "by '" in low:
        for m in _SQL_PASSWORD.finditer(text):
            if not _plain(m.group("secret")):
                found.append(Secret(m.start("secret"), m.end("secret"), "password in an SQL statement", MASK))
    if "auth " in low and "redis" in low:
        for m in _REDIS_AUTH.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            head = text[line_start : m.start()].rstrip()
            command = (
                "redis-cli" in head.lower()
                or head in ("", ">", "$")
                or head.endswith(('"', "'", ";", "|", "&&", ">"))
            )
            if not command:
                continue  # "redis AUTH failed for the user": prose; AUTH is a command on a redis-cli line
                # or a line (a script's, a prompt's) of its own
            secret, user = m.group("secret"), m.group("user") or ""
            if user.startswith("<") or secret.startswith("<"):
                continue  # "AUTH <password> called without any password configured": the syntax, no value
            if not _plain(secret) and not secret.startswith(("$", "-")):
                found.append(
                    Secret(m.start("secret"), m.end("secret"), "password of a Redis AUTH command", MASK)
                )
    if "getconnection(" in low:
        for m in _JDBC.finditer(text):
            if not _plain(m.group("secret")):
                found.append(
                    Secret(m.start("secret"), m.end("secret"), "password of a JDBC connection", MASK)
                )


def _other_forms(text: str, low: str, hits: dict[str, list[int]], found: Found) -> None:
    for i in _positions(low, "set"):
        m = _SET.match(text, i) if _starts_word(text, i) else None
        span = _flag_value(text, m.end()) if m is not None else None
        if m is not None and span is not None and looks_secret_name(m.group("name")):
            name = m.group("name")
            _add_credential(
                text, span, found, f"{name} is set to a literal value", f"{name} {MASK}", user=False
            )
    conf = [i - 13 for i in hits["pass"]] + [
        i - 6 for i in hits["auth"] if low.startswith("masterauth", i - 6)
    ]
    netrc = "machine" in low
    for i in conf:  # the ``pass`` of ``requirepass``, ``-storepass``, ``password`` (.netrc) ...
        start = low.rfind("machine", max(0, i - 200), i + 13) if netrc else -1
        for at in (start, max(0, i)):
            m = _CONF.search(text, at, at + 300) if at >= 0 else None
            if (
                m is None
                or not (at <= m.start() <= i + 13)
                or (m.start() > 0 and text[m.start() - 1] in _WORD_CHARS)
            ):
                continue
            value = m.group("secret")
            if text.startswith(("requirepass", "masterauth"), m.start()):
                least = max(0, m.start() - _BEFORE_SCAN)
                head = text[text.rfind("\n", least, m.start()) + 1 or least : m.start()].rstrip().lower()
                if head and not head.endswith(("set", "--", "#", "`", '"', "'", "-e")):
                    continue  # "— requirepass value": prose about it, not redis.conf or CONFIG SET
            if not _plain(value) and not value.startswith(("env:", "file:", "fd:", "stdin", "-")):
                found.append(
                    Secret(m.start("secret"), m.end("secret"), "password in a configuration line", MASK)
                )
    for i in hits["secret"]:
        if low.startswith(("secret_access_key", "secretaccesskey"), i):
            m = _AWS_SECRET.search(text, max(0, i - 4), i + 80)
            if m is not None and not _dummy(m.group("secret")):
                found.append(Secret(m.start("secret"), m.end("secret"), "AWS secret access key", MASK))
    query = [i for w in ("pass", "pwd", "sig", "key") for i in hits[w]]
    for i in query:
        j = _name_start(text, i)
        m = _QUERY.match(text, j)
        if m is None or m.group("name").lower() not in _QUERY_NAMES:
            continue
        if (j == 0 or text[j - 1] not in "?&;") and not (
            m.group("name").lower() in _PASSWORD_NAMES and _value_syntax(text, j, m.end(), "=")[0] == "conn"
        ):
            continue  # (``Pwd=pw;Server=db``: the first key of a connection string)
        # the value's extent follows its syntax, as for any name (``;pwd=a b&c;``: to the ``;``)
        span = _quoted(text, m.end())
        if span is None:
            extent = _unquoted_end(text, j, m.end(), "=")
            span = (m.end(), extent[1]) if extent is not None else None
        if span is not None and span[1] > span[0] and not _plain(text[span[0] : span[1]]):
            shown = f"{m.group('name')}={MASK}"
            found.append(Secret(span[0], span[1], "secret in a URL query", shown))


_COOKIE = re.compile(r"(?:set-)?cookie[ \t]*:[ \t]*(?P<secret>[^\r\n\"'`]+)", re.IGNORECASE)


def _cookies(text: str, low: str, found: Found) -> None:
    """``Cookie: session=…`` and ``Set-Cookie: …``: a session is a credential, whatever its name."""
    for i in _positions(low, "cookie"):
        start = i - 4 if low.startswith("set-", max(0, i - 4)) else i
        if not _starts_word(text, start, _NAME_CHARS):
            continue
        m = _COOKIE.match(text, start)
        value = m.group("secret").strip() if m is not None else ""
        if m is not None and "=" in value and not is_reference(value.partition("=")[2]):  # name=value pairs
            found.append(Secret(m.start("secret"), m.end("secret"), "cookie in a header", "Cookie: ***"))


# Text that holds none of these cannot hold a secret: one search decides (short values, most prose).
_MAYBE = re.compile(
    r"[=:]|\s-|--|AKIA|ASIA|ABIA|ACCA|AIza|eyJ|gh[pousr]_|github_pat_|gl[a-z]{2,5}-|xox|xapp-|_live_|_test_|"
    r"whsec_|GOCSPX-|npm_|pypi-|SG\.|sk-|hv[sbr]\.|shp[a-z]{2}_|_v1_|SK[0-9a-f]{32}|key-|setx|requirepass|"
    r"masterauth|password|uthorization|UTHORIZATION|hooks\.slack|webhooks/|(?i:secret_?access_?key)|(?i:cookie)|"
    r"(?i:auth\s*=?\s*[(\[{])|(?i:credentials?\s*[(\[{])|(?i:pw_set\s*\()|variable\s+\"|"
    r"(?m:^[ \t]*\|)|"  # a Markdown table's row: `| DB_TOKEN | abc123 |`
    r"(?i:password\s+')|(?i:identified\s+by\s+')|AUTH\s|(?i:getconnection\()|"
    r"(?i:(?:pass\w*|pwd|token|secret|key)\s+(?:is|was)\s)|</|(?i:<add\s)"
)


def find_secrets(text: str) -> list[Secret]:
    """Every secret in ``text``, in order, overlapping ones merged (see the module's docstring)."""
    # Literals are searched in an ASCII copy with the same indices (each other character becomes ``?``):
    # a doc holds an ``→`` or two, and searching text stored two bytes a character costs four times more.
    probe = text if text.isascii() else text.encode("ascii", "replace").decode("ascii")
    if len(text) < 6 or _MAYBE.search(probe) is None:
        return []
    found: Found = []
    low = probe.lower()
    if "-----BEGIN " in probe:
        _private_keys(text, probe, found)
    if "://" in probe:
        _url_passwords(text, probe, found)
    hits = {word: list(_positions(low, word)) for word in _NAME_WORDS}
    if hits["auth"]:
        _auth_headers(text, low, hits["auth"], found)
    if "=" in probe or ":" in probe:
        _assignments(text, hits, found)
    if "|" in probe:
        _table_rows(text, found)
    if "</" in probe or "<add" in low or "auth " in low:
        _markup(text, found)
    if "--" in probe:
        _long_flags(text, probe, found)
    if "," in probe and ("auth" in low or "credential" in low or "pw_set" in low):
        _credential_pairs(text, found)
    if "variable" in probe and "default" in probe:
        _hcl_variables(text, found)
    if probe.count(":") >= 4:
        _pgpass(text, found)
    if " -" in probe:
        _command_flags(text, probe, low, found)
    _other_forms(text, low, hits, found)
    if (
        "password '" in low
        or "by '" in low
        or "auth " in low
        or "getconnection(" in low
        or " is " in low
        or " was " in low
    ):
        _statements(text, low, found)
    if "ookie" in low:
        _cookies(text, low, found)
    _shapes(text, probe, found)
    if len(found) < 2:
        return found
    found.sort()
    merged = [found[0]]
    for s in found[1:]:
        last = merged[-1]
        if s.start <= last.end:
            if s.end > last.end:
                merged[-1] = last._replace(end=s.end)
        else:
            merged.append(s)
    return merged


def mask_text(text: str) -> str:
    """``text`` with every secret replaced by ``***`` and every other character kept."""
    if not text:
        return text
    if len(text) <= _SHORT:
        return _mask_short(str(text))
    return _mask(text)


_SHORT = 256  # short texts (a page's values, a JSON document's strings) repeat: their masking is cached


def _mask(text: str) -> str:
    found = find_secrets(text)
    if not found:
        return text
    parts: list[str] = []
    pos = 0
    for s in found:
        parts += (text[pos : s.start], MASK)
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts)


_mask_short = functools.lru_cache(maxsize=16384)(_mask)


def _masked_member(key: str, value: str) -> str:
    """The value of a member whose key names a secret: all of it, or the credential of an
    ``Authorization`` value (``Bearer ***``)."""
    if key.lower().endswith("authorization"):
        masked = mask_text(f"{key}: {value}")[len(key) + 2 :]
        parts = value.split()
        return masked if masked != value or not parts or is_reference(parts[-1]) else MASK
    return MASK


def _secret_env(name: str, value: str) -> bool:
    return (looks_secret_name(name) and not _plain(value)) or mask_text(value) != value


def mask_json(data: Any) -> Any:
    """A copy of JSON-like data with every secret masked: free text (keys too), env var values by name,
    and members whose key names a secret."""
    if isinstance(data, str):
        return mask_text(data)
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            k = mask_text(key) if isinstance(key, str) else key
            if (
                isinstance(value, str)
                and isinstance(key, str)
                and looks_secret_name(key)
                and not _plain(value)
            ):
                out[k] = _masked_member(key, value)
            else:
                out[k] = mask_json(value)
        name, value = out.get("name"), out.get("value")
        if isinstance(name, str) and isinstance(value, str) and "purpose" in out and _secret_env(name, value):
            out["value"] = MASK
        purpose = out.get("purpose")
        if isinstance(name, str) and isinstance(purpose, str) and looks_secret_name(name) and not value:
            # the list form: ``- MQTT_PASSWORD: ingest password, currently `pw``` puts the value here; with
            # the value apart (``export X_PASSWORD=… # password``) the purpose is words, masked as any text
            # (its one word "password" was ``***``: new user, round 41)
            out["purpose"] = mask_text(f"{name}: {purpose}")[len(name) + 2 :]
        return out
    if isinstance(data, list | tuple):
        return [mask_json(x) for x in data]
    return data


def redact(text: str, secret: str) -> str:
    """``text`` with ``secret`` (a password wiremap sent) replaced by ``***`` where it stands as a whole
    word: inside a word ("data" in "database") it is kept, or the message would be garbled and the
    places the mask fell would spell the secret out."""
    if not secret or not text:
        return text
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)


def shorten(text: str, limit: int) -> str:
    """``text`` masked, then cut to ``limit`` characters (an ellipsis marks the cut): masked before the
    cut, which could leave part of a secret no longer recognisable as one (a quoted doc line, a reply)."""
    text = mask_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SCHEME_VALUE = re.compile(r"^\s*(?:Bearer|Basic|Token|Bot|ApiKey)\s+(?P<secret>\S{6,})\s*$", re.IGNORECASE)
_URL_USERINFO = re.compile(r"^[A-Za-z][\w+.-]*://[^/@\s:]*:(?P<secret>[^@\s]{4,})@")


def secret_values(env: Mapping[str, str]) -> list[str]:
    """The secrets an environment holds, as values to redact from what a command it ran prints: the value
    of a variable whose name says it is secret (``DB_PASSWORD``), the credential of a ``Bearer …``
    value, the password of a URL. Values of 6 characters or fewer (4 for a URL's password), references
    and test dummies are left out."""
    out: list[str] = []
    for name, value in env.items():
        if not value:
            continue
        if looks_secret_name(name) and len(value) >= 6 and not _plain(value):
            out.append(value)
        if (m := _SCHEME_VALUE.match(value)) is not None:
            out.append(m.group("secret"))
        if "://" in value and (m := _URL_USERINFO.match(value)) is not None and not _plain(m.group("secret")):
            out.append(m.group("secret"))
    return sorted(set(out), key=len, reverse=True)  # the longest first: one holding another is whole
