"""The door where text leaves wiremap: every secret is masked here, once, for every command.

Docs are untrusted input, and whatever wiremap prints can quote them: a finding's message, a probe's error,
a table of env vars. Rather than masking field by field, everything the CLI prints or writes as a report
passes through :func:`wiremap.secrets.mask_text` (JSON data through :func:`~wiremap.secrets.mask_json`):

- :func:`door`: for the duration of a command, ``sys.stdout`` and ``sys.stderr`` are :class:`MaskedStream`
  wrappers, so every print (rich consoles, ``typer.echo``, usage and error messages, tracebacks) is masked;
- :func:`write_report`: a report to ``-o FILE`` or stdout; :func:`print_json`: JSON data to stdout;
- :func:`revealed`: the exceptions, written as the user gave them (``show --reveal``, the doc that
  ``new`` prints). The docs that ``fmt``, ``sync``, ``measure --write`` and ``new`` write are the user's
  files and never pass here;
- :class:`MaskSecrets`: a logging filter (``serve`` installs it on its handler) that masks every record.

The web app has doors of its own built on the same functions (:mod:`wiremap.web.pages`, ``finalize``;
:mod:`wiremap.web.app`, the JSON responses), and so do metric labels, store rows and alert payloads.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .secrets import mask_json, mask_text

__all__ = ["MaskSecrets", "MaskedStream", "door", "print_json", "revealed", "write_report"]

_HOLD_MAX = 1 << 20  # an unterminated private key is held back at most this much, then masked as is


def _open_private_key(text: str) -> bool:
    """Whether ``text`` ends inside a private-key block (its END line may come in a later write)."""
    if "PRIVATE KEY" not in text:
        return False
    begin = text.rfind("-----BEGIN ")
    return begin > text.rfind("-----END ") and "PRIVATE KEY" in text[begin : begin + 60]


class MaskedStream(io.TextIOBase):
    """A text stream that masks what is written to it before passing it on to ``target``.

    Each write is masked whole, so a secret written in one call is always caught. A private-key block
    written line by line (a diff, a table) is held back from its BEGIN line until its END line so that it
    is masked whole too; :meth:`finish` (or :meth:`close`) writes out what is held.
    """

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self.target = target
        self.reveal = False
        self._held = ""

    def write(self, s: str) -> int:
        if self.reveal:
            self._release()
            self.target.write(s)
            return len(s)
        text = self._held + s if self._held else s
        if _open_private_key(text) and len(text) < _HOLD_MAX:
            self._held = text
            return len(s)
        self._held = ""
        self.target.write(mask_text(text))
        return len(s)

    def write_masked(self, s: str) -> None:
        """Write text masked already (by :func:`write_report` or :func:`print_json`): no second pass."""
        self._release()
        self.target.write(s)

    def _release(self) -> None:
        if self._held:
            held, self._held = self._held, ""
            self.target.write(mask_text(held))

    def finish(self) -> None:
        """Write out what is held back, masked."""
        self._release()
        self.flush()

    def flush(self) -> None:
        with contextlib.suppress(ValueError):  # the target was closed under us (pytest's capture)
            self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.target, "errors", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


@contextlib.contextmanager
def door() -> Iterator[None]:
    """Mask everything written to stdout and stderr until the block ends (nested: the outer one masks)."""
    out, err = sys.stdout, sys.stderr
    if isinstance(out, MaskedStream):
        yield
        return
    masked_out, masked_err = MaskedStream(out), MaskedStream(err)
    sys.stdout, sys.stderr = masked_out, masked_err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
        for stream in (masked_out, masked_err):
            with contextlib.suppress(Exception):  # a closed pipe must not hide the command's own outcome
                stream.finish()


@contextlib.contextmanager
def revealed() -> Iterator[None]:
    """Let stdout through unmasked until the block ends: only for text the user gave and asked back."""
    stream = sys.stdout
    if not isinstance(stream, MaskedStream):
        yield
        return
    before, stream.reveal = stream.reveal, True
    try:
        yield
    finally:
        stream.reveal = before


def _write_stdout(masked: str) -> None:
    stream = sys.stdout
    if isinstance(stream, MaskedStream):
        stream.write_masked(masked)
    else:
        stream.write(masked)


def write_report(text: str, output: Path | None = None) -> None:
    """A report (lint, verify, measure, index …) masked, to ``output`` (written atomically) or stdout."""
    masked = mask_text(text)
    if output is None:
        _write_stdout(masked)
    else:
        from .writes import atomic_write_text

        atomic_write_text(output, masked)


def print_json(data: Any, *, reveal: bool = False) -> None:
    """JSON data to stdout, each string masked (a member whose key names a secret, an env var by its
    name: what :func:`~wiremap.secrets.mask_json` knows that text alone does not)."""
    text = json.dumps(data if reveal else mask_json(data), indent=2, ensure_ascii=False) + "\n"
    if reveal:
        with revealed():
            sys.stdout.write(text)
    else:
        _write_stdout(text)


class MaskSecrets(logging.Filter):
    """Masks every record a handler emits: its message with the arguments in, and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
