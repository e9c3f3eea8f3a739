"""TrendsQuery over the seeded ``events`` table, answered in PostHog's shape.

PostHog's ``TrendsQueryRunner`` returns one object per series (and per breakdown value):
``data`` (one number per bucket), ``labels`` (formatted bucket dates), ``days`` (ISO dates),
``count``, ``label``, ``action``, ``filter`` and, with a breakdown, ``breakdown_value``.
Aggregated displays (a big number, a pie, a table) put the total in ``aggregated_value``
with empty ``data``. Weeks start on Sunday (PostHog's default ``week_start_day``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .events import PROPERTIES, EventsDB
from .hogql import HogQLError

INTERVALS = ("hour", "day", "week", "month")
MATHS = ("total", "dau", "sum", "avg", "min", "max", "median")
AGGREGATED = ("BoldNumber", "ActionsPie", "ActionsTable", "WorldMap", "ActionsBarValue")
OTHER = "$$_posthog_breakdown_other_$$"
NULL = "$$_posthog_breakdown_null_$$"
_PLAIN = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_RELATIVE = re.compile(r"^-(\d+)([hdwmy])$")
_STEP = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def _floor(moment: datetime, interval: str) -> datetime:
    if interval == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    if interval == "month":
        return day.replace(day=1)
    return day


def _months_back(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def _parse_date(value: Any, now: datetime, attr: str) -> datetime:
    """PostHog's date strings: ``-14d``, ``-24h``, ``-2w``, ``-3m``, ``-1y``, ``dStart``,
    ``mStart``, ``yStart``, ``all`` or an ISO date/datetime."""
    if not isinstance(value, str):
        raise HogQLError(f"{attr} must be a date string such as '-7d'", "invalid_input")
    found = _RELATIVE.match(value)
    if found:
        n, unit = int(found[1]), found[2]
        if unit == "m":
            return _months_back(now, n)
        if unit == "y":
            return _months_back(now, 12 * n)
        return now - _STEP[unit] * n
    if value == "dStart":
        return now.replace(hour=0, minute=0, second=0)
    if value == "mStart":
        return now.replace(day=1, hour=0, minute=0, second=0)
    if value == "yStart":
        return now.replace(month=1, day=1, hour=0, minute=0, second=0)
    if value == "all":
        return now - timedelta(days=365)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise HogQLError(f"{attr}: cannot read the date {value!r}", "invalid_input") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _buckets(start: datetime, end: datetime, interval: str) -> list[datetime]:
    out, moment = [], _floor(start, interval)
    while moment <= end:
        out.append(moment)
        if interval == "hour":
            moment += timedelta(hours=1)
        elif interval == "day":
            moment += timedelta(days=1)
        elif interval == "week":
            moment += timedelta(weeks=1)
        else:
            moment = _months_back(moment, -1)
    return out


def _label(moment: datetime, interval: str) -> tuple[str, str]:
    day = f"{moment.day}-{moment.strftime('%b-%Y')}"
    if interval == "hour":
        return f"{day} {moment:%H:%M}", f"{moment:%Y-%m-%d %H:%M:%S}"
    if interval == "month":
        return f"{moment:%b %Y}", f"{moment:%Y-%m-%d}"
    return day, f"{moment:%Y-%m-%d}"


def _column(key: Any, attr: str) -> str:
    if not isinstance(key, str):
        raise HogQLError(f"{attr} must be a property name", "invalid_input")
    known = PROPERTIES.get(key)
    return known[0] if known else "CAST(NULL AS VARCHAR)"


def _person_column(key: Any, attr: str) -> str:
    """A person property of the event's person, as it is now (``persons.properties``)."""
    if not isinstance(key, str) or not _PLAIN.match(key):
        raise HogQLError(f"{attr} must be a plain property name such as 'plan'", "invalid_input")
    return (  # the name is checked above, so it may stand in the JSON path
        f"(SELECT json_extract_string(persons.properties, '$.\"{key}\"') FROM persons "
        "WHERE persons.id = events.person_id)"
    )


# Where a property of each type (a breakdown level, a filter) is read
PROPERTY_COLUMNS = {"event": _column, "person": _person_column}


def _filters(props: Any, attr: str, params: list[Any]) -> list[str]:
    """SQL conditions for PostHog property filters (event or person properties)."""
    if props in (None, []):
        return []
    if isinstance(props, dict):  # a PropertyGroupFilter: {type: AND, values: [{...values}]}
        flat: list[Any] = []
        for group in props.get("values") or []:
            flat += group.get("values") or [] if isinstance(group, dict) else []
        props = flat
    if not isinstance(props, list):
        raise HogQLError(f"{attr} must be a list of property filters", "invalid_input")
    out = []
    for i, prop in enumerate(props):
        if not isinstance(prop, dict):
            raise HogQLError(f"{attr}[{i}] must be an object", "invalid_input")
        source = PROPERTY_COLUMNS.get(prop.get("type") or "event")
        if source is None:
            raise HogQLError(
                f"{attr}[{i}].type {prop.get('type')!r}: the sandbox filters on "
                f"{' or '.join(PROPERTY_COLUMNS)} properties",
                "invalid_input",
            )
        col = source(prop.get("key"), f"{attr}[{i}].key")
        op = prop.get("operator") or "exact"
        value = prop.get("value")
        values = value if isinstance(value, list) else [value]
        if op in ("exact", "is_not"):
            marks = ", ".join("?" for _ in values)
            params.extend(str(v) for v in values)
            neg = "NOT " if op == "is_not" else ""
            out.append(f"{neg}(CAST({col} AS VARCHAR) IN ({marks}))")
        elif op in ("icontains", "not_icontains"):
            params.append(f"%{value}%")
            neg = "NOT " if op == "not_icontains" else ""
            out.append(f"{neg}(CAST({col} AS VARCHAR) ILIKE ?)")
        elif op in ("is_set", "is_not_set"):
            out.append(f"{col} IS {'NOT ' if op == 'is_set' else ''}NULL")
        elif op in ("gt", "lt", "gte", "lte"):
            try:
                params.append(float(value))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise HogQLError(f"{attr}[{i}].value must be a number", "invalid_input") from None
            sign = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<="}[op]
            out.append(f"TRY_CAST({col} AS DOUBLE) {sign} ?")
        else:
            raise HogQLError(
                f"{attr}[{i}].operator {op!r} is not supported by the sandbox", "invalid_input"
            )
    return out


def _aggregate(series: dict[str, Any], attr: str) -> str:
    math = series.get("math") or "total"
    if math not in MATHS:
        raise HogQLError(
            f"{attr}.math {math!r} is not supported by the sandbox (use one of {', '.join(MATHS)})",
            "invalid_input",
        )
    if math == "total":
        return "COUNT(*)"
    if math == "dau":  # unique persons, not distinct ids (PostHog's aggregation_operations.py)
        return "COUNT(DISTINCT person_id)"
    col = _column(series.get("math_property"), f"{attr}.math_property")
    func = "MEDIAN" if math == "median" else math.upper()
    return f"{func}(TRY_CAST({col} AS DOUBLE))"


def _breakdown(query: dict[str, Any]) -> tuple[list[str], int]:
    """The breakdown columns (one per level; ``breakdowns`` lists several) and the limit."""
    spec = query.get("breakdownFilter") or {}
    if not isinstance(spec, dict):
        raise HogQLError("breakdownFilter must be an object", "invalid_input")
    levels: list[tuple[Any, Any]] = []
    if spec.get("breakdown") is not None:
        levels.append((spec["breakdown"], spec.get("breakdown_type") or "event"))
    elif isinstance(spec.get("breakdowns"), list):
        for i, level in enumerate(spec["breakdowns"]):
            if not isinstance(level, dict):
                raise HogQLError(
                    f"breakdownFilter.breakdowns[{i}] must be an object", "invalid_input"
                )
            levels.append((level.get("property"), level.get("type") or "event"))
    columns = []
    for key, kind in levels:
        source = PROPERTY_COLUMNS.get(kind)
        if source is None:
            raise HogQLError(
                f"breakdownFilter.breakdown_type {kind!r}: the sandbox breaks down by "
                f"{' or '.join(PROPERTY_COLUMNS)} properties",
                "invalid_input",
            )
        columns.append(source(key, "breakdownFilter.breakdown"))
    return columns, int(spec.get("breakdown_limit") or 25)


def _end(date_to: Any, now: datetime, interval: str) -> datetime:
    """The range's last instant. As PostHog's ``QueryDateRange.date_to``
    (PH:posthog/hogql_queries/utils/query_date_range.py): for any interval but hour the end
    is the last microsecond of its day, so a date-only ``date_to`` covers that whole day."""
    end = now if date_to in (None, "") else _parse_date(date_to, now, "date_to")
    if interval != "hour":
        end = end.replace(hour=23, minute=59, second=59, microsecond=999999)
    return end


def _compares(query: dict[str, Any]) -> bool:
    spec = query.get("compareFilter") or {}
    if not isinstance(spec, dict):
        raise HogQLError("compareFilter must be an object", "invalid_input")
    if spec.get("compare_to") is not None:
        raise HogQLError(
            "compareFilter.compare_to: the sandbox compares with the previous period only",
            "invalid_input",
        )
    return spec.get("compare") is True


def run_trends(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """Run a TrendsQuery; raises HogQLError (a 400) for what the sandbox cannot answer.

    With ``compareFilter.compare`` every series is answered twice, for the range and for
    the previous period of the same length (PH:posthog/hogql_queries/utils/
    query_previous_period_date_range.py), marked ``compare_label`` current/previous, the
    current ones first (PH:.../insights/trends/trends_query_runner.py ``setup_series``)."""
    now = db.now()
    interval = query.get("interval") or "day"
    if interval not in INTERVALS:
        raise HogQLError(f'"{interval}" is not a valid choice for interval', "invalid_input")
    series_list = query.get("series")
    if not isinstance(series_list, list) or not series_list:
        raise HogQLError("series: a TrendsQuery needs at least one series", "invalid_input")
    date_range = query.get("dateRange") or {}
    start = _floor(_parse_date(date_range.get("date_from") or "-7d", now, "date_from"), interval)
    end = _end(date_range.get("date_to"), now, interval)
    results = _period(db, query, series_list, interval, start, end)
    if _compares(query):
        previous = _floor(start - (end - start), interval)
        for item in results:
            item.update(compare=True, compare_label="current")
        older = _period(
            db, query, series_list, interval, previous, start - timedelta(microseconds=1)
        )
        for item in older:
            item.update(compare=True, compare_label="previous")
        results += older
    from .insights.formula import apply  # formulas are an insight rule, kept beside the kinds

    return {"results": apply(query, results), **_range(start, end)}


def _period(
    db: EventsDB,
    query: dict[str, Any],
    series_list: list[Any],
    interval: str,
    start: datetime,
    end: datetime,
) -> list[dict[str, Any]]:
    buckets = _buckets(start, end, interval)
    display = (query.get("trendsFilter") or {}).get("display") or "ActionsLineGraph"
    aggregated = display in AGGREGATED
    breakdowns, limit = _breakdown(query)
    bucket_sql = (
        "DATE_TRUNC('week', timestamp + INTERVAL 1 DAY) - INTERVAL 1 DAY"
        if interval == "week"
        else f"DATE_TRUNC('{interval}', timestamp)"
    )
    groups = [f"COALESCE(CAST({col} AS VARCHAR), '{NULL}')" for col in breakdowns] or ["''"]
    keys = ", ".join(f"{group} AS bd{i}" for i, group in enumerate(groups))
    results = []
    for order, series in enumerate(series_list):
        attr = f"series[{order}]"
        if not isinstance(series, dict):
            raise HogQLError(f"{attr} must be an object", "invalid_input")
        if series.get("kind", "EventsNode") != "EventsNode":
            raise HogQLError(
                f"{attr}.kind: the sandbox runs EventsNode series only", "invalid_input"
            )
        params: list[Any] = [start, end]
        where = ["timestamp >= ?", "timestamp <= ?"]
        event = series.get("event")
        if event is not None:
            where.append("event = ?")
            params.append(str(event))
        where += _filters(series.get("properties"), f"{attr}.properties", params)
        where += _filters(query.get("properties"), "properties", params)
        agg = _aggregate(series, attr)
        when = "NULL" if aggregated else bucket_sql
        sql = (
            f"SELECT {keys}, {when} AS bucket, {agg} AS value FROM events "
            f"WHERE {' AND '.join(where)} GROUP BY ALL"
        )
        with db.lock:
            rows = db.connection().execute(sql, params).fetchall()
        shaped = [(tuple(row[: len(groups)]), row[-2], row[-1]) for row in rows]
        results += _series(
            order, series, shaped, buckets, interval, aggregated, len(breakdowns), limit
        )
    return results


def _range(start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "resolved_date_range": {"date_from": start.isoformat(), "date_to": end.isoformat()},
        "hasMore": False,
    }


def _series(
    order: int,
    series: dict[str, Any],
    rows: list[tuple[tuple[str, ...], Any, Any]],
    buckets: list[datetime],
    interval: str,
    aggregated: bool,
    levels: int,
    limit: int,
) -> list[dict[str, Any]]:
    event = series.get("event")
    name = series.get("name") or event or "All events"
    action = {
        "id": event,
        "type": "events",
        "order": order,
        "name": name,
        "custom_name": series.get("custom_name"),
        "math": series.get("math") or "total",
        "math_property": series.get("math_property"),
        "properties": series.get("properties") or [],
    }
    by_value: dict[tuple[str, ...], dict[Any, float]] = {}
    for value, bucket, number in rows:
        key = bucket.astimezone(UTC).replace(tzinfo=UTC) if bucket is not None else None
        by_value.setdefault(value, {})[key] = float(number or 0)
    totals = {v: sum(b.values()) for v, b in by_value.items()}
    ranked = sorted(by_value, key=lambda v: (-totals[v], v))
    other_key = (OTHER,) * max(levels, 1)
    if levels and len(ranked) > limit:
        keep, rest = ranked[:limit], ranked[limit:]
        other: dict[Any, float] = {}
        for value in rest:
            for bucket, number in by_value[value].items():
                other[bucket] = other.get(bucket, 0.0) + number
        by_value = {v: by_value[v] for v in keep} | {other_key: other}
        ranked = [*keep, other_key]
    if not levels:
        ranked = [("",)]
    labels, days = (
        zip(*(_label(b, interval) for b in buckets), strict=True) if buckets else ((), ())
    )
    out = []
    for value in ranked:
        numbers = by_value.get(value, {})
        label = series.get("custom_name") or name
        item: dict[str, Any] = {"label": label, "action": action, "filter": {"interval": interval}}
        if aggregated:
            total = numbers.get(None, 0.0)
            item.update(aggregated_value=_number(total), data=[], labels=[], days=[], count=0)
        else:
            data = [_number(numbers.get(b, 0.0)) for b in buckets]
            item.update(data=data, labels=list(labels), days=list(days), count=_number(sum(data)))
        if levels == 1:
            item["breakdown_value"] = value[0]
            item["label"] = value[0]
        elif levels > 1:  # several breakdowns: a list, one value per level (PostHog's shape)
            item["breakdown_value"] = list(value)
            item["label"] = "::".join(value)
        out.append(item)
    return out


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)
