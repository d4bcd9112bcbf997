"""Index one Go file with tree-sitter.

Two passes. The first visits, in source order, the nodes that matter (imports, declarations,
assignments, parameters, struct fields, calls and composite literals) and records definitions, imports
and what each name is bound to in each function. The second resolves each call to a dotted name through
those bindings (:mod:`._go_names`: ``client.Do`` is ``net/http.Client.Do`` when ``client`` was declared
as ``&http.Client{…}``, ``*http.Client`` or ``http.DefaultClient``) and reports the ones
:mod:`wiremap.code.clients_go` knows as sites, their target traced through constants, struct literals,
``os.Getenv`` and small ``getenv(key, fallback)`` helpers of the file.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from ._go_names import GO_VAR, Names, Sym, Typed, call_args, tag_env, unwrap
from ._symbols import Api, Value
from ._treesitter import count_lines, end_line, line, parse, select, string_value, text
from .clients_go import DRIVERS, ENV_FUNCS, NEW_REQUEST, canonical_path, find_api, go_convention, package_name
from .model import CallSite, Definition, EnvRead, FileIndex, ImportRef

__all__ = ["index_go"]

_PATTERNS = (
    "(import_spec)",
    "(function_declaration)",
    "(method_declaration)",
    "(type_spec)",
    "(field_declaration)",
    "(parameter_declaration)",
    "(variadic_parameter_declaration)",
    "(short_var_declaration)",
    "(var_spec)",
    "(const_spec)",
    "(assignment_statement)",
    "(range_clause)",
    "(call_expression)",
    "(composite_literal)",
)


def _identifiers(node: Node | None) -> list[Node]:
    """The identifiers of an ``expression_list`` (or a single identifier)."""
    if node is None:
        return []
    if node.type == "expression_list":
        return list(node.named_children)
    return [node]


def _receiver_type(node: Node) -> str:
    """``func (s *Server[T]) …`` → ``Server``."""
    receiver = node.child_by_field_name("receiver")
    param = receiver.named_children[0] if receiver is not None and receiver.named_children else None
    t = param.child_by_field_name("type") if param is not None else None
    while t is not None and t.type in ("pointer_type", "generic_type", "parenthesized_type"):
        t = t.child_by_field_name("type") or (t.named_children[0] if t.named_children else None)
    return text(t) if t is not None else ""


class _Indexer(Names):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.kinds: dict[str, str] = {}
        self.params: dict[str, list[str]] = {}
        self.definitions: list[Definition] = []
        self.imports: list[ImportRef] = []
        self.env_reads: list[EnvRead] = []
        self.sites: list[CallSite] = []
        self.calls: list[tuple[Node, str]] = []
        self.literals: list[tuple[Node, str]] = []
        self.import_calls: set[tuple[int, str]] = set()
        self.import_paths: set[str] = set()
        self.sent: dict[int, tuple[Node, str] | None] = {}
        self.results: dict[str, list[tuple[str, Node]]] = {}  # function name -> (qualname, result type)
        self.handlers: dict[str, Callable[[Node, str], str]] = {
            "import_spec": self.on_import,
            "function_declaration": self.on_function,
            "method_declaration": self.on_method,
            "type_spec": self.on_type,
            "field_declaration": self.on_field,
            "parameter_declaration": self.on_param,
            "variadic_parameter_declaration": self.on_param,
            "short_var_declaration": self.on_short_var,
            "var_spec": self.on_var,
            "const_spec": self.on_var,
            "assignment_statement": self.on_assign,
            "range_clause": self.on_range,
            "call_expression": self.on_call,
            "composite_literal": self.on_literal,
        }

    # -- first pass -----------------------------------------------------------------------------------------

    def collect(self, root: Node) -> None:
        """Hand each node of interest to its handler, in source order, with the function it is in."""
        handlers = self.handlers
        frames: list[tuple[int, str]] = [(root.end_byte + 1, "")]  # (end byte, scope)
        for node in select("go", _PATTERNS, root):
            start = node.start_byte
            while frames[-1][0] <= start:
                frames.pop()
            scope = frames[-1][1]
            inner = handlers[node.type](node, scope)
            if inner != scope:
                frames.append((node.end_byte, inner))

    def define(self, name: str, qual: str, kind: str, node: Node) -> str:
        self.definitions.append(Definition(name, qual, kind, line(node), end_line(node)))
        self.kinds[qual] = kind
        return qual

    def bind_pairs(self, scope: str, left: list[Node], right: list[Node], where: str | None = None) -> None:
        """``a, b := x, y`` binds pairwise; ``v, err := f()`` binds ``v`` to the call."""
        for i, target in enumerate(left):
            if target.type != "identifier" or text(target) == "_":
                continue
            value: Node | None = None
            if len(right) == len(left):
                value = right[i]
            elif len(right) == 1 and i == 0:
                value = right[0]
            name = text(target)
            owner = scope if where is None else (self.bindings.declared_in(scope, name) or scope)
            self.bindings.bind(owner, name, (value, scope))

    def on_import(self, node: Node, scope: str) -> str:
        path = string_value(node.child_by_field_name("path"))
        if path is None:
            return scope
        alias = node.child_by_field_name("name")
        bound = text(alias) if alias is not None else package_name(path)
        self.imports.append(ImportRef(path, None, bound, line(node)))
        if bound == ".":
            self.dot_imports.append(canonical_path(path))
        elif bound != "_":
            self.bindings.bind("", bound, (Sym(canonical_path(path)), ""))
            self.import_paths.add(canonical_path(path))
        return scope

    def on_function(self, node: Node, scope: str) -> str:
        name = text(node.child_by_field_name("name"))
        if not name:
            return scope
        self.note_result(name, name, node)
        self.functions[name] = node
        return self.define(name, name, "function", node)

    def on_method(self, node: Node, scope: str) -> str:
        name = text(node.child_by_field_name("name"))
        receiver = _receiver_type(node)
        if not name:
            return scope
        qual = f"{receiver}.{name}" if receiver else name
        self.note_result(name, qual, node)
        return self.define(name, qual, "method", node)

    def note_result(self, name: str, qual: str, node: Node) -> None:
        """A function of this file whose (first) result is a type: ``func build() *http.Request``."""
        result = node.child_by_field_name("result")
        if result is not None and result.type == "parameter_list":
            first = next((c for c in result.named_children if c.type == "parameter_declaration"), None)
            result = first.child_by_field_name("type") if first is not None else None
        if result is not None and result.type in ("pointer_type", "qualified_type", "type_identifier"):
            self.results.setdefault(name, []).append((qual, result))

    def on_type(self, node: Node, scope: str) -> str:
        name = text(node.child_by_field_name("name"))
        kind = node.child_by_field_name("type")
        if name and kind is not None and kind.type in ("struct_type", "interface_type"):
            self.define(name, f"{scope}.{name}" if scope else name, "class", node)
        return scope

    def on_field(self, node: Node, scope: str) -> str:
        ftype = node.child_by_field_name("type")
        if ftype is not None:
            for child in node.children_by_field_name("name"):
                self.fields.setdefault(text(child), []).append(ftype)
        tag = node.child_by_field_name("tag")
        env = tag_env(string_value(tag) or "") if tag is not None else None
        if env is not None and env.env:  # ``URL string `envconfig:"SHIPPING_URL"```: read when loaded
            self.env_reads.append(EnvRead(self.path, line(node), env.env, env.default))
            for child in node.children_by_field_name("name"):
                self.field_env[text(child)] = env
        return scope

    def on_param(self, node: Node, scope: str) -> str:
        ptype = node.child_by_field_name("type")
        names = [text(n) for n in node.children_by_field_name("name")]
        for name in names:
            bound = Typed(ptype) if ptype is not None and node.type == "parameter_declaration" else None
            self.bindings.bind(scope, name, (bound, scope))
        self.params.setdefault(scope, []).extend(names)
        return scope

    def on_short_var(self, node: Node, scope: str) -> str:
        left = _identifiers(node.child_by_field_name("left"))
        right = _identifiers(node.child_by_field_name("right"))
        self.bind_pairs(scope, left, right)
        return scope

    def on_var(self, node: Node, scope: str) -> str:
        names = node.children_by_field_name("name")
        values = _identifiers(node.child_by_field_name("value"))
        vtype = node.child_by_field_name("type")
        if values:
            self.bind_pairs(scope, names, values)
        else:
            for name in names:
                self.bindings.bind(scope, text(name), (Typed(vtype) if vtype is not None else None, scope))
        return scope

    def on_assign(self, node: Node, scope: str) -> str:
        left = _identifiers(node.child_by_field_name("left"))
        right = _identifiers(node.child_by_field_name("right"))
        if text(node.child_by_field_name("operator")) != "=":
            right = []  # x += y: no longer a value we know
        self.bind_pairs(scope, left, right, where=scope)
        return scope

    def on_range(self, node: Node, scope: str) -> str:
        for target in _identifiers(node.child_by_field_name("left")):
            if target.type == "identifier":
                self.bindings.bind(scope, text(target), (None, scope))
        return scope

    def on_call(self, node: Node, scope: str) -> str:
        self.calls.append((node, scope))
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier":
                key = (text(operand), text(fn.child_by_field_name("field")))
                self.method_calls.setdefault(key, []).append((node, scope))
        return scope

    def on_literal(self, node: Node, scope: str) -> str:
        ltype = node.child_by_field_name("type")
        if ltype is not None and ltype.type == "type_identifier":
            self.type_literals.setdefault(text(ltype), []).append((node, scope))
        if ltype is not None and ltype.type in ("qualified_type", "generic_type"):
            self.literals.append((node, scope))
        return scope

    def package_values(self) -> tuple[tuple[str, str], ...]:
        """What the file's package-level variables and constants hold, for the other files of the package:
        ``=name`` its value (a URL, a host), ``$name`` the env var it is read from (see link.py)."""
        out: dict[str, str] = {}
        for (scope, name), entries in self.bindings.items():
            if scope or len(entries) != 1 or not isinstance(entries[0][0], Node):
                continue
            v = self.value(entries[0][0], "")
            if v.target and len(v.target) < 300 and GO_VAR not in v.target:
                out[f"={name}"] = v.target
            if v.env:
                out[f"${name}"] = v.env
        for field, env in self.field_env.items():  # tagged struct fields: ``.DatabaseURL``
            if env.env:
                out[f"$.{field}"] = env.env
            if env.default and len(env.default) < 300:
                out[f"=.{field}"] = env.default
        return tuple(sorted(out.items()))

    # -- second pass ----------------------------------------------------------------------------------------

    def finish(self) -> None:
        self.find_env_helpers()
        self.learn_viper(self.calls)
        self.sent = dict(self.find_sent_requests())
        for node, scope in self.calls:
            env = self.env_call(node, scope)
            if env is not None:
                if env.env:
                    self.env_reads.append(EnvRead(self.path, line(node), env.env, env.default))
                continue
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type in ("selector_expression", "identifier"):
                symbol = self.symbol(fn, scope)
                self.note_import_call(node, fn, symbol, scope)
                self.site(node, symbol, call_args(node), scope)
        for node, scope in self.literals:
            ltype = node.child_by_field_name("type")
            symbol = self.symbol(ltype, scope)
            if ltype is not None and ltype.type == "qualified_type":
                self.note_import_call(node, ltype, symbol, scope)
            self.site(node, symbol, [node], scope)

    def note_import_call(self, node: Node, fn: Node, symbol: str | None, scope: str) -> None:
        """``http.Get(…)`` or ``&http.Client{…}`` where ``http`` is an import: recorded by its import path
        (``net/http.Get``), for a doc's Client written as the code writes it (see ``FileIndex.calls``)."""
        qualifier = fn.child_by_field_name("operand") or fn.child_by_field_name("package")
        if symbol is None or qualifier is None or qualifier.type not in ("identifier", "package_identifier"):
            return
        package = self.symbol(qualifier, scope)
        if package is not None and package in self.import_paths:
            self.import_calls.add((line(node), symbol))

    def find_env_helpers(self) -> None:
        """``func getenv(key, fallback string) string { if v := os.Getenv(key); … }``."""
        for node, scope in self.calls:
            if self.kinds.get(scope) != "function":
                continue
            args = call_args(node)
            params = self.params.get(scope, [])
            if not args or not params or unwrap(args[0]).type != "identifier" or text(args[0]) != params[0]:
                continue
            if self.symbol(node.child_by_field_name("function"), scope) in ENV_FUNCS:
                self.env_helpers[scope] = len(params) > 1

    def find_sent_requests(self) -> dict[int, tuple[Node, str] | None]:
        """``resp, err := client.Do(req)`` where ``req`` is ``http.NewRequest(…)`` of this function: the
        ``Do`` call (by node id) → the request's call and scope. Whatever ``client`` is (a field, a helper's
        result): a ``Do`` given a request built here sends it."""
        out: dict[int, tuple[Node, str] | None] = {}
        for node, scope in self.calls:
            fn = node.child_by_field_name("function")
            args = call_args(node)
            if fn is None or fn.type != "selector_expression" or not args:
                continue
            if text(fn.child_by_field_name("field")) != "Do" or unwrap(args[0]).type != "identifier":
                continue
            known, bound, where = self.binding(scope, text(unwrap(args[0])))
            entries = self.entries(scope, text(unwrap(args[0]))) or []
            if (
                known
                and isinstance(bound, Node)
                and bound.type == "call_expression"
                and self.symbol(bound.child_by_field_name("function"), where) in NEW_REQUEST
            ):
                out[node.id] = (bound, where)
                continue
            for entry, _ in entries:  # ``request = e.buildHTTPRequest()``, a function of this file
                if isinstance(entry, Node) and entry.type == "call_expression":
                    built = self.request_builder(entry.child_by_field_name("function"))
                    if built is not None:
                        out[node.id] = built
                        break
        return out

    def unsent_builder(self, node: Node, scope: str) -> bool:
        """A request built here, sent by no ``Do`` of this file, in a function that returns requests (a
        builder whose caller sends it elsewhere): the request stays the site. One built only to be checked
        (``if _, err := http.NewRequest(…); err != nil``) is no site."""
        if any(r is not None and r[0].id == node.id for r in self.sent.values()):
            return False
        name = scope.rpartition(".")[2]
        return any(
            q == scope and self.symbol(t, "") == "net/http.Request" for q, t in self.results.get(name, [])
        )

    def request_builder(self, fn: Node | None) -> tuple[Node, str] | None:
        """``buildHTTPRequest`` of ``e.buildHTTPRequest()`` when this file declares it returning
        ``*http.Request``: the ``http.NewRequest`` call inside it (and its scope)."""
        if fn is None:
            return None
        name = text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn)
        for qual, result in self.results.get(name, []):
            if self.symbol(result, "") != "net/http.Request":
                continue
            for call, scope in self.calls:
                if scope == qual and self.symbol(call.child_by_field_name("function"), scope) in NEW_REQUEST:
                    return call, scope
        return None

    def site(self, node: Node, symbol: str | None, args: list[Node], scope: str) -> None:
        if node.id in self.sent:  # the Do that sends a request built here: the request's URL
            value = Value()
            found = self.sent[node.id]
            if found is not None:
                request, where = found
                built = self.symbol(request.child_by_field_name("function"), where)
                value = self.target(find_api(built) or Api("http"), call_args(request), where)
            self.sites.append(
                CallSite(self.path, line(node), "net/http.Client.Do", "http", value.target, value.env, scope)
            )
            return
        if symbol in NEW_REQUEST and not self.unsent_builder(node, scope):
            return  # sent by a Do of this file (that is the site), or built and never sent
        convention = None
        if node.type == "call_expression" and args:  # ``whois.NewClient()`` holds no destination yet
            convention = go_convention(symbol)
        api = find_api(symbol) or convention
        if api is None or not api.site:
            return
        protocol = api.protocol
        if api.driver_arg is not None and api.driver_arg < len(args):
            driver = self.value(args[api.driver_arg], scope).literal or ""
            protocol = DRIVERS.get(driver, protocol)
        value = self.target(api, args, scope)
        self.sites.append(
            CallSite(self.path, line(node), symbol or "", protocol, value.target, value.env, scope)
        )


def index_go(path: str, data: bytes, sha: str) -> FileIndex:
    """Index one Go file.

    Never raises: tree-sitter recovers from syntax errors (what parses is indexed), and an unexpected
    failure comes back as a :class:`FileIndex` with ``error`` set.
    """
    lines = count_lines(data)
    try:
        tree, _ = parse("go", data)
        ix = _Indexer(path)
        ix.collect(tree.root_node)
        ix.finish()
    except Exception as exc:  # a grammar or indexer bug must not stop the index of a whole repository
        return FileIndex(path, "go", sha, lines, error=f"{type(exc).__name__}: {exc}")
    return FileIndex(
        path,
        "go",
        sha,
        lines,
        tuple(sorted(ix.definitions, key=lambda d: (d.line, d.qualname))),
        tuple(sorted(ix.imports, key=lambda i: i.line)),
        tuple(sorted(ix.sites, key=lambda s: (s.line, s.client))),
        tuple(sorted(ix.env_reads, key=lambda e: (e.line, e.name))),
        calls=tuple(sorted(ix.import_calls)),
        exports=ix.package_values(),
    )
