"""The log of one streamed reply: SSE frames in order, followed live by every reader.

Its own module so that the server state (``context.State``) can hold logs without
importing the stream handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from .._util import dumps

KEEPALIVE = b": keepalive\n\n"


def frame(event: str, data: dict[str, Any]) -> bytes:
    """One SSE frame as PostHog writes it; message fields that are None are omitted."""
    if event == "message":
        data = {k: v for k, v in data.items() if v is not None}
    return f"event: {event}\ndata: {dumps(data)}\n\n".encode()


class StreamLog:
    """Frames of one reply, in order; followers wait on an event for new frames."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.done = False
        self.cancel_requested = False
        self.task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    def push(self, data: bytes) -> None:
        """Append a frame and wake followers."""
        self.frames.append(data)
        self._wake()

    def close(self) -> None:
        """Mark the log complete."""
        self.done = True
        self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def follow(self, keepalive: float) -> AsyncIterator[bytes]:
        """Every frame from the start, then live ones until the log closes; a
        ``: keepalive`` comment after ``keepalive`` seconds of silence (as PostHog does)."""
        index = 0
        while True:
            while index < len(self.frames):
                yield self.frames[index]
                index += 1
            if self.done:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), keepalive)
            except TimeoutError:
                yield KEEPALIVE
