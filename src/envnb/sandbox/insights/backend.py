"""The seeded saved insights, one or two of each kind, in PostHog's ``InsightSerializer`` shape
(PH:posthog/api/insight.py): the query is stored as the web app saves it, an
``InsightVizNode`` around the insight query (a ``DataVisualizationNode`` for SQL).
They are read-only in the sandbox, the same in every project."""

from __future__ import annotations

from typing import Any

PAGEVIEW = {"kind": "EventsNode", "event": "$pageview", "name": "$pageview"}


def _viz(source: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "InsightVizNode", "source": source}


# (id, short id, name, description, query)
SEEDED: tuple[tuple[int, str, str, str, dict[str, Any]], ...] = (
    (
        101,
        "Fn3lSgUp",
        "Sign-up to purchase funnel",
        "Where do new users drop off between signing up and buying?",
        _viz(
            {
                "kind": "FunnelsQuery",
                "series": [
                    {"kind": "EventsNode", "event": "signed_up", "name": "signed_up"},
                    PAGEVIEW,
                    {"kind": "EventsNode", "event": "purchase", "name": "purchase"},
                ],
                "dateRange": {"date_from": "-30d"},
                "funnelsFilter": {"funnelWindowInterval": 14, "funnelWindowIntervalUnit": "day"},
            }
        ),
    ),
    (
        102,
        "Rt7wkPgv",
        "Weekly retention of visitors",
        "Do visitors come back in the following weeks?",
        _viz(
            {
                "kind": "RetentionQuery",
                "retentionFilter": {
                    "period": "Week",
                    "totalIntervals": 6,
                    "targetEntity": {"id": "$pageview", "type": "events"},
                    "returningEntity": {"id": "$pageview", "type": "events"},
                    "retentionType": "retention_recurring",
                },
            }
        ),
    ),
    (
        103,
        "Tr14dPv0",
        "Pageviews and visitors, last 14 days",
        "",
        _viz(
            {
                "kind": "TrendsQuery",
                "series": [PAGEVIEW, {**PAGEVIEW, "math": "dau"}],
                "interval": "day",
                "dateRange": {"date_from": "-14d"},
            }
        ),
    ),
    (
        104,
        "Lc7dPgvw",
        "Visitor lifecycle",
        "New, returning, resurrecting and dormant visitors",
        _viz({"kind": "LifecycleQuery", "series": [PAGEVIEW], "dateRange": {"date_from": "-14d"}}),
    ),
    (
        105,
        "St7dPgvw",
        "How many days a week do visitors come?",
        "",
        _viz({"kind": "StickinessQuery", "series": [PAGEVIEW], "dateRange": {"date_from": "-7d"}}),
    ),
    (
        106,
        "Pth3dTop",
        "Top page paths",
        "",
        _viz({"kind": "PathsQuery", "dateRange": {"date_from": "-3d"}}),
    ),
    (
        107,
        "SqlBrwsr",
        "Sign-ups by browser (SQL)",
        "",
        {
            "kind": "DataVisualizationNode",
            "source": {
                "kind": "HogQLQuery",
                "query": "SELECT properties.$browser AS browser, count() AS signups FROM events "
                "WHERE event = 'signed_up' GROUP BY browser ORDER BY signups DESC",
            },
        },
    ),
)


def insights(project_id: int, created_at: str) -> list[dict[str, Any]]:
    """The seeded insights as PostHog serialises them, newest first."""
    out = []
    for id_, short_id, name, description, query in reversed(SEEDED):
        out.append(
            {
                "id": id_,
                "short_id": short_id,
                "name": name,
                "derived_name": None,
                "description": description,
                "query": query,
                "filters": {},
                "result": None,
                "favorited": False,
                "saved": True,
                "deleted": False,
                "dashboards": [],
                "tags": [],
                "created_at": created_at,
                "created_by": {"id": 1, "first_name": "Ada", "email": "ada@example.com"},
                "last_modified_at": created_at,
                "team_id": project_id,
            }
        )
    return out
