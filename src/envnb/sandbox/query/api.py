"""The query API: ``POST query/`` (HogQLQuery, TrendsQuery), ``GET``/``DELETE query/{id}/``.

As PostHog's ``QueryViewSet`` (posthog/api/query.py, posthog/clickhouse/client/execute_async.py):
1. Every action needs ``query:read`` (PostHog lists create/retrieve/destroy as read actions).
2. A query PostHog can expose the error of answers 400 ``validation_error`` with the HogQL
   error's ``code_name`` and its message as ``detail``; a HogQLQuery's own HogQL error also
   names its tables and carries ``extra.hogql_metadata`` (``hogql_metadata``).
3. ``refresh`` of an async kind answers 202 ``{"query_status": {"id", "complete": false, ...}}``;
   ``GET query/{id}/`` answers 202 while running, 200 with ``results`` once complete, 400 when
   the run failed with a message. In the sandbox a run completes from the second status read
   on, so a client's polling path is always taken. ``DELETE`` forgets the run (then 404).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import errors
from .._util import iso, now
from ..context import Ctx
from . import hogql_metadata, request, system_tables
from .events import EventsDB
from .hogql import HogQLError, run_hogql
from .insights import RUNNERS as INSIGHT_RUNNERS
from .insights import WRAPPERS, Runner, unwrap
from .nonfinite import scrub
from .state import Run

REFRESH = (
    "blocking",
    "async",
    "force_blocking",
    "force_async",
    "force_cache",
    "lazy_async",
    "async_except_on_cache_miss",
)
ASYNC = ("async", "force_async", "lazy_async", "async_except_on_cache_miss")


# Pydantic's words for a value of the wrong type, by the type PostHog's schema declares.
_WRONG_TYPE = {
    dict: "Input should be a valid dictionary",
    list: "Input should be a valid list",
    str: "Input should be a valid string",
    bool: "Input should be a valid boolean",
}
# QueryRequest's fields besides ``query`` and ``refresh`` (all nullable) [PH openapi.yaml
# @1404d6c QueryRequest]; a form-encoded body sends a boolean as text.
REQUEST_FIELDS: dict[str, type] = {
    "async": bool,
    "client_query_id": str,
    "filters_override": dict,
    "limit_context": str,
    "name": str,
    "variables_override": dict,
}
# Each insight kind's own filter object.
FILTER_OBJECTS = (
    *("trendsFilter", "funnelsFilter", "retentionFilter"),
    *("lifecycleFilter", "stickinessFilter", "pathsFilter"),
)
# A field of several types is refused in the words of the first.
Types = type | tuple[type, ...]
# An insight query's fields read by every runner, and its series nodes' (EventsNode /
# ActionsNode) [PH frontend/src/queries/schema/schema-general.ts]: a value of another type is
# a 400 naming it before a runner reads it.
INSIGHT_FIELDS: dict[str, Types] = {
    "series": list,
    "dateRange": dict,
    "breakdownFilter": dict,
    "filterTestAccounts": bool,
    "interval": str,
    "properties": (list, dict),  # a list of filters or a PropertyGroupFilter
    "compareFilter": dict,
    # Each kind's own filter object (a kind given another's is PostHog's extra="forbid").
    **dict.fromkeys(FILTER_OBJECTS, dict),
}
# Inside them: DateRange, BreakdownFilter (a breakdown is a property, a cohort id or a list).
NESTED_FIELDS: dict[str, dict[str, Types]] = {
    "dateRange": {"date_from": str, "date_to": str, "explicitDate": bool},
    "breakdownFilter": {"breakdown": (str, int, list), "breakdown_type": str},
}
# PostHog's IntervalType, in pydantic's words for a value outside it.
INTERVALS = ("second", "minute", "hour", "day", "week", "month")
NODE_FIELDS: dict[str, Types] = {
    "event": str,
    "name": str,
    "custom_name": str,
    "math": str,
    "math_property": str,
}
_BOOLEAN_TEXT = {"true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n"}


def _check_types(data: dict[str, Any], fields: Mapping[str, Types], prefix: str = "") -> None:
    """A 400 naming the first field of ``fields`` whose value is of another type (null passes;
    True is an int to Python, not to PostHog's schema)."""
    for name, expected in fields.items():
        value, kinds = data.get(name), expected if isinstance(expected, tuple) else (expected,)
        if value is None or (
            bool in kinds if isinstance(value, bool) else isinstance(value, kinds)
        ):
            continue
        if kinds[0] is bool and (value in (0, 1) or str(value).lower() in _BOOLEAN_TEXT):
            continue
        raise errors.validation(_WRONG_TYPE[kinds[0]], prefix + name, "parse_error")


def _check_insight(query: dict[str, Any]) -> None:
    """The fields of ``INSIGHT_FIELDS`` (and inside them), and of each series node, by type."""
    _check_types(query, INSIGHT_FIELDS, "query__")
    for name, fields in NESTED_FIELDS.items():
        if isinstance(query.get(name), dict):
            _check_types(query[name], fields, f"query__{name}__")
    if query.get("interval") is not None and query["interval"] not in INTERVALS:
        words = ", ".join(f"'{i}'" for i in INTERVALS[:-1]) + f" or '{INTERVALS[-1]}'"
        raise errors.validation(f"Input should be {words}", "query__interval", "parse_error")
    for index, node in enumerate(query.get("series") or []):
        attr = f"query__series__{index}"
        if not isinstance(node, dict):
            raise errors.validation(_WRONG_TYPE[dict], attr, "parse_error")
        _check_types(node, NODE_FIELDS, f"{attr}__")


def _run_hogql(events: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    text = query.get("query")
    if text is None:
        raise errors.validation("This field is required.", "query__query", "required")
    _check_types(query, {"query": str}, "query__")
    _check_types(query, {"values": dict, "variables": dict}, "query__")
    answer = run_hogql(
        events,
        text,
        values=query.get("values"),
        variables=query.get("variables"),
        filters=query.get("filters"),
    )
    answer["query"] = text
    return answer


def _hogql_tables(ctx: Ctx, query: dict[str, Any], events: EventsDB) -> Any:
    """HogQL may name the project's system tables: fill them just before the run."""
    text = query.get("query")
    if not (isinstance(text, str) and system_tables.mentions(text)):
        return events
    ctx.tick(full=False)  # the exports' seeded history and backfills are written
    team, store = ctx.project_id, ctx.store
    return system_tables.TeamTables(events, lambda con: system_tables.refresh(con, store, team))


def _events_only(ctx: Ctx, query: dict[str, Any], events: EventsDB) -> Any:
    return events


def _unchecked(query: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class QueryKind:
    """One kind ``POST query/`` runs: its runner, the tables it reads (the events, or the
    events with more tables beside them), and the type checks of its fields before it runs."""

    run: Runner
    tables: Callable[[Ctx, dict[str, Any], EventsDB], Any] = _events_only
    check: Callable[[dict[str, Any]], None] = _unchecked


# Each kind the sandbox runs (a wrapper runs its source: insights.unwrap). One entry per kind.
QUERY_KINDS: dict[str, QueryKind] = {
    "HogQLQuery": QueryKind(_run_hogql, _hogql_tables),  # checks its fields as it reads them
    **{name: QueryKind(runner, check=_check_insight) for name, runner in INSIGHT_RUNNERS.items()},
}
KINDS = (*QUERY_KINDS, *WRAPPERS)
# Kinds PostHog's schema has that the sandbox does not run: "Unsupported query kind: …" (any
# other kind is not in PostHog's schema at all: pydantic's ``parse_error``).
NOT_EMULATED = (
    "EventsQuery", "SessionsQuery", "GroupsQuery", "InsightActorsQuery", "FunnelsActorsQuery",
    "StickinessActorsQuery", "FunnelCorrelationQuery", "HogQLMetadata", "HogQLAutocomplete",
    "DatabaseSchemaQuery", "WebOverviewQuery", "WebStatsTableQuery", "WebGoalsQuery",
    "WebExternalClicksTableQuery", "WebVitalsQuery", "ErrorTrackingQuery", "TracesQuery",
    "LogsQuery", "RecordingsQuery", "ExperimentQuery", "ExperimentFunnelsQuery",
    "ExperimentTrendsQuery", "RevenueAnalyticsOverviewQuery", "CalendarHeatmapQuery",
    "SessionAttributionExplorerQuery", "TeamTaxonomyQuery", "EventTaxonomyQuery",
    "MarketingAnalyticsTableQuery", "EventsNode", "ActionsNode", "PersonsNode",
)  # fmt: skip
STATUS_TTL = timedelta(minutes=10)


def _answer(ctx: Ctx, query: dict[str, Any]) -> dict[str, Any]:
    inner = unwrap(query)
    kind = inner.get("kind")
    started = time.perf_counter()
    ctx.state.runs.executed += 1
    entry = QUERY_KINDS.get(str(kind))
    if entry is None:
        raise errors.validation(f"Unsupported query kind: {kind}", "query__kind")
    entry.check(inner)
    events = entry.tables(ctx, inner, ctx.state.events)
    try:
        answer = entry.run(events, inner)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as err:
        # Junk inside a query object PostHog's pydantic schema would refuse: still a 400.
        raise HogQLError(
            f"The sandbox could not read this {kind}: {err}", "invalid_input"
        ) from None
    stamp = now()
    answer.update(
        is_cached=False,
        cache_key=_cache_key(query),
        last_refresh=iso(stamp),
        next_allowed_client_refresh=iso(stamp + timedelta(minutes=1)),
        timezone="UTC",
        timings=[{"k": "./query", "t": round(time.perf_counter() - started, 6)}],
        modifiers={},
        query_status=None,
        error=None,
    )
    scrub(answer)  # NaN/inf as PostHog's renderer sends them: null plus a marker
    return answer


def _cache_key(query: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:32]
    return f"cache_{digest}"


def _validate(ctx: Ctx) -> tuple[dict[str, Any], str]:
    data = ctx.data
    if not isinstance(data, dict) or "query" not in data:
        raise errors.required("query")
    request.check_extra(data)
    query = _query_object(data["query"])
    _check_types(data, REQUEST_FIELDS)
    kind = query.get("kind")
    if kind in NOT_EMULATED:
        raise errors.validation(f"Unsupported query kind: {kind}", "query__kind")
    refresh = data.get("refresh", "blocking")
    if refresh is None:
        refresh = "blocking"
    if refresh is True:  # PostHog's legacy boolean: True means recalculate now
        refresh = "force_blocking"
    if refresh is False:
        refresh = "blocking"
    if refresh not in REFRESH:
        raise errors.invalid_choice(refresh, "refresh")
    return query, str(refresh)


def _query_object(query: Any) -> dict[str, Any]:
    """``query`` as PostHog's pydantic schema reads it: an object whose ``kind`` is one of the
    schema's kinds (the sandbox knows those it runs and those it names as not emulated)."""
    if not isinstance(query, dict):
        raise errors.validation("Expected a query object with a 'kind'.", "query")
    kind = query.get("kind")
    if kind not in KINDS and kind not in NOT_EMULATED:
        raise errors.validation(
            f"Input tag {kind!r} found using 'kind' does not match any of the expected tags",
            "query__kind",
            "parse_error",
        )
    return query


def create(ctx: Ctx) -> Response:
    """POST query/: run now (200) or start an async run (202 with ``query_status``)."""
    query, refresh = _validate(ctx)
    client_id = ctx.data.get("client_query_id")
    if refresh not in ASYNC:
        try:
            return JSONResponse(_answer(ctx, query))
        except HogQLError as err:
            raise hogql_metadata.refusal(ctx.state.events, query, err) from None
    run_id = client_id if isinstance(client_id, str) and client_id else uuid.uuid4().hex
    started = now()
    status = {
        "id": run_id,
        "team_id": ctx.project_id,
        "complete": False,
        "error": False,
        "error_message": None,
        "results": None,
        "query_async": True,
        "start_time": iso(started),
        "pickup_time": None,
        "end_time": None,
        "expiration_time": None,
        "task_id": uuid.uuid4().hex,
        "dashboard_id": None,
        "insight_id": None,
        "query_progress": None,
        "labels": None,
        "error_code": None,
        "bytes_read": None,
        "budget_remaining_bytes": None,
        "cache_key": _cache_key(query),
        "query_scan": None,
    }
    try:
        answer, error = _answer(ctx, query), None
    except HogQLError as err:
        answer, error = None, err.message
        status["error_code"] = err.code
    ctx.state.runs.by_id[run_id] = Run(status, answer, error)
    return JSONResponse({"query_status": status}, status_code=202)


def _run(ctx: Ctx) -> Run:
    run = ctx.state.runs.by_id.get(ctx.params["id"])
    if run is None:
        raise errors.ApiError(
            404,
            errors.body(
                "invalid_request",
                "not_found",
                f"Query {ctx.params['id']} not found for team {ctx.project_id}",
            ),
        )
    return run


def retrieve(ctx: Ctx) -> Response:
    """GET query/{id}/: 202 while running, 200 complete, 400 failed (body: ``query_status``)."""
    run = _run(ctx)
    run.reads += 1
    if run.reads >= 2 and not run.status["complete"] and not run.status["error"]:
        finished = now()
        run.status.update(pickup_time=run.status["start_time"], end_time=iso(finished))
        if run.error is None:
            run.status.update(
                complete=True,
                results=run.answer,
                expiration_time=iso(finished + STATUS_TTL),
            )
        else:
            run.status.update(error=True, error_message=run.error)
    code = 202
    if run.status["error"]:
        code = 400
    elif run.status["complete"]:
        code = 200
    status = dict(run.status)
    if ctx.request.query_params.get("show_progress") in ("true", "True", "1"):
        status["query_progress"] = _progress(run)
    return JSONResponse({"query_status": status}, status_code=code)


def _progress(run: Run) -> dict[str, Any]:
    """``?show_progress=true``: ClickHouse's counters in PostHog; the sandbox reads its rows
    in one go, so a run shows nothing read until it is done, then all of it."""
    rows = len((run.answer or {}).get("results") or []) if run.status["complete"] else 0
    return {
        "active_cpu_time": 0,
        "bytes_read": 0,
        "estimated_rows_total": rows,
        "rows_read": rows,
        "time_elapsed": 0,
    }


def create_kind(ctx: Ctx) -> Response:
    """POST query/{kind}/: as ``query/``, for a body of that kind only."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    query = data.get("query")
    body_kind = query.get("kind") if isinstance(query, dict) else None
    if body_kind != ctx.params["kind"]:
        raise errors.validation(
            f'Query kind mismatch: path kind "{ctx.params["kind"]}" does not match body kind '
            f'"{body_kind}".',
            "query__kind",
        )
    return create(ctx)


def upgrade(ctx: Ctx) -> Response:
    """POST query/upgrade/ {query}: the query in its newest schema, not run. The sandbox's
    kinds have no older schema to upgrade from: the query comes back as sent."""
    data = ctx.data
    if not isinstance(data, dict) or "query" not in data:
        raise errors.required("query")
    return JSONResponse({"query": _query_object(data["query"])})


def destroy(ctx: Ctx) -> Response:
    """DELETE query/{id}/: cancel and forget the run."""
    ctx.state.runs.by_id.pop(ctx.params["id"], None)
    return JSONResponse({"message": "Query cancelled"})
