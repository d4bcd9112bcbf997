"""wiremap's source index on real public projects, against labels written by hand by someone who had not
seen the indexer: precision and recall of call sites and env reads, per project, tuned and hold-out.

The projects, their pinned commits, file lists and labels are in ``bench/realcode/`` (only those: the
code is the projects' own). Each tree is rebuilt from a snapshot of its repository with
``bench/realcode/rebuild.py`` — ``--mirror DIR`` holds one git directory per project, as
``DIR/<owner>+<name>/repo`` (the layout of the library's ``fetch``) or ``DIR/<name>.git``.

A found site matches a labelled one on (path, line): the line where the call starts. A found site that a
labeller marked ambiguous is neither a hit nor a false positive. Env reads match on (path, line, name).
The protocol of a matched site is compared separately ("protocol agrees").

    .venv/bin/python bench/discover_accuracy.py --mirror /work/.mirror            # every project
    .venv/bin/python bench/discover_accuracy.py --mirror /work/.mirror --set tuned -v redash
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "realcode"))
sys.path.insert(0, str(HERE.parent / "src"))

import rebuild  # noqa: E402

from wiremap.code.discover import is_test_path  # noqa: E402
from wiremap.code.index import index_tree  # noqa: E402
from wiremap.code.link import spring_properties, spring_variable  # noqa: E402

_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")

SITE_GOAL = (0.95, 0.90)  # precision, recall


@dataclass
class Score:
    labelled: int = 0
    found: int = 0
    hits: int = 0
    protocol_agrees: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.labelled if self.labelled else 1.0


def _git_dir(mirror: Path, name: str) -> Path:
    repo = str(rebuild.projects()[name]["repo"])
    for cand in (mirror / repo.replace("/", "+") / "repo", mirror / f"{name}.git", mirror / name / ".git"):
        if cand.exists():
            return cand
    raise SystemExit(f"discover_accuracy: no snapshot of {repo} under {mirror}")


def score(name: str, tree: Path) -> tuple[Score, Score]:
    labels = json.loads((HERE / "realcode" / "labels" / f"{name}.json").read_text("utf-8"))
    index = index_tree(tree, use_cache=False)
    listed = set(rebuild.files_of(name))
    ambiguous = {(a["path"], a["line"]) for a in labels.get("ambiguous", [])}
    want = {(s["path"], s["line"]): s for s in labels["sites"]}
    got: dict[tuple[str, int], str] = {}
    for s in index.sites():
        if s.path in listed and not is_test_path(s.path):
            got.setdefault((s.path, s.line), f"{s.protocol} {s.client}")
    sites = Score(labelled=len(want))
    for key, what in sorted(got.items()):
        if key in want:
            sites.hits += 1
            sites.found += 1
            sites.protocol_agrees += what.split()[0] == want[key]["protocol"]
        elif key not in ambiguous:
            sites.found += 1
            sites.false.append(f"{key[0]}:{key[1]}  {what}")
    sites.misses = [
        f"{p}:{n}  {s['protocol']}  {s.get('note', '')}"
        for (p, n), s in sorted(want.items())
        if (p, n) not in got
    ]
    # a Spring property the labels name (``@Value("${spring.redis.host}")``) is compared as the variable
    # that sets it, Spring's own way (link.spring_variable): the index names env vars, never properties
    props = spring_properties(index.files.values())
    want_env: set[tuple[str, int, str]] = set()
    for e in labels["env_reads"]:
        name = e["name"]
        if e["path"].endswith(".java") and not _ENV_NAME.fullmatch(name):
            found = spring_variable(name, props)
            if found is None:
                continue  # set in application.yml as written: no variable read
            name = found[0]
        want_env.add((e["path"], e["line"], name))
    got_env = {
        (e.path, e.line, e.name) for e in index.env_reads() if e.path in listed and not is_test_path(e.path)
    }
    env = Score(labelled=len(want_env), found=len(got_env), hits=len(want_env & got_env))
    env.misses = [f"{p}:{n}  {v}" for p, n, v in sorted(want_env - got_env)]
    env.false = [f"{p}:{n}  {v}" for p, n, v in sorted(got_env - want_env)]
    return sites, env


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--mirror", type=Path, required=True)
    ap.add_argument("--set", choices=("tuned", "holdout"))
    ap.add_argument("--trees", type=Path, help="where to rebuild the trees (default: a temporary folder)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    args = ap.parse_args(argv)
    projects = rebuild.projects()
    names = args.names or [n for n, m in projects.items() if args.set in (None, m["set"])]
    with tempfile.TemporaryDirectory() as tmp:
        trees = args.trees or Path(tmp)
        rows = []
        for name in names:
            tree = trees / name
            if not tree.exists():
                rebuild.rebuild(name, tree, _git_dir(args.mirror, name))
            sites, env = score(name, tree)
            rows.append((name, projects[name]["set"], sites, env))
            if args.verbose:
                for title, items in (
                    ("missed sites", sites.misses),
                    ("false sites", sites.false),
                    ("missed env", env.misses),
                    ("false env", env.false),
                ):
                    if items:
                        print(f"-- {name}: {title} ({len(items)})")
                        for it in items:
                            print("   " + it)
    print(
        f"{'project':16} {'set':8} {'sites':>6} {'found':>6} {'prec':>6} {'recall':>6} {'proto':>6}   "
        f"{'env':>5} {'prec':>6} {'recall':>6}"
    )
    ok = True
    for name, s, sites, env in rows:
        proto = sites.protocol_agrees / sites.hits if sites.hits else 1.0
        print(
            f"{name:16} {s:8} {sites.labelled:6} {sites.found:6} {sites.precision:6.2f} {sites.recall:6.2f} "
            f"{proto:6.2f}   {env.labelled:5} {env.precision:6.2f} {env.recall:6.2f}"
        )
        ok &= sites.precision >= SITE_GOAL[0] and sites.recall >= SITE_GOAL[1]
    print(
        f"goal: site precision >= {SITE_GOAL[0]}, recall >= {SITE_GOAL[1]} on every project: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
