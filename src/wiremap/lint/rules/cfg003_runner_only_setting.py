"""## What it does
Reports a doc that asks, in a `<!-- wiremap: key=value -->` directive, for a setting only the person
who runs wiremap may give: sending environment values as headers (`headers_from_env`), a TLS client
certificate, skipping certificate checks (`insecure`), writes, remote load or running commands.

## Why is this bad?
Docs arrive in pull requests; CI runs wiremap with secrets in its environment. A doc that could turn
these on could send a secret to a host of its choosing or run a command. wiremap does not use such a
setting from a doc: the check that needs it is skipped ("needs the runner's …"). Ask for it where the
runner grants it: a flag, or the runner's config named with `--config` (docs/security.md).

## Example
```markdown
<!-- wiremap: headers_from_env=Authorization=PAYMENTS_API_TOKEN -->
```

## Use instead
```toml
# ci/wiremap.toml, passed as `wiremap verify --config ci/wiremap.toml`
[tool.wiremap.integrations.checkout-service-to-payments-api]
headers_from_env = "Authorization=PAYMENTS_AUTH_HEADER"

[tool.wiremap.bind-secrets]
PAYMENTS_AUTH_HEADER = "payments.internal:443"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...trust.resolve import doc_settings
from ...trust.settings import SETTINGS, Trust
from ..rule import DocContext, Violation, doc_rule


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    values, _ = doc_settings(integ)
    lines = {k.replace("-", "_"): n for k, n in integ.directives.lines.items()}
    for name, value in values.items():
        spec = SETTINGS[name]
        if spec.trust is Trust.RUNNER and value not in (None, False, "", {}, []):
            line = lines.get(name) or lines.get("header_env", 1)
            yield Violation(line, f"{name} is runner-only: not used from a doc (needs {spec.needs})")


RULE = doc_rule("CFG003", "runner-only-setting", Severity.WARNING, __doc__)(_check)
