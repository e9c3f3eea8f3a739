"""Column→dtype maps of the export-operations frames: runs, backfills, logs, metrics, health.

Declared like ``batch_exports.frames``: tz-aware UTC datetimes, nullable ``Int64``/``Float64``/
``boolean``, ``category`` for enums (unknown values kept as extra categories), ``string``
for text. An empty result has the same columns and dtypes as a full one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.framing import DATETIME, Column, FrameBuilder, frame_from_records
from .._core.models import allowed_values
from .models import RunStatus
from .ops_models import LogLevel, StatusGroup, status_group

if TYPE_CHECKING:
    import pandas as pd

_STATUSES = allowed_values(RunStatus)
_GROUPS = allowed_values(StatusGroup)


RUN_COLUMNS: tuple[Column, ...] = (
    Column("export_id", "string", ("batch_export",)),
    Column("export_name", "string"),  # filled by add_export_names
    Column("id", "string"),
    Column("status", "category", categories=_STATUSES),
    Column("status_group", "category", categories=_GROUPS),  # add_status_group
    Column("data_interval_start", DATETIME),
    Column("data_interval_end", DATETIME),
    Column("created_at", DATETIME),
    Column("finished_at", DATETIME),
    Column("last_updated_at", DATETIME),
    Column("duration_s", "Float64"),  # finished_at - created_at, seconds (finish_runs_frame)
    Column("records_completed", "Int64"),
    Column("records_failed", "Int64"),
    Column("records_total_count", "Int64"),
    Column("bytes_exported", "Int64"),
    Column("latest_error", "string"),
    Column("backfill", "string"),
)

BACKFILL_COLUMNS: tuple[Column, ...] = (
    Column("export_id", "string", ("batch_export",)),
    Column("export_name", "string"),
    Column("id", "string"),
    Column("status", "category", categories=_STATUSES),
    Column("status_group", "category", categories=_GROUPS),  # add_status_group
    Column("start_at", DATETIME),
    Column("end_at", DATETIME),
    Column("total_runs", "Int64", ("progress", "total_runs")),
    Column("finished_runs", "Int64", ("progress", "finished_runs")),
    Column("progress", "Float64", ("progress", "progress")),
    Column("total_records_count", "Int64"),
    Column("created_at", DATETIME),
    Column("finished_at", DATETIME),
    Column("last_updated_at", DATETIME),
    Column("adjusted_start_at", DATETIME),
)

LOG_COLUMNS: tuple[Column, ...] = (
    Column("timestamp", DATETIME),
    Column("level", "category", categories=allowed_values(LogLevel)),
    Column("message", "string"),
    Column("run_id", "string", ("instance_id",)),
    Column("export_id", "string", ("log_source_id",)),
)

METRIC_COLUMNS: tuple[Column, ...] = (
    Column("date", DATETIME),
    Column("successes", "Int64"),
    Column("successes_on_retry", "Int64"),
    Column("failures", "Int64"),
)

HEALTH_COLUMNS: tuple[Column, ...] = (
    Column("export_id", "string"),
    Column("name", "string"),
    Column("destination_type", "category"),
    Column("interval", "category"),
    Column(
        "status",
        "category",
        categories=("auto-paused", "paused", "failing", "gaps", "no runs", "healthy"),
    ),
    Column("paused", "boolean"),
    Column("paused_by_system_likely", "boolean"),
    Column("last_paused_at", DATETIME),
    Column("runs", "Int64"),
    Column("completed_runs", "Int64"),
    Column("failed_runs", "Int64"),
    Column("cancelled_runs", "Int64"),
    Column("running_runs", "Int64"),
    Column("failure_rate", "Float64"),
    Column("consecutive_failures", "Int64"),
    Column("last_error", "string"),
    Column("last_error_at", DATETIME),
    Column("last_success_at", DATETIME),
    Column("expected_intervals", "Int64"),
    Column("missing_intervals", "Int64"),
    Column("missing_ranges", "object"),
    Column("zero_record_runs", "Int64"),
    Column("records_exported", "Int64"),
    Column("open_backfills", "Int64"),
    Column("backfill_progress", "Float64"),
)


def add_status_group(df: pd.DataFrame) -> pd.DataFrame:
    """Fill ``status_group`` from ``status`` (one lookup per distinct status)."""
    import pandas as pd

    groups = {s: status_group(s).value for s in df["status"].dropna().unique()}
    df["status_group"] = pd.Categorical(
        df["status"].astype(object).map(groups).where(df["status"].notna(), "other"),
        categories=list(_GROUPS),
    )
    return df


def finish_runs_frame(df: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Fill ``export_name`` from ``names`` (export id → name), ``status_group`` and
    ``duration_s``."""
    add_export_names(df, names)
    add_status_group(df)
    seconds = (df["finished_at"] - df["created_at"]).dt.total_seconds()
    df["duration_s"] = seconds.astype("Float64")
    return df


def add_export_names(df: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Fill the ``export_name`` column from the ``export_id`` column."""
    df["export_name"] = df["export_id"].map(dict(names)).astype("string")
    return df


def finish_backfills_frame(df: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Fill ``export_name`` and ``status_group`` of a backfills frame."""
    return add_status_group(add_export_names(df, names))


def metrics_frame(metrics: Mapping[str, Any]) -> pd.DataFrame:
    """``app_metrics``' parallel lists as one row per day (``date`` at 00:00 UTC)."""
    dates = list(metrics.get("dates") or [])
    rows = [
        {
            "date": day,
            "successes": _at(metrics.get("successes"), i),
            "successes_on_retry": _at(metrics.get("successes_on_retry"), i),
            "failures": _at(metrics.get("failures"), i),
        }
        for i, day in enumerate(dates)
    ]
    return frame_from_records(rows, METRIC_COLUMNS)


def _at(values: Any, i: int) -> Any:
    return values[i] if isinstance(values, list) and i < len(values) else None


__all__ = [
    "BACKFILL_COLUMNS",
    "HEALTH_COLUMNS",
    "LOG_COLUMNS",
    "METRIC_COLUMNS",
    "RUN_COLUMNS",
    "FrameBuilder",
    "add_export_names",
    "add_status_group",
    "finish_backfills_frame",
    "finish_runs_frame",
    "frame_from_records",
    "metrics_frame",
]
