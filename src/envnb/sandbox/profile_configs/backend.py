"""Customer profile configs' state and PostHog's rules: the serializer's checks, the rows
written, the JSON shape. No HTTP here (``routes`` parses, calls these, serialises)."""

from __future__ import annotations

import json
import random
import sqlite3
from typing import Any

from .. import errors
from .. import validate as v
from .._util import dumps, now_iso, seeded_uuid
from ..store import Store

SCOPES = ("person", "group_0", "group_1", "group_2", "group_3", "group_4")
TABLE = "profile_configs"
_ids = random.Random()  # ids of objects created at runtime (not part of the seed)


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


def _json_field(data: dict[str, Any], name: str) -> Any:
    """``content``/``sidebar``: null -> {}, dict or list kept, anything else refused."""
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict | list):
        raise errors.validation(f"Invalid value for field '{name}'", name)
    return value


def validate(data: Any, partial: bool) -> dict[str, Any]:
    """The serializer's checks; the columns to write."""
    data = v.json_object(data)
    out: dict[str, Any] = {}
    scope = v.choice(data, "scope", SCOPES, required=not partial)
    if scope is not None:
        out["scope"] = scope
    for name in ("content", "sidebar"):
        if name in data or not partial:
            out[name] = _json_field(data, name)
    return out


def insert(store: Store, project_id: int, user_id: int, values: dict[str, Any]) -> sqlite3.Row:
    """Write a new config from :func:`validate`'s columns; its row."""
    stamp = now_iso()
    config_id = seeded_uuid(_ids)
    with store.tx() as db:
        db.execute(
            "INSERT INTO profile_configs VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                config_id,
                project_id,
                values["scope"],
                dumps(values["content"]),
                dumps(values["sidebar"]),
                stamp,
                stamp,
                user_id,
            ),
        )
    row = store.one("SELECT * FROM profile_configs WHERE id = ?", (config_id,))
    assert row is not None
    return row


def update(store: Store, config_id: str, values: dict[str, Any]) -> None:
    """Write :func:`validate`'s columns over a config."""
    sets = {k: dumps(val) if k != "scope" else val for k, val in values.items()}
    sets["updated_at"] = now_iso()
    with store.tx() as db:
        db.execute(
            f"UPDATE profile_configs SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
            (*sets.values(), config_id),
        )


def soft_delete(store: Store, config_id: str) -> None:
    """Mark a config deleted (it leaves every list and retrieve)."""
    with store.tx() as db:
        db.execute("UPDATE profile_configs SET deleted = 1 WHERE id = ?", (config_id,))
