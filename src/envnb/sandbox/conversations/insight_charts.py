"""Insight questions for the responder: funnels, retention, lifecycle, stickiness and paths.

"Where do users drop off between sign-up and purchase?" becomes an ``ai/viz`` whose
``answer`` is a FunnelsQuery of the events the question names, in the order it names them;
"do visitors come back?" a RetentionQuery; and so on. ``KINDS`` is the table of questions:
the first whose pattern matches answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .charts import _EVENTS, Chart


def _events(low: str) -> list[tuple[str, str]]:
    """The events a question names, in the order it names them (each once)."""
    found: list[tuple[int, str, str]] = []
    for pattern, event, noun in _EVENTS:
        hit = re.search(rf"\b(?:{pattern})\b", low)
        if hit:
            found.append((hit.start(), event, noun))
    return [(event, noun) for _, event, noun in sorted(found)]


def _node(event: str) -> dict[str, Any]:
    return {"kind": "EventsNode", "event": event, "name": event}


def funnel(low: str) -> Chart:
    """The steps the question names (sign-up → purchase when it names fewer than two)."""
    steps = _events(low)
    if len(steps) < 2:
        steps = [("signed_up", "sign-ups"), ("purchase", "purchases")]
    query = {
        "kind": "FunnelsQuery",
        "series": [_node(event) for event, _ in steps],
        "dateRange": {"date_from": "-30d"},
        "funnelsFilter": {"funnelWindowInterval": 14, "funnelWindowIntervalUnit": "day"},
    }
    names = " → ".join(noun for _, noun in steps)
    plan = (
        f"Funnel steps: {', '.join(e for e, _ in steps)}; conversion window 14 days; last 30 days"
    )
    return Chart(f"Funnel: {names}, last 30 days", plan, query)


def retention(low: str) -> Chart:
    """Weekly retention (daily when asked) of the event the question names (pageviews)."""
    event, noun = (_events(low) or [("$pageview", "pageviews")])[0]
    period = "Day" if re.search(r"\bdaily\b|\bday\b|\bdays\b", low) else "Week"
    entity = {"id": event, "type": "events", "name": event}
    query = {
        "kind": "RetentionQuery",
        "retentionFilter": {
            "period": period,
            "totalIntervals": 8,
            "targetEntity": entity,
            "returningEntity": entity,
            "retentionType": "retention_first_time",
        },
    }
    plan = f"Retention of people doing {event}, first time, by {period.lower()}, 8 periods"
    return Chart(f"{period}ly retention of {noun}".replace("Dayly", "Daily"), plan, query)


def lifecycle(low: str) -> Chart:
    """New, returning, resurrecting and dormant people doing the event (pageviews)."""
    event, noun = (_events(low) or [("$pageview", "pageviews")])[0]
    query = {"kind": "LifecycleQuery", "series": [_node(event)], "dateRange": {"date_from": "-14d"}}
    return Chart(f"Lifecycle of people with {noun}, last 14 days", f"Lifecycle of {event}", query)


def stickiness(low: str) -> Chart:
    """On how many days of a week people do the event (pageviews)."""
    event, noun = (_events(low) or [("$pageview", "pageviews")])[0]
    query = {"kind": "StickinessQuery", "series": [_node(event)], "dateRange": {"date_from": "-7d"}}
    return Chart(f"Stickiness of {noun}, last 7 days", f"Stickiness of {event}", query)


def paths(low: str) -> Chart:
    """The most taken page-to-page paths of the last 3 days."""
    query = {
        "kind": "PathsQuery",
        "pathsFilter": {"stepLimit": 5},
        "dateRange": {"date_from": "-3d"},
    }
    return Chart("Top page paths, last 3 days", "Pageview paths, 5 steps, last 3 days", query)


KINDS: tuple[tuple[str, Callable[[str], Chart]], ...] = (
    (r"\bfunnels?\b|\bdrop(?:s|ped)?[ -]?offs?\b|\bconver(?:t|ts|sion)\b", funnel),
    (
        r"\bretention\b|\bretain\w*|\bcome back\b|\bcoming back\b|\breturn(?:s|ing)? users\b",
        retention,
    ),
    (r"\blifecycle\b|\bdormant\b|\bresurrect\w*", lifecycle),
    (r"\bstick(?:y|iness)\b|\bhow many days\b", stickiness),
    (r"\bpaths?\b|\bjourneys?\b|\bnavigat\w*", paths),
)


def insight_for(content: str) -> Chart | None:
    """The insight a question asks for, or None."""
    low = content.lower()
    for pattern, build in KINDS:
        if re.search(pattern, low):
            return build(low)
    return None
