"""Query kinds: one entry per kind in ``QUERY_KINDS``, looked up, never branched on.

Rule 1: an entry says how to tidy the kind's answer into a frame (``frame(raw, query)``),
how to chart that frame (``draw``: its own picture on matplotlib axes; ``view``: an HTML
view instead of a picture; else ``chart``, the generic style the widgets draw)
and how to find the people behind one of its numbers (``actors``: the point's keywords →
the source of PostHog's ``ActorsQuery``, checked first; None when the kind has none;
``actors_from_answer`` when the point is read from the answer, as retention's cohorts are).
Rule 2: a wrapper (``InsightVizNode``, ``DataVisualizationNode``, ``DataTableNode``) is an
entry with ``wraps`` naming the key of the query it wraps; ``query_kind`` follows it, so the
wrapper answers as its source does.
Rule 3: a kind without an entry is answered by its shape: ``types`` in the answer means a
HogQL-shaped table (``HOGQL``), anything else its ``results`` as sent (``RAW``).

To add a query kind: write its ``frame`` (and ``actors`` point rule) in a module under
``insights/`` and add one entry to ``QUERY_KINDS`` (the sandbox has its own table of engines).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .._core.models import allowed_values
from .frames import hogql_frame, other_frame
from .insights.actors import (
    ActorsPlan,
    PointRule,
    actors_body,
    actors_query_frame,
    funnels_point,
    lifecycle_point,
    point_error,
    retention_point,
    stickiness_point,
    trends_point,
)
from .insights.funnels import funnels_frame
from .insights.lifecycle import lifecycle_frame
from .insights.paths import paths_frame
from .insights.retention import retention_frame
from .insights.stickiness import stickiness_frame
from .insights.trends import trends_frame
from .insights.view import (
    Drawing,
    Html,
    funnel_chart,
    lifecycle_chart,
    paths_view,
    retention_view,
    stickiness_chart,
)

if TYPE_CHECKING:
    import pandas as pd


class RefreshMode(StrEnum):
    """PostHog's ``refresh`` modes of ``POST query/`` (None sends none: ``blocking``)."""

    BLOCKING = "blocking"
    ASYNC = "async"
    FORCE_BLOCKING = "force_blocking"
    FORCE_ASYNC = "force_async"
    FORCE_CACHE = "force_cache"
    LAZY_ASYNC = "lazy_async"
    ASYNC_EXCEPT_ON_CACHE_MISS = "async_except_on_cache_miss"


REFRESH_MODES: tuple[str, ...] = allowed_values(RefreshMode)


class ChartStyle(StrEnum):
    """How a tidy frame is drawn (the widgets keep one drawer per style)."""

    SERIES = "series"  # date × value, one line per series/breakdown (bars when aggregated)
    COLUMNS = "columns"  # first column as x, the next numeric columns as y


@dataclass(frozen=True)
class QueryKind:
    """What the client knows of one query kind (see the module's rules)."""

    frame: Callable[[dict[str, Any], dict[str, Any]], pd.DataFrame] = other_frame
    chart: ChartStyle | None = ChartStyle.COLUMNS
    draw: Drawing | None = None
    view: Html | None = None
    actors: PointRule | None = None
    actors_from_answer: bool = False
    wraps: str | None = None


HOGQL = QueryKind(frame=hogql_frame)
RAW = QueryKind()  # Rule 3: ``results`` as sent
WRAPPER = QueryKind(wraps="source")  # PostHog runs the source (PH:posthog/api/services/query.py)

QUERY_KINDS: dict[str, QueryKind] = {
    "HogQLQuery": HOGQL,
    "TrendsQuery": QueryKind(trends_frame, ChartStyle.SERIES, actors=trends_point),
    "FunnelsQuery": QueryKind(funnels_frame, draw=funnel_chart, actors=funnels_point),
    "RetentionQuery": QueryKind(
        retention_frame, view=retention_view, actors=retention_point, actors_from_answer=True
    ),
    "PathsQuery": QueryKind(paths_frame, view=paths_view),
    "StickinessQuery": QueryKind(stickiness_frame, draw=stickiness_chart, actors=stickiness_point),
    "LifecycleQuery": QueryKind(lifecycle_frame, draw=lifecycle_chart, actors=lifecycle_point),
    "ActorsQuery": QueryKind(actors_query_frame),
    "InsightVizNode": WRAPPER,
    "DataVisualizationNode": WRAPPER,
    "DataTableNode": WRAPPER,
}

# PostHog AI's own query kinds and the query-API kinds its web app sends in their place.
ASSISTANT_KINDS = {
    "AssistantHogQLQuery": "HogQLQuery",
    "AssistantTrendsQuery": "TrendsQuery",
    "AssistantFunnelsQuery": "FunnelsQuery",
    "AssistantRetentionQuery": "RetentionQuery",
}
_MAX_NESTING = 8  # wrappers may nest; a deeper chain is not a real query


def source_of(query: dict[str, Any]) -> dict[str, Any]:
    """The query a wrapper carries, through nested wrappers (Rule 2); any other query itself."""
    for _ in range(_MAX_NESTING):
        found = QUERY_KINDS.get(str(query.get("kind")))
        inner = query.get(found.wraps) if found is not None and found.wraps else None
        if not isinstance(inner, dict):
            break
        query = inner
    return query


def query_kind(query: dict[str, Any], raw: Mapping[str, Any] | None = None) -> QueryKind:
    """The entry of ``query``'s kind (through wrappers), or by the answer's shape (Rule 3)."""
    found = QUERY_KINDS.get(str(source_of(query).get("kind")))
    if found is not None and found.wraps is None:
        return found
    return HOGQL if raw is not None and "types" in raw else RAW


def tidy_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """The answer ``raw`` of ``query`` as its kind's tidy frame."""
    return query_kind(query, raw).frame(raw, source_of(query))


def draw(axes: Any, frame: pd.DataFrame, query: dict[str, Any]) -> bool | None:
    """Draw the kind's own picture on ``axes``; None when the kind has none (generic chart)."""
    drawing = query_kind(query).draw
    return None if drawing is None else drawing(axes, frame, source_of(query))


def view_html(frame: pd.DataFrame, query: dict[str, Any]) -> str | None:
    """The kind's HTML view (retention triangle, paths); None when it is drawn as a picture."""
    render = query_kind(query).view
    return None if render is None else render(frame, source_of(query))


def actors_plan(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None = None
) -> ActorsPlan:
    """The ActorsQuery for one point of ``query``; ``frame`` is the insight's tidy frame when
    at hand (days, breakdowns and cohorts are checked on it). RequestValidationError when the
    kind has no actors or the point is wrong, before anything is sent."""
    inner = source_of(query)
    rule = QUERY_KINDS.get(str(inner.get("kind")), RAW).actors
    if rule is None:
        kinds = tuple(k for k, entry in QUERY_KINDS.items() if entry.actors is not None)
        raise point_error(
            "query",
            f"the people behind a number exist for {', '.join(kinds)}; not {inner.get('kind')!r}",
            kinds,
        )
    return actors_body(rule(inner, point, frame))


def needs_answer(query: object) -> bool:
    """True when a point of this query is read from its answer (retention's cohorts)."""
    if not isinstance(query, dict):
        return False
    return QUERY_KINDS.get(str(source_of(query).get("kind")), RAW).actors_from_answer
