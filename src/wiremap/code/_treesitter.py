"""Tree-sitter plumbing shared by the JavaScript/TypeScript and Go indexers.

One :class:`tree_sitter.Parser` per grammar, built on first use and cached for the process (a parser
is not thread-safe: the index runs files in worker processes, one file at a time each). The grammars
come from the per-language wheels (``tree-sitter-javascript``, ``tree-sitter-typescript``,
``tree-sitter-go``), which ship compiled grammars and never download anything.

The helpers below know node *shapes* (a string literal is quoted text), not what a language means.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

__all__ = [
    "GRAMMARS",
    "count_lines",
    "end_line",
    "language",
    "line",
    "parse",
    "parser",
    "select",
    "string_value",
    "text",
]


def _javascript() -> object:
    import tree_sitter_javascript

    return tree_sitter_javascript.language()


def _typescript() -> object:
    import tree_sitter_typescript

    return tree_sitter_typescript.language_typescript()


def _tsx() -> object:
    import tree_sitter_typescript

    return tree_sitter_typescript.language_tsx()


def _go() -> object:
    import tree_sitter_go

    return tree_sitter_go.language()


def _java() -> object:
    import tree_sitter_java

    return tree_sitter_java.language()


GRAMMARS: dict[str, Callable[[], object]] = {
    "javascript": _javascript,
    "typescript": _typescript,
    "tsx": _tsx,
    "go": _go,
    "java": _java,
}

# string-ish literal node types whose value is the text between the delimiters
_QUOTED = frozenset({"string", "interpreted_string_literal", "raw_string_literal", "template_string"})
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "`": "`", "/": "/"}


@functools.cache
def language(grammar: str) -> Language:
    """The compiled grammar ``grammar`` (a key of :data:`GRAMMARS`)."""
    return Language(GRAMMARS[grammar]())


@functools.cache
def parser(grammar: str) -> Parser:
    """The cached parser of ``grammar``."""
    return Parser(language(grammar))


@functools.cache
def _selector(grammar: str, patterns: tuple[str, ...]) -> Query:
    lang = language(grammar)
    # a pattern of a node type the grammar lacks (TypeScript-only nodes in JavaScript) is left out
    known = [p for p in patterns if lang.id_for_node_kind(p[1:].split()[0].rstrip(")"), True) is not None]
    return Query(lang, "[\n" + "\n".join(known) + "\n] @node")


def select(grammar: str, patterns: tuple[str, ...], root: Node) -> list[Node]:
    """The nodes under ``root`` matching any of ``patterns`` (``(call_expression)``,
    ``(member_expression object: (member_expression))``), parents before children, in source order.

    The matching runs in tree-sitter's C code: far cheaper than visiting every node from Python.
    """
    cursor = QueryCursor(_selector(grammar, patterns))
    return [captures["node"][0] for _, captures in cursor.matches(root)]


def parse(grammar: str, data: bytes) -> tuple[Tree, bytes]:
    """Parse ``data`` after making it valid UTF-8 (undecodable bytes become U+FFFD); returns the tree and
    the bytes it was parsed from, which node offsets refer to."""
    clean = data.decode("utf-8", errors="replace").encode("utf-8")
    return parser(grammar).parse(clean), clean


def count_lines(data: bytes) -> int:
    """Lines of a file the way an editor counts them (a last line without newline counts)."""
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def text(node: Node | None) -> str:
    """The source text of ``node`` (``""`` for none)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def line(node: Node) -> int:
    """The 1-based line ``node`` starts on."""
    return node.start_point.row + 1


def end_line(node: Node) -> int:
    """The 1-based line ``node`` ends on (a node ending at a line's column 0 ends on the line before)."""
    row, column = node.end_point
    return max(node.start_point.row, row - 1 if column == 0 else row) + 1


def string_value(node: Node | None) -> str | None:
    """The value of a string literal node whose whole text is literal, else ``None``.

    JavaScript ``'…'``/``"…"`` and template strings without ``${…}``, Go ``"…"`` and raw ``\\`…\\```;
    the common backslash escapes are decoded, others are kept as written.
    """
    if node is None or node.type not in _QUOTED:
        return None
    if any(c.type == "template_substitution" for c in node.named_children):
        return None
    raw = text(node)
    if len(raw) < 2 or raw[0] != raw[-1]:
        return None
    inner = raw[1:-1]
    if node.type == "raw_string_literal" or "\\" not in inner:
        return inner
    out: list[str] = []
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "\\" and i + 1 < len(inner):
            nxt = inner[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)
