"""Running a doc's Health Check / Integration Test commands (only with --run-commands).

A doc is code: running it is the user's explicit choice, never a default, never from a web request.
Output is captured, its tail kept, secrets masked (the environment's own secret values too, whatever
their shape: a command may print them); a command that outlives its timeout is killed
with its whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping

from ..probes._base import ErrorKind, ProbeResult, Timer, failure, success
from ..secrets import redact, secret_values

__all__ = ["run_command"]

TAIL_LINES = 20


def _tail(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").rstrip().splitlines()
    return "\n".join(lines[-TAIL_LINES:])  # masked where reports show it (verify.report._common.message)


async def run_command(name: str, command: str, timeout_s: float, env: Mapping[str, str]) -> ProbeResult:
    timer = Timer()
    proc = await asyncio.create_subprocess_shell(
        command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(env),
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout_s):
            out, _ = await proc.communicate()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        return failure(name, timer, ErrorKind.TIMEOUT, f"command still running after {timeout_s:g} s: killed")
    tail = _tail(out)
    for value in secret_values(env):  # `echo "$DB_PASSWORD"`: the environment's secrets, whatever shape
        tail = redact(tail, value)
    if proc.returncode == 0:
        return success(name, timer, tail, connected=False)
    message = f"exit {proc.returncode}" + (f": {tail}" if tail else "")
    return failure(name, timer, ErrorKind.PROTOCOL, message)
