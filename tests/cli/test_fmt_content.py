"""``fmt`` changes layout, never content, and its guard compares content the way the renderer writes it:
a doc it can rewrite is rewritten (not refused), and ``--diff`` shows the whole change."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.cli.main import main
from wiremap.document import parse_text, render_document
from wiremap.document.guard import layout_only

DOC = EXAMPLE_DOCS / "storefront-to-cart-service.md"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _appended(tmp_path: Path, section: str) -> Path:
    """The canonical example doc with a section of its own appended after the footer."""
    path = tmp_path / "doc.md"
    path.write_text(DOC.read_text(encoding="utf-8") + "\n" + section, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "section",
    [
        "## Notes\n\nA line that ends with a space \nand one that does not\n",
        "## Notes\n\nNo trailing space at all\n",
        # big: what `cat notes.txt >> doc.md` makes (the 20 MB doc of the report, scaled down)
        "## Appendix\n\n" + "".join(f"line {i} of an appended file \n" for i in range(20_000)),
    ],
)
def test_a_section_after_the_footer_is_reformatted_not_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str
) -> None:
    # the footer moves to the end, so the rewrite reads it back inside the appended section: that is layout
    doc = _appended(tmp_path, section)
    code, out, err = run(capsys, "fmt", "--diff", str(doc))
    assert code == 1 and "refused" not in err and "would change content" not in err
    assert out.startswith(f"--- {doc}\n+++ {doc}\n@@ ")
    assert run(capsys, "fmt", str(doc))[0] == 0
    text = doc.read_text(encoding="utf-8")
    assert text.endswith("---\n\n**Last Updated:** 2026-12-04\n**Maintained By:** Web Team (@web-team)\n")
    assert " \n" not in text  # trailing spaces go, as fmt.md says
    assert run(capsys, "fmt", "--check", str(doc))[0] == 0


def test_extra_section_text_is_the_section_as_written() -> None:
    """The model's extra section is what the renderer writes for it: no footer, adjacent lists kept two
    lists (the second with the other bullet)."""
    text = DOC.read_text(encoding="utf-8")
    text = text.replace("## Recent Changes", "## Notes\n\n- a \n\n* b\n\n---\n\n## Recent Changes")
    doc = parse_text(text + "\n## Appendix\n\nlast\n", "doc.md")
    assert [(s.title, s.text) for s in doc.integration.extra_sections] == [
        ("Notes", "- a\n\n+ b"),
        ("Appendix", "last"),
    ]
    assert layout_only(doc, render_document(doc.document)) is None


def test_the_guard_compares_code_as_it_is() -> None:
    """The renderer writes code back as it was read: a change to its indentation is a change of content,
    even in a section the model does not hold (the guard used to strip every line it compared)."""
    before = "# Integration: A → B\n\n---\n\n## Testing\n\n```yaml\nkey:\n  nested: 1\n```\n"
    problem = layout_only(parse_text(before, "doc.md"), before.replace("  nested", "nested"))
    assert problem is not None and "text would differ" in problem


def test_diff_of_a_doc_without_a_final_newline_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The only change is the final newline: the diff says so, and ``git apply`` makes the canonical doc."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "doc.md"
    doc.write_text("# Integration: A → B\n\n---\n\n## Notes\n\ntext", encoding="utf-8")
    code, out, _ = run(capsys, "fmt", "--diff", "doc.md")
    assert code == 1
    assert "-text\n\\ No newline at end of file\n+text\n" in out
    (tmp_path / "fmt.diff").write_text(out, encoding="utf-8")
    proc = subprocess.run(["git", "apply", "fmt.diff"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert doc.read_text(encoding="utf-8").endswith("text\n")
    assert run(capsys, "fmt", "--check", "doc.md")[0] == 0


def test_a_diff_with_a_secret_is_masked_and_says_it_will_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: `fmt --diff` on a doc with amqp://guest:pw@… printed *** on both sides and
    `git apply` refused it, while fmt.md promised a diff git apply reads. Masked, and said."""
    doc = tmp_path / "x.md"
    doc.write_text(
        "# integration: A -> B\n\n**Broker:** amqp://guest:Sup3rSecretPw@127.0.0.1:5672/\n",
        encoding="utf-8",
    )
    assert main(["fmt", "--diff", str(doc)]) == 1
    out, err = capsys.readouterr()
    assert "Sup3rSecretPw" not in out and "# Integration: A → B" in out
    assert "secrets in the diff are shown as ***, so `git apply` will not take it" in err


def test_two_spaces_after_a_footer_field_are_layout(tmp_path: Path) -> None:
    """``**Last Updated:** 2026-12-01␠␠`` (a hard break of two spaces): the footer is written a field a
    line, its breaks dropped, and fmt refused the doc ("lost break": new user, round 35)."""
    doc = tmp_path / "a.md"
    doc.write_text(
        "# Integration: A → B\n\n**Purpose:** x\n\n---\n\n**Last Updated:** 2026-12-01  \n"
        "**Maintained By:** @team  \n",
        encoding="utf-8",
    )
    before = parse_text(doc.read_text(encoding="utf-8"), "a.md").integration
    assert main(["fmt", str(doc)]) == 0
    after = parse_text(doc.read_text(encoding="utf-8"), "a.md").integration
    assert doc.read_text(encoding="utf-8").endswith(
        "**Last Updated:** 2026-12-01\n**Maintained By:** @team\n"
    )
    assert (after.last_updated, after.maintained_by) == (before.last_updated, before.maintained_by)


@pytest.mark.parametrize(
    ("definition", "use"),
    [
        ('[ref]: https://example.com "Title"', ""),  # unused: fmt deleted it and said "reformatted"
        (
            "[rb]: https://runbooks.example.com/payments",
            " (see [the runbook][rb])",
        ),  # used: a cryptic refusal
    ],
)
def test_a_link_reference_definition_is_never_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], definition: str, use: str
) -> None:
    """Round 57: the parser resolves and drops link reference definitions; the canonical form has no place
    for them, so such a doc is refused, saying so, and left as it is."""
    text = DOC.read_text(encoding="utf-8")
    text = text.replace("\n---\n", f"\n\n{definition}\n\n---\n", 1).replace(
        "**Purpose:** ", "**Purpose:**  ", 1
    )
    text = text.replace("\n**Protocol:**", f"{use}\n**Protocol:**", 1)
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "fmt", str(path))
    assert code == 1 and "a link reference definition ([" in err and "write the link inline" in err, err
    assert path.read_text(encoding="utf-8") == text
    assert "```\n[x]: not-a-definition\n```" not in text  # (inside code a line like it is code)
    from wiremap.document.guard import link_definitions

    assert link_definitions("```\n[x]: http://a\n```\n    [y]: http://b\n") == []
