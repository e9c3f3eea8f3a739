"""``client.conversations``' calls for PostHog AI's second runtime (``agent_runtime:
"sandbox"``) and AI usage; rules in ``envnb.conversations.runtime``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._core.arguments import Id, check_uuid, ident, new_uuid
from ..conversations.arguments import message_text
from ..conversations.endpoints import ConversationEndpoints as Endpoints
from ..conversations.endpoints import TaskRunEndpoints as Runs
from ..conversations.models import Conversation
from ..conversations.runtime import (
    AIUsage,
    CommandResult,
    RunFrame,
    RunHandle,
    SessionHistory,
    SessionLogEntry,
    SessionMessage,
    latest_run,
    session_messages,
)
from ..conversations.transcript import messages_frame
from ..errors import StreamError
from ._transport import AsyncTransport

if TYPE_CHECKING:
    import pandas as pd

Run = Id | Conversation | RunHandle


class AsyncSandboxRuntime:
    """The second runtime's calls (mixed into AsyncConversations)."""

    _transport: AsyncTransport

    async def open(
        self, conversation: Id | None = None, content: str | None = None, **options: Any
    ) -> RunHandle:
        """Open a conversation on PostHog's sandbox runtime: a new one (a fresh UUID) or one
        of yours there; with ``content``, a message to answer (a follow-up when its run is
        live), without it a run is warmed for the first message. Returns the RunHandle
        (task, run, ``just_created_run``); read what it does with ``run_events``/``session_logs``.
        A conversation on the usual runtime is refused (BadRequestError)."""
        if conversation is None:
            cid = new_uuid()
        else:  # PostHog creates it from this id on first use: "my-chat" was a bare 404
            cid = check_uuid("conversation", ident(conversation, "conversation"))
        body: dict[str, Any] = {"trace_id": new_uuid(), **options}
        if content is not None:
            body["content"] = message_text(content)
        handle = await self._transport.request(Endpoints.open.request({"id": cid}, body=body))
        return handle.model_copy(update={"conversation_id": cid})

    async def _run(self, conversation: Run) -> dict[str, str]:
        """The task and latest run of a sandbox-runtime conversation (fetched if needed)."""
        if isinstance(conversation, RunHandle):
            return {"task_id": conversation.task_id, "run_id": conversation.run_id}
        if not isinstance(conversation, Conversation) or conversation.agent_runtime is None:
            request = Endpoints.get.request({"id": ident(conversation, "conversation")})
            conversation = await self._transport.request(request)
        task_id, run_id = latest_run(conversation)
        return {"task_id": task_id, "run_id": run_id}

    async def session_logs(
        self,
        conversation: Run,
        *,
        after: datetime | str | None = None,
        event_types: str | None = None,
        exclude_types: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[SessionLogEntry]:
        """The session log of a sandbox-runtime conversation's latest run (or of a RunHandle's
        run): every entry, oldest first (PostHog: at most ``limit``, default 1000, max 5000).
        ``event_types``/``exclude_types``: comma-separated ``session/update`` kinds or methods."""
        stamp = after.isoformat() if isinstance(after, datetime) else after
        params: dict[str, Any] = {"after": stamp, "event_types": event_types}
        params |= {"exclude_types": exclude_types}
        params |= {"limit": limit, "offset": offset}
        request = Runs.session_logs.request(await self._run(conversation), params=params)
        return await self._transport.request(request)

    async def session_messages(self, conversation: Run) -> list[SessionMessage]:
        """A sandbox-runtime conversation's history as messages (``human``, ``ai``,
        ``ai/reasoning``, ``tool``), read from its session log."""
        return session_messages(await self.session_logs(conversation))

    async def session_messages_df(self, conversation: Run) -> pd.DataFrame:
        """The history of ``session_messages`` as a DataFrame (the columns of
        ``messages_df``)."""
        return messages_frame(SessionHistory(None, await self.session_messages(conversation)))

    async def follow_up(self, conversation: Run, content: str) -> CommandResult:
        """Send a message to the live run of a sandbox-runtime conversation (PostHog queues
        it: ``result == {"queued": True}``). Never retried: it would be sent twice."""
        body = {"method": "user_message", "params": {"content": message_text(content)}}
        request = Runs.command.request(await self._run(conversation), body=body)
        return await self._transport.request(request)

    async def cancel_run(self, conversation: Run) -> CommandResult:
        """Stop what the run is doing (its agent answers ``{"cancelled": True}``)."""
        body = {"method": "cancel", "id": new_uuid()}
        request = Runs.command.request(await self._run(conversation), body=body)
        return await self._transport.request(request)

    async def run_events(
        self, conversation: Run, *, until_turn_end: bool = True
    ) -> AsyncIterator[RunFrame]:
        """The run's stream, frame by frame (``RunFrame``: ``notification`` log entries,
        ``task_run_state``, …). PostHog keeps the stream open while the run lives; with
        ``until_turn_end`` it stops after a ``_posthog/turn_complete``. A run whose stream is
        gone raises StreamError (read ``session_logs`` instead)."""
        request = Runs.stream.request(await self._run(conversation))
        async with aclosing(self._transport.events(request)) as events:
            async for sse in events:
                frame = json.loads(sse.data) if sse.data.strip() else {}
                if sse.event == "error":
                    raise StreamError(f"the run's stream failed: {frame.get('error', sse.data)}")
                if not isinstance(frame, dict) or frame.get("type") == "keepalive":
                    continue
                parsed = RunFrame.model_validate(frame)
                yield parsed
                if until_turn_end and parsed.method == "_posthog/turn_complete":
                    return

    async def ai_usage(
        self, conversation: Id | None = None, *, product: str | None = None
    ) -> AIUsage:
        """PostHog AI credits: of ``conversation`` (None: the project only), of ``product``
        (e.g. ``"slack_app"``) and of the project over the period; ``.message`` is PostHog's
        own Markdown report."""
        cid = ident(conversation, "conversation") if conversation is not None else None
        params = {"conversation_id": cid, "product": product}
        return await self._transport.request(Endpoints.ai_usage.request(params=params))
