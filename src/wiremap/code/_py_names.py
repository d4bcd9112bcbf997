"""What the Python indexer knows about a module's names, and the small ast helpers it shares.

:class:`Module` is the first look at a file: its imports (with aliases), module-level constants and
what its classes and functions hold; :class:`Scope` the names of one function; :class:`Value` what an
expression evaluates to as far as can be read without running it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from .clients import MODULE_ROOTS, Api
from .model import Definition, ImportRef
from .packages import PACKAGES

__all__ = [
    "ENV_FUNCS",
    "ENV_MARKERS",
    "ENV_OBJECT",
    "ENV_OBJECT_METHODS",
    "HTTP_LIKE",
    "MAX_DEPTH",
    "NOT_PROJECT",
    "PASSTHROUGH",
    "PENDING",
    "SQL_DRIVERS",
    "SQL_SCHEMES",
    "STR_METHODS",
    "Module",
    "Scope",
    "Value",
    "definitions_only",
    "inside",
    "mentions",
    "own_nodes",
    "statements",
]

MAX_DEPTH = 6
CLIENT_ROOTS = MODULE_ROOTS | {name.split(".")[0] for name in PACKAGES}
NOT_PROJECT = MODULE_ROOTS | set(sys.stdlib_module_names)
PENDING = Api("?", site=False)
HTTP_LIKE = Api("http")  # a method call on an object from another project module: linked later
ENV_MARKERS = (b"environ", b"getenv", b"BaseSettings", b"decouple", b"Env(", b"envvar")
SQL_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "oracle": "oracle",
    "mssql": "mssql",
}
ENV_FUNCS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "decouple.config"})
# settings libraries' env objects (``env = environs.Env()`` / ``environ.Env()``): ``env("X")``,
# ``env.str("X")``, ``env.db("DATABASE_URL")`` each read X
ENV_OBJECT = "env.Env"
ENV_OBJECT_METHODS = frozenset(
    [
        "str",
        "int",
        "bool",
        "float",
        "list",
        "dict",
        "json",
        "url",
        "path",
        "decimal",
        "datetime",
        "date",
        "time",
        "timedelta",
        "uuid",
        "log_level",
        "enum",
        "tuple",
        "db",
        "db_url",
        "cache",
        "cache_url",
        "email",
        "email_url",
        "search_url",
        "dj_db_url",
        "dj_cache_url",
        "dj_email_url",
        "read_env_var",
        "get_value",
    ]
)
PASSTHROUGH = frozenset(
    {
        "str",
        "int",  # a port: int(os.getenv("PORT", "1883"))
        "URL",
        "yarl.URL",
        "urllib.parse.urlparse",
        "pika.URLParameters",
        "pika.ConnectionParameters",
    }
)
STR_METHODS = frozenset({"rstrip", "strip", "lstrip", "removesuffix", "format", "with_password", "with_user"})


@dataclass(slots=True)
class Value:
    """What an expression evaluates to, as far as we can tell: a literal and/or the env var it comes from."""

    literal: str | None = None
    env: str | None = None
    default: str | None = None


@dataclass(slots=True)
class Scope:
    types: dict[str, str] = field(default_factory=dict)
    values: dict[str, ast.expr] = field(default_factory=dict)
    # a loop variable over literal items (``for name in ("A", "B"):``): each item it takes
    loops: dict[str, list[ast.expr]] = field(default_factory=dict)


class Module:
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
        self.aliases: dict[str, str] = {}  # ``PricingClient = Annotated[httpx.AsyncClient, ...]``
        self.settings_prefixes: dict[str, str] = {}  # settings class -> its env_prefix (inherited too)
        self.local_defs: set[str] = set()
        self.bases: dict[str, list[str]] = {}  # Class -> base classes defined in this module
        self.ctor_args: dict[str, dict[str, ast.expr]] = {}  # Class -> __init__ parameter -> an argument
        self.conventional = False
        self.class_values: dict[str, dict[str, ast.expr]] = {}  # Class -> class-level name -> its value
        self.method_names: set[str] = set()  # every method of every class of the module
        # functions of this module that read the variable their parameter names (``envint("X", "1")``)
        self.env_helpers: dict[str, ast.FunctionDef] = {}
        for node in statements(tree.body):
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._import(node)
        self._chosen_modules(tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.local_defs.add(node.name)
            if isinstance(node, ast.ClassDef):
                self.bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
                self.class_values[node.name] = {
                    t.id: item.value
                    for item in node.body
                    if isinstance(item, ast.Assign)
                    for t in item.targets
                    if isinstance(t, ast.Name)
                }
                self.method_names.update(
                    i.name for i in node.body if isinstance(i, ast.FunctionDef | ast.AsyncFunctionDef)
                )
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.constants[t.id] = node.value
                        if self.resolve(node.value) == "os.environ" and t.id not in self.imports:
                            # ``env = os.environ``: a name for it, as an import is (``env.get("X")`` was
                            # "never read": round 63)
                            self.imports[t.id] = "os.environ"
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.constants[node.target.id] = node.value

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                self._bind(bound, a.name if a.asname else a.name.split(".")[0])
                self.import_refs.append(ImportRef(a.name, None, bound, node.lineno))
            return
        module = "." * node.level + (node.module or "")
        for a in node.names:
            if a.name == "*":
                continue
            bound = a.asname or a.name
            joined = f"{module}.{a.name}" if module and not module.endswith(".") else module + a.name
            self._bind(bound, joined)
            self.import_refs.append(ImportRef(module, a.name, bound, node.lineno))

    def _chosen_modules(self, tree: ast.Module) -> None:
        """A name bound to a client module chosen at run time: ``lib = httpx if fast else requests``, or
        ``http = importlib.import_module(name)`` where the code names a client module as one choice
        (``settings.env("AUDIT_HTTP_LIB", "requests")``): that module."""
        constants = {
            t.id: n.value
            for n in tree.body
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                continue
            name, value = node.targets[0].id, node.value
            if name in self.imports:
                continue
            if isinstance(value, ast.IfExp | ast.BoolOp):
                leaves = [value.body, value.orelse] if isinstance(value, ast.IfExp) else value.values
                chosen = [self.imports.get(v.id) for v in leaves if isinstance(v, ast.Name)]
                module = next((m for m in chosen if m and _is_client(m)), None)
            elif (
                isinstance(value, ast.Call)
                and value.args
                and _imports_by_name(value.func, self.resolve(value.func))
            ):
                arg = value.args[0]
                arg = constants.get(arg.id, arg) if isinstance(arg, ast.Name) else arg
                names = [
                    c.value for c in ast.walk(arg) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                ]
                module = next((m for m in names if _is_client(m)), None)
            else:
                module = None
            if module is not None:
                self.imports[name] = module

    def _bind(self, bound: str, dotted: str) -> None:
        """A name two imports bind (``try: import http.client as httplib`` / ``except: import httplib``;
        ``if …: import advocate as r`` / ``else: import requests as r``): the client package wins, else the
        first."""
        old = self.imports.get(bound)
        if old is None or (_is_client(dotted) and not _is_client(old)):
            self.imports[bound] = dotted

    def imports_any(self, roots: frozenset[str]) -> bool:
        """Imports a module of one of these top-level packages (anywhere in the file)."""
        return any(m.split(".")[0] in roots for m in self.imports.values())

    def client_modules(self) -> list[tuple[str, str]]:
        """``(bound name, module)`` of each import of a client package: what another module may use
        through this one (``from .compat import httplib`` then ``httplib.HTTPSConnection(…)``)."""
        return [
            (bound, module)
            for bound, module in self.imports.items()
            if not module.startswith(".") and module.split(".")[0] in CLIENT_ROOTS
        ]

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
    def project_imports(self) -> bool:
        """Imports something that is neither the standard library nor a client library: maybe ours."""
        return any(v.startswith(".") or v.split(".")[0] not in NOT_PROJECT for v in self.imports.values())

    @property
    def interesting(self) -> bool:
        """Imports a client library (or generated gRPC code), or calls a third-party client recognised by
        convention (``conventional``, set by the indexer): worth the full analysis."""
        return self.conventional or any(
            v.lstrip(".").split(".")[0] in CLIENT_ROOTS or "_pb2_grpc" in v for v in self.imports.values()
        )


_IMPORTERS = frozenset({"importlib.import_module", "__import__"})


def _imports_by_name(func: ast.expr, dotted: str | None) -> bool:
    return dotted in _IMPORTERS or (isinstance(func, ast.Name) and func.id == "__import__")


def _is_client(dotted: str) -> bool:
    return not dotted.startswith(".") and dotted.split(".")[0] in CLIENT_ROOTS


SQL_DRIVERS = {
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


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
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


def mentions(expr: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))


def inside(outer: ast.AST, node: ast.AST) -> bool:
    end = getattr(outer, "end_lineno", None) or 0
    return bool(getattr(outer, "lineno", 0) <= getattr(node, "lineno", -1) <= end)


def own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
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


def definitions_only(tree: ast.Module) -> list[Definition]:
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
