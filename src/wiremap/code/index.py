"""Index a source tree: list its files, reuse what the cache knows by content hash, parse the rest in
parallel, and answer questions about the whole (where is this symbol defined, who reads this env var).

The cache is one JSON file under ``<root>/.wiremap/cache/``, keyed by a hash of each file's bytes (plus
the indexer's version), so renames and branch switches hit it too; entries of files no longer in the
tree are dropped on write. An unchanged tree re-indexes by reading and hashing its files only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .._files import inside, read_bounded
from .._gc import paused_gc
from ..writes import atomic_write_text
from .git import run_git
from .languages import LANGUAGES, indexer_for, language_of
from .link import link
from .model import CallSite, Definition, EnvRead, FileIndex, file_from_json, file_to_json

__all__ = ["IndexStats", "SourceIndex", "index_tree", "list_source_files"]

CACHE_FORMAT = 4
CACHE_NAME = "index.json"
MAX_FILE_BYTES = 2_000_000  # generated or vendored blobs: not worth parsing
PARALLEL_MIN_FILES = 64
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".wiremap",
        "build",
        "dist",
        "vendor",
        "site-packages",
    }
)


@dataclass(frozen=True, slots=True)
class IndexStats:
    files: int
    lines: int
    parsed: int
    cached: int
    errors: int
    seconds: float


@dataclass
class SourceIndex:
    """The index of a tree: files by POSIX path relative to ``root``."""

    root: Path
    files: dict[str, FileIndex] = field(default_factory=dict)
    stats: IndexStats = field(default_factory=lambda: IndexStats(0, 0, 0, 0, 0, 0.0))

    def sites(self) -> Iterator[CallSite]:
        for f in self.files.values():
            yield from f.sites

    def env_reads(self) -> Iterator[EnvRead]:
        for f in self.files.values():
            yield from f.env_reads

    @cached_property
    def _definitions(self) -> dict[str, list[tuple[str, Definition]]]:
        out: dict[str, list[tuple[str, Definition]]] = {}
        for f in self.files.values():
            for d in f.definitions:
                out.setdefault(d.name, []).append((f.path, d))
        return out

    def definitions_named(self, name: str) -> list[tuple[str, Definition]]:
        """Every definition of ``name`` (the last part of a dotted name) as ``(path, definition)``."""
        return self._definitions.get(name.rsplit(".", 1)[-1], [])

    def is_imported(self, name: str) -> bool:
        """``name`` (or its last part) is bound by an import somewhere: a client from a library."""
        last = name.rsplit(".", 1)[-1]
        return any(i.bound == last or i.name == last for f in self.files.values() for i in f.imports)

    @cached_property
    def env_names(self) -> frozenset[str]:
        return frozenset(e.name for e in self.env_reads())


def _git_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files under ``root``, relative to it; None outside git."""
    proc = run_git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "."], timeout=60)
    if proc is None or proc.returncode != 0:
        return None
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n and not (set(n.split("/")[:-1]) & SKIP_DIRS)})


def _walk_files(root: Path) -> list[str]:
    out: list[str] = []
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        rel = os.path.relpath(here, root)
        for n in names:
            out.append(n if rel == "." else f"{rel}/{n}".replace(os.sep, "/"))
    return sorted(out)


def list_source_files(root: Path) -> list[str]:
    """Files of an indexed language under ``root`` (git's view of the tree when it is a repository)."""
    names = _git_files(root)
    if not names:  # not a repository, or a folder git ignores (a virtualenv, a build tree)
        names = _walk_files(root)
    return [n for n in names if language_of(n) is not None]


@functools.cache
def code_digest(folder: Path, version: int) -> bytes:
    """The cache key's salt: the language's indexer version and the indexer's own code (every module of
    ``folder``, this package), so an indexer changed without its version bumped never answers from entries
    it would no longer write (a fixed `${URL}` default kept reading as no target from a cache written
    before the fix)."""
    h = hashlib.blake2b(version.to_bytes(2, "little"), digest_size=16)
    for path in sorted(folder.glob("*.py")):
        with contextlib.suppress(OSError):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.digest()


def _salt(version: int) -> bytes:
    return code_digest(Path(__file__).parent, version)


def _sha(data: bytes, version: int) -> str:
    return hashlib.blake2b(data, digest_size=16, salt=_salt(version)).hexdigest()


def _index_one(root: str, rel: str, sha: str) -> FileIndex:
    lang = language_of(rel)
    assert lang is not None
    try:
        data = read_bounded(Path(root, rel), MAX_FILE_BYTES, Path(root))
    except OSError as exc:
        return FileIndex(rel, lang.name, sha, 0, error=f"cannot read: {exc.strerror or exc}")
    try:
        return indexer_for(lang)(rel, data, sha)
    except ImportError as exc:
        return FileIndex(rel, lang.name, sha, 0, error=f"no parser for {lang.name}: {exc}")
    except Exception as exc:  # an indexer bug on one file must not lose the whole tree's index
        return FileIndex(rel, lang.name, sha, 0, error=f"indexer failed: {type(exc).__name__}: {exc}")


def _index_chunk(root: str, items: list[tuple[str, str]]) -> list[FileIndex]:
    with paused_gc():
        return [_index_one(root, rel, sha) for rel, sha in items]


def _cache_path(root: Path, cache_dir: Path | None) -> Path:
    return (cache_dir or root / ".wiremap" / "cache") / CACHE_NAME


def _read_cache(path: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(path: Path, entries: dict[str, list[Any]], root: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only checkout still indexes, it just does not cache
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.is_relative_to(root) and not inside(path.parent, root):
            return  # ``.wiremap/cache`` committed as a symlink out of the tree: write nothing there
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists() and not gitignore.is_symlink():  # a dangling link would be followed
            gitignore.write_text("*\n", encoding="utf-8")
        text = json.dumps({"format": CACHE_FORMAT, "entries": entries}, separators=(",", ":"))
        atomic_write_text(path, text)


def index_tree(
    root: Path,
    *,
    paths: Iterable[str] | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> SourceIndex:
    """Index every source file under ``root`` (or only ``paths``, relative to it)."""
    started = time.perf_counter()
    root = root.resolve()
    names = sorted(set(paths)) if paths is not None else list_source_files(root)
    names = [n for n in names if language_of(n) is not None]
    cache_file = _cache_path(root, cache_dir)
    cached = _read_cache(cache_file) if use_cache else {}
    results: dict[str, FileIndex] = {}
    todo: list[tuple[str, str]] = []
    keep: dict[str, list[Any]] = {}
    with paused_gc():
        for rel in names:
            lang = language_of(rel)
            assert lang is not None
            try:  # a regular file inside the tree, not /dev/zero or a symlink to the runner's files
                data = read_bounded(root / rel, MAX_FILE_BYTES, root)
            except OSError:
                continue
            sha = _sha(data, LANGUAGES[lang.name].version)
            hit = cached.get(sha)
            if hit is not None:
                try:
                    results[rel] = file_from_json(hit).with_path(rel)
                    keep[sha] = hit
                    continue
                except (TypeError, ValueError):
                    pass
            todo.append((rel, sha))
        parsed = _parse(root, todo, jobs)
    for f in parsed:
        results[f.path] = f
        keep[f.sha] = file_to_json(f)
    if use_cache and (parsed or len(keep) != len(cached)):
        _write_cache(cache_file, keep, root)
    files = link({rel: results[rel] for rel in names if rel in results})
    stats = IndexStats(
        files=len(files),
        lines=sum(f.lines for f in files.values()),
        parsed=len(parsed),
        cached=len(files) - len(parsed),
        errors=sum(1 for f in files.values() if f.error),
        seconds=time.perf_counter() - started,
    )
    return SourceIndex(root, files, stats)


def _parse(root: Path, todo: Sequence[tuple[str, str]], jobs: int | None) -> list[FileIndex]:
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(todo) < PARALLEL_MIN_FILES:
        return _index_chunk(str(root), list(todo))
    # biggest first, dealt round-robin, so no worker is left with all the large files
    by_size = sorted(todo, key=lambda item: _size(root / item[0]), reverse=True)
    n_chunks = jobs * 4
    chunks = [by_size[i::n_chunks] for i in range(n_chunks)]
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    out: list[FileIndex] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        chunks = [c for c in chunks if c]
        for part in pool.map(_index_chunk, [str(root)] * len(chunks), chunks):
            out.extend(part)
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
