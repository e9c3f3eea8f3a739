"""A streamed chat turn: the loop that drives a ``StreamSession`` over the transport.

The POST is sent on the first ``next()``; closing the stream closes the response. The
rules (never retry the POST, resume once, read the stored reply when the resume is
refused as idle) are the session's, in ``envnb.streaming``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Self

from .._request import RequestSpec
from .._wire import StreamDropped
from ..errors import APIError
from ..models.conversations import StreamEvent
from ..streaming import StreamAssembler, StreamSession
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
    """The events of the session's requests (the POST, a resume, or the stored reply)."""
    spec: RequestSpec[None] | None = session.first
    read_stored = False
    unanswered: Exception | None = None
    while spec is not None:
        dropped_by = None
        try:
            async with aclosing(transport.events(spec)) as events:
                async for sse in events:
                    for event in session.on_sse(sse):
                        yield event
        except StreamDropped as drop:
            if not drop.answered and spec is session.first:
                unanswered = drop.error  # no answer at all to the first POST
                break
            dropped_by = drop.name
        except APIError as err:
            session.after_api_error(spec, err)  # raises unless the reply is to be read
            read_stored = True
            break
        spec = session.after_stream(dropped_by)
    if unanswered is not None:
        raise unanswered  # outside the except block: no internal error as its __context__
    if read_stored:
        try:
            conversation = await transport.request(session.refetch)
        except APIError as err:
            raise session.unrecovered(err) from err
        for event in session.on_refetch(conversation):
            yield event
