"""HTTP of integrations: the project's list and one integration (read only)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from envnb.sandbox.conversations.backend import users

from .. import errors, paging
from ..context import Ctx
from . import backend


def list_integrations(ctx: Ctx) -> Response:
    """GET integrations/ — the project's integrations, oldest first, paged."""
    count_row = ctx.store.one(
        "SELECT COUNT(*) AS n FROM integrations WHERE team_id = ?", (ctx.project_id,)
    )
    people = users(ctx.store)

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        rows = ctx.store.read(
            "SELECT * FROM integrations WHERE team_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (ctx.project_id, limit, offset),
        )
        return [backend.serialize(row, people) for row in rows]

    count = int(count_row["n"]) if count_row else 0
    return JSONResponse(paging.page(ctx.request, count, fetch))


def retrieve(ctx: Ctx) -> Response:
    """GET integrations/{id}/."""
    raw = ctx.params["id"]
    row = (
        ctx.store.one(
            "SELECT * FROM integrations WHERE id = ? AND team_id = ?", (int(raw), ctx.project_id)
        )
        if raw.isdigit() and int(raw) <= paging.MAX_INT64
        else None
    )
    if row is None:
        raise errors.not_found()
    return JSONResponse(backend.serialize(row, users(ctx.store)))
