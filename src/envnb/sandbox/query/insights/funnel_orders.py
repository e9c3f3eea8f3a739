"""Who reached which step of a funnel, for each ``funnelsFilter.funnelOrderType``: one entry
per order in ``ORDERS``.

Rules:
1. ``ordered`` (the default): a person enters with their first step-1 event in the date range;
   step k is their first step-k event after step k-1 and within the conversion window of the
   entry. Each step is one HogQL query nested on the previous one, so the engine matches.
2. ``strict``: as PostHog's funnel UDF (PH:funnel-udf/src/steps.rs) — every event of the
   person in the range is read in time order, and an event that is not the next step clears
   the steps reached so far, so step k+1 must be the very next event after step k (of any
   kind). The furthest step ever reached counts, with the times of that run.
3. ``unordered``: as PH:funnel-udf/src/unordered_steps.rs — the steps may come in any order;
   a person reached k steps when k different steps each have an event inside one conversion
   window (the window slides over their step events). Conversion times are between those
   steps' first events in the window, sorted by time.
4. For strict and unordered the events are HogQL rows (person, time, which steps the event
   is, breakdown values); Python only walks them. Events with the same timestamp are taken in
   the engine's order (PostHog tries their permutations; the seeded data has no such ties
   inside one person's funnel).
5. A breakdown value is first touch: the value on the entry event for ordered funnels, the
   first non-empty value among the events read for the other two (PostHog's ``argMinIf``);
   a missing value is ``''``, as PostHog's funnels send it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..events import EventsDB
from ..trends import _end, _floor, _parse_date
from ._hogql import (
    MAX_ROWS,
    UNITS,
    bad,
    breakdown_levels,
    entity,
    instant,
    moment,
    rows,
    span,
    window,
)

# PostHog's funnels encode a missing breakdown value as '' (trends use a null sentinel):
# PH:posthog/hogql_queries/insights/funnels/funnels_query_runner.py _breakdown_option_label
MISSING = ""


@dataclass
class Entrant:
    """One person in the funnel: when they reached each step (None: not reached)."""

    person_id: str
    times: list[datetime | None]
    breakdown: list[str]

    def reached(self, step: int) -> bool:
        """Reached ``step`` (1-based)."""
        return self.times[step - 1] is not None


def date_range(db: EventsDB, query: dict[str, Any]) -> tuple[datetime, datetime]:
    """The entry window: PostHog's default is the last 7 days, whole days."""
    now = db.now()
    spec = query.get("dateRange") or {}
    start = _floor(_parse_date(spec.get("date_from") or "-7d", now, "date_from"), "day")
    return start, _end(spec.get("date_to"), now, "day")


def _value(cell: Any) -> str:
    return MISSING if cell is None else str(cell)


def _level(
    series: list[dict[str, Any]],
    k: int,
    start: datetime,
    end: datetime,
    bds: list[str],
    within: str,
) -> str:
    """HogQL of the people reaching step ``k`` (Rule 1): t1 … tk and the breakdown."""
    picks = "".join(f", argMin({col}, timestamp) AS bd{i}" for i, col in enumerate(bds))
    if k == 1:
        return (
            f"SELECT person_id, min(timestamp) AS t1{picks} FROM events "
            f"WHERE {entity(series[0], 'series[0]')} AND timestamp >= {moment(start)} "
            f"AND timestamp <= {moment(end)} GROUP BY person_id"
        )
    carried = ["s.t1", *(f"s.bd{i}" for i in range(len(bds))), *(f"s.t{j}" for j in range(2, k))]
    names = ["t1", *(f"bd{i}" for i in range(len(bds))), *(f"t{j}" for j in range(2, k))]
    keep = ", ".join(f"{c} AS {n}" for c, n in zip(carried, names, strict=True))
    after = ">" if series[k - 1] == series[k - 2] else ">="
    return (
        f"SELECT s.person_id AS person_id, {keep}, min(e.timestamp) AS t{k} "
        f"FROM ({_level(series, k - 1, start, end, bds, within)}) AS s "
        f"JOIN events AS e ON e.person_id = s.person_id "
        f"WHERE {entity(series[k - 1], f'series[{k - 1}]', 'e.')} "
        f"AND e.timestamp {after} s.t{k - 1} "
        f"AND e.timestamp <= s.t1 + {within} GROUP BY s.person_id, {', '.join(carried)}"
    )


def ordered(db: EventsDB, query: dict[str, Any], series: list[dict[str, Any]]) -> list[Entrant]:
    """Rule 1."""
    start, end = date_range(db, query)
    bds = breakdown_levels(query)
    count, unit = window(query)
    within = f"INTERVAL {count} {UNITS[unit]}"
    people: dict[str, Entrant] = {}
    for k in range(1, len(series) + 1):
        for row in rows(db, _level(series, k, start, end, bds, within)):
            pid = str(row["person_id"])
            if k == 1:
                values = [_value(row.get(f"bd{i}")) for i in range(len(bds))]
                people[pid] = Entrant(pid, [None] * len(series), values)
            people[pid].times[k - 1] = instant(row[f"t{k}"])
    # the window is checked on the entry, in Python too: a month is 30 days (PostHog's UDF)
    limit = span(count, unit)
    for person in people.values():
        first = person.times[0]
        for k in range(1, len(series)):
            at = person.times[k]
            if at is None or first is None or at - first > limit or not person.reached(k):
                person.times[k:] = [None] * (len(series) - k)
                break
    return list(people.values())


Event = tuple[datetime, list[int]]  # when, and which steps (0-based) the event is


def _streams(
    db: EventsDB, query: dict[str, Any], series: list[dict[str, Any]], every_event: bool
) -> dict[str, tuple[list[Event], list[str]]]:
    """Each person's events in the range, in time order, with the steps each one is, and their
    first-touch breakdown values (Rules 4–5)."""
    start, end = date_range(db, query)
    bds = breakdown_levels(query)
    steps = [entity(node, f"series[{i}]") for i, node in enumerate(series)]
    flags = "".join(f", if({cond}, 1, 0) AS s{i}" for i, cond in enumerate(steps))
    picks = "".join(f", {col} AS bd{i}" for i, col in enumerate(bds))
    where = f"timestamp >= {moment(start)} AND timestamp <= {moment(end)}"
    if not every_event:
        where += " AND (" + " OR ".join(f"({cond})" for cond in steps) + ")"
    found = rows(
        db,
        f"SELECT person_id, timestamp{flags}{picks} FROM events WHERE {where} "
        "ORDER BY person_id, timestamp",
    )
    if len(found) >= MAX_ROWS:  # a cut stream would count wrong: refuse instead (Rule 2, _hogql)
        raise bad("dateRange: too many events for the sandbox's funnel; pick a shorter range")
    out: dict[str, tuple[list[Event], list[str]]] = {}
    for row in found:
        at = instant(row["timestamp"])
        if at is None:
            continue
        events, values = out.setdefault(str(row["person_id"]), ([], [MISSING] * len(bds)))
        events.append((at, [i for i in range(len(steps)) if row[f"s{i}"]]))
        for i in range(len(bds)):
            if values[i] == MISSING:
                values[i] = _value(row[f"bd{i}"])
    return out


def _strict_walk(events: list[Event], steps: int, limit: timedelta) -> list[datetime] | None:
    """Rule 2 for one person: the step times of their furthest run, or None (never step 1)."""
    entered: list[tuple[datetime, list[datetime]] | None] = [None] * (steps + 1)
    best: list[datetime] = []
    for at, matched in events:
        entered[0] = (at, [])
        for step in sorted((s + 1 for s in matched), reverse=True):
            before, current = entered[step - 1], entered[step]
            if before is None or at - before[0] > limit:
                continue
            if current is not None and current[0] == before[0]:
                continue  # this run already reached the step
            entered[step] = (before[0], [*before[1], at])
            if step > len(best):
                best = entered[step][1]  # type: ignore[index]
        for step in range(1, steps + 1):
            if step - 1 not in matched:
                entered[step] = None
        if entered[steps] is not None:
            break
    return best or None


def _unordered_walk(events: list[Event], steps: int, limit: timedelta) -> list[datetime] | None:
    """Rule 3 for one person: the sorted first times of the most steps seen in one window."""
    queues: list[deque[datetime]] = [deque() for _ in range(steps)]
    best: list[datetime] = []
    for at, matched in events:
        if not matched:
            continue
        # an event that is several steps fills the one whose latest event is oldest
        step = min(matched, key=lambda s: queues[s][-1] if queues[s] else datetime.min)
        queues[step].append(at)
        for queue in queues:
            while queue and at - queue[0] > limit:
                queue.popleft()
        if sum(1 for q in queues if q) > len(best):
            best = sorted(q[0] for q in queues if q)
    return best or None


Walk = Callable[[list[Event], int, timedelta], list[datetime] | None]
Order = Callable[[EventsDB, dict[str, Any], list[dict[str, Any]]], list[Entrant]]


def _walked(walk: Walk, every_event: bool) -> Order:
    def entrants(db: EventsDB, query: dict[str, Any], series: list[Any]) -> list[Entrant]:
        limit = span(*window(query))
        out = []
        for pid, (events, values) in _streams(db, query, series, every_event).items():
            times = walk(events, len(series), limit)
            if times:
                padded: list[datetime | None] = [*times, *[None] * (len(series) - len(times))]
                out.append(Entrant(pid, padded, values))
        return out

    return entrants


ORDERS: dict[str, Order] = {
    "ordered": ordered,
    "strict": _walked(_strict_walk, every_event=True),
    "unordered": _walked(_unordered_walk, every_event=False),
}


# PostHog's unordered UDF checks the exclusions (``order_of``) and then skips them
# (PH:funnel-udf/src/unordered_steps.rs ``process_event``): they take nobody out there
EXCLUSIONS_IGNORED = frozenset({"unordered"})


def order_of(query: dict[str, Any]) -> str:
    """The funnel's ``funnelOrderType``, checked; unordered funnels take only exclusions that
    span the whole funnel (PostHog: "Partial Exclusions not allowed in unordered funnels")."""
    spec = query.get("funnelsFilter") or {}
    if not isinstance(spec, dict):
        raise bad("funnelsFilter must be an object")
    order = spec.get("funnelOrderType") or "ordered"
    if order not in ORDERS:
        raise bad(f"funnelsFilter.funnelOrderType: one of {', '.join(ORDERS)}")
    attribution = spec.get("breakdownAttributionType") or "first_touch"
    if attribution != "first_touch":  # Rule 5 is first touch; another is not emulated
        raise bad(
            f"funnelsFilter.breakdownAttributionType {attribution!r}: the sandbox attributes "
            "breakdowns by first touch only"
        )
    steps = len(query.get("series") or [])
    exclusions = spec.get("exclusions") or []
    if order == "unordered" and any(
        not isinstance(item, dict)
        or item.get("funnelFromStep", 0) != 0
        or item.get("funnelToStep", steps - 1) != steps - 1
        for item in exclusions
    ):
        raise bad("Partial Exclusions not allowed in unordered funnels")
    return str(order)
