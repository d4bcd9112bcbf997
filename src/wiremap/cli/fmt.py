"""``wiremap fmt PATH…``: rewrite docs into the template's canonical layout (layout only)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .._errors import DocumentError, UsageError
from ..catalog import discover, display_path, title_problem
from ..document import is_integration_doc, parse_text, read_text
from ..document.guard import layout_only, link_definitions
from ..secrets import mask_text
from ..writes import atomic_write_text
from ._common import ConfigOption, SkipNonDocsOption, err, resolve
from ._diff import unified_diff


def fmt(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if any doc would change."),
    diff: bool = typer.Option(False, "--diff", help="Write nothing; print a unified diff of the changes."),
    skip_non_docs: bool = SkipNonDocsOption,
    config_file: Path | None = ConfigOption,
) -> None:
    """Rewrite docs into canonical form: headings, order, labels, bullets, rules, LF."""
    from ..document import render_document

    targets, _ = resolve(paths, config_file)
    candidates = discover(targets)
    changed = unchanged = refused = unreadable = untitled = 0
    for path, explicit in candidates:
        shown = display_path(path)
        try:
            text = read_text(path)
        except DocumentError as exc:
            if explicit or path.suffix.lower() == ".md":
                unreadable += 1
                err.print(f"error: {shown}:{exc.line}: {exc.message}", markup=False)
            continue
        doc = parse_text(text, shown)
        if (skip_non_docs or not explicit) and not is_integration_doc(doc.document):
            continue
        if (problem := title_problem(doc)) is not None:
            # left as it is (docs/format.md), said: exit 1 (DOC004). It was formatted all the same and counted
            # as reformatted besides (round 67: "1 reformatted, 1 without a title" of one file)
            untitled += 1
            err.print(f"error: {shown}:{doc.integration.line_of('title')}: {problem}", markup=False)
            continue
        new = render_document(doc.document)
        if new == text:
            unchanged += 1
            continue
        problem = layout_only(doc, new)
        if defined := link_definitions(text):  # (a used one changed a field: said the same way)
            line, label = defined[0]
            problem = (
                f"a link reference definition ([{label}]: …, line {line}) has no place in it: write the "
                "link inline"
            )
        if problem is not None:
            refused += 1
            err.print(
                f"error: {shown}: not reformatted, the canonical form would change content: {problem}",
                markup=False,
            )
            continue
        changed += 1
        if diff:
            # one write: the door masks a doc's diff whole
            patch = unified_diff(text, new, *_diff_names(shown))
            sys.stdout.write(patch)
            if mask_text(patch) != patch:  # honest about what the masking does to a patch
                err.print(
                    f"note: {shown}: secrets in the diff are shown as ***, so `git apply` will not take "
                    "it; `wiremap fmt` writes the doc itself",
                    markup=False,
                )
        if check:
            err.print(f"would reformat {shown}", markup=False)
        elif not diff:
            atomic_write_text(path, new)
            err.print(f"reformatted {shown}", markup=False)
    if not (changed or unchanged or refused or unreadable or untitled):
        if skip_non_docs:
            raise typer.Exit(0)
        shown_targets = ", ".join(str(p) for p in targets)
        raise UsageError(f"no integration docs found in {shown_targets}")
    verb = "would be reformatted" if check or diff else "reformatted"
    err.print(
        f"{changed} doc(s) {verb}, {unchanged} already canonical"
        + (f", {refused} refused" if refused else "")
        + (f", {unreadable} unreadable" if unreadable else "")
        # (the summary said only "1 already canonical" of a README without a title: round 33)
        + (f"; {untitled} without a title, left as they are (exit 1)" if untitled else ""),
        markup=False,
    )
    raise typer.Exit(1 if refused or unreadable or untitled or ((check or diff) and changed) else 0)


def _diff_names(shown: str) -> tuple[str, str]:
    """git-style ``a/path`` ``b/path`` for relative paths; absolute paths as they are."""
    return (shown, shown) if shown.startswith("/") else (f"a/{shown}", f"b/{shown}")
