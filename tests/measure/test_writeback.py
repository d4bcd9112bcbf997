"""Write-back changes only the Performance values; the regression gate holds the documented line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap import parse_text
from wiremap.measure._base import MeasureResult, Percentiles
from wiremap.measure.check import check_against_doc
from wiremap.measure.writeback import format_ms, write_back

TODAY = dt.date(2026, 11, 28)


def _result(p50: float, p95: float, p99: float, rate: float = 200) -> MeasureResult:
    lat = Percentiles(p50, p50 * 1.5, p95, p99, p99 * 1.2, p99 * 1.5)
    return MeasureResult(lat, lat, Percentiles(), rate * 0.999, int(rate * 10), {}, rate, 10.0, 8)


@pytest.mark.parametrize("doc", sorted(EXAMPLE_DOCS.glob("*.md")), ids=lambda p: p.stem)
def test_write_back_changes_only_the_three_values(tmp_path: Path, doc: Path) -> None:
    target = tmp_path / doc.name
    shutil.copy(doc, target)
    before = target.read_bytes().split(b"\n")
    edits = write_back(target, _result(4.2, 11.75, 38.4), today=TODAY)
    after = target.read_bytes().split(b"\n")
    assert len(before) == len(after)
    changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 3 == len(edits)
    assert {after[n].split(b":")[0].strip(b"-* ") for n in changed} == {b"Typical", b"P95", b"P99"}
    text = target.read_text(encoding="utf-8")
    assert "- Typical: 4.2 ms (measured 2026-11-28, 200 req/s)" in text
    assert "- P95: 12 ms (measured 2026-11-28, 200 req/s)" in text
    integ = parse_text(text, "x.md").integration
    assert (integ.latency_ms.typical, integ.latency_ms.p95, integ.latency_ms.p99) == (4.2, 12, 38)


def test_write_back_keeps_crlf_bom_and_bullets(tmp_path: Path) -> None:
    src = (EXAMPLE_DOCS / "checkout-service-to-payments-api.md").read_text(encoding="utf-8")
    messy = "\ufeff" + src.replace("\n- ", "\n* ").replace("\n", "\r\n")
    target = tmp_path / "x.md"
    target.write_bytes(messy.encode("utf-8"))
    write_back(target, _result(1, 2, 3), today=TODAY)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert b"* P95: 2.0 ms (measured 2026-11-28, 200 req/s)\r\n" in data
    assert len(data.split(b"\r\n")) == len(messy.encode("utf-8").split(b"\r\n"))


def test_throughput_written_only_with_a_max_rate(tmp_path: Path) -> None:
    target = tmp_path / "x.md"
    shutil.copy(EXAMPLE_DOCS / "checkout-service-to-payments-api.md", target)
    write_back(target, _result(1, 2, 3), today=TODAY)
    assert "requests/sec (measured" not in target.read_text(encoding="utf-8")
    write_back(target, _result(1, 2, 3), today=TODAY, max_rate=1850.4, budget_ms=250)
    text = target.read_text(encoding="utf-8")
    assert "- 1,850 requests/sec (measured 2026-11-28, max sustained with p99 ≤ 250 ms)" in text
    assert parse_text(text, "x.md").integration.throughput_per_s == pytest.approx(1850)


def test_regression_gate_on_an_example_doc() -> None:
    integ = parse_text(
        (EXAMPLE_DOCS / "checkout-service-to-payments-api.md").read_text(encoding="utf-8"), "x"
    ).integration
    assert integ.latency_ms.p95 is not None and integ.latency_ms.p99 is not None
    fine = check_against_doc(integ, _result(1, integ.latency_ms.p95 * 1.1, integ.latency_ms.p99), 0.2)
    assert all(v.ok for v in fine)
    slow = check_against_doc(integ, _result(1, integ.latency_ms.p95, integ.latency_ms.p99 * 1.3), 0.2)
    assert [v.ok for v in slow] == [True, False] and "exceeds" in slow[1].message


def test_format_ms() -> None:
    assert [format_ms(x) for x in (0.4237, 4.249, 38.4, 1234.5)] == ["0.42 ms", "4.2 ms", "38 ms", "1234 ms"]
