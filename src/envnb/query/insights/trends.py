"""TrendsQuery answers as tidy frames: one row per series × breakdown × bucket.

PostHog's shape (PH:posthog/hogql_queries/insights/trends/trends_query_runner.py,
``build_series_response``): ``results`` holds one object per series and breakdown value, with
``data`` (a number per bucket), ``days`` (ISO dates), ``label``, ``action`` (``order`` = the
series' index in the query, ``math``) and ``breakdown_value`` (a list with several
breakdowns). Aggregated displays put the total in ``aggregated_value`` with empty ``data``.
With ``compareFilter.compare`` every series comes twice, ``compare_label`` ``current`` and
``previous``, the previous one dated by the previous period's own days: the frame keeps those
dates and marks the rows in a ``compare`` column instead of running them on as more days of
the same line. Formula results have no ``action``: their ``series`` is the formula's label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._core.framing import Column
from ._columns import (
    DATE,
    SERIES_COLUMNS,
    breakdown_cells,
    breakdown_columns,
    breakdown_names,
    build,
    list_of_dicts,
    series_facts,
)

if TYPE_CHECKING:
    import pandas as pd

VALUE = Column("value", "Float64")
COMPARE = Column("compare", "string")


def compares(query: dict[str, Any]) -> bool:
    """True when the query compares with a previous period (the frame has ``compare``)."""
    spec = query.get("compareFilter")
    return isinstance(spec, dict) and spec.get("compare") is True


def series_frame(
    raw: dict[str, Any], query: dict[str, Any], first: Column, extra: tuple[Column, ...] = ()
) -> pd.DataFrame:
    """The rows of series-shaped answers (trends, stickiness, lifecycle): ``first`` is the
    bucket column (``date`` or ``interval``), ``extra`` columns read from each series."""
    names = breakdown_names(query)
    compare = (COMPARE,) if compares(query) else ()
    columns = [first, *SERIES_COLUMNS, *extra, *compare, *breakdown_columns(names), VALUE]
    records: list[dict[str, Any]] = []
    for item in list_of_dicts(raw.get("results")):
        base = series_facts(item)
        base.update({col.name: item.get(col.name) for col in extra})
        if compare:
            base["compare"] = item.get("compare_label")
        base.update(breakdown_cells(item.get("breakdown_value"), names))
        if "aggregated_value" in item and not item.get("data"):
            records.append({**base, first.name: None, "value": item.get("aggregated_value")})
            continue
        for bucket, number in zip(item.get("days") or [], item.get("data") or [], strict=False):
            records.append({**base, first.name: bucket, "value": number})
    return build(records, columns)


def trends_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``date, series, series_index, math, [compare], breakdown…, value``."""
    return series_frame(raw, query, DATE)
