"""PostHog AI's second runtime (``agent_runtime: "sandbox"``) and AI usage: objects, request
bodies, and the history read from a run's session log. The calls are in
``client.conversations`` (``open``, ``session_logs``, ``session_messages``, ``follow_up``,
``cancel_run``, ``run_events``, ``ai_usage``).

Rules (contract §16) [src: PH:ee/api/conversation.py ``open``;
PH:products/tasks/backend/api.py ``TaskRunViewSet``;
PH:frontend/src/scenes/max/types/sandboxWireTypes.ts]:

1. Such a conversation is opened with ``POST conversations/{id}/open/`` (the answer is a
   :class:`RunHandle`); its turns are the runs of a products/tasks task. ``get()`` returns it
   with ``messages: []`` — its history is the session log of its task's latest run
   (``task.latest_run``), never an empty transcript.
2. The history as messages (:func:`session_messages`), read as PostHog's chat reads the wire:
   each ``_posthog/user_message`` is a ``human`` message; an agent message is the
   ``agent_message_chunk`` texts of one ``messageId`` joined in order (a later
   ``agent_message`` replaces them) — ``ai``; thoughts (``agent_thought_chunk``), joined the
   same way, are ``ai/reasoning``; a ``tool_call`` with the status of its latest
   ``tool_call_update`` is ``tool``. Other entries (console, usage, progress, permission
   traffic, run state) are not messages; :class:`SessionLogEntry` keeps them all.
3. A follow-up or a cancel is a JSON-RPC command on the live run (``{jsonrpc: "2.0", method,
   params}``); a follow-up answers ``{"result": {"queued": true}}``, the agent's own commands
   a JSON-RPC answer (:class:`CommandResult`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from .._core.models import APIModel, RequestModel
from ..errors import RequestValidationError

SANDBOX_RUNTIME = "sandbox"
USER_MESSAGE = "_posthog/user_message"
JOINED = {"agent_message_chunk": "ai", "agent_thought_chunk": "ai/reasoning"}
CommandMethod = Literal[
    "user_message", "cancel", "close", "permission_response", "set_config_option"
]


class RunHandle(APIModel):
    """What ``open`` answers: the task and run a sandbox-runtime turn runs in."""

    task_id: str
    run_id: str
    trace_id: str | None = None
    run_status: str | None = None  # "queued" for a new run
    just_created_run: bool | None = None
    conversation_id: str | None = None  # set by envnb: the conversation that was opened


class SessionLogEntry(APIModel):
    """One entry of a run's session log (an ACP notification, as PostHog stores it)."""

    type: str | None = None  # "notification"
    timestamp: datetime | None = None
    notification: dict[str, Any] = Field(default_factory=dict)

    @property
    def method(self) -> str:
        """The notification's method (``session/update``, ``_posthog/user_message``, …)."""
        return str(self.notification.get("method") or "")

    @property
    def params(self) -> dict[str, Any]:
        """The notification's params (``{}`` when absent or not an object)."""
        params = self.notification.get("params")
        return params if isinstance(params, dict) else {}

    @property
    def update(self) -> dict[str, Any]:
        """A ``session/update``'s body (``{}`` for other methods)."""
        body = self.params.get("update") if self.method == "session/update" else None
        return body if isinstance(body, dict) else {}

    @property
    def event_type(self) -> str:
        """What ``session_logs``' ``event_types`` matches: the ``sessionUpdate`` of a
        ``session/update``, else the method."""
        kind = self.update.get("sessionUpdate")
        return str(kind) if isinstance(kind, str) else self.method


class RunFrame(SessionLogEntry):
    """One frame of a run's stream: a log entry (``type == "notification"``), the run's state
    (``type == "task_run_state"``: ``status``, …) or another frame PostHog adds (its fields
    kept as extras)."""

    run_id: str | None = None
    task_id: str | None = None
    status: str | None = None


class CommandResult(APIModel):
    """A run's answer to a command: ``result`` or a JSON-RPC ``error``."""

    jsonrpc: str | None = None
    id: Any = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True unless the agent answered a JSON-RPC error."""
        return self.error is None


class AIUsageProduct(APIModel):
    """What one product spent over the period."""

    name: str
    credits: int
    separate_bucket: bool = False  # billed in its own credits, outside the total


class AIUsage(APIModel):
    """``ai_usage/``: PostHog AI credits of a conversation, a product and the project."""

    conversation_credits: int | None = None  # None when no conversation was asked about
    period_credits: int
    free_tier_credits: int
    remaining_credits: int  # negative once over the free tier
    period_label: str  # "Billing period" or "Past 30 days"
    period_start: datetime
    period_end: datetime
    conversation_start: datetime | None = None
    product: AIUsageProduct | None = None
    message: str = ""  # the whole report as Markdown (render it sanitized)


@dataclass
class SessionMessage:
    """One message of a sandbox-runtime conversation's history (rule 2)."""

    type: str  # "human" | "ai" | "ai/reasoning" | "tool"
    content: str
    id: str | None = None  # the messageId or toolCallId
    timestamp: datetime | None = None
    status: str | None = None  # a tool call's latest status

    @property
    def tool_call_id(self) -> str | None:
        """The tool call's id, for a ``tool`` message."""
        return self.id if self.type == "tool" else None


@dataclass
class SessionHistory:
    """A sandbox-runtime conversation's history, in the shape reports read (title, messages)."""

    title: str | None
    messages: list[SessionMessage]


def latest_run(conversation: Any) -> tuple[str, str]:
    """Rule 1: (task id, latest run id) of a sandbox-runtime conversation; a conversation of
    the usual runtime is refused before anything is sent (its history is ``.messages``)."""
    task = conversation.task if isinstance(conversation.task, dict) else {}
    if conversation.agent_runtime != SANDBOX_RUNTIME or not task.get("latest_run"):
        raise RequestValidationError(
            f"conversation: {conversation.id} is not on PostHog's sandbox runtime "
            f"(agent_runtime {conversation.agent_runtime!r}); its messages are in .messages",
            attr="conversation",
        )
    return str(task["id"]), str(task["latest_run"])


def _text(content: Any) -> str:
    """A message's text: a string, or the ``text`` of ACP content blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list):
        return "".join(_text(block) for block in content)
    return ""


def session_messages(entries: list[SessionLogEntry]) -> list[SessionMessage]:
    """Rule 2: a run's log entries as the messages of its conversation, oldest first."""
    out: list[SessionMessage] = []
    tools: dict[str, SessionMessage] = {}
    for entry in entries:
        if entry.method == USER_MESSAGE:
            text = _text(entry.params.get("content"))
            out.append(SessionMessage("human", text, None, entry.timestamp))
            continue
        body, kind = entry.update, entry.update.get("sessionUpdate")
        if kind in JOINED or kind == "agent_message":
            piece = _text(body.get("content")) or _text(body.get("text"))
            _join(out, JOINED.get(str(kind), "ai"), body.get("messageId"), piece, entry, kind)
        elif kind in ("tool_call", "tool_call_update"):
            call_id = str(body.get("toolCallId") or "")
            known = tools.get(call_id)
            if known is None:
                title = str(body.get("title") or body.get("toolName") or "tool call")
                known = tools[call_id] = SessionMessage("tool", title, call_id, entry.timestamp)
                out.append(known)
            elif body.get("title"):
                known.content = str(body["title"])
            if body.get("status"):
                known.status = str(body["status"])
    return out


def _join(
    out: list[SessionMessage],
    kind: str,
    message_id: Any,
    piece: str,
    entry: SessionLogEntry,
    update: Any,
) -> None:
    """Add a chunk to the message it continues (same kind and ``messageId``, or the last
    message when neither carries an id), or start a new one; ``agent_message`` replaces."""
    ident = str(message_id) if message_id else None
    last = out[-1] if out else None
    if last is not None and last.type == kind and last.id == ident:
        last.content = piece if update == "agent_message" else last.content + piece
        return
    out.append(SessionMessage(kind, piece, ident, entry.timestamp))


class OpenRequest(RequestModel):
    """POST conversations/{id}/open/ body: a message (or none: warm a run for the first)."""

    content: str | None = Field(default=None, max_length=40000)
    trace_id: UUID | None = None
    attached_context: list[dict[str, Any]] | None = None
    initial_permission_mode: str | None = None
    task_id: UUID | None = None


class CommandRequest(RequestModel):
    """POST tasks/{task_id}/runs/{run_id}/command/ body (JSON-RPC 2.0)."""

    jsonrpc: Literal["2.0"] = "2.0"
    method: CommandMethod
    params: dict[str, Any] = Field(default_factory=dict)
    id: str | int | None = None

    def _finish_body(self, body: dict[str, Any]) -> dict[str, Any]:
        body["jsonrpc"] = "2.0"  # required by PostHog even when left at its default
        return body
