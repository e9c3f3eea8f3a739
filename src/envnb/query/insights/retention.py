"""RetentionQuery answers: one row per cohort × interval.

PostHog's shape (PH:posthog/hogql_queries/insights/retention_query_runner.py): ``results`` is
one object per cohort ``{date, label, values: [{count, label}, …], breakdown_value?}``; the
first value is the cohort itself (everyone who did the start event in that period), later
ones how many of them came back N intervals on, so later cohorts have fewer values (the
triangle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._core.framing import DATETIME, Column
from ._columns import (
    breakdown_cells,
    breakdown_columns,
    breakdown_names,
    build,
    list_of_dicts,
    rate,
)

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = (
    Column("cohort", DATETIME),
    Column("interval", "Int64"),
    Column("count", "Int64"),
    Column("cohort_size", "Int64"),
    Column("retention_rate", "Float64"),
)


def retention_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``cohort, interval, count, cohort_size, retention_rate, breakdown…``."""
    names = breakdown_names(query)
    records: list[dict[str, Any]] = []
    for cohort in list_of_dicts(raw.get("results")):
        values = list_of_dicts(cohort.get("values"))
        size = values[0].get("count") if values else None
        cells = breakdown_cells(cohort.get("breakdown_value"), names)
        for interval, value in enumerate(values):
            count = value.get("count")
            records.append(
                {
                    "cohort": cohort.get("date"),
                    "interval": interval,
                    "count": count,
                    "cohort_size": size,
                    "retention_rate": rate(count, size),
                    **cells,
                }
            )
    return build(records, [*COLUMNS, *breakdown_columns(names)])
