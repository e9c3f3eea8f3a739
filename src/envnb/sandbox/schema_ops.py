"""OpenAPI components of export operations: backfills, logs, app metrics (contract §6)."""

from __future__ import annotations

from typing import Any

from .runs import STATUSES

_STR: dict[str, Any] = {"type": "string"}
_DT: dict[str, Any] = {"type": "string", "format": "date-time"}
_UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
_LEVELS = ["DEBUG", "LOG", "INFO", "WARN", "ERROR"]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def cursor_paginated(item: str) -> dict[str, Any]:
    """DRF CursorPagination's envelope: no ``count``."""
    return {
        "type": "object",
        "required": ["results"],
        "properties": {
            "next": _nullable({"type": "string", "format": "uri"}),
            "previous": _nullable({"type": "string", "format": "uri"}),
            "results": {"type": "array", "items": _ref(item)},
        },
    }


ERRORS = {
    400: "Validation error",
    429: "Too many concurrent backfills (code too_many_concurrent_backfills)",
}


OPS_COMPONENTS: dict[str, Any] = {
    "BatchExportBackfill": {
        "type": "object",
        "properties": {
            "id": _UUID,
            "progress": _nullable(
                {
                    "type": "object",
                    "properties": {
                        "total_runs": _nullable({"type": "integer"}),
                        "finished_runs": _nullable({"type": "integer"}),
                        "progress": _nullable({"type": "number"}),
                    },
                }
            ),
            "start_at": _nullable(_DT),
            "end_at": _nullable(_DT),
            "status": {"type": "string", "enum": [s for s in STATUSES if s != "FailedBilling"]},
            "created_at": _DT,
            "finished_at": _nullable(_DT),
            "last_updated_at": _DT,
            "total_records_count": _nullable({"type": "integer"}),
            "adjusted_start_at": _nullable(_DT),
            "team": {"type": "integer"},
            "batch_export": _UUID,
        },
    },
    "BackfillInput": {
        "type": "object",
        "properties": {
            "start_at": _nullable(
                {"type": "string", "description": "ISO date (day/week) or aware datetime"}
            ),
            "end_at": _nullable(
                {"type": "string", "description": "ISO date (day/week) or aware datetime"}
            ),
        },
    },
    "BackfillId": {
        "type": "object",
        "required": ["backfill_id"],
        "properties": {"backfill_id": _UUID},
    },
    "Cancelled": {
        "type": "object",
        "required": ["cancelled"],
        "properties": {"cancelled": {"type": "boolean"}},
    },
    "LogEntries": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "count": {"type": "integer"},
            "next": _nullable(_STR),
            "previous": _nullable(_STR),
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "log_source_id": _STR,
                        "instance_id": _STR,
                        "timestamp": _DT,
                        "level": {
                            "type": "string",
                            "enum": ["DEBUG", "LOG", "INFO", "WARN", "ERROR"],
                        },
                        "message": _STR,
                    },
                },
            },
        },
    },
    "AppMetrics": {
        "type": "object",
        "properties": {
            "metrics": {
                "type": "object",
                "properties": {
                    "dates": {"type": "array", "items": {"type": "string", "format": "date"}},
                    "successes": {"type": "array", "items": {"type": "integer"}},
                    "successes_on_retry": {"type": "array", "items": {"type": "integer"}},
                    "failures": {"type": "array", "items": {"type": "integer"}},
                    "totals": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
            "errors": _nullable({"type": "array", "items": {}}),
        },
    },
}
