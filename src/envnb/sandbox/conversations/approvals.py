"""Approvals (PostHog AI's dangerous tool calls): what the assistant proposes, the user's
decision, and what it does then. No HTTP.

Rules [src: PH:frontend/src/scenes/max/approvalOperationUtils.ts, contract §16]:

1. A dangerous tool does not run: its tool message answers ``{status: "pending_approval",
   proposalId, toolName, preview, payload}``, the stream sends an ``approval`` event, the turn
   ends, and the conversation's ``pending_approvals`` lists the proposal with
   ``decision_status: "pending"``.
2. The user decides by resuming the conversation (POST ``conversations/`` with ``content:
   null``) with ``resume_payload: {"action": "approve" | "reject", "proposal_id": …}``
   (``feedback`` optional) — shaped like the ``{action: …}`` resume payloads PostHog's chat
   client sends (``form``, ``dismiss_form``, ``client_tool_result`` in
   PH:maxThreadLogic.test.ts); the approval actions themselves were not found in the source we
   could read, so these two names are inferred. The proposal becomes ``approved``/``rejected``
   and a new reply runs the tool (or not).
3. A new message instead of a decision auto-rejects what is pending (``auto_rejected``).
4. The sandbox's one dangerous tool: "pause all/every … exports" proposes
   ``pause_batch_exports`` for the project's running exports; approved, it pauses them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from envnb.sandbox.batch_exports import backend as exports

from .. import errors
from .._util import dumps, now_iso
from ..clock import Clock
from ..store import Store

TRIGGER = re.compile(r"\bpause (?:all|every)\b[^.?!\n]*\bexports?\b", re.IGNORECASE)
ACTIONS = {"approve": "approved", "reject": "rejected"}
TOOL = "pause_batch_exports"


@dataclass(frozen=True)
class Proposal:
    """A dangerous tool call waiting for the user."""

    tool_name: str
    preview: str
    payload: dict[str, Any]


def propose(store: Store, team: int) -> Proposal | None:
    """Rule 4: pausing the project's running exports (None when none is running)."""
    rows = store.read(
        "SELECT id, name FROM batch_exports WHERE team_id = ? AND deleted = 0 AND paused = 0 "
        "ORDER BY name",
        (team,),
    )
    if not rows:
        return None
    names = ", ".join(str(r["name"]) for r in rows)
    return Proposal(
        TOOL,
        f"Pause {len(rows)} batch export{'s' if len(rows) != 1 else ''}: {names}",
        {"batch_export_ids": [str(r["id"]) for r in rows]},
    )


def tool_message(proposal: Proposal, proposal_id: str, call_id: str) -> dict[str, Any]:
    """Rule 1: the dangerous tool's answer, as its tool message."""
    result = {
        "status": "pending_approval",
        "proposalId": proposal_id,
        "toolName": proposal.tool_name,
        "preview": proposal.preview,
        "payload": proposal.payload,
    }
    return {
        "type": "tool",
        "content": json.dumps(result),
        "tool_call_id": call_id,
        "id": str(uuid.uuid4()),
    }


def record(
    store: Store,
    conversation_id: str,
    proposal: Proposal,
    proposal_id: str,
    call_id: str,
    message_id: str,
) -> dict[str, Any]:
    """Store a pending proposal; its ``pending_approvals`` entry (also the ``approval`` event)."""
    with store.tx() as db:
        db.execute(
            "INSERT INTO approvals VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
            (
                proposal_id,
                conversation_id,
                proposal.tool_name,
                proposal.preview,
                dumps(proposal.payload),
                call_id,
                message_id,
                now_iso(),
            ),
        )
    return _entry(store.one("SELECT * FROM approvals WHERE proposal_id = ?", (proposal_id,)))


def _entry(row: Any) -> dict[str, Any]:
    return {
        "proposal_id": row["proposal_id"],
        "decision_status": row["decision_status"],
        "tool_name": row["tool_name"],
        "preview": row["preview"],
        "payload": json.loads(row["payload"]),
        "original_tool_call_id": row["original_tool_call_id"],
        "message_id": row["message_id"],
    }


def listed(store: Store, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation's ``pending_approvals``: every proposal with its decision, oldest first."""
    rows = store.read(
        "SELECT * FROM approvals WHERE conversation_id = ? ORDER BY created_at, rowid",
        (conversation_id,),
    )
    return [_entry(r) for r in rows]


def has_pending(store: Store, conversation_id: str) -> bool:
    return bool(
        store.one(
            "SELECT 1 FROM approvals WHERE conversation_id = ? AND decision_status = 'pending'",
            (conversation_id,),
        )
    )


def auto_reject(store: Store, conversation_id: str) -> None:
    """Rule 3."""
    with store.tx() as db:
        db.execute(
            "UPDATE approvals SET decision_status = 'auto_rejected' "
            "WHERE conversation_id = ? AND decision_status = 'pending'",
            (conversation_id,),
        )


def is_decision(resume_payload: Any) -> bool:
    """Whether a resume payload is an approval decision (rule 2), checked or not."""
    if not isinstance(resume_payload, dict):
        return False
    action = resume_payload.get("action")
    return isinstance(action, str) and action in ACTIONS  # a list action is unhashable


def decide(store: Store, conversation_id: str, resume_payload: dict[str, Any]) -> dict[str, Any]:
    """Apply a decision to its pending proposal; the proposal's entry after it."""
    proposal_id = resume_payload.get("proposal_id")
    row = (
        store.one(
            "SELECT * FROM approvals WHERE proposal_id = ? AND conversation_id = ?",
            (proposal_id, conversation_id),
        )
        if isinstance(proposal_id, str)
        else None
    )
    if row is None:
        raise errors.validation("Proposal not found.", "resume_payload")
    if row["decision_status"] != "pending":
        raise errors.validation(
            f"This proposal was already decided ({row['decision_status']}).", "resume_payload"
        )
    with store.tx() as db:
        db.execute(
            "UPDATE approvals SET decision_status = ? WHERE proposal_id = ?",
            (ACTIONS[resume_payload["action"]], proposal_id),
        )
    return _entry(store.one("SELECT * FROM approvals WHERE proposal_id = ?", (proposal_id,)))


def carry_out(
    store: Store, clock: Clock, entry: dict[str, Any], feedback: str | None
) -> tuple[str, str]:
    """Run (or not) the decided tool: (tool result, the assistant's reply)."""
    if entry["decision_status"] != "approved":
        said = f' You said: "{feedback}".' if feedback else ""
        return "The user rejected the operation.", f"OK, I did not change anything.{said}"
    paused = 0
    for export_id in entry["payload"].get("batch_export_ids", []):
        if store.one("SELECT 1 FROM batch_exports WHERE id = ? AND paused = 0", (export_id,)):
            exports.pause(store, clock, export_id)
            paused += 1
    noun = f"{paused} batch export{'s' if paused != 1 else ''}"
    return f"Paused {noun}", f"Done: I paused {noun}."
