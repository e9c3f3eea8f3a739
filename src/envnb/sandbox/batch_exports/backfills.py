"""Batch export backfills: list (cursor pages of 50), create, retrieve, cancel (contract §6).

Creation follows PostHog's ``create_backfill`` step by step, with its messages: no
``start_at`` -> 400; too many Starting/Running backfills in the team -> 429
``too_many_concurrent_backfills``; day and week exports take dates only (week dates on the
export's ``offset_day``), read at ``offset_hour`` in the export's timezone; other
intervals take timezone-aware datetimes; ``start_at`` before ``end_at``; ``end_at`` not in
the future. Two backfills of the same window both run: nothing is deduplicated.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import errors
from .._util import seeded_uuid
from ..store import Store
from . import sim
from .runs import check_cancellable

PAGE_SIZE = 50
FIELDS = (
    "id",
    "progress",
    "start_at",
    "end_at",
    "status",
    "created_at",
    "finished_at",
    "last_updated_at",
    "total_records_count",
    "adjusted_start_at",
    "team",
    "batch_export",
)
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ids = random.Random()  # ids of objects created at runtime (not part of the seed)
ORDERINGS = ("created_at", "start_at")


def backfill_json(row: sqlite3.Row) -> dict[str, Any]:
    """A BatchExportBackfill as the API returns it; ``progress`` as PostHog computes it."""
    status, total, done = row["status"], row["total_runs"], row["runs_done"]
    progress: dict[str, Any] | None = None
    if status == "Completed":
        progress = {"total_runs": total, "finished_runs": total, "progress": 1.0}
    elif status in ("Running", "Starting") and total:
        total = max(total, done)
        progress = {"total_runs": total, "finished_runs": done, "progress": round(done / total, 1)}
    derived = {"progress": progress, "team": row["team_id"], "batch_export": row["batch_export_id"]}
    return {name: derived[name] if name in derived else row[name] for name in FIELDS}


def list_query(export_id: str, team_id: int) -> tuple[str, tuple[Any, ...]]:
    """The backfills of an export, as (source SQL, params)."""
    return (
        "(SELECT * FROM backfills WHERE batch_export_id = ? AND team_id = ?)",
        (export_id, team_id),
    )


def live_export(store: Store, export_id: str, team_id: int) -> sqlite3.Row:
    """The export to backfill, or PostHog's 404 "BatchExport not found." (its own words)."""
    export = store.one(
        "SELECT * FROM batch_exports WHERE id = ? AND team_id = ? AND deleted = 0",
        (export_id, team_id),
    )
    if export is None:
        raise errors.ApiError(
            404, errors.body("invalid_request", "not_found", "BatchExport not found.")
        )
    return export


def _zone(name: str | None) -> Any:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_input(value: Any, export: sqlite3.Row) -> datetime:
    """PostHog's ``validate_date_input``: dates for day/week exports, aware datetimes else."""
    text = value if isinstance(value, str) else str(value)
    offset = export["interval_offset"] or 0
    if export["interval"] in ("day", "week"):
        try:
            parsed_date = date.fromisoformat(text)
        except ValueError:
            try:
                datetime.fromisoformat(text)
            except ValueError:
                pass
            else:
                raise errors.validation(
                    f"Input '{text}' is not a valid ISO formatted date. Daily or weekly batch "
                    "export backfills expect only the date component, but a time was included."
                ) from None
            raise errors.validation(f"Input '{text}' is not a valid ISO formatted date.") from None
        if export["interval"] == "week":
            offset_day = offset // 86400
            if parsed_date.isoweekday() % 7 != offset_day:
                raise errors.validation(
                    f"Input {text} is not on the correct day of the week for this batch export. "
                    f"{text} is a {parsed_date.strftime('%A')} but this batch export is "
                    f"configured to run weekly on {_DAYS[offset_day]}."
                )
        hour = (offset % 86400) // 3600
        return datetime.combine(parsed_date, time(hour=hour)).replace(
            tzinfo=_zone(export["timezone"])
        )
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise errors.validation(f"Input {text} is not a valid ISO formatted datetime.") from None
    if parsed.tzinfo is None:
        raise errors.validation(f"Input {text} is naive.")
    return parsed


def _active(db: sqlite3.Connection, team_id: int) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM backfills WHERE team_id = ? AND status IN ('Starting', 'Running')",
        (team_id,),
    ).fetchone()
    return int(row[0])


def create(store: Store, ops: sim.OpsState, export: sqlite3.Row, data: Any) -> str:
    """Create a backfill of ``export`` from the request body, PostHog's checks in PostHog's
    order (see the module docstring); its id."""
    data = data if isinstance(data, dict) else {}
    start_in, end_in = data.get("start_at"), data.get("end_at")
    if start_in is None:
        raise errors.validation(
            "Backfilling from the beginning of time is not enabled for this team."
        )
    with store.lock:
        active = _active(store.conn, export["team_id"])
    if active >= ops.max_backfills:
        raise errors.ApiError(
            429,
            errors.body(
                "server_error",
                "too_many_concurrent_backfills",
                f"This team already has {ops.max_backfills} batch export backfills running. "
                "Wait for some to finish or cancel them before creating more.",
            ),
        )
    start = parse_input(start_in, export)
    if end_in is None:
        raise errors.validation("Backfilling a BatchExport with no end date is not allowed")
    end = parse_input(end_in, export)
    if start >= end:
        raise errors.validation("The initial backfill datetime 'start_at' must be before 'end_at'")
    if end > ops.clock.now():
        raise errors.validation(f"The provided 'end_at' ({end.isoformat()}) is in the future")
    backfill_id = seeded_uuid(_ids)
    with store.tx() as db:
        sim.create_backfill(
            db,
            backfill_id=backfill_id,
            export=export,
            start=start.timestamp(),
            end=end.timestamp(),
            started=ops.clock.epoch(),
            pace=ops.backfill_pace,
        )
    return backfill_id


def cancel(store: Store, ops: sim.OpsState, row: sqlite3.Row) -> None:
    """Cancel a Running or Starting backfill (400 otherwise)."""
    check_cancellable("backfill", row["status"])
    with store.tx() as db:
        sim.cancel_backfill(db, row["id"], ops.clock.epoch())
