"""## What it does
Finds secrets written into the doc, anywhere in it: exactly what wiremap masks as `***` in every output
(see [Secrets masking](format.md#secrets-masking) for the full list). In short:

- a password in a URL (`postgres://app:…@db:5432`, any scheme; the password runs to the last `@` before
  the host);
- a value given to a name that says it is secret (PASSWORD, PASSWD, `*_PASS`, `*_PWD`, SECRET, TOKEN,
  API_KEY, PRIVATE_KEY, CREDENTIAL, ACCESS_KEY, ACCOUNT_KEY, AUTH, ...): `DB_PASSWORD=…`,
  `redis_password = …`, `"client_secret": "…"`, `X-Api-Key: …`, `AccountKey=…;`, `?api_key=…`. The
  whole value, as far as its syntax says: a quoted value to its closing quote; in a `;`-separated
  connection string (`Server=db;Password=…;`) to the next `;`, spaces and `&` included; in a URL query
  to the next `&`; on a `KEY=value` or `key: value` line to the next space;
- the credentials of an `Authorization` or `Proxy-Authorization` header (`Bearer`, `Basic`, `Token`, ...);
- passwords on command lines: `--password=…`, `--token …`, `curl -u user:…`, `redis-cli -a …`,
  `mysql -p…`, `sshpass -p …`, `PGPASSWORD=… psql`;
- well-known credential shapes: AWS access key ids and secret keys, Google API keys, GitHub, GitLab, Slack,
  Stripe, npm and Vault tokens, Slack webhook paths, JWTs, and private keys (`-----BEGIN … PRIVATE KEY-----`,
  the whole block).

A value is not reported when it is a reference (`${DB_PASSWORD}`, `$DB_PASSWORD`, `<password>`, `***`, a
`[placeholder]`), a small number or a boolean, code (`os.environ["X"]`, `settings.token`), or when the
name only points at a secret (`*_FILE`, `*_PATH`, `*_URL`, `*_TTL`, `*_MODE`, ...). Obvious dummies
(`AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx...`) are not reported either. One finding per line; the message never
repeats the secret.

## Why is this bad?
Docs are read, copied, indexed, rendered into wikis and kept in git history forever. A credential
written in one is leaked to everyone who can read the repository, and rotating it does not remove it
from history. Even a "test" password tends to be the real one somewhere.

## Example
A live API key and a database password written out (shown here as wiremap prints them, masked):
```bash
export PAYMENTS_API_TOKEN=***  # the sk_live_ key itself
export DATABASE_URL=postgres://orders:***@orders-db:5432/orders
```

## Use instead
```bash
export PAYMENTS_API_TOKEN=${PAYMENTS_API_TOKEN}  # from the secret store
export DATABASE_URL=postgres://orders:${ORDERS_DB_PASSWORD}@orders-db:5432/orders
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...secrets import find_secrets
from ..rule import DocContext, Violation, doc_rule


def _check(ctx: DocContext) -> Iterator[Violation]:
    """Exactly the secrets :func:`~wiremap.secrets.mask_text` masks, at the line each one starts on."""
    text = ctx.doc.text
    reported: set[int] = set()
    line, pos = 1, 0
    for secret in find_secrets(text):
        line += text.count("\n", pos, secret.start)
        pos = secret.start
        if line not in reported:
            reported.add(line)
            advice = "keep it in the secret store, write a reference such as ${VAR}"
            yield Violation(line, f"{secret.kind} ({secret.shown}); {advice}")


RULE = doc_rule("SEC001", "plaintext-secret", Severity.ERROR, __doc__)(_check)
