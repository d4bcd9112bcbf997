"""JUnit XML for CI dashboards: one testcase per integration, one failure per failed check."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from ...findings import Finding
from ..engine import IntegrationReport
from ._common import check_line, message, status, where


def render(reports: Sequence[IntegrationReport], color: bool, problems: Sequence[Finding] = ()) -> str:
    failures = sum(not r.ok for r in reports)
    skipped = sum(status(r) == "skip" for r in reports)
    total_s = sum(r.duration_ms for r in reports) / 1000
    tests = str(len(reports) + len(problems))
    suites = ET.Element(
        "testsuites", name="wiremap verify", tests=tests, failures=str(failures), errors=str(len(problems))
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="wiremap verify",
        tests=tests,
        failures=str(failures),
        errors=str(len(problems)),
        skipped=str(skipped),
        time=f"{total_s:.3f}",
    )
    # a doc that could not be read is an error testcase of its own (the job was red with every testcase
    # green: round 30)
    for f in problems:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="wiremap.doc",
            name=f.path,
            file=f.path,
            line=str(f.line),
            time="0.000",
        )
        ET.SubElement(case, "error", message=f"{f.code}: {f.message}"[:500], type=f.code).text = f.message
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
        # each check with its message: "tcp: ok" hid "no kafka probe: TCP connect only", a skipped
        # check its reason (round 56)
        lines = [
            f"{c.name}: {'ok' if c.ok else 'skipped' if c.ok is None else 'FAIL'} ({c.duration_ms:.1f} ms): "
            f"{message(c)}"
            for c in r.checks
        ]
        if (probed := where(r)) is not None:
            lines.insert(0, f"target: {probed}")
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
