"""Sans-I/O paging: which pages remain after the first, and the request for each ``next`` link.

PostHog lists page in one of two envelopes (``Endpoint.paging``):

- ``"offset"``: ``{count, next, previous, results}`` with ``limit``/``offset`` links. When
  ``count`` is known the remaining offsets are planned up front and fetched concurrently;
  otherwise ``next`` is followed one page at a time.
- ``"cursor"``: ``{next, previous, results}``, no ``count``: ``next`` is followed one page at
  a time.

Rules for following ``next`` (:class:`NextLinks`):

1. The API key only goes to the configured origin. An offset link to another origin is
   re-based onto the configured project URL, keeping only its query (``limit``, ``offset``).
2. A cursor link is taken for its ``cursor`` parameter only; the query the caller asked for
   stays fixed on every page. A cursor link to another origin is refused (an APIError), as
   is a link seen before (the server would otherwise keep us in a loop).
3. An empty ``next`` (null, "") ends the list.
4. The server's numbers only plan what a sane answer allows. A ``count`` that is not a
   whole number (a bool, a float, text), is smaller than the first page, or would plan more
   than :data:`MAX_PLANNED_PAGES` pages is not used (``next`` is followed instead). The
   page step is the ``limit`` of the ``next`` link when it is between 1 and the page size
   asked for, else the length of the first page.
5. Offset pages are positions in an order that can move while the list is read (PostHog
   lists conversations newest-updated first; any create, update or delete shifts every
   later position). :class:`PageCheck` notices it — an id seen on an earlier page, or a
   ``count`` that changed — so a list never yields a row twice silently: ``list()`` drops
   the repeat and warns at its end; ``list_df()`` reads the whole list again once, and if
   it moved again, keeps each id once and warns (ListChangedWarning). Cursor pages do
   not shift and are not checked.
6. Fewer, larger pages on a long list (:func:`grown_step`): when the
   first page came back full at the size asked (the server allows that limit) and the rest
   of the list is longer than the window's pages, the pages after the first ask for more
   rows — the remainder split over the window, at most ``GROWTH`` times the first page. A
   far link then costs a few round trips, not one per ``page_size`` rows. A server that
   caps the limit answers a grown page short; the rest of it is asked for at once
   (:func:`rest_of`), so no row is skipped. Cursor pages are not grown: PostHog's cursor
   lists (batch export runs, ``RunsCursorPagination``) have a fixed ``page_size`` of 100
   and no query parameter to change it, so ``next`` is followed as it comes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import repeat
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qs, parse_qsl, urlsplit

from ..errors import APIError, RequestInfo, redact_url
from .config import origin_of
from .request import RequestSpec

MAX_PLANNED_PAGES = 100_000
GROWTH = 5  # Rule 6: a later page asks for at most this many times the first page's rows

P = TypeVar("P")


@dataclass(frozen=True)
class PagePlan:
    """What to fetch after the first page."""

    offsets: tuple[int, ...]  # remaining offsets when the count is known (concurrent)
    page_size: int  # the ``limit`` of each of those pages (grown by Rule 6)
    follow_next: bool  # count unknown (or cursor paging): walk ``next`` links in turn
    end: int = 0  # the position after the last row wanted (the count, or the limit)
    grown: bool = False  # page_size is past what the server has been seen to allow

    @property
    def nothing_left(self) -> bool:
        """True when nothing remains to fetch."""
        return not self.offsets and not self.follow_next


def plan_pages(
    first: dict[str, Any],
    *,
    page_size: int,
    limit: int | None = None,
    start: int = 0,
    window: int | None = None,
) -> PagePlan:
    """Plan the remaining pages from the first page envelope (``window``: pages fetched at
    once, for Rule 6; None: pages of the first page's size)."""
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
    step = size
    if window is not None:
        step = grown_step(size, have if size == page_size else 0, end - start - have, window)
    return PagePlan(tuple(range(start + have, end, step)), step, False, end, step > size)


def grown_step(size: int, have: int, remaining: int, window: int) -> int:
    """Rule 6: the rows each later page asks for. Only when the first page was full at the
    size asked (``have == size``; the caller passes 0 when the server cut the size asked)
    is more asked: the remainder over the window, rounded up to whole first pages, at most
    ``GROWTH`` first pages."""
    if have < size or remaining <= size * window:
        return size
    per_page = -(-remaining // window)  # ceil
    whole = -(-per_page // size) * size
    return min(whole, size * GROWTH)


def rest_of(page: dict[str, Any], offset: int, step: int, end: int) -> tuple[int, int] | None:
    """Rule 6: a grown page the server answered short — (offset, limit) of the rows still
    missing from it — or None when it is whole (or the list ends there)."""
    got = len(page.get("results") or [])
    want = min(step, end - offset)
    if got == 0 or got >= want:
        return None  # whole, or nothing more there (the list shrank: PageCheck notices)
    return offset + got, want - got


def joined(page: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """A page with the rows of its rest appended (the newer envelope's count is kept)."""
    return {**more, "results": [*(page.get("results") or []), *(more.get("results") or [])]}


def usable_count(page: dict[str, Any]) -> int | None:
    """The page's ``count`` when it is a whole number >= 0 (not a bool), else None."""
    count = page.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count
    return None


def first_page_size(page_size: int, limit: int | None) -> int:
    """The ``limit`` of the first page: no more rows than the caller wants."""
    return max(1, min(page_size, limit)) if limit is not None else page_size


class PageCheck:
    """Rule 5: notices an order that moved between the pages of one read."""

    def __init__(self) -> None:
        self._seen: set[Any] = set()
        self.repeated: list[Any] = []
        self.counts: list[int] = []

    def fresh(self, page: dict[str, Any]) -> dict[str, Any]:
        """``page`` without the rows whose id an earlier page had (they are noted)."""
        count = usable_count(page)
        if count is not None and (not self.counts or self.counts[-1] != count):
            self.counts.append(count)
        rows = page.get("results") or []
        try:
            ids = list(map(dict.get, rows, repeat("id")))
            clash = not self._seen.isdisjoint(ids)
        except TypeError:  # a row that is not an object, or an unhashable id: row by row
            ids, clash = [], True
        if not clash:  # the usual page: no id seen before (one set operation, not a loop)
            self._seen.update(k for k in ids if type(k) is str or type(k) is int)
            return page
        kept, keys = [], set()
        for row in rows:
            key = row.get("id") if isinstance(row, dict) else None
            if isinstance(key, str | int) and not isinstance(key, bool):
                if key in self._seen:  # on an earlier page: the order moved
                    self.repeated.append(key)
                    continue
                keys.add(key)
            kept.append(row)
        self._seen |= keys
        return page if len(kept) == len(rows) else {**page, "results": kept}

    @property
    def moved(self) -> bool:
        """True when a row came twice or the count changed during the read."""
        return bool(self.repeated) or len(self.counts) > 1

    def message(self, what: str, after: str) -> str:
        """What changed during the read of ``what``, and ``after`` (what envnb did)."""
        parts = []
        if len(self.counts) > 1:
            parts.append("its count went " + " → ".join(str(c) for c in self.counts))
        if self.repeated:
            shown = ", ".join(repr(r) for r in self.repeated[:5])
            more = f" and {len(self.repeated) - 5} more" if len(self.repeated) > 5 else ""
            parts.append(f"{len(self.repeated)} row(s) came on two pages (id {shown}{more})")
        return (
            f"{what} changed while it was read page by page ({'; '.join(parts)}): {after}. "
            "Rows moved by the change may be missing; read it again for a consistent list."
        )


class PageSink(Protocol):
    """Where a transport puts a list's pages (a DataFrame builder, say)."""

    def start(self, total: int | None) -> None:
        """Called once, after the first page: the rows to expect (None when unknown)."""

    def add(self, rows: list[dict[str, Any]]) -> None:
        """One page's rows, in order."""

    def reset(self) -> None:
        """Forget every row added (the list is read again from the start)."""


class RowBudget:
    """Counts rows taken from pages against an optional ``limit``."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.taken = 0

    @property
    def full(self) -> bool:
        """True once ``limit`` rows were taken."""
        return self.limit is not None and self.taken >= self.limit

    def take(self, page: dict[str, Any]) -> list[Any]:
        """The page's results, cut to what the limit still allows."""
        results = page.get("results") or []
        if self.limit is not None:
            results = results[: max(0, self.limit - self.taken)]
        self.taken += len(results)
        return results

    def total(self, first: dict[str, Any]) -> int | None:
        """The rows to expect, from the first page's ``count`` and the limit."""
        count = usable_count(first)
        if count is not None:
            return min(count, self.limit) if self.limit is not None else count
        return self.limit


class NextLinks(Generic[P]):
    """The request for each page's ``next`` link, by the rules in the module docstring."""

    def __init__(self, first: RequestSpec[P], origin: tuple[str, str, int | None]) -> None:
        """``first``: the first page's request; ``origin``: the configured one."""
        self.first = first
        self.origin = origin
        self._seen: set[str] = set()

    def after(self, page: dict[str, Any], info: RequestInfo | None = None) -> RequestSpec[P] | None:
        """The next page's request, or None at the end; ``info`` names the request in errors."""
        link = page.get("next")
        if not link or not isinstance(link, str):
            return None
        same_origin = origin_of(link) == self.origin
        query = dict(parse_qsl(urlsplit(link).query))
        if self.first.paging != "cursor":
            if same_origin:
                return replace(self.first, url=link, params={})
            return replace(self.first, url=None, params={**self.first.params, **query})
        if not same_origin:
            raise self._refused(link, "points to another host", info)
        if "cursor" not in query:
            raise self._refused(link, "has no cursor parameter", info)
        if link in self._seen:
            raise self._refused(link, "repeats a page already read", info)
        self._seen.add(link)
        return self.first.with_params(cursor=query["cursor"])

    def _refused(self, link: str, why: str, info: RequestInfo | None) -> APIError:
        return APIError(
            status=200,
            detail=f"the server's next-page link {redact_url(link)!r} {why}; stopped paging",
            request=info,
        )


def _limit_in(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("limit")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None
