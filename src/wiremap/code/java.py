"""Index one Java file with tree-sitter (the ``tree-sitter-java`` grammar wheel).

Names are resolved the way ``javac`` would see them without the classpath: single-type imports, static
imports, wildcard imports checked against the client table, ``java.lang``; a local variable, a field or
a parameter has its declared type (``var`` takes the constructor's), and a call's receiver is typed by
the table's ``returns`` (``new JSch().getSession(…)`` is a ``Session``, whose ``connect`` is the site).
Sites come from :mod:`wiremap.code.clients_java` and its conventions; env reads are
``System.getenv("X")``, Spring's ``@Value("${x:default}")`` and ``environment.getProperty("x")``.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ._symbols import sql_protocol
from ._treesitter import count_lines, end_line, line, parse, text
from .clients_java import APIS, ENV_READS, find_api, java_convention
from .model import CallSite, Definition, EnvRead, FileIndex, ImportRef

__all__ = ["index_java"]

_TYPES = ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration")
_JAVA_LANG = frozenset({"System", "Thread", "Runtime", "String", "Integer", "Long", "Object", "Math"})
_MAX_DEPTH = 12
# the classes the table has rows of: a wildcard import's class, a client passed to another's constructor
_CLIENT_CLASSES = frozenset(key.rpartition(".")[0] for key in APIS)
_WEBCLIENT = "org.springframework.web.reactive.function.client.WebClient"
_RESTCLIENT = "org.springframework.web.client.RestClient"
_WEBCLIENT_SENDS = frozenset({"retrieve", "exchangeToMono", "exchangeToFlux"})


def _string(node: Node | None) -> str | None:
    """The value of a plain string literal (``"a"``), else None."""
    if node is None or node.type != "string_literal":
        return None
    parts = [c for c in node.named_children if c.type != "string_fragment"]
    if parts:  # escapes: keep it simple, the literal as written between the quotes
        raw = text(node)
        return raw[1:-1] if len(raw) >= 2 else None
    return "".join(text(c) for c in node.named_children)


class _Indexer:
    def __init__(self, path: str) -> None:
        self.path = path
        self.package = ""
        self.imports: dict[str, str] = {}  # simple name -> FQN (static members too)
        self.wildcards: list[str] = []
        self.import_refs: list[ImportRef] = []
        self.definitions: list[Definition] = []
        self.sites: list[CallSite] = []
        self.env_reads: list[EnvRead] = []
        self.calls: set[tuple[int, str]] = set()
        self.fields: dict[str, str | None] = {}  # field name -> type FQN, for the class being read
        self.values: dict[str, list[Node]] = {}  # a name -> the expressions assigned to it (this file)
        self.field_values: dict[str, Node] = {}  # a field -> its initializer
        self.field_env: dict[str, tuple[str, str | None]] = {}  # a field -> the property @Value sets it from

    # -- names ----------------------------------------------------------------------------------------------

    def on_import(self, node: Node) -> None:
        target = next((c for c in node.named_children if c.type in ("scoped_identifier", "identifier")), None)
        if target is None:
            return
        dotted = text(target)
        if any(c.type == "asterisk" for c in node.children):
            self.wildcards.append(dotted)
            self.import_refs.append(ImportRef(dotted, "*", "", line(node)))
            return
        simple = dotted.rpartition(".")[2]
        self.imports[simple] = dotted
        module, _, name = dotted.rpartition(".")
        self.import_refs.append(ImportRef(module, name, simple, line(node)))

    def class_name(self, simple: str) -> str | None:
        """The FQN of a class named in this file: imported, in a wildcard's package the table knows, or
        ``java.lang``. A class of the file's own package is unknown (it is the project's)."""
        if simple in self.imports:
            return self.imports[simple]
        for package in self.wildcards:
            fqn = f"{package}.{simple}"
            if fqn in _CLIENT_CLASSES:
                return fqn
        if simple in _JAVA_LANG:
            return f"java.lang.{simple}"
        return None

    def type_of_node(self, node: Node | None) -> str | None:
        """The FQN of a type node (``RestTemplate``, ``KafkaProducer<String, String>``, ``a.b.C``)."""
        if node is None:
            return None
        if node.type == "generic_type":
            return self.type_of_node(node.named_children[0] if node.named_children else None)
        if node.type == "type_identifier":
            return self.class_name(text(node))
        if node.type == "scoped_type_identifier":
            written = text(node)
            head = written.split(".", 1)[0]
            return written if head[:1].islower() else (self.class_name(head) or head) + written[len(head) :]
        return None

    def expr_type(self, node: Node | None, scope: dict[str, str | None], depth: int = 0) -> str | None:
        """The FQN of the type an expression has, as far as the file says."""
        if node is None or depth > _MAX_DEPTH:
            return None
        t = node.type
        if t == "identifier":
            name = text(node)
            if name in scope:
                return scope[name]
            return self.fields.get(name)
        if t == "field_access":
            obj = node.child_by_field_name("object")
            if obj is not None and obj.type == "this":
                return self.fields.get(text(node.child_by_field_name("field")))
            return None
        if t == "parenthesized_expression" and node.named_children:
            return self.expr_type(node.named_children[0], scope, depth + 1)
        if t == "object_creation_expression":
            return self.type_of_node(node.child_by_field_name("type"))
        if t == "method_invocation":
            api = find_api(self.symbol(node, scope, depth + 1))
            return api.returns if api is not None else None
        return None

    def symbol(self, node: Node, scope: dict[str, str | None], depth: int = 0) -> str | None:
        """``java.sql.DriverManager.getConnection`` for ``DriverManager.getConnection(…)``."""
        if node.type == "object_creation_expression":
            fqn = self.type_of_node(node.child_by_field_name("type"))
            return f"{fqn}.<init>" if fqn else None
        name = text(node.child_by_field_name("name"))
        obj = node.child_by_field_name("object")
        if obj is None:
            static = self.imports.get(name)  # ``import static …DriverManager.getConnection``
            return static if static and "." in static else None
        owner = self.expr_type(obj, scope, depth + 1)
        if owner is None and obj.type == "identifier" and text(obj)[:1].isupper() and text(obj) not in scope:
            owner = self.class_name(text(obj))  # a static call: ``DriverManager.getConnection``
        if owner is None and obj.type in ("scoped_identifier", "field_access"):
            written = text(obj)
            owner = written if written.split(".", 1)[0][:1].islower() and "." in written else None
        return f"{owner}.{name}" if owner else None

    # -- walking --------------------------------------------------------------------------------------------

    def run(self, root: Node) -> None:
        for child in root.named_children:
            if child.type == "package_declaration":
                named = next(
                    (c for c in child.named_children if c.type in ("scoped_identifier", "identifier")), None
                )
                self.package = text(named)
            elif child.type == "import_declaration":
                self.on_import(child)
        for child in root.named_children:
            if child.type in _TYPES:
                self.on_type(child, "")

    def on_type(self, node: Node, outer: str) -> None:
        name = text(node.child_by_field_name("name"))
        qual = f"{outer}.{name}" if outer else name
        self.definitions.append(Definition(name, qual, "class", line(node), end_line(node)))
        body = node.child_by_field_name("body")
        if body is None:
            return
        saved = dict(self.fields)
        prefix = _properties_prefix(node)
        nested = {text(m.child_by_field_name("name")): m for m in body.named_children if m.type in _TYPES}
        for member in body.named_children:
            if member.type == "field_declaration":
                ftype = self.type_of_node(member.child_by_field_name("type"))
                spring = self.value_annotation(member)
                if prefix is not None and spring is None and "static" not in text(member).split("=")[0]:
                    # ``@ConfigurationProperties(prefix = "billing.ledger")``: each field is the property
                    # ``billing.ledger.<field>`` (kebab-case), set from the environment as every property
                    # is (SRC006 said nothing of LEDGER_BASE_URL: round 60)
                    for decl in member.children_by_field_name("declarator"):
                        key = f"{prefix}.{_kebab(text(decl.child_by_field_name('name')))}"
                        for read in _bound_reads(self.path, key, decl, member, nested):
                            self.env_reads.append(read)
                        spring = (key, None)
                for decl in member.children_by_field_name("declarator"):
                    fname = text(decl.child_by_field_name("name"))
                    self.fields[fname] = ftype
                    if (value := decl.child_by_field_name("value")) is not None:
                        self.field_values[fname] = value
                    if spring is not None:  # ``@Value("${LEDGER_API_URL:http://…}") String baseUrl``
                        self.field_env[fname] = spring
        for member in body.named_children:
            if member.type in _TYPES:
                self.on_type(member, qual)
            elif member.type in ("method_declaration", "constructor_declaration"):
                mname = text(member.child_by_field_name("name"))
                mqual = f"{qual}.{mname}"
                self.definitions.append(Definition(mname, mqual, "method", line(member), end_line(member)))
                scope: dict[str, str | None] = {}
                params = member.child_by_field_name("parameters")
                for p in params.named_children if params is not None else ():
                    if p.type in ("formal_parameter", "spread_parameter"):
                        scope[text(p.child_by_field_name("name"))] = self.type_of_node(
                            p.child_by_field_name("type")
                        )
                        self.annotations(p)
                        spring = self.value_annotation(p)
                        if spring is not None and member.type == "constructor_declaration":
                            # ``LedgerClient(@Value("${ledger.url}") String baseUrl)``: what the constructor
                            # builds from it holds the property (RestClient's base URL was unknown: round 61)
                            self.field_env.setdefault(text(p.child_by_field_name("name")), spring)
                self.annotations(member)
                self.values = {}  # a method's own locals (two methods may each have their ``url``)
                self.walk(member.child_by_field_name("body"), scope, mqual)
            elif member.type == "field_declaration":
                self.annotations(member)
                self.walk(member, {}, qual)
            elif member.type in ("static_initializer", "block"):
                self.walk(member, {}, qual)
        self.fields = saved

    def value_annotation(self, node: Node) -> tuple[str, str | None] | None:
        """The first ``${key:default}`` of a Spring ``@Value`` on ``node``."""
        mods = next((c for c in node.children if c.type == "modifiers"), None)
        for ann in mods.named_children if mods is not None else ():
            if (
                ann.type == "annotation"
                and text(ann.child_by_field_name("name")).rpartition(".")[2] == "Value"
            ):
                args = ann.child_by_field_name("arguments")
                found = (
                    next((_string(a) for a in args.named_children if a.type == "string_literal"), None)
                    if args
                    else None
                )
                held = _placeholders(found or "")
                if held:
                    return held[0]
        return None

    def annotations(self, node: Node) -> None:
        """Spring's ``@Value("${jwt.header:Authorization}")``: a read of ``jwt.header`` (a property the
        environment may set), default ``Authorization``."""
        mods = next((c for c in node.children if c.type == "modifiers"), None)
        for ann in mods.named_children if mods is not None else ():
            if (
                ann.type != "annotation"
                or text(ann.child_by_field_name("name")).rpartition(".")[2] != "Value"
            ):
                continue
            args = ann.child_by_field_name("arguments")
            value = (
                next((_string(a) for a in args.named_children if a.type == "string_literal"), None)
                if args
                else None
            )
            for key, default in _placeholders(value or ""):
                self.env_reads.append(EnvRead(self.path, line(ann), key, default))

    def walk(self, node: Node | None, scope: dict[str, str | None], qual: str) -> None:
        if node is None:
            return
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if t in _TYPES:  # a local or anonymous class: its members are read as a class's
                self.on_type(n, qual)
                continue
            if t == "local_variable_declaration":
                declared = self.type_of_node(n.child_by_field_name("type"))
                for decl in n.children_by_field_name("declarator"):
                    value = decl.child_by_field_name("value")
                    vtype = declared if text(n.child_by_field_name("type")) != "var" else None
                    scope[text(decl.child_by_field_name("name"))] = vtype or self.expr_type(value, scope)
                    if value is not None:
                        self.values.setdefault(text(decl.child_by_field_name("name")), []).append(value)
            elif t == "assignment_expression":  # ``if (url == null) url = "jdbc:…";``: another value of it
                left = n.child_by_field_name("left")
                right = n.child_by_field_name("right")
                if left is not None and left.type == "identifier" and right is not None:
                    self.values.setdefault(text(left), []).append(right)
                elif (
                    left is not None
                    and left.type == "field_access"
                    and right is not None
                    and (obj := left.child_by_field_name("object")) is not None
                    and obj.type == "this"
                ):  # ``this.web = WebClient.create(url)`` in a constructor: what the field holds
                    self.field_values.setdefault(text(left.child_by_field_name("field")), right)
            elif t in ("method_invocation", "object_creation_expression"):
                self.call(n, scope, qual)
            stack.extend(reversed(n.named_children))

    def call(self, node: Node, scope: dict[str, str | None], qual: str) -> None:
        symbol = self.symbol(node, scope)
        args_node = node.child_by_field_name("arguments")
        args = (
            [a for a in args_node.named_children if a.type != "line_comment" and a.type != "block_comment"]
            if args_node
            else []
        )
        name = text(node.child_by_field_name("name")) if node.type == "method_invocation" else ""
        obj = node.child_by_field_name("object")
        if (
            name == "getOrDefault"
            and obj is not None
            and text(obj).replace(" ", "").endswith("System.getenv()")
        ):
            first = _string(args[0]) if args else None
            if first:
                self.env_reads.append(
                    EnvRead(self.path, line(node), first, _string(args[1]) if len(args) > 1 else None)
                )
            return
        if name in _WEBCLIENT_SENDS and obj is not None and ".uri(" in text(obj):
            # ``webClient.get().uri("/v3/rates").retrieve()``: the request sent, at its base URL
            literal, env, default = self.base_url(obj, scope)
            target = literal or default
            path = self.request_path(obj, scope)
            if path is not None and (target is None or "://" in target):
                # ``.uri("/balances/{id}")`` on the base URL: the request's address (the base alone hid a
                # doc's wrong path)
                target = (target or "").rstrip("/") + path
            self.sites.append(
                CallSite(
                    self.path, line(node), f"{self.http_client(obj, scope)}.{name}", "http", target, env, qual
                )
            )
            return
        if symbol in ENV_READS or (name == "getProperty" and _on_environment(node)):
            first = _string(args[0]) if args else None
            if first:
                default = _string(args[1]) if len(args) > 1 else None
                self.env_reads.append(EnvRead(self.path, line(node), first, default))
            return
        if symbol is None:
            return
        self.calls.add((line(node), symbol))
        wraps = bool(args) and all(_is_client_type(self.expr_type(a, scope)) for a in args)
        api = find_api(symbol) or java_convention(symbol, bool(args), wraps)
        if api is None or not api.site:
            return
        literal, env, default = (
            self.value(args[api.target_arg], scope, 0)
            if api.target_arg is not None and len(args) > api.target_arg
            else (None, None, None)
        )
        target = literal or default
        if (
            target is None
            and env is not None
            and not env.isupper()
            and api.target_arg is not None
            and len(args) > api.target_arg + 1
        ):
            # ``new Jedis(host, port)`` of two @Value fields: each property's default, read where the
            # configuration sets it (link.py; the port was lost: round 60)
            port_lit, port_env, port_default = self.value(args[api.target_arg + 1], scope, 0)
            port = port_lit or port_default or (f"{{?spring:{port_env}}}" if port_env else None)
            if port is not None:
                target = f"{{?spring:{env}}}:{port}"
        if target and api.target_arg is not None and len(args) > api.target_arg + 1 and "://" not in target:
            # ``new Jedis("127.0.0.1", 6379)``, ``new Socket(HOST, PORT)``: a port given beside the host is
            # kept (the target was the host alone, and a doc's wrong port went unseen: round 54)
            port = self.value(args[api.target_arg + 1], scope, 0)[0]
            if port is not None and port.isdigit() and 0 < int(port) < 65536 and ":" not in target:
                target = f"{target}:{port}"
        protocol = api.protocol
        if protocol == "sql":
            protocol = sql_protocol(target.removeprefix("jdbc:") if target else None)
        client = symbol.removesuffix(".<init>")
        self.sites.append(CallSite(self.path, line(node), client, protocol, target, env, qual))

    def _chain_root(self, chain: Node) -> str:
        """The variable or field a call chain starts from (``web`` of ``this.web.get().uri(…)``)."""
        root = chain
        while root.type in ("method_invocation", "field_access") and root.child_by_field_name("object"):
            obj = root.child_by_field_name("object")
            if root.type == "field_access" and obj is not None and obj.type == "this":
                return text(root.child_by_field_name("field"))
            root = obj  # type: ignore[assignment]
        return text(root)

    def http_client(self, chain: Node, scope: dict[str, str | None]) -> str:
        """The Spring client a request chain is made on: RestClient's chain reads as WebClient's."""
        root = self._chain_root(chain)
        held = scope.get(root) or self.fields.get(root) or ""
        built = self.field_values.get(root) or next(iter(self.values.get(root, [])), None)
        if held.endswith("RestClient") or (built is not None and text(built).startswith("RestClient.")):
            return _RESTCLIENT
        return _WEBCLIENT

    def request_path(self, chain: Node, scope: dict[str, str | None]) -> str | None:
        """The path a request chain's ``.uri(…)`` names (``"/prices/" + sku``: ``/prices/{…}``)."""
        n: Node | None = chain
        while n is not None and n.type == "method_invocation":
            if text(n.child_by_field_name("name")) == "uri":
                args = n.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is not None and first.type == "binary_expression":
                    head = self.value(first.child_by_field_name("left"), scope, 0)[0]
                    return f"{head}{{…}}" if head is not None and head.startswith("/") else None
                literal = self.value(first, scope, 0)[0]
                return literal if literal is not None and literal.startswith("/") else None
            n = n.child_by_field_name("object")
        return None

    def base_url(self, chain: Node, scope: dict[str, str | None]) -> tuple[str | None, ...]:
        """The address a WebClient or RestClient the chain starts from was built with (a field or a local):
        ``.baseUrl(…)`` of its builder, or ``WebClient.create(…)``'s argument."""
        root = self._chain_root(chain)
        built = self.field_values.get(root) or next(iter(self.values.get(root, [])), None)
        stack = [built] if built is not None else []
        while stack:
            n = stack.pop()
            called = text(n.child_by_field_name("name")) if n.type == "method_invocation" else ""
            args = n.child_by_field_name("arguments") if called else None
            given = args.named_children if args is not None else []
            if (called == "baseUrl" and given) or (called == "create" and len(given) == 1):
                return self.value(given[0], scope, 0)
            stack.extend(n.named_children)
        return None, None, None

    def value(self, node: Node | None, scope: dict[str, str | None], depth: int) -> tuple[str | None, ...]:
        """``(literal, env var, its default)`` of an expression: a string, ``System.getenv("X")`` (with
        ``.orElse("…")``, ``getOrDefault``, ``x != null ? x : "…"`` or a later ``x = "…"`` as its default),
        a local or a field holding one, a ``+`` of them (a JDBC URL read from the environment was no
        target, and the protocol ``sql``: new user, round 42)."""
        if node is None or depth > _MAX_DEPTH:
            return None, None, None
        t = node.type
        if t == "string_literal":
            return _string(node), None, None
        if t == "decimal_integer_literal":  # a port
            return text(node).replace("_", "").rstrip("lL"), None, None
        if t == "parenthesized_expression" and node.named_children:
            return self.value(node.named_children[0], scope, depth + 1)
        if t == "identifier" and text(node) not in self.values:
            if text(node) in self.field_env:  # a field Spring sets from a property (the environment's too)
                key, default = self.field_env[text(node)]
                return None, key, default
            if text(node) in self.field_values:
                return self.value(self.field_values[text(node)], scope, depth + 1)
        if t == "field_access":
            field = text(node.child_by_field_name("field"))
            obj = node.child_by_field_name("object")
            if obj is not None and obj.type == "this" and field in self.field_env:
                return None, *self.field_env[field]
        if t == "identifier":
            found = [self.value(v, scope, depth + 1) for v in self.values.get(text(node), [])[:4]]
            env = next((e for _, e, _ in found if e), None)
            lit = next((lit for lit, e, _ in found if lit and not e), None)
            dflt = next((d for _, _, d in found if d), None)
            return (None, env, lit or dflt) if env else (lit, None, None)
        if t == "ternary_expression":
            a = self.value(node.child_by_field_name("consequence"), scope, depth + 1)
            b = self.value(node.child_by_field_name("alternative"), scope, depth + 1)
            env = a[1] or b[1]
            lit = a[0] or b[0]
            return (None, env, lit) if env else (lit, None, None)
        if t == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
            a = self.value(node.child_by_field_name("left"), scope, depth + 1)
            b = self.value(node.child_by_field_name("right"), scope, depth + 1)
            head, tail = a[0] or a[2] or ("" if a[1] else None), b[0] or b[2] or ""
            joined, env = (head + tail if head is not None else None), a[1] or b[1]
            # from a variable: its default joined, as a default (a local holding it kept the env alone)
            return (None, env, joined or None) if env else (joined, None, None)
        if t == "method_invocation":
            name = text(node.child_by_field_name("name"))
            args = node.child_by_field_name("arguments")
            arg = [a for a in args.named_children] if args is not None else []
            obj = node.child_by_field_name("object")
            if self.symbol(node, scope) in ENV_READS and arg and name in ("getenv", "getProperty"):
                return None, _string(arg[0]), _string(arg[1]) if len(arg) > 1 else None
            if (
                name == "getOrDefault"
                and len(arg) == 2
                and obj is not None
                and text(obj).endswith("getenv()")
            ):
                return None, _string(arg[0]), _string(arg[1])
            if (
                name in ("orElse", "or") and arg and obj is not None
            ):  # Optional.ofNullable(getenv(X)).orElse(…)
                inner = self.value(obj, scope, depth + 1)
                return None, inner[1], _string(arg[0])
            if name == "ofNullable" and arg:
                return self.value(arg[0], scope, depth + 1)
            if name in ("url", "uri", "create") and arg and len(arg) == 1:
                # ``new Request.Builder().url(base + "/v1/quote")``, ``URI.create(…)``: the address built
                return self.value(arg[0], scope, depth + 1)
            if name in ("build", "get", "post", "put", "delete", "header", "GET", "POST") and obj is not None:
                # down a builder's chain to the ``.url(…)`` it was given (OkHttp's Request had no target:
                # round 60)
                chained = self.value(obj, scope, depth + 1)
                if any(chained):
                    return chained
        if t == "object_creation_expression" and text(node.child_by_field_name("type")) in (
            "URI",
            "java.net.URI",
        ):
            args = node.child_by_field_name("arguments")
            first = next(iter(args.named_children), None) if args is not None else None
            return self.value(first, scope, depth + 1)
        return None, None, None


def _is_client_type(fqn: str | None) -> bool:
    return fqn is not None and fqn in _CLIENT_CLASSES


def _on_environment(node: Node) -> bool:
    """``….getEnvironment().getProperty("x")``: Spring's environment, whatever holds it."""
    obj = node.child_by_field_name("object")
    return (
        obj is not None
        and obj.type == "method_invocation"
        and text(obj.child_by_field_name("name")) == "getEnvironment"
    )


def _properties_prefix(node: Node) -> str | None:
    """The ``prefix`` of a class's ``@ConfigurationProperties`` (``("billing.ledger")`` or ``(prefix =
    "billing.ledger")``), or None."""
    mods = next((c for c in node.children if c.type == "modifiers"), None)
    for ann in mods.named_children if mods is not None else ():
        if ann.type == "annotation" and text(ann.child_by_field_name("name")).rpartition(".")[2] == (
            "ConfigurationProperties"
        ):
            m = re.search(r'"([\w.\-\[\]]+)"', text(ann.child_by_field_name("arguments") or ann))
            return m.group(1) if m else None
    return None


def _bound_reads(
    path: str, key: str, decl: Node, member: Node, nested: dict[str, Node], depth: int = 0
) -> list[EnvRead]:
    """The properties a ``@ConfigurationProperties`` field binds, each at the line of its field's name (not
    of an annotation above it). A field whose type is a class nested in the same class binds that class's
    fields: ``file.mac.path`` (``FILE_MAC_PATH``), not ``file.mac`` (no variable sets an object)."""
    ftype = member.child_by_field_name("type")
    body = nested.get(text(ftype)) if ftype is not None and depth < 3 else None
    inner = body.child_by_field_name("body") if body is not None else None
    if inner is None:
        return [EnvRead(path, line(decl.child_by_field_name("name") or decl), key, None)]
    inner_nested = {text(m.child_by_field_name("name")): m for m in inner.named_children if m.type in _TYPES}
    out: list[EnvRead] = []
    for field in inner.named_children:
        if field.type != "field_declaration" or "static" in text(field).split("=")[0]:
            continue
        for sub in field.children_by_field_name("declarator"):
            sub_key = f"{key}.{_kebab(text(sub.child_by_field_name('name')))}"
            out += _bound_reads(path, sub_key, sub, field, {**nested, **inner_nested}, depth + 1)
    return out or [EnvRead(path, line(decl.child_by_field_name("name") or decl), key, None)]


def _kebab(name: str) -> str:
    """``baseUrl`` -> ``base-url``: a field's canonical property name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def _placeholders(value: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    start = value.find("${")
    while start >= 0:
        end = value.find("}", start)
        if end < 0:
            break
        key, sep, default = value[start + 2 : end].partition(":")
        if key:
            out.append((key, default if sep else None))
        start = value.find("${", end)
    return out


def index_java(path: str, data: bytes, sha: str) -> FileIndex:
    """Index one Java file; never raises (a failure comes back as a :class:`FileIndex` with ``error``)."""
    lines = count_lines(data)
    try:
        tree, _ = parse("java", data)
        ix = _Indexer(path)
        ix.run(tree.root_node)
    except Exception as exc:  # a grammar or indexer bug must not stop the index of a whole repository
        return FileIndex(path, "java", sha, lines, error=f"{type(exc).__name__}: {exc}")
    return FileIndex(
        path,
        "java",
        sha,
        lines,
        tuple(sorted(ix.definitions, key=lambda d: (d.line, d.qualname))),
        tuple(sorted(ix.import_refs, key=lambda i: i.line)),
        tuple(sorted(ix.sites, key=lambda s: (s.line, s.client))),
        tuple(sorted(ix.env_reads, key=lambda e: (e.line, e.name))),
        calls=tuple(sorted(ix.calls)),
    )
