"""A throttled flusher: buffer the latest value, hand it on at most N times a second.

Every value set on a widget resends the whole value to the browser, so a stream of 1,000
frames must not become 1,000 widget updates. The latest value always wins and is never
lost: if a value arrives inside the quiet interval, a timer (when an event loop is running)
or the final :meth:`Throttle.close` delivers it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_UNSET: object = object()


class Throttle(Generic[T]):
    """Deliver the latest pushed value to ``sink`` at most once per ``interval`` seconds."""

    def __init__(
        self,
        sink: Callable[[T], None],
        interval: float = 1 / 15,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap ``sink``; ``clock`` is injectable so the logic is testable without sleeping."""
        self._sink = sink
        self._interval = interval
        self._clock = clock
        self._pending: object = _UNSET
        self._last_flush = float("-inf")
        self._timer: asyncio.TimerHandle | None = None
        self.flushes = 0

    @property
    def pending(self) -> bool:
        """True when a value is buffered and not yet delivered."""
        return self._pending is not _UNSET

    def push(self, value: T) -> None:
        """Buffer ``value``; deliver it now if the quiet interval has passed."""
        self._pending = value
        wait = self._last_flush + self._interval - self._clock()
        if wait <= 0:
            self.flush()
        elif self._timer is None:
            self._schedule(wait)

    def flush(self) -> None:
        """Deliver the buffered value now, if there is one."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending is _UNSET:
            return
        value, self._pending = self._pending, _UNSET
        self._last_flush = self._clock()
        self.flushes += 1
        self._sink(value)  # type: ignore[arg-type]

    def close(self) -> None:
        """Deliver whatever is buffered and stop any timer (call in ``finally``)."""
        self.flush()

    def _schedule(self, delay: float) -> None:
        # Without a running loop (the blocking %%chat magic) the next push or close() delivers.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.flush()
