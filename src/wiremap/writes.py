"""Atomic writes: a temp file in the same directory, fsync, then rename over the target.

A killed process leaves either the old file or the new one, never a torn doc.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ._errors import UsageError

__all__ = ["atomic_write_text", "check_writable"]


def _umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no getter)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_writable(path: Path) -> None:
    """Raise :class:`UsageError` now when ``path`` could not be written later (its folder missing, a folder
    in its place): a report file is checked before the run, not after minutes of probing (round 30)."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder (name a file in it)")


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:  # a name too long: check_writable says so
        return False


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically.

    Raises :class:`UsageError` when the folder is missing or not writable, or the name is too long for
    the file system; an OSError while writing (a full disk) is raised as is.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if _is_link(path):
        # replacing the link with a file wrote the target's content into the tree (a doc linked to a file
        # outside the repository: fmt committed it, round 59); its target is not ours to write either
        raise UsageError(
            f"cannot write {path}: a symbolic link, not replaced (write its target, or remove it)"
        )
    mode = None
    try:
        check_writable(path)
        with contextlib.suppress(FileNotFoundError):
            mode = path.stat().st_mode & 0o7777
        if mode is None:
            mode = 0o666 & ~_umask()  # a new file gets what any program's would, not mkstemp's 0600
        # the temp name starts with the target's, cut: a target name near the limit still has a temp name
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
