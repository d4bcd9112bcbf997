"""JUnit XML for CI dashboards: one testcase per integration, one failure per failed check."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from ..engine import IntegrationReport
from ._common import check_line, message, status


def render(reports: Sequence[IntegrationReport], color: bool) -> str:
    failures = sum(not r.ok for r in reports)
    skipped = sum(status(r) == "skip" for r in reports)
    total_s = sum(r.duration_ms for r in reports) / 1000
    suites = ET.Element("testsuites", name="wiremap verify", tests=str(len(reports)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="wiremap verify",
        tests=str(len(reports)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{total_s:.3f}",
    )
    for r in reports:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"wiremap.{r.integration.protocol or 'unknown'}",
            name=r.integration.name,
            file=r.integration.path,
            line=str(check_line(r, r.first_failure)),
            time=f"{r.duration_ms / 1000:.3f}",
        )
        for c in r.checks:
            if c.ok is False:
                el = ET.SubElement(
                    case, "failure", message=f"{c.name}: {message(c)}"[:500], type=str(c.error_kind)
                )
                el.text = message(c)
        if status(r) == "skip":
            reasons = "; ".join(message(c) for c in r.checks)
            ET.SubElement(case, "skipped", message=reasons[:500])
        lines = [
            f"{c.name}: {'ok' if c.ok else 'skipped' if c.ok is None else 'FAIL'} ({c.duration_ms:.1f} ms)"
            for c in r.checks
        ]
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
