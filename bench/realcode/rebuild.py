"""Rebuild a labelled real project's tree from a snapshot of its repository.

Only the labels, the file list and the commit live in this repo (``projects.json``); the code is the
project's own. ``rebuild.py NAME DEST --git-dir REPO.git`` writes the listed files, as they were at the
pinned commit, under ``DEST`` (a bare mirror, a clone, or a ``fetch`` snapshot: anything ``git archive``
reads). ``--list`` prints the projects. Exit 2 when the commit is missing from the snapshot.

    .venv/bin/python bench/realcode/rebuild.py redash /tmp/real/redash --git-dir /path/redash/.git
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def projects() -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads((HERE / "projects.json").read_text("utf-8"))
    return data


def files_of(name: str) -> list[str]:
    return (HERE / "files" / f"{name}.txt").read_text("utf-8").split()


def rebuild(name: str, dest: Path, git_dir: Path) -> int:
    """Write ``name``'s listed files at its commit under ``dest``; the number written."""
    meta = projects()[name]
    commit = str(meta["commit"])
    files = files_of(name)
    proc = subprocess.run(
        ["git", "--git-dir", str(git_dir), "archive", "--format=tar", commit, "--", *files],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"rebuild: {name}: git archive {commit[:12]} failed: {proc.stderr.decode().strip()}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("name", nargs="?")
    ap.add_argument("dest", nargs="?", type=Path)
    ap.add_argument("--git-dir", type=Path)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list or not args.name:
        for name, meta in projects().items():
            print(f"{name:16} {meta['set']:8} {meta['repo']}@{str(meta['commit'])[:12]}  {meta['kind']}")
        return 0
    if args.dest is None or args.git_dir is None:
        ap.error("NAME DEST and --git-dir are required")
    n = rebuild(args.name, args.dest, args.git_dir)
    print(f"{args.name}: {n} files under {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
