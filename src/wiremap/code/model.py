"""What the source index knows about one file: definitions, imports, call sites, env reads.

Plain frozen dataclasses (not pydantic): an index of a large tree holds hundreds of thousands of
them and they cross process boundaries and the on-disk cache, so they stay small and cheap.
Each converts to and from a JSON-able tuple/dict for the cache (:func:`file_to_json`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CallSite",
    "Definition",
    "EnvRead",
    "FileIndex",
    "ImportRef",
    "file_from_json",
    "file_to_json",
]


@dataclass(frozen=True, slots=True)
class Definition:
    """A class, function or method: ``qualname`` is ``Class.method`` for methods."""

    name: str
    qualname: str
    kind: str  # "class" | "function" | "method"
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ImportRef:
    """``from requests import post as rpost`` → module ``requests``, name ``post``, bound ``rpost``."""

    module: str
    name: str | None
    bound: str
    line: int


@dataclass(frozen=True, slots=True)
class CallSite:
    """An outbound integration call: a client constructed, a connection opened or a request sent.

    ``client`` is the library API as a dotted name (``requests.Session.post``, ``grpc.insecure_channel``,
    ``fetch``); ``target`` the literal URL/host when the code has one; ``env`` the environment variable
    the target comes from when it can be traced; ``scope`` the enclosing ``Class.method`` or function
    (``""`` at module level).
    """

    path: str
    line: int
    client: str
    protocol: str
    target: str | None = None
    env: str | None = None
    scope: str = ""


@dataclass(frozen=True, slots=True)
class EnvRead:
    """``os.environ["NAME"]``, ``os.getenv("NAME", default)``, ``process.env.NAME``, a settings field…"""

    path: str
    line: int
    name: str
    default: str | None = None


@dataclass(frozen=True, slots=True)
class FileIndex:
    """Everything indexed from one file; ``error`` is set (and the lists empty) when it cannot be parsed."""

    path: str
    language: str
    sha: str
    lines: int
    definitions: tuple[Definition, ...] = ()
    imports: tuple[ImportRef, ...] = ()
    sites: tuple[CallSite, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()
    error: str | None = None
    # calls on objects imported from other project modules, resolved by the index (``client`` is
    # ``?module.name().method``), and what this module offers for that resolution
    pending: tuple[CallSite, ...] = ()
    exports: tuple[tuple[str, str], ...] = ()
    # calls of what an import binds, by the imported dotted name whatever the file calls it: ``(line,
    # "paho.mqtt.client.Client")`` for ``mqtt.Client()`` after ``import paho.mqtt.client as mqtt``,
    # ``(line, "net/http.Get")`` for Go's ``http.Get(...)``. Where a doc's Client written as the code
    # writes it (``mqtt.Client``) is found when it is no client call site (see locate.py)
    calls: tuple[tuple[int, str], ...] = ()

    def with_path(self, path: str) -> FileIndex:
        """The same content indexed under another path (a copy of a file, a cache hit after a move)."""
        if path == self.path:
            return self
        return FileIndex(
            path,
            self.language,
            self.sha,
            self.lines,
            self.definitions,
            self.imports,
            tuple(CallSite(path, s.line, s.client, s.protocol, s.target, s.env, s.scope) for s in self.sites),
            tuple(EnvRead(path, e.line, e.name, e.default) for e in self.env_reads),
            self.error,
            tuple(
                CallSite(path, s.line, s.client, s.protocol, s.target, s.env, s.scope) for s in self.pending
            ),
            self.exports,
            self.calls,
        )


def file_to_json(f: FileIndex) -> list[Any]:
    """A compact JSON form for the cache; paths of sites and env reads are implied by the file."""
    return [
        f.path,
        f.language,
        f.sha,
        f.lines,
        [[d.name, d.qualname, d.kind, d.line, d.end_line] for d in f.definitions],
        [[i.module, i.name, i.bound, i.line] for i in f.imports],
        [[s.line, s.client, s.protocol, s.target, s.env, s.scope] for s in f.sites],
        [[e.line, e.name, e.default] for e in f.env_reads],
        f.error,
        [[s.line, s.client, s.protocol, s.target, s.env, s.scope] for s in f.pending],
        [list(e) for e in f.exports],
        [list(c) for c in f.calls],
    ]


def file_from_json(data: list[Any]) -> FileIndex:
    path, language, sha, lines, defs, imps, sites, envs, error, pending, exports, calls = data
    return FileIndex(
        path,
        language,
        sha,
        lines,
        tuple(Definition(*d) for d in defs),
        tuple(ImportRef(*i) for i in imps),
        tuple(CallSite(path, *s) for s in sites),
        tuple(EnvRead(path, *e) for e in envs),
        error,
        tuple(CallSite(path, *s) for s in pending),
        tuple((str(k), str(v)) for k, v in exports),
        tuple((int(n), str(name)) for n, name in calls),
    )
