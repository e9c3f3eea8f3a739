"""A throttled flusher: buffer the latest value, hand it on at most N times a second.

Every value set on a widget resends the whole value to the browser, so a stream of 1,000
events must not become 1,000 widget updates. The latest value always wins and is never
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

    def push(self, value: T, *, ready: bool = True) -> None:
        """Buffer ``value``; deliver it now if the quiet interval has passed and ``ready``.

        ``ready=False`` (more events are already waiting) defers delivery; a timer still
        delivers it at most half an interval later if nothing else does.
        """
        self._pending = value
        wait = self._last_flush + self._interval - self._clock()
        if wait <= 0 and ready:
            self.flush()
        elif self._timer is None:
            self._schedule(wait if wait > 0 else self._interval / 2)

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


class Pacer:
    """Pacing for a stream read on an event loop: nap after each flush, then catch up.

    Every socket read through the async HTTP stack costs a fixed ~0.3 ms, and a fast stream
    sends an event every few ms. Napping one flush interval after each widget flush lets the
    events queue in the socket buffer, to be read many per read; the widget flushes only
    ~15 times a second anyway. After a nap the consumer reads at full speed and is only
    ``caught_up`` once an event had to be waited for (a gap of ``gap`` s), or ``drain`` s after
    waking at the latest, so the panel never falls behind the stream.
    """

    def __init__(
        self,
        nap: float,
        *,
        gap: float = 0.003,
        drain: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Nap ``nap`` s after a flush; an event ``gap`` s after the last means caught up."""
        self._nap = nap
        self._gap = gap
        self._drain = nap / 2 if drain is None else drain
        self._clock = clock
        self._last = float("-inf")
        self._woke = float("-inf")
        self.naps = 0

    def caught_up(self) -> bool:
        """Call once per event: True when nothing more seemed to be waiting in the buffer."""
        now = self._clock()
        waited = now - self._last >= self._gap
        self._last = now
        return waited or now - self._woke >= self._drain

    async def nap(self) -> None:
        """Sleep one interval (call right after a flush); cancellable at once."""
        self.naps += 1
        await asyncio.sleep(self._nap)
        self._woke = self._last = self._clock()

    def nap_blocking(self) -> None:
        """The same for a blocking reader (the %%chat magic): the kernel interrupt ends it."""
        self.naps += 1
        time.sleep(self._nap)
        self._woke = self._last = self._clock()


class Debounce:
    """Call ``sink`` once typing pauses: ``delay`` s after the last ``push``.

    Used for work whose cost grows with the text (parsing a JSON text area): a keystroke in
    a multi-megabyte text must not re-parse it. Without a running event loop the call
    happens at once, as there is no timer to wait on.
    """

    def __init__(self, sink: Callable[[], None], delay: float = 0.4) -> None:
        """Wrap ``sink``; ``delay`` is the pause in seconds that triggers it."""
        self._sink = sink
        self._delay = delay
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        """True while a call is waiting for the pause."""
        return self._timer is not None

    def push(self) -> None:
        """Restart the wait (or call at once when no loop is running)."""
        self.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._sink()
            return
        self._timer = loop.call_later(self._delay, self.flush)

    def flush(self) -> None:
        """Call now if a call is waiting."""
        if self._timer is None:
            return
        self.cancel()
        self._sink()

    def cancel(self) -> None:
        """Forget the waiting call."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
