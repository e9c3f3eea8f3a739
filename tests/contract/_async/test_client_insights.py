"""Insights on both clients: a funnel's frame, the people behind a step, saved insights."""

from __future__ import annotations

import pytest

from envnb.errors import RequestValidationError
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [
        {"kind": "EventsNode", "event": "signed_up"},
        {"kind": "EventsNode", "event": "purchase"},
    ],
    "dateRange": {"date_from": "-14d"},
}


async def test_funnel_actors_and_saved_insights(sandbox: Sandbox) -> None:
    c = sandbox.async_client()
    try:
        frame = await c.query_df(FUNNEL)
        reached, dropped = int(frame["count"].iloc[1]), int(frame["dropped"].iloc[1])
        buyers = await c.actors_df(FUNNEL, step=2)
        gone = await c.actors_df(FUNNEL, step=2, dropped=True)
        assert (len(buyers), len(gone)) == (reached, dropped)
        assert not set(buyers["id"]) & set(gone["id"])
        with pytest.raises(RequestValidationError):
            await c.actors_df(FUNNEL, step=3)
        insight = await c.insights.get("Fn3lSgUp")
        assert insight.id == 101 and insight.title == "Sign-up to purchase funnel"
        saved = await c.insight_df(101)
        assert saved["step_name"].tolist() == ["signed_up", "$pageview", "purchase"]
    finally:
        await c.aclose()


async def test_an_answer_reads_the_people_behind_its_numbers(sandbox: Sandbox) -> None:
    c = sandbox.async_client()
    try:
        result = await c.query(FUNNEL)
        reached = int(result.df["count"].iloc[1])
        buyers = await result.actors_df(step=2)
        assert len(buyers) == reached
        assert buyers["id"].tolist() == (await c.actors_df(FUNNEL, step=2))["id"].tolist()
        with pytest.raises(RequestValidationError, match="step"):
            await result.actors_df(step=3)
    finally:
        await c.aclose()
