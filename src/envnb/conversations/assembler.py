"""StreamAssembler: the reply so far, from a conversation's stream events (sans-I/O).

PostHog streams an assistant message in progress as repeated ``message`` events without
``id``, each carrying the whole text so far, and closes it with an event that has an ``id``.
So the assembler *replaces* the open message rather than appending deltas. After a
resume the server replays from the start; messages whose id was already seen are replaced
in place (no duplicates) and a replayed in-progress event that is only a prefix of the
text already shown is ignored, so the reply never jumps backwards.

Users reach it as ``envnb.conversations.streaming.StreamAssembler`` (and ``envnb.StreamAssembler``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .models import (
    AIMessage,
    BaseMessage,
    Conversation,
    ConversationEvent,
    MessageEvent,
    StatusEvent,
    StreamEvent,
    UpdateEvent,
)
from .proposals import ApprovalEvent, PendingApproval

ChangeKind = Literal[
    "conversation",
    "message_started",
    "message_updated",
    "message_completed",
    "update",
    "status",
    "approval",
]


# Message types that end a turn (besides an ``ai`` message without tool calls).
FINAL_TYPES = frozenset({"ai/failure", "ai/viz", "ai/multi_viz", "ai/notebook", "ai/artifact"})


@dataclass(frozen=True)
class Change:
    """What one event changed; ``index`` is the message's position in ``messages``."""

    kind: ChangeKind
    index: int | None = None
    message: BaseMessage | None = None
    data: Any = None


@dataclass
class StreamAssembler:
    """Feed events with :meth:`feed`; read ``reply``, ``messages``, ``in_progress``..."""

    conversation_id: str | None = None
    title: str | None = None
    conversation: Conversation | None = None
    messages: list[BaseMessage] = field(default_factory=list)
    status: str | None = None
    failed: bool = False
    updates: dict[str, Any] = field(default_factory=dict)
    approvals: dict[str, PendingApproval] = field(default_factory=dict)  # by proposal_id
    _open: int | None = None  # index of the in-progress message, if any
    _by_id: dict[str, int] = field(default_factory=dict)

    def feed(self, event: StreamEvent) -> list[Change]:
        """Apply one event; return what changed (empty if it was a duplicate replay)."""
        if isinstance(event, ConversationEvent):
            return self._conversation(event.conversation)
        if isinstance(event, StatusEvent):
            if event.type == "generation_error":
                self.failed = True
            if event.type == self.status:
                return []
            self.status = event.type
            return [Change("status", data=event.type)]
        if isinstance(event, MessageEvent):
            return self._message(event.message)
        if isinstance(event, ApprovalEvent):
            approval = event.approval
            if self.approvals.get(approval.proposal_id) == approval:
                return []
            self.approvals[approval.proposal_id] = approval
            return [Change("approval", data=approval)]
        if isinstance(event, UpdateEvent):
            key = f"{event.tool_call_id}:{event.id}"
            if self.updates.get(key) == event.content:
                return []
            self.updates[key] = event.content
            return [Change("update", data=event)]
        return []

    @property
    def in_progress(self) -> bool:
        """True while a message without id is open."""
        return self._open is not None

    @property
    def reply(self) -> str:
        """Text of the latest ``ai`` message (in progress or final), ``""`` if none."""
        for msg in reversed(self.messages):
            if msg.type == "human":
                return ""  # the reply to the latest question has not started yet
            if isinstance(msg, AIMessage) and msg.content and not msg.tool_calls:
                return msg.content
        return ""

    @property
    def finished(self) -> bool:
        """True once the latest turn ended with a final answer (or a failure).

        Reasoning notes, tool calls and tool results are steps on the way, so a stream
        that stops after one of them is incomplete (and worth resuming).
        """
        if self.failed:
            return True
        if self.in_progress or not self.messages:
            return False
        last = self.messages[-1]
        if isinstance(last, AIMessage):
            return not last.tool_calls
        return last.type in FINAL_TYPES

    def _conversation(self, conv: Conversation) -> list[Change]:
        if (
            self.conversation_id == conv.id
            and self.title == (conv.title or self.title)
            and self.conversation is not None
            and self.conversation.status == conv.status
        ):
            return []
        self.conversation_id = conv.id
        if conv.title is not None:
            self.title = conv.title
        self.conversation = conv
        return [Change("conversation", data=conv)]

    def _message(self, msg: BaseMessage) -> list[Change]:
        if msg.type == "ai/failure":
            self.failed = True
        if msg.id is None:
            return self._in_progress(msg)
        if msg.id in self._by_id:
            idx = self._by_id[msg.id]
            if self.messages[idx] == msg:
                return []
            self.messages[idx] = msg
            return [Change("message_updated", idx, msg)]
        if self._open is not None and _same_kind(self.messages[self._open], msg):
            idx = self._open
            self._open = None
            self.messages[idx] = msg
            self._by_id[msg.id] = idx
            return [Change("message_completed", idx, msg)]
        self._open = None
        self.messages.append(msg)
        idx = len(self.messages) - 1
        self._by_id[msg.id] = idx
        return [Change("message_completed", idx, msg)]

    def _in_progress(self, msg: BaseMessage) -> list[Change]:
        if self._open is not None:
            cur = self.messages[self._open]
            if _same_kind(cur, msg):
                old, new = _text(cur), _text(msg)
                if new == old or (old.startswith(new) and len(new) < len(old)):
                    return []  # replayed prefix after a resume: keep the longer text
                self.messages[self._open] = msg
                return [Change("message_updated", self._open, msg)]
        # A new event of a message already completed (replay): ignore if it is a prefix.
        if self.messages and self._open is None:
            last = self.messages[-1]
            if (
                last.id is not None
                and _same_kind(last, msg)
                and _text(last).startswith(_text(msg))
                and self._replaying_tail()
            ):
                return []
        self.messages.append(msg)
        self._open = len(self.messages) - 1
        return [Change("message_started", self._open, msg)]

    def _replaying_tail(self) -> bool:
        # Only treat a prefix event as a replay when the last message is a finished ai turn
        # that this stream already delivered (it has an id). New turns start after a human.
        return self.messages[-1].type != "human"


def _same_kind(a: BaseMessage, b: BaseMessage) -> bool:
    return a.type == b.type


def _text(msg: BaseMessage) -> str:
    return msg.content if isinstance(msg.content, str) else ""
