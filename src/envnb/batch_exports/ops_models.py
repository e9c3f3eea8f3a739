"""Export operations: backfills, log entries, app metrics, status groups (contract §6).

Runs are :class:`~envnb.batch_exports.models.BatchExportRun`. Status groups are the ones
PostHog's web app shows: running = Starting, Running, ContinuedAsNew; failed = Failed,
FailedRetryable, FailedBilling; cancelled = Cancelled, Terminated, TimedOut; completed =
Completed. A status PostHog adds later falls in ``"other"``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from .._core.models import APIModel, open_enum
from .models import RunStatus


class StatusGroup(StrEnum):
    """How PostHog's UI groups run and backfill statuses."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    OTHER = "other"


STATUS_GROUPS: dict[str, StatusGroup] = {
    "Starting": StatusGroup.RUNNING,
    "Running": StatusGroup.RUNNING,
    "ContinuedAsNew": StatusGroup.RUNNING,
    "Completed": StatusGroup.COMPLETED,
    "Failed": StatusGroup.FAILED,
    "FailedRetryable": StatusGroup.FAILED,
    "FailedBilling": StatusGroup.FAILED,
    "Cancelled": StatusGroup.CANCELLED,
    "Terminated": StatusGroup.CANCELLED,
    "TimedOut": StatusGroup.CANCELLED,
}


def status_group(status: object) -> StatusGroup:
    """``"FailedRetryable"`` -> ``StatusGroup.FAILED``; unknown or missing -> ``OTHER``."""
    return STATUS_GROUPS.get(str(status), StatusGroup.OTHER) if status else StatusGroup.OTHER


class BackfillOverlapWarning(UserWarning):
    """A backfill would export data that another backfill or completed runs already did
    (PostHog does not deduplicate: the destination gets those rows twice)."""


class LogLevel(StrEnum):
    """Levels of batch export log entries."""

    DEBUG = "DEBUG"
    LOG = "LOG"
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


class BackfillProgress(APIModel):
    """``progress`` of a backfill: null unless Running, Starting or Completed."""

    total_runs: int | None = None
    finished_runs: int | None = None
    progress: float | None = None  # 0-1, rounded by PostHog to one decimal


class Backfill(APIModel):
    """A batch export backfill (a retry is a backfill of one run's interval)."""

    id: str
    progress: BackfillProgress | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    status: open_enum(RunStatus) | None = None  # type: ignore[valid-type]
    created_at: datetime | None = None
    finished_at: datetime | None = None
    last_updated_at: datetime | None = None
    total_records_count: int | None = None
    adjusted_start_at: datetime | None = None
    team: int | None = None
    batch_export: str | None = None

    @property
    def fraction_done(self) -> float | None:
        """finished_runs / total_runs unrounded (None when PostHog gives no progress)."""
        p = self.progress
        if p is None or not p.total_runs or p.finished_runs is None:
            return None
        return p.finished_runs / p.total_runs


class BackfillCreated(APIModel):
    """Answer of a backfill or a retry: ``{"backfill_id": "<uuid>"}`` (201)."""

    backfill_id: str


class Cancelled(APIModel):
    """Answer of cancelling a run or a backfill: ``{"cancelled": true}``."""

    cancelled: bool


class LogEntry(APIModel):
    """One log entry of an export (``instance_id`` is the run id)."""

    log_source_id: str | None = None
    instance_id: str | None = None
    timestamp: datetime | None = None
    level: open_enum(LogLevel) | None = None  # type: ignore[valid-type]
    message: str = ""


class AppMetrics(APIModel):
    """``metrics`` of ``app_metrics/{id}``: per day, records of Completed runs (successes)
    and of the other runs (failures), summed by PostHog over ``last_updated_at`` days."""

    dates: list[str] = Field(default_factory=list)
    successes: list[int] = Field(default_factory=list)
    successes_on_retry: list[int] = Field(default_factory=list)
    failures: list[int] = Field(default_factory=list)
    totals: dict[str, Any] = Field(default_factory=dict)
