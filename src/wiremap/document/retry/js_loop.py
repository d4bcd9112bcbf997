"""A retry written as a JavaScript/TypeScript loop: ``for (let attempt = 0; attempt < 3; attempt++) { try
{ return await fetch(…) } catch (err) { await sleep(250 * (attempt + 1)) } }``.

The loop is a retry when its body has a ``catch`` and a pause (``await sleep(ms)``, ``await delay(ms)``,
``await wait(ms)``, ``await new Promise(r => setTimeout(r, ms))``). Attempts are the loop's count
(``i < 3`` from 0: 3; ``i <= MAX_RETRIES``: a ``const`` of the block); the pause, in milliseconds, is worked
out for the first attempts from its expression (numbers, the loop variable, ``+ - * / **`` and
``Math.pow``), and classed as :mod:`.py_loop` classes it. A ``catch`` that does not rethrow goes round on
any error: a refused or reset connection and a timeout (an ``AbortSignal``'s). Nothing is executed.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any

from ._code import Code, closing
from ._draft import Draft
from .py_loop import classify

__all__ = ["read_js_loop"]

_FOR = re.compile(
    r"\bfor\s*\(\s*(?:let|var)\s+(\w+)\s*=\s*(\d{1,6}|\w+)\s*;\s*\1\s*(<=?)\s*(\d{1,6}|\w+)\s*;\s*"
    r"(?:\1\s*\+\+|\+\+\s*\1|\1\s*\+=\s*1)\s*\)\s*\{"
)
_CONST = r"\b(?:const|let|var)\s+{name}\s*(?::\s*number\s*)?=\s*(\d{{1,6}})\b"
_PAUSE = re.compile(r"\bawait\s+(?:sleep|delay|wait|pause|setTimeoutPromise)\s*\(|\bsetTimeout\s*\(")
_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _block(text: str, start: int) -> str:
    """The text of the ``{ … }`` block whose ``{`` is at ``start - 1`` (to its matching ``}``)."""
    end = closing(text, start, "{}", 20_000)
    return text[start:end] if end is not None else text[start:]


def _arguments(text: str, start: int) -> list[str]:
    """The top-level arguments of the call whose ``(`` ends at ``start``."""
    args, depth, begin = [], 0, start
    for i in range(start, min(len(text), start + 400)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append(text[begin:i].strip())
                return args
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[begin:i].strip())
            begin = i + 1
    return []


def _pause(body: str) -> tuple[int, str] | None:
    """Where the loop pauses and the milliseconds expression: ``sleep(ms)``, ``setTimeout(r, ms)``."""
    for m in _PAUSE.finditer(body):
        args = _arguments(body, m.end())
        if m.group(0).startswith("setTimeout"):
            if len(args) >= 2:
                return m.start(), args[1]
        elif args and args[0]:
            return m.start(), args[0]
    return None


def _number(text: str, token: str) -> float | None:
    if token.isdigit():
        return float(token)
    m = re.search(_CONST.format(name=re.escape(token)), text)
    return float(m.group(1)) if m else None


def _evaluate(expr: str, var: str, value: float) -> float | None:
    """``250 * (attempt + 1)`` at ``attempt = value``; None for anything else than arithmetic on it."""
    expr = re.sub(r"\bMath\.pow\s*\(([^,()]+),([^,()]+)\)", r"((\1)**(\2))", expr)
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None

    def ev(node: ast.AST) -> float | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == var:
            return value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            a, b = ev(node.left), ev(node.right)
            if a is None or b is None or (isinstance(node.op, ast.Pow) and b > 64):
                return None
            try:
                return float(_OPS[type(node.op)](a, b))
            except (ZeroDivisionError, OverflowError):
                return None
        return None

    return ev(tree)


def read_js_loop(code: Code) -> Draft | None:
    """The first retry loop of the block, read; None when there is none."""
    text = code.text
    for m in _FOR.finditer(text):
        body = _block(text, m.end())
        catch = re.search(r"\bcatch\s*(?:\(\s*\w*\s*\))?\s*\{", body)
        pause = _pause(body)
        if catch is None or pause is None:
            continue
        var, first, op, bound = m.group(1), _number(text, m.group(2)), m.group(3), _number(text, m.group(4))
        if first is None or bound is None:
            continue
        count = bound - first + (1 if op == "<=" else 0)
        if not 1 <= count <= 1000:
            continue
        line = code.line(m.start())
        d = Draft("loop", line)
        d.attempts(count, line)
        caught = _block(body, catch.end())
        if not re.search(r"\bthrow\b", caught) or re.search(r"\bif\s*\([^)]*\)\s*throw\b", caught):
            # a catch that goes round on any error (one that rethrows on a condition goes round on the rest)
            d.add("retry_on_failures", ["timeout", "connection_refused", "connection_lost"], line)
        at, expr = pause
        delays = [_evaluate(expr, var, first + k) for k in range(3)]
        pause_line = code.line(m.end() + at)
        if all(x is not None and x >= 0 for x in delays):
            classify(d, [x / 1000 for x in delays if x is not None], pause_line)
        else:
            d.set("backoff.kind", "other", pause_line)
        return d
    return None
