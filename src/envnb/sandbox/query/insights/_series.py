"""What lifecycle and stickiness share: the range, the buckets and who was active in each.

The range is the trends one (``date_from`` -7d by default, a date-only ``date_to`` to the end
of its day); activity is read with one HogQL query per series: ``(person, bucket)`` pairs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..events import EventsDB
from ..trends import INTERVALS, _buckets, _end, _floor, _label, _months_back, _parse_date
from ._hogql import absent_fields, bad, entity, every_row, filters, instant, moment

TRUNC = {
    "hour": "toStartOfHour",
    "day": "toStartOfDay",
    "week": "toStartOfWeek",
    "month": "toStartOfMonth",
}


def interval_of(query: dict[str, Any]) -> str:
    """The query's interval, checked."""
    interval = query.get("interval") or "day"
    if interval not in INTERVALS:
        raise bad(f'"{interval}" is not a valid choice for interval')
    return str(interval)


def span_of(db: EventsDB, query: dict[str, Any]) -> tuple[datetime, datetime, list[datetime]]:
    """Start, end and the buckets of the query's range."""
    interval = interval_of(query)
    now = db.now()
    spec = query.get("dateRange") or {}
    start = _floor(_parse_date(spec.get("date_from") or "-7d", now, "date_from"), interval)
    end = _end(spec.get("date_to"), now, interval)
    return start, end, _buckets(start, end, interval)


def step_back(bucket: datetime, interval: str) -> datetime:
    """The bucket before."""
    if interval == "month":
        return _months_back(bucket, 1)
    return (
        bucket
        - {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}[
            interval
        ]
    )


def series_of(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The query's series, checked."""
    series = query.get("series")
    if not isinstance(series, list) or not series:
        raise bad("series: at least one series")
    absent_fields(query)
    return series


def active(
    db: EventsDB,
    query: dict[str, Any],
    node: dict[str, Any],
    attr: str,
    start: datetime,
    end: datetime,
) -> dict[str, set[datetime]]:
    """Person id → the buckets they did ``node`` in, between start and end."""
    interval = interval_of(query)
    where = [entity(node, attr), *filters(query.get("properties"), "properties")]
    where.append(f"timestamp >= {moment(start)} AND timestamp <= {moment(end)}")
    out: dict[str, set[datetime]] = {}
    for row in every_row(
        db,
        f"SELECT person_id, {TRUNC[interval]}(timestamp) AS bucket FROM events "
        f"WHERE {' AND '.join(f'({w})' for w in where)} GROUP BY person_id, bucket "
        "ORDER BY person_id, bucket",
        "this insight",
    ):
        at = instant(row["bucket"])  # a Date (weeks) or a DateTime
        if at is not None:
            out.setdefault(str(row["person_id"]), set()).add(_floor(at, interval))
    return out


def action(node: dict[str, Any], order: int) -> dict[str, Any]:
    """PostHog's ``action`` of a series."""
    event = node.get("event")
    return {
        "id": event,
        "type": "events",
        "order": order,
        "name": node.get("name") or event or "All events",
        "custom_name": node.get("custom_name"),
        "math": node.get("math") or "total",
        "properties": node.get("properties") or [],
    }


def labels(buckets: list[datetime], interval: str) -> tuple[list[str], list[str]]:
    """The formatted labels and ISO days of the buckets."""
    pairs = [_label(b, interval) for b in buckets]
    return [text for text, _ in pairs], [day for _, day in pairs]
