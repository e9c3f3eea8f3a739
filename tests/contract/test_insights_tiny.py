"""Every insight kind over the tiny population (docs/sandbox.md: four persons, 23 events),
with expected values worked out by hand from its event table. D = 2026-03-02 (UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from envnb import Client
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # on D; the table is complete
ALICE, BOB, CAROL, DAN = (f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 5))
PAGEVIEW = {"kind": "EventsNode", "event": "$pageview"}
FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [PAGEVIEW, {"kind": "EventsNode", "event": "signed_up"},
               {"kind": "EventsNode", "event": "purchase"}],
    "dateRange": {"date_from": "2026-02-16", "date_to": "2026-03-02"},
}  # fmt: skip


@pytest.fixture(scope="module")
def tiny() -> Iterator[Client]:
    with Sandbox(seed=0, clock=CLOCK, events="tiny") as sb, sb.client() as client:
        yield client


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_funnel_steps(tiny: Client) -> None:
    frame = tiny.query_df(FUNNEL)
    # entries: all four pageviewed; Alice and Dan signed up, each timed from their latest
    # pageview before it, as PostHog's funnel UDF times it (Alice /signup 09:01 → 09:02, Dan
    # /signup D-7 08:02 → D-6 08:30); Alice bought (sign-up D-14 09:02 → D-13 10:05)
    assert frame.drop(columns="breakdown_value").to_dict("list") == {
        "step": [1, 2, 3],
        "step_name": ["$pageview", "signed_up", "purchase"],
        "count": [4, 2, 1],
        "conversion_rate": [1.0, 0.5, 0.25],
        "dropped": [0, 2, 1],
        "median_conversion_time": [None, (60 + 88_080) / 2, 90_180.0],
        "average_conversion_time": [None, (60 + 88_080) / 2, 90_180.0],
    }


def test_funnel_people(tiny: Client) -> None:
    result = tiny.query(FUNNEL)
    assert result.actors_df(step=2, dropped=True)["id"].tolist() == [BOB, CAROL]
    assert result.actors_df(step=3, dropped=True)["id"].tolist() == [DAN]
    buyer = result.actors_df(step=3)
    assert buyer["id"].tolist() == [ALICE]
    assert sorted(buyer["distinct_ids"].iloc[0]) == ["alice", "anon-alice"]


def test_funnel_by_browser(tiny: Client) -> None:
    query: dict[str, Any] = {**FUNNEL, "breakdownFilter": {"breakdown": "$browser"}}
    frame = tiny.query_df(query)
    counts = frame.groupby("breakdown_value", dropna=False)["count"].apply(list).to_dict()
    assert counts == {
        "Chrome": [1, 1, 1],
        "Firefox": [1, 1, 0],
        "Safari": [1, 0, 0],
        "None": [1, 0, 0],
    }


def test_total_and_unique_purchases_differ(tiny: Client) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "purchase", "math": "total"},
            {"kind": "EventsNode", "event": "purchase", "math": "dau"},
        ],
        "dateRange": {"date_from": "2026-02-17", "date_to": "2026-02-17"},
    }
    frame = tiny.query_df(query)  # Alice bought twice within 15 minutes on D-13
    assert frame[["date", "series_index", "math", "value"]].to_dict("list") == {
        "date": [_day("2026-02-17")] * 2,
        "series_index": [0, 1],
        "math": ["total", "dau"],
        "value": [2.0, 1.0],
    }


def test_date_only_date_to_and_compare(tiny: Client) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [PAGEVIEW],
        "dateRange": {"date_from": "2026-03-01", "date_to": "2026-03-01"},
        "compareFilter": {"compare": True},
    }
    frame = tiny.query_df(query)
    # D-1: Bob 09:00 and Carol 18:00 (after midnight: a date-only date_to is the whole day);
    # the previous period D-2: Bob 09:00
    assert frame[["date", "compare", "value"]].to_dict("list") == {
        "date": [_day("2026-03-01"), _day("2026-02-28")],
        "compare": ["current", "previous"],
        "value": [2.0, 1.0],
    }


def test_retention(tiny: Client) -> None:
    query = {
        "kind": "RetentionQuery",
        "retentionFilter": {"period": "Day", "totalIntervals": 3},
        "dateRange": {"date_to": "2026-02-17"},
    }
    frame = tiny.query_df(query)
    # D-15: nobody; D-14: Alice and Bob, Alice back on D-13; D-13: Alice and Carol
    counts = frame.groupby("cohort")["count"].apply(list).to_dict()
    assert counts == {
        _day("2026-02-15"): [0, 0, 0],
        _day("2026-02-16"): [2, 1],
        _day("2026-02-17"): [2],
    }
    people = tiny.query(query).actors_df(cohort="2026-02-16", interval=1)
    assert people["id"].tolist() == [ALICE]


def test_lifecycle(tiny: Client) -> None:
    query = {
        "kind": "LifecycleQuery",
        "series": [PAGEVIEW],
        "dateRange": {"date_from": "2026-02-28", "date_to": "2026-03-02"},
    }
    result = tiny.query(query)
    table = result.df.pivot_table(index="status", columns="date", values="value")
    # D-2 Bob back after D-14; D-1 Bob again, Carol back; D Alice back, Bob again, Carol gone
    assert {s: table.loc[s].tolist() for s in table.index} == {
        "new": [0, 0, 0],
        "returning": [0, 1, 1],
        "resurrecting": [1, 1, 1],
        "dormant": [0, 0, -1],
    }
    assert result.actors_df(day="2026-03-02", status="dormant")["id"].tolist() == [CAROL]


def test_stickiness(tiny: Client) -> None:
    query = {
        "kind": "StickinessQuery",
        "series": [PAGEVIEW],
        "dateRange": {"date_from": "2026-02-16", "date_to": "2026-02-17"},
    }
    result = tiny.query(query)
    # Alice on both days; Bob (D-14) and Carol (D-13) on one
    assert result.df[["interval", "value"]].to_dict("list") == {
        "interval": [1, 2],
        "value": [2.0, 1.0],
    }
    assert result.actors_df(day=1)["id"].tolist() == [BOB, CAROL]


def test_paths(tiny: Client) -> None:
    query = {
        "kind": "PathsQuery",
        "dateRange": {"date_from": "2026-02-16", "date_to": "2026-02-17"},
    }
    frame = tiny.query_df(query)
    # Alice / → /signup (60 s); her /pricing the next day is another session (more than 30
    # minutes later), a path of one page; Carol / → /pricing (60 s); Bob's / alone
    assert frame.to_dict("records") == [
        {
            "source": "1_https://hedgebox.example",
            "target": "2_https://hedgebox.example/pricing",
            "value": 1,
            "average_conversion_time": 60_000.0,
        },
        {
            "source": "1_https://hedgebox.example",
            "target": "2_https://hedgebox.example/signup",
            "value": 1,
            "average_conversion_time": 60_000.0,
        },
    ]


def test_an_exclusion_takes_out_the_person_whose_furthest_run_it_hits(tiny: Client) -> None:
    def excluding(event: str, low: int, high: int) -> dict[str, Any]:
        item = {"kind": "EventsNode", "event": event, "funnelFromStep": low, "funnelToStep": high}
        return {**FUNNEL, "funnelsFilter": {"exclusions": [item]}}

    # Dan sent an invite at D-6 08:31, a minute after signing up and before any purchase:
    # his furthest run is marked and he leaves. Alice, Bob and Carol stay.
    invite = excluding("invite_sent", 1, 2)
    assert tiny.query_df(invite)["count"].tolist() == [3, 1, 1]
    assert tiny.query(invite).actors_df(step=1)["id"].tolist() == [ALICE, BOB, CAROL]
    # Alice clicked at 09:00:30, inside the run of her 09:00 pageview, and Bob on D-2 inside
    # his; a later pageview starts a clean run for each (PostHog's UDF), so nobody leaves
    assert tiny.query_df(excluding("$autocapture", 0, 1))["count"].tolist() == [4, 2, 1]


def test_hostile_event_names_are_literals(tiny: Client) -> None:
    for name in ("x' OR 1=1 --", "a\\' OR '1'='1", "{x}"):
        steps = [{"kind": "EventsNode", "event": name}] * 2
        assert tiny.query_df({**FUNNEL, "series": steps})["count"].tolist() == [0, 0]


def test_the_people_come_with_their_properties(tiny: Client) -> None:
    steps = {**FUNNEL, "series": FUNNEL["series"][:2]}
    people = tiny.actors_df(steps, step=1, properties=["email", "name"])
    assert people.drop(columns="distinct_ids").to_dict("list") == {
        "id": [ALICE, BOB, CAROL, DAN],
        "created_at": [
            _day("2026-02-16 09:00"),  # Alice: her first event
            _day("2026-01-01 09:00"),  # Bob: created D-60
            _day("2026-02-17 12:00"),
            _day("2026-02-23 08:00"),
        ],
        "is_identified": [True, True, False, True],
        "properties.email": ["alice@acme.example", "bob@acme.example", None, "dan@globex.example"],
        "properties.name": ["Alice Khan", "Bob Smith", None, "Dan Okafor"],
    }


def test_lifecycle_new_is_the_person_being_created(tiny: Client) -> None:
    query = {
        "kind": "LifecycleQuery",
        "series": [PAGEVIEW],
        "dateRange": {"date_from": "2026-02-16", "date_to": "2026-02-17"},
    }
    table = tiny.query_df(query).pivot_table(index="status", columns="date", values="value")
    # D-14: Alice created that day (new); Bob created D-60 (resurrecting, not new).
    # D-13: Alice again (returning), Carol created (new), Bob gone (dormant)
    assert {s: table.loc[s].tolist() for s in table.index} == {
        "new": [1, 1],
        "returning": [0, 1],
        "resurrecting": [1, 0],
        "dormant": [0, -1],
    }


def test_retention_by_browser(tiny: Client) -> None:
    query = {
        "kind": "RetentionQuery",
        "retentionFilter": {"period": "Day", "totalIntervals": 3},
        "dateRange": {"date_to": "2026-02-17"},
        "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
    }
    result = tiny.query(query)
    frame = result.df
    cells = frame[frame["count"] > 0].groupby(["breakdown_value", "cohort"])["count"].apply(list)
    # D-14: Alice (Chrome, back on D-13) and Bob (Safari); D-13: Alice and Carol (no browser)
    assert cells.to_dict() == {
        ("Chrome", _day("2026-02-16")): [1, 1],
        ("Chrome", _day("2026-02-17")): [1],
        ("None", _day("2026-02-17")): [1],
        ("Safari", _day("2026-02-16")): [1],
    }
    chrome = result.actors_df(cohort="2026-02-16", interval=1, breakdown="Chrome")
    assert chrome["id"].tolist() == [ALICE]
    assert result.actors_df(cohort="2026-02-16", interval=1, breakdown="Safari").empty
