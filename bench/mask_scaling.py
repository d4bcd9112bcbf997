"""Masking time against input size, on the shapes that once made it quadratic (round 68).

Every output is masked (:func:`wiremap.secrets.mask_text`), and docs are untrusted: one doc of
``password=`` repeated, a line of ``| password | x |`` cells or of ``redis-cli -a`` commands took minutes
to show or lint. Each shape is masked at N and 4N bytes; a linear masker takes 4x as long. Prints, per
shape, the two times and their ratio, then the worst ratio against the goal (<= 6x: linear, with this
machine's noise).

    .venv/bin/python bench/mask_scaling.py            # 100 kB and 400 kB
    .venv/bin/python bench/mask_scaling.py --quick    # 25 kB and 100 kB
"""

from __future__ import annotations

import argparse
import time

from wiremap.secrets import mask_text

SHAPES = {
    "assignment run": "password=",
    "assignments on one line": "password=a.b ",
    "URL user info": "http://a:",
    "dotted names": "password.",
    "open quotes": "password='",
    "connection string": "Server=x;Password=",
    "query string": "?password=&",
    "URLs with passwords": "postgres://u:p@h/",
    "shell defaults": "${PASSWORD:-",
    "table cells on one line": "| password | x |",
    "command flags": "mysql -p",
    "commands on one line": "redis-cli -a ",
    "continuation lines": " \\\n -p x",
    "token prefixes": "xoxb-",
    "private key headers": "-----BEGIN PRIVATE KEY-----",
    "netrc lines": "machine x password ",
    "JSON in JSON": '\\n"password": \\"',
}
GOAL = 6.0


def _time(text: str) -> float:
    t0 = time.perf_counter()
    mask_text(text)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="25 kB and 100 kB")
    args = ap.parse_args()
    size = 25_000 if args.quick else 100_000
    worst, worst_name = 0.0, ""
    for name, unit in SHAPES.items():
        small = _time(unit * (size // len(unit)))
        large = _time(unit * (4 * size // len(unit)))
        ratio = large / max(small, 1e-6)
        kb = size // 1000
        print(f"{name:26} {kb:4d} kB {small:7.3f} s  {4 * kb:4d} kB {large:7.3f} s  x{ratio:.1f}")
        if ratio > worst:
            worst, worst_name = ratio, name
    verdict = "met" if worst <= GOAL else "NOT met"
    print(f"worst ratio masking 4N / N ({worst_name}): {worst:.1f}x  (goal <= {GOAL:.0f}x: {verdict})")


if __name__ == "__main__":
    main()
