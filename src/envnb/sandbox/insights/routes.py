"""``insights/``: list (``?short_id=`` finds one) and retrieve, scope ``insight:read``."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from .. import errors, paging
from ..context import Ctx
from .backend import insights

_CREATED = "2026-01-05T09:00:00Z"


def _all(ctx: Ctx) -> list[dict[str, object]]:
    return insights(ctx.project_id, _CREATED)


def list_insights(ctx: Ctx) -> Response:
    """GET insights/ — newest first; ``short_id`` keeps the one insight with that short id."""
    found = _all(ctx)
    short_id = ctx.request.query_params.get("short_id")
    if short_id is not None:
        found = [item for item in found if item["short_id"] == short_id]
    return JSONResponse(paging.page(ctx.request, len(found), lambda n, at: found[at : at + n]))


def retrieve(ctx: Ctx) -> Response:
    """GET insights/{id}/ — by numeric id (404 otherwise)."""
    for item in _all(ctx):
        if str(item["id"]) == ctx.params["id"]:
            return JSONResponse(item)
    raise errors.not_found()
