"""Every lint rule, by code: one import and one line per rule."""

from __future__ import annotations

from collections.abc import Iterable

from .rule import Rule
from .rules import (
    age001_last_updated_before_recent_change,
    age002_date_in_future,
    blk001_invalid_json,
    blk002_python_syntax_error,
    cat001_duplicate_integration,
    cfg001_unknown_setting,
    cfg002_invalid_setting_value,
    cfg003_runner_only_setting,
    crt001_critical_without_health_check,
    crt002_critical_without_retry_strategy,
    crt003_critical_without_p99,
    doc000_unreadable_document,
    doc001_missing_section,
    doc002_missing_field,
    doc003_unfilled_placeholder,
    doc004_invalid_title,
    err001_unreadable_retry_strategy,
    err002_timeout_far_above_p99,
    err003_timeout_below_p99,
    err004_retry_budget_exceeds_deadline,
    err005_retry_without_idempotency_key,
    sec001_plaintext_secret,
    src001_source_file_missing,
    src002_source_line_past_end,
    src003_client_not_at_source_line,
    src004_client_not_found,
    src005_env_var_never_read,
    src006_env_var_undocumented,
    src007_source_changed_after_doc,
    src008_maintainer_missing,
    val001_unknown_direction,
    val002_unknown_critical_path,
    val003_unparseable_latency,
    val004_latency_percentiles_out_of_order,
    val005_unparseable_throughput,
    val006_invalid_destination,
    val007_port_out_of_range,
    val008_invalid_source_ref,
    val009_invalid_date,
    val010_unreadable_env_var,
    val011_unreadable_failure_modes,
    val012_endpoint_destination_mismatch,
)

__all__ = ["RULES", "get_rule", "matches", "rules_matching", "split_selectors", "unknown_selectors"]

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        age001_last_updated_before_recent_change.RULE,
        age002_date_in_future.RULE,
        blk001_invalid_json.RULE,
        blk002_python_syntax_error.RULE,
        cat001_duplicate_integration.RULE,
        cfg001_unknown_setting.RULE,
        cfg002_invalid_setting_value.RULE,
        cfg003_runner_only_setting.RULE,
        crt001_critical_without_health_check.RULE,
        crt002_critical_without_retry_strategy.RULE,
        crt003_critical_without_p99.RULE,
        doc000_unreadable_document.RULE,
        doc001_missing_section.RULE,
        doc002_missing_field.RULE,
        doc003_unfilled_placeholder.RULE,
        doc004_invalid_title.RULE,
        err001_unreadable_retry_strategy.RULE,
        err002_timeout_far_above_p99.RULE,
        err003_timeout_below_p99.RULE,
        err004_retry_budget_exceeds_deadline.RULE,
        err005_retry_without_idempotency_key.RULE,
        sec001_plaintext_secret.RULE,
        src001_source_file_missing.RULE,
        src002_source_line_past_end.RULE,
        src003_client_not_at_source_line.RULE,
        src004_client_not_found.RULE,
        src005_env_var_never_read.RULE,
        src006_env_var_undocumented.RULE,
        src007_source_changed_after_doc.RULE,
        src008_maintainer_missing.RULE,
        val001_unknown_direction.RULE,
        val002_unknown_critical_path.RULE,
        val003_unparseable_latency.RULE,
        val004_latency_percentiles_out_of_order.RULE,
        val005_unparseable_throughput.RULE,
        val006_invalid_destination.RULE,
        val007_port_out_of_range.RULE,
        val008_invalid_source_ref.RULE,
        val009_invalid_date.RULE,
        val010_unreadable_env_var.RULE,
        val011_unreadable_failure_modes.RULE,
        val012_endpoint_destination_mismatch.RULE,
    )
}


def get_rule(code: str) -> Rule | None:
    code = code.strip().upper()
    return RULES.get(code) or next((r for r in RULES.values() if r.name == code.lower()), None)


def split_selectors(selectors: Iterable[str]) -> list[str]:
    """``["DOC,CRT", "VAL001"]`` -> ``["DOC", "CRT", "VAL001"]`` (upper-case)."""
    return [part.strip().upper() for s in selectors for part in s.split(",") if part.strip()]


def matches(code: str, selector: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """Selectors that match no rule (typos, or rules of a newer wiremap)."""
    return [s for s in split_selectors(selectors) if not any(matches(c, s) for c in RULES)]


def rules_matching(selectors: Iterable[str]) -> list[Rule]:
    """Rules whose code starts with any selector (``DOC`` or ``DOC003``); ``ALL`` matches all."""
    sel = split_selectors(selectors)
    return [r for r in RULES.values() if any(matches(r.code, s) for s in sel)]
