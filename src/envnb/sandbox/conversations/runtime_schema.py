"""OpenAPI components of PostHog AI's second runtime and of AI usage [src:
PH:ee/api/conversation.py SandboxOpenSerializer, SandboxMessageResponseSerializer;
PH:products/tasks/backend/serializers.py TaskRunCommand*Serializer;
PH:products/posthog_ai/backend/api/usage.py AIUsageResponseSerializer]."""

from __future__ import annotations

from typing import Any

from ..schema_types import DT, STR, UUID, nullable

INT: dict[str, Any] = {"type": "integer"}
OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}

COMPONENTS: dict[str, Any] = {
    "SandboxOpenRequest": {
        "type": "object",
        "properties": {
            "content": nullable({"type": "string", "maxLength": 40000}),
            "trace_id": UUID,
            "attached_context": {"type": "array", "items": OBJECT},
            "initial_permission_mode": STR,
            "task_id": UUID,
        },
    },
    "SandboxRunHandle": {
        "type": "object",
        "required": ["task_id", "run_id", "trace_id", "run_status", "just_created_run"],
        "properties": {
            "task_id": STR,
            "run_id": STR,
            "trace_id": nullable(STR),
            "run_status": STR,
            "just_created_run": {"type": "boolean"},
        },
    },
    "TaskRunCommandRequest": {
        "type": "object",
        "required": ["jsonrpc", "method"],
        "properties": {
            "jsonrpc": {"type": "string", "enum": ["2.0"]},
            "method": {
                "type": "string",
                "enum": [
                    "user_message",
                    "cancel",
                    "close",
                    "permission_response",
                    "set_config_option",
                ],
            },
            "params": OBJECT,
            "id": nullable({"oneOf": [STR, {"type": "number"}]}),
        },
    },
    "TaskRunCommandResponse": {
        "type": "object",
        "properties": {"jsonrpc": STR, "id": {}, "result": OBJECT, "error": OBJECT},
    },
    "TaskRunCommandError": {
        "type": "object",
        "properties": {
            "error": STR,
            "type": STR,
            "code": STR,
            "detail": STR,
            "attr": nullable(STR),
        },
    },
    "TaskRunSessionLogs": {"type": "array", "items": OBJECT},
    "AIUsage": {
        "type": "object",
        "required": [
            "conversation_credits",
            "period_credits",
            "free_tier_credits",
            "remaining_credits",
            "period_label",
            "period_start",
            "period_end",
            "conversation_start",
            "product",
            "message",
        ],
        "properties": {
            "conversation_credits": nullable(INT),
            "period_credits": INT,
            "free_tier_credits": INT,
            "remaining_credits": INT,
            "period_label": STR,
            "period_start": DT,
            "period_end": DT,
            "conversation_start": nullable(DT),
            "product": nullable(
                {
                    "type": "object",
                    "required": ["name", "credits", "separate_bucket"],
                    "properties": {
                        "name": STR,
                        "credits": INT,
                        "separate_bucket": {"type": "boolean"},
                    },
                }
            ),
            "message": STR,
        },
    },
}
