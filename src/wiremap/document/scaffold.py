"""A new doc from the template: fill what was given, keep the placeholders elsewhere."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .._errors import UsageError
from ..values import parse_source_ref
from .template import template_text

__all__ = ["scaffold"]


_ARROW = re.compile(r"→|->|=>|⟶")


def _one_line(name: str, value: str) -> str:
    value = value.strip()
    if not value or "\n" in value or "\r" in value:
        raise UsageError(f"{name} must be a non-empty single line")
    return value


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def scaffold(
    source: str,
    destination: str,
    *,
    protocol: str | None = None,
    dest: str | None = None,
    client: str | None = None,
    source_ref: str | None = None,
    env: Sequence[str] = (),
) -> str:
    source, destination = _one_line("Source", source), _one_line("Destination", destination)
    for name, value in (("Source", source), ("Destination", destination)):
        if _ARROW.search(value):  # "Worker -> X" would make a title of three services (DOC004)
            raise UsageError(f"{name} {value!r} holds an arrow: give the two services as two arguments")
    text = template_text()
    text = text.replace(
        "# Integration: [Source] → [Destination]", f"# Integration: {source} → {destination}", 1
    )
    text = text.replace(
        "[Source] → [Processing] → [Destination]", f"{source} → [Processing] → {destination}", 1
    )
    if protocol:
        text = text.replace(
            "**Protocol:** [HTTP/gRPC/WebSocket/etc]", f"**Protocol:** {_one_line('protocol', protocol)}", 1
        )
    hostport = "[host:port]"
    if dest:
        dest = _one_line("--dest", dest)
        m = re.match(r"^(\[[0-9a-fA-F:.]+\]|[^\s:/()]+):(\d{1,5})$", dest)
        if not m:
            raise UsageError(f"--dest must be host:port, got {dest!r}")
        if not 1 <= int(m.group(2)) <= 65535:
            raise UsageError(f"--dest {dest}: port {int(m.group(2))} is not in 1-65535")
        hostport = dest
    text = text.replace(
        "**Destination:** [Service name] ([host:port])", f"**Destination:** {destination} ({hostport})", 1
    )
    if client:
        text = text.replace(
            "**Client:** `[client_class_or_function]`", f"**Client:** `{_one_line('--client', client)}`", 1
        )
    if source_ref:
        ref = _one_line("--source-ref", source_ref)
        path, line = parse_source_ref(ref)  # every form the doc accepts (VAL008): path:41, path#L41, …
        if path is None or line is None or any(c.isspace() for c in ref):
            raise UsageError(f"--source-ref must be path:line (or path#L41), got {ref!r}")
        text = text.replace("**Source:** `[source_file.py:line]`", f"**Source:** `{ref}`", 1)
    names = [n for n in dict.fromkeys(env) if _ENV_NAME.match(n)]
    if names:  # the variables the code reads for it (drafts left them out, and SRC006 flagged each: round 48)
        listed = "\n".join(f"export {n}=[value]  # [Purpose]" for n in names)
        text = text.replace("export [VAR_NAME]=[value]  # [Purpose]", listed, 1)
    return text
