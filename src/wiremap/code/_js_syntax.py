"""JavaScript/TypeScript syntax helpers of the indexer: node shapes, and what a name can be bound to.

Nothing here resolves a name; :mod:`._js_names` does, with these.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ._treesitter import string_value, text

__all__ = [
    "DECLARED",
    "INTEROP",
    "PASSTHROUGH",
    "WRAPPERS",
    "Bound",
    "Declared",
    "EnvVar",
    "Prop",
    "Sym",
    "Typed",
    "call_args",
    "env_default",
    "is_env_object",
    "literal",
    "pattern_names",
    "property_node",
    "unwrap",
]

_ENV_OBJECTS = frozenset({b"process.env", b"import.meta.env"})
WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "await_expression",
        "non_null_expression",
        "as_expression",
        "satisfies_expression",
        "type_assertion",
    }
)
INTEROP = frozenset({"__importDefault", "__importStar", "_interopRequireDefault", "_interopRequireWildcard"})
PASSTHROUGH = frozenset({"String", "URL", "encodeURI", "Number", "parseInt"})


@dataclass(frozen=True, slots=True)
class Sym:
    """A name bound to a module or one of its members: ``pg.Pool``."""

    name: str


@dataclass(frozen=True, slots=True)
class EnvVar:
    """A name bound by ``const { NAME = "default" } = process.env``."""

    name: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Prop:
    """A name bound by destructuring ``base``: ``const { Pool } = pg``."""

    base: Node
    key: str


@dataclass(frozen=True, slots=True)
class Typed:
    """A parameter declared with a type and no default: ``constructor(private http: HttpClient)``."""

    type: Node


class Declared:
    """``let x;``: declared, value unknown until assigned."""


DECLARED = Declared()
Bound = Node | Sym | EnvVar | Prop | Typed | Declared | None  # None: bound to something we cannot know


def is_env_object(node: Node | None) -> bool:
    """``process.env`` or ``import.meta.env`` (sizes checked first: no text copy for other members)."""
    return (
        node is not None
        and node.type == "member_expression"
        and node.end_byte - node.start_byte in (11, 15)
        and node.text in _ENV_OBJECTS
    )


def unwrap(node: Node) -> Node:
    while node.type in WRAPPERS and node.named_child_count:
        node = node.named_children[0]
    return node


def literal(node: Node | None) -> str | None:
    """A string, a template string without substitutions, or a number, as written."""
    if node is None:
        return None
    node = unwrap(node)
    if node.type == "number":
        return text(node)
    return string_value(node)


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a for a in args.named_children if a.type != "comment"]


def pattern_names(pattern: Node) -> list[str]:
    """The identifiers a parameter or destructuring pattern binds."""
    out: list[str] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        t = node.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(text(node))
        elif t in ("assignment_pattern", "object_assignment_pattern"):
            left = node.child_by_field_name("left")
            if left is not None:
                stack.append(left)
        elif t == "pair_pattern":
            value = node.child_by_field_name("value")
            if value is not None:
                stack.append(value)
        elif t in ("required_parameter", "optional_parameter"):
            inner = node.child_by_field_name("pattern")
            if inner is not None:
                stack.append(inner)
        elif t in ("formal_parameters", "object_pattern", "array_pattern", "rest_pattern"):
            stack.extend(reversed(node.named_children))
    return out


def env_default(node: Node) -> str | None:
    """``process.env.X || "lit"`` / ``?? "lit"`` → ``lit``."""
    parent = node.parent
    while parent is not None and parent.type in WRAPPERS:
        node, parent = parent, parent.parent
    if parent is None or parent.type != "binary_expression":
        return None
    left = parent.child_by_field_name("left")
    if left is None or left.start_byte != node.start_byte or left.end_byte != node.end_byte:
        return None
    if text(parent.child_by_field_name("operator")) not in ("||", "??"):
        return None
    return literal(parent.child_by_field_name("right"))


def property_node(obj: Node, key: str) -> Node | None:
    """The value node of ``key`` in an object literal (the identifier itself for ``{ key }``)."""
    for prop in obj.named_children:
        if prop.type == "shorthand_property_identifier" and text(prop) == key:
            return prop
        if prop.type == "pair":
            key_node = prop.child_by_field_name("key")
            if (string_value(key_node) or text(key_node)) == key:
                return prop.child_by_field_name("value")
    return None
