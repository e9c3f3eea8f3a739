"""Approvals of dangerous tool calls and the second runtime (contract §16): the ``approval``
event, ``pending_approvals``, deciding by ``resume_payload``, ``agent_runtime: "sandbox"``."""

from __future__ import annotations

import json
import uuid
from typing import Any

from conftest import Api, Frame
from envnb.sandbox.conversations.seed import (
    SANDBOX_RUNTIME_CONVERSATION,
    SANDBOX_RUNTIME_RUN,
    SANDBOX_RUNTIME_TASK,
)

# Seed 0's running exports, by name (the other four are seeded paused).
PREVIEW = (
    "Pause 8 batch exports: Events archive, Events archive 2, Postgres mirror, "
    "Postgres mirror 2, Warehouse sync, Warehouse sync 2, Webhook relay, Webhook relay 2"
)
ENTRY_KEYS = [
    "proposal_id",
    "decision_status",
    "tool_name",
    "preview",
    "payload",
    "original_tool_call_id",
    "message_id",
]


def _propose(api: Api) -> tuple[str, dict[str, Any], list[Frame]]:
    response, frames = api.chat("Please pause all exports for tonight")
    assert response.status_code == 200
    [approval] = [f.data for f in frames if f.event == "approval"]
    return frames[0].data["id"], approval, frames


def _paused(api: Api) -> int:
    return sum(row["paused"] for row in api.get("batch_exports/").json()["results"])


def _decide(api: Api, cid: str, **payload: Any) -> Any:
    return api.chat(None, cid, resume_payload=payload)


def test_a_dangerous_call_waits_for_approval(fresh_api: Api) -> None:
    cid, approval, frames = _propose(fresh_api)
    assert list(approval) == ENTRY_KEYS
    assert approval["decision_status"] == "pending"
    assert approval["tool_name"] == "pause_batch_exports"
    assert approval["preview"] == PREVIEW
    assert len(approval["payload"]["batch_export_ids"]) == 8
    # The dangerous tool's own answer, as PostHog's frontend recognises it.
    tool = next(f.data for f in frames if f.data.get("id") == approval["message_id"])
    assert tool["tool_call_id"] == approval["original_tool_call_id"]
    assert json.loads(tool["content"]) == {
        "status": "pending_approval",
        "proposalId": approval["proposal_id"],
        "toolName": "pause_batch_exports",
        "preview": PREVIEW,
        "payload": approval["payload"],
    }
    assert frames[-1].event == "conversation" and frames[-1].data["status"] == "idle"
    retrieved = fresh_api.get(f"conversations/{cid}/").json()
    assert retrieved["pending_approvals"] == [approval]
    assert _paused(fresh_api) == 4  # nothing ran yet


def test_approve_runs_the_tool_and_the_turn_continues(fresh_api: Api) -> None:
    cid, approval, _ = _propose(fresh_api)
    proposal = approval["proposal_id"]
    response, frames = _decide(fresh_api, cid, action="approve", proposal_id=proposal)
    assert response.status_code == 200
    messages = [f.data for f in frames if f.event == "message" and f.data.get("id")]
    assert [(m["type"], m["content"]) for m in messages] == [
        ("tool", "Paused 8 batch exports"),
        ("ai", "Done: I paused 8 batch exports."),
    ]
    assert messages[0]["tool_call_id"] == approval["original_tool_call_id"]
    [entry] = fresh_api.get(f"conversations/{cid}/").json()["pending_approvals"]
    assert entry["decision_status"] == "approved"
    assert _paused(fresh_api) == 12
    again = _decide(fresh_api, cid, action="reject", proposal_id=approval["proposal_id"])[0]
    assert again.status_code == 400
    assert again.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "This proposal was already decided (approved).",
        "attr": "resume_payload",
    }


def test_reject_leaves_everything_as_it_was(fresh_api: Api) -> None:
    cid, approval, _ = _propose(fresh_api)
    proposal = approval["proposal_id"]
    response, frames = _decide(
        fresh_api, cid, action="reject", proposal_id=proposal, feedback="not tonight"
    )
    assert response.status_code == 200
    final = [f.data for f in frames if f.event == "message" and f.data.get("id")][-1]
    assert final["content"] == 'OK, I did not change anything. You said: "not tonight".'
    [entry] = fresh_api.get(f"conversations/{cid}/").json()["pending_approvals"]
    assert entry["decision_status"] == "rejected"
    assert _paused(fresh_api) == 4


def test_a_new_message_auto_rejects_and_unknown_proposals_are_refused(fresh_api: Api) -> None:
    cid, approval, _ = _propose(fresh_api)
    unknown = _decide(fresh_api, cid, action="approve", proposal_id=str(uuid.uuid4()))[0]
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "Proposal not found."
    assert fresh_api.chat("lorem 3", cid)[0].status_code == 200
    [entry] = fresh_api.get(f"conversations/{cid}/").json()["pending_approvals"]
    assert entry["decision_status"] == "auto_rejected"
    late = _decide(fresh_api, cid, action="approve", proposal_id=approval["proposal_id"])[0]
    assert late.json()["detail"] == "This proposal was already decided (auto_rejected)."
    assert _paused(fresh_api) == 4


def test_a_pending_approval_holds_the_queue(fresh_api: Api) -> None:
    cid, approval, _ = _propose(fresh_api)
    fresh_api.post(f"conversations/{cid}/queue/", json={"content": "lorem 2"})
    assert fresh_api.sb.conversation_status(cid) == "idle"
    assert len(fresh_api.get(f"conversations/{cid}/queue/").json()["messages"]) == 1
    _decide(fresh_api, cid, action="reject", proposal_id=approval["proposal_id"])
    # The decided turn ended: before its stream closed it took the queued message as the
    # next turn (popped and stored as that turn's question).
    assert fresh_api.get(f"conversations/{cid}/queue/").json()["messages"] == []
    stored = fresh_api.sb.store.read(
        "SELECT body FROM messages WHERE conversation_id = ? ORDER BY seq", (cid,)
    )
    humans = [json.loads(r["body"])["content"] for r in stored if '"human"' in r["body"]]
    assert humans == ["Please pause all exports for tonight", "lorem 2"]


def test_the_sandbox_runtime_conversation(api: Api) -> None:
    cid = SANDBOX_RUNTIME_CONVERSATION
    got = api.get(f"conversations/{cid}/").json()
    assert got["messages"] == []
    assert (got["agent_runtime"], got["is_sandbox"]) == ("sandbox", True)
    assert got["task"] == {"id": SANDBOX_RUNTIME_TASK, "latest_run": SANDBOX_RUNTIME_RUN}
    assert got["title"] == "Fix the flaky signup funnel test (sandbox agent)"
    langgraph = api.get(f"conversations/{api.get('conversations/').json()['results'][0]['id']}/")
    body = langgraph.json()
    assert (body["agent_runtime"], body["is_sandbox"], body["task"]) == ("langgraph", False, None)


def test_sandbox_conversations_must_be_opened_via_the_open_endpoint(api: Api) -> None:
    refused = {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "Sandbox conversations must be opened via the open endpoint.",
        "attr": None,
    }
    fresh = api.chat("hi", str(uuid.uuid4()), is_sandbox=True)[0]
    assert (fresh.status_code, fresh.json()) == (400, refused)
    created = json.loads(fresh.request.content)["conversation"]
    assert api.get(f"conversations/{created}/").status_code == 404
