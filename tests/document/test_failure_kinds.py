"""Failure mode kinds: what a failure is, however it is named."""

from __future__ import annotations

from wiremap import parse_text


def _modes_of(items: str) -> list[str]:
    text = f"# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n{items}\n"
    return [m.kind for m in parse_text(text, "x.md").integration.error_handling.failure_modes]


def test_a_lost_connection_is_its_own_kind_and_a_reason_phrase_a_status() -> None:
    """nu9: 'Connection Lost' and 'Disconnect' were classed other; 'Service Unavailable' (a 503) a refusal."""
    assert _modes_of(
        "- **Connection Lost**: broker restarts → reconnect\n- **Disconnect**: peer closes\n"
        "- **Broken pipe**: write fails\n- **Service Unavailable**: 503 → retried\n"
        "- **Connection refused**: down\n- **UNAVAILABLE**: server restarting"
    ) == [
        "connection_lost",
        "connection_lost",
        "connection_lost",
        "http_status",
        "connection_refused",
        "connection_refused",
    ]
