"""GitHub Actions annotations at the doc's line for each failed check."""

from __future__ import annotations

from collections.abc import Sequence

from ..._gha import escape_data as _data
from ..._gha import escape_property as _prop
from ...findings import Finding
from ..engine import IntegrationReport
from ._common import check_line, message


def render(reports: Sequence[IntegrationReport], color: bool, problems: Sequence[Finding] = ()) -> str:
    # a doc that could not be read is an error at its line (it was only on stderr: a green job's annotations
    # on a red job, round 30)
    out = [
        f"::error file={_prop(f.path)},line={f.line},title={_prop('wiremap verify: ' + f.code)}::"
        f"{_data(f.message)}"
        for f in problems
    ]
    for r in reports:
        for c in r.checks:
            if c.ok is False:
                level = "error" if r.integration.critical_path else "warning"
                title = _prop(f"wiremap verify: {c.name} ({c.error_kind})")
                out.append(
                    f"::{level} file={_prop(r.integration.path)},line={check_line(r, c)},title={title}::"
                    f"{_data(r.integration.name + ': ' + message(c))}"
                )
    return "\n".join(out)
