"""The PostgreSQL probe against the real server (trust auth) and small scripted fake servers."""

from __future__ import annotations

import asyncio
import functools
import sys
import time
from pathlib import Path

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes import postgresql
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.registry import get_probe

from ._fakes import JUNK, Script, free_port, serve

DOC = """# Integration: Checkout Service → Orders Database

**Protocol:** PostgreSQL

## Configuration

**Environment Variables:**
```bash
export ORDERS_DATABASE_URL={example}  # libpq URL
```
"""
DOC_EXAMPLE = "postgresql://app:docsecret@127.0.0.1:5432/orders"


def _ctx(
    port: int, env: dict[str, str] | None = None, *, timeout: float = 3.0, tls: bool = False
) -> ProbeContext:
    integration = wiremap.parse_text(DOC.format(example=DOC_EXAMPLE), "x.md").integration
    if tls:
        integration = integration.model_copy(update={"tls": True})
    return ProbeContext(integration, Target("127.0.0.1", port), timeout, env=env or {})


_free_port = free_port
_serve = functools.partial(serve, chunks=True)  # the PostgreSQL scripts read message by message


def _run(ctx: ProbeContext) -> ProbeResult:
    result, *rest = asyncio.run(postgresql.probe(ctx))
    # besides the check, only the doc's credentials said as not checked (its URL not set here)
    assert all(r.ok is None and r.name == f"{result.name} credentials" for r in rest), rest
    return result


def _pg_password_server() -> Script:
    """Declines SSL, asks for a cleartext password, then rejects whatever password comes."""
    buf = bytearray()
    started = False

    def script(data: bytes, transport: asyncio.Transport) -> None:
        nonlocal started
        buf.extend(data)
        while True:
            if not started:
                if len(buf) < 8 or len(buf) < int.from_bytes(buf[:4], "big"):
                    return
                size, code = int.from_bytes(buf[:4], "big"), int.from_bytes(buf[4:8], "big")
                del buf[:size]
                if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest
                    transport.write(b"N")
                    continue
                started = True
                transport.write(b"R" + (8).to_bytes(4, "big") + (3).to_bytes(4, "big"))  # cleartext
                continue
            if len(buf) < 5 or len(buf) < 1 + int.from_bytes(buf[1:5], "big"):
                return
            fields = b"SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user\0\0"
            transport.write(b"E" + (4 + len(fields)).to_bytes(4, "big") + fields)
            transport.close()
            return

    return script


def _decline_ssl(data: bytes, transport: asyncio.Transport) -> None:
    transport.write(b"N")


def test_registered() -> None:
    assert get_probe("postgresql") is postgresql.probe


def test_select_1_with_credentials_from_the_env_var_the_doc_names() -> None:
    host, port = require_service("postgresql")
    result = _run(_ctx(port, {"ORDERS_DATABASE_URL": f"postgresql://postgres@{host}:{port}/test"}))
    assert result.ok is True, result.message
    assert result.connected and result.error_kind is None
    assert set(result.phases_ms) == {"connect", "query"}
    assert "the user of $ORDERS_DATABASE_URL on database test" in result.message


def test_without_the_env_var_the_doc_example_is_not_used() -> None:
    # The doc's role "app", database "orders" and password do not exist here: using them would fail.
    _, port = require_service("postgresql")
    result, unchecked = asyncio.run(postgresql.probe(_ctx(port)))
    assert result.ok is True, result.message
    assert "postgres on database postgres" in result.message
    # found by a new user: a green 'ok' that says nothing of what the doc claims (its role, its database):
    # a check of its own, skipped (round 36: a plain "ok" in the table and in JUnit)
    assert unchecked.ok is None and unchecked.name == "postgresql credentials"
    assert (
        "$ORDERS_DATABASE_URL is not set here, so the doc's user and database were not checked"
        in unchecked.message
    )
    assert "app" not in result.message + unchecked.message and "docsecret" not in unchecked.message
    result = _run(_ctx(port, {"PGUSER": "postgres", "PGDATABASE": "test"}))
    assert result.ok is True and "the user of $PGUSER on database test" in result.message  # never its value


def test_password_is_sent_from_the_env_never_from_the_doc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)  # libpq's own fallbacks, not under test here
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))

    async def scenario(env: dict[str, str]) -> tuple[ProbeResult, bytes]:
        async with _serve(script=_pg_password_server()) as (port, received):
            env = {k: v.replace("PORT", str(port)) for k, v in env.items()}
            [result] = await postgresql.probe(_ctx(port, env))
            return result, bytes(received)

    result, received = asyncio.run(scenario({"ORDERS_DATABASE_URL": "postgresql://app:envsecret@h:PORT/db"}))
    assert b"envsecret" in received
    assert result.ok is False and result.error_kind is ErrorKind.AUTH, result.message
    assert "envsecret" not in result.message

    result, received = asyncio.run(scenario({}))
    assert b"docsecret" not in received and b"app\0" not in received
    assert result.ok is False and result.error_kind is ErrorKind.AUTH, result.message  # no password supplied


def test_unknown_role_is_auth() -> None:
    host, port = require_service("postgresql")
    env = {"ORDERS_DATABASE_URL": f"postgresql://wiremap_no_such_role@{host}:{port}/test"}
    result = _run(_ctx(port, env))
    assert result.ok is False and result.error_kind is ErrorKind.AUTH
    assert result.connected
    assert 'role "***" does not exist' in result.message and "wiremap_no_such_role" not in result.message


def test_unknown_database_is_protocol_with_a_clear_message() -> None:
    host, port = require_service("postgresql")
    result = _run(_ctx(port, {"ORDERS_DATABASE_URL": f"postgresql://postgres@{host}:{port}/wiremap_no_db"}))
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL
    assert "database 'wiremap_no_db' does not exist" in result.message


def test_closed_port_is_refused() -> None:
    result = _run(_ctx(_free_port()))
    assert result.ok is False and result.error_kind is ErrorKind.REFUSED
    assert not result.connected


def test_silent_listener_times_out_at_the_deadline() -> None:
    async def scenario() -> ProbeResult:
        async with _serve() as (port, _):
            [result] = await postgresql.probe(_ctx(port, timeout=0.5))
            return result

    started = time.perf_counter()
    result = asyncio.run(scenario())
    elapsed = time.perf_counter() - started
    assert result.ok is False and result.error_kind is ErrorKind.TIMEOUT
    assert 0.45 <= elapsed <= 1.5 and 450 <= result.duration_ms <= 1500


def test_garbage_is_protocol() -> None:
    async def scenario() -> ProbeResult:
        async with _serve(JUNK, hang_up=True) as (port, _):
            [result] = await postgresql.probe(_ctx(port))
            return result

    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert "not a PostgreSQL server" in result.message


def test_tls_required_by_the_doc_but_not_offered_is_tls() -> None:
    async def scenario() -> ProbeResult:
        async with _serve(script=_decline_ssl) as (port, _):
            [result] = await postgresql.probe(_ctx(port, tls=True))
            return result

    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.TLS, result.message


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = _run(_ctx(5432))
    assert result.skipped and "pip install 'wiremap[probes]'" in result.message


def test_the_runner_s_target_url_gives_its_user_and_database() -> None:
    """``verify --target "…=postgresql://worker:…@127.0.0.1:5432/nodb"`` connected as postgres to database
    postgres and said ok: the target's user and database were dropped (new user, round 27)."""
    host, port = require_service("postgresql")
    integration = wiremap.parse_text(DOC.format(example=DOC_EXAMPLE), "x.md").integration

    def run(url: str) -> ProbeResult:
        target = Target(host, port, "postgresql", url, None, explicit=True)
        return _run(ProbeContext(integration, target, 3.0, env={}))

    missing_db = run(f"postgresql://postgres@{host}:{port}/wiremap_no_db")
    assert missing_db.ok is False and "database 'wiremap_no_db' does not exist" in missing_db.message
    no_role = run(f"postgresql://wiremap_no_such_role:pw@{host}:{port}/test")
    assert no_role.ok is False and no_role.error_kind is ErrorKind.AUTH
    ok = run(f"postgresql://postgres@{host}:{port}/test")
    assert ok.ok is True and "the user of the runner's --target on database test" in ok.message
