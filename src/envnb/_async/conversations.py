"""``client.conversations``: PostHog AI chats — list, get, stream, resume, ask, append, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.arguments import Id, ident, new_uuid
from ..conversations.arguments import message_text, stream_body
from ..conversations.endpoints import ConversationEndpoints as Endpoints
from ..conversations.frames import CONVERSATION_COLUMNS
from ..conversations.models import AppendedMessage, Conversation
from ..conversations.streaming import AskResult, StreamSession
from ..conversations.transcript import conversation_markdown, messages_frame
from ..query.pin import conversation_link
from ._listing import AsyncListing
from ._stream import AsyncEventStream
from ._transport import AsyncTransport
from .queries import AsyncQueries

if TYPE_CHECKING:
    import pandas as pd

    from ..conversations.streaming import AsyncFrames


class AsyncConversations(AsyncListing[Conversation]):
    """The caller's PostHog AI conversations."""

    def __init__(self, transport: AsyncTransport, progress: bool | None) -> None:
        super().__init__(transport, progress, Endpoints.list, Endpoints.get, CONVERSATION_COLUMNS)

    def stream(
        self,
        content: str,
        conversation: Id | None = None,
        *,
        check_first: bool = False,
        **options: Any,
    ) -> AsyncEventStream:
        """Send a message and stream the reply as typed events.

        Yields ConversationEvent, StatusEvent, MessageEvent and UpdateEvent; ``.assembler``
        holds the reply so far and ``.conversation_id`` the conversation (a new one gets a
        client-chosen UUID). If the connection drops mid-reply the stream resumes once
        (``content: None``); after that it raises StreamError. Closing it closes the response.

        The message is never sent twice: when the answer to it is lost (a timeout), or with
        ``check_first=True`` (an earlier attempt may have reached the server), the
        conversation is asked first — a running reply is streamed, a stored answer to this
        same message is read, and only a message the server does not have is sent.
        """
        conversation_id = (
            ident(conversation, "conversation") if conversation is not None else new_uuid()
        )
        session = self._session(
            conversation_id, message_text(content), options, check_first=check_first
        )
        return AsyncEventStream(self._transport, session)

    def resume(self, conversation: Id) -> AsyncEventStream:
        """Re-attach to a reply still being generated (POST with ``content: None``)."""
        session = self._session(ident(conversation, "conversation"), None, {})
        return AsyncEventStream(self._transport, session)

    async def ask(
        self,
        content: str,
        conversation: Id | None = None,
        *,
        check_first: bool = False,
        **options: Any,
    ) -> AskResult[AsyncFrames]:
        """Send a message, wait for the whole reply, return an AskResult: ``.text``, and for
        its charts ``.queries``, ``.frames()`` (run through the query API) and ``.pin()``.

        ``check_first``: as for :meth:`stream` (never sends the message twice)."""
        stream = self.stream(content, conversation, check_first=check_first, **options)
        async with stream as events:
            async for _ in events:
                pass
        result: AskResult[AsyncFrames] = events.session.result()
        settings = self._transport.wire.settings
        result.question = content
        result.link = conversation_link(
            settings.base_url, settings.project_id, result.conversation_id
        )
        result.source = (settings.base_url, str(settings.project_id))
        result.runner = AsyncQueries(self._transport).frames
        return result

    async def append_message(self, id: Id, content: str) -> AppendedMessage:
        """Append an assistant message without running the AI; returns AppendedMessage(id)."""
        request = Endpoints.append_message.request({"id": ident(id)}, body={"content": content})
        return await self._transport.request(request)

    async def cancel(self, id: Id) -> None:
        """Stop a reply being generated (idempotent; returns None)."""
        await self._transport.request(Endpoints.cancel.request({"id": ident(id)}))

    async def delete(self, id: Id) -> None:
        """Delete a conversation (PostHog keeps it, hidden; reading it then raises
        NotFoundError)."""
        await self._transport.request(Endpoints.delete.request({"id": ident(id)}))

    async def messages_df(self, conversation: Id) -> pd.DataFrame:
        """A conversation's messages as a DataFrame (fetched if given an id)."""
        return messages_frame(await self._with_messages(conversation))

    async def to_markdown(self, conversation: Id) -> str:
        """A conversation as Markdown for a report (fetched if given an id)."""
        return conversation_markdown(await self._with_messages(conversation))

    async def _with_messages(self, conversation: Id) -> Conversation:
        if isinstance(conversation, Conversation) and conversation.messages:
            return conversation
        return await self.get(conversation)

    def _session(
        self,
        conversation_id: str,
        content: str | None,
        options: dict[str, Any],
        *,
        check_first: bool = False,
    ) -> StreamSession:
        return StreamSession(
            first=Endpoints.stream.request(body=stream_body(conversation_id, content, options)),
            resume=Endpoints.stream.request(body=stream_body(conversation_id, None, options)),
            refetch=Endpoints.get.request({"id": conversation_id}),
            conversation_id=conversation_id,
            content=content,
            check_first=check_first,
        )
