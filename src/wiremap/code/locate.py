"""Where a doc's Client is in the code: by definition, by call site, by import."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import Integration
from .clients_go import canonical_path
from .index import SourceIndex
from .model import FileIndex, ImportRef

__all__ = [
    "Moved",
    "as_written",
    "client_line",
    "client_lines",
    "client_missing",
    "client_name",
    "defined_anywhere",
    "moved_client",
    "nearest",
    "qualified",
    "receiver_calls",
    "within",
]

_CALL_SUFFIX = re.compile(r"\(.*\)$")


def client_name(text: str | None) -> str | None:
    """``PaymentsClient``, ``PaymentsClient.charge``, ``requests.Session``; None for placeholders."""
    if not text:
        return None
    name = text.strip().strip("`").strip()
    name = _CALL_SUFFIX.sub("", name).strip()
    if not name or name.startswith("[") or not re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", name):
        return None
    return name


def _matches(qualname: str, name: str) -> bool:
    return qualname == name or qualname.endswith("." + name)


def _member(qualname: str, name: str) -> bool:
    """``qualname`` is a method (or any member) of the type ``name``."""
    return f".{qualname}".find(f".{name}.") >= 0


def _import_base(f: FileIndex, ref: ImportRef) -> str:
    """The dotted name the import binds ``ref.bound`` to, as the indexer of ``f``'s language resolves
    calls: Python's ``import a.b.c as x`` is ``a.b.c``, ``import a.b.c`` binds ``a``, ``from a.b import c``
    is ``a.b.c``; Go's import path without its major version (``github.com/redis/go-redis``)."""
    if f.language == "go":
        return canonical_path(ref.module)
    if f.language != "python":
        return ref.module if ref.name in (None, "default") else f"{ref.module}.{ref.name}"
    if ref.name is None:
        top = ref.module.split(".")[0]
        return top if ref.bound == top else ref.module
    if ref.module and not ref.module.endswith("."):
        return f"{ref.module}.{ref.name}"
    return ref.module + ref.name  # from . import x


def qualified(f: FileIndex, name: str) -> str | None:
    """A Client written as the code writes it, ``alias.Name`` where ``alias`` is what an import of ``f``
    binds, as the imported dotted name the index records its calls and call sites by: ``mqtt.Client`` after
    ``import paho.mqtt.client as mqtt`` is ``paho.mqtt.client.Client``, Go's ``http.Get`` after ``import
    "net/http"`` is ``net/http.Get``. None when ``name`` has no qualifier or no import binds it.

    The one resolution of a doc's Client to the code: SRC003, SRC004 and ``sync`` find the Client with it
    (:func:`client_lines`), and ``discover --scaffold`` writes the Client of a draft back the same way
    (:func:`as_written`)."""
    qualifier, dot, rest = name.partition(".")
    if not dot:
        return None
    bases = {_import_base(f, i) for i in f.imports if i.bound == qualifier}
    return f"{bases.pop()}.{rest}" if len(bases) == 1 else None


def as_written(f: FileIndex, dotted: str) -> str:
    """The inverse of :func:`qualified`: ``net/http.Get`` as the file writes it (``http.Get``), so that a
    Client written by ``discover --scaffold`` is found by lint and sync; ``dotted`` itself when no import
    of ``f`` binds its module."""
    best: tuple[int, str] | None = None
    for i in f.imports:
        if not i.bound or i.bound in ("_", "."):
            continue
        base = _import_base(f, i)
        rest = dotted[len(base) + 1 :]
        if dotted.startswith(base + ".") and rest == i.bound and f.language != "python":
            # a module's default export used as its class: ``const Redis = require("ioredis")``, ``new
            # Redis(…)`` is ``ioredis.Redis`` written ``Redis`` (drafts said ``Redis.Redis``: round 48)
            candidate = (len(base), i.bound)
            best = max(best, candidate) if best is not None else candidate
        elif dotted.startswith(base + ".") and qualified(f, f"{i.bound}.{rest}") == dotted:
            candidate = (len(base), f"{i.bound}.{rest}")
            best = max(best, candidate) if best is not None else candidate
    return best[1] if best is not None else dotted


_OWNERS = ("self", "this", "cls")


def _defines(var: str) -> re.Pattern[str]:
    """A line that defines the variable or field ``var``, in any language the index knows: Go's ``var x =``,
    ``var x *T``, ``x :=``, ``x, err :=`` and a struct field ``x *T``; Python's ``x = ``, ``x: T = ``,
    ``self.x = ``; TypeScript/JavaScript's ``const/let/var x``, ``this.x = `` and a class field ``x: T``."""
    v = re.escape(var)
    return re.compile(
        rf"\b(?:var|let|const|private|public|protected|readonly)\s+{v}\b"
        rf"|(?<![\w$.]){v}\s*(?:,\s*[\w$]+\s*)*(?::=|=(?![=>]))"
        rf"|(?<![\w$])(?:{'|'.join(_OWNERS)})\.{v}\s*(?::[^=]*)?=(?![=>])"
        rf"|(?<![\w$.]){v}\s*[?!]?:\s*[\w$.<>\[\]|* ]+(?:=(?![=>])|[;,]?\s*$)"
        rf"|^\s*{v}\s+\*?[\w$.\[\]]+\s*(?:`.*)?$"
    )


def receiver_calls(lines: list[str], name: str) -> set[int]:
    """The lines of ``lines`` (a file's text) that call a Client written as ``receiver.method``, where the
    receiver is a variable or field the file defines (``var client = &http.Client{…}`` then
    ``client.Post(…)``; ``self.session = requests.Session()`` then ``self.session.get(…)``): the call
    sites discover reports at those lines, by the name the code gives them. Empty when ``name`` has no
    receiver or the file defines none by that name."""
    parts = name.split(".")
    owned = parts[0] in _OWNERS and len(parts) > 2
    if len(parts) < 2 or (parts[0] in _OWNERS and not owned):
        return set()
    var = parts[1] if owned else parts[0]
    defines = _defines(var)
    if not any(defines.search(line) for line in lines):
        return set()
    call = re.compile(rf"(?<![\w$]){re.escape(name)}\s*\(")
    return {n for n, line in enumerate(lines, 1) if call.search(line)}


_NAME = re.compile(r"[A-Za-z_$][\w$]*")


def _variable_lines(f: FileIndex, text: list[str], name: str) -> set[int]:
    """A Client that is a variable of the file (``feature_cache = redis.Redis.from_url(…)``, ``const
    searchClient = axios.create({…})``) or a name it imports (``const pRetry = require('p-retry')``): the
    lines defining it and the lines calling it (``pRetry(…)`` on line 12 is where the client is used, not
    only its ``require`` on line 1)."""
    if not _NAME.fullmatch(name):
        return set()
    defines = _defines(name)
    lines = {n for n, line in enumerate(text, 1) if defines.search(line)}
    if not lines and not any(i.bound == name or i.name == name for i in f.imports):
        return set()
    call = re.compile(rf"(?<![\w$.]){re.escape(name)}\s*\(")
    return lines | {n for n, line in enumerate(text, 1) if call.search(line)}


def client_lines(f: FileIndex, name: str, text: list[str] | None = None) -> list[tuple[int, int]]:
    """``(first, last)`` line spans in ``f`` where the Client is: its definitions, else its call sites (a
    library client such as ``requests.Session``, or any call of an imported name, written as the code
    writes it, ``mqtt.Client``, or by its import, ``paho.mqtt.client.Client``, or a method called on a
    variable the file defines, ``client.Post``, found in ``text``, the file's lines), else its imports."""
    # a type's methods are the Client too where a language writes them outside its body: Go's
    # ``func (c *PaymentsClient) GetCharge`` (SRC003 said a Source there was not at the Client: round 54)
    spans = [
        (d.line, d.end_line) for d in f.definitions if _matches(d.qualname, name) or _member(d.qualname, name)
    ]
    if not spans and (own := _own_module_name(f, name)) is not None:
        # ``clients.fraud.FraudClient`` (or ``clients.FraudClient``, re-exported by the package) for the class
        # clients/fraud.py defines: SRC004 said it was not there (new user, round 51)
        spans = [(d.line, d.end_line) for d in f.definitions if _matches(d.qualname, own)]
    if spans:
        return sorted(spans)
    names = {name, qualified(f, name) or name}
    lines = {
        s.line for s in f.sites if any(_matches(s.client, x) or s.client.startswith(x + ".") for x in names)
    }
    lines |= {n for n, dotted in f.calls if any(dotted == x or dotted.startswith(x + ".") for x in names)}
    if not lines and text:
        lines = receiver_calls(text, name) or _variable_lines(f, text, name)
    if lines:
        return [(n, n) for n in sorted(lines)]
    qualifier, _, last = name.rpartition(".")
    return sorted(
        (i.line, i.line)
        for i in f.imports
        if (i.bound == last or i.name == last) and _imported_from(i, qualifier)
    )


def _imported_from(ref: ImportRef, qualifier: str) -> bool:
    """A Client's qualifier names the module of the import that binds its name (``sqlalchemy.create_engine``
    and ``from sqlalchemy import create_engine``); none, or the bound name itself, is any. ``nosuchlib.
    create_engine`` and ``Foo.Redis`` passed SRC003/SRC004 on that import (new user, round 48)."""
    if not qualifier:
        return True
    q = qualifier.lower().replace("/", ".")
    module = ref.module.lower().replace("/", ".").lstrip(".")
    parts = set(module.split(".")) | {module, ref.bound.lower()}
    return q in parts or module.endswith("." + q) or q.split(".")[-1] in parts or q in module.replace("-", "")


def _own_module_name(f: FileIndex, name: str) -> str | None:
    """``name`` without a qualifier that is the Source file's own module or one of its packages."""
    if f.language != "python" or "." not in name:
        return None
    stem = f.path[: -len(".py")] if f.path.endswith(".py") else f.path
    parts = [p for p in stem.split("/") if p]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if parts and parts[0] == "src":
        parts = parts[1:]
    module = ".".join(parts)
    for n in range(1, name.count(".") + 1):  # the longest qualifier first
        qualifier, rest = name.rsplit(".", n)[0], ".".join(name.rsplit(".", n)[1:])
        if qualifier and (
            module == qualifier or module.endswith("." + qualifier) or module.startswith(qualifier + ".")
        ):
            return rest
    return None


def client_missing(
    integration: Integration, f: FileIndex | None, text: list[str] | None = None
) -> str | None:
    """The Client the doc names when the Source file (indexed, readable; ``text``: its lines) has no trace
    of it: SRC004's case, where ``sync`` has nothing to compare and says so. None when the doc names no
    Client or the file could not be read (nothing is known either way)."""
    name = client_name(integration.client)
    if name is None:
        return None
    if f is None:
        # a language wiremap does not index (Kotlin, Ruby …): the file's words are all it knows, and a
        # Client that is none of them is not there (``TaxKlient`` in TaxClient.kt passed: round 54)
        last = re.escape(name.rpartition(".")[2])
        return (
            name
            if text is not None and not any(re.search(rf"(?<![\w$]){last}(?![\w$])", t) for t in text)
            else None
        )
    if f.error or client_lines(f, name, text):
        return None
    return name


def within(spans: list[tuple[int, int]], line: int, window: int) -> bool:
    """``line`` is inside a span or within ``window`` lines of where one starts."""
    return any(first <= line <= last or abs(first - line) <= window for first, last in spans)


def nearest(spans: list[tuple[int, int]], line: int) -> int | None:
    """The start line of the span nearest to ``line`` (ties: the earlier one)."""
    if not spans:
        return None
    return min((abs(first - line), first) for first, _ in spans)[1]


def defined_anywhere(index: SourceIndex, name: str) -> list[str]:
    """Paths defining ``name`` (matched on its last parts), for a Client the Source file lacks."""
    return sorted(
        {p for p, d in index.definitions_named(name) if _matches(d.qualname, name) or d.name == name}
    )


def defined_elsewhere(index: SourceIndex, f: FileIndex, name: str, rel: str) -> tuple[str, int] | None:
    """Where the project defines the Client when the Source file ``rel`` only uses it (calls or imports
    it): a Source that named the definition, after the class moved to another file, is not "moved" to a
    call of it (sync did so and lint then passed: new user, round 33)."""
    if any(_matches(d.qualname, name) for d in f.definitions):
        return None
    found = sorted(
        (p, d.line)
        for p, d in index.definitions_named(name)
        if p != rel and (_matches(d.qualname, name) or d.name == name)
    )
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Moved:
    """The doc's Client is no longer at its Source line: where it is now."""

    client: str
    old_line: int
    new_line: int


def _target(spans: list[tuple[int, int]], line: int) -> int | None:
    """The line the Source should name: the start of the span ``line`` is inside (the innermost), else the
    start nearest to it."""
    inside = [first for first, last in spans if first <= line <= last]
    return max(inside) if inside else nearest(spans, line)


def _where(
    integration: Integration, f: FileIndex | None, text: list[str] | None = None
) -> tuple[str, int, list[tuple[int, int]]] | None:
    name, ref = client_name(integration.client), integration.source_ref
    if name is None or ref is None or ref.line is None or f is None or f.error:
        return None
    spans = _for_doc(integration, f, client_lines(f, name, text))
    return (name, ref.line, spans) if spans else None


def doc_client_lines(
    integration: Integration, f: FileIndex, text: list[str] | None = None
) -> list[tuple[int, int]]:
    """:func:`client_lines` of the doc's Client, those going where the doc says when several are there."""
    name = client_name(integration.client)
    return _for_doc(integration, f, client_lines(f, name, text)) if name is not None else []


def _for_doc(integration: Integration, f: FileIndex, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Of several places the Client is, those whose call goes where the doc says (its Destination's
    host:port, or an env var it lists): two ``httpx.AsyncClient`` of one file, one to another service,
    and sync moved the Source to the nearer one, the wrong one (round 56). Spans whose call goes
    elsewhere are dropped when another matches (or when none is known to); unknown ones kept."""
    if len(spans) < 2:
        return spans
    name = client_name(integration.client)
    if name is not None and any(
        _matches(d.qualname, name) or _member(d.qualname, name) for d in f.definitions
    ):
        # the project's own Client: its definition and its methods are where it is, whichever of them
        # calls where (a struct's line was dropped for its method's: SRC003 sent :20 to :34, round 61)
        return spans
    host, port = integration.destination_host, integration.destination_port
    names = {e.name for e in integration.env_vars}
    verdicts: list[bool | None] = []
    for first, last in spans:
        seen: bool | None = None
        for site in f.sites:
            if not first <= site.line <= last:
                continue
            if site.env and site.env in names:
                seen = True
                break
            where = _host_port(site.target)
            if where is not None and host:
                if where[0] == host and (port is None or where[1] in (None, port)):
                    seen = True
                    break
                seen = False
        verdicts.append(seen)
    if True in verdicts:
        return [s for s, v in zip(spans, verdicts, strict=True) if v]
    kept = [s for s, v in zip(spans, verdicts, strict=True) if v is not False]
    return kept or spans


def _host_port(target: str | None) -> tuple[str, int | None] | None:
    """``(host, port)`` of a call site's target (a URL or ``host:port``); None when it has no host."""
    if not target:
        return None
    try:
        parts = urlsplit(target if "://" in target else f"//{target}")
        if "{" in parts.netloc or not parts.hostname:  # ``{…}``: a part not known
            return None
        return parts.hostname, parts.port
    except ValueError:
        return None


def moved_client(
    integration: Integration, f: FileIndex | None, window: int, text: list[str] | None = None
) -> Moved | None:
    """SRC003's question: is the Client away from the Source line, and where is it? None when the doc names
    no Client or line, the file does not parse, the Client is not in the file (SRC004's case) or it is at
    or near the line (inside its body, or within ``window`` lines of where it starts)."""
    found = _where(integration, f, text)
    if found is None or within(found[2], found[1], window):
        return None
    name, line, spans = found
    now = _target(spans, line)
    return Moved(name, line, now) if now is not None else None


def imported_only(
    integration: Integration, f: FileIndex | None, text: list[str] | None = None
) -> Moved | None:
    """The Client is in the Source file only as an import (no definition, no call): where that import is,
    wherever the Source line points. A Source naming the import of a class moved to another module was
    "at the Client" for SRC003 and sync (new user, round 46); :func:`defined_elsewhere` says where it went."""
    found = _where(integration, f, text)
    if found is None or f is None:
        return None
    name, line, spans = found
    last = name.rsplit(".", 1)[-1]
    imports = {i.line for i in f.imports if i.bound == last or i.name == last}
    if not imports or not {first for first, _ in spans} <= imports:
        return None
    return Moved(name, line, nearest(spans, line) or spans[0][0])


def import_definition(
    f: FileIndex, rel: str, name: str, exists: Callable[[str], bool], read: Callable[[str], list[str]]
) -> tuple[str, int] | None:
    """Where the module a Source file imports the Client from defines it, by the import's relative path
    (``import { inventoryClient } from "./clients.js"`` → ``clients.ts``, the line of ``export const
    inventoryClient =``): a variable is no definition the index lists (SRC003 said nothing and sync moved
    the Source to the import line: new user, round 53). None when the module is not a file of the tree."""
    last = name.rsplit(".", 1)[-1]
    for imp in f.imports:
        if last not in (imp.bound, imp.name) or not imp.module.startswith("."):
            continue
        if f.language == "python":
            level = len(imp.module) - len(imp.module.lstrip("."))
            folder = posixpath.dirname(rel)
            for _ in range(level - 1):
                folder = posixpath.dirname(folder)
            base = posixpath.join(folder, imp.module.lstrip(".").replace(".", "/"))
            if imp.name is not None and not imp.module.lstrip("."):
                base = posixpath.join(folder, imp.name)
            candidates = [f"{base}.py", f"{base}/__init__.py"]
        else:
            base = posixpath.normpath(posixpath.join(posixpath.dirname(rel), imp.module))
            stem = re.sub(r"\.(?:[cm]?[jt]sx?)$", "", base)
            exts = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx")
            candidates = [base, *(stem + e for e in exts), *(f"{stem}/index{e}" for e in exts)]
        for path in candidates:
            if path.startswith(("../", "/")) or path == "..":
                continue  # outside the project: not read
            if path != rel and exists(path):
                defines = _defines(last)
                line = next((n for n, t in enumerate(read(path), 1) if defines.search(t)), None)
                if line is not None:
                    return path, line
    return None


def client_line(integration: Integration, f: FileIndex | None, text: list[str] | None = None) -> Moved | None:
    """``sync``'s fix: where the Source line should point when it is no longer at the Client, near or far:
    the start of the nearest definition (or call site). None where :func:`moved_client` gives None for lack
    of a Client, or when the line is at the Client: its first line or any line of its body (the call
    inside ``InventoryClient`` at line 18 was "moved" to the class's line 11, a true line rewritten:
    new user, round 29)."""
    found = _where(integration, f, text)
    if found is None or imported_only(integration, f, text) is not None:
        return None  # only imported here: no line of this file to point at (SRC003 and sync say so)
    name, line, spans = found
    if any(first <= line <= last for first, last in spans):
        return None
    now = _target(spans, line)
    return Moved(name, line, now) if now is not None and now != line else None
