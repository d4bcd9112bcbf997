"""wiremap verify: HTTP probes per CPU-second, against Prometheus blackbox_exporter on the same work.

10,000 HTTP probes = 10 rounds over 1,000 generated HTTP integration docs, all pointing at ONE local
HTTP server (nginx when installed, else a uvloop server) that runs in a process of its own, so its CPU
counts for neither side. Every probe goes to 127.0.0.1.

* wiremap: one ``wiremap verify --rounds 10 --concurrency 100 --format json`` process; its whole
  CPU time (user + sys from ``os.wait4``: start-up, loading the docs, probing, the report) and wall time.
* blackbox_exporter: started here on 127.0.0.1 with module ``http_2xx``, driven by an aiohttp client
  (keep-alive, 100 connections) with the same 10,000 ``/probe?module=http_2xx&target=...`` at
  concurrency 100; the exporter process's CPU only (/proc/<pid>/stat), every answer must say
  ``probe_success 1``.

Prints probes, wall s, probes/s, CPU s, probes per CPU-second and CPU µs per probe for both, then the
ratio  wiremap probes per CPU-second / blackbox_exporter probes per CPU-second. Goal: >= 2.0.
Exits 1 when any probe failed (either side).

    .venv/bin/python bench/verify_throughput.py [--docs 1000] [--rounds 10] [--concurrency 100]
    .venv/bin/python bench/verify_throughput.py --repeat 3  # each side best of 3 (a noisy machine)
    .venv/bin/python bench/verify_throughput.py --quick     # 50 docs x 2 rounds, concurrency 10
    .venv/bin/python bench/verify_throughput.py --profile /tmp/verify.prof   # + a cProfile'd run
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
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _blackbox import Blackbox, DriveResult, ensure_blackbox, free_port, proc_cpu_s, stop_process, wait_http

GOAL = 2.0
WARMUP = 1  # blackbox_exporter probes before the clock starts (they prove the setup works)

# What the server answers at /healthz, and what each doc documents as its Response example.
HEALTH: dict[str, Any] = {
    "status": "ok",
    "service": "svc",
    "version": "1.4.2",
    "uptime_s": 86400,
    "checks": {"db": "ok", "cache": "ok"},
}
BODY = json.dumps(HEALTH, separators=(",", ":")).encode()


# --------------------------------------------------------------------------------------------- docs


def _doc(n: int, port: int) -> str:
    response = json.dumps(HEALTH, indent=2)
    return f"""# Integration: Bench Client {n} → Svc {n}

**Purpose:** Health endpoint {n} of the verify throughput benchmark
**Protocol:** HTTP
**Direction:** Unidirectional
**Critical Path:** Yes

---

## Quick Reference

**Source:** `bench/clients/client_{n}.py:{n % 400 + 1}`
**Destination:** Svc {n} (127.0.0.1:{port})
**Client:** `SvcClient`

---

## Request Format

**Endpoint:** `GET /healthz`

**Response:**
```json
{response}
```
"""


def generate(out: Path, count: int, port: int) -> list[Path]:
    """``count`` minimal HTTP integration docs, each probing ``GET /healthz`` on 127.0.0.1:``port``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        p = out / f"svc-{n:05d}.md"
        p.write_text(_doc(n, port), encoding="utf-8")
        paths.append(p)
    return paths


# ------------------------------------------------------------------------------------------- server

_NGINX_CONF = """\
worker_processes 1;
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log crit;
events {{ worker_connections 4096; multi_accept on; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  server {{
    listen 127.0.0.1:{port} backlog=4096 reuseport;
    location = /healthz {{
      default_type application/json;
      return 200 '{body}';
    }}
    location = /stats {{ stub_status; }}
  }}
}}
"""


class Server:
    """ONE local HTTP server in a process of its own: GET /healthz -> BODY, and a request counter."""

    name = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        try:
            self._start()
            assert self.proc is not None
            wait_http(f"http://127.0.0.1:{self.port}/healthz", self.proc)
        except BaseException:
            self.__exit__(None, None, None)  # no server left behind when it never came up
            raise
        return self

    def _start(self) -> None:
        raise NotImplementedError

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def requests(self) -> int:
        """Requests served so far (the counter's own requests included, so compare deltas)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=5) as resp:
            text = resp.read().decode()
        return self._parse_requests(text)

    def _parse_requests(self, text: str) -> int:
        return int(text.strip())


class NginxServer(Server):
    """Debian's nginx, one process (``master_process off``), config in the temp dir."""

    name = "nginx"

    def _start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()
        conf = self.workdir / "nginx.conf"
        conf.write_text(_NGINX_CONF.format(dir=self.workdir, port=self.port, body=BODY.decode()))
        version = subprocess.run([nginx, "-v"], capture_output=True, check=False).stderr.decode()
        self.name = version.strip().partition(": ")[2] or "nginx"
        with (self.workdir / "nginx.stderr").open("wb") as err:
            self.proc = subprocess.Popen(
                [nginx, "-p", str(self.workdir), "-e", str(self.workdir / "error.log"), "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def _parse_requests(self, text: str) -> int:
        # stub_status: "server accepts handled requests\n 12 12 34 \n"
        m = re.search(r"accepts handled requests\s+(\d+)\s+(\d+)\s+(\d+)", text)
        if not m:
            raise RuntimeError(f"unexpected stub_status answer: {text!r}")
        return int(m.group(3))


class PythonServer(Server):
    """This script's ``--serve`` mode: an asyncio (uvloop when installed) server in a subprocess."""

    name = "python asyncio server"
    script = __file__  # a script whose ``--serve`` prints "<port> <loop name>" and serves
    label = "server"

    def _start(self) -> None:
        with (self.workdir / "server.stderr").open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, self.script, "--serve"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
            )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().split()
        self.proc.stdout.close()
        if not line:
            raise RuntimeError(f"the --serve subprocess exited ({self.proc.wait()}) without a port")
        self.port, self.name = int(line[0]), f"python {line[1]} {self.label}"


def serve() -> None:
    """``--serve``: answer GET /healthz with BODY on 127.0.0.1:<free port>, printed on stdout."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n" % len(BODY)
    )
    response = head + BODY
    not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    served = 0

    class Handler(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # uvloop's transports are not asyncio.Transport subclasses: no isinstance check here
            self.transport = cast(asyncio.Transport, transport)
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            nonlocal served
            self.buf += data
            if b"\r\n\r\n" not in self.buf:
                return
            served += 1
            if self.buf.startswith(b"GET /stats "):
                text = b"%d\n" % served
                self.transport.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                    % (len(text), text)
                )
            elif self.buf.startswith(b"GET /healthz "):
                self.transport.write(response)
            else:
                self.transport.write(not_found)
            self.transport.close()

    async def main(loop_name: str) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Handler, "127.0.0.1", 0, backlog=4096)
        port = server.sockets[0].getsockname()[1]
        print(port, loop_name, flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main("asyncio"))
    else:
        uvloop.run(main("uvloop"))


# ------------------------------------------------------------------------------------------ wiremap


@dataclasses.dataclass(frozen=True, slots=True)
class WiremapResult:
    probes: int
    failures: int
    wall_s: float
    user_s: float
    sys_s: float
    exit_code: int
    checks: dict[str, int]  # check name -> passed, in the last round's report
    first_failure: str = ""

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s


def _wiremap_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "wiremap"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wiremap"]


def _verify_args(docs: Path, args: argparse.Namespace, report: Path) -> list[str]:
    return [
        "verify",
        str(docs),
        "--format",
        "json",
        "--concurrency",
        str(args.concurrency),
        "--rounds",
        str(args.rounds),
        "--timeout",
        str(args.timeout),
        "--fail-on",
        "any",
        "-o",
        str(report),
    ]


def _spawn_wait(cmd: Sequence[str], stderr: Path) -> tuple[int, float, float, float]:
    """Run ``cmd``; its exit code, wall seconds, and user / sys CPU seconds (``os.wait4``)."""
    with stderr.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return code, wall, usage.ru_utime, usage.ru_stime


def run_wiremap(docs: Path, n_docs: int, args: argparse.Namespace, workdir: Path) -> WiremapResult:
    report, stderr = workdir / "verify.json", workdir / "verify.stderr"
    code, wall, user, sys_ = _spawn_wait([*_wiremap_cmd(), *_verify_args(docs, args, report)], stderr)
    probes = n_docs * args.rounds
    if not report.exists():
        tail = stderr.read_text(errors="replace")[-2000:]
        return WiremapResult(probes, probes, wall, user, sys_, code, {}, f"no report (exit {code}): {tail}")
    reports: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))
    failures, first = 0, ""
    passed: dict[str, int] = {}
    for r in reports:
        for c in r["checks"]:
            if c["ok"] is True:
                passed[c["name"]] = passed.get(c["name"], 0) + 1
        http = [c for c in r["checks"] if c["name"] == "http"]
        if not r["ok"] or not http or http[0]["ok"] is not True:
            failures += 1
            if not first:
                bad = next((c for c in r["checks"] if c["ok"] is not True), None)
                first = f"{r['integration']}: {bad['name'] + ': ' + bad['message'] if bad else 'no checks'}"
    failures += max(0, n_docs - len(reports))
    if code != 0 and not failures:
        failures, first = 1, f"wiremap verify exited {code}: {stderr.read_text(errors='replace')[-2000:]}"
    # the JSON report is the last round's; earlier rounds show in the exit code (--fail-on any)
    # only when they fail the same way, so the server's request count is checked too (see main).
    return WiremapResult(probes, failures, wall, user, sys_, code, passed, first)


def startup_cost(docs: Path, workdir: Path) -> tuple[float, float]:
    """CPU and wall seconds of wiremap start-up + loading the docs, without probing anything
    (``--only`` a name no doc has: the catalog is loaded, then it stops with a usage error)."""
    cmd = [*_wiremap_cmd(), "verify", str(docs), "--only", "no-such-integration-anywhere"]
    _code, wall, user, sys_ = _spawn_wait(cmd, workdir / "startup.stderr")
    return user + sys_, wall


def profile(docs: Path, args: argparse.Namespace, workdir: Path, out: Path) -> None:
    """One more (unmeasured) wiremap verify run under cProfile; the top costs on stdout."""
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "wiremap"]
    verify = _verify_args(docs, args, workdir / "profiled.json")
    code, wall, user, sys_ = _spawn_wait([*cmd, *verify], workdir / "profiled.stderr")
    print(f"\ncProfile run (exit {code}, {wall:.2f} s wall, {user + sys_:.2f} CPU s), profile in {out}:")
    stats = pstats.Stats(str(out), stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)


# --------------------------------------------------------------------------------------------- main

R = TypeVar("R", WiremapResult, DriveResult)


def _measure_wiremap(
    server: Server, docs: Path, args: argparse.Namespace, work: Path
) -> tuple[WiremapResult, int, float]:
    """One wiremap verify run; with the requests the server saw and the server's CPU meanwhile."""
    probes = args.docs * args.rounds
    served0, cpu0 = server.requests(), proc_cpu_s(server.pid)
    wm = run_wiremap(docs, args.docs, args, work)
    served = server.requests() - served0 - 1  # the counter's own request
    server_cpu = proc_cpu_s(server.pid) - cpu0
    if served != probes and not wm.failures:
        problem = f"the server saw {served:,} requests for {probes:,} probes"
        wm = dataclasses.replace(wm, failures=abs(probes - served), first_failure=problem)
    return wm, served, server_cpu


def _measure_blackbox(
    server: Server, exporter: Blackbox, probes: int, args: argparse.Namespace
) -> tuple[DriveResult, int, float]:
    served0, cpu0 = server.requests(), proc_cpu_s(server.pid)
    result = exporter.drive(f"http://127.0.0.1:{server.port}/healthz", probes, args.concurrency, WARMUP)
    served = server.requests() - served0 - 1 - WARMUP
    return result, served, proc_cpu_s(server.pid) - cpu0


def _best(runs: list[tuple[R, int, float]]) -> tuple[R, int, float]:
    """The run with the least CPU, unless one failed: then the first failing one."""
    failing = [r for r in runs if r[0].failures]
    return failing[0] if failing else min(runs, key=lambda r: r[0].cpu_s)


def _row(name: str, probes: int, failed: int, wall: float, cpu: float) -> str:
    rate = probes / wall if wall else 0.0
    per_cpu = probes / cpu if cpu else float("inf")
    us = cpu / probes * 1e6 if probes else 0.0
    return (
        f"{name:<19} {probes:>8,} {failed:>7,} {wall:>8.2f} {rate:>10,.0f} {cpu:>8.2f} "
        f"{per_cpu:>13,.0f} {us:>13,.0f}"
    )


def _blackbox_version(binary: str) -> str:
    proc = subprocess.run([binary, "--version"], capture_output=True, check=False)
    m = re.search(r"version (\S+)", (proc.stdout + proc.stderr).decode())
    return m.group(1) if m else "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=5.0, help="wiremap verify --timeout (s)")
    ap.add_argument("--repeat", type=int, default=1, help="measure each side N times, keep the least CPU")
    ap.add_argument("--quick", action="store_true", help="50 docs x 2 rounds at concurrency 10 (smoke test)")
    ap.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    ap.add_argument("--no-blackbox", action="store_true", help="measure wiremap only")
    ap.add_argument("--profile", type=Path, help="also run wiremap once under cProfile, writing this file")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve()
        return 0
    if args.quick:
        args.docs, args.rounds, args.concurrency = 50, 2, 10
    if min(args.docs, args.rounds, args.concurrency, args.repeat) < 1:
        ap.error("--docs, --rounds, --concurrency and --repeat must be at least 1")

    binary = None
    if not args.no_blackbox:
        # --quick never installs anything: it compares only when the exporter is already there
        binary = ensure_blackbox(install=not args.quick)
        if binary is None and not args.quick:
            print("blackbox_exporter is not available: measuring wiremap only", file=sys.stderr)

    use_nginx = args.server == "nginx" or (args.server == "auto" and shutil.which("nginx") is not None)
    failed = False
    with tempfile.TemporaryDirectory(prefix="wiremap-verify-bench-") as tmp:
        work = Path(tmp)
        (work / "server").mkdir()
        server_cls: type[Server] = NginxServer if use_nginx else PythonServer
        with server_cls(work / "server") as server:
            docs = work / "docs"
            generate(docs, args.docs, server.port)
            probes = args.docs * args.rounds

            startup: tuple[float, float] | None = None
            if not args.quick:
                startup = startup_cost(docs, work)

            wm_runs = [_measure_wiremap(server, docs, args, work) for _ in range(args.repeat)]
            wm, served_wm, wm_server_cpu = _best(wm_runs)

            bb: DriveResult | None = None
            bb_server_cpu, served_bb = 0.0, 0
            if binary is not None:
                with Blackbox(binary, work) as exporter:
                    bb_runs = [_measure_blackbox(server, exporter, probes, args) for _ in range(args.repeat)]
                    bb, served_bb, bb_server_cpu = _best(bb_runs)

        print(
            f"verify throughput: {args.docs:,} HTTP docs x {args.rounds} rounds = {probes:,} probes, "
            f"concurrency {args.concurrency}, all to {server.name} on 127.0.0.1 (a process of its own)"
            + (f"; best of {args.repeat} runs each (least CPU)" if args.repeat > 1 else "")
        )
        print(
            f"{'':<19} {'probes':>8} {'failed':>7} {'wall s':>8} {'probes/s':>10} {'CPU s':>8} "
            f"{'probes/CPU-s':>13} {'CPU µs/probe':>13}"
        )
        print(_row("wiremap verify", wm.probes, wm.failures, wm.wall_s, wm.cpu_s))
        if bb is not None:
            print(_row("blackbox_exporter", bb.probes, bb.failures, bb.wall_s, bb.cpu_s))
        checks = ", ".join(f"{name} {n:,}" for name, n in sorted(wm.checks.items())) or "none"
        print(
            f"wiremap: one process, user {wm.user_s:.2f} s + sys {wm.sys_s:.2f} s (start-up, doc loading, "
            f"probing, JSON report); exit {wm.exit_code}; last round's checks passed: {checks}"
        )
        if startup is not None:
            print(
                f"wiremap start-up + loading {args.docs:,} docs alone (no probes): {startup[0]:.2f} CPU s, "
                f"{startup[1]:.2f} s wall"
            )
        if bb is not None and binary is not None:
            print(
                f"blackbox_exporter {_blackbox_version(binary)}: exporter process CPU only (/proc), "
                f"driven by aiohttp (keep-alive, {args.concurrency} connections), 1 warm-up probe not counted"
            )
        print(
            f"server ({server.name}) requests / CPU s: wiremap phase {served_wm:,} / {wm_server_cpu:.2f}"
            + (f", blackbox phase {served_bb:,} / {bb_server_cpu:.2f}" if bb is not None else "")
            + " (counted for neither)"
        )
        if wm.failures:
            failed = True
            print(f"wiremap FAILED probes: {wm.failures:,}; first: {wm.first_failure}")
        if bb is not None and bb.failures:
            failed = True
            print(f"blackbox_exporter FAILED probes: {bb.failures:,}; first: {bb.first_failure}")
        if bb is not None and wm.cpu_s and bb.cpu_s:
            ratio = (wm.probes / wm.cpu_s) / (bb.probes / bb.cpu_s)
            verdict = "met" if ratio >= GOAL else "NOT met"
            print(
                "ratio wiremap / blackbox_exporter probes per CPU-second: "
                f"{ratio:.2f}x  (goal >= {GOAL:.2f}x: {verdict})"
            )
        else:
            if args.no_blackbox:
                why = "--no-blackbox"
            elif binary is None:
                why = "blackbox_exporter not installed"
            else:
                why = "no CPU time measured"
            print(f"ratio wiremap / blackbox_exporter probes per CPU-second: n/a ({why})")

        if args.profile is not None:
            with server_cls(work / "server") as server:
                generate(docs, args.docs, server.port)
                profile(docs, args, work, args.profile)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
