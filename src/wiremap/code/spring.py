"""Spring Boot's configuration files: the environment variables their placeholders read.

``application.yml`` (``application-<profile>.yml``, ``bootstrap.yml``, and their ``.yaml`` and
``.properties`` forms) sets properties, and a value's ``${CATALOG_API_URL:http://…}`` placeholder is
resolved from the environment (a system property, a variable) when the application starts. Each such
placeholder is an env read of the file, at its line, with its default, and so is each property's
relaxed name (``SERVER_PORT`` for ``server.port``: Spring reads the environment for every property);
and the file exports, for the
Java code that reads the property (``@Value("${catalog.base-url}")``), which variable sets it:
``("@catalog.base-url", "CATALOG_API_URL")`` (link.py resolves the Java reads against them).

YAML is read by indentation, the way these files are written (``key:`` nesting, ``key: value``,
``- item`` lists); anything it cannot follow is skipped, never an error.
"""

from __future__ import annotations

import re

from ._treesitter import count_lines
from .model import EnvRead, FileIndex

__all__ = ["PROPERTY", "env_of_property", "index_spring"]

PROPERTY = "@"  # an export's key: ``@catalog.base-url``; its value ``CATALOG_API_URL`` (``|default``)
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_YAML_KEY = re.compile(
    r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[\w.\-\[\]]+|\"[^\"]+\"|'[^']+')\s*:(?:\s+|$)(?P<value>.*)$"
)
_PROPERTIES_LINE = re.compile(r"^\s*(?P<key>[^=:\s#!][^=:\s]*)\s*[=:]\s*(?P<value>.*)$")


def _placeholders(value: str) -> list[tuple[str, str | None]]:
    """``${A:x}`` and ``${B}`` of a value: (name, default), nested defaults kept as written."""
    out: list[tuple[str, str | None]] = []
    start = value.find("${")
    while start >= 0:
        depth, i = 0, start + 2
        while i < len(value):
            if value.startswith("${", i):
                depth += 1
                i += 2
                continue
            if value[i] == "}":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        key, sep, default = value[start + 2 : i].partition(":")
        if key.strip():
            out.append((key.strip(), default if sep else None))
        start = value.find("${", i)
    return out


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if " #" in value:  # a YAML comment after the value
        value = value.split(" #", 1)[0].rstrip()
    return value


def _yaml(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line, dotted key, value) of each ``key: value`` of a YAML file read by indentation."""
    out: list[tuple[int, str, str]] = []
    stack: list[tuple[int, str]] = []  # (indent, key) of the open mappings
    for n, raw in enumerate(lines, 1):
        if not raw.strip() or raw.lstrip().startswith("#") or raw.strip() in ("---", "..."):
            if raw.strip() == "---":
                stack = []
            continue
        m = _YAML_KEY.match(raw)
        if m is None:
            continue
        indent = len(m.group("indent")) + len(m.group("dash") or "")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = m.group("key").strip("\"'")
        value = _unquote(m.group("value"))
        dotted = ".".join([k for _, k in stack] + [key])
        if value and not value.startswith(("|", ">")):
            out.append((n, dotted, value))
        else:
            stack.append((indent, key))
    return out


def _properties(lines: list[str]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for n, raw in enumerate(lines, 1):
        m = _PROPERTIES_LINE.match(raw)
        if m is not None and not raw.lstrip().startswith(("#", "!")):
            out.append((n, m.group("key"), m.group("value").strip()))
    return out


def env_of_property(key: str) -> str:
    """The environment variable Spring Boot's relaxed binding reads a property from:
    ``catalog.base-url`` -> ``CATALOG_BASEURL`` (dots to underscores, dashes dropped, upper case)."""
    return re.sub(r"\[(\d+)\]", r"_\1", key).replace(".", "_").replace("-", "").upper()


def index_spring(path: str, data: bytes, sha: str) -> FileIndex:
    """Index one Spring configuration file; never raises."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileIndex(path, "spring", sha, count_lines(data), error=f"not UTF-8: {exc}")
    lines = text.splitlines()
    pairs = _properties(lines) if path.endswith(".properties") else _yaml(lines)
    reads: list[EnvRead] = []
    exports: dict[str, str] = {}
    for n, key, value in pairs:
        # Spring reads every property from the environment too, by its relaxed name: SERVER_PORT sets
        # server.port whatever the file says (SRC005 said SERVER_PORT was never read: round 60)
        relaxed = env_of_property(key)
        held = _placeholders(value)
        if _ENV_NAME.fullmatch(relaxed) and relaxed not in {name for name, _ in held}:
            reads.append(EnvRead(path, n, relaxed, None if held else value or None))
        for name, default in held:
            if not _ENV_NAME.fullmatch(name):
                continue  # ``${catalog.host}``: another property, not the environment
            reads.append(EnvRead(path, n, name, default))
            exports.setdefault(f"{PROPERTY}{key}", name if default is None else f"{name}|{default}")
        if not _placeholders(value):
            exports.setdefault(f"{PROPERTY}{key}", "")  # set here, as written: no variable sets it
    return FileIndex(
        path,
        "spring",
        sha,
        len(lines),
        env_reads=tuple(reads),
        exports=tuple(sorted(exports.items())),
    )
