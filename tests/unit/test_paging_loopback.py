"""Paging over real loopback HTTP, on both clients: cursor links, and the page window's bound."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from loopback import Loopback

import envnb
from envnb._core.request import Endpoint
from envnb.errors import APIError, NotFoundError

KEY = "phx_" + "k" * 40
KINDS = ["sync", "async"]
# A cursor-paged list as issue 13's runs/backfills are declared (the id is the item).
ITEMS = Endpoint("GET", "items/", None, lambda item: str(item["id"]), paging="cursor")
BASE = "/api/projects/1/items/"


class Rows:
    """A PageSink that keeps what it is given."""

    def __init__(self) -> None:
        self.total: int | None = -1
        self.rows: list[dict[str, Any]] = []

    def start(self, total: int | None) -> None:
        self.total = total

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)


async def _items(kind: str, url: str, **params: Any) -> list[str]:
    request = ITEMS.request(params=params)
    if kind == "sync":
        with envnb.Client(url, KEY, 1) as client:
            return list(client._transport.items(request, None, 100))
    async with envnb.AsyncClient(url, KEY, 1) as aclient:
        return [item async for item in aclient._transport.items(request, None, 100)]


async def _pages(kind: str, url: str, **params: Any) -> Rows:
    sink, request = Rows(), ITEMS.request(params=params)
    if kind == "sync":
        with envnb.Client(url, KEY, 1) as client:
            client._transport.pages(request, None, 100, sink)
    else:
        async with envnb.AsyncClient(url, KEY, 1) as aclient:
            await aclient._transport.pages(request, None, 100, sink)
    return sink


def _cursor_pages(next_links: dict[str | None, str | None]) -> Any:
    """Pages keyed by the cursor asked for; each page's one item is named after its cursor."""

    def answer(path: str, query: dict[str, str]) -> tuple[int, Any]:
        cursor = query.get("cursor")
        return 200, {
            "next": next_links[cursor],
            "previous": None,
            "results": [{"id": cursor or "first"}],
        }

    return answer


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_cursor_next_followed_with_the_callers_query_fixed(kind: str) -> None:
    links: dict[str | None, str | None] = {}
    with Loopback(_cursor_pages(links)) as server:
        # The server's links carry a different status and an extra parameter: ignored.
        links.update(
            {
                None: f"{server.url}{BASE}?cursor=c2&status=Completed&extra=1",
                "c2": f"{server.url}{BASE}?cursor=c3&status=Completed",
                "c3": None,
            }
        )
        ids = await _items(kind, server.url, status="Failed")
        sink = await _pages(kind, server.url, status="Failed")
    assert ids == ["first", "c2", "c3"]
    assert [row["id"] for row in sink.rows] == ["first", "c2", "c3"]
    assert sink.total is None  # a cursor page has no count
    assert server.seen[:3] == [
        (BASE, {"status": "Failed"}),
        (BASE, {"status": "Failed", "cursor": "c2"}),
        (BASE, {"status": "Failed", "cursor": "c3"}),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_cursor_link_to_another_host_is_refused(kind: str) -> None:
    links = {None: "https://evil.example.net/api/projects/1/items/?cursor=c2"}
    with Loopback(_cursor_pages(links)) as server:
        with pytest.raises(APIError, match="points to another host") as err:
            await _items(kind, server.url)
        assert len(server.seen) == 1
    assert KEY not in str(err.value)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_cursor_link_that_repeats_is_refused(kind: str) -> None:
    links: dict[str | None, str | None] = {}
    with Loopback(_cursor_pages(links)) as server:
        links.update({None: f"{server.url}{BASE}?cursor=c2", "c2": f"{server.url}{BASE}?cursor=c2"})
        with pytest.raises(APIError, match="repeats a page already read"):
            await _pages(kind, server.url)
        assert [query.get("cursor") for _, query in server.seen] == [None, "c2"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_list_df_holds_at_most_the_window_while_one_page_stalls(kind: str) -> None:
    # Pages of 1 row, then (paging Rule 6) of 5: offsets 0, 1, 6, 11, 16, 21... The page at
    # offset 6 stalls while 1 is consumed and 11, 16, 21 fill the window.
    count, stalled = 40, 6
    after_stall: list[int] = []
    lock = threading.Lock()
    window_full = threading.Event()  # the client asked for 3 pages past the stalled one

    def ahead() -> int:
        return sum(1 for _, q in server.seen if int(q.get("offset", "0")) > stalled)

    def answer(path: str, query: dict[str, str]) -> tuple[int, Any]:
        offset = int(query.get("offset", "0"))
        if offset > stalled and ahead() >= 3:
            window_full.set()
        if offset == stalled:
            # Held until the client has used its window: a client reading one page at a
            # time never gets there (the wait's bound then fails the test, it is no slack).
            window_full.wait(timeout=30)
            with lock:
                after_stall.append(ahead())
        return 200, _offset_page(server.url, count, offset, int(query["limit"]))

    with Loopback(answer) as server:
        if kind == "sync":
            with envnb.Client(server.url, KEY, 1) as client:
                df = client.conversations.list_df(page_size=1)
        else:
            async with envnb.AsyncClient(server.url, KEY, 1) as aclient:
                df = await aclient.conversations.list_df(page_size=1)
    assert list(df["id"]) == [f"c{i:04d}" for i in range(40)]
    # The window is 4 pages: the stalled one and exactly 3 after it (not 0: reading ahead
    # is what the window is for; not more: the window bounds it).
    assert after_stall[0] == 3, after_stall


def _offset_page(url: str, count: int, offset: int, limit: int) -> dict[str, Any]:
    """DRF's LimitOffsetPagination page of rows ``c0000``, ``c0001``, …"""
    end = min(offset + limit, count)
    following = f"{url}/api/projects/1/conversations/?limit={limit}&offset={end}"
    return {
        "count": count,
        "next": following if end < count else None,
        "previous": None,
        "results": [{"id": f"c{i:04d}"} for i in range(offset, end)],
    }


async def _list_df(kind: str, url: str, page_size: int) -> Any:
    if kind == "sync":
        with envnb.Client(url, KEY, 1, max_retries=0) as client:
            return client.conversations.list_df(page_size=page_size)
    async with envnb.AsyncClient(url, KEY, 1, max_retries=0) as aclient:
        return await aclient.conversations.list_df(page_size=page_size)


def _asked(server: Loopback) -> list[tuple[int, int]]:
    return sorted((int(q["offset"]), int(q["limit"])) for _, q in server.seen)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_a_long_list_comes_in_larger_pages_every_row_once_in_order(kind: str) -> None:
    with Loopback(
        lambda path, q: (200, _offset_page(server.url, 2500, int(q["offset"]), int(q["limit"])))
    ) as server:
        df = await _list_df(kind, server.url, page_size=100)
    assert list(df["id"]) == [f"c{i:04d}" for i in range(2500)]
    # The first page of 100 was full, so the other 2,400 rows come in pages of 500 (at most
    # five first pages each; the remainder over a window of 4 would be 600).
    assert _asked(server) == [
        (0, 100),
        (100, 500),
        (600, 500),
        (1100, 500),
        (1600, 500),
        (2100, 500),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_a_server_that_caps_the_limit_still_gives_every_row_once_in_order(
    kind: str,
) -> None:
    def capped(path: str, query: dict[str, str]) -> tuple[int, Any]:
        # This server answers at most 100 rows whatever limit is asked (its max_limit).
        limit = min(int(query["limit"]), 100)
        return 200, _offset_page(server.url, 1000, int(query["offset"]), limit)

    with Loopback(capped) as server:
        df = await _list_df(kind, server.url, page_size=100)
    assert list(df["id"]) == [f"c{i:04d}" for i in range(1000)]
    # The other 900 rows over a window of 4: pages of 300 (whole first pages), asked for at
    # 100, 400, 700; each came back with 100 rows and the rest of it was asked for.
    assert _asked(server) == [
        (0, 100), (100, 300), (200, 200), (300, 100), (400, 300), (500, 200), (600, 100),
        (700, 300), (800, 200), (900, 100),
    ]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_a_page_that_fails_stops_the_listing_with_its_own_error(kind: str) -> None:
    def failing(path: str, query: dict[str, str]) -> tuple[int, Any]:
        if int(query["offset"]) == 1100:
            return 404, {"type": "invalid_request", "code": "not_found", "detail": "Gone."}
        return 200, _offset_page(server.url, 100_000, int(query["offset"]), int(query["limit"]))

    with Loopback(failing) as server, pytest.raises(NotFoundError, match="Gone"):
        await _list_df(kind, server.url, page_size=100)
    # Pages of 500 from offset 100: the failing one is the third. Asked for: the first page,
    # the two before it (each consumed page lets one more start) and at most four in flight.
    assert len(server.seen) <= 7
