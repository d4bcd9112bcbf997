"""A Retry Strategy written in Python, read with :mod:`ast` (never executed).

Calls are dispatched by name to one module per library (:data:`CALLS`); a dict literal holding a gRPC
``retryPolicy`` goes to the config reader; a ``for ... in range(...)`` retry loop to :mod:`py_loop`. The
first retry found is the policy; a circuit breaker and a per-attempt ``timeout=`` (or ``socket_timeout=``,
seconds) found elsewhere in the block complete it. A block of a client's keyword arguments alone
(``retry=Retry(...),`` and ``socket_timeout=0.25,`` lines of a ``redis.Redis(...)`` call) is read as that
call. For a gRPC policy a call's ``timeout=`` is the deadline
of all attempts together, as gRPC counts it.

What the retry runs again is kept by name (``retried_calls``): the decorated function's name and the
calls in its body, or the calls in a retry loop's body (``for attempt in Retrying(...)`` included), so
that ERR005 can tell a retried ``connect`` from a retried ``publish``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import replace

from . import py_backoff, py_breaker, py_loop, py_redis, py_tenacity, py_urllib3
from ._ast import Ctx, callee, kwargs, literal, parse
from ._draft import MAX_TEXT, Draft
from .config import read_pairs
from .config_text import flatten

__all__ = ["CALLS", "read_python", "read_python_timeouts"]

CallReader = Callable[[ast.Call, Ctx], Draft | None]

# callee name -> readers, tried in order (redis-py's Retry before urllib3's)
CALLS: dict[str, tuple[CallReader, ...]] = {}
for _module in (py_tenacity, py_backoff, py_redis, py_urllib3, py_breaker):
    for _name in sorted(_module.CALLS):
        CALLS[_name] = (*CALLS.get(_name, ()), _module.read)

_TIMEOUT_KEYS = ("timeout", "socket_timeout", "read_timeout")
# the connect only (psycopg, redis-py, aiohttp): they bound opening the connection, not the call
_CONNECT_KEYS = ("connect_timeout", "socket_connect_timeout", "connection_timeout")


def _dicts(ctx: Ctx, text: str) -> list[Draft]:
    out: list[Draft] = []
    for node in ctx.nodes:
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


def _timeout(ctx: Ctx, keys: tuple[str, ...] = _TIMEOUT_KEYS) -> tuple[float, int] | None:
    for call in ctx.calls():
        name = callee(call) or ""
        if name.rsplit(".", 1)[-1] in ("ClientTimeout", "Timeout") and keys is _TIMEOUT_KEYS:
            # aiohttp's ``ClientTimeout(total=1.5)``, httpx's ``Timeout(10.0)``: the whole request
            args = kwargs(call)
            node = args.get("total") or (call.args[0] if call.args else None)
            if node is not None and (n := ctx.num(node)) is not None and n > 0:
                return n * 1000.0, ctx.line(node)
        for key, node in kwargs(call).items():
            if key not in keys:
                continue
            value = literal(node)
            parts = value if isinstance(value, list) else [value]
            if parts and all(isinstance(x, int | float) and not isinstance(x, bool) and x > 0 for x in parts):
                return sum(parts) * 1000.0, ctx.line(node)  # (connect, read): both can run out
            if (n := ctx.num(node)) is not None and n > 0:
                return n * 1000.0, ctx.line(node)
    return None


_NOT_WORK = frozenset(
    {
        "sleep",
        "print",
        "len",
        "range",
        "str",
        "int",
        "float",
        "bool",
        "dict",
        "list",
        "set",
        "tuple",
        "isinstance",
        "enumerate",
        "min",
        "max",
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "format",
    }
)
_MAX_CALLS = 50


def _calls_in(nodes: list[ast.stmt]) -> list[str]:
    out: list[str] = []
    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and (name := callee(node)) and name not in _NOT_WORK:
                out.append(name)
    return list(dict.fromkeys(out))[:_MAX_CALLS]


def _retried_calls(ctx: Ctx, line: int) -> list[str]:
    """What the retry found at doc line ``line`` runs again: a decorated function (its name, then the calls
    in its body) or the body of a retry loop; ``[]`` when neither is found."""
    for node in ctx.nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            ctx.line(dec) <= line <= ctx.first_line + (dec.end_lineno or dec.lineno) - 1
            for dec in node.decorator_list
        ):
            return list(dict.fromkeys([node.name, *_calls_in(node.body)]))[:_MAX_CALLS]
        if isinstance(node, ast.For | ast.AsyncFor | ast.While) and ctx.line(node) == line:
            tries = [t for t in ast.walk(node) if isinstance(t, ast.Try)]
            return _calls_in([s for t in tries for s in t.body] if tries else node.body)
    return []


# a client whose keyword arguments a block may hold alone (cut out of its constructor): the call they
# are read as, and how they are recognised
_FRAGMENTS: tuple[tuple[str, Callable[[dict[str, ast.expr], Ctx], bool]], ...] = (
    ("Redis", py_redis.is_fragment),
)


def _fragment(text: str, first_line: int, ctx: Ctx | None) -> Ctx | None:
    """A block of keyword arguments alone (``retry=Retry(...),`` and ``socket_timeout=0.25,`` lines, as
    cut out of a ``redis.Redis(...)`` call) read as the call they were cut from, when they are recognisably
    that client's: ``None`` for any other block. As Python such lines are assignments (of 1-tuples), or
    not Python at all (``host="h", port=6379,``)."""
    if ctx is not None and not all(
        isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
        for s in ctx.tree.body
    ):
        return None
    wrapped = parse(f"__fragment__(\n{text}\n)", first_line - 1)
    if wrapped is None or not isinstance(body := wrapped.tree.body, list) or len(body) != 1:
        return None
    call = body[0].value if isinstance(body[0], ast.Expr) else None
    if not isinstance(call, ast.Call) or call.args or not call.keywords:
        return None
    kw = kwargs(call)
    for name, recognises in _FRAGMENTS:
        if recognises(kw, wrapped):
            # the call renamed in a copy: the parsed tree is shared (pysyntax's cache) and never changed
            named = ast.copy_location(
                ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[], keywords=call.keywords), call
            )
            nodes = tuple(named if n is call else n for n in wrapped.nodes)
            module = ast.Module(body=[ast.copy_location(ast.Expr(value=named), body[0])], type_ignores=[])
            return replace(wrapped, tree=module, nodes=nodes, _calls=None)
    return None


# a block that is decorators alone (each line a decorator, or the inside of one going on)
_DECORATORS_ONLY = re.compile(r"\A\s*@[\w.]+")


def _context(text: str, first_line: int) -> Ctx | None:
    """The block parsed, a fragment of a client's keyword arguments read as its call."""
    if len(text) > MAX_TEXT:
        return None
    ctx = parse(text, first_line)
    if ctx is None and _DECORATORS_ONLY.match(text):
        # "@retry(stop=…, wait=…)" alone, the function left out: read as decorating one
        ctx = parse(f"{text.rstrip()}\ndef __decorated__(): ...\n", first_line)
    return _fragment(text, first_line, ctx) or ctx


def _pair(ctx: Ctx) -> tuple[float, float, int] | None:
    """``timeout=(3.05, 27)``: requests' connect and read timeouts, in ms, and the line."""
    for call in ctx.calls():
        node = kwargs(call).get("timeout")
        value = literal(node) if node is not None else None
        if (
            isinstance(value, list | tuple)
            and len(value) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) and x > 0 for x in value)
        ):
            assert node is not None
            return value[0] * 1000.0, value[1] * 1000.0, ctx.line(node)
    return None


def _set_timeouts(d: Draft, ctx: Ctx, timeout_key: str = "timeout_ms") -> None:
    if (t := _timeout(ctx)) is not None:
        d.set(timeout_key, t[0], t[1])
    if timeout_key == "timeout_ms" and (pair := _pair(ctx)) is not None:
        d.set("connect_timeout_ms", pair[0], pair[2])
        d.set("read_timeout_ms", pair[1], pair[2])
    if (t := _timeout(ctx, _CONNECT_KEYS)) is not None:
        d.set("connect_timeout_ms", t[0], t[1])


def read_python(text: str, first_line: int) -> Draft | None:
    if (ctx := _context(text, first_line)) is None:
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
    _set_timeouts(policy, ctx, "deadline_ms" if policy.form == "grpc_service_config" else "timeout_ms")
    policy.add("retried_calls", _retried_calls(ctx, policy.line), policy.line)
    return policy


def read_python_timeouts(text: str, first_line: int) -> Draft | None:
    """The timeouts a block's calls pass (``socket_timeout=0.5``, ``connect_timeout=3``) when it holds no
    retry: what its comments say of the retry ("# no retry, we fall back to the database") they complete."""
    if (ctx := _context(text, first_line)) is None:
        return None
    d = Draft("python", first_line)
    _set_timeouts(d, ctx)
    return None if d.empty() else d
