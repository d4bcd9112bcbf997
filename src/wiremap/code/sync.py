"""Bring a doc back in line with its code: the Source line, Recent Changes, Last Updated, Maintained By.

Edits are made to the doc's own text, line by line, so everything the sync does not touch stays
byte for byte as the author wrote it. The result is parsed again and checked before it is offered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..document import ParsedDoc, parse_text
from ..secrets import mask_text
from ..values import parse_date
from .history import Commit
from .locate import client_line, client_missing
from .project import NO_ROOT, Project
from .review import changed_after, review_day

__all__ = ["SyncResult", "not_compared", "source_ref_pattern", "sync_doc"]

_HEADING = re.compile(r"^##\s+Recent Changes\s*$")
_ENTRY = re.compile(r"^\*\*(.+?):\*\*\s*$")
_PLACEHOLDER_ENTRY = re.compile(r"^\*\*\[Date\]:\*\*\s*$")
_LAST_UPDATED = re.compile(r"^(\*\*Last Updated:\*\*)\s*(.*)$")
_MAINTAINED = re.compile(r"^(\*\*Maintained By:\*\*)\s*(.*)$")
_MAX_NEW_COMMITS = 20


@dataclass
class SyncResult:
    path: str
    old: str
    new: str
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new != self.old


def _date(text: str | None) -> dt.date | None:
    return parse_date(text) if text else None


def source_ref_pattern(path: str, line: int) -> re.Pattern[str]:
    """The Source reference ``path`` + ``line`` as a doc may write it, in every form
    :func:`wiremap.values.parse_source_ref` reads: ``path:41``, ``path#L41``, ``path:41-60`` (also with
    ``–`` or ``#L41-60``) and ``path:41:5``. Groups: ``sep`` (``:`` or ``#L``), ``line``, and for a second
    number ``rsep`` and ``end``."""
    return re.compile(
        rf"(?<![\w./-]){re.escape(path)}(?P<sep>:|#L)(?P<line>{line})(?:(?P<rsep>[-:–])(?P<end>\d+))?(?!\d)"
    )


def _moved_ref(m: re.Match[str], path: str, new_line: int) -> str:
    """The reference of ``m`` pointing at ``new_line``, in the doc's own form. A range (``41-60``) moves whole
    with its start; a second number after ``:`` is a column and stays."""
    text = f"{path}{m.group('sep')}{new_line}"
    if m.group("end") is not None:
        end = int(m.group("end"))
        if m.group("rsep") != ":":
            end += new_line - int(m.group("line"))
        text += f"{m.group('rsep')}{end}"
    return text


def _fix_source_line(lines: list[str], doc: ParsedDoc, project: Project, rel: str, out: SyncResult) -> None:
    integ, ref = doc.integration, doc.integration.source_ref
    moved = client_line(integ, project.file(rel))  # exact: SRC003's window is a tolerance, not a target
    i = integ.line_of("source_ref") - 1
    if moved is None or ref is None or not ref.path or not 0 <= i < len(lines):
        return
    m = source_ref_pattern(ref.path, moved.old_line).search(lines[i])
    if m is None:
        return
    lines[i] = lines[i][: m.start()] + _moved_ref(m, ref.path, moved.new_line) + lines[i][m.end() :]
    out.changes.append(f"Source line {moved.old_line} → {moved.new_line} ({moved.client} moved)")


def _unrecorded(doc: ParsedDoc, commits: list[Commit]) -> list[Commit]:
    """The commits no Recent Changes entry names yet, by short sha or by subject (at most 20)."""
    items = [item for change in doc.integration.recent_changes for item in change.items]

    def recorded(c: Commit) -> bool:
        subjects = {c.subject, _subject(c)} - {""}
        return any(c.short in item or any(s in item for s in subjects) for item in items)

    return [c for c in commits if not recorded(c)][:_MAX_NEW_COMMITS]


def _subject(c: Commit) -> str:
    """The commit subject as a doc may hold it: masked (a subject may carry a secret the committer pasted;
    wiremap must not copy it into a doc, and the preview shows the masked text: preview == written)."""
    return mask_text(c.subject)


def _add_recent_changes(lines: list[str], commits: list[Commit], out: SyncResult) -> None:
    """Dated entries above the newest existing one; the template's placeholder entry is replaced."""
    heading = next((i for i, x in enumerate(lines) if _HEADING.match(x)), None)
    if heading is None or not commits:
        return
    by_day: dict[dt.date, list[Commit]] = {}
    for c in commits:
        by_day.setdefault(c.date, []).append(c)
    block: list[str] = []
    for day in sorted(by_day, reverse=True):
        entries = [f"- {_subject(c) or '(no commit message)'} ({c.short})" for c in by_day[day]]
        block += [f"**{day.isoformat()}:**", *entries, ""]
    end = next((i for i in range(heading + 1, len(lines)) if lines[i].startswith(("## ", "---"))), len(lines))
    first = next((i for i in range(heading + 1, end) if _ENTRY.match(lines[i])), None)
    if first is not None and _PLACEHOLDER_ENTRY.match(lines[first]):
        stop = first + 1
        while stop < end and (lines[stop].startswith("- ") or not lines[stop].strip()):
            stop += 1
        del lines[first:stop]
        end -= stop - first
        first = next((i for i in range(heading + 1, end) if _ENTRY.match(lines[i])), None)
    if first is None:
        first = heading + 1
        if first < len(lines) and not lines[first].strip():
            first += 1
        else:
            block = ["", *block]
    lines[first:first] = block
    out.changes.append(f"{len(commits)} commit(s) added to Recent Changes")


def _set_field(lines: list[str], pattern: re.Pattern[str], value: str) -> bool:
    for i, line in enumerate(lines):
        m = pattern.match(line)
        if m:
            lines[i] = f"{m.group(1)} {value}"
            return True
    return False


def not_compared(doc: ParsedDoc, project: Project | None) -> str | None:
    """Why ``sync`` cannot compare the doc with its code (None: it can). Such a doc is skipped and said,
    never counted "in sync": nothing was compared. The cases are lint's SRC001 and SRC004 (a Source file
    that is not there, a Client the Source file does not have), and a doc with no project root."""
    if project is None:
        return NO_ROOT
    rel = project.source_path(doc.integration)
    if rel is None:
        return f"no Source path under the project root {project.root}"
    if not project.exists(rel):
        return f"Source file {rel} does not exist under {project.root} (SRC001)"
    name = client_missing(doc.integration, project.file(rel))
    if name is not None:
        return f"Client {name} is not in {rel} (SRC004): nothing to compare the Source line with"
    return None


def sync_doc(doc: ParsedDoc, text: str, project: Project, rel: str, *, today: dt.date) -> SyncResult:
    """The doc's text with the code's news applied (``rel``: its Source path relative to the root)."""
    out = SyncResult(doc.path, text, text)
    if not project.exists(rel):
        return out
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    _fix_source_line(lines, doc, project, rel, out)
    integ = doc.integration
    # the commits SRC007 reports: the same definition (code/review.py), so sync and lint agree
    news = changed_after(project.history(rel), review_day(integ))
    unrecorded = _unrecorded(doc, news)
    before = len(out.changes)
    _add_recent_changes(lines, unrecorded, out)
    # commits that could not be recorded (no Recent Changes section): Last Updated must not hide them
    recorded_all = not unrecorded or len(out.changes) > before
    from ..lint.rules._common import is_unfilled  # the one definition of "empty or a placeholder"

    if is_unfilled(integ.maintained_by) and project.owners is not None:
        owners = project.owners.of(rel)
        if owners and _set_field(lines, _MAINTAINED, " ".join(owners)):
            out.changes.append(f"Maintained By set from CODEOWNERS: {' '.join(owners)}")
    # commits after the review day that are all recorded already still make the doc reviewed today
    changed = bool(out.changes or news) and recorded_all
    if changed and _date(integ.last_updated) != today and _set_field(lines, _LAST_UPDATED, today.isoformat()):
        out.changes.append(f"Last Updated → {today.isoformat()}")
    out.new = newline.join(lines)
    if out.changed:
        _check(out, doc)
    return out


_MAY_CHANGE = {"source_ref", "recent_changes", "last_updated", "maintained_by", "lines"}


def _check(out: SyncResult, before: ParsedDoc) -> None:
    """The synced text must still be the same doc: everything but what sync may change is equal, and
    every Recent Changes entry that was there is still there."""
    after = parse_text(out.new, path=out.path).integration
    old = before.integration
    same = after.model_dump(exclude=_MAY_CHANGE) == old.model_dump(exclude=_MAY_CHANGE)
    kept = all(c in after.recent_changes for c in old.recent_changes if c.date != "[Date]")
    if not same or not kept:
        raise ValueError(f"{out.path}: sync would change more than it should; nothing written")
