"""PathsQuery answers: one row per link between two steps of a path.

PostHog's shape (PH:posthog/hogql_queries/insights/paths_query_runner.py): ``results`` is a
list of ``{source, target, value, average_conversion_time}``; ``source`` and ``target`` carry
the step number as a prefix before the page's URL (``1_https://example.com/pricing`` →
``2_https://example.com/signup``: a pageview's ``$current_url``), kept as PostHog sends them, and
``average_conversion_time`` is in milliseconds. Rows are ranked by ``value``, largest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._core.framing import Column
from ._columns import build, list_of_dicts

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = (
    Column("source", "string"),
    Column("target", "string"),
    Column("value", "Int64"),
    Column("average_conversion_time", "Float64"),
)


def paths_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """``source, target, value, average_conversion_time``, ranked by value."""
    frame = build(list_of_dicts(raw.get("results")), COLUMNS)
    return frame.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
