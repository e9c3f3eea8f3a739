"""A streamed chat turn: the loop that drives a ``StreamSession`` over the transport.

The POST is sent on the first ``next()``; closing the stream closes the response. The
rules (never retry the POST, resume once, read the stored reply when the resume is
refused as idle) are the session's, in ``envnb.conversations.streaming``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, Self

from .._core.request import RequestSpec
from .._core.wire import StreamDropped
from ..conversations.models import StreamEvent
from ..conversations.streaming import StreamAssembler, StreamSession
from ..errors import APIError
from ._transport import AsyncTransport


class AsyncEventStream:
    """The events of one reply, in order; ``.assembler`` holds the reply so far.

    ``.conversation_id`` is the (client-chosen) conversation id, ``.session.resumed`` is
    True once it reconnected after a drop.
    """

    def __init__(self, transport: AsyncTransport, session: StreamSession) -> None:
        self.session = session
        self.assembler: StreamAssembler = session.assembler
        self.conversation_id = session.conversation_id
        # A plain function, not a method: the generator must not hold the stream, so a
        # stream nobody references is freed at once and its response closed.
        self._events = _run(transport, session)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop reading and close the HTTP response."""
        await self._events.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _run(
    transport: AsyncTransport, session: StreamSession
) -> AsyncGenerator[StreamEvent, None]:
    """The events of the session's requests (the POST, a resume, or the stored reply).

    Every error is raised outside the ``except`` that caught its cause: no internal or
    httpx error becomes the ``__context__`` of anything a user sees.
    """
    spec: RequestSpec[Any] | None = session.start()
    while spec is not None:
        if spec is session.refetch:
            conversation, failed = None, None
            try:
                conversation = await transport.request(session.refetch)
            except APIError as err:
                failed = err
            if failed is not None or conversation is None:
                raise session.unrecovered(failed) from failed  # type: ignore[arg-type]
            stored, spec = session.on_stored(conversation)
            for event in stored:
                yield event
            continue
        dropped: StreamDropped | None = None
        refused: APIError | None = None
        try:
            async with aclosing(transport.events(spec)) as events:
                async for sse in events:
                    for event in session.on_sse(sse):
                        yield event
        except StreamDropped as drop:
            dropped = drop
        except APIError as err:
            refused = err
        if refused is not None:
            spec = session.after_api_error(spec, refused)  # raises, or what to send next
            continue
        if dropped is not None and dropped.idle:
            # A quiet stream, not a dropped one: the resume is not spent (Rule 4).
            raise session.idle_error(transport.wire.settings.stream_idle_timeout)
        if dropped is not None and not dropped.answered and spec is session.first:
            # No answer at all to the message: ask before sending it again (Rule 5).
            spec = session.after_lost_answer(dropped.error, sent=dropped.failure.sent)
            continue
        spec = session.after_stream(dropped.name if dropped is not None else None)
