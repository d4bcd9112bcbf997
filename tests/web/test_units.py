"""The pieces under the pages: formatting, safe Markdown, chart scale, graph layout, latency series."""

from __future__ import annotations

import dataclasses

import pytest

from tests.web._fakes import NOW, PAYMENTS, FakeStore, example_view
from tests.web._html import parse
from wiremap.catalog import Catalog
from wiremap.document import parse_text
from wiremap.monitor.model import CheckResult, Percentiles, Status
from wiremap.web import fmt, live, system
from wiremap.web.chart import latency_chart, nice_step
from wiremap.web.graph_svg import layout
from wiremap.web.markdown import neutralize_html, render_doc
from wiremap.web.pages import refresh_seconds


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (0.4213, "0.42 ms"), (4.25, "4.2 ms"), (182.4, "182 ms"), (1250.0, "1,250 ms")],
)
def test_ms(value: float | None, text: str) -> None:
    assert fmt.ms(value) == text


def test_pct_never_rounds_up_to_100() -> None:
    assert fmt.pct(1.0) == "100%"
    assert fmt.pct(0.99999) == "99.99%"
    assert fmt.pct(119 / 120) == "99.16%"
    assert fmt.pct(None) == "—"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (0.2, "just now"),
        (12.7, "12 s ago"),
        (125, "2 min ago"),
        (7300, "2 h ago"),
        (3 * 86400, "3 d ago"),
        (-5, "in 5 s"),
    ],
)
def test_ago(delta: float, text: str) -> None:
    assert fmt.ago(NOW - delta, NOW) == text


def test_times_are_utc() -> None:
    assert fmt.utc(NOW) == "2027-01-15 08:00:30 UTC"
    assert fmt.iso(NOW) == "2027-01-15T08:00:30Z"
    assert fmt.ago(None, NOW) == "never"


def test_refresh_follows_the_interval_within_bounds() -> None:
    assert [refresh_seconds(s) for s in (1, 30, 600)] == [5, 30, 60]


# -- Markdown ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "text <script>alert(1)</script> text",
        "> <iframe src=x></iframe>",
        "- <svg onload=alert(1)>",
        "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
        "<!-- hidden --><style>*{}</style>",
        "<div>\n\n<script>x</script>\n\n</div>",
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_raw_html_never_survives(source: str) -> None:
    out = str(render_doc(source))
    tags = {n.tag for n in parse(out).iter()} - {"#document"}
    assert tags <= {"p", "blockquote", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "br"}
    assert all(not k.startswith("on") for n in parse(out).iter() for k in n.attrs)
    assert "<!--" not in out


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "vbscript:x"],
)
def test_unsafe_link_schemes_become_hash(link: str) -> None:
    out = str(render_doc(f"[x](<{link}>) and <{link}>"))
    assert 'href="#"' in out
    assert 'href="javascript' not in out.lower() and 'href="data' not in out


def test_safe_links_stay() -> None:
    out = str(
        render_doc("[a](https://example.com/x?a=1&b=2) [b](/graph) [c](mailto:x@example.com) [d](#top)")
    )
    for href in ("https://example.com/x?a=1&amp;b=2", "/graph", "mailto:x@example.com", "#top"):
        assert f'href="{href}"' in out


def test_code_and_text_keep_their_characters() -> None:
    out = str(render_doc("a < b & c > d `<i>`\n\n```\n<b>x</b> & y\n```\n"))
    assert "a &lt; b &amp; c &gt; d <code>&lt;i&gt;</code>" in out
    assert "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>" in out


def test_one_field_per_line_stays_one_per_line() -> None:
    assert (
        str(render_doc("**A:** 1\n**B:** 2")) == "<p><strong>A:</strong> 1<br>\n<strong>B:</strong> 2</p>\n"
    )


def test_secrets_are_masked_before_rendering() -> None:
    out = str(
        render_doc("```\nexport DB_PASSWORD=hunter2\npostgresql://app:s3cret@db/x\n```\nghp_" + "a1B2" * 9)
    )  # (``ghp_`` + 36 times the same letter is a documentation dummy: kept, and not a SEC001 finding)
    assert "hunter2" not in out and "s3cret" not in out and "a1B2" * 9 not in out


def test_neutralize_keeps_plain_markdown() -> None:
    text = "# T é\n\n- a\n- b\n\n```\n<x>\n```\n"
    assert neutralize_html(text) == text
    assert neutralize_html("é <b>x</b>") == "é &lt;b&gt;x&lt;/b&gt;"


# -- chart ---------------------------------------------------------------------------------------------------


def test_nice_steps() -> None:
    assert [nice_step(v) for v in (4, 10, 990, 1650, 0.3)] == [1, 2.5, 250, 500, 0.1]


def test_chart_breaks_lines_at_missing_minutes() -> None:
    pts = [
        live.Point(NOW - 600 + 60 * k, 60, 1, 0, 10.0, 20.0, 30.0) for k in (0, 1, 2, 5, 7, 8)
    ]  # gaps after 2 and 5
    chart = latency_chart(pts, NOW - 3600, NOW, 25.0)
    p99 = next(s for s in chart.series if s.name == "p99")
    assert len(p99.lines) == 2 and len(p99.dots) == 1
    assert chart.documented_p99 is not None and chart.documented_p99[1] == 25.0
    assert chart.y_ticks[0][1] == "0"


# -- graph layout --------------------------------------------------------------------------------------------


def _catalog(*pairs: tuple[str, str, str]) -> Catalog:
    cat = Catalog()
    for src, dst, direction in pairs:
        cat.docs.append(
            parse_text(f"# Integration: {src} → {dst}\n\n**Protocol:** HTTP\n**Direction:** {direction}\n")
        )
    return cat


def test_layout_survives_cycles_and_loops() -> None:
    cat = _catalog(("A", "B", "Unidirectional"), ("B", "C", "Unidirectional"), ("C", "A", "Unidirectional"))
    cat.docs += _catalog(("D", "D", "Unidirectional"), ("A", "B", "Bidirectional")).docs
    sysgraph = system.build(cat, {})
    drawing = layout(sysgraph)
    assert {b.name for b in drawing.boxes} == {"A", "B", "C", "D"}
    assert len(drawing.curves) == len({i.id for i in cat})
    assert all(c.d.startswith("M") for c in drawing.curves)
    assert drawing.width > 0 and drawing.height > 0


def test_layout_goes_left_to_right() -> None:
    cat = _catalog(("Web", "API", "Unidirectional"), ("API", "DB", "Unidirectional"))
    boxes = {b.name: b for b in layout(system.build(cat, {})).boxes}
    assert boxes["Web"].x < boxes["API"].x < boxes["DB"].x


def test_node_status_is_the_worst_into_it() -> None:
    cat = _catalog(("A", "C", "Unidirectional"), ("B", "C", "Unidirectional"))
    ids = [i.id for i in cat]
    sysgraph = system.build(cat, {ids[0]: Status.UP, ids[1]: Status.DEGRADED})
    status = {s.name: s.status for s in sysgraph.services}
    assert status == {"A": None, "B": None, "C": Status.DEGRADED}
    assert system.worst([Status.UP, Status.UNKNOWN]) is Status.UNKNOWN
    assert system.worst([Status.DEGRADED, Status.DOWN]) is Status.DOWN


# -- latency series ------------------------------------------------------------------------------------------


def test_series_joins_rollups_and_raw_results_without_overlap() -> None:
    store = FakeStore()
    store.add_results([CheckResult(PAYMENTS, NOW - 600 + 10 * k, True, 5.0, float(k)) for k in range(60)])
    store.roll_up(NOW - 300)
    points = live.series(store, PAYMENTS, 3600, 60, NOW)
    starts = [p.ts for p in points]
    assert starts == sorted(set(starts))
    assert sum(p.count for p in points) == 60
    assert [p.complete for p in points][-1] is False
    store.roll_up(NOW + 60)  # every bucket rolled up: nothing read twice
    assert sum(p.count for p in live.series(store, PAYMENTS, 3600, 60, NOW)) == 60


def test_series_uses_time_to_first_byte_like_the_state_machine() -> None:
    store = FakeStore()
    store.add_results([CheckResult(PAYMENTS, NOW - 5, True, 500.0, 20.0)])
    (point,) = live.series(store, PAYMENTS, 3600, 60, NOW)
    assert point.p99 == 20.0


def test_a_large_catalog_reads_the_day_in_one_query(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above EXACT_MAX integrations: hourly rollups (one call) plus the monitor's exact last hour."""
    from wiremap.web import live

    view = example_view()
    calls: list[str] = []
    real_summaries, real_percentiles = view.store.summaries, view.store.percentiles

    def summaries(bucket_s: int, since: float, until: float | None = None) -> dict[str, Percentiles]:
        calls.append("summaries")
        return real_summaries(bucket_s, since, until)

    def percentiles(integration_id: str, since: float, until: float | None = None) -> Percentiles:
        calls.append("percentiles")
        return real_percentiles(integration_id, since, until)

    monkeypatch.setattr(view.store, "summaries", summaries)
    monkeypatch.setattr(view.store, "percentiles", percentiles)
    monkeypatch.setattr(live, "EXACT_MAX", 0)
    hour = Percentiles(10, 1, 5.0, 6.0, 7.0)
    states = [dataclasses.replace(s, hour=hour) for s in view.states()]
    out = live.summaries(view.store, states, NOW)
    assert calls == ["summaries"]  # no per-integration query at all
    assert all(x.hour == hour for x in out)
    assert all(x.day.count >= hour.count and (x.day.p99 or 0) >= 7.0 for x in out)


def test_the_day_never_counts_fewer_checks_than_the_hour() -> None:
    """Found by a new user: the API's latency_day.count was below latency_hour.count (the hour came
    from the monitor's memory, a write batch ahead of the store the day was read from)."""
    from wiremap.web import live

    view = example_view()
    ahead = Percentiles(10_000, 0, 1.0, 2.0, 3.0)  # more checks in memory than the store holds yet
    states = [dataclasses.replace(s, hour=ahead) for s in view.states()]
    out = live.summaries(view.store, states, NOW)
    assert out and all(x.day.count >= x.hour.count for x in out)
    assert any(x.hour.count for x in out)  # the example store has checks: not trivially 0 >= 0
