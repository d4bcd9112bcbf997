"""Bring a doc back in line with its code: the Source line, Recent Changes, Last Updated, Maintained By.

Edits are made to the doc's own text, line by line, so everything the sync does not touch stays
byte for byte as the author wrote it. The result is parsed again and checked before it is offered.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from ..document import ParsedDoc, parse_text
from ..document.template import canonical_section
from ..secrets import mask_text
from ..values import parse_date
from .history import Commit
from .locate import client_line, client_missing, defined_elsewhere, import_definition, imported_only
from .project import NO_ROOT, Project
from .review import news as review_news

__all__ = ["SyncResult", "not_compared", "source_ref_pattern", "sync_doc"]

_NEWLINE = re.compile(r"(\r\n|\r|\n)")  # the line endings the parser reads
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
    # what sync could not fix and the user must (a Source line past the end it had nothing to move to)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new != self.old


def _date(text: str | None) -> dt.date | None:
    return parse_date(text) if text else None


def source_ref_pattern(path: str, line: int) -> re.Pattern[str]:
    """The Source reference ``path`` + ``line`` as a doc may write it, in every form
    :func:`wiremap.values.parse_source_ref` reads: ``path:41``, ``path#L41``, ``path:41-60`` (also with
    ``–``, ``#L41-60`` or ``#L41-L60``) and ``path:41:5``. Groups: ``sep`` (``:`` or ``#L``), ``line``,
    and for a second number ``rsep`` and ``end``."""
    return re.compile(
        rf"(?<![\w./-]){re.escape(path)}(?P<sep>:|#L)(?P<line>{line})(?:(?P<rsep>-L|[-:–])(?P<end>\d+))?(?!\d)"
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
    moved = client_line(
        integ, project.file(rel), project.lines(rel)
    )  # exact: SRC003's window is a tolerance, not a target
    i = integ.line_of("source_ref") - 1
    length = len(project.lines(rel))
    if moved is None and ref is not None and ref.line is not None and ref.line > length:
        out.notes.append(
            f"Source line {ref.line} is past the end of {rel} ({length} lines) and the Client names nothing "
            "there to move it to: fix it by hand (SRC002)"
        )
    f = project.file(rel)
    imported = imported_only(integ, f, project.lines(rel)) if moved is None else None
    if f is not None and imported is not None:
        there = defined_elsewhere(project.index, f, imported.client, rel) or import_definition(
            f, rel, imported.client, project.exists, project.lines
        )
        where = f"is defined in {there[0]}:{there[1]}" if there is not None else "is defined elsewhere"
        out.notes.append(
            f"Source line {imported.old_line} not moved: {imported.client} {where} and {rel} only imports "
            f"it (line {imported.new_line}): point the Source at the definition by hand (SRC003)"
        )
    if moved is None or ref is None or not ref.path or not 0 <= i < len(lines):
        return
    if f is not None and (there := defined_elsewhere(project.index, f, moved.client, rel)) is not None:
        out.notes.append(
            f"Source line {moved.old_line} not moved: {moved.client} is defined in {there[0]}:{there[1]} and "
            f"{rel} only uses it (line {moved.new_line}): point the Source at the definition by hand (SRC003)"
        )
        return
    m = source_ref_pattern(ref.path, moved.old_line).search(lines[i])
    if m is None:
        return
    lines[i] = lines[i][: m.start()] + _moved_ref(m, ref.path, moved.new_line) + lines[i][m.end() :]
    out.changes.append(
        f"Source line {moved.old_line} → {moved.new_line} ({moved.client} is at line {moved.new_line})"
    )


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


def _is_recent_changes(line: str) -> bool:
    """A ``## Recent Changes`` heading as the parser reads one (``## Recent changes`` too)."""
    return (
        line.startswith("## ") and canonical_section(line[3:].strip().strip("#").strip()) == "Recent Changes"
    )


def _entries(commits: list[Commit]) -> list[str]:
    by_day: dict[dt.date, list[Commit]] = {}
    for c in commits:
        by_day.setdefault(c.date, []).append(c)
    block: list[str] = []
    for day in sorted(by_day, reverse=True):
        entries = [f"- {_subject(c) or '(no commit message)'} ({c.short})" for c in by_day[day]]
        block += [f"**{day.isoformat()}:**", *entries, ""]
    return block


def _add_recent_changes(lines: list[str], commits: list[Commit], footer: int | None) -> bool:
    """Dated entries above the newest existing one; the template's placeholder entry is replaced. A doc
    without the section gets it where the template (and ``fmt``) has it: after the other sections, before
    the footer (``footer``: the index of its first line, None when there is none). False: nothing to add."""
    if not commits:
        return False
    block = _entries(commits)
    heading = next((i for i, x in enumerate(lines) if _is_recent_changes(x)), None)
    if heading is None:
        _new_section(lines, block, footer)
        return True
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
    return True


def _new_section(lines: list[str], block: list[str], footer: int | None) -> None:
    """``## Recent Changes`` with ``block`` inserted before the footer's ``---`` rule (or the footer), else
    at the end, each part separated the template's way."""
    if footer is None:
        end = len(lines)
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = ["", "---", "", "## Recent Changes", "", *block[:-1]]
        return
    at = footer
    while at > 0 and not lines[at - 1].strip():
        at -= 1
    if at > 0 and lines[at - 1].strip() == "---":  # the rule above the footer: the new section goes above it
        lines[at - 1 : at - 1] = ["---", "", "## Recent Changes", "", *block]
    else:  # no rule: the section gets one on each side, as the template has them
        lines[at:at] = ["", "---", "", "## Recent Changes", "", *block, "---"]


_FIELD_LINE = re.compile(r"^(?P<label>\s*(?:[-*+]\s+)?(\*\*|__).+?\2(?:\s*:)?)\s*(?P<value>.*?)\s*$")


def _field_index(lines: list[str], doc: ParsedDoc, name: str, pattern: re.Pattern[str]) -> int | None:
    """The index of the line holding a footer field, where the parser read it (``**Last updated:**``,
    ``**Last Updated**:``, ``__Last Updated:__`` as well as the template's form)."""
    line = doc.integration.line_of(name, 0)
    found = getattr(doc.integration, name) is not None
    if found and 0 < line <= len(lines) and _FIELD_LINE.match(lines[line - 1]):
        return line - 1
    return next((i for i, x in enumerate(lines) if pattern.match(x)), None)


def _set_field(lines: list[str], index: int | None, value: str) -> bool:
    """The field's value replaced, its label kept as written."""
    m = _FIELD_LINE.match(lines[index]) if index is not None else None
    if index is None or m is None:
        return False
    lines[index] = f"{m.group('label')} {value}"
    return True


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
    name = client_missing(doc.integration, project.file(rel), project.lines(rel))
    if name is not None:
        return f"Client {name} is not in {rel} (SRC004): nothing to compare the Source line with"
    if (
        project.file(rel) is None
        and doc.integration.source_ref is not None
        and doc.integration.source_ref.line
    ):
        # Kotlin, Ruby …: its Client's place is not known, so its line is not either ("already in sync"
        # said what was never compared: round 54)
        return f"{rel} is in a language wiremap does not index: its Source line cannot be compared"
    only = imported_only(doc.integration, project.file(rel), project.lines(rel))
    if only is not None:
        # the Client moved to another module and the Source file re-exports it: sync cannot move a Source
        # across files, and "already in sync" hid lint's SRC003 error (round 56)
        return (
            f"{rel} only imports Client {only.client} (line {only.new_line}; SRC003): point the Source at "
            "its definition by hand"
        )
    return None


def sync_doc(doc: ParsedDoc, text: str, project: Project, rel: str, *, today: dt.date) -> SyncResult:
    """The doc's text with the code's news applied (``rel``: its Source path relative to the root)."""
    out = SyncResult(doc.path, text, text)
    if not project.exists(rel):
        return out
    parts = _NEWLINE.split(text)
    lines, endings = parts[0::2], parts[1::2]  # endings[i]: what ends lines[i], as written
    _fix_source_line(lines, doc, project, rel, out)
    integ = doc.integration
    # the commits SRC007 reports: the same definition (code/review.py), so sync and lint agree. They are
    # always recorded: a doc without a Recent Changes section gets one
    news = review_news(integ, project.history(rel))
    unrecorded = _unrecorded(doc, news)
    from ..lint.rules._common import is_unfilled  # the one definition of "empty or a placeholder"

    # the footer's fields are edited in place first, the new entries (which move lines) inserted last
    maintained = _field_index(lines, doc, "maintained_by", _MAINTAINED)
    updated = _field_index(lines, doc, "last_updated", _LAST_UPDATED)
    footer = min((i for i in (maintained, updated) if i is not None), default=None)
    owners_changed: str | None = None
    if is_unfilled(integ.maintained_by) and project.owners is not None:
        owners = project.owners.of(rel)
        if owners and _set_field(lines, maintained, " ".join(owners)):
            owners_changed = f"Maintained By set from CODEOWNERS: {' '.join(owners)}"
    # anything changed, or commits after the review day that are all recorded already: reviewed today
    changed = bool(out.changes or news or owners_changed)
    # a doc left with a line sync could not fix is not reviewed today: Last Updated would quiet SRC007 on
    # a doc SRC003 still fails (sync then called it "already in sync": new user, round 51)
    pending = bool(out.notes)
    today_set = (
        changed
        and not pending
        and _date(integ.last_updated) != today
        and _set_field(lines, updated, today.isoformat())
    )
    if changed and pending and _date(integ.last_updated) != today:
        left = "Last Updated left as it is"
        if unrecorded:
            left = "Recent Changes and Last Updated left as they are"
        out.notes.append(f"{left}: the doc still needs the fix above")
    # nor are its commits recorded: the newest entry's day is the doc's review day too, and it quieted
    # SRC007 on a doc SRC003 still fails (new user, round 63)
    if not pending and _add_recent_changes(lines, unrecorded, footer):
        out.changes.append(f"{len(unrecorded)} commit(s) added to Recent Changes")
    if owners_changed:
        out.changes.append(owners_changed)
    if today_set:
        out.changes.append(f"Last Updated → {today.isoformat()}")
    out.new = _join(lines, parts[0::2], endings)
    if out.changed:
        _check(out, doc)
    return out


def _join(lines: list[str], old: list[str], endings: list[str]) -> str:
    """``lines`` (the doc's lines ``old`` after the sync's edits) joined with the line endings the doc was
    written with: a line kept or rewritten in place keeps its own (CRLF, CR or LF), a line added takes the
    doc's usual one."""
    usual = max(set(endings), key=endings.count) if endings else "\n"
    out = [usual] * (len(lines) - 1)
    matcher = difflib.SequenceMatcher(None, old, lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=False):
                if i < len(endings) and j < len(out):
                    out[j] = endings[i]
    return "".join(line + end for line, end in zip(lines, [*out, ""], strict=True))


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
