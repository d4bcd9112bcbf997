"""Circuit breakers in Python: ``pybreaker.CircuitBreaker(fail_max=5, reset_timeout=60)`` and the
``circuitbreaker`` package's ``@circuit(failure_threshold=5, recovery_timeout=30)`` (seconds)."""

from __future__ import annotations

import ast

from ._ast import Ctx, callee, kwargs
from ._draft import Draft

__all__ = ["CALLS", "read"]

CALLS = frozenset({"CircuitBreaker", "circuit", "AsyncCircuitBreaker"})
_THRESHOLD = ("fail_max", "failure_threshold")
_COOL_DOWN = ("reset_timeout", "recovery_timeout")


def read(call: ast.Call, ctx: Ctx) -> Draft | None:
    kw = kwargs(call)
    if not any(k in kw for k in (*_THRESHOLD, *_COOL_DOWN)):
        return None
    d = Draft((callee(call) == "circuit" and "circuitbreaker") or "pybreaker", ctx.line(call))
    for key in _THRESHOLD:
        if key in kw and (n := ctx.num(kw[key])) is not None and n >= 0 and n.is_integer():
            d.set("breaker.failure_threshold", int(n), ctx.line(kw[key]))
    for key in _COOL_DOWN:
        if key in kw and (s := ctx.num(kw[key])) is not None and s >= 0:
            d.set("breaker.cool_down_ms", s * 1000, ctx.line(kw[key]))
    return d
