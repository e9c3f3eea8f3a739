"""The sandbox's insight kinds: each a runner over the seeded events, in PostHog's shapes.

``RUNNERS`` maps a query kind to its runner; a wrapper (InsightVizNode,
DataVisualizationNode, DataTableNode) runs its ``source`` as PostHog does
(PH:posthog/api/services/query.py). Adding a kind is one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..events import EventsDB
from ..trends import run_trends
from .actors import run_actors
from .funnels import run_funnels
from .lifecycle import run_lifecycle
from .paths import run_paths
from .retention import run_retention
from .stickiness import run_stickiness

Runner = Callable[[EventsDB, dict[str, Any]], dict[str, Any]]
RUNNERS: dict[str, Runner] = {
    "TrendsQuery": run_trends,
    "FunnelsQuery": run_funnels,
    "RetentionQuery": run_retention,
    "LifecycleQuery": run_lifecycle,
    "StickinessQuery": run_stickiness,
    "PathsQuery": run_paths,
    "ActorsQuery": run_actors,
}
WRAPPERS = ("InsightVizNode", "DataVisualizationNode", "DataTableNode")


def unwrap(query: dict[str, Any]) -> dict[str, Any]:
    """The query a wrapper carries (wrappers may nest); any other query itself."""
    depth = 0
    while query.get("kind") in WRAPPERS and isinstance(query.get("source"), dict) and depth < 8:
        query, depth = query["source"], depth + 1
    return query
