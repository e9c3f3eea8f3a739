"""Batch export runs: list (cursor pages), retrieve, retry, cancel (contract §6).

``GET batch_exports/{id}/runs/`` follows PostHog's ``BatchExportRunViewSet``: without
``after`` only runs created in the last 7 days come back; ``ordering`` is ``created_at``
or ``data_interval_start`` (``-`` = descending, default ``-created_at``), and ordering by
``data_interval_start`` filters on ``start``/``end`` instead of ``after``/``before``;
``status`` may repeat and an unknown one is a 400 naming ``status__<index>``.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime
from typing import Any

from .. import errors
from .._util import seeded_uuid
from ..clock import parse_stamp, stamp
from ..store import Store
from . import sim

STATUSES = (
    "Cancelled",
    "Completed",
    "ContinuedAsNew",
    "Failed",
    "FailedRetryable",
    "FailedBilling",
    "Terminated",
    "TimedOut",
    "Running",
    "Starting",
)
FIELDS = (
    "id",
    "status",
    "records_completed",
    "records_failed",
    "latest_error",
    "data_interval_start",
    "data_interval_end",
    "cursor",
    "created_at",
    "finished_at",
    "last_updated_at",
    "records_total_count",
    "bytes_exported",
    "batch_export",
    "backfill",
)
PAGE_SIZE = 100
ORDERINGS = ("created_at", "data_interval_start")
_ids = random.Random()  # ids of objects created at runtime (not part of the seed)


def run_json(row: sqlite3.Row) -> dict[str, Any]:
    """A BatchExportRun as the API returns it (every model field)."""
    return {
        name: row["batch_export_id"] if name == "batch_export" else row[name] for name in FIELDS
    }


def ordering(raw: str, fields: tuple[str, ...]) -> tuple[str, bool]:
    """DRF's OrderingFilter over ``fields``: the first valid term wins, invalid terms are
    ignored; none: ``-created_at``. Returns (field, descending)."""
    for term in raw.split(","):
        term = term.strip()
        if term.lstrip("-") in fields:
            return term.lstrip("-"), term.startswith("-")
    return "created_at", True


def check_statuses(statuses: list[str]) -> None:
    """An unknown ``status`` is a 400 naming ``status__<index>`` (checked before the dates)."""
    for index, value in enumerate(statuses):
        if value not in STATUSES:
            raise errors.invalid_choice(value, f"status__{index}")


def runs_query(
    export_id: str, statuses: list[str], field: str, low: datetime, high: datetime
) -> tuple[str, tuple[Any, ...]]:
    """The runs a list shows, as (source SQL, params): ``low``..``high`` on ``created_at``, or
    on the interval when ordering by ``data_interval_start``."""
    where = ["batch_export_id = ?"]
    params: list[Any] = [export_id]
    if field == "data_interval_start":
        where += ["data_interval_start >= ?", "data_interval_end <= ?"]
    else:
        where += ["created_at >= ?", "created_at <= ?"]
    params += [stamp(low.timestamp()), stamp(high.timestamp())]
    if statuses:
        where.append(f"status IN ({','.join('?' * len(statuses))})")
        params += statuses
    return f"(SELECT * FROM runs WHERE {' AND '.join(where)})", tuple(params)


def child_row(store: Store, table: str, row_id: str, export_id: str) -> sqlite3.Row:
    """A run or backfill (``table``, our own constant) of an export, or 404."""
    row = store.one(
        f"SELECT * FROM {table} WHERE id = ? AND batch_export_id = ?", (row_id, export_id)
    )
    if row is None:
        raise errors.not_found()
    return row


def check_cancellable(kind: str, status: str) -> None:
    """PostHog cancels only what is Running or Starting; anything else is a 400."""
    if status not in ("Running", "Starting"):
        raise errors.validation(f"Cannot cancel a {kind} that is in '{status}' status")


def retry(store: Store, ops: sim.OpsState, run: sqlite3.Row, export: sqlite3.Row) -> str:
    """A backfill of exactly the run's interval; its id."""
    end = parse_stamp(run["data_interval_end"])
    start = (
        parse_stamp(run["data_interval_start"])
        if run["data_interval_start"]
        else parse_stamp(export["created_at"])
    )
    backfill_id = seeded_uuid(_ids)
    with store.tx() as db:
        sim.create_backfill(
            db,
            backfill_id=backfill_id,
            export=export,
            start=start,
            end=end,
            started=ops.clock.epoch(),
            pace=ops.backfill_pace,
        )
    return backfill_id


def cancel(store: Store, ops: sim.OpsState, run: sqlite3.Row) -> None:
    """Cancel a Running or Starting run (400 otherwise)."""
    check_cancellable("run", run["status"])
    with store.tx() as db:
        sim.cancel_run(db, run["id"], ops.clock.epoch())
