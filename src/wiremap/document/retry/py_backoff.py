"""The ``backoff`` package: ``@backoff.on_exception(backoff.expo, X, max_tries=5, max_time=30)``.

``max_tries`` counts every call, the first included; ``max_time`` (seconds) bounds them all, pauses
included. ``backoff.expo(base=2, factor=1, max_value=None)`` waits ``factor * base ** (n - 1)`` before retry
``n``; ``backoff.constant(interval=1)`` waits ``interval``. The default ``jitter`` is ``full_jitter`` (a
random pause up to that value); ``jitter=None`` turns it off, ``random_jitter`` adds up to 1 s.
"""

from __future__ import annotations

import ast

from ._ast import Ctx, callee, dotted, kwargs, names
from ._draft import Draft

__all__ = ["CALLS", "read"]

CALLS = frozenset({"on_exception", "on_predicate"})


def read(call: ast.Call, ctx: Ctx) -> Draft | None:
    if not call.args:
        return None
    kw, line = kwargs(call), ctx.line(call)
    d = Draft("backoff", line)
    gen = dotted(call.args[0]).rsplit(".", 1)[-1]

    def sec(key: str, default: float | None) -> float | None:
        v = ctx.num(kw[key]) if key in kw else default
        return None if v is None else v * 1000

    if gen == "expo":
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", sec("factor", 1.0), line)
        d.set("backoff.multiplier", ctx.num(kw["base"]) if "base" in kw else 2.0, line)
        d.set("backoff.max_ms", sec("max_value", None), line)
    elif gen == "constant":
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", sec("interval", 1.0), line)
    elif gen:
        d.set("backoff.kind", "other", line)
    jitter = kw.get("jitter")
    if jitter is None:
        d.set("backoff.jitter", "full", line)
    elif isinstance(jitter, ast.Constant) and jitter.value is None:
        d.set("backoff.jitter", "none", ctx.line(jitter))
    else:
        kind = dotted(jitter).rsplit(".", 1)[-1]
        d.set("backoff.jitter", {"full_jitter": "full", "random_jitter": "additive"}.get(kind, "yes"), line)
    if "max_tries" in kw:
        d.attempts(ctx.num(kw["max_tries"]), ctx.line(kw["max_tries"]))
    if "max_time" in kw and (t := ctx.num(kw["max_time"])) is not None and t >= 0:
        d.set("deadline_ms", t * 1000, ctx.line(kw["max_time"]))
    if callee(call) == "on_exception" and len(call.args) > 1:
        d.add("retry_on_exceptions", names(call.args[1]), ctx.line(call.args[1]))
    return d
