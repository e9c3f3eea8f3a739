"""OpenAPI components of file-download exports (PostHog's serializers in file_download.py)."""

from __future__ import annotations

from typing import Any

from ..schema_types import STR, UUID, nullable
from .requests import COMPRESSIONS, FAILED, MODELS
from .writer import FORMATS

_STATUSES = ["Starting", "Running", "Cancelled", "Completed", *FAILED]
_DT = {"type": "string", "format": "date-time"}

COMPONENTS: dict[str, Any] = {
    "FileDownloadRun": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "id": UUID,
            "status": {"type": "string", "enum": _STATUSES},
            "files": {"type": "array", "items": UUID},
            "records_completed": nullable({"type": "integer"}),
            "error": STR,
        },
    },
    "FileDownloadCreated": {"type": "object", "required": ["id"], "properties": {"id": UUID}},
    "FileDownloadRowCount": {
        "type": "object",
        "required": ["count"],
        "properties": {"count": {"type": "integer", "minimum": 0}},
    },
    "CreateFileDownloadRequest": {
        "type": "object",
        "required": ["model", "file"],
        "properties": {
            "model": {"type": "string", "enum": list(MODELS)},
            "file": {
                "type": "object",
                "properties": {
                    "format": {"type": "string", "enum": list(FORMATS), "default": "Parquet"},
                    "compression": nullable({"type": "string", "enum": list(COMPRESSIONS)}),
                    "max_size_mb": nullable({"type": "integer", "minimum": 0, "default": 1024}),
                },
            },
            "data_interval_start": _DT,
            "data_interval_end": _DT,
            "include": {"type": "array", "items": STR},
            "exclude": {"type": "array", "items": STR},
            "hogql_query": STR,
            "hogql_modifiers": {"type": "object"},
        },
    },
    "FileDownloadCountRowsRequest": {
        "type": "object",
        "required": ["model", "hogql_query"],
        "properties": {
            "model": {"type": "string", "enum": ["hogql"]},
            "hogql_query": STR,
            "data_interval_start": _DT,
            "data_interval_end": _DT,
        },
    },
}
