"""Sans-I/O page planner for LimitOffset pagination.

Given the first page, it says which offsets remain. When ``count`` is known the remaining
pages can be fetched concurrently; otherwise follow ``next`` one page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class PagePlan:
    """What to fetch after the first page."""

    offsets: tuple[int, ...]  # remaining offsets when the count is known (concurrent)
    page_size: int
    follow_next: bool  # count unknown: walk ``next`` links sequentially

    @property
    def done(self) -> bool:
        """True when nothing remains to fetch."""
        return not self.offsets and not self.follow_next


def plan_pages(
    first: dict[str, Any], *, page_size: int, limit: int | None = None, start: int = 0
) -> PagePlan:
    """Plan the remaining pages from the first page envelope."""
    results = first.get("results") or []
    have = len(results)
    count = first.get("count")
    nxt = first.get("next")
    if limit is not None and have >= limit:
        return PagePlan((), page_size, False)
    if not nxt:
        return PagePlan((), page_size, False)
    size = _limit_in(nxt) or page_size
    if isinstance(count, int):
        end = count if limit is None else min(count, start + limit)
        return PagePlan(tuple(range(start + have, end, size)), size, False)
    return PagePlan((), size, True)


def _limit_in(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("limit")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None
