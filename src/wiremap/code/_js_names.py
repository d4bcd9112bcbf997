"""How the JavaScript/TypeScript indexer resolves names and values, shared by its two passes.

:class:`Names` holds what the first pass learnt (each scope's bindings) and answers two questions
about an expression: which client API it *is* (:meth:`Names.symbol`: ``api.get`` → ``axios.Axios.get``)
and what it *evaluates to* (:meth:`Names.value`: a literal, an env var and its default).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ._js_syntax import (
    DECLARED,
    INTEROP,
    PASSTHROUGH,
    Bound,
    EnvVar,
    Prop,
    Sym,
    Typed,
    call_args,
    is_env_object,
    literal,
    property_node,
    unwrap,
)
from ._symbols import MAX_BINDINGS, Api, Bindings, Value, agreed
from ._treesitter import string_value, text
from .clients_js import GLOBALS, TARGET_KEYS, canonical_module, find_api

__all__ = ["Names"]

_SAME = frozenset({"split", "trim", "trimEnd", "trimStart", "toString", "toLowerCase"})
_MAX_DEPTH = 8


# the names a project gives its environment/config module's object, read as ``env.DATABASE_URL``
_CONFIG_OBJECTS = frozenset({"env", "ENV", "config", "CONFIG", "cfg", "settings", "conf", "environment"})
_ENV_KEY = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


class Names:
    """Bindings per scope, and what expressions resolve and evaluate to through them."""

    def __init__(self) -> None:
        self.bindings: Bindings[tuple[Bound, str]] = Bindings()
        self.kinds: dict[str, str] = {}  # qualname -> "class" | "function" | "method"
        self.env_helpers: dict[str, bool] = {}  # function name -> whether it takes a default
        self.bound_requires: set[int] = set()  # start bytes of require() calls a declaration binds
        # (scope, name) -> what the name resolves to; filled in the second pass, once bindings are complete
        self.symbols: dict[tuple[str, str], str | None] = {}
        # names the file gives ``process.env``: ``import { env } from "node:process"``, ``const { env } =
        # process``, ``const env = process.env`` (its reads were "never read": round 63)
        self.env_aliases: set[str] = set()

    def is_env(self, node: Node | None) -> bool:
        """``process.env``, ``import.meta.env``, or a name the file gave one of them."""
        return is_env_object(node) or (
            node is not None and node.type == "identifier" and text(node) in self.env_aliases
        )

    def require_spec(self, value: Node | None, bound: bool = False) -> str | None:
        """``require('pg')`` (possibly in an interop wrapper) → ``pg``; ``bound``: a declaration binds it
        (and records the import), so the second pass does not record it again."""
        if value is None:
            return None
        value = unwrap(value)
        if value.type != "call_expression":
            return None
        fn = value.child_by_field_name("function")
        args = call_args(value)
        if fn is None or fn.type != "identifier" or not args:
            return None
        if text(fn) in INTEROP:
            return self.require_spec(args[0], bound)
        if text(fn) != "require":
            return None
        spec = string_value(args[0])
        if spec is not None and bound:
            self.bound_requires.add(value.start_byte)
        return spec

    def env_helper_call(self, node: Node, scope: str) -> Value | None:
        """``env("NAME", "default")`` where the file defines ``function env(name, fallback)`` reading
        ``process.env[name]``."""
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "identifier" or node.type != "call_expression":
            return None
        name = text(fn)
        if name not in self.env_helpers or self.bindings.declared_in(scope, name) != "":
            return None
        args = call_args(node)
        env = literal(args[0]) if args else None
        if env is None:
            return None
        default = literal(args[1]) if self.env_helpers[name] and len(args) > 1 else None
        return Value(env=env, default=default)

    def grpc_credentials(self, args: list[Node], scope: str) -> bool:
        """``new pkg.Service(addr, grpc.credentials.createInsecure())``: a generated gRPC client."""
        for arg in args[1:]:
            node: Node | None = unwrap(arg)
            if node is not None and node.type == "identifier":
                node = self.single_node(scope, text(node))
            if node is None or node.type != "call_expression":
                continue
            symbol = self.symbol(node.child_by_field_name("function"), scope) or ""
            if symbol.startswith(("@grpc/grpc-js.credentials.", "grpc.credentials.")):
                return True
        return False

    # -- resolution -----------------------------------------------------------------------------------------

    def entries(self, scope: str, name: str) -> list[tuple[Bound, str]] | None:
        """What ``name`` is bound to (with the scope to read each in) in the nearest scope binding it;
        None when nothing binds it (a global)."""
        found = self.bindings.lookup(scope, name)
        if found is None:
            return None
        entries = [e for e in found[0] if e[0] is not DECLARED]
        return entries if len(entries) <= MAX_BINDINGS else [(None, "")]

    def binding(self, scope: str, name: str) -> tuple[bool, Bound, str]:
        """(whether ``name`` is bound at all, its single binding or None, the scope to read it in)."""
        entries = self.entries(scope, name)
        if entries is None:
            return False, None, ""
        if len(entries) != 1:
            return True, None, ""
        return True, entries[0][0], entries[0][1]

    def single_node(self, scope: str, name: str) -> Node | None:
        _, bound, _ = self.binding(scope, name)
        return unwrap(bound) if isinstance(bound, Node) else None

    def symbol(self, node: Node | None, scope: str, depth: int = 0) -> str | None:
        """The dotted name an expression resolves to: ``pg.Pool``, ``axios.Axios`` (an instance)."""
        if node is None or depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        t = node.type
        if t in ("identifier", "type_identifier"):
            key = (scope, text(node))
            if key not in self.symbols:
                self.symbols[key] = self.name_symbol(scope, key[1], depth)
            return self.symbols[key]
        if t == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is None or prop is None or prop.type != "property_identifier":
                return None
            name = text(prop)
            if obj.type == "this":
                return self.name_symbol(scope, f"this.{name}", depth)
            base = self.symbol(obj, scope, depth + 1)
            if base is None:
                return None
            if name == "default" and base:  # compiled ES module interop: require('x').default
                return base
            return f"{base}.{name}" if base else name
        if t == "nested_type_identifier":  # ns.Type
            base = self.symbol(node.child_by_field_name("module"), scope, depth + 1)
            return f"{base}.{text(node.child_by_field_name('name'))}" if base else None
        if t == "generic_type":  # Repository<User>
            return self.symbol(node.child_by_field_name("name"), scope, depth + 1)
        if t in ("call_expression", "new_expression"):
            fn = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            if fn is not None and fn.type == "identifier" and text(fn) in ("require", *INTEROP):
                spec = self.require_spec(node)
                return canonical_module(spec) if spec is not None else None
            api = find_api(self.symbol(fn, scope, depth + 1))
            return api.returns if api is not None else None
        return None

    def name_symbol(self, scope: str, name: str, depth: int) -> str | None:
        entries = self.entries(scope, name)
        if entries is None:
            return GLOBALS.get(name)
        return agreed(self.bound_symbol(bound, where, depth) for bound, where in entries)

    def bound_symbol(self, bound: Bound, where: str, depth: int) -> str | None:
        if isinstance(bound, Sym):
            return bound.name
        if isinstance(bound, Node):
            return self.symbol(bound, where, depth + 1)
        if isinstance(bound, Typed):
            return self.symbol(bound.type, where, depth + 1)
        if isinstance(bound, Prop):
            base = self.symbol(bound.base, where, depth + 1)
            return f"{base}.{bound.key}" if base else None
        return None

    def target(self, api: Api, args: list[Node], scope: str) -> Value:
        if api.target_arg is None or api.target_arg >= len(args):
            return Value()
        arg = args[api.target_arg]
        found = self.object_literal(arg, scope)
        if found is None:
            return self.value(arg, scope)
        obj, where = found
        for key in api.target_keys or TARGET_KEYS:
            v = self.key_value(obj, key, where)
            if v:
                return self.with_port(v, obj, where) if key in ("host", "hostname") else v
        return Value()

    def with_port(self, host: Value, obj: Node, scope: str) -> Value:
        """``{ host: "127.0.0.1", port: 24825 }``: the host at its port (nodemailer's, pg's, ioredis's; the
        port was dropped, and a doc's wrong one went unseen: round 63)."""
        port = self.key_value(obj, "port", scope)
        number = port.target
        if host.target is None or number is None or not number.isdigit() or ":" in host.target:
            return host
        if host.literal is not None:
            return Value(literal=f"{host.literal}:{number}", env=host.env or port.env, default=host.default)
        return Value(env=host.env, default=f"{host.default}:{number}")

    def object_literal(self, node: Node | None, scope: str, depth: int = 0) -> tuple[Node, str] | None:
        """The object literal an expression is (directly, through a binding or as a property of another
        object literal: ``config.redis``) and the scope its values are read in."""
        if node is None or depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        if node.type == "object":
            return node, scope
        if node.type in ("identifier", "shorthand_property_identifier"):
            _, bound, where = self.binding(scope, text(node))
            if isinstance(bound, Node):
                return self.object_literal(bound, where, depth + 1)
        elif node.type == "member_expression":
            outer = self.object_literal(node.child_by_field_name("object"), scope, depth + 1)
            if outer is not None:
                inner = property_node(outer[0], text(node.child_by_field_name("property")))
                return self.object_literal(inner, outer[1], depth + 1)
        return None

    def key_value(self, obj: Node, key: str, scope: str, depth: int = 0) -> Value:
        """The value of ``key`` (``a.b``: of ``b`` in the object at ``a``) in an object literal."""
        node = property_node(obj, key)
        if node is not None:
            return self.value(node, scope, depth + 1)
        head, _, rest = key.partition(".")
        if rest:
            inner = self.object_literal(property_node(obj, head), scope, depth + 1)
            if inner is not None:
                return self.key_value(inner[0], rest, inner[1], depth + 1)
        return Value()

    def value_of_name(self, scope: str, name: str, depth: int) -> Value:
        entries = self.entries(scope, name) or []
        return agreed(self.bound_value(bound, where, depth) for bound, where in entries) or Value()

    def bound_value(self, bound: Bound, where: str, depth: int) -> Value:
        if isinstance(bound, Node):
            return self.value(bound, where, depth + 1)
        if isinstance(bound, EnvVar):
            return Value(env=bound.name, default=bound.default)
        if isinstance(bound, Prop):
            found = self.object_literal(bound.base, where, depth + 1)
            if found is not None:
                return self.key_value(found[0], bound.key, found[1], depth + 1)
        return Value()

    def value(self, node: Node | None, scope: str, depth: int = 0) -> Value:
        """What an expression evaluates to: a literal, an env var (and its default), or nothing known."""
        if node is None or depth > _MAX_DEPTH:
            return Value()
        node = unwrap(node)
        t = node.type
        if t in ("string", "number"):
            return Value(literal=literal(node))
        if t == "template_string":
            whole = string_value(node)
            if whole is not None:
                return Value(literal=whole)
            for sub in node.named_children:
                if sub.type == "template_substitution" and sub.named_children:
                    v = self.value(sub.named_children[0], scope, depth + 1)
                    if v.env:  # `${SEARCH_URL}/v1/search`: the variable and its default (the peer when unset)
                        return Value(env=v.env, default=v.default)
            written = text(node)[1:-1]
            if written.startswith("/") and not written.startswith("//"):
                # `/invoices/${id}`: a path on the client's base URL, as written (it joins that client)
                return Value(literal=written)
            return Value()
        if t in ("identifier", "shorthand_property_identifier"):
            return self.value_of_name(scope, text(node), depth)
        if t == "member_expression":
            return self.member_value(node, scope, depth)
        if t == "subscript_expression":
            if self.is_env(node.child_by_field_name("object")):
                return Value(env=self.value(node.child_by_field_name("index"), scope, depth + 1).literal)
            return Value()
        if t == "binary_expression":
            return self.binary_value(node, scope, depth)
        if t == "array":
            return self.value(node.named_children[0], scope, depth + 1) if node.named_children else Value()
        if t in ("call_expression", "new_expression"):
            helper = self.env_helper_call(node, scope)
            if helper is not None:
                return helper
            fn = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            args = call_args(node)
            if fn is not None and fn.type == "identifier" and text(fn) in PASSTHROUGH and args:
                # new URL(path, base): the base names the peer
                arg = args[1] if text(fn) == "URL" and len(args) > 1 else args[0]
                return self.value(arg, scope, depth + 1)
            if (
                fn is not None
                and fn.type == "member_expression"
                and text(fn.child_by_field_name("property")) in _SAME
            ):
                # ``(process.env.KAFKA_BROKERS ?? "localhost:9092").split(",")``: the list's first is the peer
                return self.value(fn.child_by_field_name("object"), scope, depth + 1)
        return Value()

    def member_value(self, node: Node, scope: str, depth: int) -> Value:
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is None or prop is None:
            return Value()
        name = text(prop)
        if self.is_env(obj):
            return Value(env=name)
        if obj.type == "this":
            return self.value_of_name(scope, f"this.{name}", depth)
        found = self.object_literal(obj, scope, depth + 1)
        if (
            found is None
            and obj.type == "identifier"
            and text(obj) in _CONFIG_OBJECTS
            and _ENV_KEY.match(name)
        ):
            # ``env.DATABASE_URL`` of a config module (zod, envalid, t3-env keep the variables' names as
            # keys): that variable, its default read at link time (it was no env and no target: round 55)
            return Value(env=name)
        if found is None:
            # ``config.billingUrl`` (``config.payments.baseUrl``) of ``import { config } from "./config"``:
            # read at link time from what that module's object holds (link.py; the base URL was unknown:
            # rounds 62, 63)
            path, root = [name], obj
            while root.type == "member_expression" and len(path) < 3:
                path.insert(0, text(root.child_by_field_name("property")))
                root = root.child_by_field_name("object")  # type: ignore[assignment]
            if root is not None and root.type == "identifier" and (origin := self.imported_from(text(root))):
                return Value(literal=f"{{?js:{origin[0]}|{origin[1]}.{'.'.join(path)}}}")
        return self.key_value(found[0], name, found[1], depth + 1) if found is not None else Value()

    def imported_from(self, name: str) -> tuple[str, str] | None:
        """``(module, exported name)`` when ``name`` is imported from one of the project's own modules
        (a relative specifier); the indexer knows its imports."""
        return None

    def module_values(self) -> tuple[tuple[str, str], ...]:
        """What the module's top-level constants hold, for its importers (see link.py): ``=name.key`` a
        value (a URL, a host), ``$name.key`` the env var it is read from; objects two levels deep."""
        out: dict[str, str] = {}
        for (scope, name), entries in self.bindings.items():
            if scope or len(entries) != 1 or not isinstance(entries[0][0], Node):
                continue
            self._record(out, name, entries[0][0], 0)
        return tuple(sorted(out.items()))

    def _record(self, out: dict[str, str], name: str, node: Node, depth: int) -> None:
        node = unwrap(node)
        if node.type == "object":
            if depth < 2:
                for prop in node.named_children:
                    key = prop.child_by_field_name("key") if prop.type == "pair" else None
                    value = prop.child_by_field_name("value") if prop.type == "pair" else None
                    if key is not None and value is not None:
                        self._record(out, f"{name}.{string_value(key) or text(key)}", value, depth + 1)
            return
        v = self.value(node, "")
        if v.target and len(v.target) < 300 and "{?js:" not in v.target:
            out[f"={name}"] = v.target
        if v.env:
            out[f"${name}"] = v.env

    def binary_value(self, node: Node, scope: str, depth: int) -> Value:
        op = text(node.child_by_field_name("operator"))
        left = self.value(node.child_by_field_name("left"), scope, depth + 1)
        right = self.value(node.child_by_field_name("right"), scope, depth + 1)
        if op in ("||", "??"):
            if left.env:
                return Value(env=left.env, default=right.target if left.default is None else left.default)
            return left if left.literal is not None else right
        if op == "+":
            both = left.literal is not None and right.literal is not None
            joined = f"{left.literal}{right.literal}" if both else None
            return Value(literal=joined, env=left.env or right.env)
        return Value()
