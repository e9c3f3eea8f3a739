"""Every insight kind's tidy frame from hand-written PostHog answers, the actors point builder
and saved-insight references — no server. Expected values are written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from envnb.errors import RequestValidationError
from envnb.query.insights.actors import actors_frame
from envnb.query.insights.saved import InsightRef, insight_ref
from envnb.query.kinds import actors_plan, tidy_frame
from envnb.query.results import QueryResult

TS = "datetime64[us, UTC]"


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


def _action(event: str, order: int, math: str = "total") -> dict[str, object]:
    return {"id": event, "name": event, "order": order, "math": math, "custom_name": None}


# ---- Trends: series of one event with different math, compare, two-level breakdowns ------------

PURCHASES = {
    "kind": "TrendsQuery",
    "series": [
        {"kind": "EventsNode", "event": "purchase", "math": "total"},
        {"kind": "EventsNode", "event": "purchase", "math": "dau"},
    ],
}


def test_two_series_of_one_event_with_different_math_are_told_apart() -> None:
    days = ["2026-11-09", "2026-11-10"]
    raw = {
        "results": [
            {"label": "purchase", "data": [3, 5], "days": days, "action": _action("purchase", 0)},
            {
                "label": "purchase",
                "data": [2, 2],
                "days": days,
                "action": _action("purchase", 1, "dau"),
            },
        ]
    }
    df = QueryResult(PURCHASES, raw).df
    assert df.to_dict("list") == {
        "date": [_day(d) for d in days * 2],
        "series": ["purchase"] * 4,
        "series_index": [0, 0, 1, 1],
        "math": ["total", "total", "dau", "dau"],
        "breakdown_value": [None] * 4,
        "value": [3, 5, 2, 2],
    }


def test_compare_marks_the_previous_period_instead_of_extending_the_line() -> None:
    query = {**PURCHASES, "series": PURCHASES["series"][:1], "compareFilter": {"compare": True}}
    action = _action("purchase", 0)
    raw = {
        "results": [
            {
                "label": "purchase",
                "data": [4, 6],
                "days": ["2026-11-09", "2026-11-10"],
                "action": action,
                "compare": True,
                "compare_label": "current",
            },
            {
                "label": "purchase",
                "data": [1, 2],
                "days": ["2026-11-07", "2026-11-08"],
                "action": action,
                "compare": True,
                "compare_label": "previous",
            },
        ]
    }
    df = QueryResult(query, raw).df
    assert list(df.columns) == [
        "date",
        "series",
        "series_index",
        "math",
        "compare",
        "breakdown_value",
        "value",
    ]
    assert df["compare"].tolist() == ["current", "current", "previous", "previous"]
    assert df["date"].tolist() == [
        _day("2026-11-09"),
        _day("2026-11-10"),
        _day("2026-11-07"),
        _day("2026-11-08"),
    ]
    assert df["value"].tolist() == [4, 6, 1, 2]
    empty = QueryResult(query, {"results": []}).df
    assert "compare" in empty.columns and len(empty) == 0


def test_a_two_level_breakdown_gives_two_columns() -> None:
    query = {
        **PURCHASES,
        "series": PURCHASES["series"][:1],
        "breakdownFilter": {
            "breakdowns": [{"property": "$browser", "type": "event"}, {"property": "plan"}]
        },
    }
    action = _action("purchase", 0)
    raw = {
        "results": [
            {
                "data": [2],
                "days": ["2026-11-10"],
                "action": action,
                "breakdown_value": ["Chrome", "pro"],
            },
            {
                "data": [1],
                "days": ["2026-11-10"],
                "action": action,
                "breakdown_value": ["Safari", "$$_posthog_breakdown_null_$$"],
            },
        ]
    }
    df = QueryResult(query, raw).df
    assert list(df.columns) == [
        "date",
        "series",
        "series_index",
        "math",
        "$browser",
        "plan",
        "value",
    ]
    assert df["$browser"].tolist() == ["Chrome", "Safari"]
    assert df["plan"].tolist() == ["pro", "None"]
    assert _dtypes(df)["$browser"] == "string" and _dtypes(df)["plan"] == "string"


# ---- Funnels ---------------------------------------------------------------------------------

FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [
        {"kind": "EventsNode", "event": "signed_up"},
        {"kind": "EventsNode", "event": "$pageview"},
        {"kind": "EventsNode", "event": "purchase"},
    ],
}
STEP_DTYPES = {
    "step": "Int64",
    "step_name": "string",
    "count": "Int64",
    "conversion_rate": "Float64",
    "dropped": "Int64",
    "median_conversion_time": "Float64",
    "average_conversion_time": "Float64",
    "breakdown_value": "string",
}


def _step(
    order: int, name: str, count: int, median: float | None, **extra: object
) -> dict[str, object]:
    return {
        "action_id": name,
        "name": name,
        "custom_name": None,
        "order": order,
        "count": count,
        "type": "events",
        "median_conversion_time": median,
        "average_conversion_time": median,
        **extra,
    }


def test_funnel_steps() -> None:
    raw = {
        "results": [
            _step(0, "signed_up", 8, None),
            _step(1, "$pageview", 6, 120.0),
            _step(2, "purchase", 2, 3600.0),
        ]
    }
    df = QueryResult(FUNNEL, raw).df
    assert _dtypes(df) == STEP_DTYPES
    assert df.drop(columns=["breakdown_value", "average_conversion_time"]).to_dict("list") == {
        "step": [1, 2, 3],
        "step_name": ["signed_up", "$pageview", "purchase"],
        "count": [8, 6, 2],
        "conversion_rate": [1.0, 0.75, 0.25],
        "dropped": [0, 2, 4],
        "median_conversion_time": [None, 120.0, 3600.0],
    }
    empty = QueryResult(FUNNEL, {"results": []}).df
    assert _dtypes(empty) == STEP_DTYPES and len(empty) == 0


def test_funnel_with_a_breakdown_is_a_list_per_value() -> None:
    query = {**FUNNEL, "series": FUNNEL["series"][:2], "breakdownFilter": {"breakdown": "$browser"}}
    raw = {
        "results": [
            [
                _step(0, "signed_up", 4, None, breakdown_value=["Chrome"]),
                _step(1, "$pageview", 1, 60.0, breakdown_value=["Chrome"]),
            ],
            [
                _step(0, "signed_up", 2, None, breakdown_value=["Safari"]),
                _step(1, "$pageview", 2, 30.0, breakdown_value=["Safari"]),
            ],
        ]
    }
    df = QueryResult(query, raw).df
    assert df[["step", "count", "conversion_rate", "dropped", "breakdown_value"]].to_dict(
        "list"
    ) == {
        "step": [1, 2, 1, 2],
        "count": [4, 1, 2, 2],
        "conversion_rate": [1.0, 0.25, 1.0, 1.0],
        "dropped": [0, 3, 0, 0],
        "breakdown_value": ["Chrome", "Chrome", "Safari", "Safari"],
    }


def test_funnel_trends_and_time_to_convert_views() -> None:
    trends = {**FUNNEL, "funnelsFilter": {"funnelVizType": "trends"}}
    raw = {"results": [{"data": [50.0, 25.0], "days": ["2026-11-09", "2026-11-10"], "count": 2}]}
    df = QueryResult(trends, raw).df
    assert df.to_dict("list") == {
        "date": [_day("2026-11-09"), _day("2026-11-10")],
        "conversion_rate": [0.5, 0.25],
        "breakdown_value": [None, None],
    }
    ttc = {**FUNNEL, "funnelsFilter": {"funnelVizType": "time_to_convert"}}
    raw = {"results": {"bins": [[0, 3], [60, 1], [120, 0]], "average_conversion_time": 35.0}}
    df = QueryResult(ttc, raw).df
    assert df.to_dict("list") == {"seconds": [0.0, 60.0, 120.0], "count": [3, 1, 0]}
    assert df.attrs["average_conversion_time"] == 35.0


# ---- Retention, paths, lifecycle, stickiness ---------------------------------------------------

RETENTION = {"kind": "RetentionQuery", "retentionFilter": {"period": "Day", "totalIntervals": 3}}


def test_retention_is_one_row_per_cohort_and_interval() -> None:
    raw = {
        "results": [
            {
                "date": "2026-11-08T00:00:00Z",
                "label": "Day 0",
                "values": [
                    {"count": 4, "label": "Day 0"},
                    {"count": 2, "label": "Day 1"},
                    {"count": 1, "label": "Day 2"},
                ],
            },
            {
                "date": "2026-11-09T00:00:00Z",
                "label": "Day 1",
                "values": [{"count": 5, "label": "Day 0"}, {"count": 0, "label": "Day 1"}],
            },
            {
                "date": "2026-11-10T00:00:00Z",
                "label": "Day 2",
                "values": [{"count": 0, "label": "Day 0"}],
            },
        ]
    }
    df = QueryResult(RETENTION, raw).df
    assert _dtypes(df) == {
        "cohort": TS,
        "interval": "Int64",
        "count": "Int64",
        "cohort_size": "Int64",
        "retention_rate": "Float64",
        "breakdown_value": "string",
    }
    assert df.drop(columns="breakdown_value").to_dict("list") == {
        "cohort": [_day("2026-11-08")] * 3 + [_day("2026-11-09")] * 2 + [_day("2026-11-10")],
        "interval": [0, 1, 2, 0, 1, 0],
        "count": [4, 2, 1, 5, 0, 0],
        "cohort_size": [4, 4, 4, 5, 5, 0],
        "retention_rate": [1.0, 0.5, 0.25, 1.0, 0.0, None],
    }


def test_paths_are_ranked_links() -> None:
    raw = {
        "results": [
            {"source": "1_/", "target": "2_/docs", "value": 3, "average_conversion_time": 1500.0},
            {"source": "1_/", "target": "2_/pricing", "value": 7, "average_conversion_time": 900.0},
        ]
    }
    df = QueryResult({"kind": "PathsQuery"}, raw).df
    assert df.to_dict("list") == {
        "source": ["1_/", "1_/"],
        "target": ["2_/pricing", "2_/docs"],
        "value": [7, 3],
        "average_conversion_time": [900.0, 1500.0],
    }


def test_lifecycle_has_a_status_column() -> None:
    query = {"kind": "LifecycleQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
    action = _action("$pageview", 0)
    raw = {
        "results": [
            {
                "label": "$pageview - new",
                "status": "new",
                "data": [3],
                "days": ["2026-11-10"],
                "action": action,
            },
            {
                "label": "$pageview - dormant",
                "status": "dormant",
                "data": [-2],
                "days": ["2026-11-10"],
                "action": action,
            },
        ]
    }
    df = QueryResult(query, raw).df
    assert list(df.columns) == [
        "date",
        "series",
        "series_index",
        "math",
        "status",
        "breakdown_value",
        "value",
    ]
    assert df["status"].tolist() == ["new", "dormant"]
    assert df["value"].tolist() == [3, -2]


def test_stickiness_counts_by_number_of_intervals() -> None:
    query = {"kind": "StickinessQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
    raw = {
        "results": [
            {
                "label": "$pageview",
                "data": [5, 2, 1],
                "days": [1, 2, 3],
                "action": _action("$pageview", 0),
            }
        ]
    }
    df = QueryResult(query, raw).df
    assert _dtypes(df)["interval"] == "Int64"
    assert df[["interval", "value"]].to_dict("list") == {"interval": [1, 2, 3], "value": [5, 2, 1]}


def test_wrappers_are_framed_by_their_source() -> None:
    raw = {"results": [_step(0, "signed_up", 8, None), _step(1, "$pageview", 6, 120.0)]}
    wrapped = {"kind": "InsightVizNode", "source": FUNNEL}
    assert tidy_frame(raw, wrapped)["count"].tolist() == [8, 6]  # type: ignore[index]
    table = {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "SELECT 1"}}
    hogql = {"columns": ["x"], "types": [["x", "UInt8"]], "results": [[1]]}
    assert QueryResult(table, hogql).df.to_dict("list") == {"x": [1]}


# ---- the people behind a number ------------------------------------------------------------------


def test_funnel_points_become_funnels_actors_queries() -> None:
    plan = actors_plan(FUNNEL, {"step": 2, "dropped": True})
    assert plan.query == {
        "kind": "ActorsQuery",
        "source": {"kind": "FunnelsActorsQuery", "source": FUNNEL, "funnelStep": -2},
        "select": ["actor"],
        "orderBy": [],
        "limit": 100,
        "offset": 0,
    }
    assert actors_plan(FUNNEL, {"step": 3}).query["source"]["funnelStep"] == 3


@pytest.mark.parametrize(
    ("point", "attr"),
    [
        ({"step": 4}, "step"),
        ({"step": 0}, "step"),
        ({"step": 1, "dropped": True}, "dropped"),
        ({"step": 2, "dropped": "yes"}, "dropped"),
        ({"step": 2, "day": "2026-11-10"}, "day"),
    ],
)
def test_wrong_funnel_points_name_the_argument(point: dict[str, object], attr: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        actors_plan(FUNNEL, point)
    assert caught.value.attr == attr


def test_a_day_outside_the_answer_is_refused() -> None:
    raw = {
        "results": [
            {"data": [3, 5], "days": ["2026-11-09", "2026-11-10"], "action": _action("purchase", 0)}
        ]
    }
    result = QueryResult(PURCHASES, raw)
    plan = actors_plan(PURCHASES, {"day": "2026-11-10", "series": 1}, result.df)
    assert plan.query["source"] == {
        "kind": "InsightActorsQuery",
        "source": PURCHASES,
        "series": 1,
        "day": "2026-11-10",
    }
    with pytest.raises(RequestValidationError, match="outside the answer's range") as caught:
        actors_plan(PURCHASES, {"day": "2026-11-11"}, result.df)
    assert caught.value.attr == "day"
    with pytest.raises(RequestValidationError) as caught:
        actors_plan(PURCHASES, {"day": "2026-11-10", "series": 2}, result.df)
    assert caught.value.attr == "series"


def test_actor_rows_become_one_typed_row_per_person() -> None:
    rows = [
        {
            "actor": {
                "id": "p1",
                "distinct_ids": ["a"],
                "created_at": "2026-11-01T10:00:00Z",
                "is_identified": True,
                "properties": {"email": "a@x.io", "age": 30},
            }
        },
        {
            "actor": {
                "id": "p2",
                "distinct_ids": ["b", "c"],
                "created_at": "2026-11-02T10:00:00Z",
                "is_identified": False,
                "properties": {"email": "b@x.io"},
            }
        },
        {
            "actor": {
                "id": "p1",
                "distinct_ids": ["a"],
                "created_at": "2026-11-01T10:00:00Z",
                "is_identified": True,
                "properties": {},
            }
        },
    ]
    df = actors_frame(rows, properties=True)
    assert _dtypes(df) == {
        "id": "string",
        "distinct_ids": "object",
        "created_at": TS,
        "is_identified": "boolean",
        "properties.age": "Int64",
        "properties.email": "string",
    }
    assert df["id"].tolist() == ["p1", "p2"]
    assert df["distinct_ids"].tolist() == [["a"], ["b", "c"]]
    assert df["properties.age"].tolist() == [30, pd.NA]


# ---- saved insights ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "ref"),
    [
        (42, InsightRef(id=42)),
        ("42", InsightRef(id=42)),
        ("AbC123", InsightRef(short_id="AbC123")),
        (
            "https://us.posthog.com/project/1/insights/AbC123",
            InsightRef(short_id="AbC123", project_id=1, host="us.posthog.com"),
        ),
        (
            "https://eu.posthog.com/project/7/insights/xYz9/edit?x=1#y",
            InsightRef(short_id="xYz9", project_id=7, host="eu.posthog.com"),
        ),
    ],
)
def test_insight_references(given: object, ref: InsightRef) -> None:
    assert insight_ref(given) == ref


@pytest.mark.parametrize(
    "given", ["", "https://us.posthog.com/project/1/dashboard/5", "a b", None, True]
)
def test_bad_insight_references(given: object) -> None:
    with pytest.raises(RequestValidationError) as caught:
        insight_ref(given)
    assert caught.value.attr == "insight"


def test_every_insight_frame_lists_its_dtypes_when_empty() -> None:
    series = [{"kind": "EventsNode", "event": "$pageview"}]
    expected = {
        "LifecycleQuery": {
            "date": TS, "series": "string", "series_index": "Int64", "math": "string",
            "status": "string", "breakdown_value": "string", "value": "Float64",
        },
        "StickinessQuery": {
            "interval": "Int64", "series": "string", "series_index": "Int64",
            "math": "string", "breakdown_value": "string", "value": "Float64",
        },
        "PathsQuery": {
            "source": "string", "target": "string", "value": "Int64",
            "average_conversion_time": "Float64",
        },
        "ActorsQuery": {
            "id": "string", "distinct_ids": "object", "created_at": TS, "is_identified": "boolean",
        },
    }  # fmt: skip
    for kind, dtypes in expected.items():
        frame = QueryResult({"kind": kind, "series": series}, {"results": []}).df
        assert (kind, _dtypes(frame)) == (kind, dtypes)


def test_stickiness_compare_and_minute_points() -> None:
    """Day 0 of a stickiness answer does not exist; a compare typo is refused, not ignored; a
    minute-bucket day keeps its time (a date alone would ask for the whole day)."""
    sticky = {"kind": "StickinessQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
    assert actors_plan(sticky, {"day": 1}).query["source"]["day"] == 1
    for bad in (0, -1, True, "1"):
        with pytest.raises(RequestValidationError) as caught:
            actors_plan(sticky, {"day": bad})
        assert caught.value.attr == "day"
    with pytest.raises(RequestValidationError) as caught:
        actors_plan(PURCHASES, {"day": "2026-11-10", "compare": "prev"})
    assert caught.value.attr == "compare"
    plan = actors_plan(PURCHASES, {"day": "2026-11-10", "compare": "previous"})
    assert plan.query["source"]["compare"] == "previous"
    minutes = {**PURCHASES, "interval": "minute"}
    plan = actors_plan(minutes, {"day": "2026-11-10 10:05"})
    assert plan.query["source"]["day"] == "2026-11-10 10:05:00"
    hours = {**PURCHASES, "interval": "hour"}
    assert actors_plan(hours, {"day": "2026-11-10 10:00"}).query["source"]["day"] == (
        "2026-11-10 10:00:00"
    )
    assert actors_plan(PURCHASES, {"day": "2026-11-10 10:00"}).query["source"]["day"] == (
        "2026-11-10"
    )


def test_breakdown_values_fill_every_level() -> None:
    """Several levels in one column are joined; a short list leaves the later levels empty."""
    from envnb.query.insights._columns import breakdown_cells

    assert breakdown_cells(["Chrome", "Mac"], ["breakdown_value"]) == {
        "breakdown_value": "Chrome, Mac"
    }
    assert breakdown_cells(["Chrome"], ["browser", "os"]) == {"browser": "Chrome", "os": None}
    assert breakdown_cells([None, "x"], ["breakdown_value"]) == {"breakdown_value": "None, x"}


def test_a_series_with_data_is_read_from_its_data_not_its_aggregate() -> None:
    query = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "purchase"}]}
    item = {"data": [3, 5], "days": ["2026-11-09", "2026-11-10"], "aggregated_value": 8,
            "action": _action("purchase", 0)}  # fmt: skip
    assert QueryResult(query, {"results": [item]}).df["value"].tolist() == [3, 5]
    total = {"data": [], "days": [], "aggregated_value": 8, "action": _action("purchase", 0)}
    assert QueryResult(query, {"results": [total]}).df["value"].tolist() == [8]


def test_an_insight_url_on_another_posthog_is_refused() -> None:
    from envnb.query.insights.saved import check_same_project, insight_ref

    eu = insight_ref("https://eu.posthog.com/project/7/insights/AbC123/edit?x=1")
    check_same_project(eu, "https://eu.posthog.com", "7")
    check_same_project(eu, "http://127.0.0.1:8000", "7")  # the sandbox stands in for any host
    check_same_project(eu, "https://eu.posthog.com", "@current")
    with pytest.raises(RequestValidationError, match=r"on eu\.posthog\.com, but this client talks"):
        check_same_project(eu, "https://us.posthog.com", "7")
    with pytest.raises(RequestValidationError, match="insight of project 7, but this client"):
        check_same_project(eu, "https://eu.posthog.com", "8")
    check_same_project(insight_ref("AbC123"), "https://us.posthog.com", "8")
