"""Batch export logs and app metrics (contract §6).

Log entries are derived from the runs (PostHog writes them from its workflows): each run
says when it started, what it exported or why an attempt failed, and how it ended. The
parameters follow ``LogEntryRequestSerializer`` (``limit`` 1-500, default 50; ``after``/
``before`` strict ISO bounds; ``level`` repeated or comma-separated; ``search`` a
case-insensitive substring; ``instance_id`` a run id), newest first. The answer uses the
export viewset's LimitOffsetPagination envelope, ``{count, next, previous, results}``.

``app_metrics/{id}/`` sums ``records_total_count`` per day of ``last_updated_at`` (Completed
runs as successes, every other status as failures), as PostHog's
``get_batch_export_runs_app_metrics_queryset`` does: records, not run counts.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from .. import validate as v
from ..clock import parse_stamp, stamp
from ..store import Store

LEVELS = ("DEBUG", "LOG", "INFO", "WARN", "ERROR")


def _entries(run: sqlite3.Row, dest_type: str) -> list[tuple[str, str, str]]:
    """(timestamp, level, message) of one run, oldest first."""
    start, end = run["data_interval_start"] or "the beginning", run["data_interval_end"]
    created = parse_stamp(run["created_at"])
    span = f"{start} - {end}"
    what = "Backfill run" if run["backfill"] else "Batch export run"
    out = [(stamp(created), "INFO", f"{what} for range {span} to {dest_type} started")]
    status, finished = run["status"], run["finished_at"]
    if status in ("Running", "Starting"):
        out.append((stamp(created + 1), "DEBUG", f"Reading events for range {span}"))
        return out
    took = parse_stamp(finished) - created if finished else 0
    if status == "Completed":
        records = run["records_completed"] or 0
        if records == 0:
            message = f"No data to export in range {span}: finished without contacting {dest_type}"
        else:
            out.append((stamp(created + 1), "DEBUG", f"Exporting {records} records to {dest_type}"))
            message = (
                f"Finished exporting {records} records ({run['bytes_exported'] or 0} bytes) "
                f"for range {span} in {int(took)} s"
            )
        out.append((finished, "INFO", message))
    elif status.startswith("Failed"):
        error = run["latest_error"] or "unknown error"
        for attempt in (1, 2):
            at = stamp(created + took * attempt / 3)
            out.append((at, "WARN", f"Attempt {attempt} failed, retrying: {error}"))
        out.append((finished, "ERROR", f"Batch export for range {span} failed: {error}"))
    else:
        out.append((finished or run["last_updated_at"], "WARN", f"Run ended as {status}"))
    return out


def logs(
    store: Store,
    export: sqlite3.Row,
    instance_id: str | None,
    params: dict[str, Any],
    level_terms: list[str],
) -> dict[str, Any]:
    """The log page of an export (``instance_id``: of one run), by ``LogEntryRequestSerializer``
    ``params`` (one value each) and the ``level`` values, split on commas."""
    limit = v.integer({"limit": params.get("limit", 50)}, "limit", 1, 500) or 50
    after = v.moment(params, "after") if params.get("after") else None
    before = v.moment(params, "before") if params.get("before") else None
    levels = {level.upper() for level in level_terms}
    search = (params.get("search") or "").casefold()
    instance_id = instance_id or params.get("instance_id") or None
    sql = "SELECT * FROM runs WHERE batch_export_id = ?"
    args: list[Any] = [export["id"]]
    if instance_id:
        sql += " AND id = ?"
        args.append(instance_id)
    if before:
        sql += " AND created_at < ?"
        args.append(stamp(parse_stamp(before) + 1))
    if after:
        sql += " AND (finished_at IS NULL OR finished_at >= ? OR last_updated_at >= ?)"
        args += [stamp(parse_stamp(after)), stamp(parse_stamp(after))]
    entries = []
    low = parse_stamp(after) if after else None
    high = parse_stamp(before) if before else None
    for run in store.read(sql, tuple(args)):
        for position, (at, level, message) in enumerate(_entries(run, export["dest_type"])):
            moment = parse_stamp(at)
            if (low is not None and moment <= low) or (high is not None and moment >= high):
                continue
            if levels and level not in levels:
                continue
            if search and search not in message.casefold():
                continue
            entries.append((at, run["created_at"], position, run["id"], level, message))
    entries.sort(reverse=True)
    results = [
        {
            "log_source_id": export["id"],
            "instance_id": run_id,
            "timestamp": at,
            "level": level,
            "message": message,
        }
        for at, _, _, run_id, level, message in entries[:limit]
    ]
    return {"count": len(results), "next": None, "previous": None, "results": results}


def app_metrics(store: Store, export_id: str, low: datetime, high: datetime) -> dict[str, Any]:
    """Daily records of Completed runs (successes) and the others (failures), low..high."""
    rows = store.read(
        "SELECT substr(last_updated_at, 1, 10) AS day, "
        "SUM(CASE WHEN status = 'Completed' THEN COALESCE(records_total_count, 0) ELSE 0 END), "
        "SUM(CASE WHEN status != 'Completed' THEN COALESCE(records_total_count, 0) ELSE 0 END) "
        "FROM runs WHERE batch_export_id = ? AND last_updated_at BETWEEN ? AND ? "
        "GROUP BY day ORDER BY day",
        (export_id, stamp(low.timestamp()), stamp(high.timestamp())),
    )
    dates = [row[0] for row in rows]
    successes = [int(row[1]) for row in rows]
    failures = [int(row[2]) for row in rows]
    metrics = {
        "dates": dates,
        "successes": successes,
        "successes_on_retry": [0] * len(dates),
        "failures": failures,
        "totals": {"successes": sum(successes), "successes_on_retry": 0, "failures": sum(failures)},
    }
    return {"metrics": metrics, "errors": None}
