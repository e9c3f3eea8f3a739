"""LifecycleQuery answers: new, returning, resurrecting and dormant people per bucket.

PostHog's shape (PH:posthog/hogql_queries/insights/lifecycle_query_runner.py): one series per
status with ``status`` set and ``label`` "<event> - <status>"; dormant counts are negative (the
chart draws them below the axis), kept as PostHog sends them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._core.framing import Column
from ._columns import DATE
from .trends import series_frame

if TYPE_CHECKING:
    import pandas as pd

STATUSES = ("new", "returning", "resurrecting", "dormant")
STATUS = Column("status", "string")


def lifecycle_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``date, series, series_index, math, status, [compare], breakdown…, value``."""
    return series_frame(raw, query, DATE, (STATUS,))
