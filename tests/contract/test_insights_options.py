"""The insight options PostHog supports beyond the defaults — strict and unordered funnels,
person-property breakdowns, paths with a start or end page, stickiness compared with the
previous period — and the fields PostHog's schema does not have, over the tiny population
(docs/sandbox.md: four persons, 23 events). Every expected number is worked out by hand from
its event table. D = 2026-03-02 (UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from envnb import Client
from envnb.errors import BadRequestError
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # on D; the table is complete
ALICE, BOB, CAROL, DAN = (f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 5))
PAGEVIEW = {"kind": "EventsNode", "event": "$pageview"}
WHOLE = {"date_from": "2026-02-16", "date_to": "2026-03-02"}  # D-14 … D
FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [PAGEVIEW, {"kind": "EventsNode", "event": "signed_up"},
               {"kind": "EventsNode", "event": "purchase"}],
    "dateRange": WHOLE,
}  # fmt: skip


@pytest.fixture(scope="module")
def tiny() -> Iterator[Client]:
    with Sandbox(seed=0, clock=CLOCK, events="tiny") as sb, sb.client() as client:
        yield client


def _ordered(order: str, **extra: Any) -> dict[str, Any]:
    return {**FUNNEL, "funnelsFilter": {"funnelOrderType": order, **extra}}


def test_a_strict_funnel_needs_each_step_to_be_the_very_next_event(tiny: Client) -> None:
    result = tiny.query(_ordered("strict"))
    # Alice: pageview /signup 09:01 → signed_up 09:02 (60 s), but her next event is a
    # pageview, not her purchase; Dan: pageview /signup D-7 08:02 → signed_up D-6 08:30
    # (88,080 s), then invite_sent. Bob and Carol never sign up. (Ordered: 4 → 2 → 1.)
    assert result.df.drop(columns="breakdown_value").to_dict("list") == {
        "step": [1, 2, 3],
        "step_name": ["$pageview", "signed_up", "purchase"],
        "count": [4, 2, 0],
        "conversion_rate": [1.0, 0.5, 0.0],
        "dropped": [0, 2, 2],
        "median_conversion_time": [None, 44_070.0, None],
        "average_conversion_time": [None, 44_070.0, None],
    }
    assert result.actors_df(step=3, dropped=True)["id"].tolist() == [ALICE, DAN]


def test_a_strict_exclusion_hits_only_the_run_it_falls_in(tiny: Client) -> None:
    click = {"kind": "EventsNode", "event": "$autocapture", "funnelFromStep": 0, "funnelToStep": 1}
    result = tiny.query(_ordered("strict", exclusions=[click]))
    # Alice clicked at 09:00:30 inside the run of her 09:00 pageview; her 09:01 pageview starts
    # a new run that signs up at 09:02. Bob's click (D-2) hits his D-2 run; his D-1 pageview
    # starts a clean one. So nobody leaves
    assert result.df["count"].tolist() == [4, 2, 0]
    assert result.actors_df(step=2)["id"].tolist() == [ALICE, DAN]


def test_an_unordered_funnel_counts_people_who_did_any_k_of_the_steps(tiny: Client) -> None:
    result = tiny.query(_ordered("unordered"))
    # within 14 days: Alice all three (first pageview D-14 09:00, sign-up 09:02, purchase
    # D-13 10:05); Bob pageview D-14 11:00 and purchase D-1 09:03 (12 d 22 h 3 min); Dan
    # pageview D-7 08:00 and sign-up D-6 08:30; Carol pageviews only
    assert result.df.drop(columns="breakdown_value").to_dict("list") == {
        "step": [1, 2, 3],
        "step_name": ["Completed 1 step", "Completed 2 steps", "Completed 3 steps"],
        "count": [4, 3, 1],
        "conversion_rate": [1.0, 0.75, 0.25],
        "dropped": [0, 1, 2],
        "median_conversion_time": [None, 88_200.0, 90_180.0],
        "average_conversion_time": [None, (120 + 1_116_180 + 88_200) / 3, 90_180.0],
    }
    assert result.actors_df(step=2)["id"].tolist() == [ALICE, BOB, DAN]
    assert result.actors_df(step=2, dropped=True)["id"].tolist() == [CAROL]


def test_unordered_funnels_take_only_whole_funnel_exclusions_and_then_ignore_them(
    tiny: Client,
) -> None:
    click = {"kind": "EventsNode", "event": "$autocapture"}
    partial = _ordered("unordered", exclusions=[{**click, "funnelFromStep": 0, "funnelToStep": 1}])
    with pytest.raises(BadRequestError, match="Partial Exclusions not allowed"):
        tiny.query_df(partial)
    # Alice and Bob clicked inside their funnels; PostHog's unordered UDF still counts them
    whole = _ordered("unordered", exclusions=[{**click, "funnelFromStep": 0, "funnelToStep": 2}])
    assert tiny.query_df(whole)["count"].tolist() == [4, 3, 1]


def test_breakdowns_by_a_person_property(tiny: Client) -> None:
    by_plan = {"breakdown": "plan", "breakdown_type": "person"}
    trend = {"kind": "TrendsQuery", "series": [PAGEVIEW], "dateRange": WHOLE}
    frame = tiny.query_df({**trend, "breakdownFilter": by_plan})
    # pageviews D-14 … D: Alice (pro) 5, Bob (free) 4, Carol 3 and Dan 2 (no plan)
    assert frame.groupby("breakdown_value")["value"].sum().to_dict() == {
        "None": 5.0,
        "free": 4.0,
        "pro": 5.0,
    }
    funnel = tiny.query({**FUNNEL, "breakdownFilter": by_plan})
    steps = funnel.df.groupby("breakdown_value")["count"].apply(list).to_dict()
    assert steps == {"None": [2, 1, 0], "free": [1, 0, 0], "pro": [1, 1, 1]}
    # PostHog's funnels send a missing value as '' and rank values by the last step first
    ranked = [group[0]["breakdown_value"] for group in funnel.raw["results"]]
    assert ranked == [["pro"], [""], ["free"]]
    assert funnel.actors_df(step=2, breakdown="None")["id"].tolist() == [DAN]
    people = tiny.actors_df({**trend, "breakdownFilter": by_plan}, breakdown="free")
    assert people["id"].tolist() == [BOB]


def test_filters_on_a_person_property(tiny: Client) -> None:
    pro = [{"key": "plan", "type": "person", "operator": "exact", "value": "pro"}]
    trend = {"kind": "TrendsQuery", "series": [PAGEVIEW], "dateRange": WHOLE, "properties": pro}
    # only Alice has plan pro: her five pageviews D-14 … D
    assert tiny.query_df(trend)["value"].sum() == 5.0
    assert tiny.query_df({**FUNNEL, "properties": pro})["count"].tolist() == [1, 1, 1]
    retention = {
        "kind": "RetentionQuery",
        "retentionFilter": {"period": "Day", "totalIntervals": 3},
        "dateRange": {"date_to": "2026-02-17"},
        "properties": pro,
    }
    # D-14: Alice alone (Bob is free), back on D-13; D-13: Alice (Carol has no plan)
    cohorts = tiny.query_df(retention).groupby("cohort")["count"].apply(list)
    assert [counts for counts in cohorts] == [[0, 0, 0], [1, 1], [1]]
    # the people behind a point keep the filter: on D-1 Bob (free) and Carol pageviewed
    free = [{"key": "plan", "type": "person", "value": "free"}]
    people = tiny.actors_df({**trend, "properties": free}, day="2026-03-01")
    assert people["id"].tolist() == [BOB]
    with pytest.raises(BadRequestError, match="type 'cohort'"):
        tiny.query_df({**trend, "properties": [{"key": "id", "type": "cohort", "value": 1}]})


def test_an_event_and_a_person_level_give_two_columns(tiny: Client) -> None:
    levels = [{"property": "$browser"}, {"property": "$geoip_country_code", "type": "person"}]
    query = {
        "kind": "TrendsQuery",
        "series": [PAGEVIEW],
        "dateRange": WHOLE,
        "breakdownFilter": {"breakdowns": levels},
    }
    frame = tiny.query_df(query)
    totals = frame.groupby(["$browser", "$geoip_country_code"])["value"].sum().to_dict()
    assert totals == {
        ("Chrome", "US"): 5.0,
        ("Firefox", "FR"): 2.0,
        ("None", "DE"): 3.0,
        ("Safari", "GB"): 4.0,
    }


def test_a_breakdown_type_the_sandbox_does_not_read_is_a_400(tiny: Client) -> None:
    query = {**FUNNEL, "breakdownFilter": {"breakdown": "name", "breakdown_type": "group"}}
    with pytest.raises(BadRequestError, match="breakdown_type 'group'"):
        tiny.query_df(query)


def test_retention_by_a_person_property(tiny: Client) -> None:
    query = {
        "kind": "RetentionQuery",
        "retentionFilter": {"period": "Day", "totalIntervals": 3},
        "dateRange": {"date_to": "2026-02-17"},
        "breakdownFilter": {"breakdown": "plan", "breakdown_type": "person"},
    }
    result = tiny.query(query)
    frame = result.df
    cells = frame[frame["count"] > 0].groupby(["breakdown_value", "cohort"])["count"].apply(list)
    # D-14: Alice (pro, back on D-13) and Bob (free); D-13: Alice and Carol (no plan)
    day = {d: datetime.fromisoformat(f"{d}T00:00:00+00:00") for d in ("2026-02-16", "2026-02-17")}
    assert cells.to_dict() == {
        ("None", day["2026-02-17"]): [1],
        ("free", day["2026-02-16"]): [1],
        ("pro", day["2026-02-16"]): [1, 1],
        ("pro", day["2026-02-17"]): [1],
    }
    assert result.actors_df(cohort="2026-02-17", interval=0, breakdown="None")["id"].tolist() == [
        CAROL
    ]


def test_a_breakdown_attribution_other_than_first_touch_is_a_400(tiny: Client) -> None:
    query = {
        **FUNNEL,
        "breakdownFilter": {"breakdown": "$browser"},
        "funnelsFilter": {"breakdownAttributionType": "last_touch"},
    }
    with pytest.raises(BadRequestError, match="breakdownAttributionType"):
        tiny.query_df(query)


# PostHog's paths name a pageview by its $current_url, one trailing '/' dropped (not by its
# pathname): the seeded site's root is "https://hedgebox.example".
H = "https://hedgebox.example"


def _paths(tiny: Client, **spec: Any) -> list[tuple[str, str, int, float]]:
    query = {"kind": "PathsQuery", "dateRange": WHOLE, "pathsFilter": spec}
    frame = tiny.query_df(query)
    return list(frame.itertuples(index=False, name=None))


def test_paths_from_a_start_page_and_to_an_end_page(tiny: Client) -> None:
    # sessions of two pages or more (D-14 … D): Alice / → /signup (60 s), Carol / → /pricing
    # (60 s), Dan /features → /signup (120 s); every other session is one page. A pathname
    # alone is no page (PostHog compares the whole URL)
    assert _paths(tiny) == [
        ("1_https://hedgebox.example", "2_https://hedgebox.example/pricing", 1, 60_000.0),
        ("1_https://hedgebox.example", "2_https://hedgebox.example/signup", 1, 60_000.0),
        ("1_https://hedgebox.example/features", "2_https://hedgebox.example/signup", 1, 120_000.0),
    ]
    assert _paths(tiny, startPoint=H + "/") == [
        ("1_https://hedgebox.example", "2_https://hedgebox.example/pricing", 1, 60_000.0),
        ("1_https://hedgebox.example", "2_https://hedgebox.example/signup", 1, 60_000.0),
    ]
    # a trailing slash is dropped, as PostHog does
    assert _paths(tiny, endPoint=H + "/signup/") == [
        ("1_https://hedgebox.example", "2_https://hedgebox.example/signup", 1, 60_000.0),
        ("1_https://hedgebox.example/features", "2_https://hedgebox.example/signup", 1, 120_000.0),
    ]
    assert _paths(tiny, startPoint=H + "/features", endPoint=H + "/signup") == [
        ("1_https://hedgebox.example/features", "2_https://hedgebox.example/signup", 1, 120_000.0),
    ]
    assert _paths(tiny, startPoint=H + "/checkout") == []
    assert _paths(tiny, startPoint="/features") == []
    # links taken by at least 2 paths: none here; at most 1: all three
    assert _paths(tiny, minEdgeWeight=2) == []
    assert len(_paths(tiny, maxEdgeWeight=1)) == 3
    with pytest.raises(BadRequestError, match="excludeEvents"):
        _paths(tiny, excludeEvents=[H + "/signup"])


def test_stickiness_compared_with_the_previous_period(tiny: Client) -> None:
    query = {
        "kind": "StickinessQuery",
        "series": [PAGEVIEW],
        "dateRange": {"date_from": "2026-03-01", "date_to": "2026-03-02"},
        "compareFilter": {"compare": True},
    }
    result = tiny.query(query)
    # D-1 … D: Bob on both days, Carol (D-1) and Alice (D 00:00) on one;
    # the two days before (D-3 … D-2): Bob on D-2 only
    assert result.df[["interval", "compare", "value"]].to_dict("list") == {
        "interval": [1, 2, 1, 2],
        "compare": ["current", "current", "previous", "previous"],
        "value": [2.0, 1.0, 1.0, 0.0],
    }
    assert result.actors_df(day=1)["id"].tolist() == [ALICE, CAROL]
    assert result.actors_df(day=1, compare="previous")["id"].tolist() == [BOB]


@pytest.mark.parametrize(
    ("kind", "field", "extra"),
    [
        ("LifecycleQuery", "breakdownFilter", {"series": [PAGEVIEW]}),
        ("LifecycleQuery", "compareFilter", {"series": [PAGEVIEW]}),
        ("StickinessQuery", "breakdownFilter", {"series": [PAGEVIEW]}),
        ("RetentionQuery", "compareFilter", {}),
        ("PathsQuery", "breakdownFilter", {}),
    ],
)
def test_fields_posthogs_schema_does_not_have_are_a_400(
    tiny: Client, kind: str, field: str, extra: dict[str, Any]
) -> None:
    value = {"compare": True} if field == "compareFilter" else {"breakdown": "$browser"}
    with pytest.raises(BadRequestError, match=f"{field}: Extra inputs are not permitted"):
        tiny.query_df({"kind": kind, **extra, field: value})
