"""urllib3 ``Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503], backoff_max=...)``, and requests'
``HTTPAdapter(max_retries=3)``.

The schedule followed is urllib3 2.x (urllib3 is not pinned in requirements/constraints.txt, wiremap does
not depend on it): after ``n`` consecutive errors urllib3 sleeps ``backoff_factor * 2 ** (n - 1)``, except
that the first retry does not sleep at all (``get_backoff_time`` returns 0 while there is at most one error
in the history, in 1.26 as in 2.x); ``backoff_max`` caps it (120 s by default), ``backoff_jitter`` adds up
to that many seconds. ``total`` counts retries, not attempts. Methods not in ``allowed_methods`` (by default
DELETE GET HEAD OPTIONS PUT TRACE) are not retried on a read error or a status.
"""

from __future__ import annotations

import ast

from ._ast import Ctx, callee, kwargs, literal, names
from ._draft import Draft, status_codes

__all__ = ["CALLS", "read"]

CALLS = frozenset({"Retry", "HTTPAdapter"})
_DEFAULT_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]
_KEYS = {"total", "connect", "read", "status", "backoff_factor", "status_forcelist", "allowed_methods"}
# the failure kinds each of urllib3's own counts limits, below ``total``
_LIMITED = {
    "connect": ("connection_refused",),
    "read": ("timeout", "connection_lost"),
    "status": ("http_status",),
}


def _adapter(call: ast.Call, ctx: Ctx) -> Draft | None:
    value = kwargs(call).get("max_retries")
    retries = ctx.num(value) if value is not None else None
    if retries is None:
        return None
    d = Draft("urllib3", ctx.line(call))
    d.retries(retries, ctx.line(value or call))
    d.set("backoff.kind", "none", ctx.line(call))
    return d


def read(call: ast.Call, ctx: Ctx) -> Draft | None:
    if callee(call) == "HTTPAdapter":
        return _adapter(call, ctx)
    kw = kwargs(call)
    if not (_KEYS & kw.keys()) and not (call.args and ctx.num(call.args[0]) is not None):
        return None  # redis-py's Retry(backoff, retries), or something else called Retry
    d = Draft("urllib3", ctx.line(call))
    total = kw.get("total", call.args[0] if call.args else None)
    if total is not None:
        d.retries(ctx.num(total), ctx.line(total))
        most = ctx.num(total)
        limits: dict[str, int] = {}
        for key, kinds in _LIMITED.items():
            if key in kw and (n := ctx.num(kw[key])) is not None and most is not None and 0 <= n < most:
                limits.update(dict.fromkeys(kinds, int(n)))
        if limits:
            d.set("retry_limits", limits, ctx.line(call))
    else:
        counts = [c for k in ("connect", "read", "status") if k in kw and (c := ctx.num(kw[k])) is not None]
        d.retries(max(counts) if counts else 10.0, ctx.line(call))
    factor = ctx.num(kw["backoff_factor"]) if "backoff_factor" in kw else 0.0
    line = ctx.line(kw.get("backoff_factor", call))
    if factor:
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", factor * 1000, line)
        d.set("backoff.multiplier", 2.0, line)
        d.set("backoff.first_retry_immediate", True, line)
        cap = ctx.num(kw["backoff_max"]) if "backoff_max" in kw else 120.0
        d.set("backoff.max_ms", None if cap is None else cap * 1000, ctx.line(kw.get("backoff_max", call)))
        jitter = ctx.num(kw["backoff_jitter"]) if "backoff_jitter" in kw else 0.0
        d.set("backoff.jitter", "additive" if jitter else "none", line)
    elif factor == 0.0:
        d.set("backoff.kind", "none", line)
    if "status_forcelist" in kw:
        d.add(
            "retry_on_status", status_codes(literal(kw["status_forcelist"])), ctx.line(kw["status_forcelist"])
        )
    methods = kw.get("allowed_methods", kw.get("method_whitelist"))
    if isinstance(methods, ast.Constant) and methods.value in (None, False):
        d.add("retry_on_methods", ["*"], ctx.line(methods))  # None: every method is retried
    elif methods is not None:
        d.add("retry_on_methods", [m.upper() for m in names(methods)], ctx.line(methods))
    else:
        d.add("retry_on_methods", list(_DEFAULT_METHODS), ctx.line(call))
    return d
