"""HTTP of export operations: runs, backfills, logs and app metrics (contract §6).

Each handler brings runs and backfills up to the simulated clock (``ctx.tick()``), parses
the request, calls :mod:`.runs`, :mod:`.backfills` or :mod:`.oplogs` and serialises the answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import cursor, errors
from .._util import is_uuid
from ..clock import relative_date
from ..context import Ctx
from . import backfills, oplogs, runs
from .routes import export_row


def _run_row(ctx: Ctx) -> sqlite3.Row:
    export_row(ctx)
    return runs.child_row(ctx.store, "runs", ctx.params["run_id"], ctx.params["id"])


def _backfill_row(ctx: Ctx) -> sqlite3.Row:
    export_row(ctx)
    return runs.child_row(ctx.store, "backfills", ctx.params["backfill_id"], ctx.params["id"])


def _cursor_page(
    ctx: Ctx,
    source: tuple[str, tuple[Any, ...]],
    ordering: tuple[str, bool],
    size: int,
    to_json: Callable[[sqlite3.Row], dict[str, Any]],
) -> dict[str, Any]:
    field, descending = ordering
    with ctx.store.lock:
        return cursor.page(
            ctx.request,
            ctx.store.conn,
            source=source[0],
            params=source[1],
            field=field,
            descending=descending,
            size=size,
            to_json=lambda rows: [to_json(r) for r in rows],
        )


def list_runs(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/runs/ — a cursor page of 100, no count."""
    ctx.tick()
    query = ctx.request.query_params
    statuses = query.getlist("status")
    runs.check_statuses(statuses)
    ordering = runs.ordering(query.get("ordering", ""), runs.ORDERINGS)
    now = ctx.state.ops.clock.now()
    # Ordering by the interval filters on the interval (start/end), else on created_at.
    by_interval = ordering[0] == "data_interval_start"
    low = relative_date(query.get("start" if by_interval else "after") or "-7d", now)
    high = relative_date(query.get("end" if by_interval else "before"), now)
    source = runs.runs_query(ctx.params["id"], statuses, ordering[0], low, high)
    return JSONResponse(_cursor_page(ctx, source, ordering, runs.PAGE_SIZE, runs.run_json))


def retrieve_run(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/runs/{run_id}/."""
    ctx.tick()
    return JSONResponse(runs.run_json(_run_row(ctx)))


def retry_run(ctx: Ctx) -> Response:
    """POST .../runs/{run_id}/retry/ -> 201 {backfill_id}: a backfill of the run's interval."""
    ctx.tick()
    run = _run_row(ctx)
    backfill_id = runs.retry(ctx.store, ctx.state.ops, run, export_row(ctx))
    ctx.store.count_write("batch_export.run_retry")
    return JSONResponse({"backfill_id": backfill_id}, status_code=201)


def cancel_run(ctx: Ctx) -> Response:
    """POST .../runs/{run_id}/cancel/ — only a Running or Starting run can be cancelled."""
    ctx.tick()
    runs.cancel(ctx.store, ctx.state.ops, _run_row(ctx))
    ctx.store.count_write("batch_export.run_cancel")
    return JSONResponse({"cancelled": True})


def list_backfills(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/backfills/ — ordering created_at or start_at (default -created_at)."""
    ctx.tick()
    raw = ctx.request.query_params.get("ordering", "")
    source = backfills.list_query(ctx.params["id"], ctx.project_id)
    ordering = runs.ordering(raw, backfills.ORDERINGS)
    page = _cursor_page(ctx, source, ordering, backfills.PAGE_SIZE, backfills.backfill_json)
    return JSONResponse(page)


def create_backfill(ctx: Ctx) -> Response:
    """POST batch_exports/{id}/backfills/ {start_at, end_at} -> 201 {backfill_id}."""
    ctx.tick()
    export = backfills.live_export(ctx.store, ctx.params["id"], ctx.project_id)
    backfill_id = backfills.create(ctx.store, ctx.state.ops, export, ctx.data)
    ctx.store.count_write("batch_export.backfill")
    return JSONResponse({"backfill_id": backfill_id}, status_code=201)


def retrieve_backfill(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/backfills/{backfill_id}/."""
    ctx.tick()
    return JSONResponse(backfills.backfill_json(_backfill_row(ctx)))


def cancel_backfill(ctx: Ctx) -> Response:
    """POST .../backfills/{backfill_id}/cancel/ — only a Running or Starting backfill."""
    ctx.tick()
    backfills.cancel(ctx.store, ctx.state.ops, _backfill_row(ctx))
    ctx.store.count_write("batch_export.backfill_cancel")
    return JSONResponse({"cancelled": True})


def _logs(ctx: Ctx, export: sqlite3.Row, instance_id: str | None) -> Response:
    query = ctx.request.query_params
    levels = [part.strip() for value in query.getlist("level")
              for part in value.split(",") if part.strip()]  # fmt: skip
    return JSONResponse(oplogs.logs(ctx.store, export, instance_id, dict(query.items()), levels))


def export_logs(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/logs/."""
    ctx.tick()
    return _logs(ctx, export_row(ctx), None)


def run_logs(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/runs/{run_id}/logs/ — that run's entries only."""
    ctx.tick()
    run = _run_row(ctx)
    return _logs(ctx, export_row(ctx), run["id"])


def app_metrics(ctx: Ctx) -> Response:
    """GET app_metrics/{batch_export_id}/ — daily records of Completed vs other runs."""
    ctx.tick()
    export_id = ctx.params["id"]
    if not is_uuid(export_id):
        raise errors.not_found()  # PostHog reads a non-UUID id as a plugin config
    query = ctx.request.query_params
    now = ctx.state.ops.clock.now()
    low = relative_date(query.get("date_from") or "-30d", now)
    high = relative_date(query.get("date_to"), now)
    return JSONResponse(oplogs.app_metrics(ctx.store, export_id, low, high))
