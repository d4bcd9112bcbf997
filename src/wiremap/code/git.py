"""Every git command wiremap runs, run one way: no command of the repository's choosing.

A pull request can commit files that git reads as configuration (an embedded bare repository next to the
docs with ``core.fsmonitor = "<shell command>"``, hooks, ``core.pager``); git runs such commands with
wiremap's environment. So git is always started with command-line settings (which beat every
repository config): implicitly found bare repositories are refused, fsmonitor, hooks, pagers and
external diff programs are off, and no prompt is shown.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

__all__ = ["SAFE_OPTIONS", "run_git"]

SAFE_OPTIONS: tuple[str, ...] = (
    "-c",
    "safe.bareRepository=explicit",  # an embedded bare repository in the tree is never used
    "-c",
    "core.fsmonitor=false",
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "core.pager=cat",
    "-c",
    "diff.external=",
    "-c",
    "core.quotepath=off",
    "--no-pager",
)
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0"}


def run_git(cwd: Path, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[bytes] | None:
    """``git -C cwd <safe options> args``; None when git cannot be run or times out."""
    env = {**os.environ, **_ENV}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CONFIG_PARAMETERS", "GIT_EXTERNAL_DIFF"):
        env.pop(name, None)
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *SAFE_OPTIONS, *args],
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
