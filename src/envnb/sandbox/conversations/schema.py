"""OpenAPI components of the conversation queue and approvals (contract §16)."""

from __future__ import annotations

from typing import Any

from ..schema_types import STR, nullable, ref

COMPONENTS: dict[str, Any] = {
    "PendingApproval": {
        "type": "object",
        "properties": {
            "proposal_id": STR,
            "decision_status": {
                "type": "string",
                "enum": ["pending", "approved", "rejected", "auto_rejected"],
            },
            "tool_name": STR,
            "preview": STR,
            "payload": {"type": "object", "additionalProperties": True},
            "original_tool_call_id": nullable(STR),
            "message_id": nullable(STR),
        },
    },
    "QueueMessage": {
        "type": "object",
        "required": ["content"],
        "properties": {
            "content": {"type": "string", "minLength": 1, "maxLength": 40000},
            "contextual_tools": {"type": "object", "additionalProperties": True},
            "ui_context": {},
            "billing_context": {},
            "agent_mode": ref("AgentModeEnum"),
        },
    },
    "QueueMessageUpdate": {
        "type": "object",
        "required": ["content"],
        "properties": {"content": {"type": "string", "minLength": 1, "maxLength": 40000}},
    },
    "ConversationQueue": {
        "type": "object",
        "required": ["messages", "max_queue_messages"],
        "properties": {
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": STR,
                        "content": STR,
                        "created_at": STR,
                        "contextual_tools": nullable({"type": "object"}),
                        "ui_context": {},
                        "billing_context": {},
                        "agent_mode": nullable(STR),
                        "session_id": nullable(STR),
                    },
                },
            },
            "max_queue_messages": {"type": "integer"},
        },
    },
    "ConversationQueueError": {
        "type": "object",
        "properties": {"error": STR, "detail": STR},
    },
}
