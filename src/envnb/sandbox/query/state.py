"""The query API's async runs, kept by the server between requests.

Its own module so that the server state (``context.State``) can hold them without
importing the query handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Run:
    """One async run: its status fields and the answer (or error) it will show."""

    status: dict[str, Any]
    answer: dict[str, Any] | None
    error: str | None
    reads: int = 0


@dataclass
class Runs:
    """Async runs by id (lost on restart, like PostHog's Redis entries after their TTL)."""

    by_id: dict[str, Run] = field(default_factory=dict)
    executed: int = 0
