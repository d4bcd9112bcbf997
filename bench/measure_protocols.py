"""wiremap measure beyond HTTP: each protocol's sustained rate against its own closed-loop reference.

The services this machine runs (and CI's): Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432 (trust
auth, database ``test``). For each, one doc (``Protocol: Redis`` / ``PostgreSQL``, ``Destination:
127.0.0.1:PORT``), and:

* wiremap's ceiling: ``wiremap measure DOC --find-max --no-cap --connections C`` (Redis: ``PING``;
  PostgreSQL: ``SELECT 1``, each on a kept connection), its ``max_sustainable_rate`` and whether it was
  client-bound;
* the reference, closed loop with as many connections: ``redis-benchmark -c C -P 1 -t ping`` (its
  ``PING_MBULK`` requests per second), ``pgbench -n -c C -j 1 -f select1.sql`` (``tps``, without the
  connection time);
* gRPC: a ``grpc.aio`` server with grpcio's health service that this script starts on a free port of
  127.0.0.1 (a process of its own), wiremap's ``Health/Check`` ceiling against a plain closed loop of
  ``grpc.aio`` ``Check`` calls with as many channels (a script's, a process of its own);
* client CPU of both (``os.wait4``: user + sys), per request.

Prints a table and, per protocol, ``ratio wiremap / REFERENCE: 0.42x`` (reported: issue 14 asks for each
ceiling against its reference, the goal of 0.8x is HTTP's, bench/measure_vs_wrk.py). A service that does
not answer, or a reference tool not installed, is skipped with why. Everything goes to 127.0.0.1.

    .venv/bin/python bench/measure_protocols.py [--connections 10] [--duration 5]
    .venv/bin/python bench/measure_protocols.py --quick       # 1 s runs (smoke test)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Target:
    name: str  # the doc's Protocol
    port: int
    reference: str  # the closed-loop tool


TARGETS = (Target("Redis", 6379, "redis-benchmark"), Target("PostgreSQL", 5432, "pgbench"))
GRPC = Target("gRPC", 0, "grpc.aio loop")  # a server this script starts, on a free port

# a grpc.aio server with grpcio's own health service, on the port given (a process of its own)
_GRPC_SERVER = """
import asyncio, sys
import grpc
from grpc_health.v1 import health, health_pb2_grpc

async def main():
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    server.add_insecure_port("127.0.0.1:" + sys.argv[1])
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()

asyncio.run(main())
"""
# the reference: a closed loop of grpc.aio Health/Check calls, one channel and one task per connection
_GRPC_LOOP = """
import asyncio, sys, time
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

async def worker(port, until, counts):
    async with grpc.aio.insecure_channel("127.0.0.1:" + port) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest()
        await stub.Check(request)
        while time.perf_counter() < until:
            await stub.Check(request)
            counts[0] += 1

async def main():
    port, conns, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    counts = [0]
    start = time.perf_counter()
    await asyncio.gather(*(worker(port, start + seconds, counts) for _ in range(conns)))
    print(counts[0], time.perf_counter() - start)

asyncio.run(main())
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    rate: float | None  # requests (or transactions) per second
    cpu_s: float
    requests: int
    note: str = ""


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0):
            return True
    except OSError:
        return False


def _run(cmd: list[str], deadline_s: float, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``cmd`` to its end (killed after ``deadline_s``); exit code, stdout, stderr."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    killer = threading.Timer(deadline_s, proc.kill)
    killer.start()
    try:
        out, err = proc.communicate()
    finally:
        killer.cancel()
    return proc.returncode, out, err


def _cpu_of(
    cmd: list[str], deadline_s: float, env: dict[str, str] | None = None
) -> tuple[int, str, str, float]:
    """Like :func:`_run`, the child's CPU from the rusage of children (taken around it)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code, out, err = _run(cmd, deadline_s, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return code, out, err, cpu


def _doc(folder: Path, target: Target) -> Path:
    path = folder / f"bench-{target.name.lower()}.md"
    path.write_text(
        f"""# Integration: Bench Client → Bench {target.name}

**Purpose:** The measure-per-protocol benchmark's destination
**Protocol:** {target.name}

---

## Quick Reference

**Destination:** Bench {target.name} ({HOST}:{target.port})
""",
        encoding="utf-8",
    )
    return path


def _wiremap(doc: Path, args: argparse.Namespace) -> Outcome:
    exe = Path(sys.executable).parent / "wiremap"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "wiremap"]
    cmd += ["measure", str(doc), "--find-max", "--no-cap", "--connections", str(args.connections)]
    cmd += ["--rate", "500", "--duration", f"{args.step:g}", "--warmup", "0.3", "--format", "json"]
    env = {**os.environ, "PGUSER": os.environ.get("PGUSER", "postgres"), "PGDATABASE": "test"}
    code, out, err, cpu = _cpu_of(cmd, 16 * (args.step + 7) + 30, env)
    try:
        data = json.loads(out)
    except ValueError:
        return Outcome(None, cpu, 0, f"wiremap exited {code}: {(err or out).strip()[-300:]}")
    steps = data.get("find_max", {}).get("steps", [])
    requests = sum(int(s.get("requests", 0)) + int(s.get("warmup_requests", 0)) for s in steps)
    rate = data.get("max_sustainable_rate")
    note = "client-bound" if data.get("client_bound") else "lower bound" if data.get("lower_bound") else ""
    return Outcome(None if rate is None else float(rate), cpu, requests, note)


def _redis_benchmark(args: argparse.Namespace) -> Outcome:
    tool = shutil.which("redis-benchmark")
    if tool is None:
        return Outcome(None, 0.0, 0, "redis-benchmark not installed (Debian: redis-tools)")
    n = 20_000 if args.quick else 200_000
    cmd = [tool, "-h", HOST, "-p", "6379", "-c", str(args.connections), "-P", "1", "-t", "ping"]
    code, out, err, cpu = _cpu_of([*cmd, "-n", str(n), "--csv"], 120)
    rates = [float(m.group(1)) for m in re.finditer(r'"PING_MBULK","([\d.]+)"', out)]
    if code != 0 or not rates:
        return Outcome(None, cpu, 0, f"redis-benchmark exited {code}: {(err or out).strip()[-300:]}")
    return Outcome(rates[0], cpu, 2 * n)  # PING_INLINE then PING_MBULK: n requests each


def _pgbench(args: argparse.Namespace, folder: Path) -> Outcome:
    tool = shutil.which("pgbench")
    if tool is None:
        return Outcome(None, 0.0, 0, "pgbench not installed (Debian: postgresql-contrib)")
    script = folder / "select1.sql"
    script.write_text("SELECT 1;\n", encoding="utf-8")
    seconds = 1 if args.quick else args.duration
    cmd = [tool, "-h", HOST, "-p", "5432", "-U", os.environ.get("PGUSER", "postgres"), "-n"]
    cmd += ["-c", str(args.connections), "-j", "1", "-f", str(script), "-T", str(seconds), "test"]
    code, out, err, cpu = _cpu_of(cmd, seconds + 60)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    done = re.search(r"number of transactions actually processed: (\d+)", out)
    if code != 0 or tps is None:
        return Outcome(None, cpu, 0, f"pgbench exited {code}: {(err or out).strip()[-300:]}")
    return Outcome(float(tps.group(1)), cpu, int(done.group(1)) if done else 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _grpc_loop(args: argparse.Namespace, port: int) -> Outcome:
    seconds = 1 if args.quick else args.duration
    cmd = [sys.executable, "-c", _GRPC_LOOP, str(port), str(args.connections), str(seconds)]
    code, out, err, cpu = _cpu_of(cmd, seconds + 60)
    parts = out.split()
    if code != 0 or len(parts) != 2:
        return Outcome(None, cpu, 0, f"the grpc.aio loop exited {code}: {(err or out).strip()[-300:]}")
    done, elapsed = int(parts[0]), float(parts[1])
    return Outcome(done / elapsed, cpu, done)


def _grpc(folder: Path, args: argparse.Namespace) -> tuple[Outcome, Outcome] | str:
    """wiremap and the plain loop against a grpc.aio health server of this script's (pinned to no core: it
    shares both with the clients, as the other services do)."""
    try:
        import grpc  # noqa: F401
        import grpc_health  # noqa: F401
    except ImportError:
        return "grpcio or grpcio-health-checking not installed"
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _GRPC_SERVER, str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            return f"the gRPC server did not start: {server.stderr.read() if server.stderr else ''}"
        target = Target(GRPC.name, port, GRPC.reference)
        return _wiremap(_doc(folder, target), args), _grpc_loop(args, port)
    finally:
        server.kill()
        server.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=10)
    ap.add_argument("--duration", type=int, default=5, help="the reference's run, seconds")
    ap.add_argument("--step", type=float, default=2.0, help="each --find-max step, seconds")
    ap.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    args = ap.parse_args()
    if args.quick:
        args.step, args.duration = 0.5, 1
    rows: list[tuple[str, str, Outcome]] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for target in TARGETS:
            if not _reachable(target.port):
                skipped.append(f"{target.name}: nothing answers on {HOST}:{target.port}")
                continue
            wm = _wiremap(_doc(folder, target), args)
            ref = _redis_benchmark(args) if target.reference == "redis-benchmark" else _pgbench(args, folder)
            rows.append((target.name, "wiremap --find-max", wm))
            rows.append((target.name, target.reference, ref))
        grpc_rows = _grpc(folder, args)
        if isinstance(grpc_rows, str):
            skipped.append(f"gRPC: {grpc_rows}")
        else:
            rows.append((GRPC.name, "wiremap --find-max", grpc_rows[0]))
            rows.append((GRPC.name, GRPC.reference, grpc_rows[1]))
    print(f"measure per protocol, {args.connections} connections, {HOST} (client CPU: user + sys)")
    print(f"{'protocol':<12}{'client':<22}{'req/s':>12}{'CPU µs/req':>12}  note")
    for name, client, o in rows:
        rate = f"{o.rate:,.0f}" if o.rate is not None else "n/a"
        per = f"{o.cpu_s / o.requests * 1e6:.1f}" if o.requests else "n/a"
        print(f"{name:<12}{client:<22}{rate:>12}{per:>12}  {o.note}")
    for i in range(0, len(rows), 2):
        (name, _, wm), (_, ref_name, ref) = rows[i], rows[i + 1]
        label = f"ratio wiremap / {ref_name} ({name})"
        if wm.rate is None or ref.rate is None:
            why = wm.note if wm.rate is None else ref.note
            print(f"{label}: n/a ({why or 'no rate'})")
        else:
            print(f"{label}: {wm.rate / ref.rate:.2f}x  (reported{', ' + wm.note if wm.note else ''})")
    for why in skipped:
        print(f"skipped {why}")
    failed = any(client.startswith("wiremap") and o.rate is None for _, client, o in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
