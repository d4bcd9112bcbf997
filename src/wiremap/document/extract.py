"""Document -> :class:`wiremap.model.Integration`.

The field index built here (:class:`FieldRef` by label) is also what lint rules
read for raw values and lines, so every finding can point at the doc's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from .. import values as v
from ..model import (
    CodeExample,
    Directives,
    EnvVar,
    ExtraSection,
    FailureMode,
    Integration,
    Latency,
    Metric,
    Monitoring,
    Payload,
    RecentChange,
    SourceRef,
)
from ..secrets import mask_text
from .error_handling import read_error_handling
from .nodes import (
    Block,
    CodeBlock,
    Document,
    FieldLine,
    ListBlock,
    ListItem,
    Paragraph,
    RawBlock,
    Section,
    TextLine,
)
from .render import is_footer as _is_footer
from .render import section_body, written_items
from .template import canonical_section, is_footer_label, is_template_label, label_key, normalize_key

__all__ = [
    "FieldIndex",
    "FieldRef",
    "env_says_none",
    "extract",
    "parse_env_lines",
    "read_env_item",
    "read_env_vars",
    "read_failure_modes",
]


@dataclass(frozen=True, slots=True)
class FieldRef:
    """One ``**Label:** value`` as read, with what it owns (a code block or a list under it)."""

    section: str | None
    label: str
    line: int
    raw: str
    value: str
    block: CodeBlock | ListBlock | None = None
    # the code blocks right after the paragraph of a label that has a value (a sentence, then the config:
    # "We use resilience4j, configured in application.yml:" over a ```yaml block)
    after: tuple[CodeBlock, ...] = ()
    # the value's lines as written (joined by newlines) and the doc line of the first: a reader of
    # sentences names the line each one is on (ERR003 pointed at the label two lines above: round 47)
    text: str | None = None
    text_line: int | None = None

    @property
    def lines_text(self) -> tuple[str, int]:
        """(the value line by line, the doc line of its first line)."""
        if self.text is not None and self.text.split() == self.raw.split():  # (not a value made otherwise)
            return self.text, self.text_line or self.line
        return self.value, self.line


@dataclass(slots=True)
class FieldIndex:
    by_label: dict[str, FieldRef] = field(default_factory=dict)
    all: list[FieldRef] = field(default_factory=list)

    def get(self, label: str) -> FieldRef | None:
        return self.by_label.get(label_key(label))

    @property
    def changes(self) -> list[FieldRef]:
        """The Recent Changes entries: the section's labels but the footer's (Last Updated, Maintained
        By, and their synonyms: "Last reviewed", "Owner"), which sit below it. One definition for the
        model and every rule (VAL009 took "Owner" for a change's date while ``show`` did not: round 46)."""
        return [f for f in self.all if f.section == "Recent Changes" and not is_footer_label(f.label)]


def _written_next(blocks: tuple[Block, ...]) -> list[Block | None]:
    """For each block, the block fmt writes right after it: the footer moves to the end of the doc and an
    empty list writes nothing, so a field reads the code block or list it will sit on once formatted."""
    out: list[Block | None] = [None] * len(blocks)
    nxt: Block | None = None
    for i in range(len(blocks) - 1, -1, -1):
        out[i] = nxt
        b = blocks[i]
        if not (_is_footer(b) or (isinstance(b, ListBlock) and not written_items(b)) or _is_comment(b)):
            nxt = b
    return out


def _is_comment(block: Block) -> bool:
    """An HTML comment (``<!-- retries: 10 -->``): a note to editors, between a label and what it owns."""
    if not isinstance(block, RawBlock) or block.kind != "html":
        return False
    text = block.text.strip()
    return text.startswith("<!--") and text.endswith("-->") and "-->" not in text[4:-3]


# a Protocol naming TLS, unless it says it is not: "HTTP (plain HTTP inside the mesh, not HTTPS)"
_TLS_WORD = re.compile(r"\b(https|wss|tls|ssl|mtls|grpcs|amqps|rediss|mqtts)\b")
_NEGATED = re.compile(r"\b(?:not|no|without|non)\b[\s-]*(?:\w+\s+)?$")
# TLS ended before the service wiremap reaches: "TLS terminated at the LB, plain on the broker" (it tried a
# TLS handshake on a plain port and failed a working doc: round 42)
_TLS_ELSEWHERE = re.compile(
    r"\b(?:tls|ssl)\s+(?:is\s+)?(?:terminated|offloaded|ends?)\b|\bplain(?:text)?\s+(?:on|to|at|behind|inside|"
    r"between)\b|\bplain(?:text)?\s+(?:from|past)\s+the\b"
)


# labels whose next paragraph is read as a table or said to be unreadable (:func:`_label_table`)
_TABLE_LABELS = frozenset(normalize_key(label) for label in ("Failure Modes", "Environment Variables"))


def _is_sentences(block: Block | None) -> bool:
    """A paragraph of text alone: no ``**Label:**`` line in it, no table row (a table under a label is
    read as rows: :func:`_under_label`)."""
    return (
        isinstance(block, Paragraph)
        and all(isinstance(t, TextLine) for t in block.lines)
        and not any(t.raw.lstrip().startswith("|") for t in block.lines if isinstance(t, TextLine))
    )


def _code_after(blocks: tuple[Block, ...], i: int) -> tuple[CodeBlock, ...]:
    """The code blocks right after block ``i``."""
    code: list[CodeBlock] = []
    for b in blocks[i + 1 :]:
        if not isinstance(b, CodeBlock):
            break
        code.append(b)
    return tuple(code)


def _item_fields(section: str | None, block: ListBlock, nxt: Block | None) -> list[FieldRef]:
    """The template's labels written as the items of a list no label owns (``- **Source:** `a.py:5```,
    ``- **Destination**: Cart (host:port)``): each is that field, as it would be on a line of its own. Other
    bold words (a failure mode's name) and the items of an owned list are not fields."""
    out: list[FieldRef] = []
    for n, item in enumerate(block.items):
        if (
            not item.lines
            or not isinstance(head := item.lines[0], FieldLine)
            or not is_template_label(head.label)
        ):
            continue
        raw, value = head.raw_value, head.value
        for cont in item.lines[1:]:
            if not isinstance(cont, TextLine):
                break
            raw, value = f"{raw} {cont.raw}".strip(), f"{value} {cont.raw}".strip()
        owned: CodeBlock | ListBlock | None = None
        if not raw:
            if item.children and isinstance(item.children[0], CodeBlock | ListBlock):
                owned = item.children[0]
            elif not item.children and n == len(block.items) - 1 and isinstance(nxt, CodeBlock | ListBlock):
                owned = nxt  # "- **Health Check:**" closing the list, its fence unindented below it
        out.append(FieldRef(section, head.label, head.line, raw, value, owned))
    return out


_CELL_MARKS = re.compile(r"\*\*|__|`")


def _plain_cell(cell: str) -> str:
    return _CELL_MARKS.sub("", cell).strip()


def _table_pairs(block: Block) -> list[tuple[int, str, str]]:
    """``(line, first cell, second cell)`` of each body row of a table written as a paragraph of its
    own (``| P99 | 150 ms |``, ``| **Source** | `a.py:5` |``); nothing for any other block."""
    if not isinstance(block, Paragraph) or len(block.lines) < 3:
        return []
    rows = [t for t in block.lines if isinstance(t, TextLine)]
    if len(rows) != len(block.lines) or not rows[0].raw.lstrip().startswith("|") or not _is_table(rows):
        return []
    out: list[tuple[int, str, str]] = []
    for row in rows[2:]:
        cells = _table_cells(row.raw)
        if len(cells) >= 2 and cells[0]:
            out.append((row.line, cells[0], cells[1]))
    return out


def _table_columns(block: Block) -> list[tuple[int, str, str]]:
    """``(line, header cell, cell)`` of the first body row of a table whose header names what each column
    is (``| Typical | P95 | P99 |`` over ``| 4 ms | 12 ms | 30 ms |``: read as absent, round 41)."""
    if not isinstance(block, Paragraph) or len(block.lines) < 3:
        return []
    rows = [t for t in block.lines if isinstance(t, TextLine)]
    if len(rows) != len(block.lines) or not rows[0].raw.lstrip().startswith("|") or not _is_table(rows):
        return []
    header, first = _table_cells(rows[0].raw), _table_cells(rows[2].raw)
    return [(rows[2].line, h, c) for h, c in zip(header, first, strict=False) if h and c]


def _row_fields(section: str | None, block: Paragraph) -> list[FieldRef]:
    """The template's labels written as the rows of a two-column table (``| Source | `a.py:5` |``): each
    is that field, as a ``**Label:** value`` line would be."""
    out: list[FieldRef] = []
    for line, name, cell in _table_pairs(block):
        label = _plain_cell(name).rstrip(":").strip()
        if is_template_label(label):
            out.append(FieldRef(section, label, line, cell, _plain_cell(cell)))
    return out


def _unswallowed(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A template label written on the line after a list's last item, no blank line between
    (``- **Timeout**: … → retried`` then ``**Retry Strategy:**``), is a lazy continuation of that item
    in Markdown: it is taken out as the field it is (CRT002 said "no Retry Strategy" of such a doc, and
    ``show`` had none: round 32). Only the template's labels, never on an item's first line."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, ListBlock) and block.items:
            last = block.items[-1]
            cut = next(
                (
                    n
                    for n, ln in enumerate(last.lines)
                    if n > 0 and isinstance(ln, FieldLine) and is_template_label(ln.label)
                ),
                None,
            )
            if cut is not None and not last.children:
                item = ListItem(last.line, last.lines[:cut], last.children)
                out.append(ListBlock(block.line, block.ordered, block.start, (*block.items[:-1], item)))
                out.append(Paragraph(last.lines[cut].line, last.lines[cut:]))
                continue
        out.append(block)
    return tuple(out)


def _fields_of(section: str | None, blocks: tuple[Block, ...]) -> list[FieldRef]:
    blocks = _unswallowed(blocks)
    out: list[FieldRef] = []
    following = _written_next(blocks)
    owned_ids: set[int] = set()
    for i, block in enumerate(blocks):
        if isinstance(block, ListBlock):
            if id(block) not in owned_ids and section != "Recent Changes":
                out.extend(_item_fields(section, block, following[i]))
            continue
        if not isinstance(block, Paragraph):
            continue
        if section != "Recent Changes" and block.lines and isinstance(block.lines[0], TextLine):
            out.extend(_row_fields(section, block))
            for ln in block.lines:  # sentences before the paragraph's first label line
                if not isinstance(ln, TextLine):
                    break
                if not ln.raw.lstrip().startswith("|"):
                    out.extend(_sentence_labels(section, ln))
        lines = block.lines
        for j, ln in enumerate(lines):
            if not isinstance(ln, FieldLine):
                continue
            raw, value = ln.raw_value, ln.value
            text, text_line = [ln.raw_value], ln.line
            k = j + 1
            while k < len(lines) and isinstance(lines[k], TextLine):  # continuation lines
                cont = lines[k]
                assert isinstance(cont, TextLine)
                raw, value = f"{raw} {cont.raw}".strip(), f"{value} {cont.raw}".strip()
                text.append(cont.raw)
                k += 1
            if not text[0].strip() and len(text) > 1:
                text, text_line = text[1:], text_line + 1
            owned: CodeBlock | ListBlock | None = None
            owns = not raw or (section == "Recent Changes" and not is_footer_label(ln.label))
            after: tuple[CodeBlock, ...] = ()
            if j == len(lines) - 1 and owns and not _is_footer(block):
                nxt = following[i]
                if isinstance(nxt, CodeBlock | ListBlock):
                    owned = nxt
                    owned_ids.add(id(nxt))
                    if isinstance(nxt, ListBlock):
                        owned = _joined_lists(blocks, nxt, owned_ids)
                elif not raw and _is_sentences(nxt) and normalize_key(ln.label) not in _TABLE_LABELS:
                    # "**Retry Strategy:**", a blank line, then its sentences (and the config after them):
                    # the label's value is that paragraph (it was read as no strategy at all)
                    assert isinstance(nxt, Paragraph)
                    said = [t for t in nxt.lines if isinstance(t, TextLine)]
                    raw = value = " ".join(t.raw.strip() for t in said)
                    text, text_line = [t.raw for t in said], said[0].line if said else ln.line
                    after = _code_after(blocks, blocks.index(nxt))
            elif k == len(lines) and raw and not _is_footer(block):  # the value runs to the paragraph's end
                after = _code_after(blocks, i)
            if (more := _more_labels(section, ln.line, raw)) is not None:
                first_raw, rest = more
                out.append(FieldRef(section, ln.label, ln.line, first_raw, _plain_cell(first_raw)))
                out.extend(rest)
                continue
            out.append(
                FieldRef(section, ln.label, ln.line, raw, value, owned, after, "\n".join(text), text_line)
            )
    return out


def _joined_lists(blocks: Sequence[Block], first: ListBlock, owned_ids: set[int]) -> ListBlock:
    """A label's list and the lists right after it: a list whose marker changes (``1.`` then ``1)``, ``-``
    then ``*``) is a new list to CommonMark, not to the writer (the DNS mode after ``1)`` was dropped with
    nothing said: round 57)."""
    at = next((n for n, b in enumerate(blocks) if b is first), None)
    if at is None:
        return first
    items = list(first.items)
    for b in blocks[at + 1 :]:
        if not isinstance(b, ListBlock):
            break
        items.extend(b.items)
        owned_ids.add(id(b))
    if len(items) == len(first.items):
        return first
    return ListBlock(first.line, first.ordered, first.start, tuple(items))


# another label later on the same line: "**Source:** `a.py:12` · **Client:** `requests.post`"
_NEXT_LABEL = re.compile(r"(?:^|\s)[·•|,;—–-]?\s*(?:\*\*|__)([^*_\n]{1,40}?)(?::(?:\*\*|__)|(?:\*\*|__):)\s*")


def _more_labels(section: str | None, line: int, raw: str) -> tuple[str, list[FieldRef]] | None:
    """A value holding further template labels, split: the first field's own value and the fields after
    it (DOC002 said "missing field Client" of a line that holds it, and discover called its call site
    undocumented: new user, round 27). Words in bold that are no template label stay in the value."""
    found = [m for m in _NEXT_LABEL.finditer(raw) if is_template_label(m.group(1))]
    if not found:
        return None
    cut = " ·•|,;—–-"
    refs: list[FieldRef] = []
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        part = raw[m.end() : nxt.start() if nxt is not None else len(raw)].strip().rstrip(cut).strip()
        refs.append(FieldRef(section, m.group(1).strip(), line, part, _plain_cell(part)))
    return raw[: found[0].start()].strip().rstrip(cut).strip(), refs


# where a value written inside a sentence ends: a comma, a stop or a joining word after it
_SENTENCE_VALUE_END = re.compile(
    r"[,;]\s|[,;]$|\.\s|\.$|\s(?:and|using|with|via|through|over|which|that|to)(?:\s|$)", re.I
)


def _sentence_labels(section: str | None, ln: TextLine) -> list[FieldRef]:
    """Template labels inside a sentence ("The source is **Source:** `poller.py:30`, and it talks to
    **Destination:** Health API (127.0.0.1:8080) using **Client:** …"): each is its field, its value what
    follows it up to the clause's end (DOC002 said all three missing, and verify skipped the doc: new
    user, round 41). Only when the bold words are template labels."""
    if "**" not in ln.raw and "__" not in ln.raw:
        return []
    more = _more_labels(section, ln.line, ln.raw)
    if more is None:
        return []
    out: list[FieldRef] = []
    for ref in more[1]:
        part = ref.raw
        if part.startswith("`") and (close := part.find("`", 1)) > 0:
            part = part[: close + 1]
        elif (end := _SENTENCE_VALUE_END.search(part)) is not None:
            part = part[: end.start()]
        part = part.strip()
        out.append(FieldRef(section, ref.label, ref.line, part, _plain_cell(part)))
    return out


def index_fields(doc: Document) -> FieldIndex:
    idx = FieldIndex()
    groups: list[tuple[str | None, tuple[Block, ...]]] = [("header", doc.preamble)]
    groups += [(canonical_section(s.title), s.blocks) for s in doc.sections]
    for section, blocks in groups:
        for ref in _fields_of(section, blocks):
            idx.all.append(ref)
            key = label_key(ref.label)
            if section == "Recent Changes" and not is_footer_label(ref.label):
                continue
            idx.by_label.setdefault(key, ref)
    return idx


def _code(ref: FieldRef | None) -> str | None:
    if ref is None:
        return None
    if isinstance(ref.block, CodeBlock):
        return ref.block.text.rstrip("\n")
    return v.strip_code(ref.value) or None


def _items(ref: FieldRef | None) -> list[ListItem]:
    """The items of the list a field owns, as fmt writes them: a bare bullet is no entry."""
    if ref is not None and isinstance(ref.block, ListBlock):
        return written_items(ref.block)
    return []


def _split_item(item: ListItem) -> tuple[str, str]:
    first = item.lines[0] if item.lines else None
    if isinstance(first, FieldLine):
        rest = " ".join([first.value] + [x.raw for x in item.lines[1:] if isinstance(x, TextLine)])
        return first.label.strip(), rest.strip()
    text = item.text
    if m := _MARKED_NAME.match(text):  # "**Timeout** - what → handling": the marks say where the name ends
        return m.group(2).strip(), m.group(3).strip()
    if ":" in text:
        name, _, rest = text.partition(":")
        return name.strip(), rest.strip()
    m = _KEY_SEP.match(text)
    if m:
        return m.group(1), m.group(2).strip()
    return text.strip(), ""


# "P99 — 900 ms", "P99 = 900 ms", "p95 - 120ms", "P99 ~ 300ms", "P99 ≈ 300 ms", "P99 < 300 ms": a short key,
# a dash/equals/approximately sign, the value (the sign of approximation stays with the value)
_KEY_SEP = re.compile(r"^\s*([A-Za-z][\w. ]{0,20}?)\s+(?:(?:—|–|-|=)\s+|(?=[~≈<≤]\s*\d))(.+)$")
# "**Timeout** - rest", "__Timeout__ = rest", "*Timeout* — rest", "`Timeout` - rest", "**Timeout** → rest": a
# name in emphasis or a code span, then a colon, dash or equals sign (or straight the arrow), then the rest
_MARKED_NAME = re.compile(
    r"^\s*(\*\*|__|\*|_|`)([^\s*_`][^*`\n]{0,79}?)\1\s*(?:(?::|—|–|-(?!>)|=(?!>))\s*|(?=(?:→|->|=>)))(.*)$"
)
_ARROW = re.compile(r"\s*(?:→|->|=>)\s*")


# emphasis or a code span anywhere in a name: "**Timeout** (no ack in 3 s)", "`ECONNRESET` from the peer";
# "_" and "__" only at word edges, so DEADLINE_EXCEEDED keeps its underscore
_EMPHASIS = re.compile(r"(\*\*|\*|`)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")


def _plain_name(name: str) -> str:
    """A failure mode's name without its Markdown marks: ``**Timeout** (no ack)`` -> ``Timeout (no ack)``."""
    plain = v.strip_code(name)
    for _ in range(3):  # nested marks: *`ECONNRESET`*
        plain = _EMPHASIS.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(4), plain)
    return plain.strip() or name.strip()


def _failure_mode(item: ListItem) -> FailureMode:
    name, rest = _split_item(item)
    if not rest and ":" not in item.text:
        parts = _ARROW.split(item.text.strip(), maxsplit=1)
        if len(parts) == 2 and parts[0].strip():  # "Server Error → no retry": the name, then the handling
            return FailureMode(name=_plain_name(parts[0]), handling=parts[1].strip() or None)
        return FailureMode(name=_plain_name(item.text))
    parts = _ARROW.split(rest, maxsplit=1)
    what = parts[0].strip() or None
    handling = parts[1].strip() if len(parts) > 1 else None
    return FailureMode(name=_plain_name(name), what_happens=what, handling=handling or None)


# a Markdown table's delimiter row: "|---|:---:|", "--- | ---"
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
# what a Failure Modes table's column holds, by its header's words: the action (what the caller does),
# whether it is retried, the cause (what happens), the failure's name; tried in this order ("Error
# handling" is the action, "Failure" the name)
_COLUMN_ACTION = re.compile(
    r"\b(?:action|handling|handled|handle|what\s+(?:we|to|the\s+client)\s+do(?:es)?|response|reaction|"
    r"mitigation|recovery|outcome|resolution|behaviou?r|remediation|fallback)s?\b",
    re.IGNORECASE,
)
_COLUMN_RETRY = re.compile(r"\bretr(?:y|ies|ied)\b", re.IGNORECASE)
_COLUMN_CAUSE = re.compile(
    r"\b(?:cause|why|reason|description|effect|impact|details?|meaning|what\s+happens|trigger|symptom)s?\b",
    re.IGNORECASE,
)
_COLUMN_NAME = re.compile(
    r"\b(?:failure|mode|error|condition|scenario|case|fault|name|type|event|problem|exception|status)s?\b",
    re.IGNORECASE,
)
_CELL_NO = re.compile(r"^(?:no|none|never|false|0|-|—|–|✗|✘|x)\b", re.IGNORECASE)
_CELL_YES = re.compile(r"^(?:yes|y|true|✓|✔)\b", re.IGNORECASE)
_SAYS_NONE = re.compile(r"^[\s*_`(]*(?:none|n/?a|nothing|not\s+applicable|[-—–])[\s*_`).]*$", re.IGNORECASE)
# a paragraph under the label that says there is none: "None known.", "No failure modes yet."
_PROSE_NONE = re.compile(
    r"^[\s*_`(]*(?:none\b|n/?a\b|nothing\b|not\s+applicable\b|no\s+(?:known\s+)?failure)", re.IGNORECASE
)


def _table_cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", s)]


def _is_table(rows: list[TextLine]) -> bool:
    return len(rows) >= 2 and "|" in rows[0].raw and bool(_TABLE_DELIMITER.match(rows[1].raw))


def _column_roles(header: list[str]) -> tuple[int, list[int], list[int]]:
    """The name column, the action columns (the retry ones included) and the cause columns of a Failure
    Modes table, by its header's words; without such words the first column is the name and the last the
    action, and any other column is the cause unless a column's header says it is the cause. "What
    happens" is the cause, or the action when another column is the cause and none the action."""
    roles: list[str] = []
    for h in header:
        plain = _plain_name(h) if h else ""
        if _COLUMN_ACTION.search(plain):
            roles.append("action")
        elif _COLUMN_RETRY.search(plain):
            roles.append("retry")
        elif _COLUMN_CAUSE.search(plain):
            roles.append("cause")
        elif _COLUMN_NAME.search(plain):
            roles.append("name")
        else:
            roles.append("")
    name = roles.index("name") if "name" in roles else 0
    actions = [i for i, r in enumerate(roles) if r in ("action", "retry") and i != name]
    last = len(roles) - 1
    happens = [
        i for i, h in enumerate(header) if i != name and re.search(r"what\s+happens", h, re.IGNORECASE)
    ]
    if not actions and len(happens) == 1 and roles.count("cause") > 1:  # "Cause | What happens"
        actions = happens
    elif not actions and last != name and roles[last] in ("", "name"):
        actions = [last]
    causes = [i for i in range(len(roles)) if i != name and i not in actions]
    if any(roles[i] == "cause" for i in causes):  # columns that say nothing of the failure (Alert, Owner,
        # Runbook) are not its cause when a column says it is (they were folded into what_happens: round 27)
        causes = [i for i in causes if roles[i] == "cause"]
    return name, actions, causes


def _retry_cell(cell: str) -> str:
    """A Retry column's cell in words the retry readers take: ``no`` is "not retried", ``yes`` "retried",
    ``3x, 200 ms apart`` "retried 3x, 200 ms apart"."""
    plain = _plain_name(cell) if cell else ""
    if not plain or re.match(r"^(?:n/?a|\?|unknown|tbd)\W*$", plain, re.IGNORECASE):
        return ""
    if re.search(r"\bretr", plain, re.IGNORECASE):
        return plain
    if m := _CELL_NO.match(plain):
        rest = plain[m.end() :].strip(" ,;:.")
        return "not retried" + (f" ({rest})" if rest else "")
    if m := _CELL_YES.match(plain):
        rest = plain[m.end() :].strip(" ,;:.")
        return "retried" + (f" {rest}" if rest else "")
    return f"retried {plain}"


def _table_modes(rows: list[TextLine]) -> tuple[list[tuple[int, FailureMode]], list[tuple[int, str]]]:
    """A Failure Modes table (a header row, the delimiter row, a row per failure) -> the modes with their
    row's line, and the rows that name no failure."""
    header = _table_cells(rows[0].raw)
    name_col, action_cols, cause_cols = _column_roles(header)
    modes: list[tuple[int, FailureMode]] = []
    unread: list[tuple[int, str]] = []
    for row in rows[2:]:
        cells = _table_cells(row.raw)
        cells += [""] * (len(header) - len(cells))
        name = cells[name_col]
        if not name or _SAYS_NONE.match(name):
            if any(c for i, c in enumerate(cells) if i != name_col):
                unread.append((row.line, "a table row that names no failure"))
            continue
        action = [
            _retry_cell(cells[i])
            if _COLUMN_RETRY.search(header[i]) and not _COLUMN_ACTION.search(header[i])
            else cells[i]
            for i in action_cols
        ]
        what = "; ".join(c for i in cause_cols if (c := cells[i]))
        handling = "; ".join(a for a in action if a)
        modes.append(
            (
                row.line,
                FailureMode(name=_plain_name(name), what_happens=what or None, handling=handling or None),
            )
        )
    return modes, unread


def _under_label(doc: Document, ref: FieldRef) -> tuple[list[TextLine], Block | None]:
    """What follows a label that owns no list or code block: the text lines after it in its paragraph,
    and the block fmt writes after that paragraph when the label is its last line."""
    groups = [doc.preamble, *(s.blocks for s in doc.sections)]
    for blocks in groups:
        for i, block in enumerate(blocks):
            if not isinstance(block, Paragraph):
                continue
            at = next((j for j, ln in enumerate(block.lines) if ln.line == ref.line), None)
            if at is None or not isinstance(block.lines[at], FieldLine):
                continue
            rest: list[TextLine] = []
            for ln in block.lines[at + 1 :]:
                if not isinstance(ln, TextLine):
                    break
                rest.append(ln)
            last = at + len(rest) == len(block.lines) - 1
            return rest, (_written_next(blocks)[i] if last else None)
    return [], None


_NO_MODE = re.compile(
    r"^[\s*_`(]*(?:none|n/?a|nothing|not\s+applicable|-+|—|–)[\s*_`).:]*(?:$|[(:—–-])", re.I
)


def read_failure_modes(
    doc: Document, ref: FieldRef
) -> tuple[list[tuple[int, FailureMode]], list[tuple[int, str]]]:
    """The Failure Modes under ``ref``, each with its line: a list's items, or a table's rows; and what
    is written under the label that cannot be read (line, what it is), for lint to say."""
    if isinstance(ref.block, ListBlock):
        # "- none" says there is no failure mode: not one named "none" (round 42; as for env vars)
        items = [it for it in _items(ref) if not _NO_MODE.match(it.text)]
        return [(it.line, _failure_mode(it)) for it in items], []
    if isinstance(ref.block, CodeBlock):
        return [], [(ref.block.line, "a code block")]
    rows, unread = _label_table(doc, ref, _PROSE_NONE)
    return (_table_modes(rows) if rows else ([], [])) if not unread else ([], unread)


def _label_table(
    doc: Document, ref: FieldRef, says_none: re.Pattern[str]
) -> tuple[list[TextLine], list[tuple[int, str]]]:
    """The Markdown table written under a label that owns no list or code block (right under it in its
    paragraph, or as the next paragraph), or what is written there instead that is not a table (line,
    what it is). Text that ``says_none`` matches ("None known.") is neither."""
    rest, nxt = _under_label(doc, ref)
    if rest and _is_table(rest):
        return rest, []
    if rest and not says_none.match(" ".join(ln.raw for ln in rest)):
        return [], [(rest[0].line, "text right under the label")]
    if not rest and ref.raw and not _SAYS_NONE.match(ref.raw):
        return [], [(ref.line, "text on the label's line")]
    if isinstance(nxt, Paragraph) and not isinstance(nxt.lines[0], FieldLine):
        rows = [ln for ln in nxt.lines if isinstance(ln, TextLine)]
        if len(rows) == len(nxt.lines) and _is_table(rows):
            return rows, []
        if says_none.match(" ".join(ln.raw for ln in rows)):
            return [], []
        return [], [(nxt.line, "a paragraph")]
    if isinstance(nxt, RawBlock):
        return [], [(nxt.line, f"a block of {nxt.kind}")]
    return [], []


# what an Environment Variables table's column holds, by its header's words
_ENV_COLUMN_NAME = re.compile(r"\b(?:variables?|vars?|names?|env|environment|keys?|settings?)\b", re.I)
# without a label over the table only a header that says so: "Setting" or "Name" may head anything
_ENV_COLUMN_STRICT = re.compile(r"\b(?:variables?|vars?|env|environment)\b", re.I)
_ENV_COLUMN_VALUE = re.compile(r"\b(?:values?|defaults?|examples?|samples?)\b", re.I)


def _table_envs(rows: list[TextLine]) -> tuple[list[tuple[int, EnvVar]], list[tuple[int, str]]]:
    """An Environment Variables table (a header row, the delimiter row, a row per variable) -> the
    variables with their row's line, and the rows that name no variable. The variable's column is the
    one whose header says so ("Variable", "Name"), else the first; the value's the one headed "Value",
    "Default" or "Example"; any other column is the purpose."""
    header = [_plain_name(h) if h else "" for h in _table_cells(rows[0].raw)]
    name_col = next((i for i, h in enumerate(header) if _ENV_COLUMN_NAME.search(h)), 0)
    value_col = next((i for i, h in enumerate(header) if i != name_col and _ENV_COLUMN_VALUE.search(h)), None)
    envs: list[tuple[int, EnvVar]] = []
    unread: list[tuple[int, str]] = []
    for row in rows[2:]:
        cells = _table_cells(row.raw)
        cells += [""] * (len(header) - len(cells))
        env = read_env_text(cells[name_col])
        if env is None:
            if not _SAYS_NONE.match(cells[name_col]) or any(c for i, c in enumerate(cells) if i != name_col):
                unread.append((row.line, "a table row whose variable cell names none"))
            continue
        value = _unquote(cells[value_col]) if value_col is not None and cells[value_col] else env.value
        purposes = [c for i, c in enumerate(cells) if i not in (name_col, value_col) and c]
        purpose = "; ".join([*([env.purpose] if env.purpose else []), *purposes])
        envs.append((row.line, EnvVar(name=env.name, value=value or None, purpose=purpose or None)))
    return envs, unread


def _settings_table(doc: Document, ref: FieldRef) -> tuple[int, str] | None:
    """A two-column table under a label (a header row, then ``| key | value |`` rows) as ``key: value``
    lines, with the line of the first row; None when no such table is there."""
    rows, _ = _label_table(doc, ref, _SAYS_NONE)
    if not rows:
        return None
    pairs = [cells for row in rows[2:] if len(cells := _table_cells(row.raw)) >= 2 and cells[0]]
    if not pairs:
        return None
    return rows[2].line, "\n".join(f"{_plain_cell(c[0])}: {_plain_cell(' '.join(c[1:]))}" for c in pairs)


def _section_tables(doc: Document, name: str) -> Iterator[tuple[list[TextLine], list[str]]]:
    """The Markdown tables of the section ``name`` (in any of its titles), each with its header's cells
    as plain text."""
    for section in doc.sections:
        if canonical_section(section.title) != name:
            continue
        for block in section.blocks:
            if not isinstance(block, Paragraph) or not all(isinstance(x, TextLine) for x in block.lines):
                continue
            rows = [x for x in block.lines if isinstance(x, TextLine)]
            if _is_table(rows):
                yield rows, [_plain_name(h) if h else "" for h in _table_cells(rows[0].raw)]


def _config_env_table(doc: Document) -> list[TextLine] | None:
    """The first table of the Configuration section whose header names a variable column ("Variable",
    "Env var"), when no label says where the variables are."""
    return next(
        (
            rows
            for rows, header in _section_tables(doc, "Configuration")
            if any(map(_ENV_COLUMN_STRICT.search, header))
        ),
        None,
    )


def read_env_vars(doc: Document, ref: FieldRef) -> tuple[list[tuple[int, EnvVar]], list[tuple[int, str]]]:
    """The Environment Variables under ``ref`` that are not a code block, each with its line: a list's
    items, or a table's rows; and what is written there that names no variable (line, what it is)."""
    if isinstance(ref.block, ListBlock):
        listed = [(it.line, env) for it in _items(ref) if (env := read_env_item(it)) is not None]
        return listed, []
    rows, unread = _label_table(doc, ref, _ENV_NONE)
    if unread:
        return [], unread
    if not rows:
        return [], []
    envs, skipped = _table_envs(rows)
    # a list right after the table goes on with it (``- `SIGNING_TOKEN=…` — HMAC token``: dropped with no
    # finding, round 41); its items that name a variable are variables too
    after = _block_after(doc, rows[-1].line)
    if isinstance(after, ListBlock):
        for item in after.items:
            env = read_env_item(item)
            if env is not None and env.name not in {e.name for _, e in envs}:
                envs.append((item.line, env))
    return envs, skipped


def _block_after(doc: Document, line: int) -> Block | None:
    """The block right after the one holding ``line``, in its section."""
    for blocks in (doc.preamble, *(s.blocks for s in doc.sections)):
        for i, block in enumerate(blocks):
            if isinstance(block, Paragraph) and any(ln.line == line for ln in block.lines):
                return blocks[i + 1] if i + 1 < len(blocks) else None
    return None


_ENV = re.compile(
    r"""^\s*(?:export\s+|set\s+|setx\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*"""
    # a GitHub Actions expression is one value, its spaces included: ``${{ secrets.FEED_WS_TOKEN }}``
    r"""(?P<value>"[^"]*"|'[^']*'|\$\{\{[^}\n]*\}\}|[^\s"']*)(?:\s+\#\s*(?P<purpose>.*)|\s*)$"""
)
_ENV_PLACEHOLDER = re.compile(
    r"""^\s*(?:export\s+)?(?P<name>\[[^\]]+\])=(?P<value>\S*)\s*(?:#\s*(?P<purpose>.*))?$"""
)


def parse_env_lines(text: str) -> list[tuple[int, EnvVar]]:
    """``export NAME=value  # purpose`` lines -> (offset within the block, EnvVar)."""
    out: list[tuple[int, EnvVar]] = []
    for n, line in enumerate(text.split("\n")):
        m = _ENV.match(line) or _ENV_PLACEHOLDER.match(line)
        if not m:
            continue
        value = m.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        purpose = (m.group("purpose") or "").strip() or None
        out.append((n, EnvVar(name=m.group("name"), value=value or None, purpose=purpose)))
    return out


# a variable as a list item writes it: ``NAME``, ``NAME=value`` (``export`` optional), ``[VAR_NAME]``
_ENV_ITEM_HEAD = re.compile(
    r"""(?:export\s+|set\s+|setx\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*|\[[A-Za-z0-9_ ]+\])"""
    r"""(?:\s*=\s*(?P<value>"[^"]*"|'[^']*'|`[^`]*`|\$\{\{[^}\n]*\}\}|\S*))?"""
)
# what separates a variable from its purpose: ``# purpose``, `` — purpose``, ``: purpose``, ``- purpose``
_ENV_PURPOSE_SEP = re.compile(r"^\s*(?:\#+|—|–|-(?!>)|:|→|->|=>)\s*")
_ENV_WRAPPED = re.compile(r"^\s*(?P<mark>`+|\*\*|__)(?P<head>.+?)(?P=mark)(?P<rest>.*)$", re.DOTALL)
# an item that says there is no variable: "none", "n/a", "-", "No variables: the client reads none"
_ENV_NONE = re.compile(r"^[\s*_`(]*(?:none\b|n/?a\b|nothing\b|no\b|not\s+applicable\b|[-—–]\s*$|$)", re.I)
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def env_says_none(item: ListItem) -> bool:
    """The list item says there is no variable (``none``, ``n/a``, ``-``): not one named "none"."""
    return bool(_ENV_NONE.match(item.text)) and read_env_item(item) is None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
        return value[1:-1]
    return value


def read_env_item(item: ListItem) -> EnvVar | None:
    """One Environment Variables list item -> EnvVar, or ``None`` when it names no variable.

    Read: ``NAME: purpose``, ``NAME=value``, ``NAME=value  # purpose``, ``NAME=value — purpose``,
    ``NAME=value: purpose``, ``NAME - purpose``, each with the variable (or ``NAME=value``) in a code span
    or in bold or bare, ``export`` optional; ``NAME`` alone.
    """
    return read_env_text(item.raw)


# what after "NAME:" is a value, not words: a URL, host:port, a code span, a number alone or before its
# purpose in parentheses or after a dash
_VALUE_FIRST = re.compile(
    r"^(?P<value>`[^`]+`|[a-z][a-z0-9+.-]*://\S+|[\w.-]+:\d{1,5}(?:/\S*)?|\d+(?:\.\d+)?(?=\s*(?:$|\(|[—–-]\s)))"
    r"(?P<rest>\s*(?:\(.*\)|[—–-]\s.*)?)$",
    re.IGNORECASE,
)


def read_env_text(raw: str) -> EnvVar | None:
    """One variable as a list item or a table cell writes it -> EnvVar (see :func:`read_env_item`)."""
    text = raw.strip()
    wrapped = _ENV_WRAPPED.match(text)
    if wrapped is not None:
        head = wrapped.group("head").strip().strip("`").strip()
        if not wrapped.group("mark").startswith("`"):  # "**MQTT\\_HOST**": Markdown escapes outside code
            head = _MD_ESCAPE.sub(r"\1", head)
        if (line := _ENV.match(head)) is not None and line.group("purpose"):
            # "`NAME=value  # purpose`": a line of a shell file in a code span, its comment the purpose
            said = _unquote(line.group("value"))
            rest = wrapped.group("rest").strip(" :—–-")
            purpose = line.group("purpose").strip() + (f"; {rest}" if rest else "")
            return EnvVar(name=line.group("name"), value=said or None, purpose=purpose or None)
        m = _ENV_ITEM_HEAD.fullmatch(head)
        if m is None:  # "NAME=a value with spaces" in a code span: the value is the rest of the span
            name, eq, val = head.partition("=")
            m = _ENV_ITEM_HEAD.fullmatch(name.strip()) if eq else None
            value: str | None = val.strip() if m is not None else None
        else:
            value = m.group("value")
        rest = wrapped.group("rest")
    else:
        unescaped = _MD_ESCAPE.sub(r"\1", text)
        m = _ENV_ITEM_HEAD.match(unescaped)
        value = m.group("value") if m is not None else None
        rest = unescaped[m.end() :] if m is not None else ""
        if value is not None and value.endswith(":") and rest.strip():  # "NAME=value: purpose"
            value, rest = value[:-1], ":" + rest
    if m is None:
        return None
    name = m.group("name")
    if value is None and (later := re.match(r"\s*=\s*(`[^`]*`|\"[^\"]*\"|'[^']*'|\S+)", rest)):
        value, rest = later.group(1), rest[later.end() :]  # "`NAME` = `value`"
    sep = _ENV_PURPOSE_SEP.match(rest)
    if rest.strip() and sep is None and not rest.lstrip().startswith("("):
        return None  # "Set MQTT_HOST to the broker": words, not a variable
    purpose = (rest[sep.end() :] if sep is not None else rest).strip()
    if value is None and sep is not None and (first := _VALUE_FIRST.match(purpose)) is not None:
        # "CACHE_REDIS_URL: redis://127.0.0.1:6379/0 (the cache)": a value, then its purpose (the URL was
        # read as the purpose, and faults said the variable had no value: new user, round 26)
        value, purpose = first.group("value").strip("`"), first.group("rest").strip().strip("()—–-: ").strip()
    if name.lower() == "none" and value is None:
        return None
    return EnvVar(name=name, value=_unquote(value) if value else None, purpose=purpose or None)


def _payload_block(ref: FieldRef) -> CodeBlock | None:
    """The code block that holds a Request/Response example: under the label, or right after a label whose
    value is a note about it (``**Response:** (HTTP 200)`` over a ```json block: round 38, the block was
    dropped and the contract went unchecked) rather than the example itself."""
    if isinstance(ref.block, CodeBlock):
        return ref.block
    inline = v.strip_code(ref.value).lstrip()
    if ref.after and not inline.startswith(("{", "[")):
        return ref.after[0]
    return None


def _payload(ref: FieldRef | None) -> Payload | None:
    if ref is None:
        return None
    block = _payload_block(ref)
    if block is not None:
        lang, text = block.language, block.text.rstrip("\n")
    elif ref.value:
        lang, text = None, v.strip_code(ref.value)
    else:
        return None
    data: Any = None
    if (lang or "").lower() in ("json", "jsonc", "json5") or (
        lang is None and text.lstrip()[:1] in ("{", "[")
    ):
        try:
            data = v.parse_json(text)
        except ValueError:
            data = None
    return Payload(language=lang, text=text, json_value=data)


def _section_text(section: Section) -> str:
    """The section's text as the renderer writes it (fmt compares it before and after a rewrite)."""
    return section_body(section.blocks)


def _unlabelled_modes(doc: Document) -> list[tuple[int, FailureMode]]:
    """A table in the Error Handling section with no Failure Modes label above it, whose header names
    the failure ("Failure", "Error", "Scenario"…) and what is done ("Handling", "Action"…) or
    what happens: the failure modes, as under the label."""
    for rows, header in _section_tables(doc, "Error Handling"):
        names = any(_COLUMN_NAME.search(h) for h in header)
        acts = any(
            _COLUMN_ACTION.search(h) or _COLUMN_RETRY.search(h) or _COLUMN_CAUSE.search(h) for h in header
        )
        if names and acts:
            return _table_modes(rows)[0]
    return []


def _first_code(doc: Document, name: str) -> tuple[CodeBlock | None, int]:
    for s in doc.sections:
        if canonical_section(s.title) == name:
            for b in s.blocks:
                if isinstance(b, CodeBlock):
                    return b, b.line
    return None, 0


def _directives(doc: Document) -> Directives:
    disable: list[str] = []
    settings: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, body in doc.directives:
        for token in body.split():
            key, eq, val = token.partition("=")
            if not eq:
                continue
            if key.lower() in ("disable", "noqa", "ignore"):
                disable.extend(c.strip().upper() for c in val.split(",") if c.strip())
            else:
                settings[key.lower()] = val
                lines[key.lower()] = line
    return Directives(disable=list(dict.fromkeys(disable)), settings=settings, lines=lines)


_TITLE = re.compile(r"^\s*integration\s*:\s*(.*?)\s*(?:→|->|⟶|=>)\s*(.*?)\s*$", re.IGNORECASE)
_LATENCY_KEYS = {"typical": "typical", "p50": "typical", "median": "typical", "p95": "p95", "p99": "p99"}
# a latency key then its value with no separator: "P95 5 ms", "p99 0.3s (measured …)"
_LATENCY_BARE = re.compile(
    r"^\s*(?:\*\*|__)?(typical|p50|median|p95|p99)(?:\*\*|__)?\s+(?=[~≈<≤]?\s*\d)(.+)$", re.IGNORECASE
)

# the value first, then its key: "150ms p99", "150 ms (p99)", "40 ms at p95", "2 ms median" (round 32:
# "- 150ms p99" was no P99, and CRT003 said the doc states none)
# a latency key and a time unit as the value-first and the several-on-a-line forms write them
_ANY_KEY = (
    r"(?:p|tp)\s*(?:50|95|99)(?:\.0+)?|(?:50|95|99)(?:th|%)(?:\s*percentile)?|typical|median|average|avg|mean"
)
_TIME_UNIT = r"(?:ns|[µμu]s|ms|msec|millis(?:econds?)?|s|secs?|seconds?)"
_LATENCY_AFTER = re.compile(
    rf"^\s*(?P<value>[~≈<≤]?\s*\d+(?:\.\d+)?\s*{_TIME_UNIT})\s*(?:at\s+|@\s*|\(\s*)?"
    rf"(?P<key>{_ANY_KEY})(?![\w.])\s*\)?(?P<rest>.*)$",
    re.IGNORECASE,
)

# a latency key however it is written: "P99", "p99 latency", "99th percentile", "95th pct", "99%",
# "p99.0", "median", "p50 (ms)"; the words around the percentile are dropped first
_LATENCY_WORDS = re.compile(
    r"\b(?:latency|latencies|percentile|pctl?|response\s+time|ms)\b|\(ms\)|%ile", re.I
)
_LATENCY_PCT = re.compile(r"^(?:p|tp)?\s*(50|95|99)(?:\.0+)?\s*(?:th|%)?$", re.I)
_PCT_KEY = {"50": "typical", "95": "p95", "99": "p99"}
# the key written again at the head of its value: "P99: p99 < 250ms", "P95: 95th percentile 120 ms"
_KEY_AGAIN = re.compile(
    r"^\s*(?:(?:p|tp)\s*(?:50|95|99)(?:\.0+)?|(?:50|95|99)(?:th|%))(?![\w.])(?:\s*percentile\b)?\s*[:=]?\s*",
    re.I,
)


def _latency_key(key: str) -> str | None:
    """``typical``, ``p95`` or ``p99`` for a latency item's key, else ``None``."""
    plain = normalize_key(key)
    if (known := _LATENCY_KEYS.get(plain)) is not None:
        return known
    bare = " ".join(_LATENCY_WORDS.sub(" ", plain).split())
    if bare in ("typical", "median", "average", "avg", "mean"):
        return "typical"
    m = _LATENCY_PCT.match(bare)
    return _PCT_KEY[m.group(1)] if m else None


_FIGURES_THEN_UNIT = re.compile(
    r"^\s*[~≈<≤]?\s*((?:\d+(?:\.\d+)?\s*/\s*)+\d+(?:\.\d+)?)\s*([a-zµμ]+)\b", re.I
)


def _latency_together(key: str, rest: str) -> list[tuple[str, float | None]] | None:
    """ "p50/p95/p99: 12/40/90 ms": each key with its figure, the unit written once at the end; ``None``
    when the keys are not all latency keys or the figures do not pair with them."""
    names = [_latency_key(k) for k in key.split("/")]
    m = _FIGURES_THEN_UNIT.match(v.split_note(rest)[0])
    if m is None or any(n is None for n in names):
        return None
    figures = [x.strip() for x in m.group(1).split("/")]
    if len(figures) != len(names):
        return None
    return [(n, v.parse_duration_ms(f"{f} {m.group(2)}")) for n, f in zip(names, figures, strict=True) if n]


# several keys, each with its figure, on one line: "p50 ~ 3ms / p99 under 40ms", "P50 ~ 3ms, P99 ~ 40ms",
# "p95 9ms; p99 30ms" (the P99 was dropped, CRT003 said the doc states none and --write wrote the P50
# over the whole line: round 34)
_LATENCY_PAIR = re.compile(
    rf"(?<![\w.])(?P<key>{_ANY_KEY})(?![\w.])\s*(?:[:=]\s*)?"
    # words between a key and its figure in a sentence: "the 99th percentile is under 1.2 seconds" (round 48)
    r"(?:(?:is|are|was|stays|remains|sits|of|at)\s+)?"
    rf"(?P<value>(?:[~≈<≤]|under|below|about|around|roughly|approximately|up\s+to)?\s*\d+(?:\.\d+)?\s*"
    rf"{_TIME_UNIT}\b)",
    re.IGNORECASE,
)


def _latency_pairs(text: str) -> list[tuple[str, float | None]]:
    """The ``(key, ms)`` pairs written one after the other on a line, when their keys differ."""
    pairs: list[tuple[str, float | None]] = []
    for m in _LATENCY_PAIR.finditer(text):
        key = _latency_key(m.group("key"))
        if key is not None and all(key != k for k, _ in pairs):
            pairs.append((key, _latency_value(m.group("value"))))
    return pairs


def _latency_value(rest: str) -> float | None:
    return v.parse_duration_ms(_KEY_AGAIN.sub("", v.split_note(rest)[0], count=1))


def extract(doc: Document, fields: FieldIndex | None = None) -> Integration:
    """Build the typed model. Never raises: what cannot be read stays ``None`` (lint reports it)."""
    idx = fields or index_fields(doc)
    lines: dict[str, int] = {}
    data: dict[str, Any] = {"path": doc.path}

    def put(name: str, value: Any, line: int | None) -> None:
        data[name] = value
        if line:
            lines[name] = line

    def ref(label: str) -> FieldRef | None:
        return idx.get(label)

    if doc.title:
        m = _TITLE.match(doc.title)
        if m:
            put("source", m.group(1) or None, doc.title_line)
            put("destination", m.group(2) or None, doc.title_line)
    lines["title"] = doc.title_line

    for label, name in (("purpose", "purpose"), ("client", "client"), ("maintained by", "maintained_by")):
        r = ref(label)
        if r is not None:
            put(name, v.strip_code(r.value) or None, r.line)

    if (r := ref("protocol")) is not None:
        put("protocol_raw", r.value or None, r.line)
        put("protocol", v.parse_protocol(r.value), r.line)
    if (r := ref("direction")) is not None:
        direction, note = v.parse_direction(r.value)
        put("direction", direction, r.line)
        put("direction_raw", v.strip_code(r.value) or None, r.line)
        put("direction_note", note, r.line)
    if (r := ref("critical path")) is not None:
        flag, note = v.parse_bool(r.value)
        put("critical_path", flag, r.line)
        put("critical_path_note", note, r.line)
    if (r := ref("source")) is not None:
        path, line = v.parse_source_ref(r.value)
        put("source_ref", SourceRef(path=path, line=line) if path else None, r.line)
    if (r := ref("destination")) is not None:
        service, host, port, _ = v.parse_destination(r.value)
        put("destination_service", service, r.line)
        put("destination_host", host, r.line)
        put("destination_port", port, r.line)
    if (r := ref("health check")) is not None:
        put("health_check", _code(r), r.block.line if r.block else r.line)
    if (r := ref("endpoint")) is not None:
        put("endpoint", v.strip_code(r.value) or None, r.line)
    for label in ("request", "response"):
        if (r := ref(label)) is not None:
            example = _payload_block(r)
            put(label, _payload(r), example.line if example else r.line)

    flow, flow_line = _first_code(doc, "Integration Flow")
    if flow is not None:
        put("flow", flow.text.rstrip("\n"), flow_line)
    example, ex_line = _first_code(doc, "Code Example")
    if example is not None:
        put("code_example", CodeExample(language=example.language, text=example.text.rstrip("\n")), ex_line)

    r = ref("failure modes")
    modes, _ = read_failure_modes(doc, r) if r is not None else (_unlabelled_modes(doc), [])
    if r is not None or modes:
        put("failure_modes", [mode for _, mode in modes], r.line if r is not None else modes[0][0])
        for n, (line, _) in enumerate(modes):
            lines[f"failure_modes.{n}"] = line
    retry_ref = ref("retry strategy")
    if (r := retry_ref) is not None:
        listed = "\n".join(f"- {it.raw}" for it in _items(r)) or None  # a strategy written as a list
        if r.block is None and not r.raw and (settings := _settings_table(doc, r)) is not None:
            # | Setting | Value | rows (retries | 2, backoff | 100 ms constant): read as "key: value"
            # lines (it was no strategy: CRT002, and faults compared no pause: round 34)
            retry_ref = replace(r, line=settings[0], raw=settings[1], value=settings[1])
            put("retry_strategy", settings[1], settings[0])
        else:
            put("retry_strategy", _code(r) or listed, r.block.line if r.block else r.line)
    data["error_handling"] = read_error_handling(
        data.get("failure_modes", []), lines, retry_ref, data.get("endpoint")
    )

    latency: dict[str, float | None] = {}
    if (r := ref("latency")) is not None:
        lines["latency_ms"] = r.line
        if r.value and not _items(r):
            # the figures on the label's own line: "**Latency:** p50 around 60 ms, p95 ≈ 0.3s, and the 99th
            # percentile is under 1.2 seconds" (all three were dropped with nothing said: round 48)
            for name, ms in _latency_pairs(r.value):
                latency[name] = ms
                lines[f"latency_ms.{name}"] = r.line
        for it in _items(r):
            key, rest = _split_item(it)
            if "/" in key and (together := _latency_together(key, rest)) is not None:
                for name, ms in together:  # "p50/p95/p99: 12/40/90 ms" (round 30: all three were null)
                    if name not in latency:
                        latency[name] = ms
                        lines[f"latency_ms.{name}"] = it.line
                continue
            if len(pairs := _latency_pairs(it.text)) > 1:  # "p50 ~ 3ms / p99 under 40ms": each its own
                for name, ms in pairs:
                    if name not in latency:
                        latency[name] = ms
                        lines[f"latency_ms.{name}"] = it.line
                continue
            pct = _latency_key(key)
            if pct is None and (bare := _LATENCY_BARE.match(it.text)) is not None:  # "P95 5 ms"
                pct, rest = _LATENCY_KEYS[bare.group(1).lower()], bare.group(2)
            elif pct is None and (after := _LATENCY_AFTER.match(it.text)) is not None:  # "150ms p99"
                pct, rest = _latency_key(after.group("key")), f"{after.group('value')}{after.group('rest')}"
            if pct and pct not in latency:
                latency[pct] = _latency_value(rest)
                lines[f"latency_ms.{pct}"] = it.line
    if not latency:  # "| P99 | 150 ms |": the rows of a table in Performance, under the label or not
        for section in doc.sections:
            if canonical_section(section.title) != "Performance":
                continue
            for block in section.blocks:
                for line, name, cell in (*_table_pairs(block), *_table_columns(block)):
                    pct = _latency_key(_plain_cell(name))
                    if pct and pct not in latency:
                        latency[pct] = _latency_value(_plain_cell(cell))
                        lines[f"latency_ms.{pct}"] = line
                        lines.setdefault("latency_ms", line)
    data["latency_ms"] = Latency(**latency)

    if (r := ref("throughput")) is not None:
        items = _items(r)
        # two facts: the traffic (the first item) and the measured capacity (a ``Capacity:`` item)
        is_capacity = [normalize_key(_split_item(it)[0]) == "capacity" for it in items]
        capacity = next((it for it, c in zip(items, is_capacity, strict=True) if c), None)
        traffic = next((it for it, c in zip(items, is_capacity, strict=True) if not c), None)
        raw = traffic.text if traffic else "" if items else v.strip_code(r.value)
        at = traffic.line if traffic else r.line
        put("throughput", raw or None, at)
        put("throughput_per_s", v.parse_rate_per_s(raw) if raw else None, at)
        if capacity is not None:
            rest = _split_item(capacity)[1]
            put("capacity", rest or None, capacity.line)
            put("capacity_per_s", v.parse_rate_per_s(rest) if rest else None, capacity.line)
    if (r := ref("bottlenecks")) is not None:
        put("bottlenecks", [it.text for it in _items(r) if it.text], r.line)

    if (r := ref("environment variables")) is not None:
        if isinstance(r.block, CodeBlock):
            envs = parse_env_lines(r.block.text)
            put("env_vars", [e for _, e in envs], r.block.line)
            for n, e in envs:
                lines[f"env_vars.{e.name}"] = r.block.content_line + n
        else:
            # an item or row that names no variable ("none", words) is left out: VAL010 reports it
            env_rows, _ = read_env_vars(doc, r)
            for at, env in env_rows:
                lines.setdefault(f"env_vars.{env.name}", at)
            if r.block is not None or env_rows:
                put("env_vars", [e for _, e in env_rows], r.line)
    elif (table := _config_env_table(doc)) is not None:
        # a table headed "Variable" in Configuration with no label over it: the variables all the same
        # (env_vars was empty, so faults found no variable for the address: new user, round 32)
        env_rows, _ = _table_envs(table)
        for at, env in env_rows:
            lines.setdefault(f"env_vars.{env.name}", at)
        put("env_vars", [e for _, e in env_rows], table[0].line)
    if (r := ref("connection string")) is not None:
        put("connection_string", _code(r), r.block.line if r.block else r.line)
    if (r := ref("unit test")) is not None:
        put("unit_test", _code(r), r.block.line if r.block else r.line)
    if (r := ref("integration test")) is not None:
        put("integration_test", _code(r), r.block.line if r.block else r.line)

    mon: dict[str, Any] = {}
    if (r := ref("check health")) is not None:
        mon["health_check"] = _code(r)
        lines["monitoring.health_check"] = r.block.line if r.block else r.line
    if (r := ref("view logs")) is not None:
        mon["logs"] = _code(r)
        lines["monitoring.logs"] = r.block.line if r.block else r.line
    if (r := ref("metrics")) is not None:
        mon["metrics"] = [Metric(name=n, how=h or None) for n, h in map(_split_item, _items(r))]
        lines["monitoring.metrics"] = r.line
    data["monitoring"] = Monitoring(**mon)

    changes: list[RecentChange] = []
    for f in idx.changes:
        date = v.parse_date(f.label)
        entries = [it.text for it in _items(f)]
        if f.value:
            entries.insert(0, f.value)
        changes.append(RecentChange(date=date.isoformat() if date else f.label, items=entries))
        lines.setdefault("recent_changes", f.line)
        lines[f"recent_changes.{len(changes) - 1}"] = f.line
    data["recent_changes"] = changes

    if (r := ref("last updated")) is not None:
        date = v.parse_date(r.value)
        put("last_updated", date.isoformat() if date else (v.strip_code(r.value) or None), r.line)

    extras = [
        ExtraSection(title=s.title, text=_section_text(s))
        for s in doc.sections
        if canonical_section(s.title) is None
    ]
    data["extra_sections"] = extras
    for n, s in enumerate(x for x in doc.sections if canonical_section(x.title) is None):
        lines[f"extra_sections.{n}"] = s.line

    raw_proto = (data.get("protocol_raw") or "").lower()
    endpoint = (data.get("endpoint") or "").lower()
    data["tls"] = bool(
        (
            any(not _NEGATED.search(raw_proto, 0, m.start()) for m in _TLS_WORD.finditer(raw_proto))
            and not _TLS_ELSEWHERE.search(raw_proto)
        )
        # the Endpoint's URL, after its method: "POST https://…" was tls false while export and verify
        # spoke TLS to it (round 57)
        or re.match(r"`?(?:[a-z]+\s+)?`?(https|wss|grpcs|amqps|rediss|mqtts)://", endpoint.strip())
    )
    source, dest = data.get("source"), data.get("destination")
    # from the title as masked: a token pasted into a title went verbatim into the id, and from there into
    # every output that names the integration (JSON, the export's labels, /metrics, the serve log: round 29)
    named = f"{source} to {dest}" if source and dest else PurePath(doc.path).stem
    data["id"] = v.slugify(mask_text(named))
    data["directives"] = _directives(doc)
    data["lines"] = lines
    return Integration(**data)
