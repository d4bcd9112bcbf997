"""Index one Python file with the standard ``ast``.

Two passes over the tree. The first records what names *are*: imports (with aliases), module-level
constants, the client objects that functions return and that classes keep on ``self``, and
pydantic-settings classes. The second walks every function with its own local names and reports
call sites of the clients in :mod:`wiremap.code.clients`, env reads and definitions.

Types are followed as far as a reader would without running the code: ``s = requests.Session()``,
``self.session = ...`` in ``__init__``, ``with``/``async with ... as s``, ``await``, a factory function
in the same module, a parameter annotated ``requests.Session``. Targets are followed through
constants, f-strings, ``os.environ``/``os.getenv`` (with their defaults) and settings fields.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ._py_names import (
    ENV_FUNCS,
    ENV_MARKERS,
    HTTP_LIKE,
    MAX_DEPTH,
    NOT_PROJECT,
    PENDING,
    SQL_DRIVERS,
    SQL_SCHEMES,
    Module,
    Scope,
    definitions_only,
    inside,
    mentions,
    own_nodes,
)
from ._py_settings import settings_fields
from ._py_values import Resolver
from .clients import FUNCTIONS, METHOD_NAMES, METHODS, Api, is_grpc_stub
from .model import CallSite, Definition, EnvRead, FileIndex

__all__ = ["index_python"]

_PASS_TYPE = frozenset({"enter_context", "enter_async_context"})
_CALL_THROUGH = frozenset({"asyncio.to_thread"})
_FACTORY_FIELD = frozenset({"dataclasses.field", "pydantic.Field"})


class _Indexer(Resolver):
    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.mod = Module(tree)
        self.tree = tree
        self.definitions: list[Definition] = []
        self.sites: list[CallSite] = []
        self.env_reads: list[EnvRead] = []
        self._seen_env: set[tuple[int, int]] = set()
        self._class_quals: set[str] = set()
        self.pending: list[CallSite] = []

    # -- the first pass's client knowledge ------------------------------------------------------------------

    def api_of(self, call: ast.Call, scope: Scope, cls: str | None) -> tuple[str, Api] | None:
        """The client API a call invokes, as ``(client name, Api)``."""
        func = call.func
        dotted = self.mod.resolve(func)
        if dotted is not None:
            api = FUNCTIONS.get(dotted)
            if api is not None:
                return dotted, api
            if is_grpc_stub(dotted):
                return dotted, Api("grpc", target_arg=None)
        if isinstance(func, ast.Attribute):
            owner = self.type_of(func.value, scope, cls)
            if owner is not None:
                api = METHODS.get(owner, {}).get(func.attr)
                if api is not None:
                    return f"{owner}.{func.attr}", api
                if owner.startswith("?") and func.attr in METHOD_NAMES:
                    return f"{owner}.{func.attr}", PENDING
        return None

    def type_of(self, expr: ast.expr, scope: Scope, cls: str | None, depth: int = 0) -> str | None:
        """The client type an expression holds (``requests.Session``), if any."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            return self.type_of(expr.value, scope, cls, depth + 1)
        if isinstance(expr, ast.Name):
            if expr.id in scope.types:
                return scope.types[expr.id]
            if expr.id in self.mod.module_types:
                return self.mod.module_types[expr.id]
            return self.deferred(expr)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id in ("self", "cls")
        ):
            return self.attr_type(cls, expr.attr)
        if isinstance(expr, ast.Attribute):  # ``integrations.http``: an object of another module
            return self.deferred(expr)
        if isinstance(expr, ast.Call):
            hit = self.api_of(expr, scope, cls)
            if hit is not None:
                return hit[1].returns
            f = expr.func
            if isinstance(f, ast.Attribute) and f.attr in _PASS_TYPE and expr.args:
                return self.type_of(expr.args[0], scope, cls, depth + 1)  # stack.enter_async_context(c)
            if isinstance(f, ast.Name) and f.id in self.mod.returns:
                return self.mod.returns[f.id]
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                if f.value.id in ("self", "cls") and cls:
                    return self.mod.returns.get(f"{cls}.{f.attr}")
                if f"{f.value.id}.{f.attr}" in self.mod.returns:
                    return self.mod.returns[f"{f.value.id}.{f.attr}"]
            deferred = self.deferred(f)
            return f"{deferred}()" if deferred else None
        return None

    def attr_type(self, cls: str | None, attr: str, depth: int = 0) -> str | None:
        """``self.attr``'s client type, set in this class or a base class of the same module."""
        if cls is None or depth > MAX_DEPTH:
            return None
        found = self.mod.attrs.get(cls, {}).get(attr) or self.mod.returns.get(f"{cls}.{attr}@property")
        if found is not None:
            return found
        for base in self.mod.bases.get(cls, ()):
            found = self.attr_type(base, attr, depth + 1)
            if found is not None:
                return found
        return None

    def deferred(self, expr: ast.expr) -> str | None:
        """A name imported from the project itself (``from shop.http import make_session``): its type is
        known only once the other module is indexed. ``?shop.http.make_session``, linked later."""
        dotted = self.mod.resolve(expr)
        if dotted is None or dotted in FUNCTIONS:
            return None
        if not dotted.startswith(".") and dotted.split(".")[0] in NOT_PROJECT:  # relative: ours
            return None
        return f"?{dotted}"

    def annotation_type(self, ann: ast.expr | None) -> str | None:
        if ann is None:
            return None
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.BinOp):  # X | None
            return self.annotation_type(ann.left) or self.annotation_type(ann.right)
        if isinstance(ann, ast.Subscript):  # Optional[X], Annotated[X, Depends(...)]
            inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) and ann.slice.elts else ann.slice
            return self.annotation_type(inner)
        if isinstance(ann, ast.Name) and ann.id in self.mod.aliases:  # Client = Annotated[httpx.Client, ...]
            return self.mod.aliases[ann.id]
        dotted = self.mod.resolve(ann)
        if dotted is None:
            return None
        api = FUNCTIONS.get(dotted)
        if api is not None:
            return api.returns
        return dotted if dotted in METHODS else self.deferred(ann)  # an alias of another module: linked

    def note_env(self, node: ast.expr, scope: Scope, cls: str | None) -> None:
        name: str | None = None
        default: str | None = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name = self.env_subscript(node, scope, cls)
        elif isinstance(node, ast.Call) and self.mod.resolve(node.func) in ENV_FUNCS and node.args:
            v = self.call_value(node, scope, cls, 0)
            name, default = v.env, v.default
        if name and (node.lineno, node.col_offset) not in self._seen_env:
            self._seen_env.add((node.lineno, node.col_offset))
            self.env_reads.append(EnvRead(self.path, node.lineno, name, default))

    # -- passes ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        if self.mod.interesting:
            self.first_pass()
        else:  # no client library imported: only env reads (and settings classes) to find
            for node in self.tree.body:
                if isinstance(node, ast.ClassDef):
                    self.settings_class(node)
        self.walk_body(self.tree.body, Scope(), None, "")

    def first_pass(self) -> None:
        mod = self.mod
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                self.settings_class(node)
        for node in self.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                t = self.type_of(value, Scope(), None) if value is not None else None
                if t is None and isinstance(node, ast.AnnAssign):
                    t = self.annotation_type(node.annotation)
                alias = self.annotation_type(value) if isinstance(value, ast.Subscript) else None
                for tgt in targets:
                    if t and isinstance(tgt, ast.Name):
                        mod.module_types[tgt.id] = t
                    if alias and isinstance(tgt, ast.Name):
                        mod.aliases[tgt.id] = alias
        self.constructor_arguments()
        # functions' return types and classes' attributes: two rounds so factories may use factories
        for _ in range(2):
            for node in self.tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.learn_function(node, None, node.name)
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                            key = f"{node.name}.{item.name}"
                            self.learn_function(item, node.name, key)
                            if key in mod.returns and any(_is_property(d) for d in item.decorator_list):
                                mod.returns[f"{key}@property"] = mod.returns[key]
                        elif isinstance(item, ast.Assign | ast.AnnAssign):
                            self.learn_class_attribute(node.name, item)

    def learn_class_attribute(self, cls: str, item: ast.Assign | ast.AnnAssign) -> None:
        """``session = requests.Session()`` in a class body, or ``client: httpx.Client`` (typed field),
        or ``http: requests.Session = field(default_factory=requests.Session)``."""
        t = self.type_of(item.value, Scope(), cls) if item.value is not None else None
        if t is None and isinstance(item.value, ast.Call):
            t = self.default_factory_type(item.value)
        if t is None and isinstance(item, ast.AnnAssign):
            t = self.annotation_type(item.annotation)
        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
        for tgt in targets:
            if t and isinstance(tgt, ast.Name):
                self.mod.attrs.setdefault(cls, {})[tgt.id] = t

    def default_factory_type(self, call: ast.Call) -> str | None:
        """``field(default_factory=requests.Session)``: the client type the factory builds."""
        for kw in call.keywords:
            if kw.arg == "default_factory":
                dotted = self.mod.resolve(kw.value)
                api = FUNCTIONS.get(dotted or "")
                return api.returns if api is not None else None
        return None

    def constructor_arguments(self) -> None:
        """Arguments passed to each class's constructor in this module (``cls(os.environ["URL"])`` in a
        ``from_env`` classmethod), so ``self.base_url = base_url`` in ``__init__`` can be traced to them."""
        inits: dict[str, tuple[ast.ClassDef, list[str]]] = {}
        for node in self.tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            init = next(
                (i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None
            )
            if init is None:
                continue
            inits[node.name] = (node, [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:])
        if not inits:
            return
        for sub in ast.walk(self.tree):
            if not isinstance(sub, ast.Call) or not isinstance(sub.func, ast.Name):
                continue
            if sub.func.id in inits:
                cls_name = sub.func.id
            elif sub.func.id == "cls":
                cls_name = next((n for n, (c, _) in inits.items() if inside(c, sub)), "")
                if not cls_name:
                    continue
            else:
                continue
            found = self.mod.ctor_args.setdefault(cls_name, {})
            for name, arg in zip(inits[cls_name][1], sub.args, strict=False):
                found.setdefault(name, arg)
            for kw in sub.keywords:
                if kw.arg:
                    found.setdefault(kw.arg, kw.value)
        # a parameter no call of this module gives has its default (``base_url=LEDGER_URL``)
        for cls_name, (node, _) in inits.items():
            init = next(i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__")
            for name, default in _defaults(init).items():
                self.mod.ctor_args.setdefault(cls_name, {}).setdefault(name, default)

    def settings_class(self, node: ast.ClassDef) -> None:
        for line, env, default in settings_fields(self.mod, node):
            self.env_reads.append(EnvRead(self.path, line, env, default))

    def learn_function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None, key: str) -> None:
        scope = self.params(fn, cls)
        for node in own_nodes(fn):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                t = self.type_of(node.value, scope, cls)
                for tgt in targets:
                    if isinstance(tgt, ast.Name):
                        _bind(scope, tgt.id, node.value, t, forget=False)
                    elif (
                        cls
                        and isinstance(tgt, ast.Attribute)
                        and isinstance(tgt.value, ast.Name)
                        and tgt.value.id == "self"
                    ):
                        if t:
                            self.mod.attrs.setdefault(cls, {})[tgt.attr] = t
                        self.mod.attr_values.setdefault(cls, {}).setdefault(tgt.attr, node.value)
            elif isinstance(node, ast.With | ast.AsyncWith):
                self.bind_with(node, scope, cls)
            elif (
                isinstance(node, ast.Return | ast.Yield) and node.value is not None
            ):  # yield: @contextmanager
                t = self.type_of(node.value, scope, cls)
                if t:
                    self.mod.returns[key] = t

    def params(self, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, cls: str | None) -> Scope:
        scope = Scope()
        if isinstance(fn, ast.Lambda):
            return scope
        if cls and fn.name == "__init__":
            scope.values.update(self.mod.ctor_args.get(cls, {}))
        for name, default in _defaults(fn).items():  # what a parameter is when the caller leaves it out
            scope.values.setdefault(name, default)
        a = fn.args
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs):
            t = self.annotation_type(arg.annotation)
            if t:
                scope.types[arg.arg] = t
        return scope

    def bind_with(self, node: ast.With | ast.AsyncWith, scope: Scope, cls: str | None) -> None:
        for item in node.items:
            self.bind_item(item, scope, cls)

    def bind_item(self, item: ast.withitem, scope: Scope, cls: str | None) -> None:
        if isinstance(item.optional_vars, ast.Name):
            t = self.type_of(item.context_expr, scope, cls)
            if t:
                scope.types[item.optional_vars.id] = t
            else:
                scope.types.pop(item.optional_vars.id, None)
            scope.values[item.optional_vars.id] = item.context_expr

    def walk_body(self, body: list[ast.stmt], scope: Scope, cls: str | None, qual: str) -> None:
        for stmt in body:
            self.visit(stmt, scope, cls, qual)

    def visit(self, node: ast.AST, scope: Scope, cls: str | None, qual: str) -> None:
        """Second pass, in source order, so a local name has the type of its latest assignment."""
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{qual}.{node.name}" if qual else node.name
            kind = "method" if qual in self._class_quals else "function"
            end = node.end_lineno or node.lineno
            self.definitions.append(Definition(node.name, name, kind, node.lineno, end))
            for d in node.decorator_list:
                self.visit(d, scope, cls, qual)
            for default in (*node.args.defaults, *node.args.kw_defaults):
                if default is not None:
                    self.visit(default, scope, cls, qual)
            inner = self.params(node, cls)
            inner.values = {**scope.values, **inner.values}  # a parameter's own value shadows the outer name
            for k, v in scope.types.items():
                inner.types.setdefault(k, v)
            self.walk_body(node.body, inner, cls, name)
            return
        if isinstance(node, ast.ClassDef):
            name = f"{qual}.{node.name}" if qual else node.name
            self._class_quals.add(name)
            end = node.end_lineno or node.lineno
            self.definitions.append(Definition(node.name, name, "class", node.lineno, end))
            for expr in (*node.bases, *node.decorator_list):
                self.visit(expr, scope, cls, qual)
            self.walk_body(node.body, Scope(), node.name, name)
            return
        if isinstance(node, ast.Lambda):
            self.visit(node.body, scope, cls, qual)
            return
        if isinstance(node, ast.Assign | ast.AnnAssign):
            if node.value is not None:
                self.visit(node.value, scope, cls, qual)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                t = self.type_of(node.value, scope, cls)
                for tgt in targets:
                    if isinstance(tgt, ast.Name):
                        _bind(scope, tgt.id, node.value, t, forget=bool(qual))
                    else:
                        self.visit(tgt, scope, cls, qual)
            return
        if isinstance(node, ast.NamedExpr):
            self.visit(node.value, scope, cls, qual)
            scope.values[node.target.id] = node.value
            t = self.type_of(node.value, scope, cls)
            if t:
                scope.types[node.target.id] = t
            return
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:  # one by one: a later item may use an earlier one's name
                self.visit(item.context_expr, scope, cls, qual)
                self.bind_item(item, scope, cls)
            self.walk_body(node.body, scope, cls, qual)
            return
        if isinstance(node, ast.Call):
            self.call(node, scope, cls, qual)
        elif isinstance(node, ast.Subscript):
            self.note_env(node, scope, cls)
        elif isinstance(node, ast.arg | ast.arguments):
            return  # annotations are not calls
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr_context):
                continue
            self.visit(child, scope, cls, qual)

    def called_through(self, node: ast.Call) -> ast.Call:
        """``asyncio.to_thread(requests.get, url)`` and ``field(default_factory=requests.Session)`` call the
        client function they are given: read them as that call (same line)."""
        dotted = self.mod.resolve(node.func)
        if dotted in _CALL_THROUGH and node.args:
            inner = ast.Call(func=node.args[0], args=node.args[1:], keywords=node.keywords)
        elif dotted in _FACTORY_FIELD:
            factory = next((kw.value for kw in node.keywords if kw.arg == "default_factory"), None)
            if factory is None:
                return node
            inner = ast.Call(func=factory, args=[], keywords=[])
        else:
            return node
        return ast.copy_location(inner, node)

    def exports(self) -> tuple[tuple[str, str], ...]:
        """What other modules may import from this one: module-level client objects (``name``) and
        functions that return one (``name()``), for linking their method calls (see index.py)."""
        out = dict(self.mod.module_types)
        out.update(self.mod.aliases)
        out.update({f"{k}()": v for k, v in self.mod.returns.items() if "." not in k})
        for name, expr in self.mod.constants.items():  # URL settings, for a SQL engine made elsewhere
            v = self.value_of(expr, Scope(), None)
            url = v.literal or v.default
            if url and "://" in url:
                out[f"={name}"] = url
        return tuple(sorted(out.items()))

    def sql_driver(self) -> str | None:
        """A SQLAlchemy engine whose URL we cannot read: the database driver the module imports."""
        for module in self.mod.imports.values():
            protocol = SQL_DRIVERS.get(module.split(".")[0])
            if protocol:
                return protocol
        return None

    def call(self, node: ast.Call, scope: Scope, cls: str | None, qual: str) -> None:
        self.note_env(node, scope, cls)
        node = self.called_through(node)
        hit = self.api_of(node, scope, cls)
        if hit is None:
            return
        client, api = hit
        if api is PENDING:
            value = self.target_of(node, HTTP_LIKE, scope, cls)
            target = value.literal or value.default
            self.pending.append(CallSite(self.path, node.lineno, client, "?", target, value.env, qual))
            return
        if not api.site:
            return
        value = self.target_of(node, api, scope, cls)
        target = value.literal or value.default
        protocol = api.protocol
        if protocol == "sql":
            scheme = (target or "").split("://", 1)[0].split("+", 1)[0].lower() if target else ""
            protocol = SQL_SCHEMES.get(scheme) or self.sql_driver() or "sql"
            if target is None and protocol == "sql":  # the URL is a setting of another module: linked later
                expr = _target_expr(node, api)
                target = self.deferred(expr) if expr is not None else None
        self.sites.append(CallSite(self.path, node.lineno, client, protocol, target, value.env, qual))


def _bind(scope: Scope, name: str, value: ast.expr, client_type: str | None, *, forget: bool) -> None:
    """``name = value``: its client type (a local without one forgets the old one when ``forget``) and its
    value, unless the value reads the name itself (``x = x.with_password(p)``: keep what x was)."""
    if client_type:
        scope.types[name] = client_type
    elif forget:
        scope.types.pop(name, None)
    if not mentions(value, name):
        scope.values[name] = value


def _defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """Each parameter with a default, and the default (read at module level: constants, env reads)."""
    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    out = {
        arg.arg: d for arg, d in zip(positional[len(positional) - len(a.defaults) :], a.defaults, strict=True)
    }
    out.update({arg.arg: d for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is not None})
    return out


def _target_expr(call: ast.Call, api: Api) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg in api.target_keywords:
            return kw.value
    if api.target_arg is not None and len(call.args) > api.target_arg:
        return call.args[api.target_arg]
    return None


def _project_calls(path: str, tree: ast.Module, mod: Module) -> Iterator[CallSite]:
    """The light pass of a file that imports no client library: method calls straight on an object of
    another project module (``integrations.http.get(url)``, ``warehouse.put(path)``), left for the linker."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in METHOD_NAMES:
            continue
        dotted = mod.resolve(node.func.value)
        if dotted is None or (not dotted.startswith(".") and dotted.split(".")[0] in NOT_PROJECT):
            continue
        first = node.args[0] if node.args else None
        target = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        yield CallSite(path, node.lineno, f"?{dotted}.{node.func.attr}", "?", target, None, "")


def _import_calls(tree: ast.Module, mod: Module) -> tuple[tuple[int, str], ...]:
    """``(line, dotted)`` of each call of a name an import binds, by its imported name: ``mqtt.Client()``
    after ``import paho.mqtt.client as mqtt`` is ``paho.mqtt.client.Client``, ``socket.create_connection``
    is itself (see ``FileIndex.calls``)."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            dotted = mod.resolve(node.func)
            if dotted is not None and "." in dotted.lstrip("."):
                found.add((node.lineno, dotted))
    return tuple(sorted(found))


def _is_property(decorator: ast.expr) -> bool:
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
    return name in ("property", "cached_property")


def index_python(path: str, data: bytes, sha: str) -> FileIndex:
    """Index one Python file; a file that does not parse comes back with ``error`` set."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    try:
        tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, SyntaxError) and exc.lineno else ""
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc) or type(exc).__name__
        return FileIndex(path, "python", sha, lines, error=f"{where}{message}")
    indexer = _Indexer(path, tree)
    if not indexer.mod.interesting and not any(m in data for m in ENV_MARKERS):
        # nothing to find but names: skip the type analysis (most files of a large tree)
        defs = definitions_only(tree)
        pending = tuple(_project_calls(path, tree, indexer.mod)) if indexer.mod.project_imports else ()
        return FileIndex(
            path,
            "python",
            sha,
            lines,
            tuple(defs),
            tuple(indexer.mod.import_refs),
            pending=pending,
            calls=_import_calls(tree, indexer.mod),
        )
    try:
        indexer.run()
    except RecursionError:
        return FileIndex(path, "python", sha, lines, error="too deeply nested to analyse")
    indexer.definitions.sort(key=lambda d: (d.line, d.qualname))
    return FileIndex(
        path,
        "python",
        sha,
        lines,
        tuple(indexer.definitions),
        tuple(indexer.mod.import_refs),
        tuple(sorted(indexer.sites, key=lambda s: (s.line, s.client))),
        tuple(sorted(indexer.env_reads, key=lambda e: (e.line, e.name))),
        pending=tuple(indexer.pending),
        exports=indexer.exports(),
        calls=_import_calls(tree, indexer.mod),
    )
