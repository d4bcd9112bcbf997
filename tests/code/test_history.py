"""Git history of many files in one batched call."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from tests.code._git import commit_all, init_repo
from tests.code._git import git as run_git
from wiremap.code import git
from wiremap.code.history import file_history


def _repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo")
    (repo / "a.py").write_text("a = 1\n")
    (repo / "b.py").write_text("b = 1\n")
    commit_all(repo, "Add a and b", "2026-10-01T10:00:00+00:00")
    (repo / "a.py").write_text("a = 2\n")
    commit_all(repo, "Change a", "2026-11-20T10:00:00+00:00")
    return repo


def test_history_of_each_file_newest_first(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    got = file_history(repo, ["a.py", "b.py", "missing.py"])
    assert [(c.date.isoformat(), c.subject) for c in got["a.py"]] == [
        ("2026-11-20", "Change a"),
        ("2026-10-01", "Add a and b"),
    ]
    assert [c.subject for c in got["b.py"]] == ["Add a and b"]
    assert got["missing.py"] == []
    assert len(got["a.py"][0].short) == 7


def test_since_limits_the_log(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    got = file_history(repo, ["a.py", "b.py"], since=dt.date(2026, 11, 1))
    assert [c.subject for c in got["a.py"]] == ["Change a"]
    assert got["b.py"] == []


def test_paths_relative_to_a_subfolder_root(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "shop" / "svc").mkdir(parents=True)
    (repo / "shop" / "svc" / "x.py").write_text("x = 1\n")
    commit_all(repo, "Add x", "2026-10-01T10:00:00+00:00")
    got = file_history(repo / "shop", ["svc/x.py"])
    assert [c.subject for c in got["svc/x.py"]] == ["Add x"]


def test_one_git_call_for_many_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(cmd)
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(git.subprocess, "run", counting)
    file_history(repo, ["a.py", "b.py", *(f"gone_{i}.py" for i in range(50))])
    assert len(calls) == 1


def test_outside_git_every_path_has_no_history(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a = 1\n")
    assert file_history(tmp_path, ["a.py"]) == {"a.py": []}


def test_the_boundary_of_a_shallow_clone_is_no_change(tmp_path: Path) -> None:
    """git lists a shallow clone's boundary commit as adding every file: that says nothing of the file."""
    repo = _repo(tmp_path)
    (repo / "c.py").write_text("c = 1\n")
    commit_all(repo, "Add c", "2026-11-25T10:00:00+00:00")
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(clone))
    got = file_history(clone, ["a.py", "b.py", "c.py"])
    assert [c.subject for c in got["c.py"]] == ["Add c"]
    assert got["a.py"] == [] and got["b.py"] == []  # "Change a" is the boundary: its parent is not there
