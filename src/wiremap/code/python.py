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
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from .clients import FUNCTIONS, METHOD_NAMES, METHODS, MODULE_ROOTS, Api, is_grpc_stub
from .model import CallSite, Definition, EnvRead, FileIndex, ImportRef

__all__ = ["index_python"]

_MAX_DEPTH = 6
_NOT_PROJECT = MODULE_ROOTS | set(sys.stdlib_module_names)
_PENDING = Api("?", site=False)
_HTTP_LIKE = Api("http")  # a method call on an object from another project module: linked later
_ENV_MARKERS = (b"environ", b"getenv", b"BaseSettings")
_SQL_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "oracle": "oracle",
    "mssql": "mssql",
}
_ENV_FUNCS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_PASSTHROUGH = frozenset(
    {
        "str",
        "URL",
        "yarl.URL",
        "urllib.parse.urlparse",
        "pika.URLParameters",
        "pika.ConnectionParameters",
    }
)
_STR_METHODS = frozenset(
    {"rstrip", "strip", "lstrip", "removesuffix", "format", "with_password", "with_user"}
)


@dataclass(slots=True)
class _Value:
    """What an expression evaluates to, as far as we can tell: a literal and/or the env var it comes from."""

    literal: str | None = None
    env: str | None = None
    default: str | None = None


@dataclass(slots=True)
class _Scope:
    types: dict[str, str] = field(default_factory=dict)
    values: dict[str, ast.expr] = field(default_factory=dict)


class _Module:
    """First pass: the module's names."""

    def __init__(self, tree: ast.Module) -> None:
        self.imports: dict[str, str] = {}
        self.import_refs: list[ImportRef] = []
        self.constants: dict[str, ast.expr] = {}
        self.module_types: dict[str, str] = {}
        self.returns: dict[str, str] = {}  # function or Class.method -> client type it returns
        self.attrs: dict[str, dict[str, str]] = {}  # Class -> self.attr -> client type
        self.attr_values: dict[str, dict[str, ast.expr]] = {}
        self.settings_fields: dict[str, str] = {}  # field name -> env var name
        self.settings_defaults: dict[str, str] = {}  # field name -> its default, when a literal
        self.settings_classes: set[str] = set()
        self.local_defs: set[str] = set()
        self.bases: dict[str, list[str]] = {}  # Class -> base classes defined in this module
        self.ctor_args: dict[str, dict[str, ast.expr]] = {}  # Class -> __init__ parameter -> an argument
        for node in _statements(tree.body):
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._import(node)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.local_defs.add(node.name)
            if isinstance(node, ast.ClassDef):
                self.bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.constants[t.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.constants[node.target.id] = node.value

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                self.imports[bound] = a.name if a.asname else a.name.split(".")[0]
                self.import_refs.append(ImportRef(a.name, None, bound, node.lineno))
            return
        module = "." * node.level + (node.module or "")
        for a in node.names:
            if a.name == "*":
                continue
            bound = a.asname or a.name
            joined = f"{module}.{a.name}" if module and not module.endswith(".") else module + a.name
            self.imports[bound] = joined
            self.import_refs.append(ImportRef(module, a.name, bound, node.lineno))

    def resolve(self, expr: ast.expr) -> str | None:
        """``rq.adapters.HTTPAdapter`` → ``requests.adapters.HTTPAdapter`` when ``rq`` is an import."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        base = self.imports.get(expr.id)
        if base is None:
            return None
        return ".".join([base, *reversed(parts)])

    @property
    def interesting(self) -> bool:
        """Imports a client library (or generated gRPC code): worth the full analysis."""
        return any(
            v.lstrip(".").split(".")[0] in MODULE_ROOTS or "_pb2_grpc" in v for v in self.imports.values()
        )


class _Indexer:
    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.mod = _Module(tree)
        self.tree = tree
        self.definitions: list[Definition] = []
        self.sites: list[CallSite] = []
        self.env_reads: list[EnvRead] = []
        self._seen_env: set[tuple[int, int]] = set()
        self._class_quals: set[str] = set()
        self.pending: list[CallSite] = []

    # -- the first pass's client knowledge ------------------------------------------------------------------

    def api_of(self, call: ast.Call, scope: _Scope, cls: str | None) -> tuple[str, Api] | None:
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
                    return f"{owner}.{func.attr}", _PENDING
        return None

    def type_of(self, expr: ast.expr, scope: _Scope, cls: str | None, depth: int = 0) -> str | None:
        """The client type an expression holds (``requests.Session``), if any."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            return self.type_of(expr.value, scope, cls, depth + 1)
        if isinstance(expr, ast.Name):
            if expr.id in scope.types:
                return scope.types[expr.id]
            if expr.id in self.mod.module_types:
                return self.mod.module_types[expr.id]
            return self.deferred(expr)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return self.attr_type(cls, expr.attr)
        if isinstance(expr, ast.Call):
            hit = self.api_of(expr, scope, cls)
            if hit is not None:
                return hit[1].returns
            f = expr.func
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
        if cls is None or depth > _MAX_DEPTH:
            return None
        found = self.mod.attrs.get(cls, {}).get(attr)
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
        if not dotted.startswith(".") and dotted.split(".")[0] in _NOT_PROJECT:  # relative: ours
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
        if isinstance(ann, ast.Subscript):  # Optional[X]
            return self.annotation_type(ann.slice)
        dotted = self.mod.resolve(ann)
        if dotted is None:
            return None
        api = FUNCTIONS.get(dotted)
        return api.returns if api is not None else (dotted if dotted in METHODS else None)

    # -- values and targets ---------------------------------------------------------------------------------

    def value_of(self, expr: ast.expr | None, scope: _Scope, cls: str | None, depth: int = 0) -> _Value:
        if expr is None or depth > _MAX_DEPTH:
            return _Value()
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                return _Value(literal=expr.value)
            if isinstance(expr.value, int | float) and not isinstance(expr.value, bool):
                return _Value(literal=str(expr.value))
            return _Value()
        if isinstance(expr, ast.Await | ast.Starred):
            return self.value_of(expr.value, scope, cls, depth + 1)
        if isinstance(expr, ast.Name):
            if expr.id in scope.values:
                return self.value_of(scope.values[expr.id], scope, cls, depth + 1)
            if expr.id in self.mod.constants:
                return self.value_of(self.mod.constants[expr.id], _Scope(), None, depth + 1)
            return _Value()
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == "self" and cls:
                inner = self.mod.attr_values.get(cls, {}).get(expr.attr)
                if inner is None:
                    return _Value()
                init_scope = _Scope(values=dict(self.mod.ctor_args.get(cls, {})))
                return self.value_of(inner, init_scope, cls, depth + 1)
            if expr.attr in self.mod.settings_fields:
                field_default = self.mod.settings_defaults.get(expr.attr)
                return _Value(env=self.mod.settings_fields[expr.attr], default=field_default)
            return _Value()
        if isinstance(expr, ast.Subscript):
            name = self.env_subscript(expr, scope, cls)
            return _Value(env=name) if name else _Value()
        if isinstance(expr, ast.JoinedStr):
            return self.joined(expr, scope, cls, depth)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.value_of(expr.left, scope, cls, depth + 1)
            right = self.value_of(expr.right, scope, cls, depth + 1)
            joined = (left.literal or left.default or "") + (right.literal or "")
            return _Value(literal=joined or None, env=left.env or right.env)
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            vals = [self.value_of(v, scope, cls, depth + 1) for v in expr.values]
            env = next((v.env for v in vals if v.env), None)
            lit = next((v.literal for v in vals if v.literal), None)
            return _Value(literal=None if env else lit, env=env, default=lit if env else None)
        if isinstance(expr, ast.Call):
            return self.call_value(expr, scope, cls, depth)
        return _Value()

    def call_value(self, call: ast.Call, scope: _Scope, cls: str | None, depth: int) -> _Value:
        dotted = self.mod.resolve(call.func)
        if dotted in _ENV_FUNCS and call.args:
            name = self.value_of(call.args[0], scope, cls, depth + 1).literal
            default = self.value_of(call.args[1], scope, cls, depth + 1) if len(call.args) > 1 else _Value()
            return _Value(env=name, default=default.literal or default.default)
        f = call.func
        if call.args and ((isinstance(f, ast.Name) and f.id in _PASSTHROUGH) or dotted in _PASSTHROUGH):
            return self.value_of(call.args[0], scope, cls, depth + 1)
        if isinstance(f, ast.Attribute) and f.attr in _STR_METHODS:
            return self.value_of(f.value, scope, cls, depth + 1)
        return _Value()

    def joined(self, expr: ast.JoinedStr, scope: _Scope, cls: str | None, depth: int) -> _Value:
        out: list[str] = []
        env: str | None = None
        known = True
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out.append(part.value)
            elif isinstance(part, ast.FormattedValue):
                v = self.value_of(part.value, scope, cls, depth + 1)
                env = env or v.env
                text = v.literal or v.default or (f"${{{v.env}}}" if v.env else None)
                if text is None:
                    known = False
                    out.append("{…}")
                else:
                    out.append(text)
        text = "".join(out)
        if not known and (not out or out[0] == "{…}") and env is None:
            return _Value(literal=text if text.strip("{…}/") else None)
        return _Value(literal=text, env=env)

    def target_of(self, call: ast.Call, api: Api, scope: _Scope, cls: str | None) -> _Value:
        expr: ast.expr | None = None
        for kw in call.keywords:
            if kw.arg in api.target_keywords:
                expr = kw.value
                break
        if expr is None and api.target_arg is not None and len(call.args) > api.target_arg:
            expr = call.args[api.target_arg]
        return self.value_of(expr, scope, cls)

    # -- env reads ------------------------------------------------------------------------------------------

    def env_subscript(self, node: ast.Subscript, scope: _Scope, cls: str | None) -> str | None:
        if self.mod.resolve(node.value) != "os.environ":
            return None
        return self.value_of(node.slice, scope, cls).literal

    def note_env(self, node: ast.expr, scope: _Scope, cls: str | None) -> None:
        name: str | None = None
        default: str | None = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name = self.env_subscript(node, scope, cls)
        elif isinstance(node, ast.Call) and self.mod.resolve(node.func) in _ENV_FUNCS and node.args:
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
        self.walk_body(self.tree.body, _Scope(), None, "")

    def first_pass(self) -> None:
        mod = self.mod
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                self.settings_class(node)
        for node in self.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                t = self.type_of(value, _Scope(), None) if value is not None else None
                if t is None and isinstance(node, ast.AnnAssign):
                    t = self.annotation_type(node.annotation)
                for tgt in targets:
                    if t and isinstance(tgt, ast.Name):
                        mod.module_types[tgt.id] = t
        self.constructor_arguments()
        # functions' return types and classes' attributes: two rounds so factories may use factories
        for _ in range(2):
            for node in self.tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.learn_function(node, None, node.name)
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                            self.learn_function(item, node.name, f"{node.name}.{item.name}")
                        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                            t = self.annotation_type(item.annotation)
                            if t:
                                mod.attrs.setdefault(node.name, {})[item.target.id] = t

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
                cls_name = next((n for n, (c, _) in inits.items() if _inside(c, sub)), "")
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

    def settings_class(self, node: ast.ClassDef) -> None:
        bases = {self.mod.resolve(b) or (b.id if isinstance(b, ast.Name) else "") for b in node.bases}
        is_settings = any(b.endswith("BaseSettings") for b in bases) or bool(
            {b for b in bases if b in self.mod.settings_classes}
        )
        if not is_settings:
            return
        self.mod.settings_classes.add(node.name)
        prefix = ""
        for item in node.body:
            prefix = self.env_prefix(item) or prefix
        for item in node.body:
            if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
                continue
            name = item.target.id
            if name.startswith("_") or name == "model_config":
                continue
            env = f"{prefix}{name}".upper()
            if isinstance(item.value, ast.Call):
                for kw in item.value.keywords:
                    if kw.arg in ("validation_alias", "alias", "env") and isinstance(kw.value, ast.Constant):
                        env = kw.value.value if isinstance(kw.value.value, str) else env
            self.mod.settings_fields[name] = env
            default: str | None = None
            if isinstance(item.value, ast.Constant) and isinstance(item.value.value, str | int | float):
                default = str(item.value.value)
            elif isinstance(item.value, ast.Call):
                for kw in item.value.keywords:
                    if kw.arg == "default" and isinstance(kw.value, ast.Constant):
                        default = None if kw.value.value is None else str(kw.value.value)
                if item.value.args and isinstance(item.value.args[0], ast.Constant):
                    v = item.value.args[0].value
                    default = None if v is None or v is ... else str(v)
            if default is not None:
                self.mod.settings_defaults[name] = default
            self.env_reads.append(EnvRead(self.path, item.lineno, env, default))

    @staticmethod
    def env_prefix(item: ast.stmt) -> str | None:
        """``model_config = SettingsConfigDict(env_prefix="X_")`` or ``class Config: env_prefix = "X_"``."""
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in item.targets
        ):
            value = item.value
            pairs: list[tuple[str | None, ast.expr]] = []
            if isinstance(value, ast.Call):
                pairs = [(kw.arg, kw.value) for kw in value.keywords]
            elif isinstance(value, ast.Dict):
                pairs = [
                    (k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, v)
                    for k, v in zip(value.keys, value.values, strict=True)
                    if k is not None
                ]
            for key, v in pairs:
                if key == "env_prefix" and isinstance(v, ast.Constant) and isinstance(v.value, str):
                    return v.value
        if isinstance(item, ast.ClassDef) and item.name == "Config":
            for sub in item.body:
                if (
                    isinstance(sub, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "env_prefix" for t in sub.targets)
                    and isinstance(sub.value, ast.Constant)
                    and isinstance(sub.value.value, str)
                ):
                    return sub.value.value
        return None

    def learn_function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None, key: str) -> None:
        scope = self.params(fn, cls)
        for node in _own_nodes(fn):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                t = self.type_of(node.value, scope, cls)
                for tgt in targets:
                    if isinstance(tgt, ast.Name):
                        if t:
                            scope.types[tgt.id] = t
                        scope.values[tgt.id] = node.value
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

    def params(self, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, cls: str | None) -> _Scope:
        scope = _Scope()
        if isinstance(fn, ast.Lambda):
            return scope
        if cls and fn.name == "__init__":
            scope.values.update(self.mod.ctor_args.get(cls, {}))
        a = fn.args
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs):
            t = self.annotation_type(arg.annotation)
            if t:
                scope.types[arg.arg] = t
        return scope

    def bind_with(self, node: ast.With | ast.AsyncWith, scope: _Scope, cls: str | None) -> None:
        for item in node.items:
            self.bind_item(item, scope, cls)

    def bind_item(self, item: ast.withitem, scope: _Scope, cls: str | None) -> None:
        if isinstance(item.optional_vars, ast.Name):
            t = self.type_of(item.context_expr, scope, cls)
            if t:
                scope.types[item.optional_vars.id] = t
            else:
                scope.types.pop(item.optional_vars.id, None)
            scope.values[item.optional_vars.id] = item.context_expr

    def walk_body(self, body: list[ast.stmt], scope: _Scope, cls: str | None, qual: str) -> None:
        for stmt in body:
            self.visit(stmt, scope, cls, qual)

    def visit(self, node: ast.AST, scope: _Scope, cls: str | None, qual: str) -> None:
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
            inner.values.update(scope.values)
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
            self.walk_body(node.body, _Scope(), node.name, name)
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
                        if t:
                            scope.types[tgt.id] = t
                        elif qual:
                            scope.types.pop(tgt.id, None)
                        if not _mentions(node.value, tgt.id):  # x = x.with_password(p): keep what x was
                            scope.values[tgt.id] = node.value
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

    def exports(self) -> tuple[tuple[str, str], ...]:
        """What other modules may import from this one: module-level client objects (``name``) and
        functions that return one (``name()``), for linking their method calls (see index.py)."""
        out = dict(self.mod.module_types)
        out.update({f"{k}()": v for k, v in self.mod.returns.items() if "." not in k})
        return tuple(sorted(out.items()))

    def sql_driver(self) -> str | None:
        """A SQLAlchemy engine whose URL we cannot read: the database driver the module imports."""
        for module in self.mod.imports.values():
            protocol = _SQL_DRIVERS.get(module.split(".")[0])
            if protocol:
                return protocol
        return None

    def call(self, node: ast.Call, scope: _Scope, cls: str | None, qual: str) -> None:
        self.note_env(node, scope, cls)
        hit = self.api_of(node, scope, cls)
        if hit is None:
            return
        client, api = hit
        if api is _PENDING:
            value = self.target_of(node, _HTTP_LIKE, scope, cls)
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
            protocol = _SQL_SCHEMES.get(scheme) or self.sql_driver() or "sql"
        self.sites.append(CallSite(self.path, node.lineno, client, protocol, target, value.env, qual))


_SQL_DRIVERS = {
    "psycopg": "postgresql",
    "psycopg2": "postgresql",
    "asyncpg": "postgresql",
    "pg8000": "postgresql",
    "pymysql": "mysql",
    "MySQLdb": "mysql",
    "aiomysql": "mysql",
    "sqlite3": "sqlite",
    "aiosqlite": "sqlite",
}


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, without descending into expressions."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for name in ("handlers", "finalbody", "orelse", "body"):
            sub = getattr(node, name, None)
            if isinstance(sub, list):
                stack.extend(reversed(sub))
        if isinstance(node, ast.Match):
            for case in reversed(node.cases):
                stack.extend(reversed(case.body))


def _mentions(expr: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))


def _inside(outer: ast.AST, node: ast.AST) -> bool:
    end = getattr(outer, "end_lineno", None) or 0
    return bool(getattr(outer, "lineno", 0) <= getattr(node, "lineno", -1) <= end)


def _own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function body, not descending into nested functions or classes."""
    stack = list(ast.iter_child_nodes(fn))
    stack.reverse()
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        children = list(ast.iter_child_nodes(node))
        children.reverse()
        stack.extend(children)


def _definitions_only(tree: ast.Module) -> list[Definition]:
    out: list[Definition] = []

    def walk(body: list[ast.stmt], qual: str, in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{qual}.{node.name}" if qual else node.name
                kind = "class" if isinstance(node, ast.ClassDef) else ("method" if in_class else "function")
                out.append(Definition(node.name, name, kind, node.lineno, node.end_lineno or node.lineno))
                walk(node.body, name, isinstance(node, ast.ClassDef))
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
                for sub in ("body", "orelse", "finalbody", "handlers"):
                    walk(getattr(node, sub, []), qual, in_class)
            elif isinstance(node, ast.ExceptHandler):
                walk(node.body, qual, in_class)

    walk(tree.body, "", False)
    return out


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
    if not indexer.mod.interesting and not any(m in data for m in _ENV_MARKERS):
        # nothing to find but names: skip the type analysis (most files of a large tree)
        defs = _definitions_only(tree)
        return FileIndex(path, "python", sha, lines, tuple(defs), tuple(indexer.mod.import_refs))
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
    )
