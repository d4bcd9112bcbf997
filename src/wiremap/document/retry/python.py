"""A Retry Strategy written in Python, read with :mod:`ast` (never executed).

Calls are dispatched by name to one module per library (:data:`CALLS`); a dict literal holding a gRPC
``retryPolicy`` goes to the config reader; a ``for ... in range(...)`` retry loop to :mod:`py_loop`. The
first retry found is the policy; a circuit breaker and a per-attempt ``timeout=`` (or ``socket_timeout=``,
seconds) found elsewhere in the block complete it. For a gRPC policy a call's ``timeout=`` is the deadline
of all attempts together, as gRPC counts it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from . import py_backoff, py_breaker, py_loop, py_redis, py_tenacity, py_urllib3
from ._ast import Ctx, callee, kwargs, literal, parse
from ._draft import MAX_TEXT, Draft
from .config import read_pairs
from .config_text import flatten

__all__ = ["CALLS", "read_python"]

CallReader = Callable[[ast.Call, Ctx], Draft | None]

# callee name -> readers, tried in order (redis-py's Retry before urllib3's)
CALLS: dict[str, tuple[CallReader, ...]] = {}
for _module in (py_tenacity, py_backoff, py_redis, py_urllib3, py_breaker):
    for _name in sorted(_module.CALLS):
        CALLS[_name] = (*CALLS.get(_name, ()), _module.read)

_TIMEOUT_KEYS = ("timeout", "socket_timeout", "read_timeout")


def _dicts(ctx: Ctx, text: str) -> list[Draft]:
    out: list[Draft] = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value in ("retryPolicy", "methodConfig") for k in node.keys
        ):
            value = literal(node)
            block = "\n".join(text.split("\n")[node.lineno - 1 : (node.end_lineno or node.lineno)])
            if isinstance(value, dict) and (
                d := read_pairs(flatten(value, block, ctx.line(node)), ctx.line(node))
            ):
                out.append(d)
    return out


def _timeout(ctx: Ctx) -> tuple[float, int] | None:
    for call in ctx.calls():
        for key, node in kwargs(call).items():
            if key not in _TIMEOUT_KEYS:
                continue
            value = literal(node)
            parts = value if isinstance(value, list) else [value]
            if parts and all(isinstance(x, int | float) and not isinstance(x, bool) and x > 0 for x in parts):
                return sum(parts) * 1000.0, ctx.line(node)  # (connect, read): both can run out
            if (n := ctx.num(node)) is not None and n > 0:
                return n * 1000.0, ctx.line(node)
    return None


def read_python(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    ctx = parse(text, first_line)
    if ctx is None:
        return None
    found: list[Draft] = []
    for call in ctx.calls():
        for reader in CALLS.get(callee(call), ()):
            if (d := reader(call, ctx)) is not None:
                found.append(d)
                break
    found += _dicts(ctx, text) + py_loop.read_loops(ctx)
    if not found:
        return None
    found.sort(key=lambda d: (d.form in ("pybreaker", "circuitbreaker"), d.line))
    policy = found[0]
    for other in found[1:]:
        for key, value in other.values.items():
            if key.startswith("breaker."):
                policy.set(key, value, other.lines[key])
    if (t := _timeout(ctx)) is not None:
        policy.set("deadline_ms" if policy.form == "grpc_service_config" else "timeout_ms", t[0], t[1])
    return policy
