"""PathsQuery over the seeded events (PH:posthog/hogql_queries/insights/paths_query_runner.py):
the page-to-page links of people's paths.

Rule: each person's ``$pageview`` pathnames in the range, in time order, with repeats of the
same page in a row collapsed, cut at ``stepLimit`` (5) steps; a link ``{n}_{page}`` →
``{n+1}_{page}`` counts the people who took it, ``average_conversion_time`` in milliseconds.
Links are ranked by count and cut at ``edgeLimit`` (50), as PostHog does.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from ..events import EventsDB
from ..trends import _end, _floor, _parse_date
from ._hogql import MAX_ROWS, bad, instant, moment, rows


def run_paths(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """``results``: ``[{source, target, value, average_conversion_time}]``."""
    spec = query.get("pathsFilter") or {}
    if not isinstance(spec, dict):
        raise bad("pathsFilter must be an object")
    kinds = spec.get("includeEventTypes") or ["$pageview"]
    if kinds != ["$pageview"]:
        raise bad("pathsFilter.includeEventTypes: the sandbox follows $pageview paths only")
    if spec.get("startPoint") or spec.get("endPoint"):
        raise bad("pathsFilter.startPoint/endPoint: not emulated by the sandbox")
    steps = int(spec.get("stepLimit") or 5)
    edges = int(spec.get("edgeLimit") or 50)
    now = db.now()
    date_range = query.get("dateRange") or {}
    start = _floor(_parse_date(date_range.get("date_from") or "-7d", now, "date_from"), "day")
    end = _end(date_range.get("date_to"), now, "day")
    found = rows(
        db,
        "SELECT person_id, properties.$pathname AS page, timestamp FROM events "
        f"WHERE event = '$pageview' AND timestamp >= {moment(start)} "
        f"AND timestamp <= {moment(end)} ORDER BY person_id, timestamp",
    )
    if len(found) >= MAX_ROWS:
        raise bad("dateRange: too many pageviews for the sandbox's paths; pick a shorter range")
    paths: dict[str, list[tuple[str, datetime]]] = {}
    for row in found:
        path = paths.setdefault(str(row["person_id"]), [])
        at = instant(row["timestamp"])
        if row["page"] is None or at is None or (path and path[-1][0] == row["page"]):
            continue
        if len(path) < steps:
            path.append((str(row["page"]), at))
    links: dict[tuple[str, str], list[float]] = {}
    for path in paths.values():
        for n, ((a, at), (b, bt)) in enumerate(pairwise(path), start=1):
            links.setdefault((f"{n}_{a}", f"{n + 1}_{b}"), []).append(
                (bt - at).total_seconds() * 1000
            )
    ranked = sorted(links.items(), key=lambda item: (-len(item[1]), item[0]))[:edges]
    return {
        "results": [
            {
                "source": s,
                "target": t,
                "value": len(times),
                "average_conversion_time": sum(times) / len(times),
            }
            for (s, t), times in ranked
        ]
    }
