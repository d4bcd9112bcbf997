"""Markdown in and out: read a doc into blocks and a model, write it back canonically."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .._errors import DocumentError
from .._files import inside, read_bounded
from ..model import Integration
from .extract import FieldIndex, FieldRef, extract, index_fields
from .nodes import Document, Paragraph
from .parse import normalize_newlines, parse_markdown
from .render import render_document
from .template import canonical_section, is_template_label, normalize_key

MAX_DOC_BYTES = 64_000_000  # a doc is text someone wrote: beyond this it is an accident or an attack

__all__ = [
    "Document",
    "FieldIndex",
    "FieldRef",
    "ParsedDoc",
    "from_light",
    "has_template_shape",
    "is_integration_doc",
    "parse_text",
    "read_document",
    "read_text",
    "render_document",
    "to_light",
]


_DOC_TITLE = re.compile(r"^\s*integration\s*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedDoc:
    """One doc as read: its text, its blocks, its field index and its typed model."""

    path: str
    text: str
    document: Document
    fields: FieldIndex
    integration: Integration


def parse_text(text: str, path: str = "<string>") -> ParsedDoc:
    """Parse Markdown text; never raises for any ``str``."""
    text = normalize_newlines(text)
    document = parse_markdown(text, path)
    fields = index_fields(document)
    return ParsedDoc(path, text, document, fields, extract(document, fields))


def read_text(path: Path) -> str:
    """A doc's text, or :class:`DocumentError` for binary or non-UTF-8 files, and for a symlink out of
    the working tree (named on the command line, as pre-commit names a changed file: a doc linked to a
    file outside the repository was read and its lines quoted in findings; a folder scan skips them)."""
    try:
        linked_out = path.is_symlink() and not inside(path, Path.cwd())
    except OSError:  # a name too long: read_bounded says so
        linked_out = False
    if linked_out:
        raise DocumentError(str(path), "a symbolic link out of the working tree: not read")
    try:
        data = read_bounded(path, MAX_DOC_BYTES)  # a regular file: never an endless /dev/zero
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(str(path), "UTF-16 text: save the doc as UTF-8")
    if b"\x00" in data:
        raise DocumentError(str(path), "binary file, not a Markdown document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1  # in its line, as the line is
        message = f"not UTF-8 text (byte {exc.start} of the file, column {column} of its line)"
        raise DocumentError(str(path), message, line) from exc


def read_document(path: Path, display: str | None = None) -> ParsedDoc:
    return parse_text(read_text(path), display or str(path))


def to_light(doc: ParsedDoc) -> tuple[str, str]:
    """A doc as ``(path, integration JSON)``: cheap to send between processes.

    pydantic's JSON round trip is ~10x faster than pickling the model.
    """
    return doc.path, doc.integration.model_dump_json(by_alias=True)


def from_light(record: tuple[str, str]) -> ParsedDoc:
    """The doc of :func:`to_light`: its integration (the typed model, with lines) is complete;
    its Markdown blocks and text are not kept, so rules that read blocks cannot run on it."""
    path, data = record
    integ = Integration.model_validate_json(data)
    skeleton = Document(path, None, integ.lines.get("title", 1), (), ())
    return ParsedDoc(path, "", skeleton, FieldIndex(), integ)


def is_integration_doc(doc: Document) -> bool:
    """The first heading starts with ``Integration:``, or the text has the template's shape
    (:func:`has_template_shape`): a doc that lost its title is still a doc."""
    if doc.first_heading is not None and _DOC_TITLE.match(doc.first_heading):
        return True
    return has_template_shape(doc)


# A doc has the template's shape when it uses at least this many of the template's marks (its section
# headings and its field labels), at least LABELS_MIN of them labels: a README with a Configuration and a
# Testing section, or a page that writes **Source:** and **Destination:**, does not.
MARKS_MIN = 3
LABELS_MIN = 2


def has_template_shape(doc: Document) -> bool:
    """The text uses the template's section headings and field labels (see :data:`MARKS_MIN`)."""
    titles = [s.title for s in doc.sections]
    if doc.title is not None:  # a level-1 heading that is a section's title
        titles.append(doc.title)
    sections = {canonical_section(t) for t in titles} - {None}
    labels: set[str] = set()
    for blocks in (doc.preamble, *(s.blocks for s in doc.sections)):
        for block in blocks:
            if isinstance(block, Paragraph):
                labels.update(normalize_key(f.label) for f in block.fields if is_template_label(f.label))
    return len(labels) >= LABELS_MIN and len(labels) + len(sections) >= MARKS_MIN
