"""A folder of docs -> :class:`Catalog`: lookup by name, the service graph, blast radius."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ._errors import DocumentError, PathNotFoundError, UsageError
from ._files import inside
from ._gc import paused_gc
from .document import ParsedDoc, is_integration_doc, read_document
from .findings import Finding, Severity
from .model import Integration
from .names import ambiguity, named
from .values import slugify

__all__ = ["Catalog", "Edge", "discover", "display_path", "load", "load_files", "title_problem"]

_TITLE_FORM = "'# Integration: Source → Destination'"
_NOT_A_DOC = (
    "not an integration doc (no '# Integration: A → B' title, nor the template's sections and labels)"
)

_SKIP_DIRS = frozenset(
    {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".wiremap", "site-packages"}
)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to the working directory when below it, POSIX separators."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(cwd or Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """Expand files and folders into candidate docs: ``(path, named_explicitly)``.

    Raises :class:`PathNotFoundError` for a path that does not exist.
    """
    out: list[tuple[Path, bool]] = []
    missing: list[str] = []
    for p in paths:
        if p.is_file():
            out.append((p, True))
        elif p.is_dir():
            found: list[Path] = []
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
                found.extend(
                    Path(dirpath, f)
                    for f in filenames
                    # a committed symlink out of the folder (to a runner's file) is not one of its docs
                    if f.lower().endswith(".md") and inside(Path(dirpath, f), p)
                )
            out.extend((f, False) for f in sorted(found))
        else:
            missing.append(str(p))
    if missing:
        raise PathNotFoundError(f"path does not exist: {', '.join(missing)}")
    return out


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    destination: str
    integration: Integration


def title_problem(doc: ParsedDoc) -> str | None:
    """Why ``doc``'s title does not name its integration (Source → Destination), or None when it does."""
    if doc.integration.source and doc.integration.destination:
        return None
    title = doc.document.title
    if title is None:
        return f"missing title {_TITLE_FORM}"
    return f"title {title!r} does not name the integration: write {_TITLE_FORM}"


@dataclass
class Catalog:
    """The integrations of a set of docs, plus what could not be read."""

    docs: list[ParsedDoc] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __iter__(self) -> Iterator[Integration]:
        return (d.integration for d in self.docs)

    def __len__(self) -> int:
        return len(self.docs)

    @property
    def integrations(self) -> list[Integration]:
        return [d.integration for d in self.docs]

    def problems(self) -> list[Finding]:
        """What kept docs from being read whole, by path: the files that cannot be read (``findings``,
        DOC000) and the docs without a readable title, whose integration has no Source → Destination
        (DOC004). Every command that reads docs reports these and exits 1 (docs/index.md)."""
        out = list(self.findings)
        for d in self.docs:
            if (message := title_problem(d)) is not None:
                line = d.integration.line_of("title")
                out.append(Finding(d.path, line, "DOC004", "invalid-title", Severity.ERROR, message))
        return sorted(out, key=lambda f: (f.path, f.line))

    def get(self, name: str) -> Integration | None:
        """The integration NAME names (:func:`wiremap.names.is_named`): by id, ``Source →
        Destination``, doc path or file name; the one whose id NAME is first."""
        found = named(self, name)
        return found[0] if found else None

    def select(self, names: Iterable[str], unmatched: list[str] | None = None) -> list[Integration]:
        """The integrations named (all when none is). A name that matches none is left out and put in
        ``unmatched`` (for the caller to say) when others match; :class:`UsageError` when none matches, or
        when ``unmatched`` is not given."""
        wanted = list(names)
        if not wanted:
            return self.integrations
        chosen: list[Integration] = []
        missing: list[str] = []
        for name in wanted:
            found = named(self, name)
            if not found:
                missing.append(name)
            elif (why := ambiguity(found, name)) is not None:
                raise UsageError(f"--only {why}")
            else:
                chosen.append(found[0])
        if missing and (unmatched is None or not chosen):
            raise UsageError(f"no integration matches --only {', '.join(missing)}")
        if unmatched is not None:
            unmatched.extend(missing)
        return list({i.path: i for i in chosen}.values())

    # -- the system graph ------------------------------------------------------------------------------

    def service_names(self) -> dict[str, str]:
        """Each spelling of a service -> the service's one name. Spellings with one slug ("Checkout service",
        "Checkout Service") are one service, named as most docs write it (the first doc's on a tie): the
        graph drew two nodes for them, under one Mermaid id, while impact took them as one (round 32)."""
        counts: dict[str, Counter[str]] = {}
        for i in self:
            for name in (i.source, i.destination):
                if name:
                    counts.setdefault(slugify(name), Counter())[name] += 1
        return {spelling: c.most_common(1)[0][0] for c in counts.values() for spelling in c}

    def edges(self) -> list[Edge]:
        """One edge per direction; a bidirectional integration gives two. Services by their one name."""
        names = self.service_names()
        out: list[Edge] = []
        for i in self:
            if not i.source or not i.destination:
                continue
            source, destination = names[i.source], names[i.destination]
            out.append(Edge(source, destination, i))
            if i.direction == "bidirectional":
                out.append(Edge(destination, source, i))
        return out

    def services(self) -> list[str]:
        edges = self.edges()  # (each call names every service again: once, not twice)
        return sorted({e.source for e in edges} | {e.destination for e in edges}, key=str.lower)

    def find_service(self, name: str) -> str | None:
        want = slugify(name)
        return next((s for s in self.services() if slugify(s) == want), None)

    def impact(self, service: str) -> tuple[list[Integration], list[str]]:
        """What breaks if ``service`` is down: the integrations into it, and every upstream service,
        transitively (a caller of a broken caller is affected too).

        Dependency runs from the Source to the Destination whatever the Direction says: Direction is
        which way data flows (a cache read, acks pushed back), not who needs whom, so a bidirectional
        ``Cart Service → Cart Redis`` does not make Cart Redis depend on Cart Service."""
        broken: list[Integration] = []
        affected: list[str] = []
        seen = {service}
        frontier = [service]
        callers: dict[str, list[Edge]] = {}
        names = self.service_names()
        for i in self:
            if i.source and i.destination:
                source, destination = names[i.source], names[i.destination]
                callers.setdefault(destination, []).append(Edge(source, destination, i))
        while frontier:
            nxt: list[str] = []
            for svc in frontier:
                for e in callers.get(svc, []):
                    if e.integration not in broken:
                        broken.append(e.integration)
                    if e.source not in seen:
                        seen.add(e.source)
                        affected.append(e.source)
                        nxt.append(e.source)
            frontier = nxt
        return broken, affected


def load(paths: Path | str | Iterable[Path | str], *, skip_non_docs: bool = False) -> Catalog:
    """Read docs from files and folders into a :class:`Catalog`.

    Files named directly are always read as docs (unless ``skip_non_docs``, as pre-commit
    passes every Markdown file); in folders only files that look like integration docs are: titled
    ``Integration: A → B``, or of the template's shape (others are listed in ``skipped``). Unreadable
    docs become findings; :meth:`Catalog.problems` adds the docs without a readable title.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    return load_files(discover(Path(p) for p in paths), skip_non_docs=skip_non_docs)


def load_files(
    candidates: Iterable[tuple[Path, bool]],
    *,
    skip_non_docs: bool = False,
    each: Callable[[ParsedDoc], object] | None = None,
) -> Catalog:
    """:func:`load` for already discovered ``(path, named_explicitly)`` pairs. ``each`` is called with
    every doc as soon as it is read (lint checks it while its parsed code blocks are still cached)."""
    cat = Catalog()
    cwd = Path.cwd().resolve()
    chosen: dict[Path, tuple[Path, bool]] = {}  # a file named twice (a folder and a file in it) is one doc:
    for path, explicit in candidates:  # it was its own duplicate (CAT001: round 30); named once is named
        key = path.resolve()
        if key in chosen:
            first, was_named = chosen[key]
            chosen[key] = (first, was_named or explicit)
        else:
            chosen[key] = (path, explicit)
    with paused_gc():
        for path, explicit in chosen.values():
            doc = _load_one(cat, path, explicit, cwd, skip_non_docs)
            if doc is not None and each is not None:
                each(doc)
    return cat


def _load_one(cat: Catalog, path: Path, named: bool, cwd: Path, skip_non_docs: bool) -> ParsedDoc | None:
    """Reads one file into ``cat``: the doc it added, if any."""
    explicit = named and not skip_non_docs
    shown = display_path(path, cwd)
    try:
        doc = read_document(path, shown)
    except DocumentError as exc:
        finding = Finding(shown, exc.line, "DOC000", "unreadable-document", Severity.ERROR, exc.message)
        cat.findings.append(finding)
        return None
    if not explicit and not is_integration_doc(doc.document):
        cat.skipped.append((shown, _NOT_A_DOC))
        return None
    cat.docs.append(doc)
    return doc
