"""StickinessQuery answers: how many people did the event on exactly N intervals.

PostHog's shape (PH:posthog/hogql_queries/insights/stickiness_query_runner.py): series like
trends, whose ``days`` are the interval counts 1…N (``labels`` "1 day", "2 days", …) and
``data`` the number of people active on exactly that many.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._core.framing import Column
from .trends import series_frame

if TYPE_CHECKING:
    import pandas as pd

INTERVAL = Column("interval", "Int64")


def stickiness_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``interval, series, series_index, math, [compare], breakdown…, value``."""
    return series_frame(raw, query, INTERVAL)
