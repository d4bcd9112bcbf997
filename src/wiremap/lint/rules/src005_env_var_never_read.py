"""## What it does
Checks that each environment variable listed under **Environment Variables** is read somewhere in the
code under the project root (`os.environ`, `os.getenv`, pydantic-settings fields, `process.env`,
`os.Getenv`, Go struct tags `envconfig:"X"`/`env:"X"`, viper, `System.getenv`, a Spring placeholder
`${X:default}` in application.yml/.properties and the property it sets, read by `@Value`, or a property
Spring's relaxed binding sets from `X`). Variables a driver or SDK reads on its own are not leftovers:
libpq's `PG*` for PostgreSQL, the AWS SDK's `AWS_*`, `GOOGLE_APPLICATION_CREDENTIALS`, the Azure SDK's
`AZURE_*`, `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `HTTP(S)_PROXY`/`NO_PROXY`, `OTEL_*`, and more. A
template placeholder (`[VAR_NAME]`) is no variable (DOC003 reports it). A doc whose Source file is in a
language wiremap does not index (Kotlin, Ruby …) is not checked: what that code reads is not known.

## Why is this bad?
A variable nobody reads is a leftover: it was renamed or the code stopped using it. Operators keep
setting it, believe it has an effect, and miss the variable that replaced it.

## Example
```bash
export PAYMENTS_URL=http://127.0.0.1:8081  # the code now reads PAYMENTS_API_URL
```

## Use instead
```bash
export PAYMENTS_API_URL=http://127.0.0.1:8081
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs

_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    from ...code.implicit_env import implicit_reader  # when an SRC rule runs (lint import time)

    for doc, project, rel in source_docs(ctx):
        integ = doc.integration
        if not integ.env_vars or not project.exists(rel):
            continue
        read = project.index.env_names
        f = project.file(rel)
        if f is None:  # a language wiremap does not index (Kotlin, Ruby …): what its code reads is not known
            continue
        protocols = {integ.protocol} if integ.protocol else set()
        protocols |= {s.protocol for s in f.sites} if f is not None else set()
        for var in integ.env_vars:
            if not _VAR_NAME.fullmatch(var.name):  # ``[VAR_NAME]``: a placeholder (DOC003), not a variable
                continue
            if var.name not in read and implicit_reader(var.name, protocols) is None:
                yield Violation(
                    integ.line_of(f"env_vars.{var.name}", integ.line_of("env_vars")),
                    f"environment variable {var.name} is never read in the code under {project.root}",
                    doc.path,
                )


RULE = catalog_rule("SRC005", "env-var-never-read", Severity.WARNING, __doc__)(_check)
