"""wiremap measure vs wrk: sustained rate, client CPU per request and idle round trip, one local server.

ONE local HTTP server (nginx when installed, else a keep-alive uvloop server: this script's ``--serve``)
answers ``GET /healthz`` with a small JSON body on 127.0.0.1, in a process of its own pinned to one core;
both clients run pinned to another core (``taskset``, when it exists and there are 2 cores). All load
goes to 127.0.0.1 and every run is bounded in time.

1. wrk's closed-loop maximum: ``wrk -t1 -c<C> -d<D>s --latency URL``; Requests/sec and its latency
   distribution; client CPU from ``os.wait4`` (user + sys) per request the server served.
2. wiremap's sustained rate: ``wiremap measure DOC --find-max --no-cap --connections C --format json``
   (``max_sustainable_rate``: the highest constant rate offered where it achieved >= 99% of it with send
   lateness p99 under 1 ms); client CPU the same way, over every request of the whole search, start-up
   included (and net of a start-up-only run's CPU).
3. Round trip at one connection: ``wrk -t1 -c1 -d3s --latency`` p50 (closed loop: ~15,000 req/s, both
   sides never sleep) vs ``wiremap measure DOC --rate 5000 --connections 1`` (as busy) and vs
   ``--rate 100`` (idle). At 100 req/s the server sleeps between requests and its wake-up is in every
   round trip, whoever the client is: the floor there is this script's ``--floor`` client (a blocking
   socket, one pre-encoded request every 10 ms, spinning between them and for the answer), measured in
   the same run.

Prints a table, then  sustained rate ratio wiremap/wrk (goal >= 0.8), client CPU per request of both,
p50 ratios at one connection (goal <= 1.5): busy wiremap/wrk, idle wiremap/floor (and idle wiremap/wrk,
for the record). Exits 1 when a wiremap run failed (or, not --quick, wrk did).

    .venv/bin/python bench/measure_vs_wrk.py [--connections 10] [--duration 5] [--step-duration 2]
    .venv/bin/python bench/measure_vs_wrk.py --repeat 3               # each row the best of 3 (noisy host)
    .venv/bin/python bench/measure_vs_wrk.py --quick                  # tiny runs; no wrk: wiremap only
    .venv/bin/python bench/measure_vs_wrk.py --profile /tmp/measure.prof   # + a cProfile'd wiremap run
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _blackbox import proc_cpu_s
from verify_throughput import BODY, NginxServer, PythonServer, Server

RATE_GOAL = 0.8  # wiremap sustained rate / wrk closed-loop rate, at least
IDLE_GOAL = 1.5  # wiremap p50 / its peer's p50 at one connection, at most
BUSY_RATE = 5000  # wiremap's one-connection rate compared with wrk -c1 (a closed loop at ~15k/s)
IDLE_RATE = 100  # the idle rate: wiremap and the socket floor
PATH = "/healthz"
SLACK_S = 30.0  # a run's deadline beyond its planned length (start-up, slow steps, the report)


# ------------------------------------------------------------------------------------------- server


class KeepAliveServer(PythonServer):
    """This script's ``--serve`` mode: HTTP/1.1 keep-alive on uvloop (asyncio without it)."""

    name = "python keep-alive server"
    script = __file__
    label = "keep-alive server"


def serve() -> None:
    """``--serve``: GET /healthz -> BODY and GET /stats -> requests served, keep-alive, pipelining."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY
    not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    served = 0

    class Handler(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)  # uvloop's are no asyncio.Transport
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            nonlocal served
            self.buf += data
            out: list[bytes] = []
            while (end := self.buf.find(b"\r\n\r\n")) >= 0:
                head, self.buf = self.buf[:end], self.buf[end + 4 :]
                served += 1
                if head.startswith(b"GET /healthz "):
                    out.append(ok)
                elif head.startswith(b"GET /stats "):
                    text = b"%d\n" % served
                    out.append(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text))
                else:
                    out.append(not_found)
            if out:
                self.transport.write(b"".join(out))

    async def main(loop_name: str) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Handler, "127.0.0.1", 0, backlog=4096)
        print(server.sockets[0].getsockname()[1], loop_name, flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main("asyncio"))
    else:
        uvloop.run(main("uvloop"))


# ---------------------------------------------------------------------------------------- processes


@dataclasses.dataclass(frozen=True, slots=True)
class Cores:
    """Where the clients and the server run: ``taskset`` core lists, or None (no pinning)."""

    client: str | None
    server: str | None

    @classmethod
    def choose(cls) -> Cores:
        allowed = sorted(os.sched_getaffinity(0))
        if shutil.which("taskset") is None or len(allowed) < 2:
            return cls(None, None)
        return cls(str(allowed[0]), str(allowed[1]))

    def client_cmd(self, cmd: Sequence[str]) -> list[str]:
        return ["taskset", "-c", self.client, *cmd] if self.client is not None else list(cmd)

    def pin_server(self, pid: int) -> None:
        if self.server is not None:
            subprocess.run(
                ["taskset", "-a", "-p", "-c", self.server, str(pid)], capture_output=True, check=True
            )

    def describe(self) -> str:
        if self.client is None:
            return "not pinned (no taskset or a single core)"
        return f"clients on core {self.client}, server on core {self.server} (taskset)"


@dataclasses.dataclass(frozen=True, slots=True)
class Run:
    """One finished client process: its exit code, stdout, stderr tail, wall and CPU seconds."""

    code: int
    stdout: str
    stderr: str
    wall_s: float
    user_s: float
    sys_s: float
    served: int  # requests the server counted meanwhile
    timed_out: bool = False

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def failure(self, what: str) -> str:
        why = "killed at its deadline" if self.timed_out else f"exit {self.code}"
        tail = (self.stderr.strip() or self.stdout.strip())[-1500:]
        return f"{what}: {why}" + (f"\n{tail}" if tail else "")


def run_client(cmd: Sequence[str], server: Server, work: Path, deadline_s: float) -> Run:
    """Run ``cmd`` (to completion, or killed after ``deadline_s``); its CPU from ``os.wait4``."""
    out_path, err_path = work / "client.stdout", work / "client.stderr"
    served0 = server.requests()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        killer = threading.Timer(deadline_s, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    served = server.requests() - served0 - 1  # the counter's own request
    return Run(
        code,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace")[-4000:],
        wall,
        usage.ru_utime,
        usage.ru_stime,
        served,
        timed_out=code == -9 and wall >= deadline_s,
    )


# ---------------------------------------------------------------------------------------------- wrk

_TIME = re.compile(r"([\d.]+)(us|ms|s|m|h)\b")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNIT_MS[m.group(2)]


@dataclasses.dataclass(frozen=True, slots=True)
class WrkResult:
    rps: float  # Requests/sec
    requests: int  # "N requests in ..."
    percentiles_ms: dict[str, float]  # "50%" ... "99%" of its --latency distribution
    errors: int  # non-2xx/3xx responses + socket errors
    run: Run

    @property
    def cpu_us_per_request(self) -> float:
        return self.run.cpu_s / self.run.served * 1e6 if self.run.served else float("nan")


def parse_wrk(text: str) -> tuple[float, int, dict[str, float], int]:
    """Requests/sec, requests, the latency distribution (ms) and the error count of wrk's output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    count = re.search(r"^\s*(\d+) requests in ", text, re.M)
    if not rps or not count or "50%" not in text or "99%" not in text:
        raise ValueError(f"unexpected wrk output:\n{text}")
    dist = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(\d+(?:\.\d+)?%)\s+(\S+)\s*$", text, re.M)}
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        errors += sum(int(g) for g in m.groups())
    return float(rps.group(1)), int(count.group(1)), dist, errors


def run_wrk(
    wrk: str, url: str, connections: int, duration_s: int, cores: Cores, server: Server, work: Path
) -> WrkResult | str:
    """``wrk -t1 -c<connections> -d<duration>s --latency url``; its result, or why it failed."""
    cmd = cores.client_cmd([wrk, "-t1", f"-c{connections}", f"-d{duration_s}s", "--latency", url])
    run = run_client(cmd, server, work, duration_s + SLACK_S)
    if run.code != 0:
        return run.failure(" ".join(cmd))
    try:
        rps, requests, dist, errors = parse_wrk(run.stdout)
    except ValueError as exc:
        return str(exc)
    return WrkResult(rps, requests, dist, errors, run)


# ------------------------------------------------------------------------------------------- floor


def floor_client(port: int, seconds: float) -> None:
    """``--floor PORT``: one blocking socket, ``GET /healthz`` every 1/IDLE_RATE s, spinning between
    sends and for each answer (no sleep, no event loop); prints ``{"p50_ms", "requests"}``. The least
    any client can measure at that rate against this server."""
    import socket
    import statistics

    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    interval = 1e9 / IDLE_RATE
    t0 = time.perf_counter_ns() + int(interval)
    times: list[float] = []
    for i in range(max(1, int(seconds * IDLE_RATE))):
        intended = t0 + int(i * interval)
        while time.perf_counter_ns() < intended:
            pass
        sent = time.perf_counter_ns()
        sock.send(request)
        got = b""
        while b"\r\n\r\n" not in got or len(got) < got.index(b"\r\n\r\n") + 4 + len(BODY):
            try:
                chunk = sock.recv(65536)
            except BlockingIOError:
                if time.perf_counter_ns() - sent > 5e9:
                    raise SystemExit("the floor client got no answer in 5 s") from None
                continue
            if not chunk:
                raise SystemExit("the server closed the floor client's connection")
            got += chunk
        times.append((time.perf_counter_ns() - sent) / 1e6)
    print(json.dumps({"p50_ms": statistics.median(times), "requests": len(times)}))


@dataclasses.dataclass(frozen=True, slots=True)
class FloorResult:
    p50_ms: float
    requests: int
    run: Run


def run_floor(cores: Cores, server: Server, work: Path, seconds: float) -> FloorResult | str:
    cmd = cores.client_cmd(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--floor",
            str(server.port),
            "--idle-duration",
            str(seconds),
        ]
    )
    run = run_client(cmd, server, work, seconds + SLACK_S)
    try:
        data = json.loads(run.stdout)
        return FloorResult(float(data["p50_ms"]), int(data["requests"]), run)
    except (ValueError, KeyError, TypeError):
        return run.failure(" ".join(cmd))


# ------------------------------------------------------------------------------------------ wiremap


def write_doc(folder: Path, port: int) -> Path:
    """A minimal HTTP integration doc: ``GET /healthz`` on 127.0.0.1:``port``."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = folder / "bench-healthz.md"
    doc.write_text(
        f"""# Integration: Bench Client → Bench

**Purpose:** Health endpoint of the measure vs wrk benchmark
**Protocol:** HTTP

---

## Quick Reference

**Destination:** Bench (127.0.0.1:{port})

---

## Request Format

**Endpoint:** `GET {PATH}`
""",
        encoding="utf-8",
    )
    return doc


def wiremap_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "wiremap"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wiremap"]


@dataclasses.dataclass(frozen=True, slots=True)
class WiremapResult:
    data: dict[str, Any]  # the JSON report
    run: Run

    @property
    def p50_ms(self) -> float:
        return float(self.data["latency_ms"]["p50"])

    @property
    def p99_ms(self) -> float:
        return float(self.data["latency_ms"]["p99"])

    @property
    def max_rate(self) -> float | None:
        rate = self.data.get("max_sustainable_rate")
        return None if rate is None else float(rate)

    @property
    def errors(self) -> int:
        # per kind: {"count", "warmup", "first_message"}; the count includes the warm-up's
        return sum(int(e["count"]) for e in self.data.get("errors", {}).values())


def run_wiremap(
    args: Sequence[str], cores: Cores, server: Server, work: Path, deadline_s: float
) -> WiremapResult | str:
    """``wiremap measure ARGS --format json`` pinned to the client core; its report, or why it failed."""
    cmd = cores.client_cmd([*wiremap_cmd(), "measure", *args, "--format", "json"])
    run = run_client(cmd, server, work, deadline_s)
    try:
        data = json.loads(run.stdout)
    except ValueError:
        return run.failure(" ".join(cmd))
    if not isinstance(data, dict) or "latency_ms" not in data:
        return run.failure(" ".join(cmd))
    return WiremapResult(data, run)


def measure_help() -> str:
    proc = subprocess.run(
        [*wiremap_cmd(), "measure", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return proc.stdout if proc.returncode == 0 else ""


def find_max_args(doc: Path, args: argparse.Namespace) -> list[str]:
    return [
        str(doc),
        "--find-max",
        "--no-cap",
        "--connections",
        str(args.connections),
        "--rate",
        f"{args.start_rate:g}",
        "--duration",
        f"{args.step_duration:g}",
        "--warmup",
        f"{args.warmup:g}",
    ]


def find_max_deadline(args: argparse.Namespace) -> float:
    # wiremap's --find-max takes at most 16 steps; a step that fails may wait out the 5 s timeout
    step_s: float = args.step_duration + args.warmup + 6.0
    return 16 * step_s + SLACK_S


def profile(doc: Path, rate: float, args: argparse.Namespace, cores: Cores, work: Path, out: Path) -> None:
    """One more (unreported) wiremap run at ``rate`` under cProfile, pinned like the others."""
    load = ["--rate", f"{rate:g}", "--no-cap", "--connections", str(args.connections)]
    load += ["--duration", f"{args.duration:g}", "--warmup", "0", "--format", "json"]
    cmd = cores.client_cmd(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "wiremap", "measure", str(doc), *load]
    )
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=args.duration + SLACK_S * 2, check=False, cwd=work
    )
    try:
        data = json.loads(proc.stdout)
        got = f"{data['throughput_per_s']:,.0f}/s achieved, lateness p99 {data['lateness_ms']['p99']:.2f} ms"
    except (ValueError, KeyError):
        got = f"exit {proc.returncode}: {proc.stderr[-500:]}"
    print(f"\ncProfile'd wiremap measure at {rate:,.0f}/s offered for {args.duration:g} s ({got}), in {out}:")
    stats = pstats.Stats(str(out), stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(20)


# --------------------------------------------------------------------------------------------- main


@dataclasses.dataclass(frozen=True, slots=True)
class Round:
    """One pass over every measurement (a value or why it failed; None when wrk is not there)."""

    wrk_max: WrkResult | str | None
    startup: WiremapResult | str
    wm_max: WiremapResult | str
    wrk_idle: WrkResult | str | None
    wm_idle: WiremapResult | str
    wm_busy: WiremapResult | str
    floor: FloorResult | str


def measure_all(
    args: argparse.Namespace, wrk: str | None, cores: Cores, server: Server, doc: Path, work: Path
) -> Round:
    url = f"http://127.0.0.1:{server.port}{PATH}"
    # 1. wrk's closed-loop maximum
    wrk_max = run_wrk(wrk, url, args.connections, args.duration, cores, server, work) if wrk else None
    # 2. wiremap's sustained rate, and its start-up cost alone (one request at 1/s)
    startup_args = [str(doc), "--rate", "1", "--duration", "0.1", "--warmup", "0", "--connections", "1"]
    startup = run_wiremap(startup_args, cores, server, work, SLACK_S)
    wm_max = run_wiremap(find_max_args(doc, args), cores, server, work, find_max_deadline(args))
    # 3. idle round trip at one connection
    wrk_idle = run_wrk(wrk, url, 1, args.idle_duration, cores, server, work) if wrk else None
    one = ["--connections", "1", "--duration", str(args.idle_duration)] + (
        ["--warmup", "0"] if args.quick else []
    )
    idle_args = [str(doc), "--rate", str(IDLE_RATE), *one]
    wm_idle = run_wiremap(idle_args, cores, server, work, args.idle_duration + SLACK_S)
    busy_args = [str(doc), "--rate", str(BUSY_RATE), "--no-cap", *one]
    wm_busy = run_wiremap(busy_args, cores, server, work, args.idle_duration + SLACK_S)
    floor = run_floor(cores, server, work, args.idle_duration)
    return Round(wrk_max, startup, wm_max, wrk_idle, wm_idle, wm_busy, floor)


T = TypeVar("T", WrkResult, WiremapResult)


def _best(results: list[T | str | None], key: Callable[[T], float]) -> T | str | None:
    """The first failure (a failure is no noise), else the result with the highest ``key``."""
    for r in results:
        if isinstance(r, str):
            return r
    done = [r for r in results if r is not None and not isinstance(r, str)]
    return max(done, key=key) if done else None


def _best_floor(results: list[FloorResult | str]) -> FloorResult | str:
    failed = [r for r in results if isinstance(r, str)]
    return (
        failed[0] if failed else min((r for r in results if not isinstance(r, str)), key=lambda r: r.p50_ms)
    )


def _row(name: str, conns: int, served: int, wall: float, rate: str, p50: float, p99: float, run: Run) -> str:
    us = run.cpu_s / served * 1e6 if served else float("nan")
    return (
        f"{name:<30} {conns:>5} {served:>9,} {wall:>7.2f} {rate:>14} {p50:>8.3f} {p99:>8.3f} "
        f"{run.cpu_s:>7.2f} {us:>10.1f}"
    )


def _verdict(label: str, value: float, goal: str, ok: bool) -> str:
    return f"{label}: {value:.2f}  (goal {goal}: {'met' if ok else 'NOT met'})"


def report(
    args: argparse.Namespace,
    server_name: str,
    cores: Cores,
    server_cpu: float,
    wrk: str | None,
    wrk_max: WrkResult | str | None,
    wrk_idle: WrkResult | str | None,
    startup: WiremapResult | str | None,
    wm_max: WiremapResult | str | None,
    wm_idle: WiremapResult | str | None,
    wm_busy: WiremapResult | str | None = None,
    floor: FloorResult | str | None = None,
) -> list[str]:
    """Print the table and the ratios; the failures (each starting with the failed client's name)."""
    failures: list[str] = []
    print(
        f"measure vs wrk: GET {PATH} ({len(BODY)} B JSON) from {server_name} on 127.0.0.1 "
        f"(a process of its own); {cores.describe()}; load average before: {args.loadavg}"
        + (f"; each row the best of {args.repeat} runs" if args.repeat > 1 else "")
    )
    print(
        f"{'':<30} {'conns':>5} {'requests':>9} {'wall s':>7} {'req/s':>14} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'CPU s':>7} {'CPU µs/req':>10}"
    )
    rows: list[tuple[str, int, WrkResult | WiremapResult | str | None]] = [
        ("wrk closed loop", args.connections, wrk_max),
        ("wiremap --find-max", args.connections, wm_max),
        ("wrk idle", 1, wrk_idle),
        ("wiremap one conn (--rate 5000)", 1, wm_busy),
        ("wiremap idle (--rate 100)", 1, wm_idle),
    ]
    for label, conns, res in rows:
        if res is None:
            continue
        if isinstance(res, str):
            failures.append(f"{label} FAILED: {res}")
            continue
        run = res.run
        if isinstance(res, WrkResult):
            rate, p50, p99 = f"{res.rps:,.0f}", res.percentiles_ms["50%"], res.percentiles_ms["99%"]
            if res.errors:
                failures.append(f"{label}: {res.errors} errors")
        else:
            if res is wm_max:
                found = res.max_rate
                rate = f"{found:,.0f} sust." if found is not None else "none sust."
            else:
                rate = f"{res.data['throughput_per_s']:,.0f} of {res.data['rate']:g}"
                if res.errors:
                    failures.append(f"{label}: errors {res.data['errors']}")
            # --find-max exits 1 when it sustained no rate: a result ("none sust."), not a failure
            no_rate = res is wm_max and run.code == 1 and res.max_rate is None
            if run.code != 0 and not no_rate:
                failures.append(f"{label}: {run.failure('wiremap measure')}")
            p50, p99 = res.p50_ms, res.p99_ms
        print(_row(label, conns, run.served, run.wall_s, rate, p50, p99, run))
    if isinstance(floor, FloorResult):
        run = floor.run
        rate = f"{floor.requests / args.idle_duration:,.0f} of {IDLE_RATE}"
        print(
            _row(
                "socket floor (100/s, spin)", 1, run.served, run.wall_s, rate, floor.p50_ms, float("nan"), run
            )
        )
    elif isinstance(floor, str):
        failures.append(f"socket floor FAILED: {floor}")
    print(
        "(requests: as the server counted them, warm-ups included; CPU: the client process's user + sys "
        f"from os.wait4; server CPU over all runs {server_cpu:.2f} s, counted for neither)"
    )
    if isinstance(wm_max, WiremapResult):
        find = wm_max.data.get("find_max", {})
        trail = ", ".join(f"{s['rate']:g}{'' if s['sustained'] else ' ✗'}" for s in find.get("steps", []))
        print(f"wiremap --find-max steps, req/s offered (✗ = not sustained): {trail}")
        print(f"  stopped: {find.get('stopped', '?')}")
    if isinstance(startup, str):
        failures.append(f"wiremap start-up run FAILED: {startup}")

    no_wrk = "--no-wrk" if args.no_wrk else "wrk not installed" if wrk is None else "wrk failed"
    label = "sustained rate ratio wiremap/wrk"
    if not isinstance(wrk_max, WrkResult) or not wrk_max.rps:
        print(f"{label}: n/a ({no_wrk})")
    elif not isinstance(wm_max, WiremapResult) or wm_max.max_rate is None:
        print(f"{label}: n/a (wiremap sustained no rate)")
    else:
        ratio = wm_max.max_rate / wrk_max.rps
        print(_verdict(label, ratio, f">= {RATE_GOAL}", ratio >= RATE_GOAL))

    cpu: list[str] = []
    if isinstance(wrk_max, WrkResult):
        cpu.append(f"wrk {wrk_max.cpu_us_per_request:.1f} µs")
    if isinstance(wm_max, WiremapResult) and wm_max.run.served:
        run = wm_max.run
        busy = run.cpu_s / run.wall_s if run.wall_s else 0.0
        part = (
            f"wiremap {run.cpu_s / run.served * 1e6:.1f} µs (whole --find-max process, {busy:.0%} of a core"
        )
        if isinstance(startup, WiremapResult):
            net = (run.cpu_s - startup.run.cpu_s) / run.served * 1e6
            part += f"; {net:.1f} µs net of a start-up's {startup.run.cpu_s * 1000:.0f} ms CPU"
        cpu.append(part + ")")
    print("client CPU per request: " + (", ".join(cpu) or "n/a"))

    wrk_p50 = wrk_idle.percentiles_ms["50%"] if isinstance(wrk_idle, WrkResult) else 0.0
    label = f"one-connection p50 ratio wiremap --rate {BUSY_RATE}/wrk -c1"
    if not wrk_p50:
        print(f"{label}: n/a ({no_wrk})")
    elif not isinstance(wm_busy, WiremapResult):
        print(f"{label}: n/a (the wiremap run failed)")
    else:
        ratio = wm_busy.p50_ms / wrk_p50
        label += f" ({wm_busy.p50_ms * 1000:.0f} µs / {wrk_p50 * 1000:.0f} µs)"
        print(_verdict(label, ratio, f"<= {IDLE_GOAL}", ratio <= IDLE_GOAL))
    label = f"idle p50 ratio wiremap/socket floor, both at {IDLE_RATE}/s"
    if not isinstance(wm_idle, WiremapResult) or not isinstance(floor, FloorResult):
        print(f"{label}: n/a (a run failed)")
    else:
        ratio = wm_idle.p50_ms / floor.p50_ms
        label += f" ({wm_idle.p50_ms * 1000:.0f} µs / {floor.p50_ms * 1000:.0f} µs)"
        print(_verdict(label, ratio, f"<= {IDLE_GOAL}", ratio <= IDLE_GOAL))
        if wrk_p50:
            print(
                f"  (idle wiremap / wrk -c1: {wm_idle.p50_ms / wrk_p50:.2f}: a server asleep between "
                "requests vs one never idle; the floor shows what the server's wake-up costs)"
            )
    for f in failures:
        print(f)
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--connections", type=int, default=10, help="connections of wrk and of wiremap --find-max"
    )
    ap.add_argument("--duration", type=int, default=5, help="wrk's closed-loop run, seconds")
    ap.add_argument("--step-duration", type=float, default=2.0, help="each --find-max step, seconds")
    ap.add_argument("--warmup", type=float, default=0.5, help="each --find-max step's warm-up, seconds")
    ap.add_argument("--start-rate", type=float, default=500.0, help="the first --find-max step's rate")
    ap.add_argument("--idle-duration", type=int, default=3, help="the idle round-trip runs, seconds")
    ap.add_argument(
        "--repeat", type=int, default=1, help="measure everything N times, report each one's best"
    )
    ap.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    ap.add_argument("--no-wrk", action="store_true", help="measure wiremap only")
    ap.add_argument("--quick", action="store_true", help="tiny runs (1 s, 2 connections): a smoke test")
    ap.add_argument("--profile", type=Path, help="also run wiremap once under cProfile, writing this file")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--floor", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve()
        return 0
    if args.floor is not None:
        floor_client(args.floor, args.idle_duration)
        return 0
    if args.quick:
        args.connections, args.duration, args.idle_duration = 2, 1, 1
        args.step_duration, args.warmup, args.start_rate = 0.5, 0.0, 500.0
    if min(args.connections, args.duration, args.idle_duration, args.repeat) < 1 or args.step_duration < 0.1:
        ap.error("--connections, --duration, --idle-duration, --repeat must be >= 1; --step-duration >= 0.1")

    help_text = measure_help()
    if "--find-max" not in help_text:
        print(
            "wiremap measure --find-max is not available in this wiremap: nothing to compare", file=sys.stderr
        )
        return 1
    wrk = None if args.no_wrk else shutil.which("wrk")
    if wrk is None and not args.no_wrk:
        print("wrk is not installed (apt-get install -y wrk): measuring wiremap only")

    cores = Cores.choose()
    args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    use_nginx = args.server == "nginx" or (args.server == "auto" and shutil.which("nginx") is not None)
    with tempfile.TemporaryDirectory(prefix="wiremap-measure-bench-") as tmp:
        work = Path(tmp)
        (work / "server").mkdir()
        server_cls: type[Server] = NginxServer if use_nginx else KeepAliveServer
        with server_cls(work / "server") as server:
            cores.pin_server(server.pid)
            doc = write_doc(work / "docs", server.port)
            server_cpu0 = proc_cpu_s(server.pid)

            rounds = [measure_all(args, wrk, cores, server, doc, work) for _ in range(args.repeat)]
            server_cpu = proc_cpu_s(server.pid) - server_cpu0

        wrk_max = _best([r.wrk_max for r in rounds], lambda r: r.rps)
        wm_max = _best([r.wm_max for r in rounds], lambda r: r.max_rate or 0.0)
        wrk_idle = _best([r.wrk_idle for r in rounds], lambda r: -r.percentiles_ms["50%"])
        wm_idle = _best([r.wm_idle for r in rounds], lambda r: -r.p50_ms)
        wm_busy = _best([r.wm_busy for r in rounds], lambda r: -r.p50_ms)
        floor = _best_floor([r.floor for r in rounds])
        startup = _best([r.startup for r in rounds], lambda r: -r.run.cpu_s)
        failures = report(
            args,
            server.name,
            cores,
            server_cpu,
            wrk,
            wrk_max,
            wrk_idle,
            startup,
            wm_max,
            wm_idle,
            wm_busy,
            floor,
        )

        if args.profile is not None and isinstance(wm_max, WiremapResult):
            rate = 1.5 * (wm_max.max_rate or args.start_rate)
            with server_cls(work / "server") as server:
                cores.pin_server(server.pid)
                profile(write_doc(work / "docs", server.port), rate, args, cores, work, args.profile)

    wiremap_failed = any(f.startswith("wiremap") for f in failures)
    return 1 if wiremap_failed or (failures and not args.quick) else 0


if __name__ == "__main__":
    raise SystemExit(main())
