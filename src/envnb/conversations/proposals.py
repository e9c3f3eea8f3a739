"""What PostHog AI asks of the user besides answering: proposals to approve, the message
queue, and conversations on PostHog's other runtime (contract §16). Objects and request
bodies; the calls are in ``client.conversations``.

Rules:

1. A dangerous tool call waits for a decision: it is listed in ``Conversation.
   pending_approvals`` (``decision_status`` "pending") and announced by an ``approval`` event
   (:class:`ApprovalEvent`). ``approve``/``reject`` resume the conversation with
   ``resume_payload {"action": "approve"|"reject", "proposal_id": …}`` — shaped like the
   ``{action: …}`` resume payloads of PostHog's own chat client (the two action names are
   inferred: not found in the PostHog source read) — and stream the reply that follows.
2. A message sent while a reply runs can be queued (``enqueue``): at most two; the
   conversation answers them in order as each reply ends. A third raises QueueFullError.
3. A conversation on the sandbox runtime (``agent_runtime == "sandbox"``) comes back with no
   messages: its history is in its task run's session logs, not in the conversation.
   ``Conversation.runtime_notice`` says so (with the project's own path); envnb never shows
   it as an empty transcript, and reads the logs (``conversations.runtime``) where it can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from .._core.models import APIModel, open_enum


class DecisionStatus(StrEnum):
    """Where a proposal stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    AUTO_REJECTED = "auto_rejected"  # a new message came instead of a decision


class PendingApproval(APIModel):
    """A dangerous tool call the assistant proposed (one of ``pending_approvals``)."""

    proposal_id: str
    decision_status: open_enum(DecisionStatus) | None = None  # type: ignore[valid-type]
    tool_name: str | None = None
    preview: str | None = None  # what the call would do, in words (text: escape to show it)
    payload: dict[str, Any] = Field(default_factory=dict)
    original_tool_call_id: str | None = None
    message_id: str | None = None

    @property
    def pending(self) -> bool:
        """True while the assistant waits for approve()/reject()."""
        return self.decision_status == DecisionStatus.PENDING


@dataclass(frozen=True)
class ApprovalEvent:
    """``event: approval`` — the assistant waits for a decision on ``approval``."""

    approval: PendingApproval


class QueuedMessage(APIModel):
    """A message waiting for the running reply to end."""

    id: str
    content: str
    created_at: datetime | None = None
    agent_mode: str | None = None


class ConversationQueue(APIModel):
    """A conversation's queue: ``messages`` oldest first, at most ``max_queue_messages``."""

    messages: list[QueuedMessage] = Field(default_factory=list)
    max_queue_messages: int | None = None


SANDBOX_RUNTIME = "sandbox"


def runtime_notice(agent_runtime: str | None, task: Any, project: str | None = None) -> str | None:
    """Rule 3: what to say instead of an empty transcript (None for PostHog AI's usual
    runtime); ``project``: the project it was read from (else PostHog's ``@current``)."""
    if agent_runtime != SANDBOX_RUNTIME:
        return None
    where = "its task run's session logs"
    run = task.get("latest_run") if isinstance(task, dict) else None
    if isinstance(task, dict) and task.get("id") and isinstance(run, str) and run:
        path = f"/api/projects/{project or '@current'}/tasks/{task['id']}/runs/{run}"
        where += f" (GET {path}/session_logs/; conversations.session_messages() reads them)"
    return (
        "This conversation runs on PostHog's sandbox runtime: PostHog does not return its "
        f"messages here — its history lives in {where}."
    )
