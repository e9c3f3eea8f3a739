"""Each insight kind displays as its own chart: funnel bars with conversion rates, lifecycle
and stickiness bars (PNG), the retention triangle and ranked paths (HTML) — no server."""

from __future__ import annotations

from envnb.query.results import QueryResult

FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [
        {"kind": "EventsNode", "event": "signed_up"},
        {"kind": "EventsNode", "event": "purchase"},
    ],
}
STEPS = {
    "results": [
        {"order": 0, "name": "signed_up", "count": 8, "median_conversion_time": None},
        {"order": 1, "name": "purchase", "count": 2, "median_conversion_time": 60.0},
    ]
}


def test_a_funnel_displays_as_a_picture_and_its_rows() -> None:
    html = QueryResult(FUNNEL, STEPS)._repr_html_()
    assert 'src="data:image/png;base64,' in html
    assert "<td>signed_up</td>" in html and "<td>0.25</td>" in html


def test_the_retention_triangle_is_a_heatmap_table() -> None:
    raw = {
        "results": [
            {"date": "2026-11-08T00:00:00Z", "values": [{"count": 4}, {"count": 1}]},
            {"date": "2026-11-09T00:00:00Z", "values": [{"count": 2}]},
        ]
    }
    html = QueryResult({"kind": "RetentionQuery"}, raw)._repr_html_()
    assert "envnb-retention" in html and "data:image/png" not in html
    assert ">100.0%</td>" in html and ">25.0%</td>" in html
    assert html.count("<tr>") >= 3


def test_paths_are_a_ranked_table_with_escaped_pages() -> None:
    raw = {
        "results": [
            {"source": "1_/", "target": "2_<b>x</b>", "value": 2, "average_conversion_time": 1.0},
            {"source": "1_/", "target": "2_/docs", "value": 5, "average_conversion_time": 1.0},
        ]
    }
    html = QueryResult({"kind": "PathsQuery"}, raw)._repr_html_()
    assert "envnb-paths" in html and "<b>x</b>" not in html and "2_&lt;b&gt;x&lt;/b&gt;" in html
    assert html.index("2_/docs") < html.index("2_&lt;b&gt;")  # ranked by value


def test_lifecycle_and_stickiness_are_pictures() -> None:
    action = {"id": "$pageview", "name": "$pageview", "order": 0, "math": "total"}
    lifecycle = {
        "results": [
            {"status": s, "data": [n], "days": ["2026-11-10"], "action": action}
            for s, n in (("new", 3), ("returning", 2), ("resurrecting", 1), ("dormant", -2))
        ]
    }
    query = {"kind": "LifecycleQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
    assert "data:image/png" in QueryResult(query, lifecycle)._repr_html_()
    sticky = {"results": [{"data": [5, 1], "days": [1, 2], "action": action}]}
    query = {"kind": "StickinessQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
    assert "data:image/png" in QueryResult(query, sticky)._repr_html_()
