"""Which integrations in the code have a doc: call sites matched to docs, grouped into integrations.

A site is covered by a doc when it is in the doc's Source file, or when it reaches the doc's
destination (same host:port) from the same folder as the doc's Source file: one Source → Destination
pair. Sites are grouped into integrations: the sites of one class or function belong together, and so
do sites of one folder that reach the same destination. A group is covered when any of its sites is.
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
from .model import CallSite, EnvRead

__all__ = ["Discovery", "Group", "SiteCoverage", "destination_of", "discover"]

_HOSTPORT = re.compile(r"^\[?([A-Za-z0-9_.:-]+?)\]?:(\d{1,5})$")


@dataclass(frozen=True, slots=True)
class SiteCoverage:
    site: CallSite
    doc: str | None  # path of the doc that covers it

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
    if "://" in target:
        try:
            parts = urlsplit(target)
            host, port = parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme.split("+")[0])
        except ValueError:
            return None
        return f"{host}:{port}" if host and port else None
    m = _HOSTPORT.match(target.strip())
    return f"{m.group(1)}:{m.group(2)}" if m else None


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
    return destination_of(site.target) or (destination_of(env_values.get(site.env)) if site.env else None)


def _doc_of_file(site: CallSite, dest: str | None, named: list[Integration]) -> Integration | None:
    """The doc, among those naming the site's file, that covers it: a site whose destination is known
    is covered only by a doc of that destination (a new call in a documented file to another host is
    undocumented); otherwise by the doc whose Source line is nearest."""
    if dest:
        named = [i for i in named if _doc_destination(i) in (dest, None)]
    if not named:
        return None

    def distance(i: Integration) -> int:
        line = i.source_ref.line if i.source_ref is not None else None
        return abs(line - site.line) if line is not None else 1 << 30

    return min(named, key=distance)


def discover(index: SourceIndex, docs: Sequence[tuple[Integration, str | None]]) -> Discovery:
    """``docs``: each integration with its Source path relative to the index root (None: none)."""
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

    covered: list[SiteCoverage] = []
    for site in sorted(index.sites(), key=lambda s: (s.path, s.line, s.client)):
        dest = _site_destination(site, env_values)
        doc = _doc_of_file(site, dest, by_source.get(site.path, []))
        if doc is None and dest:
            doc = next(iter(by_dest.get((dirname(site.path), dest), ())), None)
        covered.append(SiteCoverage(site, doc.path if doc is not None else None))
    env_reads = sorted(index.env_reads(), key=lambda e: (e.path, e.line, e.name))
    return Discovery(covered, env_reads, _group(covered, env_values))


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
    return sorted(groups.values(), key=lambda g: (g.first.path, g.first.line))
