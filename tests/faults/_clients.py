"""Small clients with KNOWN retry policies, and docs that promise one, for ``wiremap faults`` tests.

Each client is a Python script written into ``tmp_path``: it reads its destination from an env var, makes
``ATTEMPTS`` attempts with the pauses ``SLEEPS`` (ms, comma-separated; the last one repeats) and a
per-attempt timeout ``TIMEOUT`` (ms), exits 0 on the first good answer, 1 when every attempt failed. Times
stay in the 50–300 ms range: the comparison's tolerance (±20 % + 20 ms) absorbs a noisy machine.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import wiremap
from wiremap.model import Integration

__all__ = ["DOC", "client", "command", "doc", "integration"]

_COMMON = """\
import os, sys, time
ATTEMPTS, TIMEOUT = int(sys.argv[1]), float(sys.argv[3]) / 1000
SLEEPS = [float(x) / 1000 for x in sys.argv[2].split(",") if x]
def pause(n):
    if n < ATTEMPTS - 1:
        time.sleep(SLEEPS[min(n, len(SLEEPS) - 1)] if SLEEPS else 0)
"""

CLIENTS = {
    # urllib: GET {BILLING_URL}/v1/bill, a JSON object with a string "id"
    "http": """
import json, urllib.request
url = os.environ["BILLING_URL"].rstrip("/") + "/v1/bill"
for n in range(ATTEMPTS):
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
            json.loads(r.read())["id"].upper()
        sys.exit(0)
    except Exception as exc:
        print(f"attempt {n + 1}: {type(exc).__name__}: {exc}", flush=True)
    pause(n)
sys.exit(1)
""",
    # a socket: LEDGER_ADDR=host:port, says "ping\\n", wants "pong"
    "tcp": """
import socket
host, _, port = os.environ["LEDGER_ADDR"].rpartition(":")
for n in range(ATTEMPTS):
    try:
        with socket.create_connection((host, int(port)), timeout=TIMEOUT) as s:
            s.sendall(b"ping\\n")
            if s.recv(64).startswith(b"pong"):
                sys.exit(0)
            print(f"attempt {n + 1}: not pong", flush=True)
    except OSError as exc:
        print(f"attempt {n + 1}: {type(exc).__name__}: {exc}", flush=True)
    pause(n)
sys.exit(1)
""",
    # redis-py without its own retries: GET from CACHE_URL
    "redis": """
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
for n in range(ATTEMPTS):
    try:
        r = redis.Redis.from_url(os.environ["CACHE_URL"], socket_timeout=TIMEOUT,
                                 socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 0))
        r.get("cart:1")
        sys.exit(0)
    except (redis.RedisError, OSError) as exc:
        print(f"attempt {n + 1}: {type(exc).__name__}: {exc}", flush=True)
    pause(n)
sys.exit(1)
""",
    # psycopg: one connection and SELECT 1 per attempt, to ORDERS_DATABASE_URL
    "psycopg": """
import psycopg
for n in range(ATTEMPTS):
    try:
        with psycopg.connect(os.environ["ORDERS_DATABASE_URL"], connect_timeout=2) as conn:
            conn.execute("SELECT 1").fetchone()
        sys.exit(0)
    except psycopg.Error as exc:
        print(f"attempt {n + 1}: {type(exc).__name__}: {exc}", flush=True)
    pause(n)
sys.exit(1)
""",
}


def client(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}_client.py"
    path.write_text(_COMMON + CLIENTS[kind], encoding="utf-8")
    return path


def command(
    script: Path, attempts: int, sleeps_ms: list[int] | tuple[int, ...] = (), timeout_ms: int = 200
) -> str:
    """The shell command that runs ``script`` with a known policy."""
    args = [sys.executable, str(script), str(attempts), ",".join(map(str, sleeps_ms)), str(timeout_ms)]
    return " ".join(shlex.quote(a) for a in args)


DOC = """\
# Integration: Shop → {destination}

**Purpose:** What the shop needs from it
**Protocol:** {protocol}
**Direction:** Unidirectional
**Critical Path:** Yes

## Quick Reference

**Destination:** {destination} ({address})

## Request Format

**Endpoint:** `{endpoint}`
{payloads}
## Error Handling

**Failure Modes:**
{modes}

**Retry Strategy:**
```{retry_language}
{retry}
```

## Configuration

**Environment Variables:**
```bash
{env}
```
{testing}"""

_PAYLOADS = {
    "http": '\n**Response:**\n```json\n{"id": "b_1", "total": 4998}\n```\n',
    "tcp": "\n**Request:**\n```text\nping\n```\n\n**Response:**\n```text\npong\n```\n",
}
_DEFAULTS = {
    "http": (
        "Billing API",
        "127.0.0.1:8099",
        "GET /v1/bill",
        "export BILLING_URL=http://127.0.0.1:8099  # base URL",
    ),
    "tcp": ("Ledger", "127.0.0.1:7070", "127.0.0.1:7070", "export LEDGER_ADDR=127.0.0.1:7070  # host:port"),
    "redis": (
        "Cart Cache",
        "127.0.0.1:6379",
        "GET cart:{id}",
        "export CACHE_URL=redis://127.0.0.1:6379/0  # cache",
    ),
    "postgresql": (
        "Orders Database",
        "127.0.0.1:5432",
        "INSERT INTO orders",
        "export ORDERS_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test  # libpq URL",
    ),
}
_PROTOCOL = {"http": "HTTP", "tcp": "TCP", "redis": "Redis", "postgresql": "PostgreSQL"}
MODES = (
    "- **Timeout**: no answer within 200 ms → retried\n"
    "- **Connection Refused**: the destination is down → retried\n"
    "- **Invalid Response**: a body of another shape → retried"
)


def doc(
    kind: str = "http",
    *,
    retry: str = "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))\ndef call(): ...",
    retry_language: str = "python",
    modes: str = MODES,
    env: str | None = None,
    address: str | None = None,
    integration_test: str | None = None,
) -> str:
    destination, default_address, endpoint, default_env = _DEFAULTS[kind]
    testing = ""
    if integration_test is not None:
        testing = f"\n## Testing\n\n**Integration Test (Live):**\n```bash\n{integration_test}\n```\n"
    return DOC.format(
        destination=destination,
        protocol=_PROTOCOL[kind],
        address=address or default_address,
        endpoint=endpoint,
        payloads=_PAYLOADS.get(kind, ""),
        modes=modes,
        retry=retry,
        retry_language=retry_language,
        env=default_env if env is None else env,
        testing=testing,
    )


def integration(text: str, path: str = "docs/integrations/x.md") -> Integration:
    return wiremap.parse_text(text, path).integration
