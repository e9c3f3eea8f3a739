"""Who reached which step of a funnel, for each ``funnelsFilter.funnelOrderType``: one entry
per order in ``ORDERS``, each a walk over the person's events as PostHog's funnel UDF walks
them (PH:funnel-udf/src/steps.rs, unordered_steps.rs; PostHog runs every funnel through it).

Rules:
1. Only events inside the date range count, every step's included (PostHog's funnel event
   query filters all of them by the range).
2. ``ordered`` (the default): the person's step events and exclusion events in time order.
   Every step-1 event starts a run; a step-k event moves the latest run that reached step k-1
   on when it is within the conversion window of that run's entry. The furthest step any run
   reached counts, with the times of the run that first got there (so a later entry can still
   convert, and conversion times count from the latest entry before each step).
3. ``strict``: the same walk over *every* event of the person; an event that is not the next
   step clears the runs, so step k+1 must be the very next event after step k (of any kind).
4. Exclusions (ordered and strict): an excluded event between step k and k+1 inside a run's
   window marks that run; a marked run moves no further, and a person whose furthest run is
   marked leaves the funnel (unless a clean run later reaches as far).
5. ``unordered``: the steps may come in any order; a person reached k steps when k different
   steps each have an event inside one conversion window (the window slides over their step
   events). Conversion times are between those steps' first events in the window, sorted by
   time. PostHog takes only exclusions spanning the whole funnel here, then ignores them.
6. The events are HogQL rows (person, time, which steps and exclusions the event is, its
   breakdown values), read page by page; Python only walks them. Events with the same
   timestamp are taken in the engine's order (PostHog tries their permutations).
7. A breakdown value is first touch: the first non-empty value among the events read
   (PostHog's ``argMinIf``); a missing value is ``''``, as PostHog's funnels send it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from ..events import EventsDB
from ..trends import _end, _floor, _parse_date
from ._hogql import (
    bad,
    breakdown_levels,
    entity,
    every_row,
    filters,
    instant,
    moment,
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


class Event(NamedTuple):
    """One event of a person's stream: when, which steps it is (0-based), and which steps an
    exclusion guards (k: the event is excluded between reaching step k and step k+1, 1-based)."""

    at: datetime
    steps: list[int]
    exclusions: tuple[int, ...] = ()


def _exclusion_flags(query: dict[str, Any], steps: int) -> dict[int, str]:
    """Step k (1-based) → the HogQL condition of the exclusions between step k and k+1
    (PostHog's ``exclusion_k`` columns: an exclusion from step a to b, 0-based, guards steps
    a+1 … b)."""
    found = (query.get("funnelsFilter") or {}).get("exclusions") or []
    guards: dict[int, list[str]] = {}
    for i, item in enumerate(found if isinstance(found, list) else []):
        if not isinstance(item, dict):
            continue  # funnels._excluded names the bad item
        low, high = item.get("funnelFromStep", 0), item.get("funnelToStep", steps - 1)
        if isinstance(low, int) and isinstance(high, int):
            for k in range(max(low + 1, 1), min(high, steps - 1) + 1):
                guards.setdefault(k, []).append(entity(item, f"funnelsFilter.exclusions[{i}]"))
    return {k: " OR ".join(f"({c})" for c in conds) for k, conds in guards.items()}


def _streams(
    db: EventsDB, query: dict[str, Any], series: list[dict[str, Any]], read: Read
) -> dict[str, tuple[list[Event], list[str]]]:
    """Each person's events in the range, in time order, with the steps and exclusions each
    one is, and their first-touch breakdown values (Rules 1, 6, 7)."""
    start, end = date_range(db, query)
    bds = breakdown_levels(query)
    steps = [entity(node, f"series[{i}]") for i, node in enumerate(series)]
    guards = _exclusion_flags(query, len(series)) if read.exclusions else {}
    flags = "".join(f", if({cond}, 1, 0) AS s{i}" for i, cond in enumerate(steps))
    flags += "".join(f", if({cond}, 1, 0) AS x{k}" for k, cond in guards.items())
    picks = "".join(f", {col} AS bd{i}" for i, col in enumerate(bds))
    where = f"timestamp >= {moment(start)} AND timestamp <= {moment(end)}"
    for condition in filters(query.get("properties"), "properties"):  # on every event read
        where += f" AND ({condition})"
    if not read.every_event:
        wanted = [*steps, *guards.values()]
        where += " AND (" + " OR ".join(f"({cond})" for cond in wanted) + ")"
    found = every_row(
        db,
        f"SELECT person_id, timestamp{flags}{picks} FROM events WHERE {where} "
        "ORDER BY person_id, timestamp, uuid",
        "a funnel",
    )
    out: dict[str, tuple[list[Event], list[str]]] = {}
    for row in found:
        at = instant(row["timestamp"])
        if at is None:
            continue
        events, values = out.setdefault(str(row["person_id"]), ([], [MISSING] * len(bds)))
        matched = [i for i in range(len(steps)) if row[f"s{i}"]]
        events.append(Event(at, matched, tuple(k for k in guards if row[f"x{k}"])))
        for i in range(len(bds)):
            if values[i] == MISSING:
                values[i] = _value(row[f"bd{i}"])
    return out


@dataclass
class _Run:
    """A run of a funnel: when it entered, its step times, whether an exclusion hit it."""

    entry: datetime
    times: list[datetime]
    excluded: bool = False


def _walk(events: list[Event], steps: int, limit: timedelta, strict: bool) -> list[datetime] | None:
    """Rules 2–4 for one person: the step times of their furthest run; None when they never
    did step 1 or an exclusion took their furthest run out (PH:funnel-udf/src/steps.rs
    ``process_event``: exclusions first, then the steps from the last down)."""
    entered: list[_Run | None] = [None] * (steps + 1)
    best: _Run | None = None
    for at, matched, guarded in events:
        entered[0] = _Run(at, [])
        for k in sorted(guarded, reverse=True):  # an exclusion between step k and k+1
            run = entered[k]
            if run is None or at - run.entry > limit or run.excluded:
                continue
            done = entered[k + 1]
            if done is not None and done.entry == run.entry:
                continue  # this run is past step k+1 already
            run.excluded = True
            if best is not None and len(best.times) == k and at - best.entry <= limit:
                best.excluded = True
        for step in sorted((s + 1 for s in matched), reverse=True):
            before, current = entered[step - 1], entered[step]
            if before is None or at - before.entry > limit:
                continue
            if current is not None and current.entry == before.entry:
                continue  # this run already reached the step
            run = _Run(before.entry, [*before.times, at], before.excluded)
            if not before.excluded:
                entered[step] = run
            if (
                best is None
                or step > len(best.times)
                or (step == len(best.times) and best.excluded)
            ):
                best = _Run(run.entry, run.times, run.excluded)  # a copy, as the UDF clones
        for step in range(1, steps + 1) if strict else ():  # any other event breaks runs
            if step - 1 not in matched:
                entered[step] = None
        if entered[steps] is not None:
            break
    if best is None or best.excluded:
        return None
    return best.times


def _ordered_walk(events: list[Event], steps: int, limit: timedelta) -> list[datetime] | None:
    """Rule 2 (with Rule 4) for one person."""
    return _walk(events, steps, limit, strict=False)


def _strict_walk(events: list[Event], steps: int, limit: timedelta) -> list[datetime] | None:
    """Rule 3 (with Rule 4) for one person."""
    return _walk(events, steps, limit, strict=True)


def _unordered_walk(events: list[Event], steps: int, limit: timedelta) -> list[datetime] | None:
    """Rule 5 for one person: the sorted first times of the most steps seen in one window."""
    queues: list[deque[datetime]] = [deque() for _ in range(steps)]
    best: list[datetime] = []
    for at, matched, _ in events:
        if not matched:
            continue
        # an event that is several steps fills the first of them: PostHog's ``min_by_key``
        # ranks every step alike (its key block returns ``()``), so the first one wins
        queues[matched[0]].append(at)
        for queue in queues:
            while queue and at - queue[0] > limit:
                queue.popleft()
        if sum(1 for q in queues if q) > len(best):
            best = sorted(q[0] for q in queues if q)
    return best or None


Walk = Callable[[list[Event], int, timedelta], list[datetime] | None]
Order = Callable[[EventsDB, dict[str, Any], list[dict[str, Any]]], list[Entrant]]


class Read(NamedTuple):
    """Which events an order walks: every event of the person or only step (and exclusion)
    events, and whether exclusion events are read at all."""

    every_event: bool
    exclusions: bool


def _walked(walk: Walk, read: Read) -> Order:
    def entrants(db: EventsDB, query: dict[str, Any], series: list[Any]) -> list[Entrant]:
        limit = span(*window(query))
        out = []
        for pid, (events, values) in _streams(db, query, series, read).items():
            times = walk(events, len(series), limit)
            if times:
                padded: list[datetime | None] = [*times, *[None] * (len(series) - len(times))]
                out.append(Entrant(pid, padded, values))
        return out

    return entrants


# PostHog's unordered UDF skips exclusion events (PH:funnel-udf/src/unordered_steps.rs
# ``process_event``), so they are not read for it
ORDERS: dict[str, Order] = {
    "ordered": _walked(_ordered_walk, Read(every_event=False, exclusions=True)),
    "strict": _walked(_strict_walk, Read(every_event=True, exclusions=True)),
    "unordered": _walked(_unordered_walk, Read(every_event=False, exclusions=False)),
}


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
