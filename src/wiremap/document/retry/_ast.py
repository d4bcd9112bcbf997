"""Small, safe readings of a Python syntax tree: numbers, names, literals. Nothing is executed.

A doc is untrusted input: arithmetic is bounded (no huge powers), literals are read node by node.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..pysyntax import nodes_of, parsed

__all__ = ["Ctx", "callee", "dotted", "kwargs", "literal", "names", "number", "parse"]

_BIG = 1e12


@dataclass(slots=True)
class Ctx:
    """One block's tree, the doc line of its first line, and the numbers its names are bound to."""

    tree: ast.Module
    first_line: int
    env: dict[str, float] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> module it came from
    # every node of the tree, walked once (the readers look at them again and again: lint at parse speed)
    nodes: Sequence[ast.AST] = ()
    _calls: list[ast.Call] | None = None

    def line(self, node: ast.AST) -> int:
        return self.first_line + getattr(node, "lineno", 1) - 1

    def num(self, node: ast.AST | None, **extra: float) -> float | None:
        return number(node, {**self.env, **extra} if extra else self.env)

    def calls(self) -> Iterator[ast.Call]:
        if self._calls is None:
            self._calls = [node for node in self.nodes if isinstance(node, ast.Call)]
        return iter(self._calls)


def parse(text: str, first_line: int) -> Ctx | None:
    """The tree of a block, or ``None`` when it is not Python (or too large to be a snippet)."""
    tree = parsed(text)
    if tree is None or isinstance(tree, SyntaxError) or (nodes := nodes_of(tree)) is None:
        return None
    ctx = Ctx(tree, first_line, nodes=nodes)
    _bind(ctx)
    return ctx


_BINDING_NODES = frozenset({ast.Assign, ast.FunctionDef, ast.AsyncFunctionDef, ast.ImportFrom, ast.Import})


def _bind(ctx: Ctx) -> None:
    """Names bound to numbers: ``PAUSE = 0.5`` and parameter defaults ``attempts=3``."""
    wanted = _BINDING_NODES
    for node in ctx.nodes:
        if type(node) not in wanted:  # one set lookup for the nine nodes in ten that bind nothing
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if (value := number(node.value, ctx.env)) is not None:
                ctx.env.setdefault(node.targets[0].id, value)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            for arg, default in zip(
                positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
            ):
                if (value := number(default, ctx.env)) is not None:
                    ctx.env.setdefault(arg.arg, value)
            for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                if kw_default is not None and (value := number(kw_default, ctx.env)) is not None:
                    ctx.env.setdefault(arg.arg, value)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                ctx.imports[alias.asname or alias.name] = node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                ctx.imports[alias.asname or alias.name.split(".")[0]] = alias.name


def number(node: ast.AST | None, env: dict[str, float]) -> float | None:
    """The value of simple arithmetic on numbers and bound names, or ``None``."""
    try:
        value = _num(node, env, 0)
    except (OverflowError, ZeroDivisionError, ValueError, RecursionError):
        return None
    return value if value is not None and math.isfinite(value) and abs(value) < _BIG else None


def _num(node: ast.AST | None, env: dict[str, float], depth: int) -> float | None:
    if node is None or depth > 30:
        return None
    if isinstance(node, ast.Constant):
        v = node.value
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < _BIG else None
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _num(node.operand, env, depth + 1)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _num(node.left, env, depth + 1), _num(node.right, env, depth + 1)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.FloorDiv):
            return float(a // b)
        if isinstance(node.op, ast.Pow) and abs(b) <= 64 and abs(a) <= 1e6:
            return float(a**b)
        return None
    if isinstance(node, ast.Call) and callee(node) in ("min", "max", "float", "int") and node.args:
        vals = [_num(a, env, depth + 1) for a in node.args[:10]]
        if any(v is None for v in vals):
            return None
        nums = [v for v in vals if v is not None]
        name = callee(node)
        if name == "min":
            return min(nums)
        if name == "max":
            return max(nums)
        return float(int(nums[0])) if name == "int" else nums[0]
    return None


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a name or an attribute chain, else ``""``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def callee(call: ast.Call) -> str:
    """The last part of what is called: ``stop_after_attempt`` for ``tenacity.stop_after_attempt(3)``."""
    return dotted(call.func).rsplit(".", 1)[-1]


def kwargs(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def names(node: ast.AST | None) -> list[str]:
    """Exception (or other) names in ``X``, ``m.X``, ``(X, Y)``, ``[X, Y]``, ``X | Y``, ``"X"``."""
    if node is None:
        return []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [n for e in node.elts[:50] for n in names(e)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return names(node.left) + names(node.right)
    if isinstance(node, ast.Call) and callee(node) in ("frozenset", "set", "tuple", "list") and node.args:
        return names(node.args[0])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    name = dotted(node)
    return [name] if name else []


def literal(node: ast.AST | None, depth: int = 0) -> Any:
    """A literal value read node by node (dicts keep only their literal entries); ``None`` otherwise."""
    if node is None or depth > 40:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str | int | float | bool) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = literal(node.operand, depth + 1)
        return -v if isinstance(v, int | float) and not isinstance(v, bool) else None
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [literal(e, depth + 1) for e in node.elts[:1000]]
    if isinstance(node, ast.Call) and callee(node) in ("frozenset", "set", "tuple", "list") and node.args:
        return literal(node.args[0], depth + 1)
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for k, v in zip(node.keys[:1000], node.values[:1000], strict=False):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                out[k.value] = literal(v, depth + 1)
        return out
    return None
