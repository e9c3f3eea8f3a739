"""``client.conversations``: PostHog AI chats — list, get, stream, resume, ask, append, cancel,
the message queue and approvals (rules in ``conversations.proposals``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.arguments import Id, ident, new_uuid
from ..conversations.arguments import message_text, stream_body
from ..conversations.endpoints import ConversationEndpoints as Endpoints
from ..conversations.frames import CONVERSATION_COLUMNS
from ..conversations.models import AppendedMessage, Conversation
from ..conversations.proposals import ConversationQueue
from ..conversations.runtime import SANDBOX_RUNTIME, SessionHistory
from ..conversations.streaming import AskResult, StreamSession
from ..conversations.transcript import conversation_markdown, messages_frame
from ..errors import APIError, RequestValidationError
from ..query.pin import conversation_link
from ._listing import AsyncListing
from ._stream import AsyncEventStream
from ._transport import AsyncTransport
from .conversation_runtime import AsyncSandboxRuntime
from .queries import AsyncQueries

if TYPE_CHECKING:
    import pandas as pd

    from ..conversations.streaming import AsyncFrames


class AsyncConversations(AsyncListing[Conversation], AsyncSandboxRuntime):
    """The caller's PostHog AI conversations (and those on PostHog's sandbox runtime:
    ``conversation_runtime``)."""

    def __init__(self, transport: AsyncTransport, progress: bool | None) -> None:
        super().__init__(transport, progress, Endpoints.list, Endpoints.get, CONVERSATION_COLUMNS)

    async def get(self, id: Id) -> Conversation:
        """One conversation by id, with its messages; NotFoundError if there is none. One on
        PostHog's sandbox runtime has none: its ``runtime_notice`` says where they are."""
        conversation = await super().get(id)
        conversation.set_project(self._transport.wire.settings.project_id)
        return conversation

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

    def resume(self, conversation: Id, *, read_finished: bool = False) -> AsyncEventStream:
        """Re-attach to a reply still being generated (POST with ``content: None``).

        A reply that has finished meanwhile raises BadRequestError ("Cannot continue streaming
        from an idle conversation"); with ``read_finished=True`` the stored conversation is
        read instead and its messages are yielded (all of them: skip those you have)."""
        session = self._session(ident(conversation, "conversation"), None, {})
        if read_finished:
            session.first = session.resume  # Rule 3 applies to the first request too
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
        return await self._read(stream, content)

    async def _read(self, stream: AsyncEventStream, question: str) -> AskResult[AsyncFrames]:
        async with stream as events:
            async for _ in events:
                pass
        result: AskResult[AsyncFrames] = events.session.result()
        settings = self._transport.wire.settings
        result.question = question
        result.link = conversation_link(
            settings.base_url, settings.project_id, result.conversation_id
        )
        result.source = (settings.base_url, str(settings.project_id))
        result.runner = AsyncQueries(self._transport).frames
        return result

    def decide(
        self, id: Id, proposal_id: str, *, approve: bool, feedback: str | None = None
    ) -> AsyncEventStream:
        """Approve (or reject) a proposal in ``pending_approvals`` and stream the reply that
        acts on it (the resume PostHog's chat client sends; ``feedback`` goes with it)."""
        conversation_id = ident(id)
        payload: dict[str, Any] = {
            "action": "approve" if approve else "reject",
            "proposal_id": ident(proposal_id, "proposal_id"),
        }
        if feedback is not None:
            if not isinstance(feedback, str):  # it would be sent as a JSON number or object
                raise RequestValidationError(
                    f"feedback: must be text (a str) or None, not {type(feedback).__name__}",
                    attr="feedback",
                )
            payload["feedback"] = feedback
        first = {**stream_body(conversation_id, None, {}), "resume_payload": payload}
        session = self._session(conversation_id, None, {}, first=first)
        return AsyncEventStream(self._transport, session)

    async def approve(self, id: Id, proposal_id: str) -> AskResult[AsyncFrames]:
        """Approve a proposal: the tool runs; returns the reply that follows (an AskResult)."""
        return await self._read(self.decide(id, proposal_id, approve=True), "")

    async def reject(
        self, id: Id, proposal_id: str, feedback: str | None = None
    ) -> AskResult[AsyncFrames]:
        """Reject a proposal (with optional ``feedback``); returns the reply that follows."""
        stream = self.decide(id, proposal_id, approve=False, feedback=feedback)
        return await self._read(stream, "")

    async def queue(self, id: Id) -> ConversationQueue:
        """The messages waiting for the running reply to end (at most two)."""
        return await self._transport.request(Endpoints.queue.request({"id": ident(id)}))

    async def enqueue(self, id: Id, content: str, **options: Any) -> ConversationQueue:
        """Queue a message for when the running reply ends (checked first: a non-blank str
        of at most 40000 characters); a third queued message raises QueueFullError."""
        request = Endpoints.enqueue.request({"id": ident(id)}, body={"content": content, **options})
        return await self._transport.request(request)

    async def edit_queued(self, id: Id, queue_id: str, content: str) -> ConversationQueue:
        """Change the text of a queued message."""
        path = {"id": ident(id), "queue_id": ident(queue_id, "queue_id")}
        request = Endpoints.edit_queued.request(path, body={"content": content})
        return await self._transport.request(request)

    async def dequeue(self, id: Id, queue_id: str) -> ConversationQueue:
        """Remove a queued message (NotFoundError if it was already answered or removed)."""
        path = {"id": ident(id), "queue_id": ident(queue_id, "queue_id")}
        return await self._transport.request(Endpoints.dequeue.request(path))

    async def clear_queue(self, id: Id) -> ConversationQueue:
        """Remove every queued message."""
        return await self._transport.request(Endpoints.clear_queue.request({"id": ident(id)}))

    async def append_message(self, id: Id, content: str) -> AppendedMessage:
        """Append an assistant message without running the AI; returns AppendedMessage(id)."""
        request = Endpoints.append_message.request({"id": ident(id)}, body={"content": content})
        return await self._transport.request(request)

    async def cancel(self, id: Id) -> None:
        """Stop a reply being generated — or a queued turn starting (returns None)."""
        await self._transport.request(Endpoints.cancel.request({"id": ident(id)}))

    async def delete(self, id: Id) -> None:
        """Delete a conversation (PostHog keeps it, hidden; reading it then raises
        NotFoundError)."""
        await self._transport.request(Endpoints.delete.request({"id": ident(id)}))

    async def messages_df(self, conversation: Id) -> pd.DataFrame:
        """A conversation's messages as a DataFrame (fetched if given an id). One on PostHog's
        sandbox runtime is read from its session log (``session_messages_df``): PostHog
        returns it with no messages, and an empty frame would read as an empty conversation."""
        conv = await self._with_messages(conversation)
        if conv.agent_runtime == SANDBOX_RUNTIME:
            return await self.session_messages_df(conv)
        return messages_frame(conv)

    async def to_markdown(self, conversation: Id) -> str:
        """A conversation as Markdown for a report (fetched if given an id). One on PostHog's
        sandbox runtime is written from its session log; when that cannot be read, a note
        says where its history lives."""
        conv = await self._with_messages(conversation)
        if conv.agent_runtime == SANDBOX_RUNTIME:
            try:
                history = await self.session_messages(conv)
            except APIError:  # no access to the task's logs, or they are gone
                history = []
            if history:
                return conversation_markdown(SessionHistory(conv.title, history))
        return conversation_markdown(conv)

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
        first: dict[str, Any] | None = None,
    ) -> StreamSession:
        # ``first``: a body of its own for the first POST (a decision's resume payload); a
        # reconnect is the plain resume either way.
        first = first or stream_body(conversation_id, content, options)
        return StreamSession(
            first=Endpoints.stream.request(body=first),
            resume=Endpoints.stream.request(body=stream_body(conversation_id, None, options)),
            refetch=Endpoints.get.request({"id": conversation_id}),
            conversation_id=conversation_id,
            content=content,
            check_first=check_first,
        )
