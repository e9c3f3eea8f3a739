"""Query kinds: one entry per kind in ``QUERY_KINDS``, looked up, never branched on.

Rule 1: an entry says how to tidy the kind's answer into a frame (``frame``), how to chart
that frame (``chart``: a chart style the widgets draw, None for a table only) and how to
find the people behind one of its numbers (``actors``: the point's keywords → PostHog's
``ActorsQuery``, None when the kind has no actors).
Rule 2: a wrapper (``InsightVizNode``, ``DataVisualizationNode``, ``DataTableNode``) is an
entry with ``wraps`` naming the key of the query it wraps; ``query_kind`` follows it, so the
wrapper answers as its source does.
Rule 3: a kind without an entry is answered by its shape: ``types`` in the answer means a
HogQL-shaped table (``HOGQL``), anything else its ``results`` as sent (``RAW``).

To add a query kind: write its ``frame`` (and ``actors``) in a module of this package and add
one entry to ``QUERY_KINDS`` (the sandbox has its own table of engines).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .._core.models import allowed_values
from .frames import hogql_frame, other_frame, trends_frame

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

    frame: Callable[[dict[str, Any]], pd.DataFrame]
    chart: ChartStyle | None = ChartStyle.COLUMNS
    actors: Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]] | None = None
    wraps: str | None = None


def insight_actors(query: dict[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """PostHog's ``ActorsQuery`` over ``InsightActorsQuery``: the people behind one point of
    an insight (``day``, ``series``, ``breakdown``, ``status``… as the kind takes them)."""
    source = {"kind": "InsightActorsQuery", "source": query, **point}
    return {"kind": "ActorsQuery", "source": source}


HOGQL = QueryKind(frame=hogql_frame)
RAW = QueryKind(frame=other_frame, chart=None)

QUERY_KINDS: dict[str, QueryKind] = {
    "HogQLQuery": HOGQL,
    "TrendsQuery": QueryKind(frame=trends_frame, chart=ChartStyle.SERIES, actors=insight_actors),
}

# PostHog AI's own query kinds and the query-API kinds its web app sends in their place.
ASSISTANT_KINDS = {
    "AssistantHogQLQuery": "HogQLQuery",
    "AssistantTrendsQuery": "TrendsQuery",
    "AssistantFunnelsQuery": "FunnelsQuery",
    "AssistantRetentionQuery": "RetentionQuery",
}


def query_kind(query: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> QueryKind:
    """The entry for ``query`` (through wrappers, Rule 2), or by the answer's shape (Rule 3)."""
    found = QUERY_KINDS.get(str(query.get("kind")))
    if found is not None and found.wraps is not None:
        inner = query.get(found.wraps)
        if isinstance(inner, Mapping):
            return query_kind(inner, raw)
    if found is not None:
        return found
    return HOGQL if raw is not None and "types" in raw else RAW
