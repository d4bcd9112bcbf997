"""A retry written as a loop: ``for attempt in range(3): try: ... except X: ...; sleep(0.5 * 2 ** attempt)``.

The loop is a retry when it runs a ``try`` whose handlers go round again (a handler that ends in
``return`` or ``raise`` does not), or when it calls something, leaves on success and pauses: ``r =
requests.post(...)``, ``if r.status_code < 500: break`` (or ``if ok: return r``, or ``else: break``), then
``time.sleep(2 ** i)``. A status test on the way out says what is retried (``< 500``: 5xx). Attempts are
the length of the ``range``; the pause is the argument of a ``sleep`` call in the loop, worked out for the
first attempts: the same each time is constant, growing by the same step linear, by the same ratio
exponential. Nothing is executed.
"""

from __future__ import annotations

import ast
from itertools import pairwise

from ._ast import Ctx, callee, names
from ._draft import Draft

__all__ = ["classify", "read_loops"]


def _retrying_handlers(loop: ast.For | ast.AsyncFor) -> list[ast.ExceptHandler]:
    out: list[ast.ExceptHandler] = []
    for node in ast.walk(loop):
        if isinstance(node, ast.Try):
            out.extend(
                h for h in node.handlers if not (h.body and isinstance(h.body[-1], ast.Return | ast.Raise))
            )
    return out


def _own(nodes: list[ast.stmt]) -> list[ast.AST]:
    """The nodes of a loop's body, not those of a loop, function or class inside it (their ``break`` and
    ``return`` are theirs)."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(nodes)
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.For | ast.AsyncFor | ast.While | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.ClassDef | ast.Lambda):
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def _leaves(stmts: list[ast.stmt]) -> bool:
    """The branch ends the loop: a ``break`` or ``return`` in it (not in a loop inside it)."""
    return any(isinstance(n, ast.Break | ast.Return) for n in _own(stmts))


_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.GtE,
    ast.LtE: ast.Gt,
    ast.Gt: ast.LtE,
    ast.GtE: ast.Lt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


def _statuses(test: ast.expr, success: bool) -> list[str]:
    """The HTTP statuses a test on ``….status_code`` (or ``.status``, ``.ok``) sends round again; ``success``:
    the test is the way out (``if r.status_code < 500: break``), else the way round."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _statuses(test.operand, not success)
    if isinstance(test, ast.Attribute) and test.attr == "ok":  # requests: ok is a status below 400
        return ["4xx", "5xx"] if success else []
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Attribute)):
        return []
    if test.left.attr not in ("status_code", "status"):
        return []
    op: type[ast.cmpop] = type(test.ops[0])
    if success:
        if op not in _FLIP:
            return []
        op = _FLIP[op]
    right = test.comparators[0]
    if op is ast.In and isinstance(right, ast.Tuple | ast.List | ast.Set):
        return [str(e.value) for e in right.elts if isinstance(e, ast.Constant) and isinstance(e.value, int)]
    if not (isinstance(right, ast.Constant) and isinstance(right.value, int)):
        return []
    n = right.value
    if op is ast.Eq:
        return [str(n)]
    low = n if op is ast.GtE else n + 1 if op is ast.Gt else None
    if low in (400, 401):
        return ["4xx", "5xx"]
    if low in (500, 501):
        return ["5xx"]
    return []


def _exit_on_success(loop: ast.For | ast.AsyncFor) -> tuple[ast.If, list[str]] | None:
    """The ``if`` that leaves the loop (``if r.ok: break``, ``if …: return r``, ``if …: sleep(…) else:
    break``) and the statuses its test sends round again; None when the body never leaves."""
    for node in _own(loop.body):
        if not isinstance(node, ast.If):
            continue
        if _leaves(node.body):
            return node, _statuses(node.test, success=True)
        if node.orelse and _leaves(node.orelse):
            return node, _statuses(node.test, success=False)
    return None


def _does_work(loop: ast.For | ast.AsyncFor) -> bool:
    return any(isinstance(n, ast.Call) and callee(n) != "sleep" for n in _own(loop.body))


def _range(loop: ast.For | ast.AsyncFor, ctx: Ctx) -> list[float] | None:
    it = loop.iter
    if not (isinstance(it, ast.Call) and callee(it) == "range" and 1 <= len(it.args) <= 3):
        return None
    bounds = [ctx.num(a) for a in it.args]
    if any(b is None or not b.is_integer() for b in bounds):
        return None
    start, stop, step = (
        (0.0, bounds[0], 1.0)
        if len(bounds) == 1
        else (bounds[0], bounds[1], bounds[2] if len(bounds) == 3 else 1.0)
    )
    if start is None or stop is None or step is None:
        return None
    if step <= 0 or (stop - start) / step > 1_000_000:
        return None
    count = max(0, int((stop - start + step - 1) // step))
    return [start + step * k for k in range(3)] + [float(count)]  # the shape needs three pauses


def _sleep(loop: ast.For | ast.AsyncFor) -> ast.Call | None:
    for node in ast.walk(loop):
        if isinstance(node, ast.Call) and callee(node) == "sleep" and node.args:
            return node
    return None


def classify(d: Draft, delays: list[float], line: int) -> None:
    """The backoff the first pauses (seconds) make: constant, linear, exponential, else other."""
    if not delays:
        return
    d.set("backoff.initial_ms", delays[0] * 1000, line)
    if len(delays) == 1 or all(abs(x - delays[0]) < 1e-9 for x in delays):
        d.set("backoff.kind", "constant", line)
        return
    steps = [b - a for a, b in pairwise(delays)]
    if all(abs(s - steps[0]) < 1e-9 for s in steps) and steps[0] > 0:
        d.set("backoff.kind", "linear", line)
        d.set("backoff.increment_ms", steps[0] * 1000, line)
    elif delays[0] > 0 and all(b > 0 for b in delays):
        ratios = [b / a for a, b in pairwise(delays)]
        if all(abs(r - ratios[0]) < 1e-9 for r in ratios) and ratios[0] > 1:
            d.set("backoff.kind", "exponential", line)
            d.set("backoff.multiplier", round(ratios[0], 9), line)
            return
        d.set("backoff.kind", "other", line)
    else:
        d.set("backoff.kind", "other", line)


def _read(loop: ast.For | ast.AsyncFor, ctx: Ctx) -> Draft | None:
    handlers = _retrying_handlers(loop)
    span = _range(loop, ctx)
    sleep = _sleep(loop)
    # a call, a way out on success and a pause: the statuses its test sends round again, beside the
    # exceptions a handler sends round (a `try` around `if r.status_code < 500: break` kept the handler's
    # Timeout alone, and faults called the doc's retried 503 a contradiction: round 31)
    exit_ = None if sleep is None or not _does_work(loop) else _exit_on_success(loop)
    if exit_ is not None and not exit_[1] and handlers:
        exit_ = None  # a way out that names no status: the handlers say what goes round
    if (not handlers and exit_ is None) or span is None:
        return None
    *firsts, count = span
    d = Draft("loop", ctx.line(loop))
    d.attempts(count, ctx.line(loop))
    for h in handlers:
        d.add("retry_on_exceptions", names(h.type) or ["BaseException"], ctx.line(h))
    if exit_ is not None:
        d.add("retry_on_status", exit_[1], ctx.line(exit_[0]))
    if sleep is None:
        d.set("backoff.kind", "none", ctx.line(loop))
        return d
    var = loop.target.id if isinstance(loop.target, ast.Name) else None
    delays = [ctx.num(sleep.args[0], **({var: x} if var else {})) for x in firsts]
    if all(x is not None and x >= 0 for x in delays):
        classify(d, [x for x in delays if x is not None], ctx.line(sleep))
    else:
        d.set("backoff.kind", "other", ctx.line(sleep))
    return d


def read_loops(ctx: Ctx) -> list[Draft]:
    out: list[Draft] = []
    for node in ctx.nodes:
        if isinstance(node, ast.For | ast.AsyncFor) and (d := _read(node, ctx)) is not None:
            out.append(d)
    return out
