"""DRF ``LimitOffsetPagination``: the ``{count, next, previous, results}`` envelope."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request

if TYPE_CHECKING:
    from .context import Ctx

DEFAULT_LIMIT = 100
# SQLite's LIMIT/OFFSET are 64-bit: a larger number from the query string would raise
# OverflowError (a 500) instead of meaning "all of them".
MAX_INT64 = 2**63 - 1


def _positive(value: str | None, default: int, *, strict: bool) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:  # also more digits than int() accepts
        return default
    if number < 0 or (strict and number == 0):
        return default
    return min(number, MAX_INT64)


def limit_offset(request: Request) -> tuple[int, int]:
    """The page asked for (invalid values fall back to DRF's defaults)."""
    query = request.query_params
    return (
        _positive(query.get("limit"), DEFAULT_LIMIT, strict=True),
        _positive(query.get("offset"), 0, strict=False),
    )


def link(request: Request, **changes: int | str | None) -> str:
    """The request's absolute URL with query parameters replaced (None removes one)."""
    # DRF's replace_query_param/remove_query_param re-encode the query sorted by key.
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    url = request.url
    return str(url.replace(query=urlencode(sorted(items))))


def page(
    request: Request, count: int, fetch: Callable[[int, int], list[dict[str, Any]]]
) -> dict[str, Any]:
    """Build the envelope; ``fetch(limit, offset)`` returns the rows of the page."""
    limit, offset = limit_offset(request)
    results = fetch(limit, offset) if offset < count else []
    nxt = None if offset + limit >= count else link(request, limit=limit, offset=offset + limit)
    if offset <= 0:
        prev = None
    elif offset - limit <= 0:
        prev = link(request, limit=limit, offset=None)
    else:
        prev = link(request, limit=limit, offset=offset - limit)
    return {"count": count, "next": nxt, "previous": prev, "results": results}


def team_rows(
    ctx: Ctx,
    table: str,
    to_json: Callable[[list[sqlite3.Row]], list[dict[str, Any]]],
    also: str | None = None,
) -> dict[str, Any]:
    """A page of the project's live rows of ``table`` (our own constant), newest first;
    ``also``: one more SQL condition (our own constant too)."""
    where = "team_id = ? AND deleted = 0" + (f" AND {also}" if also else "")
    count_row = ctx.store.one(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", (ctx.project_id,))
    count = int(count_row["n"]) if count_row else 0

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        rows = ctx.store.read(
            f"SELECT * FROM {table} WHERE {where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
            (ctx.project_id, limit, offset),
        )
        return to_json(rows)

    return page(ctx.request, count, fetch)
