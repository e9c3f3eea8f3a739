"""The column→dtype map of each resource's DataFrame (and the frame machinery, re-exported).

An empty result has the same columns and dtypes as a full one. Secrets never reach a
frame: only declared, non-secret fields are read. The machinery is ``_framing``.
"""

from __future__ import annotations

from typing import Any

from ._framing import DATETIME, Column, FrameBuilder, FrameSink, dtypes_of, frame_from_records
from .models.batch_exports import DestinationType, ExportModel, Interval, RunStatus
from .models.common import allowed_values
from .models.conversations import ConversationStatus, ConversationType
from .models.profile_configs import Scope
from .models.transcript import MESSAGE_COLUMNS, conversation_markdown, messages_frame

__all__ = [
    "BATCH_EXPORT_COLUMNS",
    "CONVERSATION_COLUMNS",
    "DATETIME",
    "MESSAGE_COLUMNS",
    "PROFILE_CONFIG_COLUMNS",
    "Column",
    "FrameBuilder",
    "FrameSink",
    "conversation_markdown",
    "dtypes_of",
    "frame_from_records",
    "messages_frame",
]


def _len_or_none(value: Any) -> int | None:
    return len(value) if isinstance(value, list | dict) else None


BATCH_EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("name", "string"),
    Column(
        "destination_type", "category", ("destination", "type"), allowed_values(DestinationType)
    ),
    Column("model", "category", categories=allowed_values(ExportModel)),
    Column("interval", "category", categories=allowed_values(Interval)),
    Column("paused", "boolean"),
    Column("created_at", DATETIME),
    Column("last_updated_at", DATETIME),
    Column("last_paused_at", DATETIME),
    Column("start_at", DATETIME),
    Column("end_at", DATETIME),
    Column("timezone", "string"),
    Column("offset_day", "Int64"),
    Column("offset_hour", "Int64"),
    Column(
        "latest_run_status", "category", ("latest_runs", 0, "status"), allowed_values(RunStatus)
    ),
    Column("latest_run_at", DATETIME, ("latest_runs", 0, "created_at")),
    Column("latest_run_records", "Int64", ("latest_runs", 0, "records_completed")),
    Column("team_id", "Int64"),
)

CONVERSATION_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("title", "string"),
    Column("status", "category", categories=allowed_values(ConversationStatus)),
    Column("type", "category", categories=allowed_values(ConversationType)),
    Column("created_at", DATETIME),
    Column("updated_at", DATETIME),
    Column("user_email", "string", ("user", "email")),
    Column("is_internal", "boolean"),
    Column("message_count", "Int64", derive=lambda r: _len_or_none(r.get("messages"))),
)

PROFILE_CONFIG_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("scope", "category", categories=allowed_values(Scope)),
    Column("created_at", DATETIME),
    Column("updated_at", DATETIME),
    Column("content_items", "Int64", derive=lambda r: _len_or_none(r.get("content"))),
    Column("sidebar_items", "Int64", derive=lambda r: _len_or_none(r.get("sidebar"))),
)
