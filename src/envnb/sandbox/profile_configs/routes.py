"""HTTP of customer profile configs: a plain ModelViewSet with LimitOffset pagination.

Each handler parses the request, calls :mod:`.backend` and serialises the answer.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from .. import paging
from ..context import Ctx
from . import backend


def list_configs(ctx: Ctx) -> Response:
    """GET customer_profile_configs/ — newest first."""
    return JSONResponse(
        paging.team_rows(ctx, backend.TABLE, lambda rows: [backend.serialize(r) for r in rows])
    )


def retrieve(ctx: Ctx) -> Response:
    """GET customer_profile_configs/{id}/."""
    return JSONResponse(backend.serialize(ctx.live_row(backend.TABLE)))


def create(ctx: Ctx) -> Response:
    """POST customer_profile_configs/ -> 201."""
    values = backend.validate(ctx.data, partial=False)
    row = backend.insert(ctx.store, ctx.project_id, ctx.key.user_id, values)
    ctx.store.count_write("profile_config.create")
    return JSONResponse(backend.serialize(row), status_code=201)


def update(ctx: Ctx) -> Response:
    """PATCH (partial) or PUT (full) customer_profile_configs/{id}/."""
    row = ctx.live_row(backend.TABLE)
    values = backend.validate(ctx.data, partial=ctx.method == "PATCH")
    backend.update(ctx.store, row["id"], values)
    ctx.store.count_write("profile_config.update")
    return JSONResponse(backend.serialize(ctx.live_row(backend.TABLE)))


def delete(ctx: Ctx) -> Response:
    """DELETE customer_profile_configs/{id}/ -> 204."""
    row = ctx.live_row(backend.TABLE)
    backend.soft_delete(ctx.store, row["id"])
    ctx.store.count_write("profile_config.delete")
    return Response(status_code=204)
