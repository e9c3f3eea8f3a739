"""LifecycleQuery over the seeded events (PH:posthog/hogql_queries/insights/
lifecycle_query_runner.py): per bucket, the people who did the event, by status.

Rule: a person active in a bucket is ``new`` when they were created in it
(``persons.created_at``), ``returning`` when they were active in the bucket before, else
``resurrecting``; a person active in the bucket before and not in this one is ``dormant``,
counted negative. Series come in PostHog's order: new, returning, resurrecting, dormant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..events import EventsDB
from ..hogql import HogQLError
from ..trends import _floor
from ._hogql import bad, every_row, instant
from ._series import action, active, interval_of, labels, series_of, span_of, step_back

STATUSES = ("new", "returning", "resurrecting", "dormant")


def _statuses(
    db: EventsDB, query: dict[str, Any]
) -> tuple[list[datetime], dict[str, dict[datetime, set[str]]]]:
    series = series_of(query)
    interval = interval_of(query)
    start, end, buckets = span_of(db, query)
    seen = active(db, query, series[0], "series[0]", step_back(start, interval), end)
    first: dict[str, datetime] = {}
    for row in _created(db):
        when = instant(row["t"])
        if when is not None:
            first[str(row["person_id"])] = _floor(when, interval)
    out: dict[str, dict[datetime, set[str]]] = {s: {b: set() for b in buckets} for s in STATUSES}
    for pid, periods in seen.items():
        for bucket in buckets:
            before = step_back(bucket, interval) in periods
            if bucket in periods:
                status = (
                    "new" if first.get(pid) == bucket else "returning" if before else "resurrecting"
                )
                out[status][bucket].add(pid)
            elif before:
                out["dormant"][bucket].add(pid)
    return buckets, out


def _created(db: EventsDB) -> list[dict[str, Any]]:
    """When each person was created: ``persons.created_at`` as PostHog reads it, or their
    first event when the population has no persons table."""
    try:
        return every_row(
            db,
            "SELECT toString(id) AS person_id, created_at AS t FROM persons ORDER BY person_id",
            "a lifecycle",
        )
    except HogQLError as err:
        if "Unknown table" not in err.message:
            raise
    return every_row(
        db,
        "SELECT person_id, min(timestamp) AS t FROM events GROUP BY person_id ORDER BY person_id",
        "a lifecycle",
    )


def run_lifecycle(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """One series per status, dormant negative."""
    series = series_of(query)
    interval = interval_of(query)
    buckets, found = _statuses(db, query)
    texts, days = labels(buckets, interval)
    results = []
    for status in STATUSES:
        sign = -1 if status == "dormant" else 1
        data = [sign * len(found[status][b]) for b in buckets]
        event = series[0].get("event") or "All events"
        results.append(
            {
                "action": action(series[0], 0),
                "label": f"{event} - {status}",
                "status": status,
                "data": data,
                "days": days,
                "labels": texts,
                "count": sum(data),
            }
        )
    return {"results": results}


def lifecycle_actors(db: EventsDB, source: dict[str, Any]) -> list[str]:
    """The people of one status on one day."""
    query = source["source"]
    status, day = source.get("status"), source.get("day")
    if status not in STATUSES:
        raise bad(f"source.status: one of {', '.join(STATUSES)}")
    buckets, found = _statuses(db, query)
    wanted = [b for b in buckets if day is None or b.strftime("%Y-%m-%d") == str(day)[:10]]
    if day is not None and not wanted:
        raise bad("source.day: a day of the lifecycle's range")
    return sorted({pid for b in wanted for pid in found[status][b]})
