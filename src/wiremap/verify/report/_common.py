"""What every verify format shows the same way: status words, the doc line to point at, masking."""

from __future__ import annotations

from ...probes._base import ProbeResult
from ...probes.tcp import CONNECT_ONLY
from ...protocols import hostport
from ...secrets import mask_text
from ..engine import IntegrationReport

__all__ = ["COMMAND_CHECKS", "check_line", "limited", "message", "probed", "status", "where"]


# the doc's own commands (--run-commands): they prove what they run, not that the destination answered
COMMAND_CHECKS = frozenset({"health-check", "integration-test"})


def status(report: IntegrationReport) -> str:
    """``FAIL`` when a check failed; ``skip`` when no check of the destination itself ran (the doc's
    commands alone passing, its probe skipped, was "ok" with the destination never contacted: round
    56); else ``ok``."""
    if not report.ok:
        return "FAIL"
    if report.checks and all(c.skipped or c.name in COMMAND_CHECKS for c in report.checks):
        return "skip"
    return "ok"


def limited(report: IntegrationReport) -> str:
    """What an ok check says it did not check: a TCP connect standing in for the doc's protocol
    ("no kafka probe: TCP connect only"), shown with the ok in every format, not in JSON alone."""
    return "; ".join(message(c) for c in report.checks if c.ok and CONNECT_ONLY in c.message)


def message(check: ProbeResult) -> str:
    """A check's message as every format shows it, masked here, before a format cuts it to a width or
    wraps it in a table cell (a cut secret would no longer look like one to the door's masker)."""
    return mask_text(check.message)


def check_line(report: IntegrationReport, check: ProbeResult | None) -> int:
    """The doc line a failure is about: the Endpoint for contract problems, else the Destination."""
    integ = report.integration
    if check is not None and check.name in ("health-check",):
        return integ.line_of("health_check", integ.line_of("title"))
    if check is not None and check.name in ("integration-test",):
        return integ.line_of("integration_test", integ.line_of("title"))
    if check is not None and check.name == "contract":
        return integ.line_of("response", integ.line_of("endpoint", integ.line_of("title")))
    return integ.line_of("destination_host", integ.line_of("endpoint", integ.line_of("title")))


def probed(report: IntegrationReport) -> str | None:
    """The host:port probed; None when nothing was (every check skipped, or only the doc's commands ran)."""
    target = report.target
    if target is None or all(c.skipped or c.name in COMMAND_CHECKS for c in report.checks):
        return None
    return mask_text(target.hostport)


def where(report: IntegrationReport) -> str | None:
    """:func:`probed`, and, when the doc's Endpoint and Destination name two addresses, that the
    Endpoint's was taken ("ok" of 127.0.0.1:25206 read as the Destination's 127.0.0.1:25260, where
    nothing listened: round 67)."""
    shown, target, integ = probed(report), report.target, report.integration
    if shown is None or target is None or target.explicit:
        return shown
    if not (integ.destination_host and integ.destination_port) or (target.host, target.port) == (
        integ.destination_host,
        integ.destination_port,
    ):
        return shown
    documented = mask_text(hostport(integ.destination_host, integ.destination_port))
    return f"{shown} (the Endpoint's; the Destination says {documented})"
