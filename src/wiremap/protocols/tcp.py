"""TCP: resolve a name, connect to the first address that accepts, close. Socket errors map through
:func:`wiremap.protocols.os_error` (by type and errno)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Sequence
from typing import Any

from ._errors import DNSError, TLSError, os_error

__all__ = ["Addresses", "connect_any", "resolve", "tls_handshake"]

Addresses = Sequence[tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]]


async def resolve(host: str, port: int) -> Addresses:
    """The addresses of ``host`` (DNSError when there are none)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise os_error(exc, host, port) from exc
    if not infos:
        raise DNSError(f"{host} resolves to no address", host, port)
    return infos


async def connect_any(infos: Addresses, host: str, port: int) -> None:
    """Connect to the resolved addresses in order and close; the first that accepts wins. The last
    address's error is raised, typed."""
    loop = asyncio.get_running_loop()
    last: OSError | None = None
    for family, kind, proto, _canon, addr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, addr)
        except OSError as exc:
            last = exc
            continue
        finally:
            with contextlib.suppress(OSError):
                sock.close()
        return
    if last is None:
        raise DNSError(f"{host} resolves to no address", host, port)
    raise os_error(last, host, port) from last


async def tls_handshake(infos: Addresses, host: str, port: int, context: ssl.SSLContext) -> str:
    """Connect and complete a TLS handshake (the certificate verified against ``host``); the TLS version
    agreed. A handshake the peer breaks off, or one that fails, is a :class:`TLSError`."""
    last: OSError | None = None
    for family, _kind, _proto, _canon, addr in infos:
        try:
            reader, writer = await asyncio.open_connection(
                addr[0], addr[1], ssl=context, server_hostname=host, family=family
            )
        except ssl.SSLError as exc:
            raise TLSError(f"TLS handshake failed: {exc.reason or exc}", host, port) from exc
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as exc:
            raise TLSError(f"TLS handshake failed: {exc} (does the port speak TLS?)", host, port) from exc
        except OSError as exc:
            last = exc
            continue
        tls = writer.get_extra_info("ssl_object")
        version = tls.version() if tls is not None else None
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
        del reader
        return str(version or "TLS")
    if last is None:
        raise DNSError(f"{host} resolves to no address", host, port)
    raise os_error(last, host, port) from last
