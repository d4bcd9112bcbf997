"""The rule reference (docs/rules.md), generated from the rules' own docstrings."""

from __future__ import annotations

import re

from .registry import RULES

__all__ = ["render_rule_reference"]

_FAMILIES = {
    "AGE": "Dates and staleness",
    "BLK": "Code blocks",
    "CAT": "The catalog as a whole",
    "CRT": "Critical-path hygiene",
    "DOC": "Document structure",
    "ERR": "Error handling and retries",
    "SEC": "Secrets",
    "SRC": "Docs against the code",
    "VAL": "Field values",
}


def _demote(doc: str) -> str:
    """Rule docstrings use ``##`` sections; inside the reference they sit under ``###``.
    Headings inside fenced examples are example content and stay as written."""
    out: list[str] = []
    fence: str | None = None
    for line in doc.split("\n"):
        m = re.match(r"^(`{3,}|~{3,})", line)
        if m and (fence is None or m.group(1).startswith(fence)):
            fence = m.group(1) if fence is None else None
        elif fence is None and re.match(r"^#{2,5} ", line):
            line = "##" + line
        out.append(line)
    return "\n".join(out)


def render_rule_reference() -> str:
    rules = sorted(RULES.values(), key=lambda r: r.code)
    lines = [
        "# Rule reference",
        "",
        "<!-- Generated from the rules' docstrings by `wiremap rule --all --format markdown`. -->",
        "",
        "Every rule has a stable code (family prefix + number) and a kebab-case name. Select or ignore",
        'rules by code or prefix (`--select DOC`, `ignore = ["SEC001"]`), change a rule\'s severity in',
        "`[tool.wiremap]`, or switch it off in one doc with `<!-- wiremap: disable=CODE -->`.",
        "",
        "| Code | Name | Severity | Summary |",
        "|---|---|---|---|",
    ]
    for r in rules:
        lines.append(f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity.label} | {r.summary} |")
    family = None
    for r in rules:
        if r.family != family:
            family = r.family
            lines += ["", f"## {family}: {_FAMILIES.get(family, family)}"]
        head = f"`{r.name}` · default severity **{r.severity.label}**"
        lines += ["", f"### {r.code}", "", head, "", _demote(r.doc)]
    return "\n".join(lines).rstrip() + "\n"
