"""Where to probe an integration: ``--target NAME=URL``, then ``WIREMAP_TARGET_<ID>``, then the doc.

``--target`` has one syntax for every command (verify, measure, serve): :func:`target_ids`.

The Connection String section is a format, not a target; credentials never come from the doc.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from .._errors import UsageError
from ..model import Integration
from ..names import ambiguity, is_named, named
from ..ports import DEFAULT_PORTS
from ..probes._base import Target
from ..secrets import find_secrets, looks_secret_name, mask_text

__all__ = [
    "DEFAULT_PORTS",
    "doc_credentials_message",
    "parse_target_options",
    "resolve_target",
    "shown_target",
    "target_ids",
]

_METHOD_PATH = re.compile(r"^([A-Z]+)\s+(\S+)")


def parse_target_options(values: list[str]) -> dict[str, str]:
    """``["checkout-to-payments=http://127.0.0.1:9000"]`` -> ``{id: url}``; bad input is a usage error."""
    out: dict[str, str] = {}
    for raw in values:
        name, eq, url = raw.partition("=")
        if not eq or not name.strip() or not url.strip():
            raise UsageError(f"--target wants NAME=URL, got {raw!r}")
        out[name.strip()] = url.strip()
    return out


def target_ids(
    values: Sequence[str], integrations: Iterable[Integration], *, keep_unknown: bool = False
) -> dict[str, str]:
    """``--target NAME=URL`` options -> ``{integration id: URL}``, the same for every command.

    NAME is what names an integration everywhere on the command line (:func:`wiremap.names.is_named`):
    its id, ``Source → Destination``, its doc's path, or the doc's file name with or without ``.md``.
    A NAME that names no integration, or more than one (two docs of the same file name: give the id
    or the path), and an integration given two targets, are usage errors: a target that silently
    applied to nothing, or to the wrong integration, would send traffic where nobody meant it to.
    With ``keep_unknown`` (serve, whose docs may appear later) a NAME that names nothing yet is kept
    as given; :func:`resolve_target` matches it the same way once its doc is there."""
    given = parse_target_options(list(values))
    if not given:
        return {}
    pool = list(integrations)
    out: dict[str, str] = {}
    unknown: list[str] = []
    for name, url in given.items():
        found = named(pool, name)
        if not found:
            if keep_unknown:
                out[name] = url
            else:
                unknown.append(name)
            continue
        if (why := ambiguity(found, name)) is not None:
            raise UsageError(f"--target {name}=…: {why}")
        integ = found[0]
        if integ.id in out and out[integ.id] != url:
            raise UsageError(f"--target: {integ.id} is given twice ({out[integ.id]} and {url})")
        out[integ.id] = url
    if unknown:
        raise UsageError(f"--target names no integration: {', '.join(unknown)}")
    return out


def _doc_credentials(query: str) -> tuple[str, list[str]]:
    """``query`` without its parameters that carry a credential, and their names: a secret-looking name
    (``api_key``, ``token``, ``sig``) or a value of a known secret shape."""
    kept: list[str] = []
    dropped: list[str] = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        plain = unquote_plus(name)
        if value and (looks_secret_name(plain) or find_secrets(unquote_plus(value))):
            dropped.append(plain)
        else:
            kept.append(part)
    return "&".join(kept), dropped


class DocTargetError(UsageError):
    """The doc's own address cannot be read: that integration is not probed (skipped, and why); the run
    goes on (a runner's bad ``--target`` stops it)."""


def _from_url(url: str, explicit: bool) -> Target:
    if "://" not in url:
        url = f"tcp://{url}"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL": a bracket not closed
        if explicit:
            raise UsageError(f"the runner's target {mask_text(url)!r} is not a URL: {exc}") from exc
        raise DocTargetError(f"the doc's Endpoint {mask_text(url)!r} is not a URL: {exc}") from exc
    dropped: list[str] = []
    if parts.query and not explicit:  # the runner's own --target may carry what it means to send
        query, dropped = _doc_credentials(parts.query)
        if dropped:
            parts = parts._replace(query=query)
            url = urlunsplit(parts)
    scheme = parts.scheme.lower()
    try:
        given = parts.port
        if given == 0:  # ":0" is no port: it read as "none given" and probed the scheme's default (round 56)
            raise ValueError("port 0")
        port = given if given is not None else DEFAULT_PORTS.get(scheme)
    except ValueError as exc:
        if not explicit:  # the doc's: that integration is skipped, the run goes on
            raise DocTargetError(f"the doc's Endpoint {mask_text(url)!r} has a bad port") from exc
        raise UsageError(f"bad port in target {mask_text(url)!r}") from exc
    if not parts.hostname:
        if not explicit:  # the doc's (``redis+unix:///tmp/x.sock``): that doc is skipped, the run goes on
            raise DocTargetError(f"the doc's Endpoint {mask_text(url)!r} has no host")
        raise UsageError(f"target {url!r} has no host")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return Target(parts.hostname, port, scheme, url, path or None, explicit, tuple(dropped))


def _endpoint_url(integ: Integration) -> str | None:
    ep = (integ.endpoint or "").strip()
    m = _METHOD_PATH.match(ep)
    candidate = m.group(2) if m else ep
    if not re.match(r"^[a-z][a-z0-9+.-]*://", candidate, re.IGNORECASE):
        return None
    # a URL holds no space: what follows is a note ("tcp://127.0.0.1:19299 (line protocol PING → PONG)"
    # stopped every verify and serve with "bad port in target": new user, round 29)
    return candidate.split()[0]


def resolve_target(integ: Integration, overrides: Mapping[str, str], env: Mapping[str, str]) -> Target | None:
    """The target for ``integ``; ``None`` when the doc names no host (nothing to probe). A key of
    ``overrides`` is its id, or any NAME that names it (:func:`wiremap.names.is_named`)."""
    override = overrides.get(integ.id)
    if override is None:
        override = next((url for key, url in overrides.items() if is_named(integ, key)), None)
    if override is not None:
        return _from_url(override, explicit=True)
    env_url = env.get(f"WIREMAP_TARGET_{integ.env_id}")
    if env_url:
        return _from_url(env_url, explicit=True)
    url = _endpoint_url(integ)
    if url:
        t = _from_url(url, explicit=False)
        if integ.destination_host and integ.destination_port and t.host == integ.destination_host:
            port = t.port or integ.destination_port
            return Target(t.host, port, t.scheme, t.url, t.path, False, t.doc_credentials)
        return t
    if not integ.destination_host:
        return None
    return Target(integ.destination_host, integ.destination_port, None, None, None, False)


def doc_credentials_message(integ: Integration, target: Target) -> str | None:
    """Why a target whose doc Endpoint carries a credential is not probed (``None`` when it carries none)."""
    if not target.doc_credentials:
        return None
    names = ", ".join(target.doc_credentials)
    return (
        f"the doc's Endpoint carries a credential in its query ({names}): a credential is never read from "
        f"a doc; give the URL with --target {integ.id}=URL or WIREMAP_TARGET_{integ.env_id}"
    )


def shown_target(
    integ: Integration, overrides: Mapping[str, str], env: Mapping[str, str]
) -> tuple[str, str] | None:
    """What is probed, for a page: ``scheme://host:port/path`` (never a user, password or query: a runner's
    ``--target`` may carry what it means to send) and where it comes from: ``--target``,
    ``WIREMAP_TARGET_<ID>`` or ``doc``. None when there is nothing to probe (or the address is bad)."""
    try:
        target = resolve_target(integ, overrides, env)
    except UsageError:
        return None
    if target is None:
        return None
    host = f"[{target.host}]" if ":" in target.host else target.host
    shown = f"{target.scheme}://{host}" if target.scheme else host
    if target.port:
        shown += f":{target.port}"
    if target.scheme and target.path:
        shown += target.path.partition("?")[0]
    if not target.explicit:
        return shown, "doc"
    if integ.id in overrides or any(is_named(integ, key) for key in overrides):
        return shown, "--target"
    return shown, f"WIREMAP_TARGET_{integ.env_id}"
