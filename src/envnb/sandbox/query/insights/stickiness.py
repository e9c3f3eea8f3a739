"""StickinessQuery over the seeded events (PH:posthog/hogql_queries/insights/
stickiness_query_runner.py): how many people did the event on exactly 1, 2, … N intervals of
the range (``days`` are those counts, ``labels`` "1 day", "2 days", …).

With ``compareFilter.compare`` each series is answered for the range and then for the
previous period of the same length, side by side (PostHog's ``setup_series``: current,
previous, next series…), each marked ``compare: true`` and ``compare_label``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..events import EventsDB
from ..trends import _buckets, _compares, _floor
from ._hogql import bad
from ._series import action, active, interval_of, series_of, span_of

PERIODS = ("current", "previous")


def _span(db: EventsDB, query: dict[str, Any], period: str) -> tuple[datetime, datetime, int]:
    """Start, end and number of intervals of the range, or of the period before it (as the
    sandbox's trends compare: PH:posthog/hogql_queries/utils/
    query_previous_period_date_range.py)."""
    start, end, buckets = span_of(db, query)
    if period == "previous":
        interval = interval_of(query)
        start, end = _floor(start - (end - start), interval), start - timedelta(microseconds=1)
        buckets = _buckets(start, end, interval)
    return start, end, len(buckets)


def _counts(
    db: EventsDB, query: dict[str, Any], order: int, period: str = "current"
) -> tuple[int, dict[str, int]]:
    series = series_of(query)
    start, end, total = _span(db, query, period)
    seen = active(db, query, series[order], f"series[{order}]", start, end)
    return total, {pid: len(periods) for pid, periods in seen.items()}


def run_stickiness(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """One series per query series (and per period when comparing): people by number of
    active intervals."""
    interval = interval_of(query)
    compare = _compares(query)
    results = []
    for order, node in enumerate(series_of(query)):
        for period in PERIODS if compare else PERIODS[:1]:
            total, counts = _counts(db, query, order, period)
            data = [sum(1 for n in counts.values() if n == k) for k in range(1, total + 1)]
            item = {
                "action": action(node, order),
                "label": node.get("custom_name") or node.get("event") or "All events",
                "data": data,
                "days": list(range(1, total + 1)),
                "labels": [f"{k} {interval}{'s' if k != 1 else ''}" for k in range(1, total + 1)],
                "count": sum(data),
            }
            if compare:
                item.update(compare=True, compare_label=period)
            results.append(item)
    return {"results": results}


def stickiness_actors(db: EventsDB, source: dict[str, Any]) -> list[str]:
    """The people active on exactly ``day`` intervals, for series ``series`` (of the previous
    period with ``compare: "previous"``)."""
    query = source["source"]
    order = source.get("series", 0)
    if not isinstance(order, int) or not 0 <= order < len(series_of(query)):
        raise bad("source.series: a series index of the query")
    period = source.get("compare") or "current"
    if period not in PERIODS:
        raise bad(f"source.compare: one of {', '.join(PERIODS)}")
    total, counts = _counts(db, query, order, period)
    day = source.get("day")
    if not isinstance(day, int) or not 1 <= day <= total:
        raise bad(f"source.day: a number of intervals 1…{total}")
    return sorted(pid for pid, n in counts.items() if n == day)
