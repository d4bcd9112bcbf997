"""Helpers of bench/verify_throughput.py: process CPU accounting, free ports, and Prometheus
blackbox_exporter (started on 127.0.0.1 with a temp config, driven by an aiohttp client).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "BLACKBOX_BIN",
    "Blackbox",
    "DriveResult",
    "ensure_blackbox",
    "free_port",
    "proc_cpu_s",
    "stop_process",
    "wait_http",
]

BLACKBOX_BIN = "prometheus-blackbox-exporter"
_CLK_TCK = os.sysconf("SC_CLK_TCK")

BLACKBOX_CONFIG = """\
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: []
"""


def proc_cpu_s(pid: int) -> float:
    """user + sys CPU seconds of a live process (all its threads), from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # the command name (field 2) may hold spaces and parentheses: split after its closing ")"
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / _CLK_TCK


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a helper process we started, killing it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """Wait until ``url`` answers 200, or raise when ``proc`` died or the deadline passed."""
    deadline = time.monotonic() + timeout_s
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout_s:g} s: {last}")


def ensure_blackbox(install: bool) -> str | None:
    """The blackbox_exporter binary, installing the Debian package first when allowed and root."""
    found = shutil.which(BLACKBOX_BIN)
    if found or not install:
        return found
    if os.geteuid() != 0:
        print(
            f"{BLACKBOX_BIN} is not installed and this is not root: "
            "apt-get install -y prometheus-blackbox-exporter to compare; measuring wiremap only",
            file=sys.stderr,
        )
        return None
    print(f"{BLACKBOX_BIN} not installed: apt-get install -y prometheus-blackbox-exporter …", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_cmd = ["apt-get", "install", "-y", "-qq", "prometheus-blackbox-exporter"]
    for cmd in (["apt-get", "update", "-qq"], install_cmd):
        proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
        if proc.returncode != 0:
            print(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace')[-1000:]}", file=sys.stderr)
            return None
    return shutil.which(BLACKBOX_BIN)


@dataclass(frozen=True, slots=True)
class DriveResult:
    probes: int
    failures: int
    wall_s: float
    cpu_s: float  # the exporter process only
    first_failure: str = ""


class Blackbox:
    """blackbox_exporter on 127.0.0.1:<free port>, config and logs in ``workdir``; stopped on exit."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Blackbox:
        config = self.workdir / "blackbox.yml"
        config.write_text(BLACKBOX_CONFIG)
        self.port = free_port()
        log = (self.workdir / "blackbox.log").open("wb")
        self.proc = subprocess.Popen(
            [
                self.binary,
                f"--config.file={config}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        try:
            wait_http(f"http://127.0.0.1:{self.port}/-/healthy", self.proc)
        except BaseException:
            self.__exit__(None, None, None)  # no exporter left behind when it never came up
            raise
        return self

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def drive(self, target: str, probes: int, concurrency: int, warmup: int = 1) -> DriveResult:
        """``probes`` GET /probe?module=http_2xx&target=... at ``concurrency``; exporter CPU only.

        ``warmup`` probes first (not counted) prove the setup works before the clock starts.
        """
        return _run_async(self._drive(target, probes, concurrency, warmup))

    async def _drive(self, target: str, probes: int, concurrency: int, warmup: int) -> DriveResult:
        import aiohttp

        url = f"http://127.0.0.1:{self.port}/probe"
        params = {"module": "http_2xx", "target": target}
        connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def one() -> str:
                async with session.get(url, params=params) as resp:
                    body = await resp.text()
                    if resp.status != 200:
                        return f"HTTP {resp.status}: {body[:200]}"
                return "" if "\nprobe_success 1\n" in body else _failure_line(body)

            for _ in range(warmup):
                problem = await one()
                if problem:
                    return DriveResult(0, 1, 0.0, 0.0, f"warm-up probe failed: {problem}")
            remaining = probes
            failures: list[str] = []

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    try:
                        problem = await one()
                    except (aiohttp.ClientError, TimeoutError) as exc:
                        problem = f"{type(exc).__name__}: {exc}"
                    if problem:
                        failures.append(problem)

            cpu0, t0 = proc_cpu_s(self.pid), time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            wall, cpu = time.perf_counter() - t0, proc_cpu_s(self.pid) - cpu0
        return DriveResult(probes, len(failures), wall, cpu, failures[0] if failures else "")


def _failure_line(body: str) -> str:
    """Why blackbox_exporter's answer is not a success, from its metrics text."""
    lines = [ln for ln in body.splitlines() if ln.startswith(("probe_success", "probe_http_status_code"))]
    return "; ".join(lines) or body[:200]


def _run_async(coro: Coroutine[Any, Any, DriveResult]) -> DriveResult:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)
