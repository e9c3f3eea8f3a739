"""Paging over real loopback HTTP, on both clients: cursor links, and the page window's bound."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from loopback import Loopback

import envnb
from envnb._core.request import Endpoint
from envnb.errors import APIError

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
    count, stalled = 40, 5
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
        following = f"{server.url}/api/projects/1/conversations/?limit=1&offset={offset + 1}"
        return 200, {
            "count": count,
            "next": following if offset + 1 < count else None,
            "previous": None,
            "results": [{"id": f"c{offset:02d}"}],
        }

    with Loopback(answer) as server:
        if kind == "sync":
            with envnb.Client(server.url, KEY, 1) as client:
                df = client.conversations.list_df(page_size=1)
        else:
            async with envnb.AsyncClient(server.url, KEY, 1) as aclient:
                df = await aclient.conversations.list_df(page_size=1)
    assert list(df["id"]) == [f"c{i:02d}" for i in range(40)]
    # The window is 4 pages: the stalled one and exactly 3 after it (not 0: reading ahead
    # is what the window is for; not more: the window bounds it).
    assert after_stall[0] == 3, after_stall
