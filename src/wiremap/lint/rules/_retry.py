"""Helpers of the ERR rules: milliseconds as people say them, the Error Handling section's text."""

from __future__ import annotations

from ...document import ParsedDoc
from ...document.template import canonical_section
from ...model import RetryPolicy

__all__ = ["error_handling_text", "human_ms", "policy_summary", "timed_out", "timeout_name"]


def human_ms(ms: float) -> str:
    """``250`` -> ``250 ms``, ``30000`` -> ``30 s``."""
    if ms >= 1000:
        return f"{ms / 1000:g} s"
    return f"{ms:g} ms"


def error_handling_text(doc: ParsedDoc) -> str:
    """The Markdown of the Error Handling section as written ("" without one)."""
    sections = doc.document.sections
    lines = doc.text.split("\n")
    for n, section in enumerate(sections):
        if canonical_section(section.title) == "Error Handling":
            end = sections[n + 1].line - 1 if n + 1 < len(sections) else len(lines)
            return "\n".join(lines[section.line - 1 : end])
    return ""


def policy_summary(policy: RetryPolicy) -> str:
    """What was read of a policy, in words: ``3 attempts, constant backoff 500 ms, deadline 1 s``."""
    parts: list[str] = []
    if policy.max_attempts is not None:
        parts.append(f"{policy.max_attempts} attempt{'s' if policy.max_attempts != 1 else ''}")
    b = policy.backoff
    if b.kind not in (None, "none") or b.initial_ms is not None:
        start = f" {human_ms(b.initial_ms)}" if b.initial_ms is not None else ""
        parts.append(f"{b.kind or ''} backoff{start}".strip())
    if policy.timeout_ms is not None:
        parts.append(f"timeout {human_ms(policy.timeout_ms)} per attempt")
    if policy.connect_timeout_ms is not None:
        parts.append(f"connect timeout {human_ms(policy.connect_timeout_ms)}")
    if policy.deadline_ms is not None:
        parts.append(f"deadline {human_ms(policy.deadline_ms)}")
    if policy.circuit_breaker is not None:
        parts.append("circuit breaker")
    return ", ".join(parts) or "no attempts, backoff or timeouts"


def timeout_name(policy: RetryPolicy) -> str:
    """The policy's ``timeout_ms`` as a finding names it: per attempt, or plain "timeout" when the policy
    makes one call (no retries). A connect timeout is never ``timeout_ms``: it bounds the connect, not the
    call, and is kept apart as ``connect_timeout_ms``."""
    return "timeout" if policy.retries == 0 else "per-attempt timeout"


def timed_out(policy: RetryPolicy) -> str:
    """What happens to a call that runs into the timeout, by what the policy says: retried, failed (no
    retries), or given up (the policy does not say how many attempts)."""
    if policy.retries == 0:
        return "it fails"
    if policy.retries is None:
        return "it is given up"
    return "a retry"
