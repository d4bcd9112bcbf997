"""Which environment reads of a Source file belong to one integration, for SRC006.

A file often holds several integrations (one function per broker, one class per API). The variables a
doc must list are those its own code reads, not every read of the file:

- the **anchors** are the doc's Source line and the lines where its Client is (definition, call sites);
- the integration's code is, for each anchor, the top-level class or function that holds it, or the
  module-level statement it is on;
- a read inside that code belongs to the integration; a read elsewhere belongs to it when the
  integration uses what the read is bound to: the module-level name it is assigned to (``AMQP_URL =
  os.environ[…]``, followed through other module-level names and helper functions), the function it is
  in (``def amqp_url(): return os.environ[…]``) or the settings field it is (``amqp_url: str``).

A name is used where the code reads it: not a word of a comment or a string, an attribute
(``self.TIMEOUT``), a keyword argument's name, or a function's own local or parameter of the same name
(Python is read with ``ast``, JavaScript and Go as text without comments and strings). A Source line that
misses the Client, found elsewhere, and lands on a module-level statement (or on the blank lines after
one) anchors nothing: SRC003 reports the line, and the statement is only what happens to be there.

It needs only the index's definitions and the file's lines. When the doc gives no line at all, every read
of the file counts, as before.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence

from ..model import Integration
from .locate import client_name, doc_client_lines
from .model import Definition, EnvRead, FileIndex

__all__ = ["integration_env_reads"]

_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_BINDING = re.compile(
    r"^\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?"
    r"(?P<names>[A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)\s*(?::[^=]*)?:?=(?!=)"
)
_FIELD = re.compile(r"^\s*(?P<name>[A-Za-z_$][\w$]*)\s*[:=]")
_GO_FIELD = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\s+[\w*\[\]]")
_NOT_A_START = ("#", "//", "/*", "*", ")", "]", "}")


def _top_level(defs: Sequence[Definition]) -> list[Definition]:
    return [
        d for d in defs if not any(o is not d and o.line <= d.line and d.end_line <= o.end_line for o in defs)
    ]


def _innermost(defs: Sequence[Definition], line: int) -> Definition | None:
    inside = [d for d in defs if d.line <= line <= d.end_line]
    return max(inside, key=lambda d: d.line) if inside else None


def _returns(name: str) -> re.Pattern[str]:
    """A signature line whose result is ``name``: ``) *PaymentsClient {`` (Go), ``) -> PaymentsClient:``
    (Python), ``): PaymentsClient {`` (TypeScript), ``(*PaymentsClient, error)``."""
    return re.compile(r"\)\s*(?:->|:)?\s*\(?\s*\*?\s*(?:[\w$]+\.)*" + re.escape(name) + r"\b(?![\w$.(])")


_DESTRUCTURING = re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s*\{(?P<body>[^{}]*)\}\s*(?::[^=]*)?=(?!=)")


def _bindings(text: str) -> set[str]:
    """The names a statement binds: ``X = …``, ``const a, b = …``, and a destructuring ``const { A, B = "10",
    c: d } = process.env`` (``A``, ``B``, ``d``; SRC006 missed B, read there: round 63)."""
    m = _BINDING.match(text)
    if m:
        return {n.strip() for n in m.group("names").split(",")}
    m = _DESTRUCTURING.match(text)
    if not m:
        return set()
    names: set[str] = set()
    for part in m.group("body").split(","):
        bound = part.split("=", 1)[0].split(":")[-1].strip().lstrip(".")
        if _WORD.fullmatch(bound):
            names.add(bound)
    return names


class _Module:
    """The file's lines, cut into module-level statements (lines outside every top-level definition)."""

    def __init__(self, lines: list[str], tops: list[Definition], uses: _Uses) -> None:
        self.lines = lines
        self.uses = uses
        self.inside = {n for d in tops for n in range(d.line, d.end_line + 1)}
        starts = [
            n
            for n in range(1, len(lines) + 1)
            if n not in self.inside
            and lines[n - 1].strip()
            and not lines[n - 1][:1].isspace()
            and not lines[n - 1].lstrip().startswith(_NOT_A_START)
        ]
        self.statements: list[tuple[int, int]] = []
        for i, first in enumerate(starts):
            last = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
            n = first + 1
            while n <= last and n not in self.inside:  # a definition ends the statement
                n += 1
            end = n - 1
            while end > first and (
                not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(_NOT_A_START[:3])
            ):
                end -= 1  # blank lines and comments after a statement are not part of it
            self.statements.append((first, end))

    def statement(self, line: int) -> tuple[int, int] | None:
        """The module-level statement holding ``line``: ``(first, last)``; None inside a definition."""
        if line in self.inside:
            return None
        return next((s for s in self.statements if s[0] <= line <= s[1]), None)

    def words(self, first: int, last: int) -> set[str]:
        """The names the code of lines ``first``..``last`` refers to (see :class:`_Uses`)."""
        return self.uses.names(first, last)

    def attributes(self, first: int, last: int) -> set[str]:
        return self.uses.attributes(first, last)


# another module of the project by its dotted name: its index and its lines (None when it is none)
Others = Callable[[str], tuple[FileIndex, list[str]] | None]


def integration_env_reads(
    integration: Integration,
    f: FileIndex,
    lines: list[str],
    others: Others | None = None,
    read_elsewhere: Callable[[FileIndex, str], EnvRead | None] | None = None,
) -> list[EnvRead]:
    """The reads of ``f`` (``lines``: its text) that the doc's integration uses (see the module doc);
    with ``others``, the reads of the project's modules it uses through an import too; with
    ``read_elsewhere``, where another file reads a variable a call site of ``f`` is configured by."""
    ref = integration.source_ref
    name = client_name(integration.client)
    clients = doc_client_lines(integration, f, lines)
    anchors = [first for first, _ in clients]
    if ref is not None and ref.line is not None:
        anchors.append(ref.line)
    anchors = [a for a in anchors if 1 <= a <= len(lines)]
    if not anchors:
        return list(f.env_reads)
    tops = _top_level(f.definitions)
    module = _Module(lines, tops, _Uses(lines, f.language))
    spans: list[tuple[int, int]] = []
    for a in anchors:
        top = next((d for d in tops if d.line <= a <= d.end_line), None)
        span = (top.line, top.end_line) if top is not None else module.statement(a)
        if span is None:
            continue
        if (
            clients
            and a not in {first for first, _ in clients}
            and (top is None or not any(top.line <= c <= top.end_line for c, _ in clients))
        ):
            # the Source line missed the Client (SRC003 says where it is) and landed on a module-level
            # statement, or in a function holding none of it (another client's, whose variable SRC006
            # then asked the doc to list: round 56): what happens to be there, not the integration's code
            continue
        spans.append(span)
    if name is not None and clients:
        # the functions that return the Client build it: Go's ``func NewPaymentsClient() *PaymentsClient``
        # (its ``os.Getenv("PAYMENTS_TOKEN")`` was no read of the integration: round 54)
        returns = _returns(name.rsplit(".", 1)[-1])
        spans += [
            (d.line, d.end_line)
            for d in tops
            if d.kind != "class" and (d.line, d.end_line) not in spans and returns.search(lines[d.line - 1])
        ]
    if name is not None and clients:
        # a module-level statement configuring the Client's instance: ``paymentsApi.interceptors.request
        # .use(cfg => … process.env.PAYMENTS_API_TOKEN …)`` (the token was never asked for: round 63)
        instance = name.rsplit(".", 1)[-1]
        spans += [s for s in module.statements if s not in spans and instance in module.words(s[0], s[0])]
    used: set[str] = set()
    attributes: set[str] = set()
    for first, last in spans:
        used |= module.words(first, last)
        attributes |= module.attributes(first, last)
    reads, followed = _follow(f, lines, module, tops, spans, used, attributes)
    if others is not None and f.language == "python":
        qualified = {q for a, b in followed for q in module.uses.qualified(a, b)}
        reads += _settings_reads(f, others, used, qualified, name.rsplit(".", 1)[-1] if name else None)
    elif others is not None and f.language == "java":
        reads += _java_class_reads(f, lines, others, used, attributes)
    # the variable a call site of the integration's code is given through another module's setting
    # (``httpx.Client(base_url=settings.GEO_API_URL)``, GEO_API_URL read in settings.py): read for it
    # (SRC006 said nothing of the variable that configures the call: new user, round 39)
    read_names = {r.name for r in reads}
    own = {r.name for r in f.env_reads}
    for site in f.sites:
        if site.env and site.env not in read_names and any(a <= site.line <= b for a, b in followed):
            # read where it is read: config.ts's ``process.env.CATALOG_URL`` for ``baseURL:
            # config.catalogUrl`` (it was named at the call's line in http.ts: round 63)
            there = (
                read_elsewhere(f, site.env) if read_elsewhere is not None and site.env not in own else None
            )
            reads.append(there or EnvRead(f.path, site.line, site.env))
            read_names.add(site.env)
    return reads


def _follow(
    f: FileIndex,
    lines: list[str],
    module: _Module,
    tops: list[Definition],
    spans: list[tuple[int, int]],
    used: set[str],
    attributes: set[str],
    *,
    classes: bool = False,
) -> tuple[list[EnvRead], set[tuple[int, int]]]:
    """The reads of ``f`` the code in ``spans`` (which refers to ``used`` and ``attributes``) uses:
    module-level names and top-level functions followed to a fixpoint, and with ``classes`` the methods of
    a class it names (its fields only by name, as a settings class's); and the spans followed."""
    followed: set[tuple[int, int]] = set(spans)
    grew = True
    while grew:
        grew = False
        for d in tops if classes else ():
            if d.kind == "class" and d.name in used:
                for m in f.definitions:
                    if (
                        d.line < m.line <= d.end_line
                        and m.kind != "class"
                        and (m.line, m.end_line) not in followed
                    ):
                        followed.add((m.line, m.end_line))
                        used |= module.words(m.line, m.end_line)
                        attributes |= module.attributes(m.line, m.end_line)
                        grew = True
        for stmt in module.statements:
            # (the statement's first lines: a destructuring may list its names one a line)
            if (
                stmt not in followed
                and _bindings(" ".join(lines[stmt[0] - 1 : min(stmt[1], stmt[0] + 20)])) & used
            ):
                followed.add(stmt)
                used |= module.words(*stmt)
                attributes |= module.attributes(*stmt)
                grew = True
        for d in tops:
            if d.kind != "class" and (d.line, d.end_line) not in followed and d.name in used:
                followed.add((d.line, d.end_line))
                used |= module.words(d.line, d.end_line)
                attributes |= module.attributes(d.line, d.end_line)
                grew = True
    members = used | attributes  # ``settings.amqp_url``, ``self._url()``: a field or method by its name

    def belongs(read: EnvRead) -> bool:
        if any(first <= read.line <= last for first, last in followed):
            return True
        inner = _innermost(f.definitions, read.line)
        if inner is None:  # a module-level statement nothing of the integration uses
            return False
        if inner.kind == "class":  # a settings field: ``amqp_url: str``
            m = _FIELD.match(lines[read.line - 1]) or (
                # Go's ``MaxConns int `envconfig:"ORDERS_DB_MAX_CONNS"``` (name, then type): a tagged
                # field the integration's code reads (``cfg.MaxConns``) was no read of it (round 60)
                _GO_FIELD.match(lines[read.line - 1]) if f.language == "go" else None
            )
            return m is not None and m.group("name") in members
        return inner.name in members  # a helper function (or a method) the integration calls

    return [r for r in f.env_reads if belongs(r)], followed


def _settings_reads(
    f: FileIndex, others: Others, used: set[str], qualified: set[str], client: str | None
) -> list[EnvRead]:
    """The reads of the project's other modules the integration's code uses through an import: a
    setting imported by name (``from billing.settings import PG_DSN``) or read as an attribute of an
    imported module (``settings.PG_DSN`` after ``from billing import settings``), followed there as in
    the Source file, each read at its own file and line (SRC006 said nothing of a variable read by a
    settings module's own helper, and named the line that used the value: new user, round 46)."""
    # module -> (the names of it the code uses, the attributes it reads of them)
    wanted: dict[str, tuple[set[str], set[str]]] = {}
    for imp in f.imports:
        if imp.bound not in used and imp.bound != client:  # (a Client re-exported: its module's reads)
            continue
        module = _absolute(imp.module, f.path)
        members = {q.partition(".")[2] for q in qualified if q.startswith(f"{imp.bound}.")}
        if imp.name is None:  # ``import settings``, ``import billing.settings as settings``
            wanted.setdefault(module, (set(), set()))[0].update(members)
        else:  # ``from billing import settings``: a module of its own, or a name of billing
            wanted.setdefault(f"{module}.{imp.name}", (set(), set()))[0].update(members)
            names, attrs = wanted.setdefault(module, (set(), set()))
            names.add(imp.name)
            attrs.update(
                members
            )  # ``settings.billing_token``: a field of the settings object's class (round 51)
    reads: list[EnvRead] = []
    for module, (names, attrs) in wanted.items():
        found = others(module) if names else None
        if found is None:
            continue
        other, lines = found
        if other.path == f.path or other.error or not other.env_reads:
            continue
        tops = _top_level(other.definitions)
        code = _Module(lines, tops, _Uses(lines, other.language))
        reads += _follow(other, lines, code, tops, [], set(names), set(attrs), classes=True)[0]
    return reads


_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;")
_JAVA_FIELD = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:private|protected|public|final|volatile|transient)\s+)*"
    r"[\w.<>\[\], ?]+?\s+(\w+)\s*(?:=[^;]*)?;"
)


def _java_class_reads(
    f: FileIndex, lines: list[str], others: Others, used: set[str], attributes: set[str]
) -> list[EnvRead]:
    """The reads of the project's other Java classes the integration's code uses (a properties class given
    to the client's constructor: ``props.getBaseUrl()``), one per field it reads, by the field's name or
    its getter's (SRC006 asked nothing of a variable read through another file's class: round 60)."""
    package = next((m.group(1) for line in lines[:50] if (m := _JAVA_PACKAGE.match(line))), "")
    classes = {imp.bound: f"{imp.module}.{imp.name}" for imp in f.imports if imp.name and imp.name != "*"}
    wanted = {w: classes.get(w, f"{package}.{w}" if package else w) for w in used if w[:1].isupper()}
    reads: list[EnvRead] = []
    for fqn in sorted(set(wanted.values())):
        found = others(fqn)
        if found is None or found[0].path == f.path or not found[0].env_reads:
            continue
        other, other_lines = found
        for read in other.env_reads:
            field = next(
                (
                    m.group(1)
                    for text in other_lines[read.line - 1 : read.line + 2]
                    if (m := _JAVA_FIELD.match(text))
                ),
                None,
            )
            accessors = (
                {field, f"get{field[:1].upper()}{field[1:]}", f"is{field[:1].upper()}{field[1:]}"}
                if field
                else set()
            )
            if accessors & (attributes | used):
                reads.append(read)
    return reads


def _absolute(module: str, importer: str) -> str:
    """``.settings`` imported by ``billing/db.py`` -> ``billing.settings``."""
    if not module.startswith("."):
        return module
    level = len(module) - len(module.lstrip("."))
    package = importer.removesuffix(".py").split("/")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)]
    rest = module[level:]
    return ".".join([*package, rest] if rest else package)


class _Uses:
    """What the code of a file refers to, line by line: the names it reads (``TIMEOUT``, ``amqp_url()``)
    and, apart, the attributes it reads (``self.TIMEOUT``, ``settings.amqp_url``).

    Only code counts: a word in a comment or a string, a keyword argument's name (``timeout=5``), an
    attribute (``self.TIMEOUT``) and, in Python, a function's own local or parameter of the same name are
    not uses of a module-level name. Python is read with ``ast`` (scopes are exact); JavaScript and Go as
    text without comments and strings (a template literal's ``${…}`` is code)."""

    def __init__(self, lines: list[str], language: str) -> None:
        self._names: dict[int, set[str]] = {}
        self._attributes: dict[int, set[str]] = {}
        self._qualified: dict[int, set[str]] = {}  # ``settings.PG_DSN``: an attribute of a name (Python)
        if language != "python" or not self._python("\n".join(lines)):
            self._text(lines)

    def names(self, first: int, last: int) -> set[str]:
        return {w for n in range(first, last + 1) for w in self._names.get(n, ())}

    def attributes(self, first: int, last: int) -> set[str]:
        return {w for n in range(first, last + 1) for w in self._attributes.get(n, ())}

    def qualified(self, first: int, last: int) -> set[str]:
        return {w for n in range(first, last + 1) for w in self._qualified.get(n, ())}

    def _python(self, text: str) -> bool:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        self._py_body(tree, set())
        return True

    def _py_body(self, node: ast.AST, hidden: set[str]) -> None:
        """Record the uses in ``node``, not descending into nested scopes (each gets its own ``hidden``:
        the names that are its locals and so are no module-level name)."""
        stack = list(ast.iter_child_nodes(node))
        while stack:
            child = stack.pop()
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                args = child.args
                for d in (*args.defaults, *args.kw_defaults, *getattr(child, "decorator_list", ())):
                    if d is not None:
                        stack.append(d)  # evaluated where the function is defined
                self._py_body(child, hidden | _locals(child))
                continue
            if isinstance(child, ast.ClassDef):
                stack.extend((*child.bases, *child.keywords, *child.decorator_list))
                self._py_body(child, hidden)  # class-level names are not visible in its methods
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and child.id not in hidden:
                self._names.setdefault(child.lineno, set()).add(child.id)
            elif isinstance(child, ast.Attribute):
                self._attributes.setdefault(child.end_lineno or child.lineno, set()).add(child.attr)
                if isinstance(child.value, ast.Name) and child.value.id not in hidden:
                    line = child.end_lineno or child.lineno
                    self._qualified.setdefault(line, set()).add(f"{child.value.id}.{child.attr}")
            stack.extend(ast.iter_child_nodes(child))

    def _text(self, lines: list[str]) -> None:
        for n, line in enumerate(_code_only(lines), start=1):
            for m in _WORD.finditer(line):
                before = line[: m.start()].rstrip()
                after = line[m.end() :].lstrip()
                if before.endswith(".") and not before.endswith(".."):
                    self._attributes.setdefault(n, set()).add(m.group())
                elif after.startswith(":") and not after.startswith(":=") and before.endswith(("{", ",")):
                    continue  # an object key or a struct field name: ``{timeout: 5}``
                else:
                    self._names.setdefault(n, set()).add(m.group())


def _locals(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """A function's local names: parameters, assigned names, imports, nested definitions (not those it
    declares ``global`` or ``nonlocal``)."""
    a = fn.args
    names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    names |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    outer: set[str] = set()
    stack = list(ast.iter_child_nodes(fn)) if not isinstance(fn, ast.Lambda) else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {x.asname or x.name.split(".")[0] for x in node.names}
        elif isinstance(node, ast.Global | ast.Nonlocal):
            outer |= set(node.names)
        elif isinstance(node, ast.arguments):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return names - outer


def _code_only(lines: list[str]) -> list[str]:
    """The lines with comments and string contents blanked (``//``, ``/* */``, ``#`` lines; quotes), the
    code inside a template literal's ``${…}`` kept; line numbers stay."""
    out: list[str] = []
    state = ""  # "", "/*", or the open quote
    depth: list[int] = []  # brace depth of each ${ … } entered from a template literal
    for line in lines:
        buf: list[str] = []
        i = 0
        while i < len(line):
            c = line[i]
            two = line[i : i + 2]
            if state == "/*":
                if two == "*/":
                    state, i = "", i + 2
                else:
                    i += 1
                continue
            if state in ('"', "'", "`"):
                if c == "\\":
                    i += 2
                elif c == state:
                    state, i = "", i + 1
                    buf.append(" ")
                elif state == "`" and two == "${":
                    state, i = "", i + 2
                    depth.append(0)
                    buf.append(" ")
                else:
                    i += 1
                continue
            if two == "//" or (c == "#" and not buf and not line[:i].strip()):
                break
            if two == "/*":
                state, i = "/*", i + 2
                continue
            if c in ('"', "'", "`"):
                state, i = c, i + 1
                buf.append(" ")
                continue
            if depth and c == "{":
                depth[-1] += 1
            elif depth and c == "}":
                if depth[-1] == 0:
                    depth.pop()
                    state, i = "`", i + 1
                    continue
                depth[-1] -= 1
            buf.append(c)
            i += 1
        if state in ('"', "'"):  # an unterminated quote ends with its line (Go runes, JS strings)
            state = ""
        out.append("".join(buf))
    return out
