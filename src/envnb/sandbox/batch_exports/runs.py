"""Batch export runs: list (cursor pages), retrieve, retry, cancel (contract §6).

``GET batch_exports/{id}/runs/`` follows PostHog's ``BatchExportRunViewSet``: without
``after`` only runs created in the last 7 days come back; ``ordering`` is ``created_at``
or ``data_interval_start`` (``-`` = descending, default ``-created_at``), and ordering by
``data_interval_start`` filters on ``start``/``end`` instead of ``after``/``before``;
``status`` may repeat and an unknown one is a 400 naming ``status__<index>``.
"""

from __future__ import annotations

import random
import sqlite3
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import cursor, errors
from .._util import seeded_uuid
from ..clock import parse_stamp, relative_date, stamp
from ..context import Ctx
from . import sim

STATUSES = (
    "Cancelled",
    "Completed",
    "ContinuedAsNew",
    "Failed",
    "FailedRetryable",
    "FailedBilling",
    "Terminated",
    "TimedOut",
    "Running",
    "Starting",
)
FIELDS = (
    "id",
    "status",
    "records_completed",
    "records_failed",
    "latest_error",
    "data_interval_start",
    "data_interval_end",
    "cursor",
    "created_at",
    "finished_at",
    "last_updated_at",
    "records_total_count",
    "bytes_exported",
    "batch_export",
    "backfill",
)
PAGE_SIZE = 100
ORDERINGS = ("created_at", "data_interval_start")
_ids = random.Random()


def run_json(row: sqlite3.Row) -> dict[str, Any]:
    """A BatchExportRun as the API returns it (every model field)."""
    return {
        name: row["batch_export_id"] if name == "batch_export" else row[name] for name in FIELDS
    }


def export_row(ctx: Ctx) -> sqlite3.Row:
    """The live export of the path's ``{id}``, or 404."""
    return ctx.live_row("batch_exports")


def _ordering(ctx: Ctx) -> tuple[str, bool]:
    """DRF's OrderingFilter: the first valid term wins; invalid terms are ignored."""
    for term in ctx.request.query_params.get("ordering", "").split(","):
        term = term.strip()
        if term.lstrip("-") in ORDERINGS:
            return term.lstrip("-"), term.startswith("-")
    return "created_at", True


def list_runs(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/runs/ — a cursor page of 100, no count."""
    ctx.tick()
    query = ctx.request.query_params
    statuses = query.getlist("status")
    for index, value in enumerate(statuses):
        if value not in STATUSES:
            raise errors.invalid_choice(value, f"status__{index}")
    field, descending = _ordering(ctx)
    now = ctx.state.ops.clock.now()
    where = ["batch_export_id = ?"]
    params: list[Any] = [ctx.params["id"]]
    if field == "data_interval_start":
        low = relative_date(query.get("start") or "-7d", now)
        high = relative_date(query.get("end"), now)
        where += ["data_interval_start >= ?", "data_interval_end <= ?"]
    else:
        low = relative_date(query.get("after") or "-7d", now)
        high = relative_date(query.get("before"), now)
        where += ["created_at >= ?", "created_at <= ?"]
    params += [stamp(low.timestamp()), stamp(high.timestamp())]
    if statuses:
        where.append(f"status IN ({','.join('?' * len(statuses))})")
        params += statuses
    source = f"(SELECT * FROM runs WHERE {' AND '.join(where)})"
    with ctx.store.lock:
        body = cursor.page(
            ctx.request,
            ctx.store.conn,
            source=source,
            params=tuple(params),
            field=field,
            descending=descending,
            size=PAGE_SIZE,
            to_json=lambda rows: [run_json(r) for r in rows],
        )
    return JSONResponse(body)


def child_row(ctx: Ctx, table: str, key: str) -> sqlite3.Row:
    """The path's run or backfill (``table``, our own constant) of the path's export, or 404."""
    export_row(ctx)
    row = ctx.store.one(
        f"SELECT * FROM {table} WHERE id = ? AND batch_export_id = ?",
        (ctx.params[key], ctx.params["id"]),
    )
    if row is None:
        raise errors.not_found()
    return row


def run_row(ctx: Ctx) -> sqlite3.Row:
    """The path's run of the path's export, or 404."""
    return child_row(ctx, "runs", "run_id")


def check_cancellable(kind: str, status: str) -> None:
    """PostHog cancels only what is Running or Starting; anything else is a 400."""
    if status not in ("Running", "Starting"):
        raise errors.validation(f"Cannot cancel a {kind} that is in '{status}' status")


def retrieve(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/runs/{run_id}/."""
    ctx.tick()
    return JSONResponse(run_json(run_row(ctx)))


def retry(ctx: Ctx) -> Response:
    """POST .../runs/{run_id}/retry/ -> 201 {backfill_id}: a backfill of the run's interval."""
    ctx.tick()
    run = run_row(ctx)
    export = export_row(ctx)
    end = parse_stamp(run["data_interval_end"])
    start = (
        parse_stamp(run["data_interval_start"])
        if run["data_interval_start"]
        else parse_stamp(export["created_at"])
    )
    backfill_id = seeded_uuid(_ids)
    with ctx.store.tx() as db:
        sim.create_backfill(
            db,
            backfill_id=backfill_id,
            export=export,
            start=start,
            end=end,
            started=ctx.state.ops.clock.epoch(),
            pace=ctx.state.ops.backfill_pace,
        )
    ctx.store.count_write("batch_export.run_retry")
    return JSONResponse({"backfill_id": backfill_id}, status_code=201)


def cancel(ctx: Ctx) -> Response:
    """POST .../runs/{run_id}/cancel/ — only a Running or Starting run can be cancelled."""
    ctx.tick()
    run = run_row(ctx)
    check_cancellable("run", run["status"])
    with ctx.store.tx() as db:
        sim.cancel_run(db, run["id"], ctx.state.ops.clock.epoch())
    ctx.store.count_write("batch_export.run_cancel")
    return JSONResponse({"cancelled": True})
