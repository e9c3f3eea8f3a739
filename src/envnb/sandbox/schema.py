"""The sandbox's OpenAPI 3 document, generated from the same route table that dispatches."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..models.timezones import posthog_timezones
from .batch_exports import INTERVALS, MODELS
from .conversations import AGENT_MODES
from .destinations import DESTINATION_TYPES
from .profile_configs import SCOPES
from .query import REFRESH
from .routes import ENDPOINTS, PREFIXES
from .runs import STATUSES
from .schema_ops import ERRORS as _ERRORS
from .schema_ops import OPS_COMPONENTS, cursor_paginated

_STR: dict[str, Any] = {"type": "string"}
_DT: dict[str, Any] = {"type": "string", "format": "date-time"}
_UUID: dict[str, Any] = {"type": "string", "format": "uuid"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


_RUN_STATUS = list(STATUSES)

COMPONENTS: dict[str, Any] = {
    "TimezoneEnum": {"type": "string", "enum": sorted(posthog_timezones())},
    "AgentModeEnum": {"type": "string", "enum": list(AGENT_MODES)},
    "Error": {
        "type": "object",
        "required": ["type", "code", "detail", "attr"],
        "properties": {"type": _STR, "code": _STR, "detail": _STR, "attr": _nullable(_STR)},
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
            "integration": _nullable({"type": "integer", "readOnly": True}),
            "integration_id": _nullable({"type": "integer", "writeOnly": True}),
        },
    },
    "BatchExportRun": {
        "type": "object",
        "properties": {
            "id": _UUID,
            "status": {"type": "string", "enum": _RUN_STATUS},
            "records_completed": _nullable({"type": "integer"}),
            "latest_error": _nullable(_STR),
            "data_interval_start": _nullable(_DT),
            "data_interval_end": _DT,
            "cursor": _nullable(_STR),
            "created_at": _DT,
            "finished_at": _nullable(_DT),
            "last_updated_at": _DT,
            "records_total_count": _nullable({"type": "integer"}),
            "bytes_exported": _nullable({"type": "integer"}),
            "batch_export": _UUID,
            "backfill": _nullable(_UUID),
            "records_failed": _nullable({"type": "integer"}),
        },
    },
    **OPS_COMPONENTS,
    "BatchExport": {
        "type": "object",
        "properties": {
            "id": _UUID,
            "team_id": {"type": "integer"},
            "name": _STR,
            "model": _nullable({"type": "string", "enum": list(MODELS)}),
            "destination": _ref("Destination"),
            "interval": {"type": "string", "enum": list(INTERVALS)},
            "paused": {"type": "boolean"},
            "created_at": _DT,
            "last_updated_at": _DT,
            "last_paused_at": _nullable(_DT),
            "start_at": _nullable(_DT),
            "end_at": _nullable(_DT),
            "latest_runs": {"type": "array", "items": _ref("BatchExportRun")},
            "hogql_query": {**_STR, "description": "Omitted when the export has none."},
            "schema": _nullable({"type": "object"}),
            "filters": _nullable({}),
            "timezone": _nullable(_ref("TimezoneEnum")),
            "offset_day": _nullable({"type": "integer", "minimum": 0, "maximum": 6}),
            "offset_hour": _nullable({"type": "integer", "minimum": 0, "maximum": 23}),
        },
    },
    "BatchExportInput": {
        "type": "object",
        "required": ["name", "destination", "interval"],
        "properties": {
            "name": _STR,
            "model": _nullable({"type": "string", "enum": list(MODELS)}),
            "destination": _ref("Destination"),
            "interval": {"type": "string", "enum": list(INTERVALS)},
            "paused": {"type": "boolean"},
            "start_at": _nullable(_DT),
            "end_at": _nullable(_DT),
            "last_paused_at": _nullable(_DT),
            "hogql_query": _STR,
            "filters": _nullable({}),
            "timezone": _nullable(_ref("TimezoneEnum")),
            "offset_day": _nullable({"type": "integer", "minimum": 0, "maximum": 6}),
            "offset_hour": _nullable({"type": "integer", "minimum": 0, "maximum": 23}),
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
            "message": _nullable(_STR),
        },
    },
    "BatchExportTestStep": {
        "type": "object",
        "properties": {"name": _STR, "description": _STR, "result": _nullable(_ref("StepResult"))},
    },
    "BatchExportTestSteps": {
        "type": "object",
        "properties": {"steps": {"type": "array", "items": _ref("BatchExportTestStep")}},
    },
    "RunTestStepInput": {
        "allOf": [
            _ref("BatchExportInput"),
            {"type": "object", "properties": {"step": {"type": "integer", "default": 0}}},
        ]
    },
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "uuid": _UUID,
            "distinct_id": _STR,
            "first_name": _STR,
            "last_name": _STR,
            "email": _STR,
            "is_email_verified": {"type": "boolean"},
            "hedgehog_config": _nullable({"type": "object"}),
            "role_at_organization": _nullable(_STR),
        },
    },
    "ConversationMinimal": {
        "type": "object",
        "properties": {
            "id": _UUID,
            "status": {"type": "string", "enum": ["idle", "in_progress", "canceling"]},
            "title": _nullable(_STR),
            "created_at": _DT,
            "updated_at": _DT,
            "type": {
                "type": "string",
                "enum": ["assistant", "tool_call", "deep_research", "slack"],
            },
            "user": _ref("User"),
            "is_internal": {"type": "boolean"},
            "slack_thread_key": _nullable(_STR),
            "slack_workspace_domain": _nullable(_STR),
        },
    },
    "Message": {
        "type": "object",
        "required": ["type"],
        "additionalProperties": True,
        "properties": {"type": _STR, "id": _UUID, "content": _STR},
    },
    "Conversation": {
        "allOf": [
            _ref("ConversationMinimal"),
            {
                "type": "object",
                "properties": {
                    "messages": {"type": "array", "items": _ref("Message")},
                    "has_unsupported_content": {"type": "boolean"},
                    "agent_mode": _nullable(_ref("AgentModeEnum")),
                    "pending_approvals": {
                        "type": "array",
                        "readOnly": True,
                        "items": {"type": "object", "additionalProperties": True},
                    },
                },
            },
        ]
    },
    "ConversationInput": {
        "type": "object",
        "required": ["content", "conversation", "trace_id"],
        "properties": {
            "content": _nullable({"type": "string", "maxLength": 40000}),
            "conversation": _UUID,
            "trace_id": _UUID,
            "contextual_tools": {"type": "object"},
            "ui_context": {},
            "billing_context": {},
            "session_id": _STR,
            "deep_research_mode": {"type": "boolean", "default": False},
            "agent_mode": _ref("AgentModeEnum"),
            "resume_payload": _nullable({}),
        },
    },
    "AppendMessageInput": {
        "type": "object",
        "required": ["content"],
        "properties": {"content": {"type": "string", "maxLength": 10000}},
    },
    "MessageId": {"type": "object", "properties": {"id": _UUID}},
    "CustomerProfileConfig": {
        "type": "object",
        "properties": {
            "id": _UUID,
            "scope": {"type": "string", "enum": list(SCOPES)},
            "content": _nullable({}),
            "sidebar": _nullable({}),
            "created_at": _DT,
            "updated_at": _nullable(_DT),
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
            "client_query_id": _STR,
            "name": _STR,
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
            "columns": {"type": "array", "items": _STR},
            "types": {"type": "array", "items": {"type": "array", "items": _STR}},
            "hasMore": _nullable({"type": "boolean"}),
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "hogql": _STR,
            "is_cached": {"type": "boolean"},
            "cache_key": _STR,
            "last_refresh": _DT,
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
                    "id": _STR,
                    "complete": {"type": "boolean"},
                    "error": {"type": "boolean"},
                    "error_message": _nullable(_STR),
                    "results": _nullable(_ref("QueryResponse")),
                    "query_async": {"type": "boolean"},
                    "start_time": _nullable(_DT),
                    "end_time": _nullable(_DT),
                },
                "additionalProperties": True,
            }
        },
    },
    "QueryCancelled": {"type": "object", "properties": {"message": _STR}},
    "CustomerProfileConfigInput": {
        "type": "object",
        "required": ["scope"],
        "properties": {
            "scope": {"type": "string", "enum": list(SCOPES)},
            "content": _nullable({"oneOf": [{"type": "object"}, {"type": "array", "items": {}}]}),
            "sidebar": _nullable({"oneOf": [{"type": "object"}, {"type": "array", "items": {}}]}),
        },
    },
}


def _paginated(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": _nullable({"type": "string", "format": "uri"}),
            "previous": _nullable({"type": "string", "format": "uri"}),
            "results": {"type": "array", "items": _ref(item)},
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _operation(endpoint: Any, prefix: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "401": _error("Missing or invalid personal API key"),
        "403": _error("Missing scope"),
    }
    if endpoint.streaming:
        responses["200"] = {
            "description": "Server-sent events: conversation, status, message, update",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
        responses["409"] = _error("A reply is already in progress")
    elif endpoint.status == 204:
        responses["204"] = {"description": "No response body"}
    else:
        if endpoint.cursor_paged:
            schema = cursor_paginated(str(endpoint.response))
        elif endpoint.paginated:
            schema = _paginated(str(endpoint.response))
        else:
            schema = _ref(endpoint.response) if endpoint.response else {"type": "object"}
        responses[str(endpoint.status)] = {
            "description": endpoint.summary,
            "content": {"application/json": {"schema": schema}},
        }
    # Every operation lives under a project: an unknown project id is a 404.
    responses["404"] = _error("Not found")
    if endpoint.request:
        responses["400"] = _error("Validation error")
        responses["415"] = _error("Unsupported media type")
    for status in endpoint.errors:
        responses[str(status)] = _error(_ERRORS[status])
    if endpoint.name == "batch_exports_test":
        responses["400"] = {"description": "No `destination` parameter (empty body)"}
        responses["404"] = {"description": "No test for this destination (empty body)"}
    if endpoint.name == "query_create":
        responses["202"] = {
            "description": "An async run started (refresh=async)",
            "content": {"application/json": {"schema": _ref("QueryStatusResponse")}},
        }
    if endpoint.name == "query_retrieve":
        for code, what in (("202", "Still running"), ("400", "The run failed")):
            responses[code] = {
                "description": what,
                "content": {"application/json": {"schema": _ref("QueryStatusResponse")}},
            }
    if "run_test_step" in endpoint.name:
        responses["500"] = _error("Step index out of range, or no destination (as PostHog)")
    params: list[dict[str, Any]] = [
        {
            "name": "project_id",
            "in": "path",
            "required": True,
            "schema": _STR,
            "description": "A project id, or `@current` for the caller's current project.",
        }
    ]
    for name in ("id", "run_id", "backfill_id"):
        if f"{{{name}}}" in endpoint.path:
            id_kind = _STR if endpoint.tag == "query" and name == "id" else _UUID
            params.append({"name": name, "in": "path", "required": True, "schema": id_kind})
    if endpoint.paginated:
        params += [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}},
        ]
    params += [{"name": q, "in": "query", "required": True, "schema": _STR} for q in endpoint.query]
    for name in endpoint.options:
        kind: dict[str, Any] = _STR
        if name == "status":
            kind = {"type": "array", "items": {"type": "string", "enum": _RUN_STATUS}}
        elif name == "limit":
            kind = {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
        params.append({"name": name, "in": "query", "schema": kind})
    scopes = [] if endpoint.scope is None else [endpoint.scope]
    op: dict[str, Any] = {
        "operationId": f"{endpoint.name}{'' if prefix == 'projects' else '_environments'}",
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": params,
        "responses": responses,
        "security": [{"PersonalAPIKeyAuth": scopes}],
    }
    if prefix == "environments":
        op["deprecated"] = True
    if endpoint.request:
        op["requestBody"] = {
            "required": endpoint.method in ("POST", "PUT"),
            "content": {"application/json": {"schema": _ref(endpoint.request)}},
        }
    if endpoint.scope is None:
        op["description"] = "Not available to scoped personal API keys (403)."
    return op


@lru_cache(maxsize=8)
def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for prefix in PREFIXES:
        for endpoint in ENDPOINTS:
            url = f"/api/{prefix}/{{project_id}}/{endpoint.path}/"
            paths.setdefault(url, {})[endpoint.method.lower()] = _operation(endpoint, prefix)
    return paths


def openapi(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document for a sandbox served at ``server_url``."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "envnb sandbox — PostHog Environments API (subset)",
            "version": "1.0.0",
            "description": "A local emulator of the PostHog endpoints envnb uses.",
        },
        "servers": [{"url": server_url}],
        "paths": _paths(),
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {"PersonalAPIKeyAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
