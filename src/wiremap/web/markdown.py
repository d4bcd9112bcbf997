"""A doc's Markdown as HTML that is safe to put in the dashboard.

1. Secrets are masked (``mask_text``) in the source.
2. Raw HTML in the doc (blocks and inline tags: ``<script>``, ``<img onerror=…>``, comments) is turned into
   text: each span the parser reports as HTML is rewritten as escaped characters, and the doc is parsed
   again until none is left (a fallback shows the whole doc as preformatted text).
3. ``pyromark.html`` renders the result; then every ``href``/``src`` with a scheme other than http, https or
   mailto (``javascript:``, ``data:``, ``vbscript:``) is replaced by ``#``, and the line breaks inside a
   paragraph are kept (a doc writes one field per line).

The pages' Content-Security-Policy (no inline script, no foreign images) is a second line of defence.
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse

import pyromark
from markupsafe import Markup

from ..secrets import mask_text

__all__ = ["OPTIONS", "neutralize_html", "render_doc"]

OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_FOOTNOTES
)
_PASSES = 8
_URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_PARAGRAPH = re.compile(r"<p>.*?</p>", re.DOTALL)
_SOFT_BREAK = re.compile(r"(?<!<br />)\n(?!</p>)")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _escape_source(text: str) -> str:
    """Characters that Markdown renders as the literal text (``&lt;`` shows ``<``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for event, where in pyromark.events_with_range(text, options=OPTIONS):
        if isinstance(event, dict) and ("Html" in event or "InlineHtml" in event):
            spans.append((where["start"], where["end"]))
    return sorted(spans)


def neutralize_html(text: str) -> str | None:
    """``text`` with every raw-HTML span escaped; ``None`` when that does not converge."""
    for _ in range(_PASSES):
        spans = _html_spans(text)
        if not spans:
            return text
        data = text.encode()
        out = bytearray()
        pos = 0
        for start, end in spans:  # byte offsets into the UTF-8 text
            if start < pos:
                continue
            out += data[pos:start]
            out += _escape_source(data[start:end].decode("utf-8", "replace")).encode()
            pos = end
        out += data[pos:]
        text = out.decode("utf-8", "replace")
    return None


def _safe_url(m: re.Match[str]) -> str:
    raw = html.unescape(m.group(2))
    for url in (raw, urllib.parse.unquote(raw)):
        scheme = _SCHEME.match(_CONTROL.sub("", url).lower())
        if scheme is not None and scheme.group(1) not in _SAFE_SCHEMES:
            return f'{m.group(1)}="#"'
    return m.group(0)


@functools.lru_cache(maxsize=256)
def render_doc(text: str) -> Markup:
    """The doc as safe HTML (see the module's docstring)."""
    source = neutralize_html(mask_text(text))
    if source is None:
        return Markup('<pre class="doc-text">{}</pre>').format(mask_text(text))
    # raw HTML is gone, so every tag and attribute below is pyromark's own (attributes double-quoted)
    out = _URL_ATTR.sub(_safe_url, pyromark.html(source, options=OPTIONS))
    return Markup(_PARAGRAPH.sub(_line_breaks, out))


def _line_breaks(m: re.Match[str]) -> str:
    """Docs put one field per line (``**Protocol:** HTTP``): keep those lines apart."""
    return _SOFT_BREAK.sub("<br>\n", m.group(0))
