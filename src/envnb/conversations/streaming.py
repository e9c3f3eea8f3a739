"""Streams, sans-I/O: StreamAssembler (reply state from events, in ``assembler.py``) and
StreamSession (one turn: assembling, and the rules for the single resume). The I/O loop
that drives a session is ``_async/_stream.py`` (and its generated twin).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._core.sse import ServerSentEvent
from ..errors import APIError, BadRequestError, RequestValidationError, StreamError
from ..query.results import Visualization, visualizations
from .answers import pin as pin_cell
from .assembler import FINAL_TYPES, Change, ChangeKind, StreamAssembler
from .models import (
    BaseMessage,
    Conversation,
    MessageEvent,
    StreamEvent,
    UnknownEvent,
    parse_event,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

    import pandas as pd

    from .._core.request import RequestSpec

    # What AskResult.frames() gives on each client (``_async`` names the first; the
    # generated ``_sync`` twin names the second).
    AsyncFrames = Awaitable[list[pd.DataFrame]]
    SyncFrames = list[pd.DataFrame]

F = TypeVar("F")

__all__ = [
    "FINAL_TYPES",
    "AskResult",
    "Change",
    "ChangeKind",
    "StreamAssembler",
    "StreamSession",
]


# ---- one streamed turn ---------------------------------------------------------------------


@dataclass
class AskResult(Generic[F]):
    """What ``ask()`` returns: the final reply ``text`` and where it lives; for the reply's
    charts ``queries`` (Visualization(title, query, message_id) per ``ai/viz`` answer,
    ``ai/multi_viz`` visualization and visualization artifact), ``frames()`` and ``pin()``."""

    text: str
    conversation_id: str
    title: str | None = None
    failed: bool = False
    messages: list[Any] = field(default_factory=list)
    question: str = ""
    link: str | None = None  # the conversation in PostHog's app
    source: tuple[str, str] | None = None  # host and project of the client that asked
    runner: Callable[[Sequence[Visualization]], F] | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.text

    @property
    def queries(self) -> list[Visualization]:
        """The queries of the reply's charts, in order."""
        return visualizations(self.messages)

    def frames(self) -> F:
        """Each chart's DataFrame, in order, from the query API (a list; with the AsyncClient,
        an awaitable of one). Raises what ``client.query`` raises."""
        if self.runner is None:
            raise RequestValidationError(
                "this AskResult has no client to run its queries: use "
                "client.query_df(q.query) for q in result.queries"
            )
        return self.runner(self.queries)

    def pin(self) -> str:
        """Write the next notebook cell re-running the charts' queries (no AI call) and
        return its code; RequestValidationError when the reply has no chart."""
        return pin_cell(self.question, self.queries, self.link, self.source)


class StreamSession:
    """Pure state of one streamed turn: assembling, and the rules for resuming.

    Rule 1: the first POST is never retried (it may store the human message twice); no
    answer at all to it is a plain connection error, an error status is raised as is.
    Rule 2: a stream that ends (or drops) before the turn finished is resumed once, by a
    POST with ``content: None``; a second early end is a StreamError.
    Rule 3: when the resume is refused as "idle" (400), the reply finished meanwhile: the
    stored conversation is read instead and its new messages are yielded.
    Rule 4: a stream that stays open but sends nothing (not even PostHog's 15-second
    keepalive) for the client's ``stream_idle_timeout`` is a StreamError saying so; it is
    not a dropped connection and does not spend the resume of Rule 2.
    Rule 5 (ask before sending again): when the first POST may have reached the server but
    its answer was lost (a timeout, a connection broken after sending), the session asks
    with a resume (``content: None``; the conversation id is the client's, so this is
    always possible): a running turn of this message is streamed (that spends the resume of
    Rule 2; a running turn of another message is a StreamError, nothing is sent); an idle
    conversation whose last human message is this one is read (its stored reply is the
    answer). Otherwise the lost answer's error is raised: the message may still be on its
    way, so it is not sent again within the turn. A later attempt with ``check_first=True``
    asks the same way first and sends only when the server does not have the message
    ("non-existent conversation", or another last human message).
    """

    def __init__(
        self,
        first: RequestSpec[None],
        resume: RequestSpec[None],
        refetch: RequestSpec[Conversation],
        conversation_id: str,
        *,
        content: str | None = None,
        check_first: bool = False,
    ) -> None:
        self.first = first
        self.resume = resume
        self.refetch = refetch
        self.conversation_id = conversation_id
        self.content = content
        self.assembler = StreamAssembler()
        self.resumed = False
        self.asking = check_first and content is not None  # Rule 5: the resume is a question
        self._asked = self.asking
        self._lost: Exception | None = None  # the lost answer's error, when asking on our own

    def start(self) -> RequestSpec[None]:
        """The first request: the message, or (Rule 5, ``check_first``) the question."""
        return self.resume if self.asking else self.first

    def after_lost_answer(self, error: Exception, *, sent: bool) -> RequestSpec[None]:
        """The first POST got no answer at all: ask first if it may have been stored (Rule 5).

        Raises ``error`` when nothing left the machine or the question was asked already.
        """
        if not sent or self._asked or self.content is None:
            raise error
        self.asking = self._asked = True
        self._lost = error
        return self.resume

    def _send_or_raise(self) -> RequestSpec[None]:
        """The server does not have the message (yet): send it, unless its answer was lost
        in this turn — then it may still arrive, and the lost answer's error is raised."""
        self.asking = False
        if self._lost is not None:
            raise self._lost
        return self.first

    def on_stored(
        self, conversation: Conversation
    ) -> tuple[list[StreamEvent], RequestSpec[None] | None]:
        """The stored conversation (Rules 3 and 5): the events to yield and what to send next."""
        if not self.asking:
            return self.on_refetch(conversation), None
        self.asking = False
        humans = [i for i, m in enumerate(conversation.messages) if m.type == "human"]
        last = humans[-1] if humans else None
        if last is None or conversation.messages[last].content != self.content:
            return [], self._send_or_raise()
        out: list[StreamEvent] = []
        for msg in conversation.messages[last:]:
            event = MessageEvent(msg)
            if self.assembler.feed(event):
                out.append(event)
        return out, None

    def on_sse(self, sse: ServerSentEvent) -> list[StreamEvent]:
        """Turn one SSE event into the typed events worth yielding (replays are dropped)."""
        self.resumed = self.resumed or self.asking  # Rule 5: asking spends the one resume
        try:
            data = json.loads(sse.data) if sse.data else None
        except ValueError:
            return [UnknownEvent(sse.event, sse.data)]
        try:
            event = parse_event(sse.event, data)
        except ValueError:
            return [UnknownEvent(sse.event, data)]
        if isinstance(event, UnknownEvent):
            return [event]
        if self.asking and isinstance(event, MessageEvent):
            self._running_turn(event.message)
        return [event] if self.assembler.feed(event) else []

    def _running_turn(self, first: BaseMessage) -> None:
        """Rule 5: a turn is running; its replay starts with its human message."""
        self.asking = False
        if first.type == "human" and first.content != self.content:
            raise StreamError(
                f"conversation {self.conversation_id} is answering another message, so yours "
                "was not sent; wait for that reply (or stop it) and send again"
            )

    def after_stream(self, dropped_by: str | None) -> RequestSpec[None] | None:
        """After a connection ended: None when the turn is complete, else the resume request.

        ``dropped_by`` names the connection error when it broke (None: it ended normally).
        """
        asm = self.assembler
        if asm.failed or asm.finished:
            return None
        if not self.resumed:
            self.resumed = True
            return self.resume
        why = "the stream ended" if dropped_by is None else f"the connection dropped ({dropped_by})"
        # Not chained: an httpx error holds its request, whose headers carry the API key.
        raise StreamError(
            f"{why} before the reply was complete, and resuming once did not finish it "
            f"(conversation {self.conversation_id})"
        ) from None

    def after_api_error(self, spec: RequestSpec[None], err: APIError) -> RequestSpec[Any] | None:
        """An error status on a stream request: raise it, or the request to send next."""
        if spec is self.first and spec is not self.resume:
            raise err
        if spec is self.resume and isinstance(err, BadRequestError):
            if self.asking and "non-existent" in (err.detail or ""):
                return self._send_or_raise()  # Rule 5: nothing stored (yet)
            # "Cannot continue streaming from an idle conversation": the reply finished
            # while we were reconnecting (or asking) — read it instead (Rules 3 and 5).
            return self.refetch
        raise StreamError(
            f"the stream broke and could not be resumed: {err} "
            f"(conversation {self.conversation_id})"
        ) from err

    def idle_error(self, seconds: float) -> StreamError:
        """Rule 4: an open stream that sent nothing, not even a keepalive, for ``seconds``."""
        return StreamError(
            f"the reply sent nothing for {seconds:g} s (the stream idle limit, "
            f"Client(stream_idle_timeout=...)); the connection is open but quiet, so the reply "
            f"may still be running: conversations.resume({self.conversation_id!r}) reads it "
            f"(conversation {self.conversation_id})"
        )

    def unrecovered(self, err: APIError) -> StreamError:
        """The error when reading the stored conversation failed too."""
        return StreamError(f"the stream broke and could not be recovered: {err}")

    def on_refetch(self, conversation: Conversation) -> list[StreamEvent]:
        """Feed the stored messages of a conversation that went idle; return the new ones."""
        # The server said the conversation is idle, so its stored messages are the whole turn.
        out: list[StreamEvent] = []
        for msg in conversation.messages:
            event = MessageEvent(msg)
            if self.assembler.feed(event):
                out.append(event)
        return out

    def result(self) -> AskResult[Any]:
        """The turn's outcome for ``ask()``."""
        asm = self.assembler
        return AskResult(
            text=asm.reply,
            conversation_id=asm.conversation_id or self.conversation_id,
            title=asm.title,
            failed=asm.failed,
            messages=list(asm.messages),
        )
