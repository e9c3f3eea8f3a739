"""Lifecycle, stickiness and paths through the sandbox over HTTP: PostHog's shapes, the tidy
frames, and the people behind a lifecycle or stickiness number counted independently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import pytest

from conftest import Api
from envnb import Client
from envnb.errors import RequestValidationError
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)
RANGE = {"date_from": "2026-02-20", "date_to": "2026-02-26"}
PAGEVIEW = [{"kind": "EventsNode", "event": "$pageview"}]
LIFECYCLE = {"kind": "LifecycleQuery", "series": PAGEVIEW, "dateRange": RANGE}
STICKINESS = {"kind": "StickinessQuery", "series": PAGEVIEW, "dateRange": RANGE}


@pytest.fixture(scope="module")
def lsb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(lsb: Sandbox) -> Iterator[Client]:
    with lsb.client() as c:
        yield c


def _active_days(client: Client, start: str, end: str) -> pd.Series:
    text = (
        "SELECT toString(person_id) AS person, toStartOfDay(timestamp) AS day FROM events "
        f"WHERE event = '$pageview' AND timestamp >= toDateTime('{start} 00:00:00') "
        f"AND timestamp < toDateTime('{end} 00:00:00') GROUP BY person, day LIMIT 50000"
    )
    frame = client.query_df(text)
    return frame.groupby("person").day.apply(lambda days: {d.strftime("%Y-%m-%d") for d in days})


def test_lifecycle_shape_frame_and_people(lsb: Sandbox, client: Client) -> None:
    api = Api(lsb, prefix="projects")
    raw = api.post("query/", json={"query": LIFECYCLE}).json()
    assert [(r["status"], r["label"]) for r in raw["results"]] == [
        ("new", "$pageview - new"),
        ("returning", "$pageview - returning"),
        ("resurrecting", "$pageview - resurrecting"),
        ("dormant", "$pageview - dormant"),
    ]
    result = client.query(LIFECYCLE)
    frame = result.df
    assert list(frame.columns) == [
        "date", "series", "series_index", "math", "status", "breakdown_value", "value"
    ]  # fmt: skip
    assert (frame[frame.status == "dormant"]["value"] <= 0).all()
    # returning on the 25th: active on the 24th and the 25th (HogQL, matched here)
    days = _active_days(client, "2026-02-24", "2026-02-26")
    both = sorted(p for p, d in days.items() if d == {"2026-02-24", "2026-02-25"})
    cell = frame[
        (frame.status == "returning") & (frame.date == pd.Timestamp("2026-02-25", tz="UTC"))
    ]
    assert cell["value"].tolist() == [len(both)]
    people = result.actors_df(day="2026-02-25", status="returning")
    assert sorted(people["id"]) == both
    with pytest.raises(RequestValidationError) as caught:
        result.actors_df(day="2026-02-25", status="sleeping")
    assert caught.value.attr == "status"


def test_stickiness_shape_frame_and_people(client: Client) -> None:
    result = client.query(STICKINESS)
    frame = result.df
    assert frame["interval"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    days = _active_days(client, "2026-02-20", "2026-02-27")
    by_count = days.apply(len)
    assert frame["value"].tolist() == [int((by_count == n).sum()) for n in range(1, 8)]
    twice = result.actors_df(day=2)
    assert sorted(twice["id"]) == sorted(by_count[by_count == 2].index)
    with pytest.raises(RequestValidationError) as caught:
        result.actors_df(day=8)
    assert caught.value.attr == "day"


def test_paths_are_ranked_links_between_numbered_steps(client: Client) -> None:
    query = {
        "kind": "PathsQuery",
        "dateRange": {"date_from": "2026-02-25", "date_to": "2026-02-26"},
    }
    frame = client.query_df(query)
    assert list(frame.columns) == ["source", "target", "value", "average_conversion_time"]
    assert len(frame) == 50 and frame["value"].is_monotonic_decreasing
    # a page is its $current_url (PostHog's paths), one trailing "/" dropped
    page = r"^\d+_https://hedgebox\.example(/[a-z/]+)?$"
    assert frame["source"].str.match(page).all() and frame["target"].str.match(page).all()
    steps = frame["source"].str.split("_").str[0].astype(int)
    targets = frame["target"].str.split("_").str[0].astype(int)
    assert (targets == steps + 1).all()
