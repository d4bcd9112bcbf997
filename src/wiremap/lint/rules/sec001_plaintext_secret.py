"""## What it does
Finds secrets written into the doc: passwords in URLs, secret environment variables set to literal
values, and well-known credential shapes (cloud keys, API tokens, private keys). In detail:

- a password in a URL (`postgres://app:hunter2@db:5432`), unless it is a reference such as `${DB_PASSWORD}`,
  `$DB_PASSWORD`, `<password>`, `***` or a `[placeholder]`;
- a variable of the Environment Variables block whose name says it is secret (PASSWORD, PASSWD, SECRET,
  TOKEN, API_KEY, APIKEY, PRIVATE_KEY, CREDENTIAL, ACCESS_KEY) set to a literal value (`changeme` is a
  literal too) instead of a reference. Names that only point at a secret (`*_FILE`, `*_PATH`, `*_URL`,
  `*_ARN`, `*_TTL`, ...) and plain numbers or booleans are not reported;
- well-known credential shapes anywhere in the doc: AWS access key ids (`AKIA...`), GitHub tokens
  (`ghp_...`, `github_pat_...`), Slack tokens (`xoxb-...`), Stripe live keys (`sk_live_...`), private keys
  (`-----BEGIN ... PRIVATE KEY-----`) and `Authorization: Bearer <literal token>`. Obvious dummies
  (`AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx...`) are not reported.

The message never repeats the secret: it is masked as `***`.

## Why is this bad?
Docs are read, copied, indexed, rendered into wikis and kept in git history forever. A credential
written in one is leaked to everyone who can read the repository, and rotating it does not remove it
from history. Even a "test" password tends to be the real one somewhere.

## Example
```bash
export PAYMENTS_API_TOKEN=sk_live_51HxAbCdEfGhIjKlMnOpQr
export DATABASE_URL=postgres://orders:hunter2@orders-db:5432/orders
```

## Use instead
```bash
export PAYMENTS_API_TOKEN=${PAYMENTS_API_TOKEN}  # from the secret store
export DATABASE_URL=postgres://orders:${ORDERS_DB_PASSWORD}@orders-db:5432/orders
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...document.extract import parse_env_lines
from ...document.nodes import CodeBlock
from ...findings import Severity
from ...secrets import SHAPES as _SHAPES
from ...secrets import URL_PASSWORD as _URL_PASSWORD
from ...secrets import is_reference, looks_secret_name
from ..rule import DocContext, Violation, doc_rule
from ..walk import TextUnit, text_units

_NOT_SECRET_VALUE = re.compile(r"^(?:\d{1,6}|true|false|yes|no|on|off|none|null)$", re.IGNORECASE)


def _dummy(secret: str) -> bool:
    """Documentation dummies: AWS's ``...EXAMPLE`` keys, ``ghp_xxxxxxxx...``."""
    body = re.sub(r"^[A-Za-z]+_(?:live_|pat_)?|^(?:AKIA|ASIA|xox[baprs]-)", "", secret)
    return "EXAMPLE" in secret.upper() or len(set(body.lower())) <= 2


def _url_passwords(text: str) -> Iterator[str]:
    for m in _URL_PASSWORD.finditer(text):
        if not is_reference(m.group("secret")):
            yield "password written in a URL (scheme://user:***@host); use a reference such as ${VAR}"


def _shapes(text: str) -> Iterator[str]:
    for what, shown, pattern in _SHAPES:
        for m in pattern.finditer(text):
            if what == "private key" or not _dummy(m.group("secret")):
                yield f"{what} written in the doc ({shown}); keep it in the secret store"


def _env_vars(ctx: DocContext) -> Iterator[tuple[int, str]]:
    ref = ctx.doc.fields.get("environment variables")
    if ref is None or not isinstance(ref.block, CodeBlock):
        return
    for offset, env in parse_env_lines(ref.block.text):
        name, value = env.name.upper(), env.value or ""
        if not looks_secret_name(name):
            continue
        if is_reference(value) or _NOT_SECRET_VALUE.match(value.strip()):
            continue
        yield (
            ref.block.content_line + offset,
            f"{env.name} is set to a literal value (***); use a reference such as ${{{env.name}}}",
        )


# Literal fragments each secret shape above contains (same order as _SHAPES): a cheap ``in`` test
# first, because a regex starting with ``\b`` gets no literal-prefix speed-up in Python's ``re``.
_HINTS: tuple[tuple[str, ...], ...] = (
    ("AKIA", "ASIA"),
    ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ("github_pat_",),
    ("xox",),
    ("_live_",),
    ("PRIVATE KEY",),
    ("uthorization", "UTHORIZATION"),
)


def _maybe_secret(text: str) -> bool:
    """Whether any line of ``text`` could hold a secret; False lets the rule skip the line scan."""
    if "://" in text and "@" in text:
        for line in text.split("\n"):
            if "://" in line and "@" in line and _URL_PASSWORD.search(line):
                return True
    shapes = zip(_HINTS, _SHAPES, strict=True)
    return any(any(h in text for h in hints) and shape[2].search(text) for hints, shape in shapes)


def _check(ctx: DocContext) -> Iterator[Violation]:
    reported: set[int] = set()
    found: list[tuple[int, str]] = list(_env_vars(ctx))
    text = ctx.doc.text
    # nothing secret-shaped anywhere: skip the line-by-line scan
    units: Iterable[TextUnit] = text_units(ctx.doc.document) if _maybe_secret(text) else ()
    for unit in units:
        found.extend((unit.line, msg) for msg in _url_passwords(unit.text))
        found.extend((unit.line, msg) for msg in _shapes(unit.text))
    for line, message in sorted(found, key=lambda x: x[0]):
        if line not in reported:
            reported.add(line)
            yield Violation(line, message)


RULE = doc_rule("SEC001", "plaintext-secret", Severity.ERROR, __doc__)(_check)
