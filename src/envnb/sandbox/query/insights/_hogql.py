"""What the sandbox's insight runners share: HogQL text built from query objects, run by the
sandbox's HogQL engine, as PostHog's runners build HogQL and hand it to theirs
(PH:posthog/hogql_queries/insights/).

Rule 1: every value a query object carries reaches HogQL as a quoted literal; property
names are checked against a plain-name pattern before they become ``properties.<name>``.
Rule 2: anything the sandbox does not emulate is a 400 naming the field, never a silently
different number.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..events import EventsDB
from ..hogql import HogQLError, run_hogql

MAX_ROWS = 50_000  # PostHog's largest explicit LIMIT
_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
UNITS = {
    "second": "SECOND",
    "minute": "MINUTE",
    "hour": "HOUR",
    "day": "DAY",
    "week": "WEEK",
    "month": "MONTH",
}


def bad(message: str) -> HogQLError:
    """A 400 for a query object the sandbox cannot read (Rule 2)."""
    return HogQLError(message, "invalid_input")


# Fields PostHog's schema does not give a kind. Its query models forbid extra fields, so
# PostHog answers them with a 400 ("Extra inputs are not permitted"); so does the sandbox,
# rather than ignore them (PH:frontend/src/queries/schema/schema-general.ts: LifecycleQuery
# has neither, StickinessQuery has compareFilter only, RetentionQuery breakdownFilter only).
ABSENT: dict[str, tuple[str, ...]] = {
    "LifecycleQuery": ("breakdownFilter", "compareFilter"),
    "StickinessQuery": ("breakdownFilter",),
    "RetentionQuery": ("compareFilter",),
    "PathsQuery": ("breakdownFilter", "compareFilter"),
}


def absent_fields(query: dict[str, Any]) -> None:
    """Refuse the fields PostHog's schema does not have on the query's kind."""
    kind = str(query.get("kind"))
    for name in ABSENT.get(kind, ()):
        if query.get(name) is not None:
            raise bad(f"{name}: Extra inputs are not permitted (PostHog's {kind} has no {name})")


def quote(value: Any) -> str:
    """A HogQL string literal (Rule 1)."""
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def moment(value: datetime) -> str:
    """A UTC instant as HogQL."""
    return f"toDateTime({quote(value.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S.%f'))})"


def prop(name: Any, attr: str, alias: str = "") -> str:
    """``properties.<name>`` of the events table (or of ``alias``)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise bad(
            f"{attr}: the sandbox reads plain property names such as '$browser'; got {name!r}"
        )
    return f"{alias}properties.{name}"


# Where a property of each type (a breakdown's ``breakdown_type``, a filter's ``type``) is
# read. A person property is the person's current value (``person.properties``), as PostHog
# reads it with persons-on-events off; PostHog's other types (group, session, cohort,
# hogql…) are refused by name.
PROPERTY_SOURCES = {"event": "properties", "person": "person.properties"}


def breakdown_column(name: Any, kind: Any, attr: str) -> str:
    """HogQL of one breakdown level: ``properties.<name>`` or ``person.properties.<name>``."""
    source = PROPERTY_SOURCES.get(kind or "event")
    if source is None:
        raise bad(
            f"{attr}.breakdown_type {kind!r}: the sandbox breaks down by "
            f"{' or '.join(PROPERTY_SOURCES)} properties"
        )
    prop(name, f"{attr}.breakdown")  # the name check (Rule 1)
    return f"{source}.{name}"


def breakdown_levels(query: dict[str, Any]) -> list[str]:
    """The HogQL column of each breakdown level of ``breakdownFilter`` (``breakdown`` with
    ``breakdown_type``, or the list ``breakdowns`` of ``{property, type}``)."""
    spec = query.get("breakdownFilter") or {}
    if not isinstance(spec, dict):
        raise bad("breakdownFilter must be an object")
    if spec.get("breakdown") is not None:
        levels = [(spec["breakdown"], spec.get("breakdown_type"))]
    else:
        found = spec.get("breakdowns") or []
        if not isinstance(found, list) or not all(isinstance(level, dict) for level in found):
            raise bad("breakdownFilter.breakdowns must be a list of {property, type} objects")
        levels = [(level.get("property"), level.get("type")) for level in found]
    return [breakdown_column(name, kind, "breakdownFilter") for name, kind in levels]


def _filter(item: Any, attr: str, alias: str) -> str:
    if not isinstance(item, dict):
        raise bad(f"{attr} must be an object")
    source = PROPERTY_SOURCES.get(item.get("type") or "event")
    if source is None:
        raise bad(
            f"{attr}.type {item.get('type')!r}: the sandbox filters on "
            f"{' or '.join(PROPERTY_SOURCES)} properties"
        )
    prop(item.get("key"), f"{attr}.key")  # the name check (Rule 1)
    column = f"{alias}{source}.{item['key']}"
    op = item.get("operator") or "exact"
    value = item.get("value")
    values = value if isinstance(value, list) else [value]
    listed = ", ".join(quote(v) for v in values)
    simple = {
        "exact": f"{column} IN ({listed})",
        "is_not": f"NOT ({column} IN ({listed}))",
        "icontains": f"{column} ILIKE {quote(f'%{value}%')}",
        "not_icontains": f"NOT ({column} ILIKE {quote(f'%{value}%')})",
        "is_set": f"{column} IS NOT NULL",
        "is_not_set": f"{column} IS NULL",
    }
    if op in simple:
        return simple[op]
    signs = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<="}
    if op in signs:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad(f"{attr}.value must be a number") from None
        return f"toFloat({column}) {signs[op]} {number!r}"
    raise bad(f"{attr}.operator {op!r} is not supported by the sandbox")


def filters(props: Any, attr: str, alias: str = "") -> list[str]:
    """HogQL conditions for PostHog property filters (a list, or a property group)."""
    if props in (None, []):
        return []
    if isinstance(props, dict):  # {type: AND, values: [{type: AND, values: [...]}]}
        flat: list[Any] = []
        for group in props.get("values") or []:
            flat += group.get("values") or [] if isinstance(group, dict) else []
        props = flat
    if not isinstance(props, list):
        raise bad(f"{attr} must be a list of property filters")
    return [_filter(item, f"{attr}[{i}]", alias) for i, item in enumerate(props)]


def entity(node: Any, attr: str, alias: str = "") -> str:
    """The condition an EventsNode (or a retention entity ``{id, type: events}``) sets."""
    if not isinstance(node, dict):
        raise bad(f"{attr} must be an object")
    kind = node.get("kind") or ("EventsNode" if node.get("type", "events") == "events" else None)
    if kind != "EventsNode":
        raise bad(f"{attr}: the sandbox runs EventsNode steps only")
    event = node.get("event", node.get("id"))
    parts = [] if event is None else [f"{alias}event = {quote(event)}"]
    parts += filters(node.get("properties"), f"{attr}.properties", alias)
    return " AND ".join(f"({p})" for p in parts) or "1 = 1"


def rows(db: EventsDB, text: str) -> list[dict[str, Any]]:
    """Run HogQL (``text`` without LIMIT) and return its first ``MAX_ROWS`` rows as dicts by
    column (``every_row`` reads them all)."""
    return rows_at(db, text, 0)


EVERY_ROW_CAP = 2_000_000  # events one insight may walk in Python before it is refused


def every_row(db: EventsDB, text: str, what: str, cap: int = EVERY_ROW_CAP) -> list[dict[str, Any]]:
    """Every row of HogQL ``text`` (without LIMIT; its ORDER BY must be total), read in pages
    of PostHog's largest LIMIT so nothing is cut; more than ``cap`` rows is a 400."""
    out: list[dict[str, Any]] = []
    while True:
        page = rows_at(db, text, len(out))
        out += page
        if len(page) < MAX_ROWS:
            return out
        if len(out) >= cap:
            raise bad(f"dateRange: too many events for {what} in the sandbox; pick a shorter range")


def rows_at(db: EventsDB, text: str, offset: int) -> list[dict[str, Any]]:
    """One page of ``rows``: up to ``MAX_ROWS`` rows from ``offset``."""
    answer = run_hogql(db, f"{text} LIMIT {MAX_ROWS} OFFSET {offset}")
    names = [str(c).split(".")[-1] for c in answer["columns"]]
    return [dict(zip(names, row, strict=True)) for row in answer["results"]]


def instant(value: Any) -> datetime | None:
    """An engine timestamp (ISO text) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def window(query: dict[str, Any]) -> tuple[int, str]:
    """A funnel's conversion window (PostHog's default: 14 days)."""
    spec = query.get("funnelsFilter") or {}
    count = spec.get("funnelWindowInterval", 14)
    unit = spec.get("funnelWindowIntervalUnit") or "day"
    if not isinstance(count, int) or isinstance(count, bool) or count < 1 or unit not in UNITS:
        raise bad(
            "funnelsFilter.funnelWindowInterval/Unit: a positive number of "
            "minute/hour/day/week/month"
        )
    return count, unit


def span(count: int, unit: str) -> timedelta:
    """A window as a timedelta (a month read as 30 days, as PostHog's funnel UDF does)."""
    days = {"week": 7, "month": 30}
    if unit in days:
        return timedelta(days=days[unit] * count)
    return timedelta(**{f"{unit}s": count})
