"""redis-py: ``Redis(socket_timeout=0.5, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
retry_on_error=(...))``.

``retries`` counts retries (``-1``: for ever). Only the errors in ``supported_errors`` are retried: by
default ``ConnectionError`` and ``TimeoutError`` (an invalid reply or an error answer is not), and those
``retry_on_error=`` adds (``retry_on_timeout=True`` adds ``TimeoutError``); ``retry_on_exceptions`` lists
them, so that what the Retry does not cover is known not retried.
Before retry ``n`` redis-py sleeps ``backoff.compute(n)``:
``ExponentialBackoff`` gives ``min(cap, base * 2 ** n)``, so the first pause is ``2 * base``;
``ConstantBackoff(b)`` gives ``b``. Defaults: ``cap=0.512``, ``base=0.008`` seconds.
"""

from __future__ import annotations

import ast

from ._ast import Ctx, callee, kwargs, names
from ._draft import Draft

__all__ = ["CALLS", "is_fragment", "read"]

CALLS = frozenset({"Retry", "Redis", "StrictRedis", "RedisCluster", "from_url"})
# keyword arguments only a redis-py client takes: a block of them alone is its configuration
_CLIENT_KEYS = frozenset(
    {
        "socket_timeout",
        "socket_connect_timeout",
        "socket_keepalive",
        "retry_on_timeout",
        "retry_on_error",
        "health_check_interval",
        "decode_responses",
        "single_connection_client",
    }
)
_DEFAULT_ERRORS = ("ConnectionError", "TimeoutError")
_JITTER = {
    "FullJitterBackoff": "full",
    "ExponentialWithJitterBackoff": "full",
    "EqualJitterBackoff": "equal",
    "DecorrelatedJitterBackoff": "decorrelated",
}


def _backoff(node: ast.expr, ctx: Ctx, d: Draft) -> None:
    if not isinstance(node, ast.Call):
        return
    name, line, kw = callee(node), ctx.line(node), kwargs(node)
    args = dict(zip(("cap", "base"), node.args, strict=False)) | kw
    if name == "NoBackoff":
        d.set("backoff.kind", "none", line)
    elif name == "ConstantBackoff":
        value = ctx.num(node.args[0] if node.args else kw.get("backoff"))
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", None if value is None else value * 1000, line)
    elif name == "ExponentialBackoff" or name in _JITTER:
        cap = ctx.num(args["cap"]) if "cap" in args else 0.512
        base = ctx.num(args["base"]) if "base" in args else 0.008
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", None if base is None else 2 * base * 1000, line)
        d.set("backoff.multiplier", 2.0, line)
        d.set("backoff.max_ms", None if cap is None else cap * 1000, line)
        d.set("backoff.jitter", _JITTER.get(name, "none"), line)


def _is_redis_retry(call: ast.Call, ctx: Ctx) -> bool:
    first = call.args[0] if call.args else kwargs(call).get("backoff")
    from_redis = ctx.imports.get("Retry", "").startswith("redis")
    return from_redis or (isinstance(first, ast.Call) and callee(first).endswith("Backoff"))


def _retry(call: ast.Call, ctx: Ctx, d: Draft) -> None:
    kw = kwargs(call)
    args = dict(zip(("backoff", "retries", "supported_errors"), call.args, strict=False)) | kw
    if "backoff" in args:
        _backoff(args["backoff"], ctx, d)
    if "retries" in args:
        retries = ctx.num(args["retries"])
        if retries is not None and retries >= 0:
            d.retries(retries, ctx.line(args["retries"]))
    if "supported_errors" in args:
        d.add("retry_on_exceptions", names(args["supported_errors"]), ctx.line(args["supported_errors"]))


def _defaults(call: ast.Call, ctx: Ctx, d: Draft) -> None:
    """redis-py's default ``supported_errors`` when the Retry names none, each once by its short name."""
    if "supported_errors" in kwargs(call) or len(call.args) > 2:
        return
    have = {n.rsplit(".", 1)[-1] for n in d.values.get("retry_on_exceptions", [])}
    d.add("retry_on_exceptions", [e for e in _DEFAULT_ERRORS if e not in have], ctx.line(call))


def is_fragment(kw: dict[str, ast.expr], ctx: Ctx) -> bool:
    """Keyword arguments cut out of a ``Redis(...)`` call (``retry=Retry(ExponentialBackoff(...), 2),`` and
    ``socket_timeout=0.25,`` lines): a key only redis-py's client takes, or ``retry=`` a redis-py Retry."""
    retry = kw.get("retry")
    redis_retry = isinstance(retry, ast.Call) and callee(retry) == "Retry" and _is_redis_retry(retry, ctx)
    return redis_retry or bool(_CLIENT_KEYS & kw.keys())


def read(call: ast.Call, ctx: Ctx) -> Draft | None:
    name, kw = callee(call), kwargs(call)
    if name == "Retry":
        if not _is_redis_retry(call, ctx):
            return None
        d = Draft("redis", ctx.line(call))
        _retry(call, ctx, d)
        _defaults(call, ctx, d)
        return d
    retry = kw.get("retry")
    if not (isinstance(retry, ast.Call) and callee(retry) == "Retry" and _is_redis_retry(retry, ctx)):
        return None
    d = Draft("redis", ctx.line(retry))
    _retry(retry, ctx, d)
    if "socket_timeout" in kw and (t := ctx.num(kw["socket_timeout"])) is not None:
        d.set("timeout_ms", t * 1000, ctx.line(kw["socket_timeout"]))
    if "retry_on_error" in kw:
        d.add("retry_on_exceptions", names(kw["retry_on_error"]), ctx.line(kw["retry_on_error"]))
    if isinstance(on_timeout := kw.get("retry_on_timeout"), ast.Constant) and on_timeout.value is True:
        d.add("retry_on_exceptions", ["TimeoutError"], ctx.line(on_timeout))
    _defaults(retry, ctx, d)
    return d
