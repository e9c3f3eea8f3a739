"""``client.conversations``: PostHog AI chats — list, get, stream, resume, ask, append, cancel."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .._endpoints import CONVERSATIONS as EP
from .._endpoints import Done
from .._executor import new_uuid
from ..frames import CONVERSATION_COLUMNS, conversation_markdown, messages_frame
from ..models.conversations import Conversation
from ._base import ListableResource, ident

if TYPE_CHECKING:
    import pandas as pd

    from ..models.conversations import AppendedMessage
    from ..streaming import AskResult, EventStream


class Conversations(ListableResource[Conversation]):
    """The caller's PostHog AI conversations."""

    _endpoints = EP
    _columns = CONVERSATION_COLUMNS

    def stream(self, content: str, conversation: Any = None, **options: Any) -> EventStream:
        """Send a message and stream the reply as typed events.

        Returns an iterator (async iterator on AsyncClient) of ConversationEvent,
        StatusEvent, MessageEvent and UpdateEvent, with ``.assembler`` (the reply so far)
        and ``.conversation_id``. A new conversation gets a client-chosen UUID. If the
        connection drops mid-reply the stream resumes once (``content: None``); after that
        it raises StreamError. Closing the iterator closes the response.
        """
        conv_id = ident(conversation) if conversation is not None else new_uuid()
        return self._ex.stream(self._session(conv_id, content, options))

    def resume(self, conversation: Any) -> EventStream:
        """Re-attach to a reply still being generated (POST with ``content: None``)."""
        return self._ex.stream(self._session(ident(conversation), None, {}))

    def ask(self, content: str, conversation: Any = None, **options: Any) -> AskResult:
        """Send a message, wait for the whole reply, return an AskResult (``.text``, ...)."""
        conv_id = ident(conversation) if conversation is not None else new_uuid()
        return self._ex.ask(self._session(conv_id, content, options))

    def append_message(self, id: Any, content: str) -> AppendedMessage:
        """Append an assistant message without running the AI; returns AppendedMessage(id)."""
        return self._ex.run(EP["append_message"].spec({"id": ident(id)}, body={"content": content}))

    def cancel(self, id: Any) -> None:
        """Stop a reply being generated (idempotent; returns None)."""
        return self._ex.run(EP["cancel"].spec({"id": ident(id)}))

    def messages_df(self, conversation: Any) -> pd.DataFrame:
        """A conversation's messages as a DataFrame (fetched if given an id)."""
        return self._derived(conversation, messages_frame)

    def to_markdown(self, conversation: Any) -> str:
        """A conversation as Markdown for a report (fetched if given an id)."""
        return self._derived(conversation, conversation_markdown)

    def _derived(self, conversation: Any, fn: Any) -> Any:
        if isinstance(conversation, Conversation) and conversation.messages:
            return self._ex.done(fn(conversation))
        spec = replace(EP["get"].spec({"id": ident(conversation)}), then=lambda c: Done(fn(c)))
        return self._ex.run(spec)

    def _session(self, conv_id: str, content: str | None, options: dict[str, Any]) -> Any:
        def body(text: str | None, opts: dict[str, Any]) -> dict[str, Any]:
            return {"content": text, "conversation": conv_id, "trace_id": new_uuid(), **opts}

        first = EP["stream"].spec(body=body(content, options))
        resume = EP["stream"].spec(body=body(None, _resume_options(options)))
        refetch = EP["get"].spec({"id": conv_id})
        return self._ex.stream_session(first, resume, refetch, conv_id)


def _resume_options(options: dict[str, Any]) -> dict[str, Any]:
    # Options that only make sense with a new message are not resent on resume.
    return {k: v for k, v in options.items() if k in ("session_id",)}
