"""A killed writer leaves the old doc or the new one, never a torn file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wiremap._errors import UsageError
from wiremap.writes import atomic_write_text

WRITER = """
import sys
from pathlib import Path
from wiremap.writes import atomic_write_text
target = Path(sys.argv[1])
a, b = "A" * 2_000_000 + "\\n", "B" * 3_000_000 + "\\n"
print("ready", flush=True)
n = 0
while True:
    atomic_write_text(target, a if n % 2 else b)
    n += 1
"""


def test_kill_9_mid_write_never_tears_the_file(tmp_path: Path) -> None:
    target = tmp_path / "doc.md"
    target.write_text("A" * 2_000_000 + "\n", encoding="utf-8")
    for delay in (0.05, 0.13, 0.21, 0.37, 0.5):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        assert data in (b"A" * 2_000_000 + b"\n", b"B" * 3_000_000 + b"\n")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "doc.md"]
    assert all(
        p.endswith(".tmp") for p in leftovers
    )  # a killed writer may leave its temp file, never the doc


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.md"
    target.write_text("old\n", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.md"]


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        atomic_write_text(tmp_path / "no" / "doc.md", "x")


def test_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "doc.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o640
