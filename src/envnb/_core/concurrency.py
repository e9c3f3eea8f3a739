"""What differs in kind between the two clients, written twice side by side.

Everything else under ``_sync/`` is generated from ``_async/``. The page window fetches a
list's remaining pages concurrently and hands them to ``consume`` in order, holding at most
``size`` pages at once (in flight, or finished and waiting for an earlier one): a stalled page
never makes the others pile up in memory. The async one runs tasks in a task group, the sync
one runs threads in a pool; both start the next fetch only when a page has been consumed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

import anyio

A = TypeVar("A")
R = TypeVar("R")


class AsyncPageWindow:
    """``fetch`` each argument on a task group, at most ``size`` results held at once."""

    def __init__(self, size: int) -> None:
        self.size = size

    async def run(
        self, fetch: Callable[[A], Awaitable[R]], args: Iterable[A], consume: Callable[[R], None]
    ) -> None:
        """Fetch concurrently, consume in order; the first failure is raised as itself."""
        pending = iter(args)
        slots: deque[_Slot[R]] = deque()

        def start(tg: anyio.abc.TaskGroup) -> None:
            for arg in pending:
                slot: _Slot[R] = _Slot()
                slots.append(slot)
                tg.start_soon(slot.fill, fetch, arg)
                return

        try:
            async with anyio.create_task_group() as tg:
                for _ in range(self.size):
                    start(tg)
                while slots:
                    slot = slots.popleft()
                    await slot.ready.wait()
                    value = slot.take()
                    start(tg)  # a page was taken: one more may be fetched
                    consume(value)
        except BaseExceptionGroup as group:
            # Callers catch envnb errors, not task-group wrappers: raise the first.
            raise _first_leaf(group) from None


class _Slot(Generic[R]):
    value: R

    def __init__(self) -> None:
        self.ready = anyio.Event()

    async def fill(self, fetch: Callable[[A], Awaitable[R]], arg: A) -> None:
        self.value = await fetch(arg)
        self.ready.set()

    def take(self) -> R:
        value = self.value
        del self.value  # the window no longer holds it
        return value


class PageWindow:
    """``fetch`` each argument on a thread pool, at most ``size`` results held at once."""

    def __init__(self, size: int) -> None:
        self.size = size

    def run(self, fetch: Callable[[A], R], args: Iterable[A], consume: Callable[[R], None]) -> None:
        """Fetch concurrently, consume in order; the first failure is raised as itself."""
        pending = iter(args)
        with ThreadPoolExecutor(self.size) as pool:
            # pool.map would buffer every finished page; this window holds at most ``size``.
            futures: deque[Future[R]] = deque()

            def start() -> None:
                for arg in pending:
                    futures.append(pool.submit(fetch, arg))
                    return

            for _ in range(self.size):
                start()
            try:
                while futures:
                    value = futures.popleft().result()
                    start()
                    consume(value)
                    del value
            finally:
                for future in futures:
                    future.cancel()


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc
