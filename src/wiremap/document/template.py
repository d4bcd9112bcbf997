"""The canonical template: section order, canonical labels and placeholders.

Everything here is read from ``template.md`` (the seed template shipped in the
package), so the canonical shape has exactly one source.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

__all__ = [
    "FOOTER_LABELS",
    "SECTION_ORDER",
    "canonical_label",
    "canonical_section",
    "is_footer_label",
    "is_template_label",
    "label_key",
    "normalize_key",
    "template_placeholders",
    "template_text",
]

SECTION_ORDER: tuple[str, ...] = (
    "Quick Reference",
    "Integration Flow",
    "Request Format",
    "Code Example",
    "Error Handling",
    "Performance",
    "Configuration",
    "Testing",
    "Monitoring",
    "Recent Changes",
)

_LABELS: tuple[str, ...] = (
    "Purpose",
    "Protocol",
    "Direction",
    "Critical Path",
    "Source",
    "Destination",
    "Client",
    "Health Check",
    "Endpoint",
    "Request",
    "Response",
    "Failure Modes",
    "Retry Strategy",
    "Latency",
    "Throughput",
    "Bottlenecks",
    "Environment Variables",
    "Connection String",
    "Unit Test (Mock)",
    "Integration Test (Live)",
    "Check Health",
    "View Logs",
    "Metrics",
    "Last Updated",
    "Maintained By",
)

FOOTER_LABELS = frozenset({"last updated", "maintained by"})

_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")


@lru_cache(maxsize=4096)
def normalize_key(text: str) -> str:
    """Lower-case, single-spaced, without a trailing parenthetical: ``Unit Test (Mock)`` -> ``unit test``."""
    key = _SPACES.sub(" ", text.replace("_", " ")).strip().lower().rstrip(":").strip()
    return _PAREN.sub("", key) or key


_LABEL_BY_KEY = {normalize_key(x): x for x in _LABELS}
# labels other teams write for the template's (a wiki's "Retry policy", "Behaviour on failure"): the same
# field. "**Retry policy:**" over a YAML block was no Retry Strategy (CRT002, and faults compared no
# pause: new user, round 35)
_LABEL_SYNONYMS = {
    **dict.fromkeys(
        (
            "retry policy",
            "retry policies",
            "retries",
            "retry",
            "retry logic",
            "retry behaviour",
            "retry behavior",
            "retry config",
            "retry configuration",
            "retry settings",
            "retry strategies",
        ),
        "retry strategy",
    ),
    **dict.fromkeys(
        (
            "failure mode",
            "behaviour on failure",
            "behavior on failure",
            "failure behaviour",
            "failure behavior",
            "failures",
            "known failure modes",
        ),
        "failure modes",
    ),
    **dict.fromkeys(("env vars", "env variables", "environment variable"), "environment variables"),
    **dict.fromkeys(("healthcheck", "health-check"), "health check"),
    **dict.fromkeys(("owner", "owners", "maintainer", "maintainers", "maintained by team"), "maintained by"),
    **dict.fromkeys(("last update", "last reviewed", "updated"), "last updated"),
}


@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """The key of a label, a synonym of a template label taken as that label (``Retry policy`` ->
    ``retry strategy``); other labels as :func:`normalize_key` gives them."""
    key = normalize_key(text)
    return _LABEL_SYNONYMS.get(key, key)


_SECTION_BY_KEY = {normalize_key(x): x for x in SECTION_ORDER}
_SECTION_BY_KEY.update(
    {"tests": "Testing", "configuration & environment": "Configuration", "flow": "Integration Flow"}
)


@lru_cache(maxsize=4096)
def canonical_label(label: str) -> str:
    """The template's spelling of a known label; other labels as written."""
    return _LABEL_BY_KEY.get(label_key(label), label.strip())


def is_footer_label(label: str) -> bool:
    """``label`` is a footer field's (Last Updated, Maintained By, or a synonym of either)."""
    return label_key(label) in FOOTER_LABELS


@lru_cache(maxsize=4096)
def is_template_label(label: str) -> bool:
    """``label`` is one of the template's field labels (matched by meaning, as :func:`canonical_label`)."""
    return label_key(label) in _LABEL_BY_KEY


# a section by the words of its title: a title all of whose words (but the joining ones) are one section's
# is that section ("Errors and retries", "Performance & SLOs", "Config / env"); any other word makes it a
# section of its own ("Known errors", "Notes from the team")
_SECTION_WORDS: dict[str, frozenset[str]] = {
    "Quick Reference": frozenset({"quick", "reference", "summary", "overview", "at", "glance"}),
    "Integration Flow": frozenset({"integration", "flow", "flows", "sequence", "diagram"}),
    "Request Format": frozenset(
        {
            "request",
            "requests",
            "response",
            "responses",
            "format",
            "formats",
            "payload",
            "payloads",
            "contract",
        }
    ),
    "Code Example": frozenset({"code", "example", "examples", "snippet", "snippets", "usage", "sample"}),
    "Error Handling": frozenset(
        {
            "error",
            "errors",
            "handling",
            "failure",
            "failures",
            "retry",
            "retries",
            "resilience",
            "fault",
            "faults",
            "modes",
            "timeouts",
            "recovery",
        }
    ),
    "Performance": frozenset(
        {"performance", "latency", "latencies", "throughput", "slo", "slos", "capacity"}
    ),
    "Configuration": frozenset({"configuration", "config", "environment", "env", "settings", "variables"}),
    "Testing": frozenset({"testing", "tests", "test"}),
    "Monitoring": frozenset(
        {"monitoring", "observability", "alerting", "alerts", "health", "metrics", "logs"}
    ),
    "Recent Changes": frozenset({"recent", "changes", "changelog", "history"}),
}
_JOINING = frozenset({"and", "&", "/", "+", "the", "of", "our", "its", "-", "–", "—"})
_TITLE_WORD = re.compile(r"[a-z]+|&|/|\+")


@lru_cache(maxsize=4096)
def canonical_section(title: str) -> str | None:
    """The template's title for a known section, else ``None``: by its key, else by its words."""
    key = normalize_key(title)
    if (known := _SECTION_BY_KEY.get(key)) is not None:
        return known
    words = {w for w in _TITLE_WORD.findall(key) if w not in _JOINING}
    if not words:
        return None
    found = [name for name, vocabulary in _SECTION_WORDS.items() if words <= vocabulary]
    return found[0] if len(found) == 1 else None


@cache
def template_text() -> str:
    return resources.files("wiremap.document").joinpath("template.md").read_text(encoding="utf-8")


_PLACEHOLDER = re.compile(r"\[[^\[\]\n]+\]")


@cache
def template_placeholders() -> frozenset[str]:
    """Every ``[placeholder]`` of the template, brackets included."""
    return frozenset(_PLACEHOLDER.findall(template_text()))
