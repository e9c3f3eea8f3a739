"""DRF ``CursorPagination`` as PostHog's runs and backfills lists use it.

The envelope is ``{next, previous, results}`` — no ``count``. ``next``/``previous`` are
absolute links with an opaque ``cursor`` parameter (the request's other parameters kept);
a cursor that does not decode is a 404 "Invalid cursor", as in DRF. The position is the
(ordering field, id) pair of the page's edge row, so rows that share a timestamp are
neither skipped nor repeated.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request

from . import errors
from .paging import link


def _invalid() -> errors.ApiError:
    return errors.ApiError(404, errors.body("invalid_request", "not_found", "Invalid cursor"))


def _decode(token: str) -> tuple[str, str, bool]:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        value, _, row_id = fields["p"][0].rpartition("|")
        reverse = fields.get("r", ["0"])[0] == "1"
    except (ValueError, KeyError, UnicodeError, binascii.Error):
        raise _invalid() from None
    if not row_id:
        raise _invalid()
    return value, row_id, reverse


def _encode(value: str, row_id: str, reverse: bool) -> str:
    query = urlencode({"p": f"{value}|{row_id}", **({"r": "1"} if reverse else {})})
    return base64.urlsafe_b64encode(query.encode()).decode().rstrip("=")


def page(
    request: Request,
    db: sqlite3.Connection,
    *,
    source: str,
    params: tuple[Any, ...],
    field: str,
    descending: bool,
    size: int,
    to_json: Callable[[list[sqlite3.Row]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """One cursor page of ``SELECT * FROM {source}`` (our own SQL) ordered by ``field``, id."""
    token = request.query_params.get("cursor")
    position = _decode(token) if token else None
    reverse = position is not None and position[2]
    forward_desc = descending != reverse
    where, args = "", params
    if position is not None:
        where = f" WHERE ({field}, id) {'<' if forward_desc else '>'} (?, ?)"
        args = (*params, position[0], position[1])
    direction = "DESC" if forward_desc else "ASC"
    rows = db.execute(
        f"SELECT * FROM {source}{where} ORDER BY {field} {direction}, id {direction} LIMIT ?",
        (*args, size + 1),
    ).fetchall()
    more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()
    nxt = prev = None
    if rows:
        first, last = rows[0], rows[-1]
        if more if not reverse else True:
            nxt = link(request, cursor=_encode(str(last[field]), last["id"], False))
        if more if reverse else position is not None:
            prev = link(request, cursor=_encode(str(first[field]), first["id"], True))
    return {"next": nxt, "previous": prev, "results": to_json(rows)}
