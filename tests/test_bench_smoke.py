"""The benchmarks still run: each one's ``--quick`` mode, as a subprocess, exits 0 and prints its ratio."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _run(script: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"{script} --quick exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_lint_throughput_quick() -> None:
    out = _run("lint_throughput.py")
    assert "docs: 50 " in out
    assert "ratio wiremap / markdown-it-py:" in out


def test_verify_throughput_quick() -> None:
    out = _run("verify_throughput.py")
    assert "50 HTTP docs x 2 rounds = 100 probes" in out
    assert "ratio wiremap / blackbox_exporter probes per CPU-second:" in out
    assert "FAILED" not in out


def test_measure_vs_wrk_quick() -> None:
    out = _run("measure_vs_wrk.py")
    assert re.search(r"^sustained rate ratio wiremap/wrk: (\d+\.\d+ |n/a )", out, re.M), out
    assert re.search(r"^one-connection p50 ratio wiremap .*/wrk -c1.*: (\d+\.\d+ |n/a )", out, re.M), out
    assert re.search(r"^idle p50 ratio wiremap/socket floor.*: (\d+\.\d+ |n/a )", out, re.M), out
    assert "FAILED" not in out, out


def test_measure_protocols_quick() -> None:
    out = _run("measure_protocols.py")
    assert out.startswith("measure per protocol, 10 connections, 127.0.0.1"), out
    # each protocol's ratio, or why not (a service not running here, a reference tool not installed)
    for name in ("Redis", "PostgreSQL"):
        assert re.search(
            rf"^(ratio wiremap / \S+ \({name}\): (\d+\.\d+x|n/a)|skipped {name}: )", out, re.M
        ), out


def test_index_speed_quick() -> None:
    out = _run("index_speed.py")
    assert re.search(r"^corpus: \d+ \.py files, [\d,]+ lines", out, re.M), out
    assert re.search(r"^wiremap warm, process +\d+\.\d+", out, re.M), out
    assert re.search(r"^ratio semgrep / wiremap cold: (\d+\.\d+x|n/a)", out, re.M), out
    assert "FAILED" not in out
    assert "WARNING" not in out


def test_monitor_scale_quick() -> None:
    out = _run("monitor_scale.py")
    assert "monitor scale: 200 HTTP integrations" in out
    assert re.search(r"^monitor CPU: \d+\.\d+% of one core", out, re.M), out
    assert re.search(r"^probe start lateness \(bucket estimate.*p50 .*p99 .*max ", out, re.M), out
    assert re.search(r"^probe success .*: 200 of 200 succeeded, 0 failed, 0 never probed", out, re.M), out
    assert re.search(r"^store size per day: [\d,]+ bytes/day = [\d,]+ MB/day", out, re.M), out
    # each figure beside its goal, met or not (a smoke test: the verdicts are the bench's, not ours)
    for goal in ("goal <= 25%", "goal p99 <= 1 s", "goal <= 0.2 s", "goal <= 1.5x"):
        assert re.search(rf"^  \S.*\s{re.escape(goal)}: (met|NOT met)$", out, re.M), (goal, out)
    assert "FAILED" not in out


def test_make_bench_gathers_every_figure_beside_its_goal() -> None:
    """bench/all.py (make bench) reads the verdict lines of every benchmark into one table."""
    sys.path.insert(0, str(BENCH))
    try:
        from all import rows_of  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCH))
    out = "\n".join(
        [
            "ratio wiremap / markdown-it-py: 0.42x  (goal <= 0.50x: met)",
            "sustained rate ratio wiremap/wrk: n/a (--no-wrk)",
            "  monitor CPU             6.0% of one core   goal <= 25%: met",
            "  CPU per probe           316 µs = 1.59x verify's 199 µs (…)   goal <= 1.5x: NOT met",
            "goal cold <= 0.51 s (10 s per 300,000 lines): NOT met",
            "docs: 50 (0.1 MB), findings: 12",
        ]
    )
    got = [(r.figure, r.value, r.goal, r.verdict) for r in rows_of("b.py", out)]
    assert got == [
        ("ratio wiremap / markdown-it-py", "0.42", "<= 0.50x", "met"),
        ("sustained rate ratio wiremap/wrk", "n/a", "", "--no-wrk"),
        ("monitor CPU", "6.0% of one core", "<= 25%", "met"),
        ("CPU per probe", "316 µs = 1.59x verify's 199 µs (…)", "<= 1.5x", "NOT met"),
        ("cold", "", "<= 0.51 s", "NOT met"),
    ]
