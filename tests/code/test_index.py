"""Indexing a tree: file selection, the content-hash cache, parallel equals serial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.code._git import git, init_repo
from wiremap.code.index import CACHE_FORMAT, CACHE_NAME, index_tree

CLIENT = 'import requests\n\n\ndef call_{i}():\n    return requests.get("http://127.0.0.1:{port}/x")\n'


def _tree(root: Path, n: int) -> Path:
    for i in range(n):
        p = root / "pkg" / f"mod_{i:03}.py"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(CLIENT.format(i=i, port=8000 + i))
    return root


def test_warm_run_parses_nothing_and_gives_the_same_index(tmp_path: Path) -> None:
    root = _tree(tmp_path, 5)
    cold = index_tree(root)
    assert (cold.stats.files, cold.stats.parsed, cold.stats.cached) == (5, 5, 0)
    warm = index_tree(root)
    assert (warm.stats.parsed, warm.stats.cached) == (0, 5)
    assert warm.files == cold.files
    assert (root / ".wiremap" / "cache" / CACHE_NAME).is_file()
    assert (root / ".wiremap" / "cache" / ".gitignore").read_text() == "*\n"


def test_one_changed_file_is_parsed_again_and_a_renamed_one_is_not(tmp_path: Path) -> None:
    root = _tree(tmp_path, 4)
    index_tree(root)
    (root / "pkg" / "mod_000.py").write_text(CLIENT.format(i=0, port=9999))
    (root / "pkg" / "mod_001.py").rename(root / "pkg" / "renamed.py")
    again = index_tree(root)
    assert (again.stats.parsed, again.stats.cached) == (1, 3)
    assert [s.target for s in again.files["pkg/mod_000.py"].sites] == ["http://127.0.0.1:9999/x"]
    moved = again.files["pkg/renamed.py"]
    assert [s.path for s in moved.sites] == ["pkg/renamed.py"]


def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    root = _tree(tmp_path, 2)
    cache = root / ".wiremap" / "cache" / CACHE_NAME
    cache.parent.mkdir(parents=True)
    for junk in ("{not json", json.dumps({"format": 999, "entries": {}}), json.dumps([1, 2])):
        cache.write_text(junk)
        assert index_tree(root).stats.parsed == 2
    entries = json.loads(cache.read_text())["entries"]
    sha = next(iter(entries))
    entries[sha] = ["broken"]
    cache.write_text(json.dumps({"format": CACHE_FORMAT, "entries": entries}))
    assert index_tree(root).stats.parsed == 1


def test_parallel_equals_serial(tmp_path: Path) -> None:
    root = _tree(tmp_path, 80)
    serial = index_tree(root, use_cache=False, jobs=1)
    parallel = index_tree(root, use_cache=False, jobs=2)
    assert parallel.files == serial.files
    assert sum(1 for _ in parallel.sites()) == 80


def test_git_ignored_files_and_tool_folders_are_not_read(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    _tree(root, 1)
    (root / ".gitignore").write_text("generated/\n")
    for folder in ("generated", ".venv/lib", "node_modules/x"):
        (root / folder).mkdir(parents=True)
        (root / folder / "c.py").write_text(CLIENT.format(i=1, port=1))
    git(root, "add", "-A")
    assert sorted(index_tree(root, use_cache=False).files) == ["pkg/mod_000.py"]
    plain = tmp_path / "plain"
    _tree(plain, 1)
    (plain / ".venv").mkdir()
    (plain / ".venv" / "c.py").write_text("x = 1\n")
    assert sorted(index_tree(plain, use_cache=False).files) == ["pkg/mod_000.py"]


def test_unreadable_and_binary_files_do_not_stop_the_index(tmp_path: Path) -> None:
    root = _tree(tmp_path, 1)
    (root / "bad.py").write_bytes(b"\x00\xff\xfe garbage")
    (root / "syntax.py").write_text("def (:\n")
    idx = index_tree(root, use_cache=False)
    assert idx.stats.errors == 2
    assert idx.files["pkg/mod_000.py"].sites


def test_an_indexer_crash_on_one_file_is_that_files_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, 2)
    from wiremap.code import languages

    real = languages.indexer_for(languages.LANGUAGES["python"])

    def flaky(path: str, data: bytes, sha: str):  # type: ignore[no-untyped-def]
        if path.endswith("mod_000.py"):
            raise KeyError("boom")
        return real(path, data, sha)

    monkeypatch.setitem(languages._loaded, "python", flaky)
    idx = index_tree(root, use_cache=False, jobs=1)
    assert idx.files["pkg/mod_000.py"].error == "indexer failed: KeyError: 'boom'"
    assert idx.files["pkg/mod_001.py"].sites


def test_calls_on_objects_from_other_modules_are_linked(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/http.py": "import httpx\nimport requests\n\n\ndef make_session():\n"
        "    return requests.Session()\n\n\n"
        'warehouse = httpx.Client(base_url="http://wh:8080")\n',
        "shop/pay.py": "from .http import make_session\nfrom shop.http import warehouse\n\n\nclass Pay:\n"
        "    def __init__(self):\n        self.http = make_session()\n\n    def charge(self):\n"
        '        return self.http.post("http://pay:8081/v1/charges")\n\n\n'
        'def stock():\n    return warehouse.put("/v2/stock")\n',
        "shop/other.py": "from shop.http import make_session\n\nmake_session().close()\nmake_session().get\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    idx = index_tree(tmp_path, use_cache=False)
    got = [(s.line, s.client, s.protocol, s.target, s.scope) for s in idx.files["shop/pay.py"].sites]
    assert got == [
        (10, "requests.Session.post", "http", "http://pay:8081/v1/charges", "Pay.charge"),
        (14, "httpx.Client.put", "http", "/v2/stock", "stock"),
    ]
    assert idx.files["shop/other.py"].sites == ()  # close() is not a request; an attribute is not a call


def test_the_cache_key_changes_with_the_indexer_s_code(tmp_path: Path) -> None:
    """An indexer fixed without its version bumped kept answering from the entries it wrote before the fix
    (a `${URL}` default read as no target, round 28): the key holds a digest of the indexer's modules."""
    from wiremap.code.index import code_digest

    (tmp_path / "javascript.py").write_text("A = 1\n")
    before = code_digest(tmp_path, 2)
    (tmp_path / "javascript.py").write_text("A = 2\n")
    code_digest.cache_clear()
    assert code_digest(tmp_path, 2) != before
    assert code_digest(tmp_path, 3) != code_digest(tmp_path, 2)
