"""``{filters}`` in a HogQLQuery, filled as PostHog fills it (PH:posthog/hogql/filters.py,
``ReplaceFilters``; its tests in posthog/hogql/test/test_filters.py).

Rules:
1. Without ``filters`` (absent or ``{}``) the placeholder is ``true``.
2. ``{filters}`` may stand only in a SELECT from ``events`` or ``sessions`` (PostHog also
   knows logs, traces and groups, which the sandbox has no data for); elsewhere PostHog's
   refusal, filters or not.
3. With filters, the placeholder is the AND of: the property filters (event properties),
   the upper bound, the lower bound — on ``timestamp`` (events) or ``$start_timestamp``
   (sessions).
4. ``date_from``: a day-or-coarser relative value (``-7d``, ``mStart``) starts at midnight;
   a sub-day one (``-1h``) and an explicit datetime are exact; ``all`` is no bound.
5. ``date_to``: missing means the end of today when a day-level ``date_from`` is in use (no
   bound otherwise); a date or a day-level relative value means the end of that day, compared
   with ``<=``; an explicit datetime or a sub-day value is exact, compared with ``<``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .hogql_errors import HogQLError
from .hogql_parse import parse_expr

Node = dict[str, Any]

_TIMESTAMP = {"events": "timestamp", "sessions": "$start_timestamp"}
_SUB_DAY = re.compile(r"^-\d+h$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NOT_HERE = (
    "Cannot use 'filters' placeholder in a SELECT clause that does not select from the "
    "events, sessions, logs, traces or groups table."
)


def replace_filters(tree: Node, filters: Any, now: datetime) -> Node:
    """``tree`` with every ``{filters}`` replaced (Rules 1–2); other nodes are shared."""
    if filters is not None and not isinstance(filters, dict):
        raise HogQLError("filters must be an object", "invalid_input")
    return _walk(tree, None, filters or {}, now)


def _walk(node: Any, tables: frozenset[str] | None, filters: Node, now: datetime) -> Any:
    if isinstance(node, list):
        return [_walk(item, tables, filters, now) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("node") == "SelectQuery":
        tables = _tables(node.get("select_from"))
    if node.get("node") == "Placeholder" and (node.get("expr") or {}).get("chain") == ["filters"]:
        return _placeholder(tables or frozenset(), filters, now)
    return {key: _walk(value, tables, filters, now) for key, value in node.items()}


def _tables(join: Any) -> frozenset[str]:
    names = set()
    while isinstance(join, dict):
        table = join.get("table") or {}
        if table.get("node") == "Field" and table.get("chain"):
            names.add(str(table["chain"][0]))
        join = join.get("next_join")
    return frozenset(names)


def _placeholder(tables: frozenset[str], filters: Node, now: datetime) -> Node:
    known = [name for name in _TIMESTAMP if name in tables]
    if not known:
        raise HogQLError(_NOT_HERE, "hogql_query_error")
    if not filters:
        return {"node": "Constant", "value": True}
    field = _TIMESTAMP["events" if "events" in tables else "sessions"]
    parts = _properties(filters.get("properties"))
    spec = filters.get("dateRange") or {}
    if not isinstance(spec, dict):
        raise HogQLError("filters.dateRange must be an object", "invalid_input")
    upper = _date_to(spec, now)
    if upper is not None:
        moment, inclusive = upper
        parts.append(f"{field} {'<=' if inclusive else '<'} {_literal(moment)}")
    lower = _date_from(spec.get("date_from"), now)
    if lower is not None:
        parts.append(f"{field} >= {_literal(lower)}")
    if not parts:
        return {"node": "Constant", "value": True}
    return parse_expr(" AND ".join(f"({p})" for p in parts))


def _properties(props: Any) -> list[str]:
    from .insights._hogql import filters  # the insights' reading of property filters

    return filters(props, "filters.properties")


def _date_from(value: Any, now: datetime) -> datetime | None:
    if value is None or value == "all":
        return None
    moment = _parse(value, now, "filters.dateRange.date_from")
    if _SUB_DAY.match(value) or not _relative(value):
        return moment
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _date_to(spec: Node, now: datetime) -> tuple[datetime, bool] | None:
    value, start = spec.get("date_to"), spec.get("date_from")
    if value is None:
        if start is None or start == "all" or (isinstance(start, str) and _SUB_DAY.match(start)):
            return None
        moment = now
    else:
        moment = _parse(value, now, "filters.dateRange.date_to")
        if _SUB_DAY.match(value) or (not _relative(value) and not _DATE_ONLY.match(value)):
            return moment, False
    if spec.get("explicitDate"):
        return moment, False
    return moment.replace(hour=23, minute=59, second=59, microsecond=999999), True


def _relative(value: str) -> bool:
    return value.startswith("-") or value in ("dStart", "mStart", "yStart")


def _parse(value: Any, now: datetime, attr: str) -> datetime:
    from .trends import _parse_date  # PostHog's relative date strings, read once

    return _parse_date(value, now, attr)


def _literal(moment: datetime) -> str:
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"toDateTime('{text}', 'UTC')"
