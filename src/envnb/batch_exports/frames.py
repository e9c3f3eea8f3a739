"""The column→dtype map of a batch export's DataFrame (``list_df()``).

An empty result has the same columns and dtypes as a full one. Secrets never reach a
frame: only declared, non-secret fields are read. The machinery is ``_core.framing``.
"""

from __future__ import annotations

from .._core.framing import DATETIME, Column
from .._core.models import allowed_values
from .hogql_rules import IncrementalMode
from .models import DestinationType, ExportModel, Interval, RunStatus

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
    Column("integration", "Int64", ("destination", "integration")),
    Column("incremental_mode", "category", categories=allowed_values(IncrementalMode)),
)
