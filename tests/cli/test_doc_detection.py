"""Which files of a folder are docs: the template's shape decides, not the title alone.

A doc that lost (or reworded) its title is still a doc: it is read, and the missing title is a finding
with file:line for every command, exit 1. Markdown that is not a doc (a README, the index page) stays
skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._paths import TEMPLATE
from wiremap.catalog import load
from wiremap.cli.main import main
from wiremap.document import is_integration_doc, parse_text

# Non-critical TCP integrations to a port nobody listens on: verify fails them, and exits 0 for that.
DOC = """\
# Integration: {source} → Ledger

**Purpose:** Posts the day's totals to the ledger
**Protocol:** TCP
**Direction:** Unidirectional
**Critical Path:** No

---

## Quick Reference

**Source:** `billing/ledger.py:12`
**Destination:** Ledger (127.0.0.1:9)
**Client:** `LedgerClient`

**Health Check:**
```bash
nc -z 127.0.0.1 9
```

---

## Request Format

**Endpoint:** `127.0.0.1:9`

---

## Error Handling

**Retry Strategy:**
```bash
# none: the nightly run sends the day again
```

---

## Performance

**Latency:**
- P99: 20 ms

---

## Configuration

**Environment Variables:**
- LEDGER_ADDR: where the ledger listens

---

## Monitoring

**Metrics:**
- Posted totals: the ledger's own report

---

**Last Updated:** 2026-11-02
**Maintained By:** Billing Team
"""

README = """\
# Billing docs

How we document integrations. Each doc follows the template; run `wiremap lint` before you push.

## Configuration

Nothing to configure.

## Testing

**Source:** the `billing/` folder.
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text(DOC.format(source="Billing"), encoding="utf-8")
    (docs / "README.md").write_text(README, encoding="utf-8")
    return docs


def _lose_title(folder: Path, title: str | None) -> Path:
    text = DOC.format(source="Invoicing").split("\n", 1)[1]
    doc = folder / "headless.md"
    doc.write_text(text if title is None else f"{title}\n{text}", encoding="utf-8")
    return doc


def test_a_folder_of_good_docs_and_a_readme(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lint", str(folder))
    assert (code, out.strip()) == (0, "All checks passed.")
    # the folder is outside any git repository: the SRC rules say they did not run (round 41)
    assert err.strip().splitlines() == [
        f"skipped {folder}/README.md: not an integration doc "
        "(no '# Integration: A → B' title, nor the template's sections and labels)",
        "note: the SRC rules did not run for 1 doc(s): no project root (not inside a git repository, and no "
        "`root` in wiremap.toml)",
    ]
    for command in ("show", "graph", "verify"):
        code, _, err = run(capsys, command, str(folder))
        assert (command, code, err) == (command, 0, ""), err


@pytest.mark.parametrize(
    ("title", "message"),
    [
        (None, "missing title '# Integration: Source → Destination'"),
        ("# Invoicing to Ledger", "title 'Invoicing to Ledger' is not of the form"),
        ("## Invoicing → Ledger", "missing title '# Integration: Source → Destination'"),
    ],
)
def test_lint_reports_a_doc_that_lost_its_title(
    folder: Path, capsys: pytest.CaptureFixture[str], title: str | None, message: str
) -> None:
    doc = _lose_title(folder, title)
    code, out, err = run(capsys, "lint", str(folder))
    assert code == 1
    title = [x for x in out.splitlines() if x.startswith(f"{doc}:1:") and " DOC004 " in x]
    assert len(title) == 1 and message in title[0]
    assert "headless.md" not in err  # not skipped
    assert err.count("skipped ") == 1  # the README


@pytest.mark.parametrize("command", ["show", "graph", "verify", "impact", "index", "sync"])
def test_every_command_says_which_doc_has_no_title_and_exits_1(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    doc = _lose_title(folder, None)
    args = ["impact", "Ledger", "--docs", str(folder)] if command == "impact" else [command, str(folder)]
    code, out, err = run(capsys, *args)
    assert code == 1, out + err
    lines = [x for x in err.splitlines() if x.startswith("error: ")]
    assert lines == [f"error: {doc}:1: missing title '# Integration: Source → Destination'"]


def test_a_named_doc_without_a_title_is_the_same_finding(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _lose_title(folder, None)
    code, _, err = run(capsys, "show", str(doc))
    assert code == 1 and f"error: {doc}:1: missing title" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TEMPLATE.read_text(encoding="utf-8"), True),
        (TEMPLATE.read_text(encoding="utf-8").split("\n", 1)[1], True),  # the template without its title
        ("# Integration: A → B\n", True),
        ("**Purpose:** x\n**Protocol:** HTTP\n**Critical Path:** No\n", True),  # a header without a title
        ("## Quick Reference\n\n**Source:** `a.py:1`\n**Destination:** B (b:1)\n", True),
        (README, False),  # two of the template's sections, one of its labels
        ("# README\n\n**Protocol:** HTTP\n", False),
        ("**Source:** a\n**Destination:** b\n", False),  # two labels, nothing else of the template
        ("# Integration catalog\n\n| Integration | Protocol |\n|---|---|\n", False),  # `wiremap index`
        ("just prose\n", False),
        ("", False),
    ],
)
def test_which_files_are_docs_is_decided_by_the_template(text: str, expected: bool) -> None:
    assert is_integration_doc(parse_text(text, "x.md").document) is expected


def test_the_library_lists_the_same_problems(folder: Path) -> None:
    doc = _lose_title(folder, None)
    catalog = load(folder)
    assert [d.path for d in catalog.docs] == [str(folder / "good.md"), str(doc)]
    assert [(f.path, f.line, f.code) for f in catalog.problems()] == [(str(doc), 1, "DOC004")]
    assert [p for p, _ in catalog.skipped] == [str(folder / "README.md")]
