"""OpenAPI components of export operations: backfills, logs, app metrics (contract §6)."""

from __future__ import annotations

from typing import Any

from .batch_exports.runs import STATUSES
from .schema_types import DT, STR, UUID, nullable, ref

_LEVELS = ["DEBUG", "LOG", "INFO", "WARN", "ERROR"]


def cursor_paginated(item: str) -> dict[str, Any]:
    """DRF CursorPagination's envelope: no ``count``."""
    return {
        "type": "object",
        "required": ["results"],
        "properties": {
            "next": nullable({"type": "string", "format": "uri"}),
            "previous": nullable({"type": "string", "format": "uri"}),
            "results": {"type": "array", "items": ref(item)},
        },
    }


ERRORS = {
    400: "Validation error",
    429: "Too many concurrent backfills or file downloads (code too_many_concurrent_…)",
}


OPS_COMPONENTS: dict[str, Any] = {
    "BatchExportBackfill": {
        "type": "object",
        "properties": {
            "id": UUID,
            "progress": nullable(
                {
                    "type": "object",
                    "properties": {
                        "total_runs": nullable({"type": "integer"}),
                        "finished_runs": nullable({"type": "integer"}),
                        "progress": nullable({"type": "number"}),
                    },
                }
            ),
            "start_at": nullable(DT),
            "end_at": nullable(DT),
            "status": {"type": "string", "enum": [s for s in STATUSES if s != "FailedBilling"]},
            "created_at": DT,
            "finished_at": nullable(DT),
            "last_updated_at": DT,
            "total_records_count": nullable({"type": "integer"}),
            "adjusted_start_at": nullable(DT),
            "team": {"type": "integer"},
            "batch_export": UUID,
        },
    },
    "BackfillInput": {
        "type": "object",
        "properties": {
            "start_at": nullable(
                {"type": "string", "description": "ISO date (day/week) or aware datetime"}
            ),
            "end_at": nullable(
                {"type": "string", "description": "ISO date (day/week) or aware datetime"}
            ),
        },
    },
    "BackfillId": {
        "type": "object",
        "required": ["backfill_id"],
        "properties": {"backfill_id": UUID},
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
            "next": nullable(STR),
            "previous": nullable(STR),
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "log_source_id": STR,
                        "instance_id": STR,
                        "timestamp": DT,
                        "level": {
                            "type": "string",
                            "enum": ["DEBUG", "LOG", "INFO", "WARN", "ERROR"],
                        },
                        "message": STR,
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
            "errors": nullable({"type": "array", "items": {}}),
        },
    },
}
