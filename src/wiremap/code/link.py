"""Resolve calls on objects that come from other modules of the project.

``from shop.http import make_session`` then ``self.http = make_session(); self.http.post(url)``: the
file alone cannot know that ``make_session`` returns a ``requests.Session``. Each file records such
calls as *pending* (``?shop.http.make_session().post``) and what it exports itself; once the whole
tree is indexed, this module resolves the pending calls against the exports. It runs after the cache
(its result depends on several files), and costs a dictionary lookup per pending call.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterable, Mapping
from functools import partial

from ._py_names import SQL_SCHEMES
from .clients import FUNCTIONS, METHODS, is_grpc_stub
from .clients_go import canonical_path
from .clients_go import find_api as find_go_api
from .clients_java import find_api as find_java_api
from .conventions import opened
from .model import CallSite, EnvRead, FileIndex
from .spring import PROPERTY, env_of_property

__all__ = ["ATTR", "LOCAL", "link", "module_name", "project_roots", "spring_properties", "spring_variable"]

_MAX_HOPS = 6
_SETTING_PART = re.compile(r"\{\?([\w.]+)\}")
LOCAL = "#"  # ``#shop.db.Pool``: an instance of a class of the project (``#Pool`` inside its own module)
ATTR = "/"  # ``?shop.db.get_pool()/conn``: the ``conn`` attribute of what another module's call returns


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

    def setting(self, dotted: str) -> tuple[dict[str, str], str]:
        """The exports of the module a setting's dotted name is in, and its name there (``orders.settings.
        LEDGER_URL`` → settings' exports, ``LEDGER_URL``; ``billing.config.vendor_settings.acme_base_url`` →
        config's, ``vendor_settings.acme_base_url``)."""
        parts = dotted.split(".")
        for i in range(len(parts) - 1, 0, -1):
            found = self.find(".".join(parts[:i]))
            if found is not None:
                return self.exports[found], ".".join(parts[i:])
        return {}, dotted

    def settle_parts(self, site: CallSite, importer: str) -> CallSite:
        """``{?orders.settings.LEDGER_URL}/v1/balances/{…}``: each other module's setting in a target read
        there, and the env var of the first (the f-string's base URL was lost: new user, round 42)."""
        env = site.env

        def value(m: re.Match[str]) -> str:
            nonlocal env
            exports, name = self.setting(self.absolute(m.group(1), importer))
            env = env or exports.get(f"${name}")
            return exports.get(f"={name}") or "{…}"

        target = _SETTING_PART.sub(value, site.target or "")
        return dataclasses.replace(site, target=target, env=env)

    def settle(self, site: CallSite, importer: str) -> CallSite:
        """A site whose target is another module's setting (``settings.GEO_API_URL``, ``?orders.settings.
        SMTP_HOST:2525`` with the port the call gives beside it): that value, the env var it is read
        from, and the protocol a SQL engine's URL names."""
        if site.target and "{?" in site.target:
            return self.settle_parts(site, importer)
        if not site.target or not site.target.startswith("?"):
            return site
        ref, _, port = site.target[1:].partition(":")
        exports, name = self.setting(self.absolute(ref, importer))
        url = exports.get(f"={name}")
        env = exports.get(f"${name}") or site.env
        if url and port and "://" not in url and "/" not in url and ":" not in url:
            url = f"{url}:{port}"
        protocol = site.protocol
        if url and protocol == "sql":
            scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
            protocol = SQL_SCHEMES.get(scheme, "sql")
        return dataclasses.replace(site, target=url, protocol=protocol, env=env)

    def env_reads(self, p: CallSite, importer: str) -> list[EnvRead]:
        """``getenv_int("X")`` where ``getenv_int`` is an env helper of another module: what it reads."""
        dotted = self.absolute(p.client[1:].removesuffix("()"), importer)
        module, _, name = dotted.rpartition(".")
        found = self.find(module) if module else None
        template = self.exports[found].get(f"{name}(env)") if found else None
        if not template or not p.target:
            return []
        return [EnvRead(p.path, p.line, t.replace("\x00", p.target)) for t in template.split("|")]

    def reexported(self, p: CallSite, importer: str) -> CallSite | None:
        """``urlopen(url)`` where ``urlopen`` comes from a project module that imports it from the standard
        library or a client package (``glances.globals``: ``from urllib.request import urlopen``): that
        library function's site."""
        module, _, name = self.absolute(p.client[1:].removesuffix("()"), importer).rpartition(".")
        found = self.find(module) if module else None
        via = self.exports[found].get(name) if found is not None else None
        api = FUNCTIONS.get(via[1:]) if via is not None and via.startswith("@") else None
        if api is None or not api.site or via is None:
            return None
        return CallSite(p.path, p.line, via[1:], api.protocol, p.target, p.env, p.scope)

    def resolve(self, ref: str, importer: str, hops: int = 0) -> str | None:
        """``?shop.http.make_session()`` → the client type it holds, e.g. ``requests.Session``; also
        ``?S3.ConnMan.ConnMan.get()/c`` (the ``c`` of what a method of another module returns) and a
        class of another module re-exporting a client module (``@http.client``)."""
        if hops > _MAX_HOPS:
            return None
        if not ref.startswith("?"):
            return ref
        base, *attrs = ref[1:].split(ATTR)
        called = base.endswith("()")
        dotted = self.absolute(base.removesuffix("()"), importer)
        found, owner = self.lookup(dotted, called)
        t = self.settled(found, owner, hops)
        for attr in attrs:
            if t is None or not t.startswith(LOCAL):
                return None
            t = self.member(t[1:], attr, hops)
        return t

    def lookup(self, dotted: str, called: bool) -> tuple[str | None, str]:
        """What ``dotted`` (called or not) is, as another module exports it: (the value, that module)."""
        parts = dotted.split(".")
        for i in range(len(parts) - 1, 0, -1):
            found = self.find(".".join(parts[:i]))
            if found is None:
                continue
            name = ".".join(parts[i:])
            value = self.exports[found].get(f"{name}()" if called else name)
            if value is None and called and "." in name:  # a client module re-exported: ``httplib.X()``
                head, _, member = name.partition(".")
                via = self.exports[found].get(head)
                if via is not None and via.startswith("@"):
                    api = FUNCTIONS.get(f"{via[1:]}.{member}")
                    value = api.returns if api is not None else None
            return value, found
        return None, ""

    def settled(self, value: str | None, where: str, hops: int) -> str | None:
        if value is None:
            return None
        return self.resolve(value, where, hops + 1) if value.startswith("?") else value

    def member(self, cls: str, attr: str, hops: int) -> str | None:
        """The type of attribute (or property) ``attr`` of instances of ``cls`` (``module.Class``)."""
        module, _, name = cls.rpartition(".")
        found = self.find(module) if module else None
        if found is None:
            return None
        return self.settled(self.exports[found].get(f"{name}.{attr}"), found, hops)


def project_roots(paths: Iterable[str]) -> frozenset[str]:
    """The top-level names the project's own Python code is imported by: each file's first folder or
    module (after a ``src/`` layout folder), and every folder that is a package (holds ``__init__.py``)."""
    out: set[str] = set()
    for rel in paths:
        if not rel.endswith(".py"):
            continue
        parts = rel[:-3].split("/")
        if parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        out.add(parts[0])
        if parts[-1] == "__init__" and len(parts) > 1:
            out.add(parts[-2])
    return frozenset(out)


def go_packages(paths: Iterable[str]) -> frozenset[str]:
    """The folders of the tree that hold Go code: the project's own packages, by their path."""
    return frozenset(rel.rpartition("/")[0] for rel in paths if rel.endswith(".go"))


def java_packages(paths: Iterable[str]) -> frozenset[str]:
    """The Java packages of the tree, by the usual layout (``…/src/main/java/me/app/x/A.java`` →
    ``me.app.x``): the project's own classes."""
    out: set[str] = set()
    for rel in paths:
        if rel.endswith(".java") and "/" in rel:
            folder = rel.rpartition("/")[0]
            tail = folder.rpartition("java/")[2] if "java/" in folder else folder
            out.add(tail.replace("/", "."))
    return frozenset(out)


def _own(site: CallSite, language: str, roots: frozenset[str], go_dirs: frozenset[str]) -> bool:
    """A site found by convention (not from the client table) whose callee is the project's own code:
    ``redash.models.Connection(...)`` or Go's ``github.com/org/app/v5/client.NewClient`` looked
    third-party to the file alone."""
    if language == "java":
        if find_java_api(site.client) is not None or find_java_api(f"{site.client}.<init>") is not None:
            return False
        package = site.client.rpartition(".")[0].rpartition(".")[0]
        return any(package == p or package.startswith(p + ".") for p in go_dirs)
    if language == "go":
        if find_go_api(site.client) is not None:
            return False
        path = canonical_path(site.client.rpartition(".")[0])
        if "/internal/" in f"/{path}/":  # Go's internal packages are always the module's own
            return True
        parts = path.split("/")
        # the import path's tail (two elements at least) is a folder of the tree: ``…/svc/inventory/audit``
        # under services/inventory/audit (a module's own package reported as a client: round 44)
        tails = ["/".join(parts[i:]) for i in range(1, len(parts) - 1)]
        return any(d == t or d.endswith("/" + t) for t in tails for d in go_dirs if "/" in d or d == t)
    return (
        language == "python"
        and site.client not in FUNCTIONS
        and site.client.split(".", 1)[0] in roots
        and not is_grpc_stub(site.client.removesuffix("()"))
    )


def _linked(p: CallSite, owner: str | None, method: str) -> CallSite | None:
    """A pending call whose owner is now known: a method of a client type, a function of a client module
    re-exported by another module (``@http.client``), or a method that opens a client built empty."""
    if owner is None:
        return None
    if owner.startswith("@"):
        dotted = f"{owner[1:]}.{method}"
        api = FUNCTIONS.get(dotted)
        if api is None or not api.site:
            return None
        return CallSite(p.path, p.line, dotted, api.protocol, p.target, p.env, p.scope)
    api = METHODS.get(owner, {}).get(method) or opened(owner, method)
    if api is None:
        return None
    target = p.target if api.target_arg is not None else None
    return CallSite(
        p.path, p.line, f"{owner.rpartition('~')[2]}.{method}", api.protocol, target, p.env, p.scope
    )


def link(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """The files with their pending calls resolved (:func:`_link`) and the Spring properties their Java
    code reads named by the variables that set them (:func:`_spring_properties`)."""
    return _env_defaults(_spring_properties(_js_module_values(_link(files))))


def _env_defaults(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """A call site configured by an env var, with no target of its own, goes to that variable's default
    where the project spells one (once): ``new Pool({ connectionString: env.DATABASE_URL })`` with
    ``DATABASE_URL: z.string().default("postgresql://…:5432/orders")`` in env.ts (the doc's wrong port
    went unseen: round 55)."""
    wanting = [rel for rel, f in files.items() if any(s.env and s.target is None for s in f.sites)]
    if not wanting:
        return files
    defaults: dict[str, set[str]] = {}
    for f in files.values():
        for e in f.env_reads:
            if e.default and "://" in e.default:
                defaults.setdefault(e.name, set()).add(e.default)
    out = dict(files)
    for rel in wanting:
        f = files[rel]
        sites = tuple(
            dataclasses.replace(s, target=next(iter(found)))
            if s.env and s.target is None and len(found := defaults.get(s.env, set())) == 1
            else s
            for s in f.sites
        )
        out[rel] = dataclasses.replace(f, sites=sites)
    return out


def _link(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """The files with their pending calls that resolve to a known client added to their sites, targets
    that are another module's settings (``?reports.settings.DATABASE_URL``) read from there, and sites
    found by convention on the project's own classes dropped."""
    roots, go_dirs = project_roots(files), go_packages(files) | java_packages(files)
    out = dict(files)
    owned = {rel for rel, f in files.items() if any(_own(s, f.language, roots, go_dirs) for s in f.sites)}
    if not owned and not any(
        f.pending or any(s.target and (s.target.startswith("?") or "{?" in s.target) for s in f.sites)
        for f in out.values()
    ):
        return out  # (a Go ``{?go:…}`` target holds "{?": it is settled below)
    modules = _Modules(files)
    for rel in owned:
        f = files[rel]
        kept: list[CallSite] = []
        for s in f.sites:
            if not _own(s, f.language, roots, go_dirs):
                kept.append(s)
            elif (
                f.language == "python"
            ):  # the project's name for a client: ``compat.httplib.HTTPSConnection``
                origin, _, member = s.client.rpartition(".")
                found = _linked(s, modules.resolve(f"?{origin}", module_name(rel)), member)
                if found is not None:
                    kept.append(found)
        out[rel] = dataclasses.replace(f, sites=tuple(kept))
    for rel, f in files.items():
        if not f.pending:
            continue
        importer = module_name(rel)
        linked: list[CallSite] = []
        reads: list[EnvRead] = []
        for p in f.pending:
            if p.protocol == "env":  # a call of another module's env helper with a literal name
                reads.extend(modules.env_reads(p, importer))
                continue
            origin, _, method = p.client.rpartition(".")
            site = _linked(p, modules.resolve(origin, importer), method) or modules.reexported(p, importer)
            if site is not None:
                linked.append(site)
        if linked:
            sites = tuple(sorted((*out[rel].sites, *linked), key=lambda s: (s.line, s.client)))
            out[rel] = dataclasses.replace(out[rel], sites=sites)
        if reads:
            env = tuple(sorted((*out[rel].env_reads, *reads), key=lambda e: (e.line, e.name)))
            out[rel] = dataclasses.replace(out[rel], env_reads=env)
    for rel, f in out.items():
        if f.language == "go":
            continue
        if any(s.target and (s.target.startswith("?") or "{?" in s.target) for s in f.sites):
            out[rel] = dataclasses.replace(
                f, sites=tuple(modules.settle(s, module_name(rel)) for s in f.sites)
            )
    return _go_package_values(out)


_GO_PART = re.compile(r"\{\?go:(\.?\w+)\}")
_JS_PART = re.compile(r"\{\?js:([^|{}]+)\|([^{}]+)\}")
_JS_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")


def js_module(files: Mapping[str, FileIndex], importer: str, spec: str) -> FileIndex | None:
    """The project file a relative specifier names (``./config``: config.ts, config.js, config/index.ts;
    ESM's ``./config.js`` written for config.ts)."""
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    stem = base.rsplit(".", 1)[0] if base.endswith(_JS_EXTENSIONS) else None
    for candidate in (
        base,
        *(base + ext for ext in _JS_EXTENSIONS),
        *(f"{base}/index{ext}" for ext in _JS_EXTENSIONS),
        *((stem + ext for ext in _JS_EXTENSIONS) if stem else ()),
    ):
        if candidate in files:
            return files[candidate]
    return None


def _js_value(values: Mapping[str, str], m: re.Match[str]) -> str:
    return values[m.group(0)]


def _js_module_values(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """JS/TS targets read from another module's object (``baseURL: config.billingUrl`` with config.ts's
    ``export const config = { billingUrl: process.env.BILLING_URL ?? "http://…" }``): its value and its env
    var; what that module does not say is unknown (no target)."""
    out = dict(files)
    for rel, f in files.items():
        if not any(_JS_PART.search(s.target or "") for s in f.sites):
            continue
        sites: list[CallSite] = []
        for s in f.sites:
            if not s.target or not _JS_PART.search(s.target):
                sites.append(s)
                continue
            env = s.env
            values: dict[str, str] = {}
            for m in _JS_PART.finditer(s.target):
                module = js_module(files, rel, m.group(1))
                found = dict(module.exports) if module is not None else {}
                values[m.group(0)] = found.get(f"={m.group(2)}", "{…}")
                env = env or found.get(f"${m.group(2)}")
            target: str | None = _JS_PART.sub(partial(_js_value, values), s.target)
            if target is not None and target.startswith("{…}"):
                target = None  # the base is not known: no address to show
            sites.append(dataclasses.replace(s, target=target, env=env))
        out[rel] = dataclasses.replace(f, sites=tuple(sites))
    return out


_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _spring_properties(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """A Spring property the Java code reads (``@Value("${catalog.base-url}")``, an env read named
    ``catalog.base-url``) is no environment variable: it is read from the variable the project's
    application.yml sets it from (``base-url: ${CATALOG_API_URL:http://…}``), is no variable read at all
    when that file sets it as written, and is otherwise read from the variable Spring's relaxed binding
    names (``CATALOG_BASEURL``). SRC006 said "reads environment variable catalog.base-url" (round 54)."""
    java = [rel for rel, f in files.items() if f.language == "java" and _has_property(f)]
    if not java:
        return files
    props = spring_properties(files.values())
    out = dict(files)
    for rel in java:
        f = files[rel]
        reads: list[EnvRead] = []
        for e in f.env_reads:
            if _ENV_NAME.fullmatch(e.name):
                reads.append(e)
                continue
            found = spring_variable(e.name, props)
            if found is None:
                continue  # set in application.yml as written
            name, default = found
            reads.append(dataclasses.replace(e, name=name, default=e.default or default))
        sites = tuple(
            _spring_site(s, props) if s.env and not _ENV_NAME.fullmatch(s.env) else s for s in f.sites
        )
        out[rel] = dataclasses.replace(f, env_reads=tuple(reads), sites=sites)
    return out


def spring_properties(files: Iterable[FileIndex]) -> dict[str, str]:
    """What the project's Spring configuration files export: property -> ``VAR|default`` (``""``: set
    there as written)."""
    props: dict[str, str] = {}
    # the base file's value first: a profile's (``application-prod.yml``) is not the default one (its
    # prod URL was taken for the call's target: round 61)
    for f in sorted(files, key=lambda f: (_profile(f.path), f.path)):
        if f.language == "spring":
            for key, value in f.exports:
                if key.startswith(PROPERTY):
                    props.setdefault(key[len(PROPERTY) :], value)
    return props


def _profile(path: str) -> bool:
    """``application-prod.yml``: a profile's file (``application.yml`` is the base)."""
    name = path.rsplit("/", 1)[-1]
    return name.startswith(("application-", "bootstrap-"))


def spring_variable(prop: str, props: Mapping[str, str]) -> tuple[str, str | None] | None:
    """The environment variable a Spring property is read from, and its default: the one its
    application.yml placeholder names, else the one Spring's relaxed binding reads; None when the
    configuration sets it as written (no variable)."""
    set_by = props.get(prop)
    if set_by == "":
        return None
    name, _, default = (set_by or env_of_property(prop)).partition("|")
    return name, default or None


def _spring_site(site: CallSite, props: Mapping[str, str]) -> CallSite:
    """A call site given a property: the variable that sets it, and the target its default makes
    (``/v1/items/`` at ``${CATALOG_API_URL:http://127.0.0.1:23106}``)."""
    assert site.env is not None
    set_by = props.get(site.env)
    if set_by == "":
        return dataclasses.replace(site, env=None)
    name, _, default = (set_by or env_of_property(site.env)).partition("|")
    target = site.target
    if default and "://" in default and (target is None or target.startswith("/")):
        target = default.rstrip("/") + (target or "")
    if target is not None and "{?spring:" in target:  # ``{?spring:cache.host}:{?spring:cache.port}``
        target = _SPRING_PART.sub(partial(_spring_value, props), target)
        if target.startswith("{…}"):
            target = None  # no default of the host: no address to show
    return dataclasses.replace(site, env=name, target=target)


_SPRING_PART = re.compile(r"\{\?spring:([^{}]+)\}")


def _spring_value(props: Mapping[str, str], m: re.Match[str]) -> str:
    found = spring_variable(m.group(1), props)
    return found[1] if found is not None and found[1] else "{…}"


def _has_property(f: FileIndex) -> bool:
    return any(not _ENV_NAME.fullmatch(e.name) for e in f.env_reads) or any(
        s.env and not _ENV_NAME.fullmatch(s.env) for s in f.sites
    )


def _go_value(values: Mapping[str, str], m: re.Match[str]) -> str:
    return values.get(f"={m.group(1)}", "{…}")


def _go_package_values(files: dict[str, FileIndex]) -> dict[str, FileIndex]:
    """Go targets that name a package-level variable of another file of the package (``{?go:baseURL}``,
    config.go's ``var baseURL = getenv("BILLING_API_URL", "http://billing.internal:8443")``): its value and
    its env var; one no file of the package binds is unknown (``{…}``; an unknown base: no target)."""
    marked = [
        rel
        for rel, f in files.items()
        if f.language == "go" and any(_GO_PART.search(s.target or "") for s in f.sites)
    ]
    if not marked:
        return files
    package: dict[str, dict[str, str]] = {}
    for rel, f in files.items():
        if f.language == "go" and f.exports:
            package.setdefault(rel.rpartition("/")[0], {}).update(f.exports)
    out = dict(files)
    for rel in marked:
        values = package.get(rel.rpartition("/")[0], {})
        sites: list[CallSite] = []
        for s in files[rel].sites:
            if not s.target or not _GO_PART.search(s.target):
                sites.append(s)
                continue
            env = s.env
            first = _GO_PART.match(s.target)
            if first is not None and f"${first.group(1)}" in values:
                env = values[f"${first.group(1)}"]  # the host's variable, not the port's (round 61)
            elif first is not None and f"={first.group(1)}" not in values and not env:
                env = values.get(f"${first.group(1)}")
            for m in _GO_PART.finditer(s.target):
                env = env or values.get(f"${m.group(1)}")
            target: str | None = _GO_PART.sub(partial(_go_value, values), s.target)
            if target is not None and target.startswith("{…}"):
                target = None  # the base is not known: no address to show
            sites.append(dataclasses.replace(s, target=target, env=env))
        out[rel] = dataclasses.replace(files[rel], sites=tuple(sites))
    return out
