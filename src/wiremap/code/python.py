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
import re
from collections.abc import Iterator

from ._py_names import (
    ENV_FUNCS,
    ENV_MARKERS,
    ENV_OBJECT,
    ENV_OBJECT_METHODS,
    HTTP_LIKE,
    MAX_DEPTH,
    NOT_PROJECT,
    PENDING,
    SQL_DRIVERS,
    SQL_SCHEMES,
    Module,
    Scope,
    Value,
    definitions_only,
    inside,
    mentions,
    own_nodes,
)
from ._py_settings import settings_fields
from ._py_values import Resolver
from .clients import FUNCTIONS, HTTP_VERBS, METHODS, TARGET_KEYWORDS, Api, is_grpc_stub
from .conventions import (
    PENDING_NAMES,
    URL_KEYWORDS,
    convention_api,
    is_third_party,
    not_a_client,
    opened,
    scheme_protocol,
)
from .link import ATTR, LOCAL, module_name
from .model import CallSite, Definition, EnvRead, FileIndex
from .packages import package_of

__all__ = ["index_python"]

_PASS_TYPE = frozenset({"enter_context", "enter_async_context"})
_CALL_THROUGH = frozenset({"asyncio.to_thread"})
_FACTORY_FIELD = frozenset({"dataclasses.field", "pydantic.Field"})


# keywords that give a function the address of the API it calls (not a broker or a database: those
# are given to clients)
# what a subclass of a client class calls on itself to reach the peer (HTTP verbs only for HTTP packages)
_INHERITED_SENDS = frozenset(
    {"send", "_send", "post", "_post", "request", "_request", "notify", "_notify", "fetch", "_fetch",
     "put", "patch", "delete", "get", "head"}
)  # fmt: skip
_API_ADDRESS = frozenset({"base_url", "api_base", "api_url", "api_base_url", "endpoint_url", "server_url"})


class _Indexer(Resolver):
    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.mod = Module(tree)
        self.tree = tree
        self.definitions: list[Definition] = []
        self.sites: list[CallSite] = []
        self.env_reads: list[EnvRead] = []
        self._seen_env: set[tuple[int, int, str]] = set()
        self._class_quals: set[str] = set()
        self.pending: list[CallSite] = []
        self._transports: set[int] = set()  # client calls passed to another client as its transport
        # class -> (its listed third-party base, that package's protocol, the methods the class defines)
        self._third_bases: dict[str, tuple[str, str, frozenset[str]]] = {}

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
            conv = convention_api(dotted, _given(call))
            if conv is not None and not (conv.site and _subscribes(call, self.mod, dotted)):
                return dotted, conv
        if isinstance(func, ast.Attribute):
            if func.attr == "refresh" and _token_request(call, self.mod):
                return "google.auth.credentials.refresh", _TOKEN_REFRESH
            if func.attr in _BROWSER_METHODS and call.args and self.mod.imports_any(_BROWSERS):
                return f"browser.{func.attr}", _BROWSER_METHODS[func.attr]  # ``page.goto(url)``
            owner = self.type_of(func.value, scope, cls)
            if owner is not None:
                api = METHODS.get(owner, {}).get(func.attr) or opened(owner, func.attr)
                if api is not None:
                    return f"{owner.rpartition('~')[2]}.{func.attr}", api
                if owner.startswith("?") and func.attr in PENDING_NAMES:
                    return f"{owner}.{func.attr}", PENDING
        if dotted is not None and call.keywords:
            return self.url_keyword(call, dotted, scope, cls)
        return None

    def url_keyword(
        self, call: ast.Call, dotted: str, scope: Scope, cls: str | None
    ) -> tuple[str, Api] | None:
        """A third-party class given a connection URL by a keyword that says so (``Limiter(storage_uri=…)``,
        ``Celery(broker=…)``): it connects there."""
        last = dotted.rpartition(".")[2]
        if not is_third_party(dotted) or not_a_client(last):
            return None
        if not last[:1].isupper() and not (  # a function of a listed client package given an API's address:
            # ``litellm.get_valid_models(api_base=…)`` lists the models of that endpoint (a hold-out miss)
            package_of(dotted) is not None and any(kw.arg in _API_ADDRESS for kw in call.keywords)
        ):
            return None
        for kw in call.keywords:
            if kw.arg in URL_KEYWORDS:
                v = self.value_of(kw.value, scope, cls)
                url = v.literal or v.default
                protocol = (scheme_protocol(url) if url else None) or (
                    package.protocol if (package := package_of(dotted)) is not None else None
                )
                return dotted, Api(protocol or "unknown", target_keywords=(kw.arg,))
        return None

    def type_of(self, expr: ast.expr, scope: Scope, cls: str | None, depth: int = 0) -> str | None:
        """The client type an expression holds (``requests.Session``), if any."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            return self.type_of(expr.value, scope, cls, depth + 1)
        if isinstance(expr, ast.BoolOp | ast.IfExp):
            # ``session = session or make_session()``, ``c if c else Client()``: the type an operand holds
            # (the call on it was no site: round 61)
            operands = expr.values if isinstance(expr, ast.BoolOp) else [expr.body, expr.orelse]
            return next((t for v in operands if (t := self.type_of(v, scope, cls, depth + 1))), None)
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
            found = self.deferred(expr)
            if found is not None:
                return found
            owner = self.type_of(expr.value, scope, cls, depth + 1)  # ``conn.c``: an attribute of a value
            if owner is not None and owner.startswith(LOCAL):
                return self.attr_type(owner[1:], expr.attr)
            if owner is not None and owner.startswith("?"):
                return f"{owner}{ATTR}{expr.attr}"  # known once the other module is (see link.py)
            return None
        if isinstance(expr, ast.Call):
            hit = self.api_of(expr, scope, cls)
            if hit is not None:
                return f"{hit[0]}()" if hit[1] is PENDING and not hit[0].startswith(LOCAL) else hit[1].returns
            f = expr.func
            if isinstance(f, ast.Attribute) and f.attr in _PASS_TYPE and expr.args:
                return self.type_of(expr.args[0], scope, cls, depth + 1)  # stack.enter_async_context(c)
            if isinstance(f, ast.Name) and f.id in self.mod.returns:
                return self.mod.returns[f.id]
            if isinstance(f, ast.Name) and f.id in self.mod.bases and f.id not in scope.values:
                return f"{LOCAL}{f.id}"  # an instance of a class of this module: its attributes are known
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                if f.value.id in ("self", "cls") and cls:
                    return self.mod.returns.get(f"{cls}.{f.attr}")
                if f"{f.value.id}.{f.attr}" in self.mod.returns:
                    return self.mod.returns[f"{f.value.id}.{f.attr}"]
            deferred = self.deferred(f)
            if deferred is not None:
                return f"{deferred}()"
            if isinstance(f, ast.Attribute):  # ``self.pool.get()``: a method of a value's class
                owner = self.type_of(f.value, scope, cls, depth + 1)
                if owner is not None and owner.startswith(LOCAL):
                    return self.mod.returns.get(f"{owner[1:]}.{f.attr}")
                if owner is not None and owner.startswith("?"):
                    return f"{owner}{ATTR}{f.attr}()"
            return None
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
        if isinstance(ann, ast.Name) and ann.id in self.mod.bases:  # a class of this module
            return f"{LOCAL}{ann.id}"
        dotted = self.mod.resolve(ann)
        if dotted is None:
            return None
        api = FUNCTIONS.get(dotted)
        if api is not None:
            return api.returns
        return dotted if dotted in METHODS else self.deferred(ann)  # an alias of another module: linked

    def bind_loop(self, node: ast.For | ast.AsyncFor, scope: Scope, cls: str | None) -> None:
        """``for name in ("A", "B")``, ``for key, opt in {"A": 1}.items()``, ``for t in [{"env": "A"}]``:
        the items a loop variable takes, when the code lists them (env reads named by it: one each)."""
        it, target = node.iter, node.target
        pairs = False
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args:
            pairs = it.func.attr == "items"
            it = it.func.value if it.func.attr in ("items", "keys", "values") else it
        items = self.literal_items(it, scope, cls)
        if items is None:
            for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                scope.loops.pop(name, None)
            return
        if isinstance(target, ast.Name):
            scope.loops[target.id] = [k for k, _ in items]
        elif pairs and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            for elt, n in zip(target.elts, (0, 1), strict=True):
                if isinstance(elt, ast.Name):
                    scope.loops[elt.id] = [e for e in (pair[n] for pair in items) if e is not None]

    def literal_items(
        self, expr: ast.expr, scope: Scope, cls: str | None, depth: int = 0
    ) -> list[tuple[ast.expr, ast.expr | None]] | None:
        """The items of a list, tuple or set literal (``(item, None)``), or a dict literal's ``(key, value)``,
        followed through a name or a class attribute."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            return [(e, None) for e in expr.elts]
        if isinstance(expr, ast.Dict):
            return [(k, v) for k, v in zip(expr.keys, expr.values, strict=True) if k is not None]
        if isinstance(expr, ast.Name):
            bound = scope.values.get(expr.id) or self.mod.constants.get(expr.id)
            return self.literal_items(bound, scope, cls, depth + 1) if bound is not None else None
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "self"
            and cls
        ):
            bound = self.mod.class_values.get(cls, {}).get(expr.attr)
            return self.literal_items(bound, Scope(), cls, depth + 1) if bound is not None else None
        return None

    def loop_reads(self, name_expr: ast.expr, scope: Scope, cls: str | None) -> list[str]:
        """An env var named by a loop variable over listed items: the name each item gives."""
        names = {n.id for n in ast.walk(name_expr) if isinstance(n, ast.Name) and n.id in scope.loops}
        if len(names) != 1:
            return []
        var = names.pop()
        out: list[str] = []
        for item in scope.loops[var]:
            each = Scope(scope.types, {**scope.values, var: item})
            literal = self.value_of(name_expr, each, cls).literal
            if literal:
                out.append(literal)
        return out

    def note_env(self, node: ast.expr, scope: Scope, cls: str | None) -> None:
        name: str | None = None
        default: str | None = None
        if scope.loops and (name_expr := _env_name_expr(node, self.mod)) is not None:
            looped = self.loop_reads(name_expr, scope, cls)
            for each in looped:
                self.add_env(node, each, None, scope_key=each)
            if looped:
                return
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name = self.env_subscript(node, scope, cls)
        elif (
            isinstance(node, ast.Compare)
            and len(node.comparators) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
        ):
            if self.mod.resolve(node.comparators[0]) == "os.environ":  # ``"X" in os.environ``
                name = self.value_of(node.left, scope, cls).literal
        elif isinstance(node, ast.Call) and self.mod.resolve(node.func) in ENV_FUNCS and node.args:
            v = self.call_value(node, scope, cls, 0)
            name, default = v.env, v.default
        elif isinstance(node, ast.Call) and node.args:
            for read, read_default in self.indirect_env(node, scope, cls):
                self.add_env(node, read, read_default, scope_key=read)
            self.envvar_option(node, scope, cls)
            return
        elif isinstance(node, ast.Call):
            self.envvar_option(node, scope, cls)
            return
        if name:
            self.add_env(node, name, default)

    def envvar_option(self, call: ast.Call, scope: Scope, cls: str | None) -> None:
        """A command-line option read from the environment: click's and typer's ``envvar="X"`` (or a list)."""
        for kw in call.keywords:
            if kw.arg != "envvar":
                continue
            items = kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple) else [kw.value]
            for item in items:
                name = self.value_of(item, scope, cls).literal
                if name:
                    self.add_env(call, name, None, scope_key=name)

    def add_env(self, node: ast.expr, name: str, default: str | None, scope_key: str = "") -> None:
        key = (node.lineno, node.col_offset, scope_key)
        if _ENV_NAME.match(name) and key not in self._seen_env:
            self._seen_env.add(key)
            self.env_reads.append(EnvRead(self.path, node.lineno, name, default))

    def indirect_env(self, call: ast.Call, scope: Scope, cls: str | None) -> list[tuple[str, str | None]]:
        """Env reads through a settings library's object (``env.str("X")``, ``env("X")``) or through a
        helper of this module that reads the variable its argument names (``envint("X", "1")``,
        ``envsecret("X")`` reading ``X_FILE`` too): each ``(name, default)``."""
        func = call.func
        target = func.value if isinstance(func, ast.Attribute) and func.attr in ENV_OBJECT_METHODS else func
        if self.type_of(target, scope, cls) == ENV_OBJECT:
            v = self.value_of(call.args[0], scope, cls)
            d = self.value_of(call.args[1], scope, cls) if len(call.args) > 1 else Value()
            return [(v.literal, d.literal)] if v.literal else []
        if isinstance(func, ast.Attribute):  # ``settings.env("X")``: maybe another module's env helper
            first = self.value_of(call.args[0], scope, cls).literal
            origin = self.deferred(func) if first and _ENV_NAME.match(first) else None
            if origin is not None:
                self.pending.append(CallSite(self.path, call.lineno, f"{origin}()", "env", first))
            return []
        if not isinstance(func, ast.Name):
            return []
        helper = self.mod.env_helpers.get(func.id)
        if helper is None:
            first = self.value_of(call.args[0], scope, cls).literal
            origin = self.deferred(func) if first and _ENV_NAME.match(first) else None
            if origin is not None:  # maybe a helper of another module: the linker knows (see link.py)
                self.pending.append(CallSite(self.path, call.lineno, f"{origin}()", "env", first))
            return []
        args = [self.value_of(a, scope, cls).literal for a in call.args]
        return [(n, d) for n, d in self.helper_reads(helper, args) if _PARAM not in n]

    def helper_reads(self, helper: ast.FunctionDef, args: list[str | None]) -> list[tuple[str, str | None]]:
        """The variables ``helper`` reads when called with ``args`` (a literal each, or None)."""
        bound = Scope()
        params = [a.arg for a in (*helper.args.posonlyargs, *helper.args.args)]
        for param, literal in zip(params, args, strict=False):
            if literal is not None:
                bound.values[param] = ast.Constant(literal)
        out: list[tuple[str, str | None]] = []
        for node in own_nodes(helper):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                name = self.env_subscript(node, bound, None)
                if name:
                    out.append((name, None))
            elif isinstance(node, ast.Call) and self.mod.resolve(node.func) in ENV_FUNCS and node.args:
                v = self.call_value(node, bound, None, 0)
                if v.env:
                    out.append((v.env, v.default))
        return list(dict.fromkeys(out))

    def setting_of(self, expr: ast.expr, scope: Scope, cls: str | None, depth: int = 0) -> str | None:
        """The other module's setting an expression is, followed through locals, parameter defaults,
        constructor arguments and ``self`` attributes: ``?orders.settings.REDIS_URL`` for ``url`` in
        ``def __init__(self, url=settings.REDIS_URL): redis.Redis.from_url(url)``."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            if expr.id in scope.values:
                return self.setting_of(scope.values[expr.id], scope, cls, depth + 1)
            if expr.id in self.mod.constants:
                return self.setting_of(self.mod.constants[expr.id], Scope(), None, depth + 1)
            found = self.deferred(expr)
            return found
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == "self" and cls:
                inner = self.mod.attr_values.get(cls, {}).get(expr.attr)
                if inner is None:
                    return None
                init = Scope(values=dict(self.mod.ctor_args.get(cls, {})))
                return self.setting_of(inner, init, cls, depth + 1)
            return self.deferred(expr)
        if (
            isinstance(expr, ast.Call)
            and expr.args
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "str"
        ):
            return self.setting_of(expr.args[0], scope, cls, depth + 1)
        return None

    def call_value(self, call: ast.Call, scope: Scope, cls: str | None, depth: int) -> Value:
        """Also a call of an env helper of this module: ``env("GEO_API_URL", "http://…")`` is that
        variable, with that default."""
        func = call.func
        helper = self.mod.env_helpers.get(func.id) if isinstance(func, ast.Name) else None
        if helper is not None and call.args and depth <= MAX_DEPTH:
            args = [self.value_of(a, scope, cls, depth + 1).literal for a in call.args]
            reads = [(n, d) for n, d in self.helper_reads(helper, args) if _PARAM not in n]
            if reads:
                return Value(env=reads[-1][0], default=reads[-1][1])
        return super().call_value(call, scope, cls, depth)

    def find_env_helpers(self) -> None:
        """Functions of this module whose env read is named by their first parameter."""
        for node in self.tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.args.args:
                continue
            first = node.args.args[0].arg
            for sub in own_nodes(node):
                name_expr: ast.expr | None = None
                if isinstance(sub, ast.Subscript) and self.mod.resolve(sub.value) == "os.environ":
                    name_expr = sub.slice
                elif isinstance(sub, ast.Call) and self.mod.resolve(sub.func) in ENV_FUNCS and sub.args:
                    name_expr = sub.args[0]
                if name_expr is not None and mentions(name_expr, first):
                    self.mod.env_helpers[node.name] = node
                    break

    # -- passes ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        self.find_env_helpers()
        if self.mod.interesting:
            self.first_pass()
        else:  # no client library imported: only env reads (and settings classes) to find
            for node in self.tree.body:
                if isinstance(node, ast.ClassDef):
                    self.settings_class(node)
        self.walk_body(self.tree.body, Scope(), None, "")

    def inherited(self, call: ast.Call, cls: str | None) -> tuple[str, Api] | None:
        """``self._send(payload)`` or ``super().send(…)`` in a class deriving from a listed client package's
        class, of a method the class does not define: the base class's send (an apprise plugin's
        subclass posted to Discord through its inherited ``_send``: a hold-out miss)."""
        func = call.func
        if cls is None or not isinstance(func, ast.Attribute) or func.attr not in _INHERITED_SENDS:
            return None
        owner = func.value
        by_self = isinstance(owner, ast.Name) and owner.id == "self"
        by_super = (
            isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"
        )
        found = self._third_bases.get(cls.split(".")[0]) if by_self or by_super else None
        if found is None:
            return None
        base, protocol, own = found
        if by_self and func.attr in own:
            return None  # the class's own method: its body is read where it is written
        api = METHODS.get(FUNCTIONS[base].returns or "", {}).get(func.attr) if base in FUNCTIONS else None
        if api is None and func.attr in HTTP_VERBS and protocol != "http":
            return None  # ``self.get(key)`` of a Redis subclass: an operation, not a request
        return f"{base}.{func.attr}", api or Api(protocol, target_arg=None)

    def first_pass(self) -> None:
        mod = self.mod
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                self.settings_class(node)
                for base in node.bases:  # a listed client package's class: its inherited sends are sites
                    dotted = mod.resolve(base)
                    package = package_of(dotted) if dotted is not None and is_third_party(dotted) else None
                    if dotted is not None and package is not None:
                        own = {
                            n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                        }
                        self._third_bases.setdefault(node.name, (dotted, package.protocol, frozenset(own)))
                for (
                    base
                ) in node.bases:  # ``class ConfiguredSession(requests.Session)``: its instances are one
                    api = FUNCTIONS.get(mod.resolve(base) or "")
                    if api is not None and api.returns:
                        mod.returns.setdefault(node.name, api.returns)
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
        if isinstance(node, ast.For | ast.AsyncFor):
            self.visit(node.iter, scope, cls, qual)
            self.bind_loop(node, scope, cls)
            for stmt in (*node.body, *node.orelse):
                self.visit(stmt, scope, cls, qual)
            return
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:  # one by one: a later item may use an earlier one's name
                self.visit(item.context_expr, scope, cls, qual)
                self.bind_item(item, scope, cls)
            self.walk_body(node.body, scope, cls, qual)
            return
        if isinstance(node, ast.Call):
            self.call(node, scope, cls, qual)
        elif isinstance(node, ast.Subscript | ast.Compare):
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
        out = {bound: f"@{module}" for bound, module in self.mod.client_modules()}
        out.update(self.mod.module_types)
        out.update(self.mod.aliases)
        for key, t in self.mod.returns.items():  # functions, and methods of classes (``ConnMan.get()``)
            if key.endswith("@property"):
                out[key.removesuffix("@property")] = t
            else:
                out[f"{key}()"] = t
        for cls_name, attrs in self.mod.attrs.items():  # what a class's instances hold (``conn.c``)
            for attr, t in attrs.items():
                out.setdefault(f"{cls_name}.{attr}", t)
        here = module_name(self.path)
        out = {k: f"{LOCAL}{here}.{v[1:]}" if v.startswith(LOCAL) else v for k, v in out.items()}
        for name, helper in self.mod.env_helpers.items():  # ``getenv_int("X")`` in another module
            names = [n for n, _ in self.helper_reads(helper, [_PARAM]) if _PARAM in n]
            if names:
                out[f"{name}(env)"] = "|".join(names)
        for name, expr in self.mod.constants.items():  # a settings object: ``vendor_settings.acme_base_url``
            if (
                isinstance(expr, ast.Call)
                and isinstance(expr.func, ast.Name)
                and expr.func.id in self.mod.settings_classes
            ):
                for field_name, env in self.mod.settings_fields.items():
                    out[f"${name}.{field_name}"] = env
                    if (default := self.mod.settings_defaults.get(field_name)) is not None:
                        out[f"={name}.{field_name}"] = default
        for name, expr in self.mod.constants.items():  # settings another module's client is given
            v = self.value_of(expr, Scope(), None)
            url = v.literal or v.default
            if url and not url.startswith("?") and len(url) < 300:
                out[f"={name}"] = url
            if v.env:
                out[f"${name}"] = v.env
        return tuple(sorted(out.items()))

    def sql_driver(self) -> str | None:
        """A SQLAlchemy engine whose URL we cannot read: the database driver the module imports."""
        for module in self.mod.imports.values():
            protocol = SQL_DRIVERS.get(module.split(".")[0])
            if protocol:
                return protocol
        return None

    def on_base_url(self, node: ast.Call, path: Value, scope: Scope, cls: str | None) -> Value:
        """A path called on a client made with its base URL (``inventory = httpx.AsyncClient(base_url=
        INVENTORY_URL)`` then ``inventory.get("/v1/stock")``): the base URL and the path, with its env var
        (it was the path alone, and two clients of one file left it without a destination: round 56)."""
        func = node.func
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            return path
        name = func.value.id
        made = scope.values.get(name) or (self.mod.constants.get(name) if name not in scope.types else None)
        if not isinstance(made, ast.Call):
            return path
        base_expr = next((kw.value for kw in made.keywords if kw.arg in _API_ADDRESS), None)
        if base_expr is None:
            return path
        base = self.value_of(base_expr, scope, cls)
        head = base.literal or base.default
        if head is None and base.env is None:
            return path
        joined = (head.rstrip("/") + (path.literal or path.default or "")) if head is not None else None
        if base.literal is not None:
            return Value(literal=joined, env=base.env)
        return Value(env=base.env, default=joined)

    def call(self, node: ast.Call, scope: Scope, cls: str | None, qual: str) -> None:
        self.note_env(node, scope, cls)
        node = self.called_through(node)
        hit = self.api_of(node, scope, cls) or self.inherited(node, cls)
        if hit is None:
            if node.args and isinstance(node.func, ast.Name):  # maybe a library function re-exported
                dotted = self.mod.resolve(node.func)
                if dotted is not None and "." in dotted and _ours(dotted):
                    value = self.target_of(node, HTTP_LIKE, scope, cls)
                    self.pending.append(
                        CallSite(
                            self.path,
                            node.lineno,
                            f"?{dotted}",
                            "?",
                            value.literal or value.default,
                            value.env,
                            qual,
                        )
                    )
            return
        client, api = hit
        if api is PENDING:
            value = self.target_of(node, HTTP_LIKE, scope, cls)
            target = value.literal or value.default
            self.pending.append(CallSite(self.path, node.lineno, client, "?", target, value.env, qual))
            return
        if not api.site or id(node) in self._transports:
            return
        for (
            kw
        ) in node.keywords:  # ``Minio(…, http_client=PoolManager(…))``: the client's transport, not a peer
            if kw.arg in _TRANSPORT_KEYWORDS and isinstance(kw.value, ast.Call):
                self._transports.add(id(kw.value))
        value = self.target_of(node, api, scope, cls)
        if value.env is None and (value.literal or value.default or "/").startswith("/"):
            value = self.on_base_url(node, value, scope, cls)
        target = value.literal or value.default
        if _needs_target(api) and not any(kw.arg in api.target_keywords for kw in node.keywords):
            return  # ``requests.Session()``: no destination, nothing opened; its requests are the sites
        protocol = api.protocol
        if (client not in FUNCTIONS or client in _SCHEME_DECIDES) and target:  # its URL names the protocol
            protocol = scheme_protocol(target) or protocol
        if protocol == "sql":
            scheme = (target or "").split("://", 1)[0].split("+", 1)[0].lower() if target else ""
            protocol = SQL_SCHEMES.get(scheme) or self.sql_driver() or "sql"
        if target is None and value.env is None:  # a setting of another module (``settings.GEO_API_URL``)
            expr = _target_expr(node, api)
            found = self.setting_of(expr, scope, cls) if expr is not None else None
            if found is not None:
                port = self.port_given(node, api, scope, cls)
                target = f"{found}:{port}" if port else found
        self.sites.append(CallSite(self.path, node.lineno, client, protocol, target, value.env, qual))


_TOKEN_REFRESH = Api("http", target_arg=None)


def _needs_target(api: Api) -> bool:
    """An HTTP session or pool constructor, a Celery app: a site only when it is given where to go."""
    return api.protocol in ("http", "amqp") and api.returns is not None and api.target_arg is None


# a client whose URL's scheme names the protocol (``Celery(broker="redis://…")`` is Redis)
_SCHEME_DECIDES = frozenset({"celery.Celery", "kombu.Connection"})
# calls that reach the network whatever their receiver's type, in a file driving a browser package
_BROWSER_METHODS = {"connect_over_cdp": Api("websocket"), "goto": Api("http")}
_BROWSERS = frozenset({"playwright", "pyppeteer"})


_TRANSPORT_KEYWORDS = frozenset({"http_client", "session", "transport", "pool", "connection_pool", "http"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_PARAM = "\x00"  # an env helper's parameter, in the name templates it exports


def _env_name_expr(node: ast.expr, mod: Module) -> ast.expr | None:
    """The expression naming the variable of an env read (``os.getenv(NAME)``, ``os.environ[NAME]``)."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and mod.resolve(node.value) == "os.environ"
    ):
        return node.slice
    if isinstance(node, ast.Call) and node.args and mod.resolve(node.func) in ENV_FUNCS:
        return node.args[0]
    return None


def _given(call: ast.Call) -> int:
    """What the constructor is given: 2 where to go (a positional argument, ``**options``, a keyword that
    names a peer), 1 options only (``Client(username=…)``: it may log in now, or at ``client.connect(…)``),
    0 nothing."""
    if call.args or any(kw.arg is None or kw.arg in TARGET_KEYWORDS for kw in call.keywords):
        return 2
    return 1 if call.keywords else 0


def _subscribes(call: ast.Call, mod: Module, dotted: str) -> bool:
    """``user_logged_in.connect(on_login)``: a ``connect`` given a handler (a function of this module, a
    lambda, a method) first subscribes to an event; a database connect is never given code first."""
    if not dotted.endswith(".connect"):
        return False
    handler = (
        call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "receiver"), None)
    )
    for arg in (handler,) if handler is not None else ():
        if isinstance(arg, ast.Lambda) or (isinstance(arg, ast.Name) and arg.id in mod.local_defs):
            return True
        if (
            isinstance(arg, ast.Attribute)
            and isinstance(arg.value, ast.Name)
            and arg.value.id in ("self", "cls")
            and arg.attr in mod.method_names
        ):
            return True
    return False


def _token_request(call: ast.Call, mod: Module) -> bool:
    """``creds.refresh(Request())`` with google-auth's transport request: a call to the token endpoint."""
    arg = call.args[0] if call.args else None
    if not isinstance(arg, ast.Call):
        return False
    dotted = mod.resolve(arg.func) or ""
    return dotted.startswith("google.auth.transport.") and dotted.endswith(".Request")


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
    """The light pass of a file that imports no client library, left for the linker: method calls straight
    on an object of another project module (``integrations.http.get(url)``, ``warehouse.put(path)``) and
    calls of another module's function with a name (``getenv_int("X")``: maybe an env helper)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        first = node.args[0] if node.args else None
        literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if isinstance(func, ast.Attribute) and func.attr in PENDING_NAMES:
            dotted = mod.resolve(func.value)
            if dotted is not None and _ours(dotted):
                yield CallSite(path, node.lineno, f"?{dotted}.{func.attr}", "?", literal, None, "")
        elif isinstance(func, ast.Name | ast.Attribute) and literal and _ENV_NAME.match(literal):
            dotted = mod.resolve(func)
            if dotted is not None and _ours(dotted):
                yield CallSite(path, node.lineno, f"?{dotted}()", "env", literal, None, "")
        elif isinstance(func, ast.Name) and node.args:  # maybe a library function re-exported: ``urlopen(u)``
            dotted = mod.resolve(func)
            if dotted is not None and "." in dotted and _ours(dotted):
                yield CallSite(path, node.lineno, f"?{dotted}", "?", literal, None, "")


def _ours(dotted: str) -> bool:
    """Maybe the project's own: relative, or neither the standard library nor a client package."""
    return dotted.startswith(".") or dotted.split(".")[0] not in NOT_PROJECT


def _import_calls(tree: ast.Module, mod: Module) -> tuple[tuple[tuple[int, str], ...], bool]:
    """``(line, dotted)`` of each call of a name an import binds, by its imported name: ``mqtt.Client()``
    after ``import paho.mqtt.client as mqtt`` is ``paho.mqtt.client.Client``, ``socket.create_connection``
    is itself (see ``FileIndex.calls``); and whether a call of an imported name is given a connection URL
    by keyword (``Limiter(storage_uri=…)``: worth the full analysis)."""
    found: set[tuple[int, str]] = set()
    url_keyword = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            dotted = mod.resolve(node.func)
            if dotted is not None and "." in dotted.lstrip("."):
                found.add((node.lineno, dotted))
                url_keyword = url_keyword or any(kw.arg in URL_KEYWORDS for kw in node.keywords)
    return tuple(sorted(found)), url_keyword


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
    calls, url_keyword = _import_calls(tree, indexer.mod)
    if not indexer.mod.interesting and (url_keyword or any(convention_api(d, 2) for _, d in calls)):
        indexer.mod.conventional = True  # a third-party client recognised by its name: the full analysis
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
            calls=calls,
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
        calls=calls,
    )
