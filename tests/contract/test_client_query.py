"""client.query / query_df and ask().queries/frames() on both clients, against the sandbox."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from envnb.errors import BadRequestError, PermissionDeniedError, RequestValidationError
from envnb.query.results import TruncatedResultWarning
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)
BROWSERS = "SELECT properties.$browser AS browser, count() AS n FROM events "
BROWSERS += "WHERE event = 'signed_up' GROUP BY browser ORDER BY browser"


@pytest.fixture(scope="module")
def qsb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


def test_query_types_the_frame_and_keeps_what_posthog_sent(qsb: Sandbox) -> None:
    with qsb.client() as client:
        result = client.query(BROWSERS)
    assert result.query == {"kind": "HogQLQuery", "query": BROWSERS}
    assert result.columns == ["browser", "n"]
    assert result.results == [
        ["Chrome", 703],
        ["Edge", 68],
        ["Firefox", 128],
        ["Opera", 37],
        ["Safari", 284],
        [None, 60],
    ]
    assert result.raw["types"] == [["browser", "Nullable(String)"], ["n", "UInt64"]]
    assert result.hogql is not None and result.hogql.endswith("LIMIT 100")
    assert [str(t) for t in result.df.dtypes] == ["string", "Int64"]
    assert result.has_more is False


def test_async_refresh_is_polled_to_the_result(qsb: Sandbox) -> None:
    before = qsb.stats()["requests"]
    with qsb.client() as client:
        frame = client.query_df(BROWSERS, refresh="async")
    assert frame["n"].tolist() == [703, 68, 128, 37, 284, 60]
    # POST, a status read answered "running", then the one that carries the result
    assert qsb.stats()["requests"] - before == 3


def test_errors_say_why_and_bad_input_is_refused_before_sending(qsb: Sandbox) -> None:
    with qsb.client() as client:
        with pytest.raises(BadRequestError) as refused:
            client.query("SELECT nope FROM events")
        assert refused.value.code == "hogql_query_error"
        assert str(refused.value).startswith("400: Unable to resolve field: nope")
        with pytest.raises(BadRequestError) as failed:
            client.query("SELECT nope FROM events", refresh="async")
        assert failed.value.detail == "Unable to resolve field: nope"
        before = qsb.stats()["requests"]
        with pytest.raises(RequestValidationError) as bad:
            client.query("SELECT 1", refresh="eventually")
        assert bad.value.attr == "refresh"
        with pytest.raises(RequestValidationError):
            client.query(42)
        assert qsb.stats()["requests"] == before
    scoped = qsb.client(api_key=qsb.create_key(scopes=["conversation:read"]))
    with scoped, pytest.raises(PermissionDeniedError, match="query:read"):
        scoped.query("SELECT 1")


def test_truncation_is_said(qsb: Sandbox) -> None:
    with qsb.client() as client:
        with pytest.warns(TruncatedResultWarning, match="first 100 rows"):
            result = client.query("SELECT uuid FROM events")
        assert len(result.df) == 100 and result.has_more
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert len(client.query_df("SELECT uuid FROM events LIMIT 1000")) == 1000


def test_ask_exposes_the_charts_queries_and_their_frames(qsb: Sandbox) -> None:
    with qsb.client() as client:
        answer = client.conversations.ask("product overview")
        titles = [q.title for q in answer.queries]
        assert titles == ["Daily pageviews, last 30 days", "Weekly sign-ups, last 90 days"]
        pageviews, signups = answer.frames()
    assert list(pageviews.columns) == [
        "date",
        "series",
        "series_index",
        "math",
        "breakdown_value",
        "value",
    ]
    assert len(pageviews) == 31 and len(signups) == 14
    assert set(pageviews["series"]) == {"$pageview"} and set(signups["series"]) == {"signed_up"}
    link = f"{qsb.url}/project/{qsb.project_id}/max?chat={answer.conversation_id}"
    assert answer.link == link and answer.question == "product overview"


@pytest.mark.anyio
async def test_the_async_client_does_the_same(qsb: Sandbox) -> None:
    async with qsb.async_client() as client:
        result = await client.query(BROWSERS, refresh="force_async")
        assert result.df["n"].tolist() == [703, 68, 128, 37, 284, 60]
        answer = await client.conversations.ask("show daily pageviews for the last 14 days")
        (frame,) = await answer.frames()
        trends = await client.query_df(answer.queries[0].query)
    assert frame["value"].sum() == 9760 and len(frame) == 15
    assert trends.equals(frame)
