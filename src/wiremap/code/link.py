"""Resolve calls on objects that come from other modules of the project.

``from shop.http import make_session`` then ``self.http = make_session(); self.http.post(url)``: the
file alone cannot know that ``make_session`` returns a ``requests.Session``. Each file records such
calls as *pending* (``?shop.http.make_session().post``) and what it exports itself; once the whole
tree is indexed, this module resolves the pending calls against the exports. It runs after the cache
(its result depends on several files), and costs a dictionary lookup per pending call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ._py_names import SQL_SCHEMES
from .clients import METHODS
from .model import CallSite, FileIndex

__all__ = ["link", "module_name"]

_MAX_HOPS = 4


def module_name(rel: str) -> str:
    """``shop/http.py`` → ``shop.http``; ``shop/__init__.py`` → ``shop``."""
    stem = rel[: -len(".py")] if rel.endswith(".py") else rel
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


class _Modules:
    def __init__(self, files: Mapping[str, FileIndex]) -> None:
        self.exports: dict[str, dict[str, str]] = {}
        self.packages: dict[str, bool] = {}
        by_suffix: dict[str, set[str]] = {}
        for rel, f in files.items():
            if f.language != "python" or not rel.endswith(".py"):
                continue
            name = module_name(rel)
            self.exports[name] = dict(f.exports)
            self.packages[name] = rel.endswith("__init__.py")
            parts = name.split(".")
            for i in range(len(parts)):  # src layouts: shop.http is also found as src.shop.http
                by_suffix.setdefault(".".join(parts[i:]), set()).add(name)
        self.suffix = {k: next(iter(v)) for k, v in by_suffix.items() if len(v) == 1}

    def find(self, dotted: str) -> str | None:
        return dotted if dotted in self.exports else self.suffix.get(dotted)

    def absolute(self, origin: str, importer: str) -> str:
        """``.http.make_session`` imported by ``shop.payments`` → ``shop.http.make_session``."""
        if not origin.startswith("."):
            return origin
        level = len(origin) - len(origin.lstrip("."))
        package = importer if self.packages.get(importer) else importer.rpartition(".")[0]
        for _ in range(level - 1):
            package = package.rpartition(".")[0]
        rest = origin[level:]
        return f"{package}.{rest}" if package else rest

    def settle(self, site: CallSite, importer: str) -> CallSite:
        """A site whose target refers to another module's URL setting: that URL, and its protocol."""
        if not site.target or not site.target.startswith("?"):
            return site
        dotted = self.absolute(site.target[1:], importer)
        module, _, name = dotted.rpartition(".")
        found = self.find(module) if module else None
        url = self.exports[found].get(f"={name}") if found else None
        protocol = site.protocol
        if url and protocol == "sql":
            scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
            protocol = SQL_SCHEMES.get(scheme, "sql")
        return dataclasses.replace(site, target=url, protocol=protocol)

    def resolve(self, ref: str, importer: str, hops: int = 0) -> str | None:
        """``?shop.http.make_session()`` → the client type it holds, e.g. ``requests.Session``."""
        if hops > _MAX_HOPS or not ref.startswith("?"):
            return ref if not ref.startswith("?") else None
        called = ref.endswith("()")
        dotted = self.absolute(ref[1 : -2 if called else None], importer)
        module, _, name = dotted.rpartition(".")
        found = self.find(module) if module else None
        if found is None:
            return None
        value = self.exports[found].get(f"{name}()" if called else name)
        if value is None:
            return None
        return self.resolve(value, found, hops + 1) if value.startswith("?") else value


def link(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """The files with their pending calls that resolve to a known client added to their sites, and
    targets that are another module's settings (``?reports.settings.DATABASE_URL``) read from there."""
    if not any(
        f.pending or any(s.target and s.target.startswith("?") for s in f.sites) for f in files.values()
    ):
        return files
    modules = _Modules(files)
    out = dict(files)
    for rel, f in files.items():
        if not f.pending:
            continue
        importer = module_name(rel)
        linked: list[CallSite] = []
        for p in f.pending:
            origin, _, method = p.client.rpartition(".")
            owner = modules.resolve(origin, importer)
            api = METHODS.get(owner or "", {}).get(method)
            if owner is None or api is None:
                continue
            target = p.target if api.target_arg is not None else None
            linked.append(CallSite(p.path, p.line, f"{owner}.{method}", api.protocol, target, p.env, p.scope))
        if linked:
            sites = tuple(sorted((*f.sites, *linked), key=lambda s: (s.line, s.client)))
            out[rel] = dataclasses.replace(f, sites=sites)
    for rel, f in out.items():
        if any(s.target and s.target.startswith("?") for s in f.sites):
            out[rel] = dataclasses.replace(
                f, sites=tuple(modules.settle(s, module_name(rel)) for s in f.sites)
            )
    return out
