"""One exit-code table for every command (docs/index.md#exit-codes):

    0    all is well
    1    findings or failures, a doc that cannot be read (binary, not UTF-8) or has no title included
    2    usage or config error: a bad option, a path that does not exist, nothing to work on
    3    internal error
    130  interrupted

Each command runs on a good doc, a doc with findings (lint's) and, where the command has one, the
failure it reports (a doc fmt would change, a critical integration down, a check over budget...), an
unreadable file named or in a folder, a missing path and a bad option. 3 and 130 are tested once for all
in tests/test_contract.py (main maps them the same way for every command).
"""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.web._live import Serve
from wiremap.cli.main import COMMANDS, main

# A complete, lint-clean, canonical doc of a critical TCP integration to {port}; its client is at line 12.
DOC = """\
# Integration: Billing → Ledger

**Purpose:** Posts the day's totals to the ledger
**Protocol:** TCP
**Direction:** Unidirectional
**Critical Path:** Yes

---

## Quick Reference

**Source:** `billing/ledger.py:{line}`
**Destination:** Ledger (127.0.0.1:{port})
**Client:** `LedgerClient`

**Health Check:**
```bash
nc -z 127.0.0.1 {port}
```

---

## Request Format

**Endpoint:** `127.0.0.1:{port}`

---

## Error Handling

**Retry Strategy:**
```bash
# none: the nightly run sends the day again
```

---

## Performance

**Latency:**
- Typical: {typical}
- P95: {p95}
- P99: {p99}

---

## Configuration

**Environment Variables:**
- LEDGER_ADDR: where the ledger listens

---

## Monitoring

**Metrics:**
- Posted totals: the ledger's own report

---

**Last Updated:** 2026-11-02
**Maintained By:** {owner}
"""

CLIENT = "".join(f"# line {n}\n" for n in range(1, 12)) + "class LedgerClient:\n    pass\n"


@dataclass
class Env:
    tmp: Path
    good: Path  # lint-clean and canonical, its destination listening, its Source line right
    findings: Path  # the same with a lint finding (an unfilled placeholder): only lint minds
    failing: Path  # destination down, Source line wrong, not canonical
    over_budget: Path  # destination listening, P95 and P99 documented as 1 µs
    binary: Path
    latin1: Path
    mixed: Path  # a folder: the good doc and a binary one
    missing: Path
    code: Path  # a source tree with the client at line 12
    empty: Path  # a source tree with no integration in it


@pytest.fixture
def listener() -> Iterator[int]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                sock.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    sock.close()


@pytest.fixture
def env(tmp_path: Path, listener: int, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.chdir(tmp_path)  # no config and no docs folder of the project around
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    with socket.create_server(("127.0.0.1", 0)) as s:
        closed = s.getsockname()[1]
    ok = {"line": 12, "port": listener, "typical": "1 s", "p95": "2 s", "p99": "3 s", "owner": "Billing Team"}

    def write(folder: str, **changes: object) -> Path:
        path = tmp_path / folder / "billing-to-ledger.md"
        path.parent.mkdir()
        path.write_text(DOC.format(**{**ok, **changes}), encoding="utf-8")
        return path

    good = write("docs")
    findings = write("findings", owner="[Your name]")
    failing = write("failing", line=40, port=closed)
    failing.write_text(failing.read_text(encoding="utf-8").replace("\n- ", "\n* "), encoding="utf-8")
    over_budget = write("over-budget", p95="0.001 ms", p99="0.001 ms")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"# Integration: A \x00\x01 B\n\x89PNG\r\n")
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(DOC.format(**ok).replace("→", "->").replace("Posts", "Büro posts").encode("latin-1"))
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(good, mixed)
    shutil.copy(binary, mixed)
    code = tmp_path / "code"
    (code / "billing").mkdir(parents=True)
    (code / "billing" / "ledger.py").write_text(CLIENT, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    return Env(
        tmp_path,
        good,
        findings,
        failing,
        over_budget,
        binary,
        latin1,
        mixed,
        tmp_path / "nothing.md",
        code,
        empty,
    )


Args = Callable[[Env], list[str]]
GOOD, FINDINGS = "good doc", "doc with findings"
BINARY, LATIN1, MIXED = "binary file", "non-UTF-8 file", "binary file in a folder"
MISSING, BAD_OPTION = "missing path", "bad option"
UNREADABLE = (BINARY, LATIN1, MIXED)


def _s(path: Path) -> str:
    return str(path)


def _serve(e: Env) -> list[str]:
    return ["--port", "0", "--store", f"sqlite:///{e.tmp}/history.db", "--no-watch"]


# faults: a TCP doc that promises 3 attempts on a reset, and a client that makes one
FAULTS_DOC = """\
# Integration: Billing → Ledger

**Protocol:** TCP

## Quick Reference

**Destination:** Ledger (127.0.0.1:7070)

## Request Format

**Endpoint:** `127.0.0.1:7070`

## Error Handling

**Failure Modes:**
- **Connection Reset**: the ledger restarts → retried

**Retry Strategy:**
```python
@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))
def post(): ...
```

## Configuration

**Environment Variables:**
```bash
export LEDGER_ADDR=127.0.0.1:7070  # host:port of the ledger
```
"""
ONCE = (
    "import os, socket; h, _, p = os.environ['LEDGER_ADDR'].rpartition(':'); "
    "s = socket.create_connection((h, int(p)), timeout=1); s.sendall(b'x'); s.recv(9); raise SystemExit(1)"
)


def _faults_doc(e: Env) -> str:
    path = e.tmp / "retries.md"
    path.write_text(FAULTS_DOC, encoding="utf-8")
    return str(path)


def _once() -> list[str]:
    return ["--run", f"{shlex.quote(sys.executable)} -c {shlex.quote(ONCE)}"]


# measure: a short run at a low rate (the loopback listener answers)
RUN = ["--rate", "20", "--duration", "0.2", "--warmup", "0"]
# stub: serve for a moment on any free port
STUB = ["--duration", "0.1", "--port", "0"]


def _reads_docs(command: str, *extra: str) -> list[tuple[str, Args, int]]:
    """The cases of a command that reads the docs named as PATH…: each kind of input once."""
    return [
        (GOOD, lambda e: [command, *extra, _s(e.good)], 0),
        (FINDINGS, lambda e: [command, *extra, _s(e.findings)], 1 if command == "lint" else 0),
        (BINARY, lambda e: [command, *extra, _s(e.binary)], 1),
        (LATIN1, lambda e: [command, *extra, _s(e.latin1)], 1),
        (MIXED, lambda e: [command, *extra, _s(e.mixed)], 1),
        (MISSING, lambda e: [command, *extra, _s(e.missing)], 2),
        (BAD_OPTION, lambda e: [command, "--no-such-option", _s(e.good)], 2),
    ]


TABLE: dict[str, list[tuple[str, Args, int]]] = {
    "lint": _reads_docs("lint"),  # an unreadable file is DOC000, a finding
    "fmt": [
        *_reads_docs("fmt", "--check"),
        ("a doc fmt would change", lambda e: ["fmt", "--check", _s(e.failing)], 1),
    ],
    "show": _reads_docs("show"),
    "graph": _reads_docs("graph", "--format", "dot"),
    "index": _reads_docs("index"),
    "impact": [
        *_reads_docs("impact", "Ledger", "--docs"),
        ("unknown service", lambda e: ["impact", "Nobody", "--docs", _s(e.good)], 2),
    ],
    "verify": [
        *_reads_docs("verify", "--timeout", "2"),
        ("a critical integration down", lambda e: ["verify", "--timeout", "2", _s(e.failing)], 1),
    ],
    "sync": [
        *_reads_docs("sync", "--root", "code"),
        ("a doc sync would change", lambda e: ["sync", "--root", "code", _s(e.failing)], 1),
    ],
    "measure": [
        (GOOD, lambda e: ["measure", _s(e.good), *RUN], 0),
        (FINDINGS, lambda e: ["measure", _s(e.findings), *RUN], 0),
        ("slower than documented", lambda e: ["measure", _s(e.over_budget), *RUN, "--check"], 1),
        (BINARY, lambda e: ["measure", _s(e.binary), *RUN], 1),
        (LATIN1, lambda e: ["measure", _s(e.latin1), *RUN], 1),
        (MIXED, lambda e: ["measure", "billing-to-ledger", "--docs", _s(e.mixed), *RUN], 1),
        (MISSING, lambda e: ["measure", _s(e.missing), *RUN], 2),
        (BAD_OPTION, lambda e: ["measure", "--no-such-option", _s(e.good)], 2),
    ],
    "discover": [
        *_reads_docs("discover", "code", "--no-cache", "--docs"),
        (
            "coverage under --fail-under",
            lambda e: ["discover", _s(e.empty), "--docs", _s(e.good), "--fail-under", "50"],
            1,
        ),
        ("the default docs folder missing", lambda e: ["discover", _s(e.empty), "--fail-under", "50"], 2),
        ("missing ROOT", lambda e: ["discover", _s(e.missing)], 2),
    ],
    "new": [
        (GOOD, lambda e: ["new", "Billing", "Ledger", "-o", f"{e.tmp}/"], 0),
        ("FILE exists", lambda e: ["new", "Billing", "Ledger", "-o", _s(e.good)], 2),
        # a FILE in a folder that does not exist (a FOLDER/ is made: round 26)
        (MISSING, lambda e: ["new", "Billing", "Ledger", "-o", f"{e.tmp}/no/such/folder/x.md"], 2),
        (BAD_OPTION, lambda e: ["new", "Billing", "Ledger", "--dest", "not a host"], 2),
    ],
    "schema": [
        (GOOD, lambda e: ["schema"], 0),
        (BAD_OPTION, lambda e: ["schema", "--no-such-option"], 2),
    ],
    "rule": [
        (GOOD, lambda e: ["rule", "DOC003"], 0),
        ("unknown rule", lambda e: ["rule", "NOPE999"], 2),
        (BAD_OPTION, lambda e: ["rule", "--format", "xml"], 2),
    ],
    "serve": [  # start-up: good docs are served, see test_serve_starts_on_good_docs_and_stops_with_0
        (BINARY, lambda e: ["serve", _s(e.binary), *_serve(e)], 1),
        (LATIN1, lambda e: ["serve", _s(e.latin1), *_serve(e)], 1),
        (MIXED, lambda e: ["serve", _s(e.mixed), *_serve(e)], 1),  # not served half-read
        (MISSING, lambda e: ["serve", _s(e.missing), *_serve(e)], 2),
        (BAD_OPTION, lambda e: ["serve", _s(e.good), "--interval", "soon", *_serve(e)], 2),
        (
            "beyond loopback without a token",
            lambda e: ["serve", _s(e.good), "--host", "0.0.0.0", *_serve(e)],
            2,
        ),
    ],
    "faults": [  # the good doc documents no failure mode: one skipped entry
        *_reads_docs("faults", "--run", "true"),
        ("a client that retries less than documented", lambda e: ["faults", _faults_doc(e), *_once()], 1),
        ("a fault --only does not take", lambda e: ["faults", _s(e.good), "--only", "sometimes"], 2),
    ],
    "export": [  # the files are written whatever the docs hold; a doc with no host is listed as skipped
        *_reads_docs("export", "prometheus", "-o", "out"),
        (
            "the folder's parent does not exist",
            lambda e: ["export", "prometheus", _s(e.good), "-o", "no/out"],
            2,
        ),
        (
            "a bad --exporter",
            lambda e: ["export", "prometheus", _s(e.good), "-o", "out", "--exporter", "x"],
            2,
        ),
    ],
    "stub": [  # a short run: it serves until --duration, SIGTERM (0) or Ctrl-C (130)
        (GOOD, lambda e: ["stub", _s(e.good), *STUB], 0),
        (FINDINGS, lambda e: ["stub", _s(e.findings), *STUB], 0),
        (BINARY, lambda e: ["stub", _s(e.binary), *STUB], 1),
        (LATIN1, lambda e: ["stub", _s(e.latin1), *STUB], 1),
        (MIXED, lambda e: ["stub", "billing-to-ledger", "--docs", _s(e.mixed), *STUB], 1),
        (MISSING, lambda e: ["stub", _s(e.missing), *STUB], 2),
        (BAD_OPTION, lambda e: ["stub", "--no-such-option", _s(e.good)], 2),
        ("a bad --fault", lambda e: ["stub", _s(e.good), "--fault", "sometimes", *STUB], 2),
        ("a fault TCP cannot take", lambda e: ["stub", _s(e.good), "--fault", "status:503", *STUB], 2),
        ("a remote --proxy-to", lambda e: ["stub", _s(e.good), "--proxy-to", "192.0.2.1:5432", *STUB], 2),
    ],
}

# Cases another part of the code has to fix: each fails until it is (then it must pass: strict).
KNOWN: dict[tuple[str, str], str] = {}


def _cases() -> Iterator[object]:
    for command, rows in TABLE.items():
        for scenario, args, code in rows:
            reason = KNOWN.get((command, scenario))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(command, args, code, id=f"{command}: {scenario} -> {code}", marks=marks)


def test_the_table_covers_every_command() -> None:
    assert set(TABLE) | {"demo"} == set(COMMANDS)  # demo: tests/test_demo.py (it starts the example shop)
    for command, rows in TABLE.items():
        scenarios = {s for s, _, _ in rows}
        assert BAD_OPTION in scenarios, command
        assert GOOD in scenarios or command == "serve", command


@pytest.mark.parametrize(("command", "args", "code"), list(_cases()))
def test_exit_code(env: Env, capsys: pytest.CaptureFixture[str], command: str, args: Args, code: int) -> None:
    argv = args(env)
    got = main(argv)
    out, err = capsys.readouterr()
    assert got == code, f"wiremap {' '.join(argv)}\n--- stdout\n{out}\n--- stderr\n{err}"
    assert "Traceback" not in out + err and "internal error" not in err
    if code == 2:
        assert "error: " in err.lower()  # ours, or the command line's `Error: ...`


def test_unreadable_input_is_said_with_file_and_line(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("show", "graph", "index", "verify", "sync", "impact"):
        args = {"impact": ["Ledger", "--docs", "mixed"], "sync": ["--root", "code", "mixed"]}.get(
            command, ["mixed"]
        )
        assert main([command, *args]) == 1
        out, err = capsys.readouterr()
        assert err.startswith("error: mixed/binary.md:1: binary file, not a Markdown document\n"), command
        assert "Ledger" in out or "1 already in sync" in err, command  # the good doc beside it was done
    assert main(["verify", "latin1.md"]) == 1
    err = capsys.readouterr().err
    # the byte is said in the file and in its line: "byte 60" at ":3" read as the 60th byte of line 3
    assert re.search(
        r"error: latin1\.md:3: not UTF-8 text \(byte \d+ of the file, column \d+ of its line\)", err
    )


def test_serve_starts_on_good_docs_and_stops_with_0(env: Env) -> None:
    for doc in (env.good, env.findings):
        serve = Serve([str(doc), *_serve(env)], cwd=env.tmp)
        try:
            serve.start()
        finally:
            code = serve.stop()
        assert code == 0, serve.output()
