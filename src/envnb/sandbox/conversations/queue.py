"""The message queue of a conversation (PostHog AI), and the AI-credit quota knob. No HTTP.

Rules, as PostHog has them [src: PH:ee/hogai/queue.py, PH:ee/api/conversation.py]:

1. A conversation holds at most ``MAX_QUEUE_MESSAGES`` (2) queued messages; one more is a 409
   ``{"error": "queue_full", "detail": "Only two messages can be queued at a time."}``.
2. The queue lives beside the conversation, not in it (PostHog keeps it in its cache for an
   hour): here in memory, so a restarted sandbox starts with empty queues.
3. When a reply ends, its conversation takes the first queued message as its next turn (a new
   reply: follow it with ``content: null``) — unless an approval is pending, which holds the
   queue until the user decides.
4. Only the owner reaches the queue: no conversation (or a deleted one) → 404 ``{"error":
   "Conversation not found"}``, another user's → 403 ``{"error": "Cannot access other users'
   conversations"}``; an unknown queue id → 404 ``{"detail": "Queue message not found."}``.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from .. import validate as v
from .._util import now_iso
from ..store import Store

MAX_QUEUE_MESSAGES = 2
MAX_CONTENT = 40000
QUEUE_FULL = {"error": "queue_full", "detail": "Only two messages can be queued at a time."}
QUOTA_TEXT = (
    "Your organization reached its AI credit usage limit. Increase the limits in Billing "
    "settings, or ask an org admin to do so."
)


@dataclass
class ConversationQueues:
    """Per-conversation queues, and ``ai_credits_exhausted``: while True every message POST
    (``conversations/``) answers PostHog's 402 before anything else is checked."""

    queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ai_credits_exhausted: bool = False

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The queued messages of a conversation, oldest first (a copy)."""
        return [dict(m) for m in self.queues.get(conversation_id, [])]

    def enqueue(self, conversation_id: str, message: dict[str, Any]) -> None:
        queue = self.queues.setdefault(conversation_id, [])
        if len(queue) >= MAX_QUEUE_MESSAGES:
            raise errors.ApiError(409, dict(QUEUE_FULL))
        queue.append(message)

    def find(self, conversation_id: str, queue_id: str) -> dict[str, Any]:
        for item in self.queues.get(conversation_id, []):
            if item["id"] == queue_id:
                return item
        raise errors.ApiError(404, {"detail": "Queue message not found."})

    def delete(self, conversation_id: str, queue_id: str) -> None:
        queue = self.queues.get(conversation_id, [])
        self.queues[conversation_id] = [m for m in queue if m["id"] != queue_id]

    def clear(self, conversation_id: str) -> None:
        self.queues.pop(conversation_id, None)

    def pop_next(self, conversation_id: str) -> dict[str, Any] | None:
        queue = self.queues.get(conversation_id)
        return queue.pop(0) if queue else None

    def check_quota(self) -> None:
        """PostHog's first check of a message POST (before the body is read)."""
        if self.ai_credits_exhausted:
            raise errors.ApiError(
                402, errors.body("server_error", "quota_limit_exceeded", QUOTA_TEXT)
            )


def queue_owner(store: Store, conversation_id: str, project_id: int, user_id: int) -> None:
    """PostHog's ``_ensure_queue_access`` (rule 4)."""
    row: sqlite3.Row | None = store.one(
        "SELECT user_id, team_id FROM conversations WHERE id = ? "
        "AND id NOT IN (SELECT id FROM deleted_conversations)",
        (conversation_id,),
    )
    if row is None:
        raise errors.plain_error(404, "Conversation not found")
    if row["user_id"] != user_id or row["team_id"] != project_id:
        raise errors.plain_error(403, "Cannot access other users' conversations")


def new_message(data: Any, agent_modes: tuple[str, ...]) -> dict[str, Any]:
    """A queue message from a POST body, after QueueMessageSerializer's checks."""
    data = v.json_object(data)
    content = v.string(data, "content", required=True, max_length=MAX_CONTENT)
    tools = data.get("contextual_tools")
    if tools is not None and not isinstance(tools, dict):
        raise errors.validation(
            f'Expected a dictionary of items but got type "{type(tools).__name__}".',
            "contextual_tools",
            "not_a_dict",
        )
    if "contextual_tools" in data and tools is None:
        raise errors.validation("This field may not be null.", "contextual_tools", "null")
    agent_mode = v.choice(data, "agent_mode", agent_modes, required=False)
    return {
        "id": str(uuid.uuid4()),
        "content": content,
        "created_at": now_iso(),
        "contextual_tools": tools,
        "ui_context": data.get("ui_context"),
        "billing_context": data.get("billing_context"),
        "agent_mode": agent_mode,
        "session_id": None,
    }


def new_content(data: Any) -> str:
    """The content of a PATCH (QueueMessageUpdateSerializer)."""
    data = v.json_object(data)
    content = v.string(data, "content", required=True, max_length=MAX_CONTENT)
    assert content is not None
    return content


def answer(queues: ConversationQueues, conversation_id: str) -> dict[str, Any]:
    """The body every queue endpoint answers with."""
    return {
        "messages": queues.messages(conversation_id),
        "max_queue_messages": MAX_QUEUE_MESSAGES,
    }
