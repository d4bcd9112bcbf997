"""Files a pull request may plant: symlinks out of the checkout, /dev/zero, a CODEOWNERS line that makes
regex matching run forever. wiremap reads only regular files inside its tree and writes nothing outside."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.catalog import load
from wiremap.code.index import index_tree
from wiremap.code.owners import Owners


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "runner"
    d.mkdir()
    (d / "settings.py").write_text(
        "import requests\nrequests.post('https://hooks.example.invalid/OutsideSecret123')\n", encoding="utf-8"
    )
    return d


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "services").mkdir(parents=True)
    (root / "services" / "x.py").write_text("import requests\nrequests.get('http://127.0.0.1:1/')\n")
    return root


def test_a_symlinked_cache_folder_is_not_written_through(tmp_path: Path, outside: Path) -> None:
    root = _tree(tmp_path)
    (root / ".wiremap").mkdir()
    (root / ".wiremap" / "cache").symlink_to(outside)
    index_tree(root)
    assert sorted(p.name for p in outside.iterdir()) == ["settings.py"]


def test_a_dangling_gitignore_link_is_not_followed(tmp_path: Path, outside: Path) -> None:
    root = _tree(tmp_path)
    (root / ".wiremap" / "cache").mkdir(parents=True)
    (root / ".wiremap" / "cache" / ".gitignore").symlink_to(outside / "created")
    index_tree(root)
    assert not (outside / "created").exists()


def test_source_files_leading_outside_or_endless_are_not_read(tmp_path: Path, outside: Path) -> None:
    root = _tree(tmp_path)
    (root / "services" / "leak.py").symlink_to(outside / "settings.py")
    (root / "services" / "zero.py").symlink_to("/dev/zero")
    index = index_tree(root, use_cache=False)
    assert "services/x.py" in index.files
    assert "services/leak.py" not in index.files and "services/zero.py" not in index.files


def test_docs_leading_outside_the_folder_are_not_read(tmp_path: Path, outside: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "real.md").write_text(
        (EXAMPLE_DOCS / "cart-service-to-cart-redis.md").read_text(encoding="utf-8")
    )
    secret = outside / "notes.md"
    secret.write_text("# Integration: Runner → Secrets\n\n**Purpose:** Zx9QmB7kL2vP4tR8yW1s\n")
    (docs / "leak.md").symlink_to(secret)
    (docs / "zero.md").symlink_to("/dev/zero")
    catalog = load(docs)
    assert [d.integration.id for d in catalog.docs] == ["cart-service-to-cart-redis"]


def test_a_backtracking_codeowners_pattern_does_not_hang() -> None:
    owners = Owners(Path("CODEOWNERS"), "*" * 24 + "x @team\n*.py @python\n")
    started = time.monotonic()
    assert owners.of("services/checkout/a_rather_long_module_name_for_matching.py") == ["@python"]
    assert time.monotonic() - started < 2


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_doc_named_on_the_command_line_that_is_a_device_is_not_read(tmp_path: Path) -> None:
    from wiremap.cli.main import main

    (tmp_path / "zero.md").symlink_to("/dev/zero")
    assert main(["lint", str(tmp_path / "zero.md")]) == 2


def test_a_file_is_read_whole_up_to_its_limit_and_refused_past_it(tmp_path: Path) -> None:
    """Read as large as stat says, plus what it grew by since, up to the limit: never cut short."""
    from wiremap._files import UnsafeFile, read_bounded

    f = tmp_path / "doc.md"
    f.write_bytes(b"x" * 100)
    assert read_bounded(f, 100) == b"x" * 100
    with pytest.raises(UnsafeFile, match="larger than"):
        read_bounded(f, 99)
    f.write_bytes(b"")
    assert read_bounded(f, 100) == b""


def test_a_file_that_grows_between_stat_and_read_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wiremap._files as files

    f = tmp_path / "doc.md"
    f.write_bytes(b"a" * 10)
    real_stat = os.stat

    def stat_then_grow(path: object) -> os.stat_result:
        st = real_stat(path)  # type: ignore[arg-type]
        f.write_bytes(b"a" * 5000)  # written on after the size was taken
        return st

    monkeypatch.setattr(files.os, "stat", stat_then_grow)
    assert files.read_bounded(f, 10_000) == b"a" * 5000
    f.write_bytes(b"a" * 10)
    with pytest.raises(files.UnsafeFile, match="larger than"):
        files.read_bounded(f, 1000)
