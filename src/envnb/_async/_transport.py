"""The transport: the one request loop over httpx, driving the pure retry and paging objects.

It knows PostHog's conventions (see ``_core.wire``, ``_core.paging``) and nothing of exports, chats
or DataFrames: a resource hands it a ``RequestSpec[T]`` and gets a ``T`` back, the items of
a list, its raw pages (into a ``PageSink``), or the server-sent events of a stream.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, TypeVar

import anyio
import httpx

from .._core.concurrency import AsyncPageWindow
from .._core.config import Settings
from .._core.paging import (
    NextLinks,
    PageCheck,
    PageSink,
    RowBudget,
    first_page_size,
    joined,
    plan_pages,
    rest_of,
)
from .._core.request import RequestSpec
from .._core.retry import Done, Fail, media_type
from .._core.sse import ServerSentEvent, SSEDecoder
from .._core.wire import PAGE_WINDOW, StreamDropped, Wire, failure_of
from ..errors import ListChangedWarning, UnexpectedResponseError, describe_connection_error

T = TypeVar("T")


class AsyncTransport:
    """Sends request descriptions over one httpx connection pool."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None) -> None:
        self.wire = Wire(settings)
        self.http = httpx.AsyncClient(
            transport=transport,
            event_hooks={"response": [self._on_response]},
            **self.wire.http_options(),
        )

    async def _on_response(self, resp: httpx.Response) -> None:
        # Every answer (requests, pages, streams) passes here before it is read.
        self.wire.deprecation_notice(resp)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def request(self, spec: RequestSpec[T]) -> T:
        """Send a request (retrying when safe) and return its parsed result.

        Raises an APIError subclass for an error status, APIConnectionError/APITimeoutError
        when no usable answer arrived, RequestValidationError never (bodies are checked when
        the spec is built).
        """
        url = self.wire.url_for(spec)
        attempts = self.wire.attempts(spec)
        while True:
            try:
                resp = await self.http.request(
                    spec.method,
                    url,
                    params=spec.params or None,
                    json=spec.json,
                    headers=self.wire.headers_for(url),
                )
                out = attempts.on_response(resp.status_code, resp.headers, resp.content)
            except httpx.RequestError as exc:  # transport errors, and a body that will not decode
                out = attempts.on_error(failure_of(exc), describe_connection_error(exc))
            if isinstance(out, Done):
                return out.value
            if isinstance(out, Fail):
                raise out.error
            await anyio.sleep(out.wait)

    async def items(
        self, spec: RequestSpec[T], limit: int | None, page_size: int
    ) -> AsyncIterator[T]:
        """The parsed items of a paged list, fetching one page at a time as they are read.

        An offset list whose order moved while it was read yields no row twice and ends
        with a ListChangedWarning (``_core.paging`` Rule 5).
        """
        first = _first_page(spec, limit, page_size)
        links = NextLinks(first, self.wire.origin)
        budget = RowBudget(limit)
        check = PageCheck()
        page_spec: RequestSpec[dict[str, Any]] | None = first
        row = 0
        while page_spec is not None and not budget.full:
            page = await self.request(page_spec)
            if spec.paging == "offset":
                page = check.fresh(page)
            info = self.wire.info(page_spec)
            for item in budget.take(page):
                yield self.wire.parse_item(spec, item, row, info)
                row += 1
            page_spec = links.after(page, info)
        if check.moved:
            after = "each row was listed once"
            warnings.warn(ListChangedWarning(check.message("the list", after)), stacklevel=2)

    async def pages(
        self, spec: RequestSpec[Any], limit: int | None, page_size: int, sink: PageSink
    ) -> None:
        """Every page of a list (at most ``limit`` rows) into ``sink``, in order.

        With an offset envelope whose ``count`` is known, the pages after the first are
        fetched concurrently, at most ``PAGE_WINDOW`` held at once, and on a long list
        they ask for more rows each (``_core.paging`` Rule 6); otherwise ``next`` is
        followed one page at a time. An offset list whose order moved meanwhile is read
        once more; if it moved again each id is kept once, with a ListChangedWarning.
        """
        check = await self._read_pages(spec, limit, page_size, sink)
        if check.moved:
            sink.reset()
            check = await self._read_pages(spec, limit, page_size, sink)
            if check.moved:
                after = "it was read twice and each row is in the frame once"
                warnings.warn(ListChangedWarning(check.message("the list", after)), stacklevel=2)

    async def _read_pages(
        self, spec: RequestSpec[Any], limit: int | None, page_size: int, sink: PageSink
    ) -> PageCheck:
        first_spec = _first_page(spec, limit, page_size)
        first = await self.request(first_spec)
        plan = plan_pages(first, page_size=page_size, limit=limit, window=PAGE_WINDOW)
        budget = RowBudget(limit)
        check = PageCheck()
        sink.start(budget.total(first))

        def consume(page: dict[str, Any]) -> None:
            sink.add(budget.take(check.fresh(page) if spec.paging == "offset" else page))

        async def fetch(offset: int) -> dict[str, Any]:
            page = await self.request(first_spec.with_params(limit=plan.page_size, offset=offset))
            # A grown page (paging Rule 6) that a capped server answered short: ask for the rest.
            while plan.grown and (rest := rest_of(page, offset, plan.page_size, plan.end)):
                more = await self.request(first_spec.with_params(limit=rest[1], offset=rest[0]))
                if not more.get("results"):
                    break  # the list ended early (it shrank): PageCheck sees the count
                page = joined(page, more)
            return page

        consume(first)
        if plan.offsets:
            await AsyncPageWindow(PAGE_WINDOW).run(fetch, plan.offsets, consume)
        elif plan.follow_next:
            links = NextLinks(first_spec, self.wire.origin)
            page, page_spec = first, first_spec
            while not budget.full:
                following = links.after(page, self.wire.info(page_spec))
                if following is None:
                    break
                page, page_spec = await self.request(following), following
                consume(page)
        return check

    async def _wrong_media(
        self, spec: RequestSpec[Any], resp: httpx.Response
    ) -> UnexpectedResponseError | None:
        if media_type(resp.headers) == "text/event-stream":
            return None
        return self.wire.wrong_stream_media(spec, resp.status_code, resp.headers, await _head(resp))

    async def events(self, spec: RequestSpec[Any]) -> AsyncGenerator[ServerSentEvent, None]:
        """Send a streamed request and yield its server-sent events as they arrive.

        Raises the APIError of an error status, and StreamDropped when the connection
        failed (``answered`` tells whether it had begun). Close it to close the response.
        """
        url = self.wire.url_for(spec)
        answered = False
        dropped: StreamDropped | None = None
        try:
            async with self.http.stream(
                spec.method,
                url,
                json=spec.json,
                headers=self.wire.headers_for(url, accept="text/event-stream"),
            ) as resp:
                answered = True
                self.wire.stream_reads(resp.request)
                if resp.status_code >= 300:
                    await resp.aread()
                    raise self.wire.error_status(spec, resp.status_code, resp.headers, resp.content)
                if (wrong := await self._wrong_media(spec, resp)) is not None:
                    raise wrong  # an HTML page is not a stream: not parsed, not resumed
                decoder = SSEDecoder()
                async for chunk in resp.aiter_bytes():
                    for sse in decoder.feed(chunk):
                        yield sse
                for sse in decoder.close():
                    yield sse
        except httpx.RequestError as exc:  # transport errors, and a body that will not decode
            error = self.wire.connection_error(spec, exc)
            dropped = StreamDropped(answered, error, type(exc).__name__, failure_of(exc))
        if dropped is not None:
            # Raised outside the except block: the httpx error (its request holds the key)
            # must not become the __context__ of anything a user sees.
            raise dropped


async def _head(resp: httpx.Response, size: int = 2048) -> bytes:
    """Up to ``size`` bytes of the start of a body (for an error's excerpt)."""
    head = b""
    async for chunk in resp.aiter_bytes():
        head += chunk
        if len(head) >= size:
            break
    return head[:size]


def _first_page(
    spec: RequestSpec[Any], limit: int | None, page_size: int
) -> RequestSpec[dict[str, Any]]:
    if spec.paging == "cursor":
        return spec.page()  # cursor pages have the server's fixed size
    return spec.page(limit=first_page_size(page_size, limit), offset=0)
