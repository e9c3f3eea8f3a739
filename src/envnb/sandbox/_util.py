"""Small helpers shared by the sandbox modules: time, ids and JSON."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import UTC, datetime
from typing import Any


def first_line(text: str) -> str:
    """The text up to its first CR, LF or CRLF (U+2028 and the like are not line ends)."""
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


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


_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def seeded_uuid(rng: random.Random) -> str:
    """Return a version-4 UUID string drawn from a seeded RNG (deterministic ids).

    Same result as ``str(uuid.UUID(int=..., version=4))``, formatted by hand because
    seeding 100k conversations calls this 100k times.
    """
    h = f"{(rng.getrandbits(128) & _VERSION_MASK) | _VERSION_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class SecondsFormatter:
    """Fast DRF-style rendering of whole-second UTC timestamps (seeding hot path)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, epoch_seconds: int) -> str:
        """``1700000000`` -> ``"2023-11-14T22:13:20Z"``."""
        day, rest = divmod(epoch_seconds, 86400)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return f"{date}T{hour:02d}:{minute:02d}:{second:02d}Z"


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
