"""Export-level rules PostHog added to ``BatchExportSerializer`` (contract §12), with its
messages [src: PH:products/batch_exports/backend/presentation/views/batch_export/exports.py,
products/batch_exports/backend/filters.py].
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from envnb.sandbox.query.hogql_errors import HogQLError
from envnb.sandbox.query.hogql_parse import parse_select

from .. import errors

# The filter types PostHog stores and later compiles into the export's query.
FILTER_TYPES = ("event", "hogql", "person")


def same_model(instance: sqlite3.Row | None, model: str | None) -> None:
    """An export keeps its model (contract §12's wording)."""
    if instance is not None and model is not None and model != instance["model"]:
        raise errors.validation(
            "Changing models is not supported. Create a new batch export instead.", "model"
        )


def filters(value: Any) -> Any:
    """``filters``: null or a list of property filter objects of a supported type."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise errors.validation("'filters' should be an array of filters", "filters")
    for item in value:
        if not isinstance(item, dict):
            raise errors.validation("Each filter must be an object", "filters")
        if "data_interval_start" in item or "data_interval_end" in item:
            raise errors.validation(
                "'data_interval_start' and 'data_interval_end' are run attributes and not "
                "'filters'. Trigger a backfill if you wish to manually control which periods "
                "to batch export.",
                "filters",
            )
        if item.get("type") not in FILTER_TYPES:
            shown = ", ".join(repr(kind) for kind in FILTER_TYPES)
            raise errors.validation(f"Each filter must have a 'type' of one of: {shown}", "filters")
    return value


def offsets(data: dict[str, Any], interval: str | None) -> tuple[int | None, int | None]:
    """An explicit ``null`` offset on a daily/weekly export means 0 (PostHog: ``or 0``), not
    "keep the stored one"; ``(None, None)`` where nothing was nulled."""
    if interval not in ("day", "week"):
        return None, None
    day = 0 if interval == "week" and "offset_day" in data and data["offset_day"] is None else None
    hour = 0 if "offset_hour" in data and data["offset_hour"] is None else None
    return day, hour


def events_query(query: str) -> dict[str, Any]:
    """The ``schema`` of an events export's ``hogql_query``: a light stand-in for PostHog's
    checks (``_validate_events_hogql_query``)."""
    text = " ".join(query.split())
    try:
        parse_select(text)  # PostHog's parser: what it cannot parse is refused first
    except HogQLError:
        raise errors.validation("Failed to parse query", "hogql_query") from None
    low = text.lower()
    match = re.match(r"^select\s+(.+?)(?:\s+from\s+(\S+)(.*))?$", low)
    if match is None:
        raise errors.validation("Failed to parse query", "hogql_query")
    if re.search(r"\bunion\b", low):
        raise errors.validation("UNIONs are not supported", "hogql_query")
    if match.group(2) is None:
        raise errors.validation("Query must SELECT FROM events", "hogql_query")
    if match.group(2) != "events":
        raise errors.validation("Query must only SELECT FROM events", "hogql_query")
    if re.search(r"\bjoin\b", match.group(3) or ""):
        raise errors.validation("JOINs are not supported", "hogql_query")
    select = re.match(r"^select\s+(.+?)\s+from\s", text, re.IGNORECASE)
    fields = []
    for part in (select.group(1) if select else "").split(","):
        expr, _, alias = part.strip().partition(" AS ")
        if not alias:
            expr, _, alias = part.strip().partition(" as ")
        fields.append({"expression": expr.strip(), "alias": (alias or expr).strip()})
    return {"fields": fields, "values": {}, "hogql_query": text}
