"""Every insight kind through the sandbox over loopback HTTP: PostHog's response shapes, the
tidy frames, breakdowns, wrappers, empty answers, and the people behind a number — checked
against what an independent HogQL query over the same events says (counted in pandas here,
not by the code under test)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from conftest import Api
from envnb import Client
from envnb.errors import BadRequestError, RequestValidationError
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday, noon
FROM, TO = "2026-02-09", "2026-02-22"  # two whole weeks, ending well before the clock
SIGNUP_PURCHASE = {
    "kind": "FunnelsQuery",
    "series": [
        {"kind": "EventsNode", "event": "signed_up"},
        {"kind": "EventsNode", "event": "purchase"},
    ],
    "dateRange": {"date_from": FROM, "date_to": TO},
}
STEP_COLUMNS = {
    "step": "Int64",
    "step_name": "string",
    "count": "Int64",
    "conversion_rate": "Float64",
    "dropped": "Int64",
    "median_conversion_time": "Float64",
    "average_conversion_time": "Float64",
    "breakdown_value": "string",
}
ACTOR_COLUMNS = {
    "id": "string",
    "distinct_ids": "object",
    "created_at": "datetime64[us, UTC]",
    "is_identified": "boolean",
}


@pytest.fixture(scope="module")
def isb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(isb: Sandbox) -> Iterator[Client]:
    with isb.client() as c:
        yield c


@pytest.fixture
def api(isb: Sandbox) -> Iterator[Api]:
    http = Api(isb, prefix="projects")
    yield http
    http.http.close()


def _dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


def _independent_funnel(client: Client, days: int = 14) -> pd.DataFrame:
    """Per person with a sign-up in the range: whether a purchase in the range came at or
    after one of their sign-ups and within ``days`` of it (PostHog's funnel: every step's
    event inside the date range, any sign-up may start the conversion) — from the raw
    events, matched here in pandas."""
    text = (
        "SELECT toString(person_id) AS person, event, timestamp FROM events "
        "WHERE event IN ('signed_up', 'purchase') "
        "AND timestamp >= toDateTime('2026-02-09 00:00:00') "
        "AND timestamp < toDateTime('2026-02-23 00:00:00') LIMIT 50000"
    )
    events = client.query_df(text)
    assert len(events) < 50_000
    signups = events[events.event == "signed_up"][["person", "timestamp"]]
    first = signups.groupby("person").timestamp.min().rename("t1").reset_index()
    pairs = events[events.event == "purchase"].merge(
        signups.rename(columns={"timestamp": "s"}), on="person"
    )
    window = pd.Timedelta(days=days)
    ok = pairs[(pairs.timestamp >= pairs.s) & (pairs.timestamp <= pairs.s + window)]
    first["converted"] = first.person.isin(set(ok.person))
    return first


# ---- funnels -------------------------------------------------------------------------------


def test_funnel_steps_shape_and_frame(api: Api, client: Client) -> None:
    raw = api.post("query/", json={"query": SIGNUP_PURCHASE}).json()
    assert [sorted(step) for step in raw["results"]] == [
        sorted(["action_id", "name", "custom_name", "order", "people", "count", "type",
                "average_conversion_time", "median_conversion_time"])
    ] * 2  # fmt: skip
    truth = _independent_funnel(client)
    frame = client.query_df(SIGNUP_PURCHASE)
    assert _dtypes(frame) == STEP_COLUMNS
    entered, converted = len(truth), int(truth.converted.sum())
    assert entered > 100 and 0 < converted < entered  # the data can tell a bug from the truth
    assert frame["count"].tolist() == [entered, converted]
    assert frame["dropped"].tolist() == [0, entered - converted]
    assert frame["conversion_rate"].tolist() == [1.0, converted / entered]
    assert frame["step_name"].tolist() == ["signed_up", "purchase"]


def test_funnel_actors_equal_an_independent_query_person_for_person(
    isb: Sandbox, client: Client
) -> None:
    truth = _independent_funnel(client)
    result = client.query(SIGNUP_PURCHASE)
    before = isb.stats()["queries"]
    dropped = result.actors_df(step=2, dropped=True)
    pages = isb.stats()["queries"] - before
    expected = sorted(truth.person[~truth.converted])
    assert sorted(dropped["id"]) == expected
    assert pages == math.ceil(len(expected) / 100) and len(expected) > 100  # paged past 100
    assert _dtypes(dropped) == ACTOR_COLUMNS
    buyers = client.actors_df(SIGNUP_PURCHASE, step=2)
    assert sorted(buyers["id"]) == sorted(truth.person[truth.converted])
    assert all(len(ids) >= 1 for ids in buyers["distinct_ids"])


def test_a_wrong_point_is_refused_before_sending(isb: Sandbox, client: Client) -> None:
    before = isb.stats()["requests"]
    with pytest.raises(RequestValidationError) as caught:
        client.actors_df(SIGNUP_PURCHASE, step=3)
    assert caught.value.attr == "step"
    with pytest.raises(RequestValidationError) as caught:
        client.actors_df(SIGNUP_PURCHASE, step=2, day="2026-02-10")
    assert caught.value.attr == "day"
    assert isb.stats()["requests"] == before


def test_funnel_breakdown_is_a_list_per_value(api: Api, client: Client) -> None:
    query = {**SIGNUP_PURCHASE, "breakdownFilter": {"breakdown": "$browser"}}
    raw = api.post("query/", json={"query": query}).json()
    assert all(isinstance(group, list) and len(group) == 2 for group in raw["results"])
    assert all(isinstance(step["breakdown_value"], list) for g in raw["results"] for step in g)
    frame = client.query_df(query)
    firsts = frame[frame.step == 1]
    assert int(firsts["count"].sum()) == len(_independent_funnel(client))
    # "None": persons whose browser sends no $browser (the population has some)
    assert set(firsts["breakdown_value"]) == {
        "Chrome",
        "Safari",
        "Firefox",
        "Edge",
        "Opera",
        "None",
    }
    chrome = client.query(query).actors_df(step=1, breakdown="Chrome")
    assert len(chrome) == int(firsts.loc[firsts.breakdown_value == "Chrome", "count"].iloc[0])
    with pytest.raises(RequestValidationError) as caught:
        client.query(query).actors_df(step=1, breakdown="Netscape")
    assert caught.value.attr == "breakdown"


def test_funnel_trends_and_time_to_convert_views(client: Client) -> None:
    truth = _independent_funnel(client)
    trends = client.query_df({**SIGNUP_PURCHASE, "funnelsFilter": {"funnelVizType": "trends"}})
    assert list(trends.columns) == ["date", "conversion_rate", "breakdown_value"]
    assert len(trends) == 14 and trends["conversion_rate"].between(0, 1).all()
    ttc = client.query_df(
        {**SIGNUP_PURCHASE, "funnelsFilter": {"funnelVizType": "time_to_convert"}}
    )
    assert list(ttc.columns) == ["seconds", "count"]
    assert int(ttc["count"].sum()) == int(truth.converted.sum())


def test_empty_answers_keep_their_columns(client: Client) -> None:
    nothing = {**SIGNUP_PURCHASE, "series": [{"kind": "EventsNode", "event": "no_such"}] * 2}
    frame = client.query_df(nothing)
    assert _dtypes(frame) == STEP_COLUMNS and frame["count"].tolist() == [0, 0]
    nobody = client.actors_df(nothing, step=1)
    assert _dtypes(nobody) == ACTOR_COLUMNS and len(nobody) == 0


def test_wrappers_run_their_source(client: Client) -> None:
    bare = client.query_df(SIGNUP_PURCHASE)
    for wrapper in ("InsightVizNode", "DataTableNode"):
        wrapped = client.query_df({"kind": wrapper, "source": SIGNUP_PURCHASE})
        pd.testing.assert_frame_equal(wrapped, bare)
    viz = {
        "kind": "DataVisualizationNode",
        "source": {"kind": "HogQLQuery", "query": "SELECT 1 AS x"},
    }
    assert client.query_df(viz).to_dict("list") == {"x": [1]}


def test_an_unknown_funnel_order_is_a_400_not_a_different_number(api: Api) -> None:
    query = {**SIGNUP_PURCHASE, "funnelsFilter": {"funnelOrderType": "sideways"}}
    response = api.post("query/", json={"query": query})
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert "funnelOrderType" in response.json()["detail"]


# ---- retention -------------------------------------------------------------------------------

RETENTION = {
    "kind": "RetentionQuery",
    "retentionFilter": {
        "period": "Day",
        "totalIntervals": 5,
        "targetEntity": {"id": "$pageview", "type": "events"},
        "returningEntity": {"id": "$pageview", "type": "events"},
    },
    "dateRange": {"date_to": "2026-02-20"},
}


def test_retention_triangle_and_its_people(api: Api, client: Client) -> None:
    raw = api.post("query/", json={"query": RETENTION}).json()
    assert [len(c["values"]) for c in raw["results"]] == [5, 4, 3, 2, 1]
    assert [c["date"] for c in raw["results"]] == [
        "2026-02-16T00:00:00Z", "2026-02-17T00:00:00Z", "2026-02-18T00:00:00Z",
        "2026-02-19T00:00:00Z", "2026-02-20T00:00:00Z",
    ]  # fmt: skip
    result = client.query(RETENTION)
    frame = result.df
    assert list(frame.columns) == [
        "cohort", "interval", "count", "cohort_size", "retention_rate", "breakdown_value"
    ]  # fmt: skip
    assert (frame[frame.interval == 0]["retention_rate"] == 1.0).all()
    # the cohort of the 17th: active that day; back on the 18th: active on both days (HogQL)
    text = (
        "SELECT toString(person_id) AS person, toStartOfDay(timestamp) AS day FROM events "
        "WHERE event = '$pageview' AND timestamp >= toDateTime('2026-02-17 00:00:00') "
        "AND timestamp < toDateTime('2026-02-19 00:00:00') GROUP BY person, day LIMIT 50000"
    )
    days = client.query_df(text).groupby("person").day.nunique()
    came_back = sorted(days[days == 2].index)
    cell = frame[(frame.cohort == pd.Timestamp("2026-02-17", tz="UTC")) & (frame.interval == 1)]
    assert cell["count"].tolist() == [len(came_back)]
    people = result.actors_df(cohort="2026-02-17", interval=1)
    assert sorted(people["id"]) == came_back
    with pytest.raises(RequestValidationError) as caught:
        result.actors_df(cohort="2026-02-19", interval=2)
    assert caught.value.attr == "interval"


# ---- trends (issue 24) -------------------------------------------------------------------------


def _count(
    client: Client, event: str, start: datetime, end: datetime, distinct: bool = False
) -> int:
    what = "count(DISTINCT person_id)" if distinct else "count()"
    text = (
        f"SELECT {what} FROM events WHERE event = '{event}' "
        f"AND timestamp >= toDateTime('{start:%Y-%m-%d %H:%M:%S}') "
        f"AND timestamp < toDateTime('{end:%Y-%m-%d %H:%M:%S}')"
    )
    return int(client.query(text).results[0][0])


def test_a_date_only_date_to_covers_the_whole_last_day(client: Client) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "2026-02-20", "date_to": "2026-02-21"},
    }
    frame = client.query_df(query)
    day = datetime(2026, 2, 21, tzinfo=UTC)
    expected = _count(client, "$pageview", day, day + timedelta(days=1))
    assert expected > 0
    assert frame["value"].tolist()[-1] == expected


def test_two_series_of_one_event_with_different_math_are_two_series(client: Client) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "$pageview", "math": "total"},
            {"kind": "EventsNode", "event": "$pageview", "math": "dau"},
        ],
        "dateRange": {"date_from": "2026-02-21", "date_to": "2026-02-21"},
    }
    frame = client.query_df(query)
    day = datetime(2026, 2, 21, tzinfo=UTC)
    total = _count(client, "$pageview", day, day + timedelta(days=1))
    people = _count(client, "$pageview", day, day + timedelta(days=1), distinct=True)
    assert total != people
    assert frame[["series_index", "math", "value"]].to_dict("list") == {
        "series_index": [0, 1],
        "math": ["total", "dau"],
        "value": [total, people],
    }


def test_compare_is_its_own_column_and_the_sandbox_answers_it(api: Api, client: Client) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "signed_up"}],
        "dateRange": {"date_from": "2026-02-20", "date_to": "2026-02-21"},
        "compareFilter": {"compare": True},
    }
    raw = api.post("query/", json={"query": query}).json()
    assert [(r["compare_label"], r["days"]) for r in raw["results"]] == [
        ("current", ["2026-02-20", "2026-02-21"]),
        ("previous", ["2026-02-18", "2026-02-19"]),
    ]
    frame = client.query_df(query)
    previous = frame[frame["compare"] == "previous"]
    day = datetime(2026, 2, 18, tzinfo=UTC)
    assert previous["value"].tolist() == [
        _count(client, "signed_up", day, day + timedelta(days=1)),
        _count(client, "signed_up", day + timedelta(days=1), day + timedelta(days=2)),
    ]


def test_a_two_level_breakdown_gives_two_columns(api: Api, client: Client) -> None:
    query: dict[str, Any] = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "signed_up"}],
        "dateRange": {"date_from": "2026-02-21", "date_to": "2026-02-21"},
        "breakdownFilter": {"breakdowns": [{"property": "$browser"}, {"property": "plan"}]},
    }
    raw = api.post("query/", json={"query": query}).json()
    assert all(
        isinstance(r["breakdown_value"], list) and len(r["breakdown_value"]) == 2
        for r in raw["results"]
    )
    frame = client.query_df(query)
    assert list(frame.columns) == [
        "date",
        "series",
        "series_index",
        "math",
        "$browser",
        "plan",
        "value",
    ]
    text = (
        "SELECT properties.$browser AS b, properties.plan AS p, count() AS n FROM events "
        "WHERE event = 'signed_up' AND timestamp >= toDateTime('2026-02-21 00:00:00') "
        "AND timestamp < toDateTime('2026-02-22 00:00:00') GROUP BY b, p"
    )
    # a missing value is PostHog's null breakdown, which the frame labels "None"
    truth = {(b or "None", p or "None"): n for b, p, n in client.query(text).results}
    got = {(r["$browser"], r["plan"]): r["value"] for r in frame.to_dict("records") if r["value"]}
    assert got == truth
    day_people = client.query(query).actors_df(day="2026-02-21", breakdown=["Chrome", "free"])
    assert len(day_people) <= truth[("Chrome", "free")]


def test_unknown_kinds_are_posthogs_400(api: Api) -> None:
    response = api.post("query/", json={"query": {"kind": "NoSuchQuery"}})
    assert response.status_code == 400
    assert set(response.json()) == {"type", "code", "detail", "attr"}


def test_a_bad_query_is_a_400_error_on_the_client(client: Client) -> None:
    with pytest.raises(BadRequestError, match="funnelOrderType"):
        client.query({**SIGNUP_PURCHASE, "funnelsFilter": {"funnelOrderType": "sideways"}})


def test_posthog_ai_answers_a_funnel_question_with_a_funnel(client: Client) -> None:
    answer = client.conversations.ask("Where do users drop off between sign-up and purchase?")
    (viz,) = answer.queries
    assert viz.query["kind"] == "FunnelsQuery"
    assert [s["event"] for s in viz.query["series"]] == ["signed_up", "purchase"]
    (frame,) = answer.frames()
    assert list(frame.columns)[:5] == ["step", "step_name", "count", "conversion_rate", "dropped"]
    code = answer.pin()
    assert "FunnelsQuery" in code and "query_df" in code


def test_a_formula_combines_series_bucket_by_bucket(client: Client) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "purchase"},
            {"kind": "EventsNode", "event": "signed_up"},
        ],
        "dateRange": {"date_from": "2026-02-20", "date_to": "2026-02-21"},
        "trendsFilter": {"formula": "A / B"},
    }
    frame = client.query_df(query)
    assert frame["series"].tolist() == ["Formula (A / B)"] * 2
    assert frame["series_index"].isna().all()
    expected = []
    for day in (20, 21):
        start = datetime(2026, 2, day, tzinfo=UTC)
        buys = _count(client, "purchase", start, start + timedelta(days=1))
        signups = _count(client, "signed_up", start, start + timedelta(days=1))
        expected.append(buys / signups if signups else 0.0)
    assert frame["value"].tolist() == pytest.approx(expected)


def test_the_conversion_window_decides_who_converted(client: Client) -> None:
    one_day = {
        **SIGNUP_PURCHASE,
        "funnelsFilter": {"funnelWindowInterval": 1, "funnelWindowIntervalUnit": "day"},
    }
    truth = _independent_funnel(client, days=1)
    wide = int(_independent_funnel(client).converted.sum())
    assert int(truth.converted.sum()) < wide  # the window matters in this data
    assert client.query_df(one_day)["count"].tolist() == [len(truth), int(truth.converted.sum())]
