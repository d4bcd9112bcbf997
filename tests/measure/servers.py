"""HTTP servers with known latencies for the measure tests, run in a subprocess on 127.0.0.1 (port 0)
so that they share neither the event loop nor the GIL with the load generator under test.

``python -m tests.measure.servers --mode MODE ...`` prints its port on the first stdout line.
Modes (the delay of a request is counted from the moment its head has arrived):

- ``dist``: request ``n`` (one global counter) waits 2 ms if ``n % 100 < 90``, 20 ms if ``< 98``,
  else 100 ms. In any 100 consecutive requests: p50 = 2, p95 = 20, p99 = 100 ms exactly.
- ``fixed``: every request waits ``--delay-ms`` (0: answered at once).
- ``stall``: like ``fixed``, but ``--stall-after`` seconds after the first request, for
  ``--stall-for`` seconds, nothing is answered on any connection; held responses go out when the
  stall ends.

Every answer is ``{"status": "ok"}``, keep-alive, except: ``/status/<code>`` answers that status;
``/flaky/<k>`` answers 500 to every k-th request (global count); ``--close-every K`` ends every K-th
response on a connection with ``Connection: close`` and closes; ``--drop-every K`` closes after
every K-th response without saying so; ``--hangup-every K`` closes on every K-th request of a
connection without answering it; ``--serial`` answers one request at a time over all connections
(a server with one worker: each request's delay starts when the one before it is answered). Delays
are kept to ~0.1 ms, without spinning (see :class:`_Alarm`).

``/__stats`` (not counted) answers JSON: ``count`` requests, ``connections`` accepted, ``arrivals_us``
(when each request's head arrived, in µs of the server's clock), ``delays_us``
(the delay each request actually got, in arrival order) and ``paths``.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OK_BODY = b'{"status": "ok"}'


def dist_delay_s(n: int) -> float:
    """The ``dist`` mode's delay for request ``n`` (0-based, global)."""
    r = n % 100
    return 0.002 if r < 90 else 0.020 if r < 98 else 0.100


# ---------------------------------------------------------------------------------------------
# The server (runs in the subprocess)


@dataclass
class _State:
    mode: str
    delay_s: float
    stall_after_s: float
    stall_for_s: float
    close_every: int
    drop_every: int
    hangup_every: int
    serial: bool = False
    free_at: float = 0.0  # --serial: when the one worker is free again
    count: int = 0
    connections: int = 0
    first: float | None = None
    delays_us: list[int] = field(default_factory=list)
    arrivals_us: list[int] = field(default_factory=list)  # when each counted request's head arrived
    paths: dict[str, int] = field(default_factory=dict)
    alarm: _Alarm = field(init=False)


def _response(status: int, body: bytes, close: bool) -> bytes:
    head = (
        f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    )
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


class _Protocol(asyncio.Protocol):
    def __init__(self, state: _State) -> None:
        self.state = state
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        # (arrived, due, response bytes, close after, record the delay)
        self.queue: deque[tuple[float, float, bytes, bool, bool]] = deque()
        self.busy = False
        self.answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buf) < end + 4 + length:
                return
            del self.buf[: end + 4 + length]
            self._request(head.split(" ", 2)[1], "connection: close" in head.lower())

    def _request(self, path: str, client_close: bool) -> None:
        st = self.state
        now = time.perf_counter()
        if path == "/__stats":
            body = json.dumps(
                {
                    "count": st.count,
                    "connections": st.connections,
                    "delays_us": st.delays_us,
                    "arrivals_us": st.arrivals_us,
                    "paths": st.paths,
                }
            ).encode()
            self.queue.append((now, now, _response(200, body, True), True, False))
            self._pump()
            return
        n = st.count
        st.count += 1
        st.arrivals_us.append(round(now * 1e6))
        st.paths[path] = st.paths.get(path, 0) + 1
        if st.first is None:
            st.first = now
        status = 200
        if path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
        elif path.startswith("/flaky/") and (n + 1) % int(path.rsplit("/", 1)[1]) == 0:
            status = 500
        delay = dist_delay_s(n) if st.mode == "dist" else st.delay_s
        due = now + delay
        if st.serial:  # one request at a time across every connection: each waits for the one before
            due = st.free_at = max(now, st.free_at) + delay
        if st.mode == "stall":
            start = st.first + st.stall_after_s
            end = start + st.stall_for_s
            if due >= start and now < end:
                due = max(due, end)
        self.answered += 1
        if st.hangup_every > 0 and self.answered % st.hangup_every == 0:
            if self.transport is not None:  # as a keep-alive idle timeout racing the request would
                self.transport.close()
            return
        close = client_close or (st.close_every > 0 and self.answered % st.close_every == 0)
        drop = st.drop_every > 0 and self.answered % st.drop_every == 0
        self.queue.append((now, due, _response(status, OK_BODY, close), close or drop, True))
        self._pump()

    def _pump(self) -> None:
        """Answer the oldest request when it is due (one at a time, in order)."""
        if self.busy or not self.queue:
            return
        self.busy = True
        due = self.queue[0][1]
        if due > time.perf_counter():
            self.state.alarm.at(due, self._answer)
        else:
            self._answer()

    def _answer(self) -> None:
        arrived, _, data, close, record = self.queue.popleft()
        self.busy = False
        if self.transport is None or self.transport.is_closing():
            return
        if record:
            self.state.delays_us.append(round((time.perf_counter() - arrived) * 1e6))
        self.transport.write(data)
        if close:
            self.transport.close()
            self.queue.clear()
            return
        self._pump()


class _Alarm:
    """Calls back on the loop at a precise time without spinning (a spinning server would take the
    CPU the client under test needs): a thread sleeps until the earliest due time (a timed lock wait,
    ~0.1 ms precision, where the loops' own timers count whole milliseconds) and hands the callback
    to the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.cond = threading.Condition()
        self.heap: list[tuple[float, int, Callable[[], None]]] = []
        self.seq = 0
        threading.Thread(target=self._run, name="alarm", daemon=True).start()

    def at(self, due: float, callback: Callable[[], None]) -> None:
        with self.cond:
            heapq.heappush(self.heap, (due, self.seq, callback))
            self.seq += 1
            self.cond.notify()

    def _run(self) -> None:
        with self.cond:
            while True:
                if not self.heap:
                    self.cond.wait()
                    continue
                wait = self.heap[0][0] - time.perf_counter()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                self.loop.call_soon_threadsafe(heapq.heappop(self.heap)[2])


async def _serve(args: argparse.Namespace) -> None:
    state = _State(
        args.mode,
        args.delay_ms / 1000,
        args.stall_after,
        args.stall_for,
        args.close_every,
        args.drop_every,
        args.hangup_every,
        args.serial,
    )
    loop = asyncio.get_running_loop()
    state.alarm = _Alarm(loop)
    server = await loop.create_server(lambda: _Protocol(state), "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()  # until the test closes our stdin
    server.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("dist", "fixed", "stall"), default="fixed")
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--stall-after", type=float, default=1.0)
    ap.add_argument("--stall-for", type=float, default=1.0)
    ap.add_argument("--close-every", type=int, default=0)
    ap.add_argument("--drop-every", type=int, default=0)
    ap.add_argument("--hangup-every", type=int, default=0)
    ap.add_argument("--serial", action="store_true", help="one request at a time over all connections")
    ap.add_argument("--asyncio", action="store_true", help="the stock loop, not uvloop")
    args = ap.parse_args(argv)
    if not args.asyncio:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            uvloop.run(_serve(args))
            return
    asyncio.run(_serve(args))


# ---------------------------------------------------------------------------------------------
# The test side


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    port: int

    def stats(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.port}/__stats"
        with urllib.request.urlopen(url, timeout=5) as response:
            data: dict[str, Any] = json.loads(response.read())
        return data


@contextmanager
def serve(mode: str = "fixed", **options: float | int | bool) -> Iterator[ServerProcess]:
    """Start ``python -m tests.measure.servers --mode MODE --key value ...``; stop it on exit."""
    argv = [sys.executable, "-m", "tests.measure.servers", "--mode", mode]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif value is not False:
            argv += [flag, str(value)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"test server did not start: {line!r}")
        yield ServerProcess(proc, int(line))
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (what HdrHistogram reports, to its precision)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


if __name__ == "__main__":
    main()
