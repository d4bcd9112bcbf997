"""Run the monitor and its web app together on one event loop, until SIGTERM or SIGINT.

Signals are handled here, not by uvicorn: either one stops the scheduler and the server together, then
the probes in flight finish, pending results are written and pending alerts get a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager

from .._errors import UsageError
from .._loop import run
from ..output import MaskSecrets
from .service import Monitor

__all__ = ["listen", "run_server"]


def listen(host: str, port: int) -> socket.socket:
    """Bind before anything starts, so a port in use is a clear usage error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def _logging() -> Iterator[None]:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(MaskSecrets())  # every record masked, whatever logged it (wiremap.output)
    root = logging.getLogger("wiremap")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)


@contextlib.asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


def run_server(
    make_monitor: Callable[[], Awaitable[Monitor]],
    sock: socket.socket,
    *,
    token: str | None,
    announce: Callable[[Monitor, int], None],
    around: Callable[[], AbstractAsyncContextManager[object]] = _nothing,
    hosts: Sequence[str] = (),
    tls: ssl.SSLContext | None = None,
) -> int:
    """Serve until a signal; 0 after SIGTERM, 130 after SIGINT. ``around`` wraps the whole run (the demo
    starts its destinations there); ``make_monitor`` runs inside it. Requests are answered only for a
    ``Host`` that is a loopback name, the address ``sock`` is bound to, or one of ``hosts`` (421
    otherwise: no DNS rebinding). ``tls``: serve HTTPS with this context."""
    import uvicorn

    from ..web.app import create_app
    from ..web.hosts import HostAllowList

    allowed = HostAllowList([str(sock.getsockname()[0]), *hosts])

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

        def install_signal_handlers(self) -> None:
            return None

        stop_event: asyncio.Event | None = None

        async def main_loop(self) -> None:
            """uvicorn's housekeeping (the Date header, the exit check) once a second, not ten times: each
            wake-up of an idle loop costs ~0.1-0.2 ms of CPU in a VM, charged to every probe
            (bench/monitor_scale.py); the stop event ends the wait at once."""
            counter = 0
            should_exit = await self.on_tick(counter)
            while not should_exit:
                counter = (counter + 10) % 864_000  # on_tick refreshes the Date header when counter % 10 == 0
                if self.stop_event is not None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            await self.stop_event.wait()
                    if self.stop_event.is_set():  # a set event's wait() does not yield: never spin on it
                        self.should_exit = True
                else:
                    await asyncio.sleep(1.0)
                should_exit = await self.on_tick(counter)

    received: list[int] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal(sig: int) -> None:
            received.append(sig)
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal, sig)
        async with around():
            monitor = await make_monitor()
            app = create_app(monitor, token=token, metrics=monitor.metrics.render, allowed_hosts=allowed)
            config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
            config.load()
            config.ssl = tls  # on the socket bound here (uvicorn's own ssl_* options want file names)
            server = _Server(config)
            server.stop_event = stop
            # the catalog, trackers and app built at the start live as long as the process: out of every
            # collection from now on (a full one walked them all, every few seconds under load)
            gc.collect()
            gc.freeze()
            announce(monitor, sock.getsockname()[1])
            monitoring = asyncio.create_task(monitor.run(stop))
            serving = asyncio.create_task(server.serve(sockets=[sock]))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({serving, stopping, monitoring}, return_when=asyncio.FIRST_COMPLETED)
            stop.set()
            server.should_exit = True
            await asyncio.gather(serving, monitoring, return_exceptions=True)
            stopping.cancel()

    with _logging():
        run(main())  # uvloop when installed, as verify: its transports cost a probe less CPU
    sock.close()
    return 130 if signal.SIGINT in received else 0
