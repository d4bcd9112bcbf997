"""wiremap serve at scale: CPU share of the monitor, probe start lateness and store growth.

N (default 5,000) HTTP integration docs, each the example doc
``examples/shop/docs/integrations/checkout-service-to-payments-api.md`` with its own title and id
(``# Integration: Service 0001 → API 0001``), its Endpoint ``GET /healthz`` and its Response the JSON the
local servers answer, and its Destination ``API 0001 (127.0.0.1:PORT)``: spread over a few local HTTP
servers (this script's ``--serve``, uvloop, all ports in ONE process of its own, so its CPU is not the
monitor's). Every probe goes to 127.0.0.1, on a new connection each time (``Connection: close``).

The monitor runs as it would in production, a subprocess:

    python -m wiremap serve DOCS --interval 30s --port 0 --store sqlite:///TMP/h.db --no-watch \
        --concurrency 64

for ``--duration`` seconds (default 180): a warm-up of one interval, then the measured window (at least
two intervals). Over the window:

* CPU share of the monitor: user + sys from /proc/<pid>/stat (every thread; children too, if any) over
  wall time, in % of one core; the event loop's thread apart from the others (store writer, rollups),
  and how often it went to sleep (its voluntary context switches). The destination servers' CPU is
  reported too, and counted for nobody. For scale, the CPU one idle asyncio loop wake-up costs on this
  machine is measured first (in a VM it can be hundreds of µs).
* Probe start lateness p50 / p99 / max: the ``wiremap_probe_start_lateness_seconds`` histogram of
  ``/metrics``, scraped ONCE, after the window: the histogram starts empty, so it covers every probe of
  the run (warm-up included) and no scrape stalled the probes meanwhile (a scrape renders every
  integration's series in Python, holding the GIL: seconds at 5,000). The quantiles are bucket
  estimates (linear within a bucket, as Prometheus' histogram_quantile), the max only a bucket bound.
  The scrape's own cost is shown, and kept out of the CPU share; ``--scrape-every 15`` scrapes
  meanwhile, as Prometheus would.
* Probe success: ``wiremap_probe_success`` of every integration at the end, and the failed results of the
  window in the store (error kinds).
* Store size per day: the SQLite database's growth over the window (logical: used pages as a reader sees
  them, WAL included; and the files, db + -wal), extrapolated to 24 h, and the results written per
  second (rows counted with sqlite3).

* /metrics scrapes: size, and the monitor's CPU while each was answered (``--scrape-every``: the median
  of the periodic ones; else the one after the window).
* CPU per probe against a floor: before the monitor starts, ``wiremap verify`` probes the same docs on
  the same servers twice, one round and ``--verify-rounds`` rounds (serve's ``--concurrency``): the
  difference of the two CPU times over the extra probes is what a steady-state probe costs without a
  monitor around it (start-up, doc loading and the first round's imports cancel out, as the monitor's
  warm-up interval is kept out of its window; subtracting a start-up measured apart left the floor
  swinging by a third between runs).
* The monitor's resident memory (VmRSS) at the end of the window, and its peak (VmHWM).

Goals (issue 13), printed beside each figure: monitor CPU <= 25% of one core, lateness p99 <= 1 s, a
scrape <= 0.2 s of CPU, CPU per probe <= 1.5x verify's. Exits 1 when probes failed or the monitor did
not stop cleanly (exit 0 on SIGTERM), 2 when something could not start. ``--src DIR`` runs wiremap from
DIR/src, e.g. ``git worktree add /tmp/base HEAD`` for the "before" of a change, measured by this same
script on the same machine.

    .venv/bin/python bench/monitor_scale.py [--integrations 5000] [--interval 30] [--duration 180]
    .venv/bin/python bench/monitor_scale.py --quick        # 200 docs, 2 s interval, a 12 s run
    .venv/bin/python bench/monitor_scale.py --scrape-every 15   # with a Prometheus-like scraper
    .venv/bin/python bench/monitor_scale.py --profile /tmp/serve.prof   # monitor under cProfile
    .venv/bin/python bench/monitor_scale.py --scrape-every 15 --src /tmp/base   # the "before"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pstats
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _blackbox import proc_cpu_s, stop_process
from verify_throughput import BODY, HEALTH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples/shop/docs/integrations/checkout-service-to-payments-api.md"
CPU_GOAL_PCT = 25.0  # % of one core, at most
LATENESS_GOAL_S = 1.0  # p99 probe start lateness, at most
SCRAPE_GOAL_S = 0.2  # CPU seconds of one /metrics scrape, at most
PER_PROBE_GOAL = 1.5  # the monitor's CPU per probe, at most this many times verify's on the same docs
LATENESS = "wiremap_probe_start_lateness_seconds"
RAW_DAYS, MINUTE_DAYS, HOUR_DAYS = 7, 30, 400  # serve's retention of raw results and rollups (defaults)
ANNOUNCE = re.compile(r"wiremap serve: (\d+) integrations, dashboard on http://127\.0\.0\.1:(\d+)/")
_CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """Something did not start or crashed: printed as one clear message, not a traceback."""


# --------------------------------------------------------------------------------------------- docs


def _sub(text: str, old: str, new: str) -> str:
    if old not in text:
        raise BenchError(f"{EXAMPLE.name} changed: {old!r} not found (update bench/monitor_scale.py)")
    return text.replace(old, new)


def _json_block(text: str, label: str, value: Any) -> str:
    pattern = re.compile(rf"(\*\*{label}:\*\*\n```json\n).*?(\n```)", re.DOTALL)
    body = json.dumps(value, indent=2)
    new, n = pattern.subn(lambda m: m.group(1) + body + m.group(2), text, count=1)
    if n != 1:
        raise BenchError(f"{EXAMPLE.name} changed: no JSON {label} example (update bench/monitor_scale.py)")
    return new


def doc_template() -> str:
    """The example doc with ``@TAG@`` (the integration's number) and ``@PORT@`` left to fill."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = _sub(
        text, "# Integration: Checkout Service → Payments API", "# Integration: Service @TAG@ → API @TAG@"
    )
    text = re.sub(
        r"^\*\*Purpose:\*\* .*$",
        "**Purpose:** Health of API @TAG@, probed by the monitor scale benchmark",
        text,
        count=1,
        flags=re.M,
    )
    text = _sub(text, "Payments API (127.0.0.1:8081)", "API @TAG@ (127.0.0.1:@PORT@)")
    text = _sub(text, "127.0.0.1:8081", "127.0.0.1:@PORT@")
    text = _sub(text, "POST /v1/charges", "GET /healthz")
    text = _json_block(text, "Request", {"method": "GET", "path": "/healthz"})
    text = _json_block(text, "Response", HEALTH)
    hosts = set(re.findall(r"://([^/:\s]+)", text)) | set(re.findall(r"\((\S+?):@PORT@\)", text))
    if hosts != {"127.0.0.1"}:
        raise BenchError(f"the generated docs would name hosts other than 127.0.0.1: {sorted(hosts)}")
    return text


def generate(out: Path, count: int, ports: list[int]) -> None:
    """``count`` docs, integration ``n`` on ``ports[n % len(ports)]``: unique ids, every host 127.0.0.1."""
    template = doc_template()
    width = max(4, len(str(count - 1)))
    out.mkdir(parents=True)
    for n in range(count):
        tag = f"{n:0{width}d}"
        text = template.replace("@TAG@", tag).replace("@PORT@", str(ports[n % len(ports)]))
        (out / f"service-{tag}-to-api-{tag}.md").write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------------------ servers


def serve(count: int) -> None:
    """``--serve K``: K ports on 127.0.0.1 (printed on one line), each answering GET /healthz with BODY
    and closing the connection; GET /stats answers the /healthz requests served so far (all ports)."""
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n" % len(BODY)
    ) + BODY
    not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    served = 0

    class Handler(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)  # uvloop's are no asyncio.Transport
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            nonlocal served
            self.buf += data
            if b"\r\n\r\n" not in self.buf:
                return
            if self.buf.startswith(b"GET /healthz "):
                served += 1
                self.transport.write(response)
            elif self.buf.startswith(b"GET /stats "):
                text = b"%d\n" % served
                self.transport.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                    % (len(text), text)
                )
            else:
                self.transport.write(not_found)
            self.transport.close()

    async def main(loop_name: str) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        servers = [await loop.create_server(Handler, "127.0.0.1", 0, backlog=4096) for _ in range(count)]
        ports = [str(s.sockets[0].getsockname()[1]) for s in servers]
        print(loop_name, *ports, flush=True)
        await stop.wait()
        for s in servers:
            s.close()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main("asyncio"))
    else:
        uvloop.run(main("uvloop"))


class Destinations:
    """The local destination servers: one process of its own (this script's ``--serve``), K ports."""

    def __init__(self, count: int, workdir: Path) -> None:
        self.count = count
        self.workdir = workdir
        self.ports: list[int] = []
        self.name = ""
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Destinations:
        stderr = self.workdir / "servers.stderr"
        try:
            with stderr.open("wb") as err:
                self.proc = subprocess.Popen(
                    [sys.executable, __file__, "--serve", str(self.count)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    start_new_session=True,  # Ctrl-C is ours to handle: we stop it in order
                )
            assert self.proc.stdout is not None
            words = self.proc.stdout.readline().decode().split()
            self.proc.stdout.close()
            if len(words) != self.count + 1:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(5)
                raise BenchError(
                    f"the destination servers did not start (exit {self.proc.poll()}, printed {words!r}):"
                    f"\n{_tail(stderr)}"
                )
            self.name, self.ports = f"python {words[0]}", [int(w) for w in words[1:]]
            self.requests()  # they answer
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def requests(self) -> int:
        """/healthz requests served so far, all ports together."""
        url = f"http://127.0.0.1:{self.ports[0]}/stats"
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return int(resp.read().decode().strip())
        except (OSError, ValueError) as exc:
            raise BenchError(f"the destination servers do not answer {url}: {exc}") from exc


# ------------------------------------------------------------------------------------------ monitor


def _tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-n:].rstrip() or "(no output)"
    except OSError:
        return "(no output)"


def _children(pid: int) -> list[int]:
    """Live descendants of ``pid`` (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out.extend(kids)
        todo.extend(kids)
    return out


def _stat_fields(path: Path) -> list[str]:
    stat = path.read_text()
    return stat[stat.rindex(")") + 2 :].split()


@dataclass(frozen=True, slots=True)
class Cpu:
    user_s: float  # the monitor's threads + its reaped children + its live descendants
    sys_s: float
    main_s: float  # the main thread alone: the event loop (probes, scheduler, state, metrics, web)
    wakeups: int  # the main thread's voluntary context switches: how often the event loop went to sleep

    @property
    def total_s(self) -> float:
        return self.user_s + self.sys_s


def monitor_cpu(pid: int) -> Cpu:
    fields = _stat_fields(Path(f"/proc/{pid}/stat"))
    user = (int(fields[11]) + int(fields[13])) / _CLK_TCK  # utime + cutime
    sys_ = (int(fields[12]) + int(fields[14])) / _CLK_TCK  # stime + cstime
    for child in _children(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            f = _stat_fields(Path(f"/proc/{child}/stat"))
            user, sys_ = user + int(f[11]) / _CLK_TCK, sys_ + int(f[12]) / _CLK_TCK
    main = _stat_fields(Path(f"/proc/{pid}/task/{pid}/stat"))
    status = Path(f"/proc/{pid}/task/{pid}/status").read_text()
    m = re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M)
    return Cpu(user, sys_, (int(main[11]) + int(main[12])) / _CLK_TCK, int(m.group(1)) if m else 0)


def wiremap_env(src: Path | None) -> dict[str, str]:
    """The environment of the wiremap processes: ``--src DIR`` puts DIR/src first on their path (the
    "before" of a change, from a ``git worktree`` of the base commit, run by this same script)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src / "src"), env.get("PYTHONPATH", "")]))
    return env


def rss_bytes(pid: int) -> tuple[int, int]:
    """(resident now, peak resident) of a live process, from /proc/<pid>/status."""
    status = Path(f"/proc/{pid}/status").read_text()
    now = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    peak = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return (int(now.group(1)) * 1024 if now else 0, int(peak.group(1)) * 1024 if peak else 0)


class Monitor:
    """``python -m wiremap serve ...`` (or under cProfile), stderr in a file, stopped with SIGTERM."""

    def __init__(self, cmd: list[str], workdir: Path, env: dict[str, str] | None = None) -> None:
        self.cmd = cmd
        self.env = env
        self.workdir = workdir
        self.stderr = workdir / "serve.stderr"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.announced = 0

    def start(self, timeout_s: float) -> float:
        """Start it and wait for its announcement; the seconds that took."""
        t0 = time.monotonic()
        with self.stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                start_new_session=True,
            )
        while time.monotonic() - t0 < timeout_s:
            m = ANNOUNCE.search(_tail(self.stderr, 100_000))
            if m:
                self.announced, self.port = int(m.group(1)), int(m.group(2))
                return time.monotonic() - t0
            self.check()
            time.sleep(0.05)
        raise BenchError(
            f"wiremap serve did not announce itself within {timeout_s:g} s:\n{_tail(self.stderr)}"
        )

    def check(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise BenchError(f"wiremap serve exited with {self.proc.returncode}:\n{_tail(self.stderr)}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu(self) -> Cpu:
        try:
            return monitor_cpu(self.pid)
        except (OSError, ValueError, IndexError) as exc:
            self.check()
            raise BenchError(f"cannot read the CPU time of wiremap serve: {exc}") from exc

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """SIGTERM; its exit code (None: it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def get(self, path: str, timeout_s: float = 60.0) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as resp:
                return cast(bytes, resp.read())
        except OSError as exc:
            self.check()
            raise BenchError(f"wiremap serve does not answer {url}: {exc}") from exc


# ------------------------------------------------------------------------------------------ metrics


@dataclass(frozen=True, slots=True)
class Scrape:
    lateness: dict[float, float]  # le -> cumulative count (inf included)
    success: dict[str, float]  # integration -> wiremap_probe_success
    size: int  # bytes
    wall_s: float
    cpu_s: float  # the monitor's CPU while it answered


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$")
_LE = re.compile(r'le="([^"]+)"')
_INTEGRATION = re.compile(r'integration="([^"]*)"')


def parse_metrics(text: str) -> tuple[dict[float, float], dict[str, float]]:
    lateness: dict[float, float] = {}
    success: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m is None:
            continue
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name == f"{LATENESS}_bucket":
            le = _LE.search(labels)
            if le is not None:
                lateness[float(le.group(1))] = value
        elif name == "wiremap_probe_success":
            integ = _INTEGRATION.search(labels)
            if integ is not None:
                success[integ.group(1)] = value
    return lateness, success


def scrape(monitor: Monitor) -> Scrape:
    cpu0, t0 = monitor.cpu().total_s, time.monotonic()
    body = monitor.get("/metrics")
    wall, cpu = time.monotonic() - t0, monitor.cpu().total_s - cpu0
    lateness, success = parse_metrics(body.decode())
    if not lateness:
        raise BenchError(f"/metrics has no {LATENESS} histogram")
    return Scrape(lateness, success, len(body), wall, cpu)


def _bound(le: float) -> str:
    return "+Inf" if le == float("inf") else f"{le:g} s"


def quantile(buckets: dict[float, float], q: float) -> tuple[float, float, float]:
    """(estimate, bucket lower bound, bucket upper bound) of quantile ``q`` of a cumulative histogram,
    linear within the bucket (Prometheus' histogram_quantile); the estimate is inf in the +Inf bucket."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    rank = q * total
    lo, below = 0.0, 0.0
    for le in bounds:
        count = buckets[le]
        if count >= rank and count > below:
            if le == float("inf"):
                return float("inf"), lo, le
            return lo + (le - lo) * (rank - below) / (count - below), lo, le
        lo, below = le, count
    return float("inf"), lo, float("inf")


def describe_quantile(buckets: dict[float, float], q: float) -> str:
    est, lo, hi = quantile(buckets, q)
    if hi == float("inf"):
        return f"> {lo:g} s (+Inf bucket)"
    if lo == 0.0:
        return f"<= {hi:g} s (first bucket: no finer resolution)"
    return f"~{est:.3f} s (bucket {lo:g}-{hi:g} s)"


def max_bound(buckets: dict[float, float]) -> str:
    """The upper bound of the highest non-empty bucket."""
    below = 0.0
    top = None
    for le in sorted(buckets):
        if buckets[le] > below:
            top = le
        below = buckets[le]
    if top is None:
        return "n/a"
    if top == float("inf"):
        finite = [le for le in buckets if le != float("inf")]
        return f"> {max(finite):g} s"
    return f"<= {top:g} s"


# -------------------------------------------------------------------------------------------- store


@dataclass(frozen=True, slots=True)
class StoreStats:
    results: int
    rollups: int
    logical_bytes: int  # used pages x page size, WAL content included (a reader's view)
    file_bytes: int  # db + -wal on disk


def store_stats(db: Path) -> StoreStats:
    files = sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            results = conn.execute("SELECT count(*) FROM results").fetchone()[0]
            rollups = conn.execute("SELECT count(*) FROM rollups").fetchone()[0]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            size = conn.execute("PRAGMA page_size").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BenchError(f"cannot read the store {db}: {exc}") from exc
    return StoreStats(results, rollups, (pages - free) * size, files)


def table_bytes(db: Path) -> dict[str, tuple[int, int]]:
    """Table -> (bytes of its pages and its indexes' pages, rows), from SQLite's dbstat."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        owner = dict(
            conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
        )
        out: dict[str, tuple[int, int]] = {}
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            size0, _ = out.get(table, (0, 0))
            out[table] = (size0 + int(size), 0)
        for table in ("results", "rollups"):
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            out[table] = (out.get(table, (0, 0))[0], int(rows))
    except sqlite3.Error:
        return {}  # dbstat not compiled in: the projection is left out
    finally:
        conn.close()
    return out


def failed_results(db: Path, since: float) -> list[tuple[str, int, str]]:
    """(error kind, count, one message) of the failed results stored since ``since``."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT coalesce(error_kind, '?'), count(*), max(message) FROM results "
            "WHERE ts >= ? AND NOT ok GROUP BY 1 ORDER BY 2 DESC",
            (since,),
        ).fetchall()
    finally:
        conn.close()
    return [(str(k), int(n), str(msg)) for k, n, msg in rows]


# ------------------------------------------------------------------------------------- verify floor


@dataclass(frozen=True, slots=True)
class Floor:
    """``wiremap verify`` on the same docs and servers: the CPU a probe costs without a monitor around it."""

    probes: int
    failures: int
    cpu_s: float  # the whole verify process of R rounds (os.wait4: user + sys)
    base_cpu_s: float  # the same with one round
    wall_s: float

    @property
    def per_probe_us(self) -> float:
        return max(0.0, self.cpu_s - self.base_cpu_s) / self.probes * 1e6 if self.probes else 0.0


def _spawn_wait(cmd: list[str], env: dict[str, str], stderr: Path) -> tuple[int, float, float]:
    """Run ``cmd``; its exit code, wall seconds and CPU seconds (user + sys, ``os.wait4``)."""
    with stderr.open("wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime


def verify_floor(docs: Path, args: argparse.Namespace, work: Path, env: dict[str, str]) -> Floor:
    """``wiremap verify DOCS --rounds R --concurrency C`` (serve's concurrency) less the same with one
    round, over the (R - 1) x N probes between them."""
    base = [sys.executable, "-m", "wiremap", "verify", str(docs), "--concurrency", str(args.concurrency)]
    base += ["--timeout", "5", "--format", "json", "--fail-on", "any"]  # both runs write the same report
    _, _, one = _spawn_wait([*base, "--rounds", "1", "-o", str(work / "v1.json")], env, work / "v1.stderr")
    report_path = work / "verify.json"
    cmd = [*base, "-o", str(report_path), "--rounds", str(args.verify_rounds)]
    code, wall, cpu = _spawn_wait(cmd, env, work / "verify.stderr")
    if not report_path.exists():
        raise BenchError(f"wiremap verify wrote no report (exit {code}):\n{_tail(work / 'verify.stderr')}")
    reports: list[dict[str, Any]] = json.loads(report_path.read_text(encoding="utf-8"))
    failures = sum(1 for r in reports if not r["ok"]) + max(0, args.integrations - len(reports))
    if code != 0 and not failures:
        failures = 1
    return Floor(args.integrations * (args.verify_rounds - 1), failures, cpu, one, wall)


# --------------------------------------------------------------------------------------------- main


@dataclass(frozen=True, slots=True)
class Edge:
    """One end of the measured window (read from /proc and the store: nothing the monitor notices)."""

    mono: float
    wall: float  # epoch
    cpu: Cpu
    server_cpu_s: float
    served: int  # /healthz requests the destination servers answered so far
    store: StoreStats
    machine_busy_s: float  # CPU seconds every core spent busy so far (/proc/stat)
    own_cpu_s: float  # this script's CPU so far


@dataclass(frozen=True, slots=True)
class Periodic:
    """The scrapes of ``--scrape-every``: wall seconds, the monitor's CPU seconds meanwhile, bytes."""

    starts: list[float]  # monotonic
    walls: list[float]
    cpus: list[float]
    sizes: list[int]

    def within(self, start: float, end: float) -> tuple[int, float]:
        """(scrapes, their CPU seconds) of the scrapes that began and ended in ``[start, end]``."""
        inside = [
            c
            for t, w, c in zip(self.starts, self.walls, self.cpus, strict=False)
            if t >= start and t + w <= end
        ]
        return len(inside), sum(inside)


@dataclass(frozen=True, slots=True)
class Window:
    start: Edge
    end: Edge
    steps: list[float]  # monitor CPU, % of one core, per interval of the window
    final: Scrape  # /metrics after the window (its cost kept out of it)
    periodic: Periodic  # the scrapes during the run (--scrape-every)
    rss: tuple[int, int]  # the monitor's resident memory at the end of the window, and its peak

    @property
    def scrapes(self) -> list[float]:
        return self.periodic.walls

    @property
    def wall_s(self) -> float:
        return self.end.mono - self.start.mono


def serve_cmd(docs: Path, db: Path, args: argparse.Namespace) -> list[str]:
    prefix = [sys.executable]
    if args.profile is not None:
        prefix += ["-m", "cProfile", "-o", str(args.profile)]
    return [
        *prefix,
        "-m",
        "wiremap",
        "serve",
        str(docs),
        "--interval",
        f"{args.interval:g}s",
        "--port",
        "0",
        "--store",
        f"sqlite:///{db}",
        "--no-watch",
        "--concurrency",
        str(args.concurrency),
    ]


def machine_busy_s() -> float:
    """CPU seconds all cores have been busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / _CLK_TCK


def edge(monitor: Monitor, servers: Destinations, db: Path) -> Edge:
    mono, wall, cpu = time.monotonic(), time.time(), monitor.cpu()
    server_cpu, served = proc_cpu_s(servers.pid), servers.requests()
    store = store_stats(db)
    return Edge(mono, wall, cpu, server_cpu, served, store, machine_busy_s(), time.process_time())


class Scraper(threading.Thread):
    """A Prometheus stand-in: GET /metrics every ``every_s`` seconds until stopped (``--scrape-every``)."""

    def __init__(self, monitor: Monitor, every_s: float) -> None:
        super().__init__(daemon=True)
        self.monitor = monitor
        self.url = f"http://127.0.0.1:{monitor.port}/metrics"
        self.every_s = every_s
        self.stopped = threading.Event()
        self.walls: list[float] = []
        self.cpus: list[float] = []  # the monitor's CPU seconds while each scrape was answered
        self.sizes: list[int] = []
        self.starts: list[float] = []  # monotonic
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stopped.wait(self.every_s):
            t0, c0 = time.monotonic(), self.monitor.cpu().total_s
            self.starts.append(t0)
            try:
                with urllib.request.urlopen(self.url, timeout=120) as resp:
                    self.sizes.append(len(resp.read()))
            except OSError as exc:
                self.errors.append(str(exc))
            self.walls.append(time.monotonic() - t0)
            with contextlib.suppress(BenchError):
                self.cpus.append(self.monitor.cpu().total_s - c0)


def measure(monitor: Monitor, servers: Destinations, db: Path, args: argparse.Namespace) -> Window:
    """Warm up for one interval, then measure until ``--duration`` is over; /metrics once, at the end
    (its histogram starts empty, so the lateness covers the whole run without a scrape stalling it)."""
    started = time.monotonic()
    scraper = Scraper(monitor, args.scrape_every) if args.scrape_every > 0 else None
    if scraper is not None:
        scraper.start()
    try:
        time.sleep(args.interval)
        monitor.check()
        start = edge(monitor, servers, db)
        end = started + args.duration
        steps: list[float] = []
        last_t, last_cpu = start.mono, start.cpu.total_s
        while (now := time.monotonic()) < end:
            time.sleep(max(0.0, min(args.interval - (now - last_t), end - now)))
            now, cpu = time.monotonic(), monitor.cpu().total_s
            if now - last_t >= args.interval * 0.999 or now >= end:
                steps.append((cpu - last_cpu) / (now - last_t) * 100)
                last_t, last_cpu = now, cpu
        stop = edge(monitor, servers, db)
        rss = rss_bytes(monitor.pid)
    finally:
        if scraper is not None:
            scraper.stopped.set()
            scraper.join()
    if scraper is not None and scraper.errors:
        raise BenchError(f"a periodic /metrics scrape failed: {scraper.errors[0]}")
    periodic = (
        Periodic(scraper.starts, scraper.walls, scraper.cpus, scraper.sizes)
        if scraper is not None
        else Periodic([], [], [], [])
    )
    return Window(start, stop, steps, scrape(monitor), periodic, rss)


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def _pct(cpu_s: float, wall_s: float) -> str:
    return f"{cpu_s / wall_s * 100:.1f}%"


def report(
    args: argparse.Namespace,
    servers: Destinations,
    w: Window,
    startup: tuple[float, float],
    failed: list[tuple[str, int, str]],
    code: int | None,
    load: tuple[str, str],
    wakeup_us: float,
    tables: dict[str, tuple[int, int]],
    floor: Floor | None,
) -> list[str]:
    """Print the results; the problems found (failed probes, a crash, an unclean stop)."""
    a, b, wall = w.start, w.end, w.wall_s
    problems: list[str] = []
    n, interval = args.integrations, args.interval
    print(
        f"monitor scale: {n:,} HTTP integrations (the example doc's shape, GET /healthz, a new connection "
        f"per probe) -> {len(servers.ports)} local ports of {servers.name} on 127.0.0.1 (one process of its "
        f"own); wiremap serve --interval {interval:g}s --concurrency {args.concurrency}, SQLite store"
        + (
            "; UNDER cProfile: CPU and lateness inflated, not comparable with the goals"
            if args.profile
            else ""
        )
    )
    print(
        f"load average: before {load[0]}, after {load[1]} ({os.cpu_count()} cores); this machine charges "
        f"{wakeup_us:.0f} CPU µs per idle asyncio loop wake-up (kernel and hypervisor work: high in VMs)"
    )
    print(f"start-up: {n:,} docs loaded and dashboard up in {startup[0]:.1f} s wall, {startup[1]:.1f} CPU s")
    scraping = (
        f"/metrics scraped every {args.scrape_every:g} s meanwhile ({len(w.scrapes)} scrapes, "
        f"{max(w.scrapes, default=0.0):.2f} s the longest; in the CPU share and the lateness)"
        if args.scrape_every > 0
        else "no /metrics scrape in it"
    )
    print(
        f"window: {wall:.1f} s ({wall / interval:.1f} intervals) after a warm-up of one interval; {scraping}"
    )

    cpu = b.cpu.total_s - a.cpu.total_s
    main = b.cpu.main_s - a.cpu.main_s
    share = cpu / wall * 100
    print(
        f"monitor CPU: {share:.1f}% of one core ({cpu:.2f} CPU s / {wall:.1f} s); event loop thread "
        f"{_pct(main, wall)}, other threads (store writer, rollups) {_pct(cpu - main, wall)}; "
        f"user {_pct(b.cpu.user_s - a.cpu.user_s, wall)}, sys {_pct(b.cpu.sys_s - a.cpu.sys_s, wall)}"
    )
    print("  per interval, % of one core: " + ", ".join(f"{s:.1f}" for s in w.steps))
    s0, s1 = a.store, b.store
    rows = s1.results - s0.results
    expected = n * wall / interval
    print(
        f"probes in the window (results stored): {rows:,} ({rows / wall:.1f}/s; {n:,} x {wall:.0f} s / "
        f"{interval:g} s = {expected:,.0f} expected); monitor CPU {cpu / rows * 1e6 if rows else 0:,.0f} µs "
        "per probe"
    )
    wakeups = b.cpu.wakeups - a.cpu.wakeups
    print(
        f"event loop sleeps (its thread's voluntary context switches): {wakeups / wall:,.0f}/s, "
        f"{wakeups / rows if rows else 0:.1f} per probe"
    )
    served = b.served - a.served
    server_cpu = b.server_cpu_s - a.server_cpu_s
    print(
        f"destination servers: {served:,} requests, {server_cpu:.2f} CPU s "
        f"({_pct(server_cpu, wall)} of one core; counted for nobody)"
    )
    busy = b.machine_busy_s - a.machine_busy_s
    others = busy - cpu - server_cpu - (b.own_cpu_s - a.own_cpu_s)
    print(
        f"whole machine busy {_pct(busy, wall)} of one core over the window; everything else (other "
        f"processes, kernel threads) {_pct(max(0.0, others), wall)}: a busy machine changes the results"
    )

    late = w.final.lateness
    probes = int(late.get(float("inf"), 0.0))
    if probes:
        bounds = ", ".join(_bound(le) for le in sorted(late) if le != float("inf"))
        print(
            f"probe start lateness (bucket estimate from /metrics, all {probes:,} probes since the start): "
            f"p50 {describe_quantile(late, 0.5)}, p99 {describe_quantile(late, 0.99)}, max {max_bound(late)}"
            f"  (buckets: {bounds})"
        )
        over = probes - late.get(LATENESS_GOAL_S, 0.0)
        print(f"  probes that started more than {LATENESS_GOAL_S:g} s late: {int(over):,} of {probes:,}")
    else:
        print("probe start lateness (bucket estimate from /metrics): n/a (no probe recorded)")
        problems.append("FAILED: no probe was recorded")
    f = w.final
    print(
        f"  /metrics scrape after the window: {_mb(f.size)} in {f.wall_s:.2f} s, {f.cpu_s:.2f} monitor CPU "
        f"s, holding the GIL: probes stall meanwhile (a Prometheus scraping every 15 s would add "
        f"{f.cpu_s / 15 * 100:.0f}% of a core)"
    )

    succ = f.success
    ok = sum(1 for v in succ.values() if v == 1.0)
    bad = sorted(k for k, v in succ.items() if v != 1.0)
    never = n - len(succ)
    stored_failed = sum(c for _, c, _ in failed)
    print(
        f"probe success (/metrics wiremap_probe_success at the end): {ok:,} of {n:,} succeeded, "
        f"{len(bad):,} failed, {never:,} never probed; failed results stored in the window: {stored_failed:,}"
    )
    if bad:
        problems.append(f"FAILED integrations at the end: {len(bad):,}, e.g. {', '.join(bad[:3])}")
    if never:
        problems.append(f"FAILED: {never:,} integrations were never probed")
    for kind, count, message in failed:
        problems.append(f"FAILED probes in the window: {count:,} {kind}, e.g. {message[:200]}")

    day = 86400 / wall
    logical, files = s1.logical_bytes - s0.logical_bytes, s1.file_bytes - s0.file_bytes
    print(
        f"store: {rows:,} results written in the window ({rows / wall:.1f}/s), "
        f"{s1.rollups - s0.rollups:,} rollup rows; {s1.results:,} results in all"
    )
    print(
        f"store size per day: {logical * day:,.0f} bytes/day = {logical * day / 1e6:,.0f} MB/day "
        f"(used pages +{_mb(logical)} in the window, {logical / rows if rows else 0:,.0f} B per result); "
        f"files (db + wal) +{_mb(files)} = {files * day / 1e6:,.0f} MB/day; now {_mb(s1.file_bytes)} on disk"
    )
    res, roll = tables.get("results", (0, 0)), tables.get("rollups", (0, 0))
    if res[1] and roll[1]:
        per_result, per_rollup = res[0] / res[1], roll[0] / roll[1]
        raw_day = rows / wall * 86400 * per_result
        minute_day = n * min(1440.0, 86400 / interval) * per_rollup
        hour_day = n * min(24.0, 86400 / interval) * per_rollup
        parts = [
            ("raw", RAW_DAYS, raw_day * RAW_DAYS),
            ("minute rollups", MINUTE_DAYS, minute_day * MINUTE_DAYS),
            ("hour rollups", HOUR_DAYS, hour_day * HOUR_DAYS),
        ]
        kept = " + ".join(f"{what} {days} d {size / 1e9:,.1f} GB" for what, days, size in parts)
        total = sum(size for _, _, size in parts)
        print(
            f"  per row with its indexes (dbstat, after the stop): result {per_result:,.0f} B, rollup "
            f"{per_rollup:,.0f} B; steady state at this rate: {kept} = ~{total / 1e9:,.1f} GB"
        )
    if code != 0:
        problems.append(
            "FAILED: wiremap serve "
            + ("had to be killed after SIGTERM" if code is None else f"exited {code} on SIGTERM")
        )

    if floor is not None and floor.failures:
        problems.append(f"FAILED: wiremap verify (the floor) had {floor.failures:,} failed integrations")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(
        f"\ngoals ({n:,} integrations, every {interval:g} s"
        + (
            f", /metrics every {args.scrape_every:g} s):"
            if args.scrape_every > 0
            else ", no periodic scrape):"
        )
    )
    print(
        f"  monitor CPU          {share:6.1f}% of one core   "
        f"goal <= {CPU_GOAL_PCT:g}%: {verdict(share <= CPU_GOAL_PCT)}"
    )
    if probes:
        p99_ok = late.get(LATENESS_GOAL_S, 0.0) >= 0.99 * probes
        print(
            f"  lateness p50 / p99   {describe_quantile(late, 0.5)} / {describe_quantile(late, 0.99)}   "
            f"goal p99 <= {LATENESS_GOAL_S:g} s: {verdict(p99_ok)}"
        )
    else:
        print("  lateness p99         n/a (no probes)")
    per = w.periodic
    if per.cpus:
        ordered = sorted(per.cpus)
        scrape_cpu, what = (
            ordered[len(ordered) // 2],
            f"median of {len(ordered)} periodic, max {ordered[-1]:.3f} s",
        )
        size = max(per.sizes, default=f.size)
    else:
        scrape_cpu, what, size = f.cpu_s, "the scrape after the window", f.size
    print(
        f"  scrape CPU           {scrape_cpu:6.3f} s ({what}); {_mb(size)}, {f.wall_s:.3f} s wall   "
        f"goal <= {SCRAPE_GOAL_S:g} s: {verdict(scrape_cpu <= SCRAPE_GOAL_S)}"
    )
    in_window, window_scrape_cpu = per.within(a.mono, b.mono)
    if rows:
        all_us = cpu / rows * 1e6
        net_us = (cpu - window_scrape_cpu) / rows * 1e6
        if floor is not None and floor.per_probe_us > 0:
            ratio = net_us / floor.per_probe_us
            print(
                f"  CPU per probe        {net_us:6,.0f} µs = {ratio:.2f}x verify's "
                f"{floor.per_probe_us:,.0f} µs "
                f"(without the window's {in_window} scrapes; {all_us:,.0f} µs with them)   "
                f"goal <= {PER_PROBE_GOAL:g}x: {verdict(ratio <= PER_PROBE_GOAL)}"
            )
            print(
                f"    verify: {args.integrations:,} docs x {args.verify_rounds} rounds "
                f"(--concurrency {args.concurrency}) in {floor.wall_s:.1f} s wall, {floor.cpu_s:.2f} CPU s, "
                f"less {floor.base_cpu_s:.2f} s for 1 round: {floor.probes:,} probes"
            )
        else:
            print(
                f"  CPU per probe        {net_us:6,.0f} µs ({all_us:,.0f} µs with the scrapes); "
                "no verify floor"
            )
    print(
        f"  monitor RSS          {_mb(w.rss[0])} at the end of the window (peak {_mb(w.rss[1])})   reported"
    )
    for p in problems:
        print(p)
    return problems


def wakeup_cost_us(count: int) -> float:
    """CPU µs this machine charges for one idle wake-up of an asyncio loop (``asyncio.sleep(0.005)``):
    what a monitor pays per loop wake-up, whatever it then does (large in nested VMs)."""

    async def sleeps() -> None:
        for _ in range(count):
            await asyncio.sleep(0.005)

    c0 = time.process_time()
    asyncio.run(sleeps())
    return (time.process_time() - c0) / count * 1e6


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def print_profile(path: Path) -> None:
    print(f"\ncProfile of the monitor's main thread (the event loop), in {path}:")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(30)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def run(args: argparse.Namespace) -> int:
    load_before = _loadavg()
    wakeup = wakeup_cost_us(40 if args.quick else 400)
    with tempfile.TemporaryDirectory(prefix="wiremap-monitor-scale-") as tmp:
        work = Path(tmp)
        with Destinations(args.servers, work) as servers:
            docs, db = work / "docs", work / "h.db"
            generate(docs, args.integrations, servers.ports)
            env = wiremap_env(args.src)
            floor = verify_floor(docs, args, work, env) if args.verify_rounds > 0 else None
            monitor = Monitor(serve_cmd(docs, db, args), work, env)
            code: int | None = None
            try:
                wall = monitor.start(args.startup_timeout)
                startup = (wall, monitor.cpu().total_s)
                if monitor.announced != args.integrations:
                    raise BenchError(
                        f"wiremap serve announced {monitor.announced} integrations, not {args.integrations}:"
                        f"\n{_tail(monitor.stderr)}"
                    )
                window = measure(monitor, servers, db, args)
                load_after = _loadavg()
            finally:
                code = monitor.stop()
            failed = failed_results(db, window.start.wall)
            loads = (load_before, load_after)
            tables = table_bytes(db)
            problems = report(args, servers, window, startup, failed, code, loads, wakeup, tables, floor)
            if args.profile is not None:
                print_profile(args.profile)
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--integrations", type=int, default=5000, help="HTTP integration docs")
    ap.add_argument("--servers", type=int, default=4, help="local destination ports (one process)")
    ap.add_argument("--interval", type=float, default=30.0, help="wiremap serve --interval, seconds")
    ap.add_argument(
        "--duration",
        type=float,
        default=180.0,
        help="seconds from the announcement: a warm-up interval + the window",
    )
    ap.add_argument("--concurrency", type=int, default=64, help="wiremap serve --concurrency")
    ap.add_argument(
        "--scrape-every", type=float, default=0.0, help="also GET /metrics every N s, as Prometheus would"
    )
    ap.add_argument("--startup-timeout", type=float, default=180.0, help="seconds to wait for wiremap serve")
    ap.add_argument("--quick", action="store_true", help="200 docs, 2 s interval, a 12 s run (smoke test)")
    ap.add_argument("--profile", type=Path, help="run the monitor under cProfile, writing this file")
    ap.add_argument(
        "--verify-rounds",
        type=int,
        default=4,
        help="rounds of the wiremap verify floor on the same docs, less one round (0: no floor; else >= 2)",
    )
    ap.add_argument(
        "--src",
        type=Path,
        help="run wiremap from DIR/src (e.g. a git worktree of the base commit: the 'before')",
    )
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return 0
    if args.quick:
        args.integrations, args.interval, args.duration, args.servers = 200, 2.0, 12.0, 2
        args.verify_rounds = args.verify_rounds and 10  # 2,000 probes: the floor above the noise
    if args.verify_rounds == 1:
        ap.error("--verify-rounds must be 0 (no floor) or at least 2 (the floor is R rounds less one)")
    if min(args.integrations, args.servers, args.concurrency) < 1 or args.interval <= 0:
        ap.error("--integrations, --servers, --concurrency and --interval must be positive")
    if args.duration < 3 * args.interval:
        ap.error("--duration must cover a warm-up interval and at least 2 measured intervals")
    try:
        with _sigterm_as_interrupt():
            return run(args)
    except BenchError as exc:
        print(f"monitor_scale: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("monitor_scale: interrupted; everything stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
