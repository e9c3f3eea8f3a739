"""RetentionQuery over the seeded events, in PostHog's shape
(PH:posthog/hogql_queries/insights/retention_query_runner.py).

Rules:
1. The range is PostHog's ``QueryDateRangeWithIntervals`` (PH:posthog/hogql_queries/utils/
   query_date_range.py): it ends at the start of the period after ``date_to`` (now by default)
   and starts ``totalIntervals`` periods earlier (weeks from Sunday).
2. Cohort i is the people who did the target event in period i (``retention_recurring``) or
   whose first target event ever falls in it (``retention_first_time``); its value j counts
   those who did the returning event in period i+j, value 0 being the cohort itself.
3. One HogQL query reads, per person and period, whether they did the target and the
   returning event; Python only forms the triangle from those rows.
4. With a breakdown (event or person properties), a cohort member's value is the one on their first
   event of the cohort's period; the answer repeats the triangle per value, largest first,
   each row with ``breakdown_value``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..events import EventsDB
from ..trends import NULL, _end, _floor, _months_back
from ._hogql import absent_fields, bad, entity, every_row, filters, instant, moment
from .funnels import breakdown_props

PERIODS = {"Hour": "hour", "Day": "day", "Week": "week", "Month": "month"}
TRUNC = {
    "hour": "toStartOfHour",
    "day": "toStartOfDay",
    "week": "toStartOfWeek",
    "month": "toStartOfMonth",
}
DEFAULT_INTERVALS = 8  # PostHog's schema default for totalIntervals


@dataclass(frozen=True)
class Cohorts:
    """The starts of the periods, and each cohort's members with the periods they came back."""

    period: str
    starts: list[datetime]
    members: list[dict[str, set[int]]]  # per cohort: person id -> periods (0 = its own) returned
    breakdowns: list[dict[str, tuple[str, ...]]]  # per cohort: person id -> breakdown value
    levels: int = 0


def _step(moment_: datetime, period: str, n: int) -> datetime:
    if period == "month":
        return _months_back(moment_, -n)
    hours = {"hour": 1, "day": 24, "week": 168}[period]
    return moment_ + timedelta(hours=hours * n)


def cohorts(db: EventsDB, query: dict[str, Any]) -> Cohorts:
    """The retention triangle's people (Rules 1–3)."""
    absent_fields(query)
    spec = query.get("retentionFilter") or {}
    if not isinstance(spec, dict):
        raise bad("retentionFilter must be an object")
    period = PERIODS.get(spec.get("period") or "Day")
    if period is None:
        raise bad(f"retentionFilter.period: one of {', '.join(PERIODS)}")
    total = spec.get("totalIntervals", DEFAULT_INTERVALS)
    if not isinstance(total, int) or isinstance(total, bool) or not 1 <= total <= 100:
        raise bad("retentionFilter.totalIntervals must be a number 1…100")
    kind = spec.get("retentionType") or "retention_recurring"
    if kind not in ("retention_recurring", "retention_first_time"):
        raise bad("retentionFilter.retentionType: retention_recurring or retention_first_time")
    target = entity(
        spec.get("targetEntity") or {"id": "$pageview", "type": "events"}, "targetEntity"
    )
    returning = entity(
        spec.get("returningEntity")
        or spec.get("targetEntity")
        or {"id": "$pageview", "type": "events"},
        "returningEntity",
    )
    date_to = (query.get("dateRange") or {}).get("date_to")
    end = _floor(_step(_end(date_to, db.now(), period), period, 1), period)
    start = _floor(_step(end, period, -total), period)
    starts = [_step(start, period, i) for i in range(total)]
    # the query's property filters narrow every event read, as PostHog's retention does
    narrow = "".join(f" AND ({c})" for c in filters(query.get("properties"), "properties"))
    bucket = f"{TRUNC[period]}(timestamp)"
    props = breakdown_props(query)
    picks = "".join(f"argMin({col}, timestamp) AS bd{i}, " for i, col in enumerate(props))
    found = every_row(
        db,
        f"SELECT person_id, {bucket} AS period, {picks}max(if({target}, 1, 0)) AS did_target, "
        f"max(if({returning}, 1, 0)) AS did_return FROM events "
        f"WHERE timestamp >= {moment(start)} AND timestamp < {moment(end)}{narrow} "
        f"GROUP BY person_id, period ORDER BY person_id, period",
        "a retention",
    )
    first: dict[str, datetime] = {}
    if kind == "retention_first_time":
        for row in every_row(
            db,
            f"SELECT person_id, min(timestamp) AS t FROM events WHERE {target}{narrow} "
            "GROUP BY person_id ORDER BY person_id",
            "a retention",
        ):
            first[str(row["person_id"])] = _floor(instant(row["t"]), period)  # type: ignore[arg-type]
    index = {moment_: i for i, moment_ in enumerate(starts)}
    targets: dict[str, set[int]] = {}
    returns: dict[str, set[int]] = {}
    values: dict[tuple[str, int], tuple[str, ...]] = {}
    for row in found:
        at = instant(row["period"])
        i = index.get(_floor(at, period)) if at is not None else None
        if i is None:
            continue
        pid = str(row["person_id"])
        values[(pid, i)] = tuple(
            NULL if row[f"bd{n}"] in (None, "") else str(row[f"bd{n}"]) for n in range(len(props))
        )
        if row["did_target"]:
            targets.setdefault(pid, set()).add(i)
        if row["did_return"]:
            returns.setdefault(pid, set()).add(i)
    members: list[dict[str, set[int]]] = [{} for _ in starts]
    breakdowns: list[dict[str, tuple[str, ...]]] = [{} for _ in starts]
    for pid, periods in targets.items():
        for i in periods:
            if kind == "retention_first_time" and first.get(pid) != starts[i]:
                continue
            came_back = {j - i for j in returns.get(pid, set()) if j > i}
            members[i][pid] = {0} | came_back
            breakdowns[i][pid] = values[(pid, i)]
    return Cohorts(period, starts, members, breakdowns, len(props))


def _label(period: str, n: int) -> str:
    return f"{period.capitalize()} {n}"


def _split(found: Cohorts) -> list[tuple[Any, list[dict[str, set[int]]]]]:
    """The cohorts per breakdown value (largest first; Rule 4), or once without one."""
    if not found.levels:
        return [(None, found.members)]
    sizes: dict[tuple[str, ...], int] = {}
    for cohort in found.breakdowns:
        for value in cohort.values():
            sizes[value] = sizes.get(value, 0) + 1
    out = []
    for value in sorted(sizes, key=lambda v: (-sizes[v], v)):
        members = [
            {pid: back for pid, back in cohort.items() if by[pid] == value}
            for cohort, by in zip(found.members, found.breakdowns, strict=True)
        ]
        out.append((value[0] if found.levels == 1 else list(value), members))
    return out


def run_retention(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """``results``: one ``{date, label, values: [{count, label}]}`` per cohort (and per
    breakdown value, with ``breakdown_value``)."""
    found = cohorts(db, query)
    results = []
    for value, groups in _split(found):
        results += _rows(found, groups, value)
    return {"results": results}


def _rows(found: Cohorts, groups: list[dict[str, set[int]]], value: Any) -> list[dict[str, Any]]:
    total = len(found.starts)
    results = []
    for i, (start, members) in enumerate(zip(found.starts, groups, strict=True)):
        values = [
            {
                "count": sum(1 for back in members.values() if j in back),
                "label": _label(found.period, j),
            }
            for j in range(total - i)
        ]
        row = {
            "date": start.isoformat().replace("+00:00", "Z"),
            "label": _label(found.period, i),
            "values": values,
        }
        if value is not None:
            row["breakdown_value"] = value
        results.append(row)
    return results


def retention_actors(db: EventsDB, source: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """An InsightActorsQuery on a retention: ``interval`` picks the cohort; each person comes
    with the periods they came back in (``appearances``)."""
    query = source.get("source")
    assert isinstance(query, dict)  # checked by the caller's table
    found = cohorts(db, query)
    chosen = source.get("interval")
    if (
        not isinstance(chosen, int)
        or isinstance(chosen, bool)
        or not 0 <= chosen < len(found.starts)
    ):
        raise bad(f"source.interval: a cohort 0…{len(found.starts) - 1}")
    wanted = source.get("breakdown")
    keep = (
        None
        if wanted is None
        else tuple(str(v) for v in (wanted if isinstance(wanted, list) else [wanted]))
    )
    by = found.breakdowns[chosen]
    return [
        (pid, sorted(back))
        for pid, back in sorted(found.members[chosen].items())
        if keep is None or by.get(pid) == keep
    ]
