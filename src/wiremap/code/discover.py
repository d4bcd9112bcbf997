"""Which integrations in the code have a doc: call sites matched to docs, grouped into integrations.

A site is covered by a doc when it is in the doc's Source file, or when it reaches the doc's
destination (same host:port) from the same folder as the doc's Source file: one Source → Destination
pair. A site of a doc's Source file, near its Source line, of its protocol and host, whose address
disagrees with the doc's is covered by that doc, with the mismatch said. When several docs could cover a
site, the one whose Endpoint matches the call's path wins, then the one whose Source line is nearest.

Sites are grouped into integrations: the sites of one class or function belong together, and so do
sites of one folder that reach the same destination. A group is covered when any of its sites is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from posixpath import dirname
from urllib.parse import urlsplit

from ..model import Integration
from ..ports import DEFAULT_PORTS
from .index import SourceIndex
from .link import module_name
from .locate import client_name
from .model import CallSite, EnvRead, FileIndex

__all__ = ["Discovery", "Group", "SiteCoverage", "destination_of", "discover"]

_HOSTPORT = re.compile(r"^\[?([A-Za-z0-9_.:-]+?)\]?:(\d{1,5})$")


@dataclass(frozen=True, slots=True)
class SiteCoverage:
    site: CallSite
    doc: str | None  # path of the doc that covers it
    # the doc covers the site but its address disagrees with the code's: "the doc says :6390 and the code
    # :6379" (documented, and wrong: no draft is written for it)
    mismatch: str | None = None

    @property
    def documented(self) -> bool:
        return self.doc is not None


@dataclass
class Group:
    """One integration found in the code: its sites, where it goes, and the doc that covers it."""

    source_dir: str
    sites: list[SiteCoverage] = field(default_factory=list)
    destination: str | None = None  # host:port when known
    env: str | None = None

    @property
    def doc(self) -> str | None:
        return next((s.doc for s in self.sites if s.doc), None)

    @property
    def documented(self) -> bool:
        return self.doc is not None

    @property
    def first(self) -> CallSite:
        return min((s.site for s in self.sites), key=lambda s: (s.path, s.line))

    @property
    def protocol(self) -> str:
        return self.first.protocol


@dataclass
class Discovery:
    sites: list[SiteCoverage]
    env_reads: list[EnvRead]
    groups: list[Group]

    @property
    def site_coverage(self) -> float | None:
        """Documented call sites / call sites; None when none was found (nothing found is not 100%)."""
        return sum(s.documented for s in self.sites) / len(self.sites) if self.sites else None

    @property
    def integration_coverage(self) -> float | None:
        """Documented integrations / integrations; None when none was found."""
        return sum(g.documented for g in self.groups) / len(self.groups) if self.groups else None

    def to_json(self) -> dict[str, object]:
        return {
            "sites": [
                {
                    "path": s.site.path,
                    "line": s.site.line,
                    "client": s.site.client,
                    "protocol": s.site.protocol,
                    "target": s.site.target or None,  # masked where it is printed (wiremap.output)
                    "env": s.site.env,
                    "scope": s.site.scope,
                    "documented": s.documented,
                    "doc": s.doc,
                    "mismatch": s.mismatch,
                }
                for s in self.sites
            ],
            "env_reads": [{"path": e.path, "line": e.line, "name": e.name} for e in self.env_reads],
            "integrations": [
                {
                    "source": g.source_dir,
                    "destination": g.destination,
                    "env": g.env,
                    "protocol": g.protocol,
                    "sites": [f"{s.site.path}:{s.site.line}" for s in g.sites],
                    "documented": g.documented,
                    "doc": g.doc,
                }
                for g in self.groups
            ],
            "coverage": {
                "sites": None if self.site_coverage is None else round(self.site_coverage, 4),
                "integrations": None
                if self.integration_coverage is None
                else round(self.integration_coverage, 4),
                "sites_found": len(self.sites),
                "sites_documented": sum(s.documented for s in self.sites),
                "integrations_found": len(self.groups),
                "integrations_documented": sum(g.documented for g in self.groups),
            },
        }


def destination_of(target: str | None) -> str | None:
    """``http://127.0.0.1:8084/v1/x`` → ``127.0.0.1:8084``; ``host:port`` as is; None when unknown."""
    if not target or "{…}" in target.split("/")[0] or target.startswith("${"):
        return None
    # a JDBC URL wraps its database's: ``jdbc:postgresql://127.0.0.1:5433/billing`` (no destination, so a
    # doc's wrong port went unseen: round 60)
    target = target.removeprefix("jdbc:")
    if "://" in target:
        try:
            parts = urlsplit(target)
            host, port = parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme.split("+")[0])
        except ValueError:
            return None
        return f"{host}:{port}" if host and port else None
    m = _HOSTPORT.match(target.strip())
    if m is not None:
        return f"{m.group(1)}:{m.group(2)}"
    conninfo = dict(_CONNINFO.findall(target))  # libpq's "host=reports.internal port=5433 dbname=…"
    host = conninfo.get("host")
    if host and not host.startswith("/"):  # (a socket folder is no network destination)
        return f"{host}:{conninfo.get('port') or DEFAULT_PORTS['postgresql']}"
    return None


_CONNINFO = re.compile(r"(?:^|\s)(host|port)\s*=\s*'?([^\s',]+)'?")


def _doc_destination(integ: Integration) -> str | None:
    if integ.destination_host and integ.destination_port:
        return f"{integ.destination_host}:{integ.destination_port}"
    return None


def _env_values(docs: Iterable[tuple[Integration, str | None]]) -> dict[str, str]:
    """Env var values written in the docs (``export ORDERS_DATABASE_URL=postgresql://…``)."""
    out: dict[str, str] = {}
    for integ, _ in docs:
        for var in integ.env_vars:
            if var.value and not var.value.startswith("$"):
                out.setdefault(var.name, var.value)
    return out


def _site_destination(site: CallSite, env_values: dict[str, str]) -> str | None:
    """Where a site goes: the value the docs give the variable that sets its address, else the code's
    address (a default the code falls back to when the variable is unset is no disagreement with a doc
    saying what the variable holds: ``os.environ.get("SMTP_HOST", "127.0.0.1")`` with ``SMTP_HOST=
    smtp.internal`` was "documented, but the doc says smtp.internal and the code 127.0.0.1": round 63)."""
    code = destination_of(site.target)
    value = env_values.get(site.env) if site.env else None
    if value is None:
        return code
    given = destination_of(value)
    if given is None and code is not None and _BARE_HOST.fullmatch(value):
        given = f"{value}:{_split(code)[1]}"  # ``SMTP_HOST=smtp.internal``: the host, at the code's port
    return given or code


_BARE_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})")


def _split(dest: str) -> tuple[str, str]:
    host, _, port = dest.rpartition(":")
    return host, port


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "localhost.localdomain"})


def _same_host(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or (a in _LOOPBACK and b in _LOOPBACK)


def _same_destination(doc_dest: str | None, site_dest: str) -> bool:
    """One destination however loopback is spelled (the doc's ``localhost:1883``, the code's 127.0.0.1)."""
    if doc_dest is None:
        return True
    (dh, dp), (sh, sp) = _split(doc_dest), _split(site_dest)
    return dp == sp and _same_host(dh, sh)


def _mismatch(doc_dest: str, site_dest: str, said: str = "the code") -> str:
    """``the doc says :6390 and the code :6379`` (the part that differs; host and port when both do).
    ``said``: where the site's destination comes from: the code, or an env var's example value in the
    docs (``$CART_REDIS_URL as the docs give it``: the code names no address, the docs disagree with each
    other)."""
    (dh, dp), (sh, sp) = _split(doc_dest), _split(site_dest)
    if dh == sh:
        return f"the doc says :{dp} and {said} :{sp}"
    if dp == sp:
        return f"the doc says {dh} and {said} {sh}"
    return f"the doc says {doc_dest} and {said} {site_dest}"


def _segments(text: str | None) -> list[str]:
    """The path of a URL or of an Endpoint (``GET /v1/users/{id}``), as segments."""
    if not text:
        return []
    for word in text.replace("`", " ").split():
        if "://" in word:
            try:
                word = urlsplit(word).path
            except ValueError:
                return []
        if word.startswith("/"):
            return [x for x in word.split("?")[0].split("#")[0].split("/") if x]
    return []


def _host_of(text: str | None) -> str | None:
    for word in (text or "").replace("`", " ").split():
        if "://" in word:
            try:
                return urlsplit(word).hostname
            except ValueError:
                return None
    return None


def _wild(segment: str) -> bool:
    return segment.startswith(("{", ":", "<", "$", "[")) or segment in ("…", "*")


def _endpoint_match(site: CallSite, integ: Integration) -> int:
    """How well the doc's Endpoint matches the call: leading path segments in common (a ``{id}`` or ``{…}``
    matches any), plus one when the Endpoint names the call's host. 0: nothing in common."""
    target = site.target or ""
    if "://" not in target and "/" in target:  # ``{…}/v1/users/{…}``: a base URL from a variable
        target = target[target.index("/") :]
    call = _segments(target)
    doc = _segments(integ.endpoint)
    score = 0
    for a, b in zip(call, doc, strict=False):
        if a != b and not _wild(a) and not _wild(b):
            break
        score += 1
    host = _host_of(integ.endpoint)
    if score and host is not None and host == _host_of(target):
        score += 1
    return score


def _near(site: CallSite, integ: Integration, window: int) -> bool:
    line = integ.source_ref.line if integ.source_ref is not None else None
    return line is not None and abs(line - site.line) <= window


def _in_client(site: CallSite, integ: Integration) -> bool:
    """The site is in the code of the doc's Client (a method of ``LedgerClient``), however far from the
    Source line: a doc at the class line with a wrong port left the class's calls "undocumented" and
    --scaffold drafted a second doc (new user, round 63)."""
    name = client_name(integ.client)
    if not name or not site.scope:
        return False
    return site.scope.split(".")[0] == name.rsplit(".", 1)[-1]


def _same_protocol(site: CallSite, integ: Integration) -> bool:
    return integ.protocol is None or integ.protocol == site.protocol


_SQL = frozenset({"sql", "postgresql", "mysql", "sqlite", "mssql", "oracle", "mariadb", "cockroachdb"})


def _may_be(site: CallSite, integ: Integration) -> bool:
    """The doc's protocol can be the site's: the same, either unknown, a SQL database for a generic SQL
    call, or a doc about a TCP connection (a transport under any protocol). An HTTP call in a file whose
    doc is about gRPC is not that doc's (new user, round 21: it was, and coverage read 100%)."""
    doc, code = integ.protocol, site.protocol
    if doc is None or code in (None, "", "unknown", "?") or doc == code or doc == "tcp":
        return True
    return "sql" in (doc, code) and doc in _SQL and code in _SQL


def _listed_env(integ: Integration) -> set[str]:
    """The variables a doc lists by name (not the template's ``[VAR_NAME]``)."""
    return {v.name for v in integ.env_vars if not v.name.startswith("[")}


def _doc_of_file(
    site: CallSite, dest: str | None, named: list[Integration], window: int, from_code: bool = True
) -> tuple[Integration | None, str | None]:
    """The doc, among those naming the site's file, that covers it, and how its address disagrees with
    the code's (None: it does not).

    A site whose destination is known is covered by a doc of that destination (a new call in a documented
    file to another host is undocumented), or, when none is, by a doc whose Source line is near the site
    (within ``window`` lines), of the same protocol and host or port: that doc documents the site, with
    the wrong address. Among several docs, the one whose Endpoint matches the call's path (and host) wins,
    then the one whose Source line is nearest. ``from_code``: the code names that destination (else it
    is an env var's example value in the docs: no disagreement with the code is said)."""
    candidates = [i for i in named if _may_be(site, i)]
    if not dest and site.env:
        # a call of the file configured by a variable no doc of it lists, while they list theirs: another
        # peer (``fetch(`${FX_API_URL}/v2/rates`)`` in the Payments client's file was "documented": round 44)
        # A doc whose Source line names this very call documents it, whatever variable it lists (a misnamed
        # one made it undocumented, and --scaffold drafted a second doc: new user, round 48; SRC005/006
        # say what is wrong with the variable)
        candidates = [
            i for i in candidates if site.env in (_listed_env(i) or {site.env}) or _near(site, i, 1)
        ]
    mismatch: str | None = None
    if dest:
        candidates = [i for i in candidates if _same_destination(_doc_destination(i), dest)]
        if not candidates:
            wrong = [
                i
                for i in named
                if (_near(site, i, window) or _in_client(site, i))
                and _same_protocol(site, i)
                and any(a == b for a, b in zip(_split(_doc_destination(i) or ""), _split(dest), strict=True))
            ]
            candidates = wrong
    if not candidates:
        return None, None

    def rank(i: Integration) -> tuple[int, int]:
        line = i.source_ref.line if i.source_ref is not None else None
        return -_endpoint_match(site, i), abs(line - site.line) if line is not None else 1 << 30

    best = min(candidates, key=rank)
    if dest and not _same_destination(_doc_destination(best), dest):
        said = "the code" if from_code else f"${site.env} as the docs give it"
        mismatch = _mismatch(_doc_destination(best) or "", dest, said)
    return best, mismatch


# the conventions of test code in Python, JavaScript/TypeScript and Go: a call there talks to a mock or a
# test server, not a destination of the service (a mocked call in tests/test_payments.py and one in
# web/test/api.test.ts were two "undocumented integrations", each drafted: new user, round 35)
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "__mocks__", "spec", "specs", "testdata", "e2e"})
_TEST_FILE = re.compile(
    r"^(?:test_.*\.py|.*_test\.py|conftest\.py|.*_test\.go|.*\.(?:test|spec)\.[cm]?[jt]sx?)$"
)


def is_test_path(path: str) -> bool:
    """``path`` (relative, ``/``-separated) is test code by the usual conventions."""
    *folders, name = path.split("/")
    return bool(_TEST_FILE.match(name)) or any(f in _TEST_DIRS for f in folders)


def discover(
    index: SourceIndex, docs: Sequence[tuple[Integration, str | None]], *, window: int = 10
) -> Discovery:
    """``docs``: each integration with its Source path relative to the index root (None: none).
    ``window``: how near a doc's Source line a site must be to be that doc's when their addresses differ
    (``source-line-window``)."""
    env_values = _env_values(docs)
    by_source: dict[str, list[Integration]] = {}
    by_dest: dict[tuple[str, str], list[Integration]] = {}
    for integ, rel in docs:
        if rel is None:
            continue
        by_source.setdefault(rel, []).append(integ)
        dest = _doc_destination(integ)
        if dest:
            by_dest.setdefault((dirname(rel), dest), []).append(integ)

    importers = _importers(index, by_source)
    covered: list[SiteCoverage] = []
    sites = sorted(
        (s for s in index.sites() if not is_test_path(s.path)), key=lambda s: (s.path, s.line, s.client)
    )
    # what the other sites of a function call: a request built with its URL (``http.NewRequest``,
    # ``requests.Request``), then sent by a call that names none (``client.Do(req)``, ``Session.send``)
    in_scope: dict[tuple[str, str], set[str]] = {}
    for site in sites:
        if site.scope and (known := _site_destination(site, env_values)):
            in_scope.setdefault((site.path, site.scope), set()).add(known)
    # the destinations the code of each file names: a doc whose address is one of them is right about
    # it, and another site of the file going elsewhere is another peer, not that doc with a wrong address
    in_file: dict[str, set[str]] = {}
    for site in sites:
        if known := _site_destination(site, env_values):
            in_file.setdefault(site.path, set()).add(known)
    for site in sites:
        dest = _site_destination(site, env_values)
        from_code = destination_of(site.target) == dest
        if dest is None and len(scoped := in_scope.get((site.path, site.scope or ""), set())) == 1:
            # the send goes where its function's request does: a Do(req) of a request to audit.internal in
            # a file documented for auth.internal was "documented" (new user, round 35)
            dest, from_code = next(iter(scoped)), True
        named = by_source.get(site.path, [])
        if dest:
            # a doc whose destination another call of the file goes to documents that call: this one, to
            # another host:port, is not it with a wrong address (a new pricing call beside the documented
            # inventory client was "documented, but the doc says :23503": round 56)
            found = in_file.get(site.path, set())
            named = [
                i
                for i in named
                if _same_destination(_doc_destination(i), dest)
                or not any(_same_destination(_doc_destination(i), d) for d in found)
            ]
        doc, mismatch = _doc_of_file(site, dest, named, window, from_code)
        if doc is None and dest:
            near = by_dest.get((dirname(site.path), dest), [])
            doc = max(near, key=lambda i: _endpoint_match(site, i)) if near else None
        if doc is None and dest is None:
            # a base class or helper module a documented Source file imports: ``BillingClient(BaseApiClient)``
            # documented in billing.py sends through base.py, whose sites name no destination of their own
            # (they were an undocumented integration, and --scaffold drafted it again: new user, round 39)
            cls = site.scope.split(".")[0] if site.scope[:1].isupper() else ""
            keys = [f"{m}.{cls}" for m in _suffixes(module_name(site.path))] if cls else []
            users = next((importers[k] for k in keys if k in importers), [])
            doc = users[0] if users else None
        covered.append(SiteCoverage(site, doc.path if doc is not None else None, mismatch))
    env_reads = sorted(
        (e for e in index.env_reads() if not is_test_path(e.path)), key=lambda e: (e.path, e.line, e.name)
    )
    return Discovery(covered, env_reads, _group(covered, env_values))


def _suffixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def _importers(index: SourceIndex, by_source: dict[str, list[Integration]]) -> dict[str, list[Integration]]:
    """Each class a documented Source file imports and derives from (``module.Class``) → that file's docs:
    the base class's sites are the documented subclass's. A base class another file imports too is
    shared (``BaseApiClient`` of a documented Ledger and an undocumented FX client): it is no one doc's
    (the FX integration was hidden under the Ledger doc: new user, round 43)."""
    out: dict[str, list[Integration]] = {}
    for rel, integs in sorted(by_source.items()):
        f = index.files.get(rel)
        if f is None or f.language != "python" or not f.imports:
            continue
        try:
            text = (index.root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        bases = {b for m in _CLASS_BASES.finditer(text) for b in _NAME.findall(m.group(1))}
        for bound, name in _imported_names(rel, f):
            if bound in bases:
                for key in _suffixes(name):  # src layouts: ``src.orders…`` is ``orders…``
                    out.setdefault(key, []).extend(integs)
    if out:
        for rel, f in index.files.items():
            if rel in by_source or f.language != "python" or is_test_path(rel):
                continue
            for _, name in _imported_names(rel, f):
                for key in _suffixes(name):
                    out.pop(key, None)
    return out


def _imported_names(rel: str, f: FileIndex) -> list[tuple[str, str]]:
    """``(bound name, absolute module.Name)`` of each ``from module import Name`` of a Python file."""
    here = module_name(rel)
    package = here if rel.endswith("__init__.py") else here.rpartition(".")[0]
    out: list[tuple[str, str]] = []
    for ref in f.imports:
        if not ref.name:
            continue
        module = ref.module
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            base = package
            for _ in range(level - 1):
                base = base.rpartition(".")[0]
            module = f"{base}.{module.lstrip('.')}".strip(".")
        out.append((ref.bound, f"{module}.{ref.name}"))
    return out


_CLASS_BASES = re.compile(r"^\s*class\s+\w+\s*\(([^)]*)\)", re.MULTILINE)
_NAME = re.compile(r"[A-Za-z_]\w*")


def _group(sites: list[SiteCoverage], env_values: dict[str, str]) -> list[Group]:
    """Union of: same file and top-level scope; same folder and same destination (or env var)."""
    parent = list(range(len(sites)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[tuple[str, ...], int] = {}
    for i, sc in enumerate(sites):
        s = sc.site
        keys: list[tuple[str, ...]] = []
        if s.scope:
            keys.append(("scope", s.path, s.scope.split(".")[0], s.protocol))
        dest = _site_destination(s, env_values)
        if dest:
            keys.append(("dest", dirname(s.path), dest))
        if s.env:
            keys.append(("env", dirname(s.path), s.env))
        if not keys:
            keys.append(("line", s.path, str(s.line)))
        for key in keys:
            j = first_of.setdefault(key, i)
            parent[find(i)] = find(j)
    groups: dict[int, Group] = {}
    for i, sc in enumerate(sites):
        g = groups.setdefault(find(i), Group(dirname(sc.site.path)))
        g.sites.append(sc)
        g.destination = g.destination or _site_destination(sc.site, env_values)
        g.env = g.env or sc.site.env
    out: list[Group] = []
    for g in _join_relative(list(groups.values())):
        out += _split_new_destinations(g, env_values)
    return sorted(out, key=lambda g: (g.first.path, g.first.line))


def _relative(site: CallSite) -> bool:
    t = site.target or ""
    return t.startswith("/") or (bool(t) and "://" not in t and not t[:1].isalnum() and not t.startswith("{"))


def _join_relative(groups: list[Group]) -> list[Group]:
    """A group of calls that name only a path (``api.get("/orders")``), with no host and no variable, joins
    the one group of its file and protocol that has them: the client instance those calls are made on
    (``axios.create({baseURL: process.env.ORDERS_API_URL})`` and its ``get`` were two integrations, the
    second with no destination: new user, round 48)."""
    out = list(groups)
    for g in groups:
        if g.destination or g.env or not all(_relative(sc.site) for sc in g.sites):
            continue
        path, proto = g.first.path, g.protocol
        others = [
            h
            for h in out
            if h is not g
            and h.protocol == proto
            and any(sc.site.path == path for sc in h.sites)
            and not all(_relative(sc.site) for sc in h.sites)
        ]
        # the client that says where it goes; else the file's one client that does not (its base URL read
        # from another module's config object: round 62 counted its create and each call apart)
        hosts = [h for h in others if h.destination or h.env] or others
        if len(hosts) == 1:
            hosts[0].sites.extend(g.sites)
            out.remove(g)
    return out


def _split_new_destinations(g: Group, env_values: dict[str, str]) -> list[Group]:
    """A group held together by a class or function whose sites go to several destinations: the sites of
    a destination no doc covers, beside documented ones, are an integration of their own (a new call to
    refunds.internal in a documented PaymentsClient was marked undocumented on its line and never listed
    nor drafted: new user, round 35)."""
    by_dest: dict[str, list[SiteCoverage]] = {}
    for sc in g.sites:
        if dest := _site_destination(sc.site, env_values):
            by_dest.setdefault(dest, []).append(sc)
    if len(by_dest) < 2 or not g.documented:
        return [g]
    out: list[Group] = []
    for dest, scs in by_dest.items():
        if any(sc.documented for sc in scs):
            continue
        envs = [sc.site.env for sc in scs if sc.site.env]
        out.append(Group(g.source_dir, scs, dest, envs[0] if envs else None))
        g.sites = [sc for sc in g.sites if sc not in scs]
    g.destination = next(
        (d for sc in g.sites if (d := _site_destination(sc.site, env_values))), g.destination
    )
    return [g, *out]
