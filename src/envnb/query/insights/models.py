"""Saved insights (PH:posthog/api/insight.py ``InsightSerializer``; contract §14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..._core.models import APIModel


class Insight(APIModel):
    """A saved insight: its ``name``, ``short_id`` (the id in its URL) and the ``query`` it runs."""

    id: int
    short_id: str
    name: str | None = None
    derived_name: str | None = None
    description: str | None = None
    query: dict[str, Any] | None = None
    created_at: datetime | None = None
    last_modified_at: datetime | None = None

    @property
    def title(self) -> str:
        """The name PostHog shows: ``name``, else the generated ``derived_name``."""
        return self.name or self.derived_name or f"Insight {self.short_id}"
