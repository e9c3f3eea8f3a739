"""Every insight kind as data: its tidy frame, and the people behind its numbers.

``FRAMES`` maps a query kind to the function that turns PostHog's answer into a tidy frame
(``frame(raw, query)``); ``WRAPPERS`` are the kinds that only carry another query in
``source`` (PostHog runs the source: PH:posthog/api/services/query.py), so their frame is
their source's. Adding a kind is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .actors import ActorsPlan, actor_rows, actors_frame, actors_plan, actors_query_frame
from .funnels import funnels_frame
from .lifecycle import lifecycle_frame
from .paths import paths_frame
from .retention import retention_frame
from .stickiness import stickiness_frame
from .trends import trends_frame

if TYPE_CHECKING:
    import pandas as pd

FrameRule = Callable[[dict[str, Any], dict[str, Any]], "pd.DataFrame"]
FRAMES: dict[str, FrameRule] = {
    "TrendsQuery": trends_frame,
    "FunnelsQuery": funnels_frame,
    "RetentionQuery": retention_frame,
    "PathsQuery": paths_frame,
    "StickinessQuery": stickiness_frame,
    "LifecycleQuery": lifecycle_frame,
    "ActorsQuery": actors_query_frame,
}
WRAPPERS = ("InsightVizNode", "DataVisualizationNode", "DataTableNode")


def source_of(query: dict[str, Any]) -> dict[str, Any]:
    """The query a wrapper carries (wrappers may nest); any other query itself."""
    seen = 0
    while query.get("kind") in WRAPPERS and isinstance(query.get("source"), dict) and seen < 8:
        query, seen = query["source"], seen + 1
    return query


def insight_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame | None:
    """The tidy frame of an insight kind's answer; None for kinds not in ``FRAMES``."""
    inner = source_of(query)
    rule = FRAMES.get(str(inner.get("kind")))
    return None if rule is None else rule(raw, inner)


__all__ = [
    "FRAMES",
    "WRAPPERS",
    "ActorsPlan",
    "actor_rows",
    "actors_frame",
    "actors_plan",
    "insight_frame",
    "source_of",
]
