"""The Error Handling section read into data: each Failure Mode with its kind, and the retry policy.

Failure mode names are normalised to a kind by the words they use (``Timeout``, ``Read timeout`` and
``DEADLINE_EXCEEDED`` are all ``timeout``); an HTTP status in the name is kept in ``http_status``
(``HTTP 5xx`` -> ``["5xx"]``), and makes the kind ``http_status`` unless it says more: 429 is
``rate_limited``, 401 and 403 ``auth``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..model import ErrorHandling, FailureMode, RetryPolicy, TypedFailureMode
from ..values import strip_code
from .failure_kinds import failure_kind
from .nodes import CodeBlock, ListBlock
from .render import written_items
from .retry import read_retry

if TYPE_CHECKING:
    from .extract import FieldRef

__all__ = ["failure_kind", "read_error_handling"]

_I = re.IGNORECASE
_METHOD = re.compile(r"^\s*(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE)\b", _I)


def read_error_handling(
    modes: list[FailureMode], lines: dict[str, int], retry: FieldRef | None, endpoint: str | None = None
) -> ErrorHandling:
    """``endpoint``: the Endpoint as written; its HTTP method (``GET /v1/prices``) picks the Retry Strategy's
    words for that method ("No retries for POST; GETs are retried 3 times")."""
    typed = []
    for n, mode in enumerate(modes):
        kind, statuses = failure_kind(mode.name, mode.what_happens)
        typed.append(
            TypedFailureMode(
                kind=kind,
                name=mode.name,
                http_status=statuses,
                what_happens=mode.what_happens,
                handling=mode.handling,
                line=lines.get(f"failure_modes.{n}"),
            )
        )
    policy = None
    method = m.group(1) if endpoint and (m := _METHOD.match(endpoint)) else None
    if retry is not None:
        if isinstance(retry.block, CodeBlock):
            block = retry.block
            policy = read_retry(block.text.rstrip("\n"), block.language, block.content_line, method=method)
        elif isinstance(retry.block, ListBlock) and (items := written_items(retry.block)):
            # a strategy written as a list (``- attempts: 4`` / ``- delay: 1000 ms``): one line per item
            text = "\n".join(strip_code(it.text) for it in items)
            policy = read_retry(text, None, items[0].line, method=method)
        elif retry.value:
            said, first = retry.lines_text  # line by line: each finding names its sentence's line
            policy = read_retry(strip_code(said), None, first, method=method)
            for block in retry.after:  # a sentence, then the code or config it introduces
                code = read_retry(block.text.rstrip("\n"), block.language, block.content_line, method=method)
                if code is not None:
                    policy = (
                        _complete(code, policy)
                        if code.max_attempts is not None or policy is None
                        else _complete(policy, code)
                    )
    return ErrorHandling(failure_modes=typed, retry=policy)


def _complete(first: RetryPolicy, other: RetryPolicy | None) -> RetryPolicy:
    """``first`` with what only ``other`` says: fields ``first`` leaves unset, lists it leaves empty, and
    what ``other`` did not understand (a sentence over a config block: the config's keys first, the
    sentence's words for the rest)."""
    if other is None:
        return first
    mine, theirs = first.model_dump(), other.model_dump()
    update: dict[str, Any] = {}
    for key, value in theirs.items():
        if key in ("form", "line", "lines", "unread", "retries"):
            continue
        if key == "backoff":
            update[key] = {
                k: (mine[key][k] if mine[key][k] not in (None, False) else v) for k, v in value.items()
            }
        elif mine[key] in (None, [], {}) and value not in (None, [], {}):
            update[key] = value
    update["unread"] = [*first.unread, *(u for u in other.unread if u not in first.unread)]
    update["lines"] = {**{k: v for k, v in other.lines.items() if not k.startswith("unread.")}, **first.lines}
    merged = first.model_validate({**mine, **update})
    if merged.max_attempts is not None:
        merged = merged.model_copy(update={"retries": merged.max_attempts - 1})
    return merged
