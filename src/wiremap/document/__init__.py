"""Markdown in and out: read a doc into blocks and a model, write it back canonically."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .._errors import DocumentError
from ..model import Integration
from .extract import FieldIndex, FieldRef, extract, index_fields
from .nodes import Document
from .parse import normalize_newlines, parse_markdown
from .render import render_document

__all__ = [
    "Document",
    "FieldIndex",
    "FieldRef",
    "ParsedDoc",
    "from_light",
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
    """A doc's text, or :class:`DocumentError` for binary or non-UTF-8 files."""
    try:
        data = path.read_bytes()
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
        raise DocumentError(str(path), f"not UTF-8 text (byte {exc.start})", line) from exc


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
    """First heading starts with ``Integration:``, or no heading at all but template labels."""
    if doc.first_heading is not None:
        return bool(_DOC_TITLE.match(doc.first_heading))
    return doc.has_template_labels
