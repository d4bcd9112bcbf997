"""The Host-header allow-list: no DNS rebinding.

A web page open in the user's browser can point a name of its own at 127.0.0.1 ("DNS rebinding") and
then read a token-less dashboard on loopback as if it were its own origin. Its requests still carry
that name in ``Host``, so the server answers only the names it is known by:

* the loopback names: ``localhost``, any ``127.x.y.z``, ``[::1]``;
* the address it listens on (``--host``), and the hosts of ``--public-url`` (a reverse proxy);
* with a wildcard ``--host`` (``0.0.0.0``, ``::``), any IP address literal as well: a browser sends an
  IP literal only for a page whose origin *is* that address, so it cannot be rebound.

Any other ``Host``, a malformed one, several, or none at all is answered 421 Misdirected Request with a
short plain body, before the token, the read-only guard or any route sees the request; a WebSocket
handshake is closed (1008). The port in ``Host`` is not checked: rebinding is stopped by the name, and
ssh tunnels, port forwards and proxies legitimately change the port.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["HostAllowList", "HostGuard", "host_key"]

_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_])?")
_WILDCARDS = frozenset({"0.0.0.0", "::"})
_BODY = (
    b"421 Misdirected Request: this server does not answer to this Host name. "
    b"Open it by a loopback address, or start wiremap serve with --public-url for the name used.\n"
)


def host_key(value: str, *, bare_ipv6: bool = False) -> str | None:
    """``value`` (a Host header, or a host name or address) as a comparable key: lower case, no port, no
    trailing dot, IP addresses in canonical form without brackets. None when malformed. ``bare_ipv6``:
    accept an IPv6 address without brackets (a ``--host`` value; never valid in a Host header)."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        address, rest = value[1:end], value[end + 1 :]
        if end < 0 or (rest and not _is_port(rest)):
            return None
        try:
            return ipaddress.IPv6Address(address).compressed
        except ValueError:
            return None
    if value.count(":") > 1:
        if not bare_ipv6:
            return None
        try:
            return ipaddress.IPv6Address(value).compressed
        except ValueError:
            return None
    name, colon, port = value.partition(":")
    if colon and not _is_port(colon + port):
        return None
    name = name.lower()
    if name.endswith("."):
        name = name[:-1]
    try:
        return ipaddress.IPv4Address(name).compressed
    except ValueError:
        pass
    return name if _NAME.fullmatch(name) else None


def _is_port(text: str) -> bool:
    """``:PORT`` with 1 to 5 digits (an empty port, ``host:``, is allowed by RFC 3986)."""
    return text.startswith(":") and len(text) <= 6 and (text[1:].isdigit() or text == ":")


def _ip(key: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(key)
    except ValueError:
        return None


class HostAllowList:
    """The names a server answers to: loopback always, plus ``names`` (host names or addresses)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: set[str] = {"localhost"}
        self.any_ip = False
        for name in names:
            key = host_key(name, bare_ipv6=True)
            if key in _WILDCARDS:
                self.any_ip = True
            elif key is not None:
                self.names.add(key)

    def allows(self, host: str | None) -> bool:
        """Whether a request with this ``Host`` header (None: without one) is answered."""
        key = host_key(host) if host is not None else None
        if key is None:
            return False
        if key in self.names:
            return True
        ip = _ip(key)
        return ip is not None and (ip.is_loopback or self.any_ip)


class HostGuard:
    """ASGI middleware answering 421 to requests whose ``Host`` is not in ``allow`` (outermost)."""

    def __init__(self, app: ASGIApp, allow: HostAllowList) -> None:
        self.app = app
        self.allow = allow

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [v for k, v in scope.get("headers", ()) if k.lower() == b"host"]
        if len(hosts) == 1 and self.allow.allows(hosts[0].decode("latin-1")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b"" if scope.get("method") == "HEAD" else _BODY
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(_BODY)).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"cache-control", b"no-store"),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 421, "headers": headers})
        await send({"type": "http.response.body", "body": body})
