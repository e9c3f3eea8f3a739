"""Small helpers shared by the sandbox modules: time, ids and JSON."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any


def now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


def iso(dt: datetime | None) -> str | None:
    """Render a datetime the way DRF does: ISO 8601 with a trailing ``Z`` for UTC."""
    if dt is None:
        return None
    text = dt.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def now_iso() -> str:
    """Return the current UTC time rendered as DRF renders it."""
    return iso(now()) or ""


def seeded_uuid(rng: random.Random) -> str:
    """Return a version-4 UUID string drawn from a seeded RNG (deterministic ids)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def dumps(obj: Any) -> str:
    """Compact JSON, the way the sandbox stores and sends it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def is_uuid(value: object) -> bool:
    """Tell whether ``value`` is a string DRF's UUIDField would accept."""
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
