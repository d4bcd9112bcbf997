"""## What it does
Finds the same Source → Destination documented by more than one doc in the catalog.

## Why is this bad?
Two docs for one integration drift apart: one gets fixed, the other keeps the old port, and readers
cannot tell which is true. Every later command (verify, measure, serve) also needs one doc per id.

## Example
`docs/payments.md` and `docs/old/checkout-payments.md` both titled
`Integration: Checkout Service → Payments API`.

## Use instead
Keep one doc per integration; merge the other into it and delete it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    first: dict[str, str] = {}
    for doc in ctx.docs:
        integ = doc.integration
        if not integ.source or not integ.destination:
            continue
        if integ.id in first:
            yield Violation(
                integ.line_of("title"),
                f"{integ.name} is already documented in {first[integ.id]}",
                path=doc.path,
            )
        else:
            first[integ.id] = doc.path


RULE = catalog_rule("CAT001", "duplicate-integration", Severity.ERROR, __doc__)(_check)
