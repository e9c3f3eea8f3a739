"""FunnelsQuery answers as tidy frames, one per ``funnelsFilter.funnelVizType``.

PostHog's shapes (PH:posthog/hogql_queries/insights/funnels/funnel.py, funnel_trends.py,
funnel_time_to_convert.py; PH:frontend/src/queries/schema/schema-general.ts):
- ``steps`` (default): ``results`` is the list of steps ``{order, name, custom_name, count,
  average_conversion_time, median_conversion_time, breakdown_value?}``; with a breakdown it is a
  list of such lists, one per breakdown value, each step's ``breakdown_value`` a list (one item
  per breakdown level).
- ``trends``: series like trends, ``data`` the conversion rate per entrance period in percent.
- ``time_to_convert``: ``{bins: [[seconds, people], …], average_conversion_time}``.

Rule 1: ``conversion_rate`` is a fraction of the first step's count (0…1), in every view;
``dropped`` is how many of the previous step did not reach this one (0 for the first step).
Rule 2: times are seconds, as PostHog sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..._core.framing import Column
from ._columns import (
    DATE,
    FUNNEL_NULL,
    breakdown_cells,
    breakdown_columns,
    breakdown_names,
    build,
    list_of_dicts,
    rate,
)

if TYPE_CHECKING:
    import pandas as pd

STEP_COLUMNS = (
    Column("step", "Int64"),
    Column("step_name", "string"),
    Column("count", "Int64"),
    Column("conversion_rate", "Float64"),
    Column("dropped", "Int64"),
    Column("median_conversion_time", "Float64"),
    Column("average_conversion_time", "Float64"),
)


def _step_name(step: dict[str, Any]) -> Any:
    return step.get("custom_name") or step.get("name") or step.get("action_id")


def steps_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``step, step_name, count, conversion_rate, dropped, median_conversion_time,
    average_conversion_time, breakdown…`` — one row per step (× breakdown value)."""
    names = breakdown_names(query)
    results = raw.get("results")
    nested = isinstance(results, list) and any(isinstance(r, list) for r in results)
    groups = [list_of_dicts(g) for g in results] if nested else [list_of_dicts(results)]  # type: ignore[union-attr]
    records: list[dict[str, Any]] = []
    for steps in groups:
        first = steps[0].get("count") if steps else None
        previous: Any = None
        for index, step in enumerate(steps):
            count = step.get("count")
            order = step.get("order")
            dropped = 0 if index == 0 else None
            if isinstance(previous, int) and isinstance(count, int):
                dropped = previous - count
            records.append(
                {
                    "step": (order + 1) if isinstance(order, int) else index + 1,
                    "step_name": _step_name(step),
                    "count": count,
                    "conversion_rate": rate(count, first),
                    "dropped": dropped,
                    "median_conversion_time": step.get("median_conversion_time"),
                    "average_conversion_time": step.get("average_conversion_time"),
                    **breakdown_cells(step.get("breakdown_value"), names, FUNNEL_NULL),
                }
            )
            previous = count
    return build(records, [*STEP_COLUMNS, *breakdown_columns(names)])


def trends_view_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``date, conversion_rate, breakdown…``: the share of each entrance period that
    converted (PostHog's percent divided by 100, Rule 1)."""
    names = breakdown_names(query)
    records: list[dict[str, Any]] = []
    for item in list_of_dicts(raw.get("results")):
        cells = breakdown_cells(item.get("breakdown_value"), names, FUNNEL_NULL)
        for day, percent in zip(item.get("days") or [], item.get("data") or [], strict=False):
            value = percent / 100 if isinstance(percent, int | float) else None
            records.append({"date": day, "conversion_rate": value, **cells})
    return build(records, [DATE, Column("conversion_rate", "Float64"), *breakdown_columns(names)])


def time_to_convert_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``seconds, count``: people by time to convert (each bin's lower edge, Rule 2);
    ``attrs["average_conversion_time"]`` the mean."""
    results = raw.get("results")
    answer: dict[str, Any] = results if isinstance(results, dict) else {}
    bins = answer.get("bins") if isinstance(answer.get("bins"), list) else []
    records = [
        {"seconds": pair[0], "count": pair[1]}
        for pair in bins or []
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    frame = build(records, [Column("seconds", "Float64"), Column("count", "Int64")])
    frame.attrs["average_conversion_time"] = answer.get("average_conversion_time")
    return frame


VIEWS: dict[str, Callable[[dict[str, Any], dict[str, Any]], pd.DataFrame]] = {
    "steps": steps_frame,
    "trends": trends_view_frame,
    "time_to_convert": time_to_convert_frame,
}


def funnel_view(query: dict[str, Any]) -> str:
    """``funnelsFilter.funnelVizType`` (``steps`` when unset or unknown)."""
    spec = query.get("funnelsFilter")
    view = spec.get("funnelVizType") if isinstance(spec, dict) else None
    return view if isinstance(view, str) and view in VIEWS else "steps"


def funnels_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """The frame of the query's view."""
    return VIEWS[funnel_view(query)](raw, query)
