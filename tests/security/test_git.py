"""A pull request can commit files git reads as configuration. wiremap's git never runs their commands."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from wiremap.cli.main import main

DOC = """# Integration: Checkout Service → Payments API

**Purpose:** Charges cards
**Protocol:** HTTP
**Direction:** Unidirectional
**Critical Path:** No

## Quick Reference

**Source:** `client.py:2`
**Destination:** Payments API (127.0.0.1:1)
**Client:** `Client`

## Configuration

**Environment Variables:**
```bash
export PAYMENTS_URL=http://127.0.0.1:1  # base URL
```
"""


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose docs folder is also an embedded repository with ``core.fsmonitor`` set."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed (.ci/run installs it)")
    marker = tmp_path / "pwned"
    base = tmp_path / "repo"
    docs = base / "docs" / "integrations"
    docs.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(base)], check=True)
    (docs / "HEAD").write_text("ref: refs/heads/main\n")
    for sub in ("objects", "refs"):
        (docs / sub).mkdir()
        (docs / sub / ".keep").touch()
    (docs / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
        f'\tfsmonitor = "echo $WIREMAP_TEST_SECRET > {marker}; false"\n'
    )
    (docs / "client.py").write_text("import os\nclass Client:\n    pass\n")
    (docs / "a.md").write_text(DOC)
    subprocess.run(["git", "-C", str(base), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(base), "-c", "user.email=a@b", "-c", "user.name=pr", "commit", "-qm", "PR"],
        check=True,
    )
    return base, marker


@pytest.mark.parametrize(
    "command", [["lint", "docs/integrations"], ["sync", "docs/integrations"], ["discover"]]
)
def test_an_embedded_repository_cannot_run_a_command(
    repo: tuple[Path, Path], command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, marker = repo
    monkeypatch.chdir(base)
    monkeypatch.setenv("WIREMAP_TEST_SECRET", "s3cr3t")
    main([*command])
    assert not marker.exists()
