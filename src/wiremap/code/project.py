"""The code a catalog of docs describes: its root, source index, git history and owners, built lazily.

The root is the ``root`` setting of the nearest wiremap config above the docs, else the git top level
of the docs. Everything else is computed on first use and shared by every rule of a lint run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from ..config import Config, find_config, load_config
from ..model import Integration
from ..trust.settings import Trust
from .history import Commit, file_history, git_toplevel
from .index import SourceIndex, index_tree
from .model import EnvRead, FileIndex
from .owners import Owners, find_codeowners

__all__ = ["DEFAULT_LINE_WINDOW", "NO_ROOT", "Project", "Projects", "find_root"]

DEFAULT_LINE_WINDOW = 10
# why a doc has no project: what sync and discover say of it (lint's SRC rules do not check it)
NO_ROOT = "no project root (no `root` in a wiremap config above the doc, and it is in no git repository)"


def find_root(config: Config, docs: Iterable[Path]) -> Path | None:
    """The root for a set of docs: the config's ``root``, else the git top level of the first doc."""
    if config.root_path is not None:
        return config.root_path
    for doc in docs:
        top = git_toplevel(doc.resolve().parent)
        if top is not None:
            return top
    return None


class Project:
    """One source tree; ``index``, ``history`` and ``owners`` are computed once, on first use."""

    def __init__(self, root: Path, config: Config | None = None, *, use_cache: bool = True) -> None:
        self.root = root.resolve()
        self.config = config or Config()
        self.use_cache = use_cache
        self._history: dict[str, list[Commit]] | None = None
        self._modules: dict[str, tuple[FileIndex, list[str]] | None] = {}
        self._listed: dict[str, frozenset[str]] | None = None  # listed_env's, read once

    @classmethod
    def for_docs(cls, config: Config, docs: Iterable[Path]) -> Project | None:
        root = find_root(config, docs)
        return cls(root, config) if root is not None and root.is_dir() else None

    @property
    def line_window(self) -> int:
        return self.config.source_line_window

    @cached_property
    def index(self) -> SourceIndex:
        return index_tree(self.root, use_cache=self.use_cache)

    @cached_property
    def owners(self) -> Owners | None:
        return find_codeowners(self.root)

    def listed_env(self, rel: str, given: Iterable[Path] = ()) -> frozenset[str]:
        """The env vars the docs of the configured docs folder list for the Source file ``rel``: what
        the docs of a file document whichever of them a run was given (pre-commit lints the changed doc
        alone, and SRC006 asked it for a variable its sibling documents: round 59). ``given``: the docs
        the run read already, not read again (a folder run read every doc twice)."""
        if self._listed is None:
            self._listed = self._read_listed({p.resolve() for p in given})
        return self._listed.get(rel, frozenset())

    def _read_listed(self, given: set[Path]) -> dict[str, frozenset[str]]:
        from ..catalog import discover, load_files  # (the catalog reads docs; the project is read by it)

        folder = self.config.docs_path
        out: dict[str, set[str]] = {}
        if folder.is_dir():
            others = [(p, named) for p, named in discover([folder]) if p.resolve() not in given]
            for integ in load_files(others).integrations:
                rel = self.source_path(integ)
                if rel is not None:
                    out.setdefault(rel, set()).update(v.name for v in integ.env_vars)
        return {rel: frozenset(names) for rel, names in out.items()}

    def source_path(self, integration: Integration) -> str | None:
        """The doc's Source path, normalised relative to the root (None when the doc has none)."""
        ref = integration.source_ref
        if ref is None or not ref.path or ref.path.startswith("["):
            return None
        path = ref.path.strip().lstrip("./") if ref.path.startswith("./") else ref.path.strip()
        if os.path.isabs(path):
            try:
                return Path(path).resolve().relative_to(self.root).as_posix()
            except ValueError:
                return None
        # a doc is untrusted: ``../../etc/passwd`` or a symlink out of the project is not its source
        try:
            (self.root / path).resolve().relative_to(self.root.resolve())
        except (ValueError, OSError):
            return None
        return Path(path).as_posix()

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def file(self, rel: str) -> FileIndex | None:
        """The index of one source file (indexed on its own when the tree index does not hold it)."""
        hit = self.index.files.get(rel)
        if hit is None and self.exists(rel):
            hit = index_tree(self.root, paths=[rel], use_cache=False).files.get(rel)
        return hit

    def module(self, dotted: str) -> tuple[FileIndex, list[str]] | None:
        """A Python module of the tree by its dotted name (``billing.settings``: ``billing/settings.py``,
        its package's ``__init__.py``, under ``src/`` too, or the one file of the tree whose path ends
        so), with its lines; None when the tree has none."""
        if dotted in self._modules:
            return self._modules[dotted]
        base = dotted.replace(".", "/")
        names = (f"{base}.py", f"{base}/__init__.py", f"{base}.java")  # (a Java class by its FQN)
        rel = next((c for p in ("", "src/") for n in names if self.exists(c := p + n)), None)
        if rel is None and base:
            ends = [r for r in self.index.files if r.endswith(tuple("/" + n for n in names))]
            rel = ends[0] if len(ends) == 1 else None
        f = self.file(rel) if rel is not None else None
        found = (f, self.lines(rel)) if f is not None and rel is not None and not f.error else None
        self._modules[dotted] = found
        return found

    def env_read_of(self, f: FileIndex, name: str) -> EnvRead | None:
        """Where the project reads ``name`` for code of ``f`` that uses it without reading it: in a module
        ``f`` imports (a relative JS/TS import, a Python module of the tree), else in the one file that
        reads it; None when that is not clear."""
        from .link import js_module

        found = [
            e for g in self.index.files.values() if g.path != f.path for e in g.env_reads if e.name == name
        ]
        if not found:
            return None
        imported: set[str] = set()
        for imp in f.imports:
            if f.language in ("javascript", "typescript") and imp.module.startswith("."):
                hit = js_module(self.index.files, f.path, imp.module)
            else:
                module = self.module(f"{imp.module}.{imp.name}" if imp.name else imp.module)
                module = module or self.module(imp.module)
                hit = module[0] if module is not None else None
            if hit is not None:
                imported.add(hit.path)
        near = [e for e in found if e.path in imported]
        if near:
            return near[0]
        return found[0] if len({e.path for e in found}) == 1 else None

    def lines(self, rel: str) -> list[str]:
        """The text of a source file, line by line (``[]`` when it cannot be read)."""
        try:
            return (self.root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []

    def line_count(self, rel: str) -> int:
        hit = self.index.files.get(rel)
        if hit is not None:
            return hit.lines
        try:
            data = (self.root / rel).read_bytes()
        except OSError:
            return 0
        return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)

    @property
    def has_history(self) -> bool:
        return self._history is not None

    def load_history(self, paths: Iterable[str], since: dt.date | None = None) -> None:
        """Read the history of all these paths in one batched git call (see :func:`file_history`)."""
        self._history = file_history(self.root, paths, since)

    def history(self, rel: str) -> list[Commit]:
        if self._history is None or rel not in self._history:
            self._history = {**(self._history or {}), **file_history(self.root, [rel])}
        return self._history.get(rel, [])


class Projects:
    """The project of each doc: the ``root`` of the nearest wiremap config above the doc, else the run's
    config ``root``, else the doc's git top level. When the runner named the run's config, it alone counts
    (configs near the docs are not read). Docs of one root share one :class:`Project`."""

    def __init__(self, config: Config | None = None, *, root: Path | None = None) -> None:
        """``root`` (``--root``) overrides every config and git for all docs."""
        self.config = config or Config()
        self.root = root
        self._by_dir: dict[Path, Project | None] = {}
        self._by_doc: dict[str, Project | None] = {}
        self._by_root: dict[Path, Project] = {}

    def for_doc(self, doc_path: str | Path) -> Project | None:
        key = str(doc_path)
        if key in self._by_doc:  # each SRC rule asks for each doc: resolve() once per doc, not per rule
            return self._by_doc[key]
        folder = Path(doc_path).resolve().parent
        if folder not in self._by_dir:
            self._by_dir[folder] = self._find(folder)
        self._by_doc[key] = self._by_dir[folder]
        return self._by_dir[folder]

    def all(self) -> list[Project]:
        return list(self._by_root.values())

    def _find(self, folder: Path) -> Project | None:
        config = self.config
        root: Path | None = self.root
        # the runner named the config (--config, $WIREMAP_CONFIG): it is the config, for every doc. A
        # config near the docs is not read (configs are not merged, docs/configuration.md), so one whose
        # ``root`` is refused as a repository's does not stop the run the runner's config describes
        named = config.trust is Trust.RUNNER and config.path is not None
        found = find_config(folder) if root is None and not named else None
        if found is not None:
            # found, not named by the runner. A config that cannot be read is an error, as it is when lint or
            # sync start from the same folder (exit 2): read past, its docs would silently cover nothing
            near = load_config(found, trust=Trust.REPOSITORY)
            if near.root_path is not None:
                config, root = near, near.root_path
        if root is None:
            root = self.config.root_path or git_toplevel(folder)
        if root is None or not root.is_dir():
            return None
        root = root.resolve()
        if root not in self._by_root:
            self._by_root[root] = Project(root, config)
        return self._by_root[root]
