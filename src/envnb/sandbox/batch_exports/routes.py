"""HTTP of batch exports: CRUD, pause/unpause (+backfill), destination tests.

Each handler parses the request, calls :mod:`.backend` and serialises the answer.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import paging
from ..context import Ctx
from ..integrations import backend as integrations
from . import backend, sim
from .destination_integrations import KindOf


def export_row(ctx: Ctx) -> sqlite3.Row:
    """The live export of the path's ``{id}``, or 404."""
    return ctx.live_row("batch_exports")


def _kind_of(ctx: Ctx) -> KindOf:
    """The kind and config of one of this project's integrations (None: no such one)."""
    return lambda number: integrations.kind_of(ctx.store, ctx.project_id, number)


def _latest_runs(ctx: Ctx, ids: list[str]) -> dict[str, list[sqlite3.Row]]:
    ctx.tick(full=False)
    return backend.latest_runs(ctx.store, ids)


def _one(ctx: Ctx, export_id: str) -> dict[str, Any]:
    row = backend.export(ctx.store, export_id)
    source = backend.sources(ctx.store, [export_id])[export_id]
    return backend.serialize(row, _latest_runs(ctx, [export_id])[export_id], source)


def list_exports(ctx: Ctx) -> Response:
    """GET batch_exports/ — newest first."""
    ctx.tick(full=False)  # the seeded history may change an export (its auto-pause time)

    def to_json(rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        ids = [row["id"] for row in rows]
        runs, sources = _latest_runs(ctx, ids), backend.sources(ctx.store, ids)
        return [backend.serialize(row, runs[row["id"]], sources[row["id"]]) for row in rows]

    # PostHog hides Workflows exports (they back Workflows' backfills) from the list.
    hidden = "dest_type != 'Workflows'"
    return JSONResponse(paging.team_rows(ctx, "batch_exports", to_json, also=hidden))


def retrieve(ctx: Ctx) -> Response:
    """GET batch_exports/{id}/."""
    ctx.tick(full=False)
    return JSONResponse(_one(ctx, export_row(ctx)["id"]))


def create(ctx: Ctx) -> Response:
    """POST batch_exports/ -> 201."""
    values = backend.validate(ctx.data, None, False, ctx.store, _kind_of(ctx), ctx.state.events)
    export_id = backend.insert(ctx.store, ctx.state.ops.clock, ctx.project_id, values)
    sim.invalidate(ctx.state.ops)
    ctx.store.count_write("batch_export.create")
    return JSONResponse(_one(ctx, export_id), status_code=201)


def update(ctx: Ctx) -> Response:
    """PATCH (deep-merging destination config) or PUT batch_exports/{id}/."""
    row = export_row(ctx)
    values = backend.validate(
        ctx.data, row, ctx.method == "PATCH", ctx.store, _kind_of(ctx), ctx.state.events
    )
    backend.update(ctx.store, ctx.state.ops.clock, row, values)
    sim.invalidate(ctx.state.ops)
    ctx.store.count_write("batch_export.update")
    return JSONResponse(_one(ctx, row["id"]))


def delete(ctx: Ctx) -> Response:
    """DELETE batch_exports/{id}/ -> 204 (soft delete)."""
    row = export_row(ctx)
    backend.soft_delete(ctx.store, ctx.state.ops.clock, row["id"])
    ctx.store.count_write("batch_export.delete")
    return Response(status_code=204)


def pause(ctx: Ctx) -> Response:
    """POST {id}/pause/ — idempotent; ``last_paused_at`` only set on a real pause."""
    row = export_row(ctx)
    if not row["paused"]:
        ctx.tick(full=False)  # the runs due before the pause exist
        backend.pause(ctx.store, ctx.state.ops.clock, row["id"])
        ctx.store.count_write("batch_export.pause")
    return JSONResponse({"paused": True})


def unpause(ctx: Ctx) -> Response:
    """POST {id}/unpause/ {backfill} — a backfill covers last_paused_at..now."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    backfill = bool(data.get("backfill", False))
    row = export_row(ctx)
    if row["paused"]:
        ctx.tick(full=False)  # runs due before the unpause exist while it is still paused
        backend.unpause(ctx.store, ctx.state.ops, row, backfill)
        sim.invalidate(ctx.state.ops)
        ctx.store.count_write("batch_export.unpause")
        if backfill:
            ctx.store.count_write("batch_export.backfill")
    return JSONResponse({"paused": False})


def test_steps(ctx: Ctx) -> Response:
    """GET batch_exports/test/?destination=TYPE — empty 400/404 bodies as PostHog sends."""
    steps = backend.test_steps(ctx.request.query_params.get("destination"))
    return JSONResponse({"steps": steps})


def run_test_step(ctx: Ctx) -> Response:
    """POST batch_exports/{id}/run_test_step/ — stored config merged under the payload's."""
    row = export_row(ctx)
    return JSONResponse(backend.run_test_step(ctx.data, row, _kind_of(ctx), ctx.state.events))


def run_test_step_new(ctx: Ctx) -> Response:
    """POST batch_exports/run_test_step_new/ — test an export before it exists."""
    return JSONResponse(backend.run_test_step(ctx.data, None, _kind_of(ctx), ctx.state.events))
