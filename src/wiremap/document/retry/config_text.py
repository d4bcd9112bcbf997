"""Configuration text into key/value pairs with their doc lines: JSON, and a tolerant reader for YAML and
``.properties``/``.ini`` text (``key: value`` nested by indentation, ``a.b.c=value``, ``- item`` lists,
``[a, b]`` inline lists). No YAML library: nothing in the doc can construct an object.
"""

from __future__ import annotations

import re
from typing import Any

from ...values import parse_json
from ._draft import MAX_TEXT, Draft
from .config import Pair, read_pairs
from .prose import read_lines

__all__ = ["flatten", "read_json", "read_kv"]

_MAX_LINES = 2_000
_MAX_PAIRS = 5_000


def flatten(value: Any, text: str, first_line: int) -> list[Pair]:
    """A parsed JSON-like value into pairs; each key's line is where ``"key"`` is first written."""
    out: list[Pair] = []
    lines = text.split("\n")

    def line_of(key: str) -> int:
        quoted = (f'"{key}"', f"'{key}'")
        return first_line + next((n for n, ln in enumerate(lines) if any(q in ln for q in quoted)), 0)

    def walk(node: Any, path: tuple[str, ...], depth: int) -> None:
        if depth > 30 or len(out) > _MAX_PAIRS:
            return
        if isinstance(node, dict):
            for k, v in list(node.items())[:1000]:
                if isinstance(k, str):
                    if isinstance(v, dict | list) and not (
                        isinstance(v, list) and all(not isinstance(x, dict | list) for x in v)
                    ):
                        walk(v, (*path, k), depth + 1)
                    else:
                        out.append(((*path, k), v, line_of(k)))
        elif isinstance(node, list):
            for item in node[:1000]:
                walk(item, path, depth + 1)

    walk(value, (), 0)
    return out


def read_json(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT or text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        value = parse_json(text)
    except (ValueError, RecursionError):
        return None
    pairs = flatten(value, text, first_line)
    missed: list[int] = []
    d = read_pairs(pairs, first_line, missed=missed)
    # keys the table does not know read as YAML's are, as ``key=value`` words ({"backoff_ms": 50,
    # "timeoutMs": 250} were dropped without a word: round 35)
    said = read_lines([(f"{pairs[n][0][-1]}={pairs[n][1]}", pairs[n][2]) for n in missed if pairs[n][0]])
    if d is not None and said is not None:
        d.merge(said)
    return d


_KEY_VALUE = re.compile(r"""^(?P<key>["']?[A-Za-z_][\w.\-\[\]]*["']?)\s*(?::|=)(?:\s+|$)(?P<value>.*)$""")
_PROP = re.compile(r"""^(?P<key>[A-Za-z_][\w.\-\[\]]*)\s*=\s*(?P<value>.*)$""")
_COMMENT = re.compile(r"\s+#.*$")


def _scalar(raw: str) -> Any:
    value = _COMMENT.sub("", raw).strip().rstrip(",")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value.startswith("[") and value.endswith("]"):
        return [_scalar(x) for x in value[1:-1].split(",") if x.strip()]
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return (
            int(value)
            if re.fullmatch(r"-?\d{1,15}", value)
            else float(value)
            if re.fullmatch(r"-?\d{0,15}\.\d{1,15}", value)
            else value
        )
    except ValueError:
        return value


def _top_level(text: str) -> list[str]:
    """``text`` split at the commas outside brackets, braces and quotes."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [x.strip() for x in parts if x.strip()]


def _flow(path: tuple[str, ...], value: str, line: int, depth: int = 0) -> list[Pair] | None:
    """A YAML flow mapping (``retry: {max_attempts: 4, retry_on: [502, 503]}``) as the pairs a block
    mapping gives; ``None`` when ``value`` is not one."""
    value = _COMMENT.sub("", value).strip()
    if not (value.startswith("{") and value.endswith("}")) or depth > 8:
        return None
    out: list[Pair] = []
    for part in _top_level(value[1:-1]):
        m = _KEY_VALUE.match(part)
        if not m:
            continue
        key = (*path, *(p for p in m.group("key").strip("\"'").split(".") if p))
        inner = m.group("value").strip()
        nested = _flow(key, inner, line, depth + 1)
        out.extend(nested if nested is not None else [(key, _scalar(inner), line)])
    return out


def read_kv(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    pairs: list[Pair] = []
    raws: list[str] = []  # each pair's line as written, its comment included
    stack: list[tuple[int, str]] = []  # (indent, key) of the open parents
    for n, raw in enumerate(text.split("\n")[:_MAX_LINES]):
        body = raw.rstrip()
        stripped = body.strip()
        if not stripped or stripped[0] in "#;/" or stripped.startswith("---"):
            continue
        indent = len(body) - len(body.lstrip())
        line = first_line + n
        if stripped.startswith("- ") or stripped == "-":
            item = stripped[1:].strip()
            if stack and item and not _KEY_VALUE.match(item):
                path = tuple(p for _, k in stack for p in k.split(".") if p)
                pairs.append((path, _scalar(item), line))
                raws.append(stripped)
                continue
            stripped, indent = item, indent + 2
        if stripped.startswith("[") and stripped.endswith("]"):  # an INI section
            stack = [(-1, stripped[1:-1].strip())]
            continue
        m = _KEY_VALUE.match(stripped) or _PROP.match(stripped)
        if not m:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = m.group("key").strip("\"'")
        parts = tuple(p for p in key.split(".") if p)
        value = m.group("value").strip()
        path = (*(p for _, k in stack for p in k.split(".") if p), *parts)
        if value in ("", "|", ">"):
            stack.append((indent, key))
        elif (flow := _flow(path, value, line)) is not None:
            pairs.extend(flow)
            raws.extend(stripped for _ in flow)
        else:
            pairs.append((path, _scalar(value), line))
            raws.append(stripped)
        if len(pairs) > _MAX_PAIRS:
            break
    missed: list[int] = []
    d = read_pairs(pairs, first_line, missed=missed) if pairs else None
    if d is not None and (said := read_lines([(raws[n], pairs[n][2]) for n in missed])) is not None:
        # a setting the keys do not say ("backoff: 500ms, doubling", "connect_timeout: 3s") read as the
        # same words written ``key=value`` are; a duration nothing reads is listed unread, never dropped
        d.merge(said)
    return d
