"""``wiremap sync [PATH…] [--write]``: bring docs back in line with the code."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from .._errors import DocumentError, UsageError
from ..code.project import Projects
from ..code.sync import not_compared, sync_doc
from ..document import read_text
from ..secrets import mask_text
from ..writes import atomic_write_text
from ._common import ConfigOption, err, load_catalog
from ._diff import unified_diff


def sync(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    write: bool = typer.Option(False, "--write", help="Write the changes (atomically) instead of a diff."),
    root: Path | None = typer.Option(
        None, "--root", help="Project root of the Source paths [default: config root, else git top level]."
    ),
    config_file: Path | None = ConfigOption,
) -> None:
    """Fix Source lines of moved Clients, add Recent Changes from git, fill Maintained By from CODEOWNERS.

    Without --write, prints a unified diff and exits 1 when a doc would change.
    """
    catalog, config = load_catalog(paths, config_file)
    if root is not None and not root.is_dir():
        raise UsageError(f"--root {root} is not a folder")
    projects = Projects(config, root=root.resolve() if root is not None else None)
    today = dt.date.today()
    changed = skipped = pending = 0
    for doc in catalog.docs:
        project = projects.for_doc(doc.path)
        why = not_compared(doc, project)
        if why is not None or project is None:  # nothing to compare: not "in sync"
            err.print(f"skipped {doc.path}: {why}", markup=False)
            skipped += 1
            continue
        rel = project.source_path(doc.integration)
        assert rel is not None  # not_compared said so
        # the bytes as written: no newline translation (a CRLF doc stays CRLF), the BOM put back on write
        try:
            text = read_text(Path(doc.path))
            bom = "\ufeff" if Path(doc.path).read_bytes().startswith(b"\xef\xbb\xbf") else ""
        except (OSError, DocumentError) as exc:
            reason = exc.message if isinstance(exc, DocumentError) else str(exc)
            err.print(f"{doc.path}: cannot read: {reason}", markup=False)
            skipped += 1
            continue
        try:
            result = sync_doc(doc, text, project, rel, today=today)
        except ValueError as exc:
            err.print(str(exc), markup=False)
            skipped += 1
            continue
        for note in result.notes:
            err.print(f"note: {doc.path}: {note}", markup=False)
        pending += bool(result.notes) and not result.changed  # not in sync, whatever sync could write
        if not result.changed:
            continue
        changed += 1
        if write:
            atomic_write_text(Path(doc.path), bom + result.new)
            err.print(f"synced {doc.path}: {'; '.join(result.changes)}", markup=False)
        else:
            # one write: the door masks a doc's diff whole
            patch = unified_diff(result.old, result.new, f"a/{doc.path}", f"b/{doc.path}")
            sys.stdout.write(patch)
            if mask_text(patch) != patch:  # honest about what the masking does to a patch (as fmt --diff)
                err.print(
                    f"note: {doc.path}: secrets in the diff are shown as ***, so `git apply` will not take "
                    "it; `wiremap sync --write` writes the doc itself",
                    markup=False,
                )
            err.print(f"{doc.path}: {'; '.join(result.changes)}", markup=False)
    verb = "synced" if write else "would be synced"
    summary = f"{changed} doc(s) {verb}, {len(catalog.docs) - changed - skipped - pending} already in sync"
    if pending:
        # a doc with a note is not in sync: it needs what the note says, by hand (round 63: "already in sync")
        summary += f", {pending} to fix by hand (see the notes above)"
    if skipped:
        summary += f", {skipped} skipped (nothing compared: see the skipped lines above)"
    err.print(summary, markup=False)
    raise typer.Exit(1 if (changed and not write) or pending else 0)
