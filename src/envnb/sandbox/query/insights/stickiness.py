"""StickinessQuery over the seeded events (PH:posthog/hogql_queries/insights/
stickiness_query_runner.py): how many people did the event on exactly 1, 2, … N intervals of
the range (``days`` are those counts, ``labels`` "1 day", "2 days", …).
"""

from __future__ import annotations

from typing import Any

from ..events import EventsDB
from ._hogql import bad
from ._series import action, active, interval_of, series_of, span_of


def _counts(db: EventsDB, query: dict[str, Any], order: int) -> tuple[int, dict[str, int]]:
    series = series_of(query)
    start, end, buckets = span_of(db, query)
    seen = active(db, query, series[order], f"series[{order}]", start, end)
    return len(buckets), {pid: len(periods) for pid, periods in seen.items()}


def run_stickiness(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """One series per query series: people by number of active intervals."""
    interval = interval_of(query)
    results = []
    for order, node in enumerate(series_of(query)):
        total, counts = _counts(db, query, order)
        data = [sum(1 for n in counts.values() if n == k) for k in range(1, total + 1)]
        results.append(
            {
                "action": action(node, order),
                "label": node.get("custom_name") or node.get("event") or "All events",
                "data": data,
                "days": list(range(1, total + 1)),
                "labels": [f"{k} {interval}{'s' if k != 1 else ''}" for k in range(1, total + 1)],
                "count": sum(data),
            }
        )
    return {"results": results}


def stickiness_actors(db: EventsDB, source: dict[str, Any]) -> list[str]:
    """The people active on exactly ``day`` intervals, for series ``series``."""
    query = source["source"]
    order = source.get("series", 0)
    if not isinstance(order, int) or not 0 <= order < len(series_of(query)):
        raise bad("source.series: a series index of the query")
    total, counts = _counts(db, query, order)
    day = source.get("day")
    if not isinstance(day, int) or not 1 <= day <= total:
        raise bad(f"source.day: a number of intervals 1…{total}")
    return sorted(pid for pid, n in counts.items() if n == day)
