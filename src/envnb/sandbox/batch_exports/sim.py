"""The export-operations simulation: scheduled runs, runs that finish, backfills that advance.

Nothing runs in the background. Every handler that shows runs, backfills, logs or metrics
first calls :func:`envnb.sandbox.batch_exports.catchup.tick`, which brings the database up to the
simulated clock:

- an unpaused export gets a run for each interval that ended since its last scheduled run
  (created 20-80 s after the interval ends, Running until its duration has passed, then
  Completed with the records :func:`schedule.records_for` gives the interval);
- a backfill produces one run per interval of its window, ``pace`` seconds apart, the
  current one Running, and ends Completed; cancelling it stops it.

All outcomes are functions of ids, intervals and the clock, so the same seed and the same
clock readings give the same rows.
"""

from __future__ import annotations

import math
import random
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .._util import seeded_uuid
from ..clock import Clock, parse_stamp, stamp
from . import schedule

RUNNING_GROUP = ("Starting", "Running", "ContinuedAsNew")
RUN_COLUMNS = 17


@dataclass
class OpsState:
    """Tunables and caches of the simulation."""

    clock: Clock = field(default_factory=Clock)
    backfill_pace: float = 1.0  # seconds between two runs of a created backfill
    max_backfills: int = 10  # Starting/Running backfills a team may have (429 beyond)
    next_check: float = 0.0  # no export has a scheduled run due before this epoch
    history_pending: bool = True  # the seeded history may still have to be written
    recent_written: bool = False  # the newest seeded runs are written


def invalidate(ops: OpsState) -> None:
    """An export was created, changed or unpaused: look at schedules on the next tick."""
    ops.next_check = 0.0


def run_row(
    run_id: str,
    export_id: str,
    dest_type: str,
    start: float,
    end: float,
    created: float,
    now: float,
    *,
    backfill: str | None = None,
    error: str | None = None,
    records: int | None = None,
    duration: float | None = None,
) -> tuple[Any, ...]:
    """A runs-table row: Completed, Failed (``error``) or Running when it ends after ``now``."""
    count = schedule.records_for(export_id, start, end) if records is None else records
    took = schedule.duration_for(dest_type, count, run_id) if duration is None else duration
    finished = created + took
    common = (run_id, export_id)
    interval = (stamp(start), stamp(end), None, stamp(created))
    if error is not None:
        return (*common, "Failed", None, error, *interval, stamp(finished), stamp(finished),
                count, None, backfill, None, None, None)  # fmt: skip
    if finished > now:
        return (*common, "Running", None, None, *interval, None, stamp(created),
                count, None, backfill, None, finished, count)  # fmt: skip
    return (*common, "Completed", count, None, *interval, stamp(finished), stamp(finished),
            count, count * schedule.BYTES_PER_RECORD, backfill, 0, None, None)  # fmt: skip


INSERT_RUN = f"INSERT OR IGNORE INTO runs VALUES ({','.join('?' * RUN_COLUMNS)})"


def advance(db: sqlite3.Connection, ops: OpsState, team_id: int) -> None:
    """Finish the runs that are due, schedule new ones and advance backfills to the clock.

    Callers go through :func:`envnb.sandbox.batch_exports.catchup.tick`, which first writes
    the seeded history the request needs.
    """
    now = ops.clock.epoch()
    _finish_due(db, now)
    if now >= ops.next_check:
        _schedule(db, ops, team_id, now)
    advance_backfills(db, now)


def _finish_due(db: sqlite3.Connection, now: float) -> None:
    due = db.execute(
        "SELECT id, due_at, due_records FROM runs WHERE due_at IS NOT NULL AND due_at <= ?",
        (now,),
    ).fetchall()
    db.executemany(
        "UPDATE runs SET status = 'Completed', records_completed = ?, bytes_exported = ?, "
        "records_failed = 0, finished_at = ?, last_updated_at = ?, due_at = NULL, "
        "due_records = NULL WHERE id = ? AND status = 'Running'",
        [(n, n * schedule.BYTES_PER_RECORD, stamp(at), stamp(at), run_id) for run_id, at, n in due],
    )


def _schedule(db: sqlite3.Connection, ops: OpsState, team_id: int, now: float) -> None:
    exports = db.execute(
        "SELECT id, interval, interval_offset, dest_type, created_at FROM batch_exports "
        "WHERE team_id = ? AND paused = 0 AND deleted = 0",
        (team_id,),
    ).fetchall()
    soonest = math.inf
    rows = []
    for export_id, interval, offset, dest_type, created_at in exports:
        last = db.execute(
            "SELECT MAX(data_interval_end) FROM runs WHERE batch_export_id = ? "
            "AND backfill IS NULL",
            (export_id,),
        ).fetchone()[0]
        resumed = db.execute(
            "SELECT value FROM meta WHERE key = ?", (f"resumed:{export_id}",)
        ).fetchone()
        since = max(
            parse_stamp(last) + 1 if last else parse_stamp(created_at),
            float(resumed[0]) if resumed else 0.0,
        )
        step = schedule.step_of(interval)
        end = schedule.next_end(interval, offset, since)
        while True:
            created = end + 20 + int(60 * schedule._unit(f"{export_id}:{end}"))
            if created > now:
                soonest = min(soonest, created)
                break
            run_id = seeded_uuid(random.Random(f"{export_id}:{end}"))
            rows.append(run_row(run_id, export_id, dest_type, end - step, end, created, now))
            end += step
    db.executemany(INSERT_RUN, rows)
    ops.next_check = soonest


def intervals(start: float, end: float, step: int) -> list[tuple[float, float]]:
    """A backfill's runs: ``step``-long intervals from ``start``, the last one cut at ``end``."""
    count = max(1, math.ceil((end - start) / step))
    return [(start + k * step, min(start + (k + 1) * step, end)) for k in range(count)]


def create_backfill(
    db: sqlite3.Connection,
    *,
    backfill_id: str,
    export: sqlite3.Row,
    start: float,
    end: float,
    started: float,
    pace: float,
    stamps: tuple[str, str] | None = None,
) -> None:
    """Record a backfill of ``[start, end)``; its runs appear as the clock passes ``started``.

    ``stamps`` keeps the caller's own ``start_at``/``end_at`` text (unpause passes the
    export's ``last_paused_at`` and its unpause time as it stores them).
    """
    total = len(intervals(start, end, schedule.step_of(export["interval"])))
    created = stamps[1] if stamps else stamp(started)
    start_at, end_at = stamps or (stamp(start), stamp(end))
    db.execute(
        "INSERT INTO backfills (id, batch_export_id, team_id, start_at, end_at, status, "
        "created_at, finished_at, last_updated_at, adjusted_start_at, total_records_count, "
        "total_runs, runs_done, started, pace) "
        "VALUES (?, ?, ?, ?, ?, 'Starting', ?, NULL, ?, NULL, 0, ?, 0, ?, ?)",
        (
            backfill_id,
            export["id"],
            export["team_id"],
            start_at,
            end_at,
            created,
            created,
            total,
            started,
            pace,
        ),
    )


def advance_backfills(db: sqlite3.Connection, now: float, only: str | None = None) -> None:
    """Produce the runs that open backfills owe by ``now``; finish those that are done."""
    sql = (
        "SELECT b.*, e.interval, e.dest_type FROM backfills b "
        "JOIN batch_exports e ON e.id = b.batch_export_id "
        "WHERE b.status IN ('Starting', 'Running') AND b.started <= ?"
    )
    params: tuple[Any, ...] = (now,)
    if only is not None:
        sql += " AND b.id = ?"
        params += (only,)
    for row in db.execute(sql, params).fetchall():
        _advance(db, row, now)


def _advance(db: sqlite3.Connection, row: sqlite3.Row, now: float) -> None:
    windows = intervals(
        parse_stamp(row["start_at"]), parse_stamp(row["end_at"]), schedule.step_of(row["interval"])
    )
    started, pace, done = row["started"], row["pace"], row["runs_done"]
    total = len(windows)
    finished = total if pace <= 0 else min(total, int((now - started) // pace))
    records = row["total_records_count"] or 0
    completed: list[tuple[Any, ...]] = []
    running: list[tuple[Any, ...]] = []
    for k in range(done, min(finished + 1, total)):
        start, end = windows[k]
        run_id = seeded_uuid(random.Random(f"{row['id']}:{k}"))
        created = started + k * pace
        # A finished run is read at its end time (Completed); the current one at its start.
        seen_at = created + pace if k < finished else created
        values = run_row(
            run_id,
            row["batch_export_id"],
            row["dest_type"],
            start,
            end,
            created,
            seen_at,
            backfill=row["id"],
            duration=pace,
        )
        (completed if k < finished else running).append(values)
    for values in completed:
        records += values[3]
        # The run may exist as Running (or be Cancelled by the user): only a Running one moves.
        db.execute(INSERT_RUN, values)
        db.execute(
            "UPDATE runs SET status = 'Completed', records_completed = ?, bytes_exported = ?, "
            "records_failed = 0, finished_at = ?, last_updated_at = ? "
            "WHERE id = ? AND status = 'Running'",
            (values[3], values[12], values[9], values[10], values[0]),
        )
    for values in running:
        # The backfill moves its own runs on: no due time for the scheduled-run pass.
        db.execute(INSERT_RUN, (*values[:15], None, None))
    ended = finished >= total
    moved = stamp(started + finished * pace)
    db.execute(
        "UPDATE backfills SET status = ?, runs_done = ?, total_records_count = ?, "
        "finished_at = ?, last_updated_at = ? WHERE id = ?",
        ("Completed" if ended else "Running", finished, records, moved if ended else None,
         moved, row["id"]),
    )  # fmt: skip


def cancel_backfill(db: sqlite3.Connection, backfill_id: str, now: float) -> None:
    """Stop a backfill: it and its running run become Cancelled."""
    db.execute(
        "UPDATE backfills SET status = 'Cancelled', finished_at = ?, last_updated_at = ? "
        "WHERE id = ?",
        (stamp(now), stamp(now), backfill_id),
    )
    db.execute(
        "UPDATE runs SET status = 'Cancelled', finished_at = ?, last_updated_at = ?, "
        "due_at = NULL, due_records = NULL WHERE backfill = ? AND status IN "
        "('Starting', 'Running')",
        (stamp(now), stamp(now), backfill_id),
    )


def cancel_run(db: sqlite3.Connection, run_id: str, now: float) -> None:
    """Stop one run: Cancelled now."""
    db.execute(
        "UPDATE runs SET status = 'Cancelled', finished_at = ?, last_updated_at = ?, "
        "due_at = NULL, due_records = NULL WHERE id = ?",
        (stamp(now), stamp(now), run_id),
    )
