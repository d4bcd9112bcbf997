"""The reports of ``wiremap faults``: text (one line per fault and a summary), JSON, JUnit XML.

Each is plain text; the CLI writes it through the output door (:func:`wiremap.output.write_report`), where
secrets are masked. The JSON is documented in docs/commands/faults.md.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from xml.etree import ElementTree as ET

from ..secrets import mask_json
from .run import IntegrationFaults

__all__ = ["FORMATS", "render_json", "render_junit", "render_text", "summary"]

_ORDER = ("ok", "mismatch", "not-documented", "skipped")


def summary(reports: Sequence[IntegrationFaults]) -> str:
    counts: Counter[str] = Counter(r.verdict for rep in reports for r in rep.results)
    total = sum(counts.values())
    parts = [f"{counts[v]} {v}" for v in _ORDER if counts[v]]
    n = len(reports)
    head = f"{total} fault{'s' if total != 1 else ''} in {n} integration{'s' if n != 1 else ''}"
    return f"{head}: {', '.join(parts) or 'none run'}"


def render_text(reports: Sequence[IntegrationFaults]) -> str:
    lines: list[str] = []
    for rep in reports:
        for r in rep.results:
            line = f"{r.verdict}: {rep.integration.id}: {r.fault}: {r.message}"
            if r.rewritten:
                line += " [" + ", ".join(f"{k}={v}" for k, v in r.rewritten.items()) + "]"
            lines.append(line)
    lines.append(summary(reports))
    return "\n".join(lines) + "\n"


def render_json(reports: Sequence[IntegrationFaults]) -> str:
    return json.dumps(mask_json([r.to_json() for r in reports]), indent=2, ensure_ascii=False) + "\n"


def render_junit(reports: Sequence[IntegrationFaults]) -> str:
    cases = [(rep, r) for rep in reports for r in rep.results]
    failures = sum(r.verdict == "mismatch" for _, r in cases)
    skipped = sum(r.verdict == "skipped" for _, r in cases)
    suites = ET.Element("testsuites", name="wiremap faults", tests=str(len(cases)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="wiremap faults",
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for rep, r in cases:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"wiremap.faults.{rep.integration.id}",
            name=r.fault,
            file=rep.integration.path,
        )
        if r.verdict == "mismatch":
            ET.SubElement(case, "failure", message=r.message[:500], type="mismatch").text = r.message
        elif r.verdict == "skipped":
            ET.SubElement(case, "skipped", message=r.message[:500])
        out = [f"{r.verdict}: {r.message}"]
        if r.rewritten:
            out.append("rewritten: " + ", ".join(f"{k}={v}" for k, v in r.rewritten.items()))
        if r.output:
            out.append(r.output)
        ET.SubElement(case, "system-out").text = "\n".join(out)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


FORMATS: dict[str, Callable[[Sequence[IntegrationFaults]], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
}
