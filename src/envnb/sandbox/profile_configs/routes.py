"""Customer profile config endpoints: a plain ModelViewSet with LimitOffset pagination."""

from __future__ import annotations

import json
import random
import sqlite3
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import errors, paging
from .. import validate as v
from .._util import dumps, now_iso, seeded_uuid
from ..context import Ctx

SCOPES = ("person", "group_0", "group_1", "group_2", "group_3", "group_4")
_ids = random.Random()


def serialize(row: sqlite3.Row) -> dict[str, Any]:
    """A CustomerProfileConfig as returned (``created_by`` is not)."""
    return {
        "id": row["id"],
        "scope": row["scope"],
        "content": json.loads(row["content"]),
        "sidebar": json.loads(row["sidebar"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _get(ctx: Ctx) -> sqlite3.Row:
    return ctx.live_row("profile_configs")


def list_configs(ctx: Ctx) -> Response:
    """GET customer_profile_configs/ — newest first."""
    return JSONResponse(
        paging.team_rows(ctx, "profile_configs", lambda rows: [serialize(r) for r in rows])
    )


def retrieve(ctx: Ctx) -> Response:
    """GET customer_profile_configs/{id}/."""
    return JSONResponse(serialize(_get(ctx)))


def _json_field(data: dict[str, Any], name: str) -> Any:
    """``content``/``sidebar``: null -> {}, dict or list kept, anything else refused."""
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict | list):
        raise errors.validation(f"Invalid value for field '{name}'", name)
    return value


def _validate(ctx: Ctx, partial: bool) -> dict[str, Any]:
    data = v.json_object(ctx.data)
    out: dict[str, Any] = {}
    scope = v.choice(data, "scope", SCOPES, required=not partial)
    if scope is not None:
        out["scope"] = scope
    for name in ("content", "sidebar"):
        if name in data or not partial:
            out[name] = _json_field(data, name)
    return out


def create(ctx: Ctx) -> Response:
    """POST customer_profile_configs/ -> 201."""
    values = _validate(ctx, partial=False)
    stamp = now_iso()
    config_id = seeded_uuid(_ids)
    with ctx.store.tx() as db:
        db.execute(
            "INSERT INTO profile_configs VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                config_id,
                ctx.project_id,
                values["scope"],
                dumps(values["content"]),
                dumps(values["sidebar"]),
                stamp,
                stamp,
                ctx.key.user_id,
            ),
        )
    ctx.store.count_write("profile_config.create")
    row = ctx.store.one("SELECT * FROM profile_configs WHERE id = ?", (config_id,))
    assert row is not None
    return JSONResponse(serialize(row), status_code=201)


def update(ctx: Ctx) -> Response:
    """PATCH (partial) or PUT (full) customer_profile_configs/{id}/."""
    row = _get(ctx)
    values = _validate(ctx, partial=ctx.method == "PATCH")
    sets = {k: dumps(val) if k != "scope" else val for k, val in values.items()}
    sets["updated_at"] = now_iso()
    with ctx.store.tx() as db:
        db.execute(
            f"UPDATE profile_configs SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
            (*sets.values(), row["id"]),
        )
    ctx.store.count_write("profile_config.update")
    return JSONResponse(serialize(_get(ctx)))


def delete(ctx: Ctx) -> Response:
    """DELETE customer_profile_configs/{id}/ -> 204."""
    row = _get(ctx)
    with ctx.store.tx() as db:
        db.execute("UPDATE profile_configs SET deleted = 1 WHERE id = ?", (row["id"],))
    ctx.store.count_write("profile_config.delete")
    return Response(status_code=204)
