"""The system graph of a catalog as Mermaid or Graphviz dot."""

from __future__ import annotations

import re

from .catalog import Catalog
from .model import Integration
from .secrets import mask_text
from .values import slugify

__all__ = ["to_dot", "to_mermaid"]


def _label(integration: Integration) -> str:
    return integration.protocol or integration.protocol_raw or "?"


def _node_id(name: str) -> str:
    # from the name as masked: its label is masked, and a token in a service name was verbatim in the id.
    # A letter outside ASCII is its code point: "склад" and "касса" were both n______, one node with a
    # loop (new user, round 36)
    return "n_" + re.sub(
        r"[^A-Za-z0-9_]",
        lambda m: f"_{ord(m.group()):x}" if ord(m.group()) > 127 else "_",
        slugify(mask_text(name)),
    )


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(catalog: Catalog) -> str:
    """``flowchart LR``; critical-path edges thick (``==>``); bidirectional drawn both ways."""
    lines = ["flowchart LR"]
    for svc in catalog.services():
        lines.append(f'    {_node_id(svc)}["{_mermaid_text(svc)}"]')
    for e in catalog.edges():
        label = _mermaid_text(_label(e.integration))
        arrow = "==>" if e.integration.critical_path else "-->"
        lines.append(f'    {_node_id(e.source)} {arrow}|"{label}"| {_node_id(e.destination)}')
    critical = [n for n, e in enumerate(catalog.edges()) if e.integration.critical_path]
    if critical:
        lines.append(f"    linkStyle {','.join(map(str, critical))} stroke:#d33,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(catalog: Catalog) -> str:
    """A ``digraph``; critical-path edges red and bold."""
    lines = ["digraph wiremap {", "    rankdir=LR;", "    node [shape=box, style=rounded];"]
    for svc in catalog.services():
        lines.append(f"    {_dot(svc)};")
    for e in catalog.edges():
        attrs = [f"label={_dot(_label(e.integration))}"]
        if e.integration.critical_path:
            attrs += ["color=red", "penwidth=2.5", 'tooltip="critical path"']
        lines.append(f"    {_dot(e.source)} -> {_dot(e.destination)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
