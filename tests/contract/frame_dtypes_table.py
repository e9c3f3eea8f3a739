"""Every frame envnb returns, built from one sandbox (the frames of tests/contract/
test_every_frame_dtypes.py; kept apart so the table there reads on its own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import envnb
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday, noon: the population is fixed
EVENTS = {"kind": "EventsNode", "event": "$pageview"}
RANGE = {"date_from": "-14d"}
FUNNEL_STEPS = [EVENTS, {"kind": "EventsNode", "event": "signed_up"}]


def _funnel(view: str) -> dict[str, Any]:
    return {
        "kind": "FunnelsQuery",
        "series": FUNNEL_STEPS,
        "dateRange": RANGE,
        "funnelsFilter": {"funnelVizType": view},
    }


QUERIES: dict[str, object] = {
    "query_df HogQLQuery": "SELECT event, count() AS n, max(timestamp) AS last, "
    "toDate(min(timestamp)) AS first_day, avg(1.5) AS f FROM events GROUP BY event",
    "query_df TrendsQuery": {"kind": "TrendsQuery", "series": [EVENTS], "dateRange": RANGE},
    "query_df TrendsQuery breakdown": {
        "kind": "TrendsQuery",
        "series": [EVENTS],
        "dateRange": RANGE,
        "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
    },
    "query_df FunnelsQuery steps": _funnel("steps"),
    "query_df FunnelsQuery trends": _funnel("trends"),
    "query_df FunnelsQuery time_to_convert": _funnel("time_to_convert"),
    "query_df RetentionQuery": {
        "kind": "RetentionQuery",
        "dateRange": RANGE,
        "retentionFilter": {"period": "Week", "totalIntervals": 4},
    },
    "query_df PathsQuery": {"kind": "PathsQuery", "dateRange": RANGE},
    "query_df StickinessQuery": {"kind": "StickinessQuery", "series": [EVENTS], "dateRange": RANGE},
    "query_df LifecycleQuery": {"kind": "LifecycleQuery", "series": [EVENTS], "dateRange": RANGE},
    "query_df ActorsQuery": {
        "kind": "ActorsQuery",
        "select": ["actor"],
        "source": {
            "kind": "InsightActorsQuery",
            "source": {"kind": "TrendsQuery", "series": [EVENTS], "dateRange": RANGE},
            "day": "2026-02-27",
        },
    },
}


def build(tmp: Path, env_profiles: Callable[[Sandbox], None]) -> dict[str, pd.DataFrame]:
    """Each frame by name, all from sandboxes in this process."""
    frames: dict[str, pd.DataFrame] = {}
    with Sandbox(projects=2, clock=CLOCK, conversations=20) as sb, sb.client() as c:
        for name, query in QUERIES.items():
            frames[name] = c.query_df(query)
        trends = c.query(QUERIES["query_df TrendsQuery"])
        day = trends.df["date"].iloc[-2]
        frames["QueryResult.actors_df"] = trends.actors_df(day=day, series=0)
        frames["client.actors_df"] = c.actors_df(QUERIES["query_df TrendsQuery"], day=day)
        frames["insight_df"] = c.insight_df(103)
        frames["batch_exports.list_df"] = c.batch_exports.list_df(progress=False)
        frames["conversations.list_df"] = c.conversations.list_df(progress=False)
        frames["profile_configs.list_df"] = c.profile_configs.list_df(progress=False)
        first = frames["conversations.list_df"]["id"].iloc[0]
        frames["conversations.messages_df"] = c.conversations.messages_df(first)
        mirror = next(e for e in c.batch_exports.list() if e.name == "Postgres mirror 2")
        frames["batch_exports.runs_df"] = c.batch_exports.runs_df(mirror, after="-3d")
        frames["batch_exports.backfills_df"] = c.batch_exports.backfills_df(mirror)
        frames["batch_exports.logs_df"] = c.batch_exports.logs_df(mirror)
        frames["batch_exports.metrics_df"] = c.batch_exports.metrics_df(mirror)
        frames["batch_exports.health"] = c.batch_exports.health()
        download = c.file_exports.download(
            "events", start=CLOCK.replace(day=1), end=CLOCK, folder=tmp / "events"
        )
        frames["Download.df"] = download.df()
        frames["file_exports.list_df"] = c.file_exports.list_df(progress=False)
        env_profiles(sb)
        fleet = envnb.Fleet(["local"])
        frames["profiles()"] = envnb.profiles()
        frames["Fleet.projects_df"] = fleet.projects_df()
        frames["Fleet.batch_exports_df"] = fleet.batch_exports_df()
        frames["Fleet.health"] = fleet.health()
        frames["Fleet.profile_configs_df"] = fleet.profile_configs_df()
        frames["Fleet.conversations_df"] = fleet.conversations_df()
        frames["Fleet.query_df"] = fleet.query_df("SELECT 1 AS one, 'a' AS letter")
        with sb.client(project_id=2) as production:
            plan = envnb.diff(c, production, "batch_exports")
            frames["diff(...).df"] = plan.df
        fleet.close()
    return frames


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {str(k): str(v) for k, v in frame.dtypes.items()}
