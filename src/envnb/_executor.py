"""The only two I/O loops: SyncExecutor (httpx.Client) and AsyncExecutor (httpx.AsyncClient).

Both drive the same pure objects — ``_retry.Attempts`` (retry and error decisions), the
page planner, ``frames.FrameBuilder`` and ``streaming.StreamSession`` (SSE decoding,
assembling, the one resume) — so the two loops are short and differ only in ``await``.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import uuid4

import anyio
import httpx

from . import __version__
from ._config import Settings, origin_of
from ._endpoints import RequestSpec
from ._paging import plan_pages
from ._retry import Attempts, Done, Fail, Outcome, RetryPolicy
from .errors import APIError, RequestInfo, StreamError, redact_url
from .frames import FrameBuilder
from .models.conversations import StreamEvent
from .streaming import AskResult, AsyncEventStream, EventStream, StreamSession

CONCURRENCY = 4


# ---- shared plumbing ----------------------------------------------------------------------


def in_notebook() -> bool:
    """True inside a Jupyter kernel (without importing IPython if it is not loaded)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _progress(enabled: bool | None, total: int | None, desc: str) -> Any:
    if enabled is None:
        enabled = in_notebook()
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="rows", leave=False)


class _Base:
    """What both executors share: settings, request building, retry policy."""

    def __init__(self, settings: Settings, progress: bool | None = None) -> None:
        self.settings = settings
        self.progress = progress
        self.policy = RetryPolicy(max_retries=settings.max_retries)
        self._origin = settings.origin

    def url_for(self, spec: RequestSpec) -> str:
        """Absolute URL of a spec (a ``next`` link from another origin is re-based here)."""
        if spec.url is None:
            return self.settings.project_url + spec.path
        if origin_of(spec.url) == self._origin:
            return spec.url
        # Never send the key elsewhere: keep only the page parameters of a foreign link.
        return self.settings.project_url + spec.path

    def params_for(self, spec: RequestSpec) -> dict[str, Any]:
        """Query parameters, including those of a re-based foreign ``next`` link."""
        if spec.url is not None and origin_of(spec.url) != self._origin:
            return {**spec.params, **dict(parse_qsl(urlsplit(spec.url).query))}
        return spec.params

    def headers_for(self, url: str) -> dict[str, str]:
        """Headers for a request; the key only goes to the configured origin."""
        headers = {"Accept": "application/json", "User-Agent": f"envnb/{__version__}"}
        if origin_of(url) == self._origin:
            headers["Authorization"] = "Bearer " + self.settings.api_key.reveal()
        return headers

    def info(self, spec: RequestSpec) -> RequestInfo:
        """Secret-free description of a request, for errors."""
        return RequestInfo(spec.method, redact_url(self.url_for(spec)))

    def next_spec(self, spec: RequestSpec, next_url: str) -> RequestSpec:
        """The request for a page's ``next`` link."""
        return replace(spec, url=next_url, params={})

    def offset_spec(self, spec: RequestSpec, offset: int, size: int) -> RequestSpec:
        """The request for the page at ``offset``."""
        return replace(spec, url=None, params={**spec.params, "limit": size, "offset": offset})

    def stream_session(
        self, spec: RequestSpec, resume: RequestSpec, refetch: RequestSpec, conversation_id: str
    ) -> StreamSession:
        """Pure session for a streamed turn."""
        return StreamSession(spec, resume, refetch, conversation_id)

    def http_options(self) -> dict[str, Any]:
        """Keyword arguments shared by the sync and async httpx clients."""
        return {
            "timeout": self.settings.timeout,
            "follow_redirects": False,  # a redirect to another host must not get the key
            "limits": httpx.Limits(max_connections=CONCURRENCY * 2),
        }

    def _stream_error(
        self, session: StreamSession, spec: RequestSpec, resp: httpx.Response
    ) -> RequestSpec:
        """The next step after a streamed POST answered an error status (body already read)."""
        attempts = Attempts(replace(spec, retry_safe=False), self.policy, self.info(spec))
        out = attempts.on_response(resp.status_code, resp.headers, resp.content)
        assert isinstance(out, Fail) and isinstance(out.error, APIError)
        return session.after_api_error(spec, out.error)


def _first_page(spec: RequestSpec, page_size: int, limit: int | None) -> RequestSpec:
    """The first page's request, answered as the raw page envelope."""
    return _raw(spec.with_params(limit=_first_size(page_size, limit), offset=0))


def _unrecovered(err: APIError) -> StreamError:
    """A stream whose fallback read of the stored conversation failed too."""
    return StreamError(f"the stream broke and could not be recovered: {err}")


def _raw(spec: RequestSpec) -> RequestSpec:
    return replace(spec, parse=lambda body: body)


def new_uuid() -> str:
    """A client-chosen UUID (conversation ids and trace ids)."""
    return str(uuid4())


# ---- the sync loop ------------------------------------------------------------------------


class SyncExecutor(_Base):
    """Runs request specs over an ``httpx.Client``."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        progress: bool | None = None,
    ) -> None:
        super().__init__(settings, progress)
        self.http = httpx.Client(transport=transport, **self.http_options())

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def done(self, value: Any) -> Any:
        """A value computed without I/O, returned as-is."""
        return value

    def run(self, spec: RequestSpec) -> Any:
        """Send a request (retrying when safe) and return its parsed result."""
        while True:
            value = self._once(spec)
            if spec.then is None:
                return value
            step = spec.then(value)
            if isinstance(step, Done):
                return step.value
            spec = step

    def _once(self, spec: RequestSpec) -> Any:
        url = self.url_for(spec)
        attempts = Attempts(spec, self.policy, self.info(spec))
        while True:
            try:
                resp = self.http.request(
                    spec.method,
                    url,
                    params=self.params_for(spec) or None,
                    json=spec.json,
                    headers=self.headers_for(url),
                )
                out = attempts.on_response(resp.status_code, resp.headers, resp.content)
            except httpx.RequestError as exc:  # transport errors, and a body that will not decode
                out = _on_transport_error(attempts, exc)
            if isinstance(out, Done):
                return out.value
            if isinstance(out, Fail):
                raise out.error
            time.sleep(out.wait)

    def paginate(
        self, spec: RequestSpec, limit: int | None = None, page_size: int = 100
    ) -> Iterator[Any]:
        """Lazily yield parsed items across pages, following ``next`` links."""
        parse = spec.parse
        page_spec = _first_page(spec, page_size, limit)
        yielded = 0
        while True:
            page = self._once(page_spec)
            for item in page.get("results") or []:
                if limit is not None and yielded >= limit:
                    return
                yield parse(item)
                yielded += 1
            nxt = page.get("next")
            if not nxt or (limit is not None and yielded >= limit):
                return
            page_spec = self.next_spec(page_spec, nxt)

    def frame(
        self,
        spec: RequestSpec,
        builder: FrameBuilder,
        limit: int | None = None,
        page_size: int = 1000,
        progress: bool | None = None,
    ) -> Any:
        """Fetch every page (concurrently when the count is known) into one DataFrame."""
        first_spec = _first_page(spec, page_size, limit)
        first = self._once(first_spec)
        plan = plan_pages(first, page_size=page_size, limit=limit)
        total = _total(first, limit)
        bar = _progress(self.progress if progress is None else progress, total, "fetching")
        try:
            _take(builder, first, limit, bar)
            if plan.offsets:
                specs = iter(
                    [self.offset_spec(first_spec, off, plan.page_size) for off in plan.offsets]
                )
                # A sliding window of CONCURRENCY requests, consumed in order: at most that
                # many pages are held at once (pool.map would buffer every finished page).
                with ThreadPoolExecutor(CONCURRENCY) as pool:
                    window = deque(pool.submit(self._once, s) for s in islice(specs, CONCURRENCY))
                    while window:
                        page = window.popleft().result()
                        following = next(specs, None)
                        if following is not None:
                            window.append(pool.submit(self._once, following))
                        _take(builder, page, limit, bar)
                        del page
            elif plan.follow_next:
                page = first
                while page.get("next") and not _full(builder, limit):
                    page = self._once(self.next_spec(first_spec, page["next"]))
                    _take(builder, page, limit, bar)
        finally:
            if bar is not None:
                bar.close()
        return builder.build()

    def stream(self, session: StreamSession) -> EventStream:
        """Open the stream; the returned iterator yields typed events."""
        return EventStream(self._stream(session), session)

    def _stream(self, session: StreamSession) -> Iterator[StreamEvent]:
        spec: RequestSpec | None = session.first
        while spec is not None:
            if not spec.stream:  # the refetch fallback
                try:
                    conv = self._once(spec)
                except APIError as err:
                    raise _unrecovered(err) from err
                yield from session.on_refetch(conv)
                return
            url = self.url_for(spec)
            dropped, error, answered = False, None, False
            try:
                with self.http.stream(
                    spec.method,
                    url,
                    json=spec.json,
                    headers={**self.headers_for(url), "Accept": "text/event-stream"},
                ) as resp:
                    answered = True
                    if resp.status_code >= 300:
                        resp.read()
                        spec = self._stream_error(session, spec, resp)
                        continue
                    decoder = session.decoder()
                    for chunk in resp.iter_bytes():
                        for sse in decoder.feed(chunk):
                            yield from session.on_sse(sse)
                    for sse in decoder.close():
                        yield from session.on_sse(sse)
            except httpx.RequestError as exc:  # transport errors, and a body that will not decode
                if not answered and spec is session.first:
                    # No answer at all to the first POST: a plain connection error.
                    raise _stream_connect_error(self, spec, exc) from None
                dropped, error = True, exc
            spec = session.after_stream(spec, dropped, error)

    def ask(self, session: StreamSession) -> AskResult:
        """Run a streamed turn to its end and return the final reply."""
        with self.stream(session) as events:
            for _ in events:
                pass
        return session.result()


# ---- the async loop -----------------------------------------------------------------------


class AsyncExecutor(_Base):
    """Runs request specs over an ``httpx.AsyncClient``; every method is awaitable."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: bool | None = None,
    ) -> None:
        super().__init__(settings, progress)
        self.http = httpx.AsyncClient(transport=transport, **self.http_options())

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def done(self, value: Any) -> Any:
        """A value computed without I/O, as an awaitable (so both clients read alike)."""
        return value

    async def run(self, spec: RequestSpec) -> Any:
        """Send a request (retrying when safe) and return its parsed result."""
        while True:
            value = await self._once(spec)
            if spec.then is None:
                return value
            step = spec.then(value)
            if isinstance(step, Done):
                return step.value
            spec = step

    async def _once(self, spec: RequestSpec) -> Any:
        url = self.url_for(spec)
        attempts = Attempts(spec, self.policy, self.info(spec))
        while True:
            try:
                resp = await self.http.request(
                    spec.method,
                    url,
                    params=self.params_for(spec) or None,
                    json=spec.json,
                    headers=self.headers_for(url),
                )
                out = attempts.on_response(resp.status_code, resp.headers, resp.content)
            except httpx.RequestError as exc:  # transport errors, and a body that will not decode
                out = _on_transport_error(attempts, exc)
            if isinstance(out, Done):
                return out.value
            if isinstance(out, Fail):
                raise out.error
            await anyio.sleep(out.wait)

    async def paginate(
        self, spec: RequestSpec, limit: int | None = None, page_size: int = 100
    ) -> AsyncIterator[Any]:
        """Lazily yield parsed items across pages, following ``next`` links."""
        parse = spec.parse
        page_spec = _first_page(spec, page_size, limit)
        yielded = 0
        while True:
            page = await self._once(page_spec)
            for item in page.get("results") or []:
                if limit is not None and yielded >= limit:
                    return
                yield parse(item)
                yielded += 1
            nxt = page.get("next")
            if not nxt or (limit is not None and yielded >= limit):
                return
            page_spec = self.next_spec(page_spec, nxt)

    async def frame(
        self,
        spec: RequestSpec,
        builder: FrameBuilder,
        limit: int | None = None,
        page_size: int = 1000,
        progress: bool | None = None,
    ) -> Any:
        """Fetch every page (concurrently when the count is known) into one DataFrame."""
        first_spec = _first_page(spec, page_size, limit)
        first = await self._once(first_spec)
        plan = plan_pages(first, page_size=page_size, limit=limit)
        bar = _progress(
            self.progress if progress is None else progress, _total(first, limit), "fetching"
        )
        try:
            _take(builder, first, limit, bar)
            if plan.offsets:
                specs = [self.offset_spec(first_spec, off, plan.page_size) for off in plan.offsets]
                pages: list[Any] = [None] * len(specs)
                ready = 0
                limiter = anyio.Semaphore(CONCURRENCY)

                async def fetch(i: int) -> None:
                    nonlocal ready
                    async with limiter:
                        pages[i] = await self._once(specs[i])
                    # Hand pages to the builder in order, as soon as they are contiguous.
                    while ready < len(pages) and pages[ready] is not None:
                        _take(builder, pages[ready], limit, bar)
                        pages[ready] = True
                        ready += 1

                try:
                    async with anyio.create_task_group() as tg:
                        for i in range(len(specs)):
                            tg.start_soon(fetch, i)
                except BaseExceptionGroup as group:
                    # Callers catch envnb errors, not task-group wrappers: raise the first.
                    raise _first_leaf(group) from None
            elif plan.follow_next:
                page = first
                while page.get("next") and not _full(builder, limit):
                    page = await self._once(self.next_spec(first_spec, page["next"]))
                    _take(builder, page, limit, bar)
        finally:
            if bar is not None:
                bar.close()
        return builder.build()

    def stream(self, session: StreamSession) -> AsyncEventStream:
        """Open the stream; the returned async iterator yields typed events."""
        return AsyncEventStream(self._stream(session), session)

    async def _stream(self, session: StreamSession) -> AsyncIterator[StreamEvent]:
        spec: RequestSpec | None = session.first
        while spec is not None:
            if not spec.stream:
                try:
                    conv = await self._once(spec)
                except APIError as err:
                    raise _unrecovered(err) from err
                for event in session.on_refetch(conv):
                    yield event
                return
            url = self.url_for(spec)
            dropped, error, answered = False, None, False
            try:
                async with self.http.stream(
                    spec.method,
                    url,
                    json=spec.json,
                    headers={**self.headers_for(url), "Accept": "text/event-stream"},
                ) as resp:
                    answered = True
                    if resp.status_code >= 300:
                        await resp.aread()
                        spec = self._stream_error(session, spec, resp)
                        continue
                    decoder = session.decoder()
                    async for chunk in resp.aiter_bytes():
                        for sse in decoder.feed(chunk):
                            for event in session.on_sse(sse):
                                yield event
                    for sse in decoder.close():
                        for event in session.on_sse(sse):
                            yield event
            except httpx.RequestError as exc:  # transport errors, and a body that will not decode
                if not answered and spec is session.first:
                    # No answer at all to the first POST: a plain connection error.
                    raise _stream_connect_error(self, spec, exc) from None
                dropped, error = True, exc
            spec = session.after_stream(spec, dropped, error)

    async def ask(self, session: StreamSession) -> AskResult:
        """Run a streamed turn to its end and return the final reply."""
        events = self.stream(session)
        try:
            async for _ in events:
                pass
        finally:
            await events.aclose()
        return session.result()


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


def _on_transport_error(attempts: Attempts, exc: Exception) -> Outcome:
    return attempts.on_error(type(exc).__name__, timed_out=isinstance(exc, httpx.TimeoutException))


def _stream_connect_error(ex: _Base, spec: RequestSpec, exc: Exception) -> Exception:
    out = _on_transport_error(
        Attempts(replace(spec, retry_safe=False), ex.policy, ex.info(spec)), exc
    )
    assert isinstance(out, Fail)
    return out.error


# ---- page helpers -------------------------------------------------------------------------


def _first_size(page_size: int, limit: int | None) -> int:
    return max(1, min(page_size, limit)) if limit is not None else page_size


def _total(first: dict[str, Any], limit: int | None) -> int | None:
    count = first.get("count")
    if isinstance(count, int):
        return min(count, limit) if limit is not None else count
    return limit


def _full(builder: FrameBuilder, limit: int | None) -> bool:
    return limit is not None and builder.rows >= limit


def _take(builder: FrameBuilder, page: dict[str, Any], limit: int | None, bar: Any) -> None:
    results = page.get("results") or []
    if limit is not None:
        results = results[: max(0, limit - builder.rows)]
    added = builder.add(results)
    if bar is not None:
        bar.update(added)
