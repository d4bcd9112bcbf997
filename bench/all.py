"""Every benchmark in its ``--quick`` form, and one table of what each says against its goal.

Each script prints its figures beside their goals (``ratio …: 0.42x  (goal <= 0.50x: met)``, ``goal
cold <= 0.35 s (…): NOT met``); this runs them one after the other (never at once: they measure CPU)
and gathers those lines into one table: benchmark, figure, value, goal, verdict. A figure a quick run
cannot give (no wrk, no Semgrep installed) is ``n/a`` with why. ``--quick`` runs are smoke tests:
tiny corpora and short runs, where start-up dominates; the goals are judged on the full runs (each
script's docstring says how to run it), so the table says "quick" beside every verdict.

    .venv/bin/python bench/all.py            # make bench
    .venv/bin/python bench/all.py --full     # the full runs (tens of minutes)

Exits 1 when a benchmark failed to run (a verdict "NOT met" is a figure, not a failure).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = (
    "lint_throughput.py",
    "verify_throughput.py",
    "measure_vs_wrk.py",
    "measure_protocols.py",
    "monitor_scale.py",
    "index_speed.py",
    "mask_scaling.py",
)
TIMEOUT_S = {False: 600, True: 7200}

# "label: 0.42x  (goal <= 0.50x: met)", "label: n/a (why)", "goal cold <= 0.35 s (per …): met"
_RATIO = re.compile(
    r"^(?P<label>[^:]*?(?:ratio|CPU|lateness|scrape|per probe)[^:]*): (?P<value>\S+?)x?\s+"
    r"\((?:goal (?P<goal>[^:]+): )?(?P<verdict>met|NOT met|reported)[^)]*\)"
)
_NA = re.compile(r"^(?P<label>[^:]*ratio[^:]*): n/a \((?P<why>.*)\)$")
# "monitor CPU          6.0% of one core   goal <= 25%: met" (a figure, its value, its goal on one line)
_INLINE = re.compile(
    r"^(?P<label>[A-Za-z][\w /-]*?)\s{2,}(?P<value>\S.*?)\s{3,}"
    r"goal (?P<goal>[^:]+): (?P<verdict>met|NOT met)$"
)
_GOAL = re.compile(
    r"^goal (?P<label>[^:]+?) (?P<goal>(?:<=|>=|<|>)[^:(]+?)(?: \([^)]*\))?: (?P<verdict>met|NOT met|n/a)"
)


@dataclass(frozen=True, slots=True)
class Row:
    bench: str
    figure: str
    value: str
    goal: str
    verdict: str


def rows_of(bench: str, out: str) -> list[Row]:
    """The figures a benchmark printed beside their goals."""
    rows: list[Row] = []
    for line in out.splitlines():
        line = line.strip()
        if m := _RATIO.match(line):
            rows.append(Row(bench, m["label"], m["value"], m["goal"] or "", m["verdict"]))
        elif m := _NA.match(line):
            rows.append(Row(bench, m["label"], "n/a", "", m["why"]))
        elif m := _INLINE.match(line):
            rows.append(Row(bench, m["label"], m["value"], m["goal"], m["verdict"]))
        elif m := _GOAL.match(line):
            rows.append(Row(bench, m["label"], "", m["goal"].strip(), m["verdict"]))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the full runs, not --quick")
    args = ap.parse_args()
    rows: list[Row] = []
    failed: list[str] = []
    for script in SCRIPTS:
        cmd = [sys.executable, str(BENCH / script), *([] if args.full else ["--quick"])]
        started = time.perf_counter()
        print(f"running {script}{'' if args.full else ' --quick'} …", file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=TIMEOUT_S[args.full], check=False
            )
        except subprocess.TimeoutExpired:
            failed.append(f"{script}: did not finish in {TIMEOUT_S[args.full]} s")
            continue
        took = time.perf_counter() - started
        found = rows_of(script, proc.stdout)
        rows += found
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            failed.append(f"{script}: exit {proc.returncode} after {took:.0f} s: {tail[0]}")
        elif not found:
            failed.append(f"{script}: printed no figure beside a goal")
    kind = "full" if args.full else "quick"
    header = ("benchmark", "figure", "value", "goal", f"verdict ({kind})")
    table = [header, *((r.bench, r.figure, r.value, r.goal, r.verdict) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for why in failed:
        print(f"FAILED {why}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
