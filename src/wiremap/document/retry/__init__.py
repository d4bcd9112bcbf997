"""Read a Retry Strategy into a :class:`wiremap.model.RetryPolicy`, whatever form it was written in.

One module per form; :data:`READERS` says which readers a block's language gets, in order; the first that
finds a retry wins. A block in a code language falls back to reading its comments as prose; in Go,
Java/Kotlin and JavaScript/TypeScript, whose retries are often said in a comment over the code, what the
code says (a timeout, a retry library's options) and what the comments say complete each other. What no
reader understands stays text (``retry_strategy``) and ``read_retry`` returns ``None``: ERR001 says so.
A configuration block's comments complete its keys the same way; a duration they hold that nothing read is
listed in ``unread``.
Never raises: docs are untrusted input, sizes are bounded and nothing is executed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from ...model import RetryPolicy
from ._draft import MAX_TEXT, Draft
from .config_text import read_json, read_kv
from .dotnet import read_dotnet
from .go import read_go
from .js import read_js
from .jvm import read_jvm
from .prose import read_limits, read_prose
from .python import read_python, read_python_timeouts
from .rust import read_rust

__all__ = ["READERS", "read_retry"]

Reader = Callable[[str, int], Draft | None]

_CONFIG: tuple[Reader, ...] = (read_json, read_kv)
READERS: dict[str, tuple[Reader, ...]] = {
    "python": (read_python,),
    "py": (read_python,),
    "python3": (read_python,),
    "json": (read_json,),
    "jsonc": (read_json,),
    "yaml": (read_kv,),
    "yml": (read_kv,),
    "properties": (read_kv,),
    "ini": (read_kv,),
    "toml": (read_kv,),
    "conf": (read_kv,),
    "hcl": (read_kv,),
    # a ```text block is often code pasted as it is (``Retry(total=2, backoff_factor=0.2)`` read as prose
    # gave a constant backoff ×0.2: new user, round 42): read as an unlabelled block is
    "text": (read_python, *_CONFIG, read_prose),
    "txt": (read_python, *_CONFIG, read_prose),
    "plain": (read_python, *_CONFIG, read_prose),
    "plaintext": (read_python, *_CONFIG, read_prose),
    "markdown": (read_prose,),
    "md": (read_prose,),
    "": (read_python, *_CONFIG, read_prose),
}
_CODE: dict[str, Reader] = {
    **dict.fromkeys(("go", "golang"), read_go),
    **dict.fromkeys(("java", "kotlin", "kt", "kts", "scala", "groovy"), read_jvm),
    **dict.fromkeys(("javascript", "js", "jsx", "mjs", "cjs", "node", "typescript", "ts", "tsx"), read_js),
    **dict.fromkeys(("csharp", "cs", "c#", "dotnet", "fsharp"), read_dotnet),
    **dict.fromkeys(("rust", "rs"), read_rust),
}
READERS.update({lang: (reader,) for lang, reader in _CODE.items()})
_PROSE = ("", "text", "txt", "markdown", "md")
_RETRY_KEYS = ("max_attempts", "backoff.kind", "backoff.initial_ms")
_LIMIT_KEYS = ("timeout_ms", "deadline_ms", "connect_timeout_ms")
_LIMIT_WORD = re.compile(r"time[- ]?outs?|time[sd]?\s+out|deadline|budget|give[sn]?\s+up", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*(?:#+|//+|--+|/?\*+/?|;+)\s?")
_TRAILING = re.compile(r"(?<=\s)(?:#+|//+)\s?")  # "r = Redis(...)  # no retry": a comment after code
# what a code reader reads of a block holding no retry, to complete what its comments say of the retry
_SETTINGS: dict[Reader, Reader] = {read_python: read_python_timeouts}


def _is_config(lang: str) -> bool:
    """A configuration language (YAML, TOML, INI …): its comments say what its keys do not ("# retry
    twice, 5 seconds apart" over ``retries: 2``), so they are read too and complete the keys."""
    readers = READERS.get(lang)
    return readers is not None and all(r in _CONFIG for r in readers)


def _trailing(line: str) -> str:
    """The comment after the code of a line, marker removed, or ``""``: a ``#`` or ``//`` after a space
    and outside quotes (``"http://h/#a"`` is no comment)."""
    for m in _TRAILING.finditer(line):
        before = line[: m.start()]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return line[m.end() :]
    return ""


def _comments(text: str) -> str:
    """The comments of code, whole lines or after the code of a line, markers removed; other lines blank
    (so line numbers hold)."""
    return "\n".join(_COMMENT.sub("", ln) if _COMMENT.match(ln) else _trailing(ln) for ln in text.split("\n"))


_INLINE_CODE = re.compile(r"`([^`\n]{3,300})`")
_INLINE_READERS: tuple[Reader, ...] = (read_go, read_js, read_jvm, read_python)


def _inline_code(text: str, first_line: int) -> tuple[str, list[Draft]]:
    """Code quoted inline in prose (``No retry; `http.Client{Timeout: 1 * time.Second}` ``): what a code
    reader reads of each span, and the text with those spans blanked (ERR001 quoted a piece of the Go
    expression as a sentence not understood: round 54). A span no code reader reads stays prose."""
    drafts: list[Draft] = []
    out = text
    for m in _INLINE_CODE.finditer(text):
        line = first_line + text.count("\n", 0, m.start())
        code = m.group(1)
        found = next(
            (d for reader in _INLINE_READERS if (d := reader(code, line)) is not None and d.values), None
        )
        if found is not None:
            drafts.append(found)
            out = out[: m.start()] + " " * (m.end() - m.start()) + out[m.end() :]
    return out, drafts


def read_retry(
    text: str | None, language: str | None, first_line: int, *, method: str | None = None
) -> RetryPolicy | None:
    """``text``: the block's content or the inline value; ``first_line``: the doc line of its first line;
    ``method``: the Endpoint's HTTP method, when known (words that say what is retried per method are
    read for it; without it they are not asserted)."""
    if not text or not text.strip() or len(text) > MAX_TEXT:
        return None
    lang = (language or "").strip().lower()
    readers = READERS.get(lang)
    prose = partial(read_prose, method=method, labelled=True)  # what the Retry Strategy label says
    spans: list[Draft] = []
    if lang in _PROSE and "`" in text:
        text, spans = _inline_code(text, first_line)
    try:
        if spans:
            said = prose(text, first_line)
            first, *rest = spans if said is None else [said, *spans]
            for other in rest:
                first.merge(other)
            return first.policy()
        found = next(
            (
                d
                for reader in (readers if readers is not None else _CONFIG)
                if (d := (prose if reader is read_prose else reader)(text, first_line))
            ),
            None,
        )
        if found is None and readers is not None and lang not in _PROSE and not _is_config(lang):
            # the code written as comments ("// nats.MaxReconnects(10), nats.ReconnectWait(2*time.Second)"):
            # read as the code it quotes (it was prose, and ERR001 quoted a piece of it: round 26)
            quoted = _comments(text)
            code = next((d for reader in readers if (d := reader(quoted, first_line))), None)
            if code is not None and any(k in code.values for k in _RETRY_KEYS):
                return code.policy()  # the comments were code: not prose too (its pieces listed unread)
        if found is not None and lang not in _CODE and not _is_config(lang):
            if readers is not None and lang not in _PROSE:
                # the code's comments may give the limits it does not: ``# each attempt times out after 2 s``
                # over ``Retry(total=3)`` (dropped with nothing said: new user, round 45); only those
                said_limits = not all(k in found.values for k in _LIMIT_KEYS) and _LIMIT_WORD.search(text)
                limits = read_limits(_comments(text), first_line) if said_limits else None
                for key in _LIMIT_KEYS if limits is not None else ():
                    if limits is not None and key in limits.values and key not in found.values:
                        found.set(key, limits.values[key], limits.lines[key])
            return found.policy()
        # comments in code are not what the label says: they need a retry word of their own
        said = (
            read_prose(_comments(text), first_line, method=method)
            if readers is None or lang not in _PROSE
            else None
        )
        if found is not None and said is not None:
            # the code's form when it says how it retries, else the comments' ("retries: 2" over a timeout)
            first, second = (found, said) if any(k in found.values for k in _RETRY_KEYS) else (said, found)
            first.merge(second)
            return first.policy()
        if found is None:  # the code's timeouts, alone or completing what its comments say of the retry
            for reader in readers or ():
                if (complete := _SETTINGS.get(reader)) is not None and (code := complete(text, first_line)):
                    if said is None:  # ``requests.get(url, timeout=0.2)``: rules.md's own ERR003 example
                        said = code  # was "could not be read" (new user, round 47)
                    else:
                        said.merge(code)
        draft = found or said
        return draft.policy() if draft is not None else None
    except (ValueError, TypeError, OverflowError, RecursionError):  # a bug for a test to find, no crash
        return None
