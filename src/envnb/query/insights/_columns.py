"""What every insight frame shares: breakdown levels as columns, series names, typed frames.

Rule 1: one column per breakdown level, never a merged label. A query with one breakdown (or
none) has ``breakdown_value``; with several (``breakdownFilter.breakdowns``) one column per
level, named after its property (``$browser``, ``$os``), ``breakdown_<n>`` when it names none.
Rule 2: a frame's columns and dtypes depend on the query only, never on the rows: an empty
answer has the same columns as a full one.
Rule 3: PostHog's sentinels for a missing value and for the grouped rest read ``None`` and
``Other`` (PH:posthog/hogql_queries/insights/trends/breakdown.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..._core.framing import DATETIME, Column, frame_from_records

if TYPE_CHECKING:
    import pandas as pd

BREAKDOWN_LABELS = {
    "$$_posthog_breakdown_null_$$": "None",
    "$$_posthog_breakdown_other_$$": "Other",
}
# Column names a breakdown property may not take (they are the frames' own).
_RESERVED = frozenset(
    {
        "date",
        "series",
        "series_index",
        "math",
        "compare",
        "status",
        "value",
        "interval",
        "step",
        "step_name",
        "count",
        "conversion_rate",
        "dropped",
        "cohort",
        "cohort_size",
        "retention_rate",
        "source",
        "target",
    }
)


def breakdown_names(query: dict[str, Any]) -> list[str]:
    """The frame's breakdown columns for this query (Rule 1)."""
    spec = query.get("breakdownFilter")
    levels = spec.get("breakdowns") if isinstance(spec, dict) else None
    if not isinstance(levels, list) or len(levels) < 2:
        return ["breakdown_value"]
    names: list[str] = []
    for index, level in enumerate(levels, start=1):
        prop = level.get("property") if isinstance(level, dict) else None
        name = str(prop) if prop not in (None, "") else f"breakdown_{index}"
        if name in _RESERVED:
            name = f"breakdown_{name}"
        while name in names:  # the same property twice (event and person): keep both
            name = f"{name}_{index}"
        names.append(name)
    return names


NULL = "$$_posthog_breakdown_null_$$"
# PostHog's funnels send a missing breakdown value as '' rather than the null sentinel
# (PH:posthog/hogql_queries/insights/funnels/funnels_query_runner.py); they read it as None too
FUNNEL_NULL = ""


def label(value: Any, null: str = NULL) -> str | None:
    """One breakdown value as text (Rule 3); ``null`` is how this kind sends a missing one."""
    if value is None:
        return None
    if str(value) == null:
        return "None"
    return BREAKDOWN_LABELS.get(str(value), str(value))


def sentinel(text: str, null: str = NULL) -> str:
    """The value PostHog knows for a label a frame shows: ``None`` and ``Other`` are its
    sentinels again (Rule 3 backwards), so a point read off a frame finds its people."""
    if text == "None":
        return null
    return {shown: raw for raw, shown in BREAKDOWN_LABELS.items()}.get(text, text)


def breakdown_cells(value: Any, names: Sequence[str], null: str = NULL) -> dict[str, str | None]:
    """A result's ``breakdown_value`` spread over the breakdown columns.

    A list is one value per level (PostHog sends lists for several breakdowns, and funnels
    send a one-item list for one); a single column with a list of several joins them,
    so an answer shaped unlike its query still shows every level."""
    if isinstance(value, list):
        if len(names) == 1:
            parts = [label(v, null) for v in value]
            if not parts:
                return {names[0]: None}
            return {names[0]: ", ".join(p or "None" for p in parts) if len(parts) > 1 else parts[0]}
        cells = [label(v, null) for v in value] + [None] * len(names)
        return dict(zip(names, cells, strict=False))
    return {name: label(value, null) if i == 0 else None for i, name in enumerate(names)}


def breakdown_columns(names: Sequence[str]) -> list[Column]:
    """String columns for the breakdown levels."""
    return [Column(name, "string") for name in names]


def series_name(item: dict[str, Any]) -> str:
    """A series' name: its custom name, its event/action, else PostHog's label."""
    found = item.get("action")
    action: dict[str, Any] = found if isinstance(found, dict) else {}
    for candidate in (action.get("custom_name"), action.get("name"), item.get("label")):
        if candidate:
            return str(candidate)
    return "All events" if action.get("id") is None else str(action["id"])


def series_facts(item: dict[str, Any]) -> dict[str, Any]:
    """``series``, ``series_index`` and ``math``: two series of one event with different
    math (``total`` and ``dau``) stay two series (PostHog's ``action.order``/``action.math``,
    PH:posthog/hogql_queries/insights/trends/trends_query_runner.py build_series_response)."""
    found = item.get("action")
    action: dict[str, Any] = found if isinstance(found, dict) else {}
    order = action.get("order")
    return {
        "series": series_name(item),
        "series_index": order if isinstance(order, int) else None,
        "math": action.get("math") or ("total" if action else None),
    }


SERIES_COLUMNS = (
    Column("series", "string"),
    Column("series_index", "Int64"),
    Column("math", "string"),
)
DATE = Column("date", DATETIME)


def build(records: Iterable[dict[str, Any]], columns: Sequence[Column]) -> pd.DataFrame:
    """A typed frame of exactly these columns (Rule 2)."""
    return frame_from_records(list(records), columns)


def rate(part: Any, whole: Any) -> float | None:
    """part / whole, None when either is missing or whole is 0."""
    if not isinstance(part, int | float) or not isinstance(whole, int | float) or not whole:
        return None
    return float(part) / float(whole)


def list_of_dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts of a list (PostHog's ``results``), skipping anything else."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
