"""Running a doc's Health Check / Integration Test commands (only with --run-commands).

A doc is code: running it is the user's explicit choice, never a default, never from a web request.
Output is captured, its tail kept, secrets masked (the environment's own secret values too, whatever
their shape: a command may print them); a command that outlives its timeout is killed
with its whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
from collections.abc import Mapping
from typing import Any

from ..probes._base import ErrorKind, ProbeResult, Timer, failure, success
from ..secrets import redact, secret_values

__all__ = ["documented_output", "run_command"]

TAIL_LINES = 20

# what a command's own comment says it prints: "curl -s …/healthz   # returns {"status":"ok"}", "# → PONG",
# "# expect: OK", "# should print 1" (a '#' after a space: not a URL's fragment)
_SAYS_OUTPUT = re.compile(
    r"(?:^|\s)#+\s*(?:it\s+|this\s+|should\s+)?(?:returns?|expect(?:s|ed)?|prints?|outputs?|gives?|"
    r"answers?|replies?|responds?(?:\s+with)?|→|->|=>)\s*(?:with\s+)?:?\s*(?P<said>\S.*?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# a command that prints the HTTP status itself (curl -w '%{http_code}'): its documented status is its
# output ("# prints 200" passed on 503: round 31)
_PRINTS_STATUS = re.compile(r"%\{(?:http_code|response_code)\}")
_STATUS_ONLY = re.compile(r"^(?:HTTP\s*)?([1-5]\d\d)(?:\s+[A-Za-z ]+)?$", re.IGNORECASE)
# a comment naming an HTTP status or an exit code is not the output ("# returns 200", "# exits 0")
_NOT_OUTPUT = re.compile(r"^(?:HTTP\s*)?[1-5]\d\d(?:\s+[A-Za-z ]+)?$|^exit\b|^0$|^nothing\b", re.IGNORECASE)


# a literal the comment quotes: a code span, a quoted string, a word in capitals ("PONG", "SERVING", "+OK",
# "1") or one of the words a health endpoint answers; words of prose ("returns the order list", "returns
# JSON") describe the output and are not compared
_TOKEN = re.compile(r"^[A-Z0-9_+\-.:]+$")
_FORMATS = frozenset({"json", "xml", "html", "text", "csv", "yaml", "ndjson", "protobuf"})
_ANSWERS = frozenset({"ok", "true", "false", "healthy", "up", "pong", "serving", "ready", "alive", "pass"})


def documented_output(command: str) -> str | None:
    """What the command's comment says it prints, as a literal, or ``None`` when it says nothing of its
    output that can be compared."""
    said = None
    for m in _SAYS_OUTPUT.finditer(command):
        said = m.group("said").strip()
    if not said:
        return None
    if _NOT_OUTPUT.match(said) and not (_PRINTS_STATUS.search(command) and _STATUS_ONLY.match(said)):
        return None  # "# returns 200" of a curl printing the body: the status, not the output
    if len(said) >= 2 and said[0] == said[-1] and said[0] in "`\"'":
        return said[1:-1].strip() or None
    if (code := _STATUS_ONLY.match(said)) is not None and _PRINTS_STATUS.search(command):
        return code.group(1)
    if said[0] in "{[":
        try:
            return said if isinstance(json.loads(said), dict | list) else None
        except ValueError:
            return None
    if said.lower() in _FORMATS:
        return None
    return said if _TOKEN.match(said) or said.lower() in _ANSWERS else None


def _holds(expected: Any, actual: Any) -> bool:
    """Every key the doc shows has its documented value (scalars compared; a list or object by what the doc
    shows of it)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _holds(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and all(any(_holds(e, a) for a in actual) for e in expected)
    if isinstance(expected, bool) or isinstance(actual, bool):  # JSON true is not 1, false is not 0
        return type(expected) is type(actual) and expected == actual  # (Python's True == 1: round 49)
    return bool(expected == actual)


def output_differs(expected: str, output: str) -> bool:
    """The output does not hold what the doc says: the documented JSON's keys and values, else its text
    (case and spacing aside)."""
    try:
        want = json.loads(expected)
    except ValueError:
        want = None
    if isinstance(want, dict | list):
        for text in (output, *reversed(output.splitlines())):
            try:
                got = json.loads(text)
            except ValueError:
                continue
            return not _holds(want, got)
        return True
    squash = " ".join(expected.split()).lower()
    # the documented text as a whole word or phrase: "SERVING" is not in "NOT_SERVING" (round 29), nor
    # "ok" in "not ok" (round 44) unless the doc says the negation itself
    pattern = rf"(?<![\w-])(?<!not )(?<!no ){re.escape(squash)}(?![\w-])"
    return re.search(pattern, " ".join(output.split()).lower()) is None


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
        expected = documented_output(command)
        if expected is not None and output_differs(expected, tail):
            shown = tail if len(tail) <= 300 else tail[:300] + "…"
            message = f"exit 0, but the doc says it returns {expected}; it printed: {shown or '(nothing)'}"
            return failure(name, timer, ErrorKind.CONTRACT, message)
        return success(name, timer, tail, connected=False)
    if proc.returncode in (126, 127):  # the shell found no such program (or could not run it): this
        # runner lacks the command's tool, which says nothing of the destination ("nc: not found" failed a
        # healthy integration: new user, round 27)
        what = "not found" if proc.returncode == 127 else "not executable"
        return ProbeResult(
            name,
            None,
            duration_ms=timer.elapsed_ms,
            message=(
                f"not run: a program of the command is {what} on this runner (exit {proc.returncode}: {tail})"
            ),
        )
    message = f"exit {proc.returncode}" + (f": {tail}" if tail else "")
    return failure(name, timer, ErrorKind.PROTOCOL, message)
