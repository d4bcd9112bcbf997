"""Reading files a pull request may have planted: regular files only, bounded, inside their tree.

A committed symlink can point at ``/dev/zero`` (an endless read), at a file of the runner outside the
checkout (its content would be shown), or make a folder wiremap writes into lead elsewhere. Every read
of a doc or a source file, and every write into a folder of the repository, goes through here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["UnsafeFile", "inside", "read_bounded"]


class UnsafeFile(OSError):
    """Not read: not a regular file, too large, or outside the tree it belongs to."""


def inside(path: Path, root: Path) -> bool:
    """``path``, symlinks resolved, is ``root`` or below it."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def read_bounded(path: Path, limit: int, root: Path | None = None) -> bytes:
    """The bytes of ``path``; :class:`UnsafeFile` when it is not a regular file, is larger than
    ``limit`` bytes, or (with ``root``) resolves outside ``root``."""
    if root is not None and not inside(path, root):
        raise UnsafeFile(f"{path} leads outside {root} (a symlink): not read")
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(f"{path} is not a regular file: not read")
    if st.st_size > limit:
        raise UnsafeFile(f"{path} is larger than {limit // 1_000_000} MB: not read")
    with open(path, "rb") as fh:
        # what stat says and one byte more: a read of ``limit`` bytes allocated 64 MB for every 5 kB doc
        # (a third of reading one); a file that grew since is read on, to the limit
        data = fh.read(min(st.st_size, limit) + 1)
        if len(data) > st.st_size:
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise UnsafeFile(f"{path} is larger than {limit // 1_000_000} MB: not read")
    return data
