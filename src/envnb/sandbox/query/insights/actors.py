"""ActorsQuery: the people behind one number of an insight, in PostHog's shape
(PH:posthog/hogql_queries/actors_query_runner.py, insights/insight_actors_query_runner.py).

Rules:
1. ``source`` is an ``InsightActorsQuery`` (its ``source`` a TrendsQuery or RetentionQuery)
   or a ``FunnelsActorsQuery``; without a source every person is listed. Which runner answers
   is a lookup in ``SOURCES``/``INSIGHT_SOURCES``, never a branch on the kind.
2. The ``actor`` column is ``{id, distinct_ids, properties, created_at, is_identified}``;
   ``appearances`` (retention) is the list of periods the person came back in.
3. Rows are ordered by person id and paged by ``limit`` (100 by default) and ``offset``;
   ``hasMore`` says a later page has rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..events import EventsDB
from ..hogql import HogQLError
from ..trends import _end, _floor, _months_back, _parse_date
from ._hogql import bad, breakdown_levels, entity, every_row, filters, moment, quote, rows
from .funnels import funnel_actors
from .lifecycle import lifecycle_actors
from .retention import retention_actors
from .stickiness import stickiness_actors

DEFAULT_LIMIT = 100
Found = list[tuple[str, dict[str, Any]]]  # person id, extra columns (appearances, …)


def people(db: EventsDB, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The actor objects of these persons (Rule 2), from the ``persons`` and
    ``person_distinct_ids`` tables when the population has them, else from the events (a
    person is then known by their events: ``created_at`` is their first event)."""
    if not ids:
        return {}
    listed = ", ".join(quote(i) for i in ids)
    try:
        return _from_persons(db, listed)
    except HogQLError as err:
        if "Unknown table" not in err.message:
            raise
    return _from_events(db, listed)


def _from_persons(db: EventsDB, listed: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in rows(
        db,
        "SELECT toString(id) AS pid, created_at, properties, is_identified FROM persons "
        f"WHERE toString(id) IN ({listed})",
    ):
        props = row["properties"]
        if isinstance(props, str):
            props = json.loads(props or "{}")
        found[str(row["pid"])] = {
            "id": str(row["pid"]), "distinct_ids": [], "properties": props or {},
            "created_at": row["created_at"], "is_identified": bool(row["is_identified"]),
            "type": "person",
        }  # fmt: skip
    for row in rows(
        db,
        "SELECT distinct_id, toString(person_id) AS pid FROM person_distinct_ids "
        f"WHERE toString(person_id) IN ({listed})",
    ):
        if str(row["pid"]) in found:
            found[str(row["pid"])]["distinct_ids"].append(str(row["distinct_id"]))
    for actor in found.values():
        actor["distinct_ids"].sort()
    return found


def _from_events(db: EventsDB, listed: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in rows(
        db,
        "SELECT person_id, distinct_id, min(timestamp) AS first_seen FROM events "
        f"WHERE toString(person_id) IN ({listed}) GROUP BY person_id, distinct_id",
    ):
        pid = str(row["person_id"])
        actor = found.setdefault(
            pid,
            {"id": pid, "distinct_ids": [], "properties": {}, "created_at": row["first_seen"],
             "is_identified": True, "type": "person"},
        )  # fmt: skip
        actor["distinct_ids"].append(str(row["distinct_id"]))
        actor["created_at"] = min(actor["created_at"], row["first_seen"])
    for actor in found.values():
        actor["distinct_ids"].sort()
        actor["properties"] = {"distinct_id": actor["distinct_ids"][0]}
    return found


def _trends(db: EventsDB, source: dict[str, Any]) -> Found:
    """People behind a trends point: who did series ``series`` in bucket ``day`` (with the
    ``breakdown`` value and the ``compare`` period, when given)."""
    query: dict[str, Any] = source["source"]
    series_list = query.get("series") or []
    index = source.get("series", 0)
    if not isinstance(index, int) or not 0 <= index < len(series_list):
        raise bad(f"source.series: a series index 0…{len(series_list) - 1}")
    interval = query.get("interval") or "day"
    now = db.now()
    spec = query.get("dateRange") or {}
    start = _floor(_parse_date(spec.get("date_from") or "-7d", now, "date_from"), interval)
    end = _end(spec.get("date_to"), now, interval)
    where = [entity(series_list[index], f"source.source.series[{index}]")]
    where += filters(query.get("properties"), "source.source.properties")
    if source.get("compare") == "previous":
        start, end = _floor(start - (end - start), interval), start - timedelta(microseconds=1)
    day = source.get("day")
    if day is not None:
        bucket = _floor(_parse_date(str(day), now, "source.day"), interval)
        after = _months_back(bucket, -1) if interval == "month" else bucket + {
            "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)
        }[interval]  # fmt: skip
        start, end = max(start, bucket), min(end, after - timedelta(microseconds=1))
    where.append(f"timestamp >= {moment(start)} AND timestamp <= {moment(end)}")
    breakdown = source.get("breakdown")
    if breakdown is not None:
        columns = breakdown_levels(query)
        values = breakdown if isinstance(breakdown, list) else [breakdown]
        if len(values) != len(columns):
            raise bad("source.breakdown: one value per breakdown level")
        for column, value in zip(columns, values, strict=True):
            null = str(value) == "$$_posthog_breakdown_null_$$"
            where.append(f"{column} IS NULL" if null else f"{column} = {quote(value)}")
    found = every_row(
        db,
        f"SELECT DISTINCT person_id FROM events WHERE {' AND '.join(where)} ORDER BY person_id",
        "the people behind a trends point",
    )
    return [(str(row["person_id"]), {}) for row in found]


def _retention(db: EventsDB, source: dict[str, Any]) -> Found:
    return [(pid, {"appearances": back}) for pid, back in retention_actors(db, source)]


def _people_only(
    find: Callable[[EventsDB, dict[str, Any]], list[str]],
) -> Callable[[EventsDB, dict[str, Any]], Found]:
    return lambda db, source: [(pid, {}) for pid in find(db, source)]


INSIGHT_SOURCES: dict[str, Callable[[EventsDB, dict[str, Any]], Found]] = {
    "TrendsQuery": _trends,
    "RetentionQuery": _retention,
    "LifecycleQuery": _people_only(lifecycle_actors),
    "StickinessQuery": _people_only(stickiness_actors),
}


def _insight(db: EventsDB, source: dict[str, Any]) -> Found:
    inner = source.get("source")
    kind = inner.get("kind") if isinstance(inner, dict) else None
    runner = INSIGHT_SOURCES.get(str(kind))
    if runner is None:
        raise bad(f"source.source: the sandbox lists people behind {', '.join(INSIGHT_SOURCES)}")
    return runner(db, source)


def _funnel(db: EventsDB, source: dict[str, Any]) -> Found:
    return [(pid, {}) for pid in funnel_actors(db, source)]


def _everyone(db: EventsDB, source: dict[str, Any]) -> Found:
    return [
        (str(row["person_id"]), {})
        for row in every_row(
            db, "SELECT DISTINCT person_id FROM events ORDER BY person_id", "the people"
        )
    ]


SOURCES: dict[str | None, Callable[[EventsDB, dict[str, Any]], Found]] = {
    "InsightActorsQuery": _insight,
    "FunnelsActorsQuery": _funnel,
    None: _everyone,
}


def run_actors(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """An ActorsQuery's page (Rules 1–3)."""
    source = query.get("source")
    kind = source.get("kind") if isinstance(source, dict) else None
    runner = SOURCES.get(kind)
    if runner is None:
        raise bad(f"source.kind: InsightActorsQuery or FunnelsActorsQuery; got {kind!r}")
    select = query.get("select") or ["actor"]
    if not isinstance(select, list) or any(
        c not in ("actor", "person", "appearances") for c in select
    ):
        raise bad("select: the sandbox returns the columns actor (or person) and appearances")
    limit, offset = query.get("limit", DEFAULT_LIMIT), query.get("offset", 0)
    if not isinstance(limit, int) or not isinstance(offset, int) or limit < 1 or offset < 0:
        raise bad("limit/offset must be whole numbers (limit at least 1)")
    found = sorted(runner(db, source or {}), key=lambda item: item[0])
    page = found[offset : offset + limit]
    actors = people(db, [pid for pid, _ in page])
    results = []
    for pid, extra in page:
        cells = {"actor": actors.get(pid, {"id": pid}), "person": actors.get(pid, {"id": pid})}
        results.append([extra.get(c, []) if c == "appearances" else cells[c] for c in select])
    return {
        "columns": select,
        "types": [[c, "Tuple" if c in ("actor", "person") else "Array(UInt16)"] for c in select],
        "results": results,
        "hasMore": offset + limit < len(found),
        "limit": limit,
        "offset": offset,
        "missing_actors_count": 0,
    }
