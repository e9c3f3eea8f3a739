"""FunnelsQuery over the seeded events, in PostHog's shapes (PH:posthog/hogql_queries/insights/
funnels/: funnel_udf.py for steps, funnel_trends_udf.py, funnel_time_to_convert_udf.py).

Rules:
1. Who reached which step, and when, is decided per ``funnelOrderType`` (ordered, strict,
   unordered) in ``funnel_orders.py``; this module counts and shapes.
2. With a breakdown a person's value is first touch (``funnel_orders`` Rule 7); the
   answer is a list of step lists, one per value, ranked as PostHog ranks them (most people
   at the last step first, then at the step before, …), each step's
   ``breakdown_value`` a list with one item per breakdown level.
3. ``exclusions`` (``{event, funnelFromStep, funnelToStep}``, 0-based steps) are checked
   here and applied by the walks (``funnel_orders`` Rule 4); unordered funnels accept only
   exclusions over the whole funnel and then ignore them, as PostHog's UDF does.
4. Unordered steps are named "Completed 1 step", "Completed 2 steps", … with no
   ``action_id`` (PH:funnels/funnel_unordered.py ``_serialize_step``): step k counts the
   people who did any k of the steps.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..events import EventsDB
from ..trends import _buckets, _floor, _label
from ._hogql import bad, breakdown_levels, entity
from .funnel_orders import ORDERS, Entrant, date_range, order_of

__all__ = ["breakdown_props", "entrants", "funnel_actors", "run_funnels"]


def steps_of(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The funnel's steps (its ``series``), checked."""
    series = query.get("series")
    if not isinstance(series, list) or len(series) < 2:
        raise bad("series: a funnel needs at least two steps")
    order_of(query)
    return series


def breakdown_props(query: dict[str, Any]) -> list[str]:
    """The HogQL column of each breakdown level."""
    return breakdown_levels(query)


def entrants(db: EventsDB, query: dict[str, Any]) -> list[Entrant]:
    """Everyone who entered the funnel, with the time they reached each step."""
    series = steps_of(query)
    _check_exclusions(query, len(series))
    people = ORDERS[order_of(query)](db, query, series)
    return sorted(people, key=lambda p: p.person_id)


def _check_exclusions(query: dict[str, Any], steps: int) -> None:
    """``funnelsFilter.exclusions``: objects whose steps are two steps of the funnel in order
    (the walks apply them: ``funnel_orders`` Rule 4)."""
    found = ((query.get("funnelsFilter") or {}).get("exclusions")) or []
    if not isinstance(found, list):
        raise bad("funnelsFilter.exclusions must be a list")
    for i, item in enumerate(found):
        attr = f"funnelsFilter.exclusions[{i}]"
        if not isinstance(item, dict):
            raise bad(f"{attr} must be an object")
        low, high = item.get("funnelFromStep", 0), item.get("funnelToStep", steps - 1)
        if not isinstance(low, int) or not isinstance(high, int) or not 0 <= low < high < steps:
            raise bad(f"{attr}: funnelFromStep < funnelToStep, both steps of the funnel (0-based)")
        entity(item, attr)  # an exclusion the sandbox cannot read is named before any walk


def _groups(people: list[Entrant], levels: int) -> list[tuple[list[str] | None, list[Entrant]]]:
    if not levels:
        return [(None, people)]
    by_value: dict[tuple[str, ...], list[Entrant]] = {}
    for person in people:
        by_value.setdefault(tuple(person.breakdown), []).append(person)

    def rank(value: tuple[str, ...]) -> tuple[Any, ...]:
        # PostHog orders breakdown values by the last step's count, then the one before, …,
        # all descending (PH:funnels/funnel_udf.py ``ORDER BY step_n DESC, …``)
        members = by_value[value]
        steps = len(members[0].times)
        return (*(-sum(p.reached(k) for p in members) for k in range(steps, 0, -1)), value)

    return [(list(v), by_value[v]) for v in sorted(by_value, key=rank)]


def _seconds(people: list[Entrant], step: int) -> list[float]:
    out = []
    for person in people:
        before, at = person.times[step - 2], person.times[step - 1]
        if before is not None and at is not None:
            out.append((at - before).total_seconds())
    return out


def _named(node: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "action_id": node.get("event"),
        "name": node.get("event") or "All events",
        "custom_name": node.get("custom_name"),
    }


def _completed(node: dict[str, Any], index: int) -> dict[str, Any]:
    plural = "s" if index else ""
    return {"action_id": None, "name": f"Completed {index + 1} step{plural}", "custom_name": None}


# How each order names its steps (Rule 4)
NAMES: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
    "ordered": _named,
    "strict": _named,
    "unordered": _completed,
}


def _steps(
    query: dict[str, Any], people: list[Entrant], value: list[str] | None
) -> list[dict[str, Any]]:
    series = steps_of(query)
    naming = NAMES[order_of(query)]
    out = []
    for index, node in enumerate(series):
        times = _seconds(people, index + 1) if index else []
        step: dict[str, Any] = {
            **naming(node, index),
            "order": index,
            "people": [],
            "count": sum(1 for p in people if p.reached(index + 1)),
            "type": "events",
            "average_conversion_time": statistics.fmean(times) if times else None,
            "median_conversion_time": statistics.median(times) if times else None,
        }
        if value is not None:
            step.update(breakdown=value, breakdown_value=value)
        out.append(step)
    return out


def _steps_view(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    levels = len(breakdown_props(query))
    groups = _groups(entrants(db, query), levels)
    if not levels:
        return {"results": _steps(query, groups[0][1], None)}
    return {"results": [_steps(query, members, value) for value, members in groups]}


def _trends_view(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    series = steps_of(query)
    interval = query.get("interval") or "day"
    start, end = date_range(db, query)
    buckets = _buckets(start, end, interval)
    people = entrants(db, query)
    results = []
    for value, members in _groups(people, len(breakdown_props(query))):
        entered: dict[datetime, list[Entrant]] = {b: [] for b in buckets}
        for person in members:
            if person.times[0] is not None:
                entered.setdefault(_floor(person.times[0], interval), []).append(person)
        data = []
        for bucket in buckets:
            group = entered.get(bucket, [])
            done = sum(1 for p in group if p.reached(len(series)))
            data.append(round(100 * done / len(group), 2) if group else 0)
        labels = [_label(b, interval) for b in buckets]
        item: dict[str, Any] = {
            "count": len(buckets),
            "data": data,
            "days": [day for _, day in labels],
            "labels": [text for text, _ in labels],
        }
        if value is not None:
            item["breakdown_value"] = value
        results.append(item)
    return {"results": results}


def _time_to_convert_view(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    series = steps_of(query)
    spec = query.get("funnelsFilter") or {}
    first = int(spec.get("funnelFromStep") or 0)
    to_step = spec.get("funnelToStep")
    last = int(to_step) if to_step is not None else len(series) - 1
    if not 0 <= first < last < len(series):
        raise bad("funnelsFilter.funnelFromStep/funnelToStep must pick two steps in order")
    times = []
    for person in entrants(db, query):
        a, b = person.times[first], person.times[last]
        if a is not None and b is not None:
            times.append((b - a).total_seconds())
    bins: list[list[float]] = []
    if times:
        count = int(spec.get("binCount") or min(max(len(times), 1), 10))
        low, high = min(times), max(times)
        width = max((high - low) / count, 1.0)
        edges = [low + width * i for i in range(count)]
        counts = [0] * count
        for value in times:
            counts[min(int((value - low) // width), count - 1)] += 1
        bins = [[round(edge), n] for edge, n in zip(edges, counts, strict=True)]
    average = statistics.fmean(times) if times else None
    return {"results": {"bins": bins, "average_conversion_time": average}}


VIEWS: dict[str, Callable[[EventsDB, dict[str, Any]], dict[str, Any]]] = {
    "steps": _steps_view,
    "trends": _trends_view,
    "time_to_convert": _time_to_convert_view,
}


def run_funnels(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """A FunnelsQuery's answer for its ``funnelsFilter.funnelVizType``."""
    view = (query.get("funnelsFilter") or {}).get("funnelVizType") or "steps"
    runner = VIEWS.get(view)
    if runner is None:
        raise bad(f"funnelsFilter.funnelVizType {view!r}: one of {', '.join(VIEWS)}")
    return runner(db, query)


def funnel_actors(db: EventsDB, source: dict[str, Any]) -> list[str]:
    """The person ids of a FunnelsActorsQuery: ``funnelStep`` n reached step n; -n reached
    step n-1 and not n; ``funnelStepBreakdown`` keeps one breakdown value."""
    query = source.get("source")
    if not isinstance(query, dict) or query.get("kind") != "FunnelsQuery":
        raise bad("source.source: a FunnelsActorsQuery needs its FunnelsQuery")
    steps = len(steps_of(query))
    step = source.get("funnelStep")
    if not isinstance(step, int) or step == 0 or abs(step) > steps or step == -1:
        raise bad(f"source.funnelStep: 1…{steps}, or -2…-{steps} for people who dropped off")
    wanted = source.get("funnelStepBreakdown")
    if wanted is not None and not isinstance(wanted, list):
        wanted = [wanted]
    out = []
    for person in entrants(db, query):
        if wanted is not None and [str(v) for v in wanted] != person.breakdown:
            continue
        dropped = step < 0 and person.reached(-step - 1) and not person.reached(-step)
        if (step > 0 and person.reached(step)) or dropped:
            out.append(person.person_id)
    return out
