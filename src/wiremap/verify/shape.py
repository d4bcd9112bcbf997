"""Does a live JSON body have the documented shape? Same keys, same JSON types; values may differ."""

from __future__ import annotations

from typing import Any

__all__ = ["json_type", "shape_mismatches"]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def shape_mismatches(expected: Any, actual: Any, path: str = "$", limit: int = 20) -> list[str]:
    """Every documented key present with the same JSON type; arrays element-wise against the
    first documented element. ``$.hits.total.value: expected number, got string``."""
    out: list[str] = []
    _walk(expected, actual, path, out, limit)
    return out


def _walk(expected: Any, actual: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    et, at = json_type(expected), json_type(actual)
    if expected is None:
        return  # documented as null: any value is fine
    if et != at:
        out.append(f"{path}: expected {et}, got {at}")
        return
    if isinstance(expected, dict):
        for key, sub in expected.items():
            child = f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"
            if key not in actual:
                out.append(f"{child}: missing")
            else:
                _walk(sub, actual[key], child, out, limit)
    elif isinstance(expected, list) and expected:
        for n, item in enumerate(actual):
            _walk(expected[0], item, f"{path}[{n}]", out, limit)
