"""Saved insights through the sandbox over HTTP: by id, short id and pasted URL, and run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from conftest import Api
from envnb import Client
from envnb.errors import NotFoundError, PermissionDeniedError, RequestValidationError
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def ssb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(ssb: Sandbox) -> Iterator[Client]:
    with ssb.client() as c:
        yield c


def test_list_and_short_id_filter_over_http(ssb: Sandbox) -> None:
    api = Api(ssb, prefix="projects")
    listed = api.get("insights/").json()
    assert listed["count"] == 7
    kinds = {item["query"]["source"]["kind"] for item in listed["results"]}
    assert kinds == {
        "FunnelsQuery", "RetentionQuery", "TrendsQuery", "LifecycleQuery",
        "StickinessQuery", "PathsQuery", "HogQLQuery",
    }  # fmt: skip
    one = api.get("insights/", params={"short_id": "Fn3lSgUp"}).json()
    assert [item["id"] for item in one["results"]] == [101]
    assert api.get("insights/", params={"short_id": "nope"}).json()["count"] == 0
    assert api.get("insights/999/").status_code == 404


@pytest.mark.parametrize(
    "ref", [101, "101", "Fn3lSgUp", "https://us.posthog.com/project/1/insights/Fn3lSgUp/edit"]
)
def test_get_by_id_short_id_or_url(client: Client, ref: int | str) -> None:
    insight = client.insights.get(ref)
    assert (insight.id, insight.short_id, insight.name) == (
        101,
        "Fn3lSgUp",
        "Sign-up to purchase funnel",
    )
    assert insight.query is not None and insight.query["source"]["kind"] == "FunnelsQuery"


def test_insight_df_runs_the_saved_query(client: Client) -> None:
    funnel = client.insight_df("Fn3lSgUp")
    assert funnel["step_name"].tolist() == ["signed_up", "$pageview", "purchase"]
    assert funnel["count"].is_monotonic_decreasing
    sql = client.insight_df(107)
    assert list(sql.columns) == ["browser", "signups"]
    retention = client.insight_df("https://eu.posthog.com/project/1/insights/Rt7wkPgv")
    assert retention.groupby("cohort").size().tolist() == [6, 5, 4, 3, 2, 1]


def test_missing_and_malformed_references(ssb: Sandbox, client: Client) -> None:
    with pytest.raises(NotFoundError, match="Zz9Zz9"):
        client.insights.get("Zz9Zz9")
    before = ssb.stats()["requests"]
    with pytest.raises(RequestValidationError) as caught:
        client.insights.get("https://us.posthog.com/project/1/dashboard/4")
    assert caught.value.attr == "insight" and ssb.stats()["requests"] == before


def test_insights_need_insight_read(ssb: Sandbox) -> None:
    scoped = ssb.client(api_key=ssb.create_key(scopes=["query:read"]))
    with scoped, pytest.raises(PermissionDeniedError, match="insight:read"):
        scoped.insights.get(101)


def test_a_url_of_another_project_is_refused_before_sending(ssb: Sandbox, client: Client) -> None:
    # Followed blindly, project 2's URL would answer with project 1's insight of that short id.
    before = ssb.stats()["requests"]
    with pytest.raises(RequestValidationError, match="insight of project 2, but this client"):
        client.insights.get("https://us.posthog.com/project/2/insights/Rt7wkPgv")
    with pytest.raises(RequestValidationError, match="project 2"):
        client.insight_df("https://eu.posthog.com/project/2/insights/Rt7wkPgv")
    assert ssb.stats()["requests"] == before
