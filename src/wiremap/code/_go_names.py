"""How the Go indexer resolves names and values, shared by its two passes.

:class:`Names` holds what the first pass learnt (imports, each scope's bindings, struct field types)
and answers two questions about an expression: which client API it *is* (:meth:`Names.symbol`:
``c.Do`` → ``net/http.Client.Do`` when ``c := &http.Client{}``) and what it *evaluates to*
(:meth:`Names.value`: a literal, an env var and its default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ._symbols import MAX_BINDINGS, Api, Bindings, Value, agreed, env_with_fallback
from ._treesitter import string_value, text
from .clients_go import ALIASES, ENV_FUNCS, PASSTHROUGH, TARGET_KEYS, find_api

__all__ = ["Bound", "Names", "Sym", "Typed", "call_args", "unwrap"]

_MAX_DEPTH = 8
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,}$")
_STRINGS = frozenset({"interpreted_string_literal", "raw_string_literal"})


@dataclass(frozen=True, slots=True)
class Sym:
    """A name bound to an imported package: ``net/http``."""

    name: str


@dataclass(frozen=True, slots=True)
class Typed:
    """A name declared with a type and no value: a parameter, ``var c *http.Client``."""

    type: Node


Bound = Node | Sym | Typed | None  # None: bound to something we cannot know


def unwrap(node: Node) -> Node:
    """Without parentheses, ``&`` and ``*``."""
    while True:
        if node.type == "parenthesized_expression" and node.named_child_count:
            node = node.named_children[0]
        elif node.type == "unary_expression" and text(node.child_by_field_name("operator")) in ("&", "*"):
            operand = node.child_by_field_name("operand")
            if operand is None:
                return node
            node = operand
        else:
            return node


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a for a in args.named_children if a.type != "comment"]


def _element(node: Node | None) -> Node | None:
    """The expression inside a ``literal_element``."""
    if node is not None and node.type == "literal_element" and node.named_children:
        return node.named_children[0]
    return node


def _is_list(lit: Node) -> bool:
    """``[]string{…}``, ``[...]string{…}``: a list (its first element is the target), not a struct."""
    ltype = lit.child_by_field_name("type")
    return ltype is not None and ltype.type in ("slice_type", "array_type", "implicit_length_array_type")


def _piece(v: Value) -> str | None:
    if v.literal is not None:
        return v.literal
    if v.default is not None:
        return v.default
    return f"${{{v.env}}}" if v.env else None


VIPER = "github.com/spf13/viper"
# a struct field's tag naming the env var it is loaded from: kelseyhightower/envconfig, caarlos0/env,
# sethvargo/go-envconfig (``env:"X, default=y"``), ilyakaznacheev/cleanenv (``env:"X" env-default:"y"``)
_TAG_ENV = re.compile(r'(?:^|\s)(?:envconfig|env):"([A-Z][A-Z0-9_]+)(?:,[^"]*)?"')
_TAG_DEFAULT = re.compile(r'(?:^|\s)(?:default|envDefault|env-default):"([^"]*)"|,\s*default=([^,"]*)')


def tag_env(tag: str) -> Value | None:
    """The env var a struct tag loads its field from (and the tag's default), or None."""
    m = _TAG_ENV.search(tag)
    if m is None:
        return None
    d = _TAG_DEFAULT.search(tag)
    default = (d.group(1) if d.group(1) is not None else d.group(2)) if d is not None else None
    return Value(env=m.group(1), default=default or None)


GO_VAR = "?go:"  # ``{?go:billingBaseURL}``: a package-level variable of another file of the package
_PACKAGE_NAME = re.compile(r"^[A-Za-z_]\w*$")
_BUILTINS = frozenset({"nil", "true", "false", "iota", "err", "ctx", "_"})
_VERB = re.compile(r"%[-+# 0]*\d*(?:\.\d+)?[svdqxX]")


def _sprintf(fmt: Value, args: list[Value]) -> Value:
    """``fmt.Sprintf("%s/v1/invoices/%s", base, id)``: the format with each verb replaced by what its
    argument is (``{…}`` when unknown), as ``+`` joins; the env var of the first argument that has one."""
    env = next((a.env for a in args if a.env), None)
    if fmt.literal is None or any(a.env and a.target is None for a in args):
        return Value(env=env)  # (an env var with no default in it: the variable says where, not a URL)
    pieces = iter(args)
    unknown_base = False

    def fill(m: re.Match[str]) -> str:
        nonlocal unknown_base
        arg = next(pieces, Value())
        piece = _piece(arg)
        if piece is None and m.start() == 0:
            unknown_base = True
        return piece if piece is not None else "{…}"

    text = _VERB.sub(fill, fmt.literal)
    return Value(env=env) if unknown_base and env is None else Value(literal=text, env=env)


def _joined(left: Value, right: Value) -> Value:
    """``a + b`` of strings, as the Python indexer joins an f-string: an env var by its default (else
    ``${NAME}``), a part not known as ``{…}`` (``base + "/geo?ip=" + ip`` with ``base`` from GEO_URL or its
    fallback was "$GEO_URL" alone: round 32)."""
    env = left.env or right.env
    lp, rp = _piece(left), _piece(right)
    if lp is None and rp is None:
        return Value(env=env)
    text = (lp if lp is not None else "{…}") + (rp if rp is not None else "{…}")
    if lp is None and env is None:  # an unknown base: no address to show
        return Value(literal=None)
    return Value(literal=text, env=env)


class Names:
    """Imports, bindings per scope and struct field types, and what expressions resolve to through them."""

    def __init__(self) -> None:
        self.bindings: Bindings[tuple[Bound, str]] = Bindings()
        self.dot_imports: list[str] = []
        self.fields: dict[str, list[Node]] = {}  # struct field name -> declared types
        self.env_helpers: dict[str, bool] = {}  # function name -> whether it takes a default
        self.method_calls: dict[tuple[str, str], list[tuple[Node, str]]] = {}  # (receiver, method) -> calls
        self.symbols: dict[tuple[str, str], str | None] = {}  # (scope, name) -> symbol, in the second pass
        self.field_types: dict[str, str | None] = {}
        self.functions: dict[str, Node] = {}  # the file's top-level functions by name
        # struct field name -> the env var its tag binds it to, and the tag's default (envconfig, env)
        self.field_env: dict[str, Value] = {}
        # a struct type of the file -> its composite literals (``&PaymentsClient{baseURL: …}``) and scopes
        self.type_literals: dict[str, list[tuple[Node, str]]] = {}
        # viper key -> (the env var BindEnv names, SetDefault's value), for ``GetString("inventory.addr")``
        self.viper_keys: dict[str, tuple[str | None, str | None]] = {}

    def entries(self, scope: str, name: str) -> list[tuple[Bound, str]] | None:
        """What ``name`` is bound to (with the scope to read each in) in the nearest scope binding it;
        None when nothing in the file binds it."""
        found = self.bindings.lookup(scope, name)
        if found is None:
            return None
        return found[0] if len(found[0]) <= MAX_BINDINGS else [(None, "")]

    def binding(self, scope: str, name: str) -> tuple[bool, Bound, str]:
        """(whether ``name`` is bound at all, its single binding or None, the scope to read it in)."""
        entries = self.entries(scope, name)
        if entries is None:
            return False, None, ""
        if len(entries) != 1:
            return True, None, ""
        return True, entries[0][0], entries[0][1]

    # -- symbols --------------------------------------------------------------------------------------------

    def symbol(self, node: Node | None, scope: str, depth: int = 0) -> str | None:
        """The dotted name an expression or type resolves to: ``net/http.Get``, ``net/http.Client``."""
        if node is None or depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        t = node.type
        if t in ("identifier", "package_identifier", "type_identifier"):
            key = (scope, text(node))
            if key not in self.symbols:
                self.symbols[key] = self.name_symbol(scope, key[1], depth)
            return self.symbols[key]
        if t == "selector_expression":
            field = text(node.child_by_field_name("field"))
            base = self.symbol(node.child_by_field_name("operand"), scope, depth + 1)
            if base is None:
                return self.field_type(field, depth)
            dotted = f"{base}.{field}"
            return ALIASES.get(dotted, dotted)
        if t == "qualified_type":
            base = self.symbol(node.child_by_field_name("package"), scope, depth + 1)
            return f"{base}.{text(node.child_by_field_name('name'))}" if base else None
        if t in ("pointer_type", "generic_type", "composite_literal"):
            inner = node.child_by_field_name("type") or (
                node.named_children[0] if node.named_children else None
            )
            return self.symbol(inner, scope, depth + 1)
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "identifier" and text(fn) == "new":  # ``new(dns.Client)``
                args = node.child_by_field_name("arguments")
                inner = args.named_children[0] if args is not None and args.named_children else None
                return self.symbol(inner, scope, depth + 1)
            api = find_api(self.symbol(fn, scope, depth + 1))
            return api.returns if api is not None else None
        return None

    def name_symbol(self, scope: str, name: str, depth: int) -> str | None:
        entries = self.entries(scope, name)
        if entries is None:
            for path in self.dot_imports:  # import . "net/http"
                if find_api(f"{path}.{name}") is not None:
                    return f"{path}.{name}"
            return None
        return agreed(self.bound_symbol(bound, where, depth) for bound, where in entries)

    def bound_symbol(self, bound: Bound, where: str, depth: int) -> str | None:
        if isinstance(bound, Sym):
            return bound.name
        if isinstance(bound, Typed):
            return self.symbol(bound.type, where, depth + 1)
        if isinstance(bound, Node):
            return self.symbol(bound, where, depth + 1)
        return None

    def field_type(self, field: str, depth: int) -> str | None:
        """``x.client`` where this file declares a struct field ``client *http.Client`` (and no other)."""
        if field not in self.field_types:
            types = {self.symbol(t, "", depth + 1) for t in self.fields.get(field, ())}
            self.field_types[field] = types.pop() if len(types) == 1 else None
        return self.field_types[field]

    # -- values ---------------------------------------------------------------------------------------------

    def target(self, api: Api, args: list[Node], scope: str) -> Value:
        if api.via:
            for arg in args:
                v = self.via_value(arg, api.via, scope)
                if v:
                    return v
        if api.target_arg is None or api.target_arg >= len(args):
            return Value()
        arg = args[api.target_arg]
        found = self.composite(arg, scope)
        if found is None or _is_list(found[0]):
            return self.value(arg, scope)
        lit, where = found
        for key in api.target_keys or TARGET_KEYS:
            v = self.keyed_value(lit, key, where)
            if v:
                return v
        return Value()

    def composite(self, node: Node | None, scope: str, depth: int = 0) -> tuple[Node, str] | None:
        """The composite literal an expression is, directly or through a binding, and its scope."""
        if node is None or depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        if node.type == "composite_literal":
            return node, scope
        if node.type == "identifier":
            _, bound, where = self.binding(scope, text(node))
            if isinstance(bound, Node):
                return self.composite(bound, where, depth + 1)
        return None

    def keyed_value(self, lit: Node, key: str, scope: str, depth: int = 0) -> Value:
        body = lit.child_by_field_name("body")
        for element in body.named_children if body is not None else ():
            if element.type != "keyed_element":
                continue
            key_node = _element(element.child_by_field_name("key"))
            name = (
                string_value(key_node)
                if key_node is not None and key_node.type in _STRINGS
                else text(key_node)
            )
            if name == key:
                return self.value(_element(element.child_by_field_name("value")), scope, depth + 1)
        return Value()

    def via_value(self, node: Node, methods: tuple[str, ...], scope: str, depth: int = 0) -> Value:
        """The first argument of an option-builder call (``.ApplyURI(uri)``) in or on ``node``: in its
        call chain, on the variable it names (``opts.AddBroker(b)``) or in that variable's value."""
        if depth > _MAX_DEPTH:
            return Value()
        node = unwrap(node)
        if node.type == "identifier":
            name = text(node)
            for method in methods:
                for call, where in self.method_calls.get((name, method), ()):
                    args = call_args(call)
                    if args:
                        return self.value(args[0], where, depth + 1)
            _, bound, where = self.binding(scope, name)
            return self.via_value(bound, methods, where, depth + 1) if isinstance(bound, Node) else Value()
        while node.type == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is None or fn.type != "selector_expression":
                break
            args = call_args(node)
            if text(fn.child_by_field_name("field")) in methods and args:
                return self.value(args[0], scope, depth + 1)
            operand = fn.child_by_field_name("operand")
            if operand is None:
                break
            node = unwrap(operand)
        return Value()

    def env_call(self, call: Node, scope: str, depth: int = 0) -> Value | None:
        """``os.Getenv("X")``, ``os.LookupEnv("X")`` or the file's own ``getenv("X", "default")`` helper."""
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        args = call_args(call)
        if (
            fn.type == "identifier"
            and text(fn) not in self.env_helpers
            and text(fn) not in self.functions
            and "env" in text(fn).lower()
            and len(args) in (1, 2)
            and _ENV_NAME.match(self.value(args[0], scope, depth + 1).literal or "")
        ):
            # ``getenv("DB_DSN", "postgres://…")``: a helper of another file of the package, by its name (the
            # file's own helpers are read; one in config.go was no env read in db.go: new user, round 44)
            default = self.value(args[1], scope, depth + 1).target if len(args) > 1 else None
            return Value(env=self.value(args[0], scope, depth + 1).literal, default=default)
        if fn.type == "identifier" and text(fn) in self.env_helpers:
            if self.bindings.declared_in(scope, text(fn)) is not None or not args:
                return None
            name = self.value(args[0], scope, depth + 1).literal
            has_default = self.env_helpers[text(fn)] and len(args) > 1
            default = self.value(args[1], scope, depth + 1).target if has_default else None
            return Value(env=name, default=default) if name else None
        if fn.type == "selector_expression" and (viper := self.viper_env(fn, args, scope, depth)) is not None:
            return viper
        if fn.type != "selector_expression" or text(fn.child_by_field_name("field")) not in (
            "Getenv",
            "LookupEnv",
        ):
            return None
        if self.symbol(fn, scope) not in ENV_FUNCS or not args:
            return None
        name = self.value(args[0], scope, depth + 1).literal
        return Value(env=name) if name else None

    def viper_env(self, fn: Node, args: list[Node], scope: str, depth: int) -> Value | None:
        """viper's ``GetString("REALTIME_WS_URL")`` (a key written as an env var: viper's AutomaticEnv
        reads it from the environment) and ``BindEnv("key", "ENV_NAME")``; None for anything else."""
        method = text(fn.child_by_field_name("field"))
        if not (method.startswith("Get") or method == "BindEnv") or not args:
            return None
        if not (self.symbol(fn, scope) or "").startswith(VIPER + "."):
            return None
        arg = args[-1] if method == "BindEnv" and len(args) > 1 else args[0]
        name = self.value(arg, scope, depth + 1).literal or ""
        if method != "BindEnv" and name in self.viper_keys:  # a key BindEnv bound, SetDefault defaulted
            env, default = self.viper_keys[name]
            return Value(env=env, default=default) if env else Value(literal=default)
        return Value(env=name) if _ENV_NAME.match(name) else None

    def learn_viper(self, calls: list[tuple[Node, str]]) -> None:
        """``viper.BindEnv("inventory.addr", "INVENTORY_GRPC_ADDR")`` and ``viper.SetDefault(
        "inventory.addr", "127.0.0.1:50051")`` of the file: what ``GetString("inventory.addr")`` reads."""
        for node, scope in calls:
            fn = node.child_by_field_name("function")
            args = call_args(node)
            if fn is None or fn.type != "selector_expression" or len(args) < 2:
                continue
            method = text(fn.child_by_field_name("field"))
            if method not in ("BindEnv", "SetDefault"):
                continue
            if not (self.symbol(fn, scope) or "").startswith(VIPER + "."):
                continue
            key = self.value(args[0], scope).literal
            second = self.value(args[1], scope).literal
            if not key or second is None:
                continue
            env, default = self.viper_keys.get(key, (None, None))
            if method == "BindEnv" and _ENV_NAME.match(second):
                env = second
            elif method == "SetDefault":
                default = second
            self.viper_keys[key] = (env, default)

    def _typed_operand(self, node: Node, scope: str) -> bool:
        """Whether a selector's operand is a parameter or variable declared with a type of this package
        (``cfg Config``; not an imported package's ``pkg.Name``)."""
        operand = node.child_by_field_name("operand")
        if operand is None or operand.type != "identifier":
            return False
        entries = self.entries(scope, text(operand)) or []
        for bound, _ in entries:
            if isinstance(bound, Typed):
                declared = text(bound.type).lstrip("*")
                return "." not in declared and declared[:1].isupper()
        return False

    def value(self, node: Node | None, scope: str, depth: int = 0) -> Value:
        """What an expression evaluates to: a literal, an env var (and its default), or nothing known."""
        if node is None or depth > _MAX_DEPTH:
            return Value()
        node = unwrap(node)
        t = node.type
        if t in _STRINGS:
            return Value(literal=string_value(node))
        if t in ("int_literal", "float_literal"):
            return Value(literal=text(node))
        if t == "identifier":
            entries = self.entries(scope, text(node))
            if entries is None and _PACKAGE_NAME.match(text(node)) and text(node) not in _BUILTINS:
                # a package-level name another file of the package binds (config.go's ``billingBaseURL``):
                # read at link time (see link.py); it was no target at all (new user, round 48)
                return Value(literal=f"{{{GO_VAR}{text(node)}}}")
            values = [
                self.value(b, w, depth + 1) if isinstance(b, Node) else Value() for b, w in entries or []
            ]
            return agreed(values) or env_with_fallback(values) or Value()
        if t == "selector_expression":  # cfg.Addr where cfg is a struct literal of this file
            found = self.composite(node.child_by_field_name("operand"), scope, depth + 1)
            field = text(node.child_by_field_name("field"))
            if found is None and field in self.field_env:  # cfg.ShippingURL, tagged `envconfig:"…"`
                return self.field_env[field]
            if found is None and "." in scope:
                # ``c.baseURL`` in a method of PaymentsClient: what the file's literals of the type give the
                # field (``&PaymentsClient{baseURL: getenv("PAYMENTS_API_URL", …)}`` in its constructor; it
                # was no target and no env: round 60)
                receiver = scope.split(".", 1)[0]
                for lit, where in self.type_literals.get(receiver, [])[:4]:
                    if v := self.keyed_value(lit, field, where, depth + 1):
                        return v
            if found is None and field[:1].isupper() and self._typed_operand(node, scope):
                # ``cfg.DatabaseURL`` of a struct another file of the package tags (``envconfig:"…"``):
                # read at link time (see link.py; it was no target and no env: round 61)
                return Value(literal=f"{{{GO_VAR}.{field}}}")
            return self.keyed_value(found[0], field, found[1], depth + 1) if found is not None else Value()
        if t == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
            left = self.value(node.child_by_field_name("left"), scope, depth + 1)
            right = self.value(node.child_by_field_name("right"), scope, depth + 1)
            return _joined(left, right)
        if t == "composite_literal":  # []string{"a:9092", "b:9092"}
            body = node.child_by_field_name("body")
            first = body.named_children[0] if body is not None and body.named_children else None
            return self.value(_element(first), scope, depth + 1) if first is not None else Value()
        if t == "call_expression":
            return self.call_value(node, scope, depth)
        return Value()

    def call_value(self, node: Node, scope: str, depth: int) -> Value:
        env = self.env_call(node, scope, depth)
        if env is not None:
            return env
        symbol = self.symbol(node.child_by_field_name("function"), scope) or ""
        args = call_args(node)
        if symbol.endswith(PASSTHROUGH) and args:
            return self.value(args[0], scope, depth + 1)
        if symbol == "net.JoinHostPort" and len(args) == 2:  # ``host:port`` (the address was unknown)
            host, port = self.value(args[0], scope, depth + 1), self.value(args[1], scope, depth + 1)
            return _joined(_joined(host, Value(literal=":")), port)
        if symbol == "fmt.Sprintf" and args:  # the URL it formats, and the env var it is built from
            return _sprintf(
                self.value(args[0], scope, depth + 1), [self.value(a, scope, depth + 1) for a in args[1:]]
            )
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and text(fn) in self.functions and not args:
            return self.returned(text(fn), depth)
        return Value()

    def returned(self, name: str, depth: int) -> Value:
        """What a function of the file returns (``func taxURL() string { if v := os.Getenv("TAX_URL"); v
        != "" { return v }; return "http://…" }``): one value, or an env var with its fallback (the URL built
        from it was no target: new user, round 42)."""
        body = self.functions[name].child_by_field_name("body")
        values: list[Value] = []
        stack = [body] if body is not None else []
        while stack:
            n = stack.pop()
            if n.type == "return_statement":
                exprs = [c for c in n.named_children if c.type != "comment"]
                first = exprs[0].named_children[0] if exprs and exprs[0].type == "expression_list" else None
                values.append(self.value(first or (exprs[0] if exprs else None), name, depth + 1))
            elif n.type not in ("func_literal",):
                stack.extend(n.named_children)
        return agreed(values) or env_with_fallback(values) or Value()
