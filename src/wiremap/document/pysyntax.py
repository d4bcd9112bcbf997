"""A doc's Python code blocks parsed once: the retry reader and the syntax rule (BLK002) share each tree.

Parsing is a large share of linting a doc (lint at parse speed), and the same block is read by both, so
the tree of a text is kept in a small LRU cache. Trees are only ever read, never changed.
"""

from __future__ import annotations

import ast
import warnings
from functools import lru_cache

__all__ = ["MAX_NODES", "Parsed", "nodes_of", "parsed", "syntax_error"]

MAX_NODES = 20_000  # more nodes than a snippet has: its tree is not walked (untrusted input)

# the tree, or the syntax error, or None when the text is too deeply nested to parse at all
Parsed = ast.Module | SyntaxError | None


def parsed(text: str) -> Parsed:
    """The tree of ``text``, or why there is none. Trailing newlines do not count (the retry reader has the
    block's text without its last newline, BLK002 with it: the same tree)."""
    return _parsed(text.rstrip("\n"))


@lru_cache(maxsize=64)
def _parsed(text: str) -> Parsed:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are warnings, not errors
        try:
            return ast.parse(text)
        except SyntaxError as exc:
            return exc
        except ValueError as exc:  # NUL bytes in the source
            return SyntaxError(str(exc))
        except (RecursionError, MemoryError):  # absurdly nested
            return None


@lru_cache(maxsize=64)
def nodes_of(tree: ast.Module) -> tuple[ast.AST, ...] | None:
    """Every node of ``tree``, walked once when a reader first asks (BLK002 needs none: the walk was a fifth
    of linting a block it only syntax-checks); None when there are more than :data:`MAX_NODES`."""
    # ast.walk's order (breadth first, fields in order), without its generators: a third faster
    nodes: list[ast.AST] = [tree]
    at, node_type = 0, ast.AST
    while at < len(nodes):
        node = nodes[at]
        at += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                nodes.extend(x for x in value if isinstance(x, node_type))
            elif isinstance(value, node_type):
                nodes.append(value)
        if len(nodes) > MAX_NODES:
            return None
    return tuple(nodes)


def syntax_error(text: str) -> SyntaxError | None:
    """The syntax error of ``text``, or None when it parses (or is too nested to judge)."""
    result = parsed(text)
    return result if isinstance(result, SyntaxError) else None
