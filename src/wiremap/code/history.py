"""Git history of source files, read in one batched ``git log`` for all of them.

One call for the whole catalog instead of one per doc: on a repository with a long history that is
the difference between a lint that fits in pre-commit and one that does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .git import run_git

__all__ = ["Commit", "file_history", "git_toplevel"]

_BATCH = 400  # paths per git call: far below any command-line limit
_RS, _US = "\x1e", "\x1f"


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    date: dt.date
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def git_toplevel(start: Path) -> Path | None:
    """The top level of the git work tree holding ``start``, or None."""
    here = start if start.is_dir() else start.parent
    proc = run_git(here, ["rev-parse", "--show-toplevel"], timeout=30)
    if proc is None or proc.returncode != 0:
        return None
    top = proc.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(top) if top else None


def file_history(root: Path, paths: Iterable[str], since: dt.date | None = None) -> dict[str, list[Commit]]:
    """Commits touching each path (relative to ``root``), newest first; paths without history map to [].

    ``since`` limits the log to commits on or after that day. Dates are committer dates: the day the
    change reached the branch. Outside a git repository every path maps to []. The boundary commit of a
    shallow clone (``git clone --depth 1``, the default of many CI checkouts) is left out: git lists it
    as adding every file, but it knows nothing of what the commit changed.
    """
    wanted = sorted(set(paths))
    out: dict[str, list[Commit]] = {p: [] for p in wanted}
    for i in range(0, len(wanted), _BATCH):
        _log(root, wanted[i : i + _BATCH], since, out)
    return out


def _log(root: Path, paths: list[str], since: dt.date | None, out: dict[str, list[Commit]]) -> None:
    cmd = ["log", "--relative", "--name-only", f"--format={_RS}%H{_US}%cs{_US}%P{_US}%D{_US}%s"]
    # --since stops at the first commit older than the day, and committer dates are not always in order
    # (a commit made with an old date, an imported history): lint then missed news that sync saw (round
    # 32). --since-as-filter (git 2.37) looks at every commit; an older git reads the whole history.
    limit = [f"--since-as-filter={since.isoformat()} 00:00:00"] if since is not None else []
    proc = run_git(root, [*cmd, *limit, "--", *paths], timeout=120)
    if limit and proc is not None and proc.returncode != 0:
        proc = run_git(root, [*cmd, "--", *paths], timeout=120)
    if proc is None or proc.returncode != 0:
        return
    text = proc.stdout.decode("utf-8", "replace")
    for record in text.split(_RS)[1:]:
        head, _, names = record.partition("\n")
        parts = head.split(_US, 4)
        if len(parts) != 5:
            continue
        sha, day, parents, refs, subject = parts
        if not parents and "grafted" in (r.strip() for r in refs.split(",")):
            continue  # a shallow clone's boundary: its "changes" are the whole tree
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            continue
        commit = Commit(sha, date, subject.strip())
        for name in names.splitlines():
            name = name.strip()
            if name in out:
                out[name].append(commit)
