"""tenacity: ``@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.1, max=2), retry=...)``.

Durations are seconds. ``wait_exponential(multiplier, max, exp_base, min)`` waits ``multiplier *
exp_base ** (n - 1)`` before retry ``n``; ``wait_random_exponential`` draws up to that (full jitter).
Without ``stop`` tenacity retries for ever (``max_attempts`` stays ``null``); without ``wait`` it does
not pause.
"""

from __future__ import annotations

import ast

from ._ast import Ctx, callee, kwargs, names
from ._draft import Draft

__all__ = ["CALLS", "read"]

CALLS = frozenset({"retry", "Retrying", "AsyncRetrying"})
_KEYS = {"stop", "wait", "retry", "reraise", "before_sleep", "after", "retry_error_callback"}
_S = 1000.0


def _args(call: ast.Call, *positional: str) -> dict[str, ast.expr]:
    out = dict(zip(positional, call.args, strict=False))
    out.update(kwargs(call))
    return out


def _stop(node: ast.expr, ctx: Ctx, d: Draft) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr | ast.BitAnd):
        _stop(node.left, ctx, d)
        _stop(node.right, ctx, d)
        return
    if not isinstance(node, ast.Call):
        return
    a, line = _args(node, "n"), ctx.line(node)
    name = callee(node)
    if name == "stop_after_attempt":
        d.attempts(ctx.num(a.get("n") or a.get("max_attempt_number")), line)
    elif name in ("stop_after_delay", "stop_before_delay"):
        s = ctx.num(a.get("n") or a.get("max_delay"))
        d.set("deadline_ms", s * _S if s is not None and s >= 0 else None, line)


def _wait(node: ast.expr, ctx: Ctx, d: Draft) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # wait_fixed(3) + wait_random(0, 2)
        _wait(node.left, ctx, d)
        if isinstance(node.right, ast.Call) and callee(node.right) == "wait_random":
            d.set("backoff.jitter", "additive", ctx.line(node.right))
        else:
            _wait(node.right, ctx, d)
        return
    if not isinstance(node, ast.Call):
        return
    name, line = callee(node), ctx.line(node)

    def sec(key: str, default: float | None = None) -> float | None:
        v = ctx.num(a[key]) if key in a else default
        return None if v is None else v * _S

    if name == "wait_fixed":
        a = _args(node, "wait")
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", sec("wait"), line)
        d.set("backoff.jitter", "none", line)
    elif name in ("wait_exponential", "wait_random_exponential", "wait_full_jitter"):
        a = _args(node, "multiplier", "max", "exp_base", "min")
        first, low = sec("multiplier", 1.0), sec("min", 0.0)
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", max(first, low) if first is not None and low is not None else first, line)
        d.set("backoff.multiplier", ctx.num(a["exp_base"]) if "exp_base" in a else 2.0, line)
        d.set("backoff.max_ms", sec("max"), line)
        d.set("backoff.jitter", "none" if name == "wait_exponential" else "full", line)
    elif name == "wait_exponential_jitter":
        a = _args(node, "initial", "max", "exp_base", "jitter")
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", sec("initial", 1.0), line)
        d.set("backoff.multiplier", ctx.num(a["exp_base"]) if "exp_base" in a else 2.0, line)
        d.set("backoff.max_ms", sec("max"), line)
        d.set("backoff.jitter", "additive", line)
    elif name == "wait_incrementing":
        a = _args(node, "start", "increment", "max")
        d.set("backoff.kind", "linear", line)
        d.set("backoff.initial_ms", sec("start", 0.0), line)
        d.set("backoff.increment_ms", sec("increment", 0.1), line)
        d.set("backoff.max_ms", sec("max"), line)
    elif name == "wait_random":
        a = _args(node, "min", "max")
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", sec("min", 0.0), line)
        d.set("backoff.jitter", "additive", line)
    elif name == "wait_none":
        d.set("backoff.kind", "none", line)
    elif name == "wait_chain":
        d.set("backoff.kind", "other", line)


def _retry_on(node: ast.expr, ctx: Ctx, d: Draft) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        _retry_on(node.left, ctx, d)
        _retry_on(node.right, ctx, d)
    elif isinstance(node, ast.Call) and callee(node) == "retry_if_exception_type":
        d.add("retry_on_exceptions", names(node.args[0]) if node.args else ["Exception"], ctx.line(node))


def read(call: ast.Call, ctx: Ctx) -> Draft | None:
    kw = kwargs(call)
    if callee(call) == "retry" and not (_KEYS & kw.keys()):
        return None
    d = Draft("tenacity", ctx.line(call))
    if "stop" in kw:
        _stop(kw["stop"], ctx, d)
    if "wait" in kw:
        _wait(kw["wait"], ctx, d)
    else:
        d.set("backoff.kind", "none", ctx.line(call))
    if "retry" in kw:
        _retry_on(kw["retry"], ctx, d)
    return d
