"""The OpenAPI component schemas of the sandbox: the bodies it accepts and answers."""

from __future__ import annotations

from typing import Any

from .batch_exports.backend import INTERVALS, MODELS
from .batch_exports.destinations import DESTINATION_TYPES
from .batch_exports.hogql_model import INCREMENTAL_MODES
from .batch_exports.runs import STATUSES
from .batch_exports.timezones import timezones
from .conversations.backend import AGENT_MODES
from .conversations.runtime_schema import COMPONENTS as RUNTIME_COMPONENTS
from .conversations.schema import COMPONENTS as CONVERSATION_COMPONENTS
from .file_exports.schema import COMPONENTS as FILE_EXPORT_COMPONENTS
from .insights.schema import COMPONENTS as INSIGHT_COMPONENTS
from .profile_configs.backend import SCOPES
from .query.api import REFRESH
from .schema_ops import OPS_COMPONENTS
from .schema_types import DT, STR, UUID, nullable, ref

RUN_STATUS = list(STATUSES)
_KEYS = nullable({"type": "array", "items": STR, "minItems": 1})
# The fields of a hogql export's source (null on every other model).
_HOGQL_SOURCE: dict[str, Any] = {
    "hogql_modifiers": nullable({"type": "object", "additionalProperties": True}),
    "primary_key": _KEYS,
    "version_key": _KEYS,
    "incremental_mode": nullable({"type": "string", "enum": list(INCREMENTAL_MODES)}),
}

COMPONENTS: dict[str, Any] = {
    "TimezoneEnum": {"type": "string", "enum": sorted(timezones())},
    "AgentModeEnum": {"type": "string", "enum": list(AGENT_MODES)},
    "Error": {
        "type": "object",
        "required": ["type", "code", "detail", "attr"],
        "properties": {"type": STR, "code": STR, "detail": STR, "attr": nullable(STR)},
    },
    "Destination": {
        "type": "object",
        "required": ["type", "config"],
        "properties": {
            "type": {"type": "string", "enum": list(DESTINATION_TYPES)},
            "config": {
                "type": "object",
                "additionalProperties": True,
                "description": "Secret fields are accepted on write, never returned.",
            },
            "integration": nullable({"type": "integer", "readOnly": True}),
            "integration_id": nullable({"type": "integer", "writeOnly": True}),
        },
    },
    "BatchExportRun": {
        "type": "object",
        "properties": {
            "id": UUID,
            "status": {"type": "string", "enum": RUN_STATUS},
            "records_completed": nullable({"type": "integer"}),
            "latest_error": nullable(STR),
            "data_interval_start": nullable(DT),
            "data_interval_end": DT,
            "cursor": nullable(STR),
            "created_at": DT,
            "finished_at": nullable(DT),
            "last_updated_at": DT,
            "records_total_count": nullable({"type": "integer"}),
            "bytes_exported": nullable({"type": "integer"}),
            "batch_export": UUID,
            "backfill": nullable(UUID),
            "records_failed": nullable({"type": "integer"}),
        },
    },
    **OPS_COMPONENTS,
    **FILE_EXPORT_COMPONENTS,
    **INSIGHT_COMPONENTS,
    **CONVERSATION_COMPONENTS,
    **RUNTIME_COMPONENTS,
    "BatchExport": {
        "type": "object",
        "properties": {
            "id": UUID,
            "team_id": {"type": "integer"},
            "name": STR,
            "model": nullable({"type": "string", "enum": list(MODELS)}),
            "destination": ref("Destination"),
            "interval": {"type": "string", "enum": list(INTERVALS)},
            "paused": {"type": "boolean"},
            "created_at": DT,
            "last_updated_at": DT,
            "last_paused_at": nullable(DT),
            "start_at": nullable(DT),
            "end_at": nullable(DT),
            "latest_runs": {"type": "array", "items": ref("BatchExportRun")},
            "hogql_query": {**STR, "description": "Omitted when the export has none."},
            **_HOGQL_SOURCE,
            "schema": nullable({"type": "object"}),
            "filters": nullable({}),
            "timezone": nullable(ref("TimezoneEnum")),
            "offset_day": nullable({"type": "integer", "minimum": 0, "maximum": 6}),
            "offset_hour": nullable({"type": "integer", "minimum": 0, "maximum": 23}),
        },
    },
    "BatchExportInput": {
        "type": "object",
        "required": ["name", "destination", "interval"],
        "properties": {
            "name": STR,
            "model": nullable({"type": "string", "enum": list(MODELS)}),
            "destination": ref("Destination"),
            "interval": {"type": "string", "enum": list(INTERVALS)},
            "paused": {"type": "boolean"},
            "start_at": nullable(DT),
            "end_at": nullable(DT),
            "last_paused_at": nullable(DT),
            "hogql_query": STR,
            **_HOGQL_SOURCE,
            "filters": nullable({}),
            "timezone": nullable(ref("TimezoneEnum")),
            "offset_day": nullable({"type": "integer", "minimum": 0, "maximum": 6}),
            "offset_hour": nullable({"type": "integer", "minimum": 0, "maximum": 23}),
        },
    },
    "Integration": {
        "type": "object",
        "required": ["id", "kind", "config", "created_at", "errors", "display_name"],
        "properties": {
            "id": {"type": "integer"},
            "kind": STR,
            "config": {"type": "object", "additionalProperties": True},
            "created_at": DT,
            "created_by": nullable({"type": "object"}),
            "errors": STR,
            "display_name": STR,
        },
    },
    "Paused": {
        "type": "object",
        "required": ["paused"],
        "properties": {"paused": {"type": "boolean"}},
    },
    "UnpauseInput": {
        "type": "object",
        "properties": {"backfill": {"type": "boolean", "default": False}},
    },
    "StepResult": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["Passed", "Failed", "Skipped"]},
            "message": nullable(STR),
        },
    },
    "BatchExportTestStep": {
        "type": "object",
        "properties": {"name": STR, "description": STR, "result": nullable(ref("StepResult"))},
    },
    "BatchExportTestSteps": {
        "type": "object",
        "properties": {"steps": {"type": "array", "items": ref("BatchExportTestStep")}},
    },
    "RunTestStepInput": {
        "allOf": [
            ref("BatchExportInput"),
            {"type": "object", "properties": {"step": {"type": "integer", "default": 0}}},
        ]
    },
    "PersonalAPIKey": {
        "type": "object",
        "required": ["id", "label", "scopes"],
        "properties": {
            "id": STR,
            "label": STR,
            "value": nullable(STR),
            "mask_value": nullable(STR),
            "scopes": {"type": "array", "items": STR},
            "scoped_teams": {"type": "array", "items": {"type": "integer"}},
            "scoped_organizations": {"type": "array", "items": STR},
        },
        "additionalProperties": True,
    },
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "uuid": UUID,
            "distinct_id": STR,
            "first_name": STR,
            "last_name": STR,
            "email": STR,
            "is_email_verified": {"type": "boolean"},
            "hedgehog_config": nullable({"type": "object"}),
            "role_at_organization": nullable(STR),
        },
    },
    "ConversationMinimal": {
        "type": "object",
        "properties": {
            "id": UUID,
            "status": {"type": "string", "enum": ["idle", "in_progress", "canceling"]},
            "title": nullable(STR),
            "created_at": DT,
            "updated_at": DT,
            "type": {
                "type": "string",
                "enum": ["assistant", "tool_call", "deep_research", "slack"],
            },
            "user": ref("User"),
            "is_internal": {"type": "boolean"},
            "slack_thread_key": nullable(STR),
            "slack_workspace_domain": nullable(STR),
            "topic": nullable(STR),
            "task": nullable({"type": "object", "additionalProperties": True}),
        },
    },
    "Message": {
        "type": "object",
        "required": ["type"],
        "additionalProperties": True,
        "properties": {"type": STR, "id": UUID, "content": STR},
    },
    "Conversation": {
        "allOf": [
            ref("ConversationMinimal"),
            {
                "type": "object",
                "properties": {
                    "messages": {"type": "array", "items": ref("Message")},
                    "has_unsupported_content": {"type": "boolean"},
                    "agent_mode": nullable(ref("AgentModeEnum")),
                    "pending_approvals": {
                        "type": "array",
                        "readOnly": True,
                        "items": ref("PendingApproval"),
                    },
                    "agent_runtime": {"type": "string", "enum": ["langgraph", "sandbox"]},
                    "is_sandbox": {"type": "boolean"},
                },
            },
        ]
    },
    "ConversationInput": {
        "type": "object",
        "required": ["content", "conversation", "trace_id"],
        "properties": {
            "content": nullable({"type": "string", "maxLength": 40000}),
            "conversation": UUID,
            "trace_id": UUID,
            "contextual_tools": {"type": "object"},
            "ui_context": {},
            "billing_context": {},
            "session_id": STR,
            "deep_research_mode": {"type": "boolean", "default": False},
            "agent_mode": ref("AgentModeEnum"),
            "resume_payload": nullable({}),
            "is_sandbox": {"type": "boolean", "default": False},
        },
    },
    "AppendMessageInput": {
        "type": "object",
        "required": ["content"],
        "properties": {"content": {"type": "string", "maxLength": 10000}},
    },
    "MessageId": {"type": "object", "properties": {"id": UUID}},
    "CustomerProfileConfig": {
        "type": "object",
        "properties": {
            "id": UUID,
            "scope": {"type": "string", "enum": list(SCOPES)},
            "content": nullable({}),
            "sidebar": nullable({}),
            "created_at": DT,
            "updated_at": nullable(DT),
        },
    },
    "QueryRequest": {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string", "enum": ["HogQLQuery", "TrendsQuery"]}},
                "additionalProperties": True,
                "description": "HogQLQuery {query} or TrendsQuery {series, interval, dateRange, "
                "breakdownFilter?, trendsFilter?, properties?}",
            },
            "refresh": {"type": "string", "enum": list(REFRESH)},
            "client_query_id": STR,
            "name": STR,
        },
    },
    "QueryResponse": {
        "type": "object",
        "required": ["results"],
        "description": "HogQL: columns, types ([name, ClickHouse type] pairs), results, "
        "hasMore/limit/offset when no LIMIT was given, hogql. Trends: results = one object per "
        "series (and breakdown value) with data, labels, days, count, label, action.",
        "properties": {
            "results": {"type": "array", "items": {}},
            "columns": {"type": "array", "items": STR},
            "types": {"type": "array", "items": {"type": "array", "items": STR}},
            "hasMore": nullable({"type": "boolean"}),
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "hogql": STR,
            "is_cached": {"type": "boolean"},
            "cache_key": STR,
            "last_refresh": DT,
        },
        "additionalProperties": True,
    },
    "QueryStatusResponse": {
        "type": "object",
        "required": ["query_status"],
        "properties": {
            "query_status": {
                "type": "object",
                "required": ["id", "complete", "error"],
                "properties": {
                    "id": STR,
                    "complete": {"type": "boolean"},
                    "error": {"type": "boolean"},
                    "error_message": nullable(STR),
                    "results": nullable(ref("QueryResponse")),
                    "query_async": {"type": "boolean"},
                    "start_time": nullable(DT),
                    "end_time": nullable(DT),
                    "error_code": nullable(STR),
                    "cache_key": nullable(STR),
                    "query_progress": nullable({"type": "object", "additionalProperties": True}),
                },
                "additionalProperties": True,
            }
        },
    },
    "QueryCancelled": {"type": "object", "properties": {"message": STR}},
    "QueryUpgradeResponse": {
        "type": "object",
        "required": ["query"],
        "properties": {"query": {"type": "object", "additionalProperties": True}},
    },
    "CustomerProfileConfigInput": {
        "type": "object",
        "required": ["scope"],
        "properties": {
            "scope": {"type": "string", "enum": list(SCOPES)},
            "content": nullable({"oneOf": [{"type": "object"}, {"type": "array", "items": {}}]}),
            "sidebar": nullable({"oneOf": [{"type": "object"}, {"type": "array", "items": {}}]}),
        },
    },
}
