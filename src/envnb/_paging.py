"""Sans-I/O page planner for LimitOffset pagination.

Given the first page, it says which offsets remain. When ``count`` is known the remaining
pages can be fetched concurrently; otherwise follow ``next`` one page at a time.

Rule: the server's numbers only plan what a sane answer allows. A ``count`` that is not a
whole number (a bool, a float, text), is smaller than the first page, or would plan more
than :data:`MAX_PLANNED_PAGES` pages is not used (the ``next`` links are followed instead).
The page step is the ``limit`` of the ``next`` link when it is between 1 and the page size
asked for, else the length of the first page; with neither, ``next`` is followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_PAGE_SIZE = 100
MAX_PLANNED_PAGES = 100_000


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
    nxt = first.get("next")
    if limit is not None and have >= limit:
        return PagePlan((), page_size, False)
    if not nxt:
        return PagePlan((), page_size, False)
    size = _limit_in(nxt)
    if size is None or not 1 <= size <= page_size:
        size = have  # the server's own page length
    count = usable_count(first)
    if size < 1 or count is None or count < start + have:
        return PagePlan((), max(size, 1), True)
    end = count if limit is None else min(count, start + limit)
    if (end - start - have) // size > MAX_PLANNED_PAGES:
        return PagePlan((), size, True)
    return PagePlan(tuple(range(start + have, end, size)), size, False)


def usable_count(page: dict[str, Any]) -> int | None:
    """The page's ``count`` when it is a whole number >= 0 (not a bool), else None."""
    count = page.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count
    return None


def _limit_in(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("limit")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None
