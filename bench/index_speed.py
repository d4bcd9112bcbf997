"""wiremap's source index over ~300k lines of real Python, cold and warm, against Semgrep on the same tree.

Corpus: ``.py`` files copied from this venv's site-packages (sorted paths; tests dirs, files over
200 KB and files that do not ``compile()`` skipped) until the line total reaches ``--lines``; or
``--corpus DIR``, an existing tree, as it is.

* wiremap cold: ``index_tree(corpus, cache_dir=<empty dir>)`` in a fresh ``python`` process (this
  script's ``--child`` mode), so interpreter start-up, imports and the worker pool all count:
  "index" is ``index_tree`` alone (``time.perf_counter``), "process" the whole subprocess (wall).
* wiremap warm: the same with the cache the cold run filled.
* Semgrep: ``semgrep scan --config rules.yml --metrics=off --disable-version-check --json --quiet
  --jobs 2 CORPUS``, a local rules file of the same clients (written to the temp dir; no registry,
  no metrics, no version check: it never needs the network). Semgrep is not a dependency of wiremap:
  when it is not on PATH it is installed on demand into its own venv under
  ``~/.cache/wiremap-bench/semgrep-venv`` (its pins conflict with ours), unless ``--no-install``.

Prints the corpus size, a table (median of ``--repeat`` runs; Semgrep's of ``--semgrep-repeat``), the
ratios  Semgrep / wiremap cold  and  Semgrep / wiremap warm  (whole processes both), and the goals:
cold <= 10 s per 300k lines, warm <= 1 s, faster than Semgrep. Exits 1 when the indexer fails.

    .venv/bin/python bench/index_speed.py [--lines 300000] [--repeat 3] [--semgrep-repeat 1]
    .venv/bin/python bench/index_speed.py --corpus ~/src/some-repo --no-semgrep
    .venv/bin/python bench/index_speed.py --quick     # ~15k lines, 1 repeat, Semgrep only if installed
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COLD_GOAL_S = 10.0  # per GOAL_LINES lines
WARM_GOAL_S = 1.0
GOAL_LINES = 300_000
MAX_FILE_BYTES = 200_000
SKIP_DIRS = frozenset({"tests", "test", "testing", "__pycache__"})
SEMGREP_VENV = Path.home() / ".cache" / "wiremap-bench" / "semgrep-venv"
MAX_ERRORS = 20  # files the indexer reported as unparseable, listed by the child

# The same clients wiremap looks for (src/wiremap/code), as Semgrep patterns: rule id -> patterns.
SEMGREP_RULES: dict[str, list[str]] = {
    "http-requests": ["requests.$F(...)", "$S = requests.Session(...)"],
    "http-httpx": ["httpx.$F(...)"],
    "http-aiohttp": ["aiohttp.ClientSession(...)", "aiohttp.request(...)"],
    "http-stdlib": [
        "urllib.request.urlopen(...)",
        "http.client.HTTPConnection(...)",
        "http.client.HTTPSConnection(...)",
    ],
    "http-urllib3": [
        "urllib3.PoolManager(...)",
        "urllib3.HTTPConnectionPool(...)",
        "urllib3.HTTPSConnectionPool(...)",
        "urllib3.request(...)",
        "urllib3.connection_from_url(...)",
    ],
    "grpc-channel": [
        "grpc.insecure_channel(...)",
        "grpc.secure_channel(...)",
        "grpc.aio.insecure_channel(...)",
        "grpc.aio.secure_channel(...)",
    ],
    "websocket-connect": [
        "websockets.connect(...)",
        "websockets.client.connect(...)",
        "websocket.create_connection(...)",
    ],
    "sql-connect": [
        "psycopg.connect(...)",
        "psycopg.AsyncConnection.connect(...)",
        "psycopg2.connect(...)",
        "asyncpg.connect(...)",
        "asyncpg.create_pool(...)",
        "pymysql.connect(...)",
        "sqlite3.connect(...)",
        "sqlalchemy.create_engine(...)",
    ],
    "nosql-client": ["pymongo.MongoClient(...)", "elasticsearch.Elasticsearch(...)"],
    "redis-client": [
        "redis.Redis(...)",
        "redis.StrictRedis(...)",
        "redis.from_url(...)",
        "redis.asyncio.Redis(...)",
        "redis.asyncio.from_url(...)",
    ],
    "amqp-connect": ["pika.BlockingConnection(...)", "aio_pika.connect(...)", "aio_pika.connect_robust(...)"],
    "nats-connect": ["nats.connect(...)"],
    "mqtt-client": ["paho.mqtt.client.Client(...)", "aiomqtt.Client(...)"],
    "kafka-client": [
        "kafka.KafkaProducer(...)",
        "kafka.KafkaConsumer(...)",
        "confluent_kafka.Producer(...)",
        "confluent_kafka.Consumer(...)",
    ],
    "aws-client": ["boto3.client(...)", "boto3.resource(...)"],
    "smtp-client": ["smtplib.SMTP(...)", "smtplib.SMTP_SSL(...)"],
    "env-read": ["os.environ[$K]", "os.environ.get(...)", "os.getenv(...)"],
}


# -------------------------------------------------------------------------------------------- corpus


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def build_corpus(source: Path, dest: Path, max_lines: int) -> tuple[int, int]:
    """Copy ``.py`` files of ``source`` (sorted, skipping tests dirs, big or uncompilable files) to
    ``dest`` until ``max_lines`` lines are there; the number of files and lines copied."""
    files = lines = 0
    for path in sorted(source.rglob("*.py"), key=lambda p: p.relative_to(source).as_posix()):
        rel = path.relative_to(source)
        if SKIP_DIRS.intersection(rel.parts[:-1]) or not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
            compile(data, str(path), "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files += 1
        lines += _line_count(data)
        if lines >= max_lines:
            break
    return files, lines


def count_tree(root: Path) -> tuple[int, int]:
    """``.py`` files and their lines under ``root`` (an existing ``--corpus``), hidden dirs skipped."""
    files = lines = 0
    for path in root.rglob("*.py"):
        if any(part.startswith(".") for part in path.relative_to(root).parts) or not path.is_file():
            continue
        files += 1
        lines += _line_count(path.read_bytes())
    return files, lines


# --------------------------------------------------------------------------------------- processes


@dataclass(frozen=True, slots=True)
class Proc:
    """A finished subprocess: exit code, wall and user+sys CPU seconds (its reaped children included)."""

    code: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float


def _spawn(cmd: Sequence[str], stdout: Path, stderr: Path, env: dict[str, str] | None = None) -> Proc:
    with stdout.open("wb") as out, stderr.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return Proc(code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:].strip()


# ------------------------------------------------------------------------------------------- wiremap


def child(corpus: str, cache: str, jobs: int) -> int:
    """``--child``: time ``import`` and ``index_tree`` here, print one JSON object on stdout."""
    t0 = time.perf_counter()
    try:
        from wiremap.code.index import index_tree
    except ImportError as exc:
        print(f"wiremap.code.index is not available: {exc}", file=sys.stderr)
        return 3
    t1 = time.perf_counter()
    try:
        index = index_tree(Path(corpus), use_cache=True, cache_dir=Path(cache), jobs=jobs or None)
    except Exception:
        traceback.print_exc()
        _find_crashing_files(Path(corpus))
        return 1
    t2 = time.perf_counter()
    errors = sorted((path, f.error) for path, f in index.files.items() if f.error)
    stats = index.stats
    report = {
        "import_s": t1 - t0,
        "index_s": t2 - t1,
        "files": stats.files,
        "lines": stats.lines,
        "parsed": stats.parsed,
        "cached": stats.cached,
        "sites": sum(len(f.sites) for f in index.files.values()),
        "env_reads": sum(len(f.env_reads) for f in index.files.values()),
        "errors": len(errors),
        "first_errors": errors[:MAX_ERRORS],
    }
    print(json.dumps(report))
    return 0


def _find_crashing_files(root: Path) -> None:
    """After ``index_tree`` raised: index each file alone, to name the ones it crashes on (stderr)."""
    from wiremap.code.index import index_tree, list_source_files

    found = 0
    for rel in list_source_files(root):
        try:
            index_tree(root, paths=[rel], use_cache=False, jobs=1)
        except Exception as exc:
            print(f"index_tree crashes on {rel}: {type(exc).__name__}: {exc}", file=sys.stderr)
            found += 1
            if found >= MAX_ERRORS:
                break
    if not found:
        print("no single file crashes index_tree on its own", file=sys.stderr)


@dataclass(frozen=True, slots=True)
class WiremapRun:
    proc: Proc
    report: dict[str, Any]


class IndexerFailed(Exception):
    pass


def run_wiremap(corpus: Path, cache: Path, jobs: int, work: Path) -> WiremapRun:
    out, err = work / "child.out", work / "child.err"
    cmd = [sys.executable, __file__, "--child", str(corpus), str(cache), str(jobs)]
    proc = _spawn(cmd, out, err)
    if proc.code == 3:
        raise IndexerFailed(_tail(err))
    if proc.code != 0:
        raise IndexerFailed(f"index_tree failed on the corpus (exit {proc.code}):\n{_tail(err)}")
    try:
        report: dict[str, Any] = json.loads(out.read_text().strip().splitlines()[-1])
    except (IndexError, ValueError) as exc:
        raise IndexerFailed(f"no report from the indexer subprocess ({exc}):\n{_tail(err)}") from exc
    return WiremapRun(proc, report)


# ------------------------------------------------------------------------------------------- semgrep


def rules_yaml() -> str:
    """The rules file: one rule per client family, ``pattern-either`` of its patterns (JSON is YAML)."""
    rules = [
        {
            "id": rule_id,
            "languages": ["python"],
            "severity": "INFO",
            "message": f"{rule_id} call site",
            "pattern-either": [{"pattern": p} for p in patterns],
        }
        for rule_id, patterns in SEMGREP_RULES.items()
    ]
    return json.dumps({"rules": rules}, indent=1) + "\n"


SEMGREP_ENV = {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}


def _semgrep_works(binary: str) -> str:
    """Why ``semgrep --version`` does not answer ("" when it does). Its version check is off: offline,
    it waits ~100 s for the network otherwise."""
    cmd = [binary, "--version", "--disable-version-check"]
    try:
        env = {**os.environ, **SEMGREP_ENV}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{binary} --version: {exc}"
    if proc.returncode != 0:
        return f"{binary} --version exited {proc.returncode}: {proc.stderr[-500:]}"
    return ""


def ensure_semgrep(install: bool) -> tuple[str | None, str]:
    """Semgrep's binary, or None and why not; installs it into SEMGREP_VENV when allowed."""
    for binary in (shutil.which("semgrep"), str(SEMGREP_VENV / "bin" / "semgrep")):
        if binary and os.access(binary, os.X_OK):
            return binary, ""
    if not install:
        return None, f"semgrep is not installed (not on PATH nor in {SEMGREP_VENV})"
    print(f"semgrep not installed: creating {SEMGREP_VENV} and pip install semgrep …", file=sys.stderr)
    SEMGREP_VENV.parent.mkdir(parents=True, exist_ok=True)
    pip = [str(SEMGREP_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for cmd in ([sys.executable, "-m", "venv", "--clear", str(SEMGREP_VENV)], [*pip, "semgrep"]):
        what = " ".join(cmd[-3:])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"could not install semgrep: {what} failed: {exc}"
        if proc.returncode != 0:
            err = proc.stderr.strip()[-800:]
            return None, f"could not install semgrep: {what} exited {proc.returncode}: {err}"
    binary = str(SEMGREP_VENV / "bin" / "semgrep")
    problem = _semgrep_works(binary)
    return (None, f"semgrep installed but broken: {problem}") if problem else (binary, "")


@dataclass(frozen=True, slots=True)
class SemgrepRun:
    proc: Proc
    findings: int
    version: str = "?"
    by_rule: dict[str, int] = field(default_factory=dict)
    scanned: int | None = None
    errors: int = 0
    first_error: str = ""
    failure: str = ""


def run_semgrep(binary: str, rules: Path, corpus: Path, jobs: int, work: Path) -> SemgrepRun:
    cmd = [
        binary,
        "scan",
        "--config",
        str(rules),
        "--metrics=off",
        "--disable-version-check",
        "--json",
        "--quiet",
        "--jobs",
        str(jobs),
        str(corpus),
    ]
    env = {**os.environ, **SEMGREP_ENV}
    out, err = work / "semgrep.json", work / "semgrep.err"
    proc = _spawn(cmd, out, err, env)
    try:
        data: dict[str, Any] = json.loads(out.read_text(errors="replace"))
    except ValueError:
        return SemgrepRun(proc, 0, failure=f"exit {proc.code}, no JSON output: {_tail(err, 800)}")
    by_rule: dict[str, int] = {}
    for r in data.get("results", []):
        rule = str(r.get("check_id", "?")).rpartition(".")[2]
        by_rule[rule] = by_rule.get(rule, 0) + 1
    errors = data.get("errors", [])
    first = ""
    if errors:
        e = errors[0]
        first = f"{e.get('type', '?')}: {str(e.get('message', ''))[:200]}".replace("\n", " ")
    scanned = data.get("paths", {}).get("scanned")
    failure = "" if proc.code == 0 else f"exit {proc.code}: {_tail(err, 800)}"
    return SemgrepRun(
        proc,
        sum(by_rule.values()),
        str(data.get("version", "?")),
        by_rule,
        len(scanned) if isinstance(scanned, list) else None,
        len(errors),
        first,
        failure,
    )


# ---------------------------------------------------------------------------------------------- main


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _row(name: str, secs: Sequence[float], lines: int, cpu: str = "", found: str = "") -> str:
    med = _median(secs)
    rate = lines / med if med else float("inf")
    return f"{name:<28} {med:>9.3f} {min(secs):>8.3f} {rate:>12,.0f} {cpu:>8} {found}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=GOAL_LINES, help="corpus size in lines (site-packages)")
    ap.add_argument("--corpus", type=Path, help="index this existing tree instead of copying site-packages")
    ap.add_argument("--repeat", type=int, default=3, help="wiremap cold and warm runs each (median)")
    ap.add_argument("--semgrep-repeat", type=int, default=1, help="Semgrep runs (median)")
    ap.add_argument("--semgrep-jobs", type=int, default=2, help="semgrep scan --jobs")
    ap.add_argument("--jobs", type=int, default=0, help="index_tree(jobs=...); 0: its default")
    ap.add_argument("--no-semgrep", action="store_true", help="measure wiremap only")
    ap.add_argument("--no-install", action="store_true", help="never install Semgrep")
    ap.add_argument("--quick", action="store_true", help="~15k lines, 1 repeat, no install (smoke test)")
    ap.add_argument("--child", nargs=3, metavar=("CORPUS", "CACHE", "JOBS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], int(args.child[2]))
    if args.quick:
        args.lines, args.repeat, args.semgrep_repeat = 15_000, 1, 1
    if min(args.lines, args.repeat, args.semgrep_repeat, args.semgrep_jobs) < 1 or args.jobs < 0:
        ap.error("--lines, --repeat, --semgrep-repeat and --semgrep-jobs must be at least 1, --jobs >= 0")
    if args.corpus is not None and not args.corpus.is_dir():
        ap.error(f"--corpus {args.corpus}: not a directory")

    semgrep: str | None = None
    if not args.no_semgrep:
        # --quick never installs anything: it compares only when Semgrep is already there
        semgrep, why_not = ensure_semgrep(install=not (args.quick or args.no_install))
        if semgrep is None:
            print(f"{why_not}: measuring wiremap only")

    with tempfile.TemporaryDirectory(prefix="wiremap-index-bench-") as tmp:
        work = Path(tmp)
        if args.corpus is not None:
            corpus = args.corpus.resolve()
            files, lines = count_tree(corpus)
            origin = "existing tree"
        else:
            source = Path(sysconfig.get_paths()["purelib"])
            corpus = work / "corpus"
            corpus.mkdir()
            files, lines = build_corpus(source, corpus, args.lines)
            origin = f"copied from {source}"
        if not files:
            print(f"no .py files in the corpus ({origin}): nothing to index", file=sys.stderr)
            return 1
        print(f"corpus: {files:,} .py files, {lines:,} lines, {origin} ({corpus})")

        cold: list[WiremapRun] = []
        warm: list[WiremapRun] = []
        try:
            for i in range(args.repeat):
                cache = work / f"cache-{i}"  # empty: a cold index every time
                cold.append(run_wiremap(corpus, cache, args.jobs, work))
            for _ in range(args.repeat):
                warm.append(run_wiremap(corpus, cache, args.jobs, work))
        except IndexerFailed as exc:
            print(f"wiremap FAILED: {exc}")
            return 1

        sg: list[SemgrepRun] = []
        if semgrep is not None:
            rules = work / "rules.yml"
            rules.write_text(rules_yaml(), encoding="utf-8")
            sg = [
                run_semgrep(semgrep, rules, corpus, args.semgrep_jobs, work)
                for _ in range(args.semgrep_repeat)
            ]

    rep = cold[0].report
    print(
        f"wiremap indexed {rep['files']:,} files, {rep['lines']:,} lines: {rep['sites']:,} call sites, "
        f"{rep['env_reads']:,} env reads; {rep['errors']:,} files it could not index"
    )
    for path, error in rep["first_errors"]:
        print(f"  index error: {path}: {error}")
    if rep["errors"] > len(rep["first_errors"]):
        print(f"  … and {rep['errors'] - len(rep['first_errors']):,} more")

    n = f"median of {args.repeat}" if args.repeat > 1 else "1 run"
    lines = rep["lines"] or lines  # rates and goals over what wiremap indexed (it skips vendor/, build/…)
    print(f"\n{'':<28} {'median s':>9} {'min s':>8} {'lines/s':>12} {'CPU s':>8} found")
    for label, runs in (("cold", cold), ("warm", warm)):
        found = f"{runs[0].report['sites']:,} sites, {runs[0].report['env_reads']:,} env reads"
        cpu = f"{_median([r.proc.cpu_s for r in runs]):.2f}"
        print(_row(f"wiremap {label}, index_tree", [r.report["index_s"] for r in runs], lines))
        print(_row(f"wiremap {label}, process", [r.proc.wall_s for r in runs], lines, cpu, found))
    ok_sg = [r for r in sg if not r.failure]
    if ok_sg:
        found = f"{ok_sg[0].findings:,} findings"
        cpu = f"{_median([r.proc.cpu_s for r in ok_sg]):.2f}"
        print(_row(f"semgrep {ok_sg[0].version}, process", [r.proc.wall_s for r in ok_sg], lines, cpu, found))

    imports = _median([r.report["import_s"] for r in cold])
    overhead = _median([r.proc.wall_s - r.report["index_s"] for r in cold + warm])
    rss = max(r.proc.max_rss_mb for r in cold)
    print(
        f"\nwiremap: {n} each; a process beyond index_tree (interpreter, imports, exit) {overhead:.3f} s, "
        f"of which importing wiremap.code.index {imports:.3f} s; peak RSS {rss:,.0f} MB; "
        f"cold runs parsed {cold[-1].report['parsed']:,} and took {cold[-1].report['cached']:,} from the "
        f"cache, warm runs {warm[-1].report['parsed']:,} and {warm[-1].report['cached']:,}"
    )
    problems = []
    if any(r.report["cached"] for r in cold):
        problems.append("a cold run took files from the (empty) cache")
    if any(r.report["parsed"] for r in warm):
        problems.append("a warm run parsed files again instead of taking them from the cache")
    keys = ("files", "lines", "sites", "env_reads", "errors")
    if any(tuple(r.report[k] for k in keys) != tuple(rep[k] for k in keys) for r in cold + warm):
        problems.append("the runs do not agree on files, lines, sites, env reads or errors")
    for p in problems:
        print(f"wiremap WARNING: {p}")

    if semgrep is not None:
        for r in sg:
            if r.failure:
                print(f"semgrep FAILED: {r.failure}")
        if ok_sg:
            s = ok_sg[0]
            scanned = f"{s.scanned:,}" if s.scanned is not None else "?"
            rules_n = sum(len(p) for p in SEMGREP_RULES.values())
            print(
                f"semgrep: {args.semgrep_repeat} run(s), --jobs {args.semgrep_jobs}, {len(SEMGREP_RULES)} "
                f"rules ({rules_n} patterns); scanned {scanned} files; {s.errors:,} errors"
                + (f" (first: {s.first_error})" if s.errors else "")
            )
            by_rule = ", ".join(f"{k} {v:,}" for k, v in sorted(s.by_rule.items()))
            print(f"semgrep findings by rule: {by_rule or 'none'}")

    scale = lines / GOAL_LINES
    cold_s = _median([r.proc.wall_s for r in cold])
    warm_s = _median([r.proc.wall_s for r in warm])
    if ok_sg:
        sg_s = _median([r.proc.wall_s for r in ok_sg])
        print(f"\nratio semgrep / wiremap cold: {sg_s / cold_s:.2f}x  (whole processes)")
        print(f"ratio semgrep / wiremap warm: {sg_s / warm_s:.2f}x")
    else:
        if args.no_semgrep:
            why = "--no-semgrep"
        else:
            why = "semgrep not available, see above" if semgrep is None else "semgrep failed"
        print(f"\nratio semgrep / wiremap cold: n/a ({why})")
        print(f"ratio semgrep / wiremap warm: n/a ({why})")
    cold_goal = COLD_GOAL_S * scale
    warm_goal = WARM_GOAL_S * max(1.0, scale)
    per = f"{COLD_GOAL_S:g} s per {GOAL_LINES:,} lines"
    print(f"goal cold <= {cold_goal:.2f} s ({per}): {_verdict(cold_s <= cold_goal)}")
    print(f"goal warm <= {warm_goal:.2f} s: {_verdict(warm_s <= warm_goal)}")
    if ok_sg:
        print(f"goal faster than semgrep (cold): {_verdict(cold_s < sg_s)}")
    else:
        print("goal faster than semgrep (cold): n/a")
    if lines < GOAL_LINES / 4:
        print(f"(a corpus of {lines:,} lines is too small to judge the goals by: process start-up dominates)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
