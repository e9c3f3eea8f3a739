"""``health()``: one row per batch export, computed from its runs and backfills (pure).

PostHog keeps these checks internal; this module is the definition envnb uses. The window
is ``[since, now]``; "runs" are those *created* in it (what ``runs_df(after=since)`` lists).

Columns, in order:

- ``export_id``, ``name``, ``destination_type``, ``interval``, ``paused``, ``last_paused_at``:
  from the export.
- ``status``: the first that applies of ``auto-paused`` (paused and
  ``paused_by_system_likely``), ``paused``, ``failing`` (``consecutive_failures`` > 0),
  ``gaps`` (``missing_intervals`` > 0), ``no runs`` (no run in the window), ``healthy``.
- ``runs``, ``completed_runs``, ``failed_runs``, ``cancelled_runs``, ``running_runs``: runs in
  the window by status group (running = Starting/Running/ContinuedAsNew; failed =
  Failed/FailedRetryable/FailedBilling; cancelled = Cancelled/Terminated/TimedOut).
- ``failure_rate``: failed / (completed + failed); NA when both are 0.
- ``consecutive_failures``: each data interval's outcome is its latest *finished* run
  (completed or failed group, by ``created_at``; retries count); going from the newest
  interval back, the number of failed outcomes before the first completed one.
- ``last_error``, ``last_error_at``: ``latest_error`` and ``finished_at`` (else
  ``last_updated_at``) of the failed run that finished last.
- ``last_success_at``: ``finished_at`` of the Completed run that finished last.
- ``expected_intervals``: intervals of the export's schedule (``interval``, ``offset_day``,
  ``offset_hour``, ``timezone``; hour and minute intervals aligned in UTC) that start at or
  after ``max(since, created_at, start_at)`` and end at or before
  ``min(now - grace, end_at)``; ``grace`` (default 1 hour) leaves the scheduler time to run
  the interval that just ended.
- ``missing_intervals``: expected intervals not covered by the union of the
  ``[data_interval_start, data_interval_end]`` of Completed runs (a backfill or a retry
  covers what it re-exported). Intervals that passed while the export was paused are
  missing too: their data was not exported. ``missing_ranges``: those intervals merged into
  ``(start, end)`` pairs, oldest first (what to backfill).
- ``zero_record_runs``: Completed runs with ``records_completed`` == 0 (PostHog completes a
  run without data without contacting the destination, so bad credentials hide behind them).
- ``records_exported``: sum of ``records_completed`` of Completed runs.
- ``open_backfills``: backfills Starting or Running; ``backfill_progress``: their
  ``finished_runs`` summed over their ``total_runs`` summed (NA when none report progress).
- ``paused_by_system_likely``: the export is paused, and of the finished runs that ended
  before ``last_paused_at`` the last one failed, ended at most 1 hour before the pause, and
  at least 3 of the last N failed (N = 24 for hourly and shorter intervals, 7 for daily, 4
  for weekly), which is PostHog's auto-pause rule (contract §6: the API records no reason).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .ops_models import STATUS_GROUPS

if TYPE_CHECKING:
    import pandas as pd

STEPS = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "every 5 minutes": timedelta(minutes=5),
    "every 15 minutes": timedelta(minutes=15),
}
AUTO_PAUSE_WINDOW = {"day": 7, "week": 4}  # other intervals: 24 runs
STATUSES = ("auto-paused", "paused", "failing", "gaps", "no runs", "healthy")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Interval = tuple[datetime, datetime]


def instant(value: Any) -> datetime | None:
    """An API timestamp (ISO text, datetime, pandas Timestamp) as an aware datetime; None
    for null, NaN, NaT and NA."""
    if value is None or isinstance(value, float) or str(value) in ("NaT", "<NA>", "nan"):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _zone(name: str | None) -> Any:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def expected_intervals(
    interval: str,
    start: datetime,
    end: datetime,
    *,
    offset_day: int | None = None,
    offset_hour: int | None = None,
    timezone: str | None = None,
) -> list[Interval]:
    """The schedule's intervals inside ``[start, end]``, oldest first.

    Day and week intervals begin at ``offset_hour`` in ``timezone`` (so they are 23 or 25
    hours long across a DST change), weeks on ``offset_day`` (0 = Sunday); hour and minute
    intervals are aligned in UTC. An unknown interval gives no intervals.
    """
    step = STEPS.get(interval)
    if step is None or start >= end:
        return []
    if interval not in ("day", "week"):
        seconds = int(step.total_seconds())
        first = -(-int((start - _EPOCH).total_seconds()) // seconds) * seconds
        out, cursor = [], _EPOCH + timedelta(seconds=first)
        while cursor + step <= end:
            out.append((cursor, cursor + step))
            cursor += step
        return out
    zone = _zone(timezone)
    at = time(hour=offset_hour or 0)
    day: date = start.astimezone(zone).date() - timedelta(days=1)
    if interval == "week":
        day -= timedelta(days=(day.isoweekday() % 7 - (offset_day or 0)) % 7)
    days = step.days
    out = []
    while True:
        begin = datetime.combine(day, at, zone)
        finish = datetime.combine(day + timedelta(days=days), at, zone)
        if finish > end:
            return out
        if begin >= start:
            out.append((begin.astimezone(UTC), finish.astimezone(UTC)))
        day += timedelta(days=days)


def _covered(completed: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, finish in sorted(completed):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def missing(expected: list[Interval], completed: list[Interval]) -> list[Interval]:
    """Expected intervals that no union of completed intervals covers."""
    merged = _covered(completed)
    starts = [begin for begin, _ in merged]
    out = []
    for begin, finish in expected:
        i = bisect.bisect_right(starts, begin) - 1
        if i < 0 or merged[i][1] < finish:
            out.append((begin, finish))
    return out


def merge_ranges(intervals: list[Interval]) -> list[Interval]:
    """Adjacent intervals as one range: [(10:00, 11:00), (11:00, 12:00)] -> [(10:00, 12:00)]."""
    return _covered(intervals)


def _group(status: Any) -> str:
    return STATUS_GROUPS.get(str(status), "other")


def _consecutive_failures(runs: Sequence[Mapping[str, Any]]) -> int:
    outcome: dict[datetime, tuple[datetime, str]] = {}
    for run in runs:
        group = _group(run.get("status"))
        end, created = instant(run.get("data_interval_end")), instant(run.get("created_at"))
        if group not in ("completed", "failed") or end is None or created is None:
            continue
        if end not in outcome or outcome[end][0] < created:
            outcome[end] = (created, group)
    streak = 0
    for end in sorted(outcome, reverse=True):
        if outcome[end][1] != "failed":
            break
        streak += 1
    return streak


def _finished(run: Mapping[str, Any]) -> datetime | None:
    return instant(run.get("finished_at")) or instant(run.get("last_updated_at"))


def pause_lookback(export: Mapping[str, Any], since: datetime) -> datetime:
    """Where the runs read for ``export``'s health must start: ``since``, or earlier for a
    paused export, so the runs that decide whether PostHog paused it (the last
    ``AUTO_PAUSE_WINDOW`` runs before ``last_paused_at``) are read even when they are older
    than the window. Only ``paused_by_system_likely`` looks at them."""
    paused_at = instant(export.get("last_paused_at"))
    if not export.get("paused") or paused_at is None:
        return since
    interval = str(export.get("interval"))
    runs = AUTO_PAUSE_WINDOW.get(interval, 24)
    return min(
        since, paused_at - STEPS.get(interval, timedelta(hours=1)) * runs - timedelta(hours=1)
    )


def _paused_by_system(export: Mapping[str, Any], runs: Sequence[Mapping[str, Any]]) -> bool:
    paused_at = instant(export.get("last_paused_at"))
    if not export.get("paused") or paused_at is None:
        return False
    done = []
    for run in runs:
        at, group = _finished(run), _group(run.get("status"))
        if at is not None and at <= paused_at and group in ("completed", "failed"):
            done.append((at, group))
    done.sort(reverse=True)
    if not done or done[0][1] != "failed" or paused_at - done[0][0] > timedelta(hours=1):
        return False
    window = AUTO_PAUSE_WINDOW.get(str(export.get("interval")), 24)
    return sum(group == "failed" for _, group in done[:window]) >= 3


def _destination_type(export: Mapping[str, Any]) -> Any:
    destination = export.get("destination")
    if isinstance(destination, Mapping):
        return destination.get("type")
    return export.get("destination_type")


def health_row(
    export: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    backfills: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    since: datetime,
    grace: timedelta = timedelta(hours=1),
) -> dict[str, Any]:
    """The health of one export (see the module docstring for every column)."""
    in_window = [r for r in runs if (instant(r.get("created_at")) or now) >= since]
    groups = [_group(r.get("status")) for r in in_window]
    completed = [r for r, g in zip(in_window, groups, strict=True) if g == "completed"]
    failed = [r for r, g in zip(in_window, groups, strict=True) if g == "failed"]
    last_failed = max(failed, key=lambda r: _finished(r) or since, default=None)
    last_done = max(completed, key=lambda r: _finished(r) or since, default=None)
    begin = max(
        [since] + [t for t in (instant(export.get(k)) for k in ("created_at", "start_at")) if t]
    )
    finish = min([now - grace] + [t for t in (instant(export.get("end_at")),) if t])
    expected = expected_intervals(
        str(export.get("interval")),
        begin,
        finish,
        offset_day=export.get("offset_day"),
        offset_hour=export.get("offset_hour"),
        timezone=export.get("timezone"),
    )
    spans = [
        (s, e)
        for s, e in (
            (instant(r.get("data_interval_start")), instant(r.get("data_interval_end")))
            for r in completed
        )
        if s is not None and e is not None
    ]
    gaps = missing(expected, spans)
    open_backfills = [b for b in backfills if b.get("status") in ("Starting", "Running")]
    totals = [
        (_tally(b["progress"].get("finished_runs")), _tally(b["progress"].get("total_runs")))
        for b in open_backfills
        if isinstance(b.get("progress"), Mapping)
    ]
    # A backfill never counts more runs finished than it has (so progress stays in 0..1).
    totals = [(min(done, total), total) for done, total in totals]
    total_runs = sum(t for _, t in totals)
    paused_by_system = _paused_by_system(export, runs)
    streak = _consecutive_failures(in_window)
    row = {
        "export_id": export.get("id"),
        "name": export.get("name"),
        "destination_type": _destination_type(export),
        "interval": export.get("interval"),
        "paused": bool(export.get("paused")),
        "last_paused_at": instant(export.get("last_paused_at")),
        "runs": len(in_window),
        "completed_runs": len(completed),
        "failed_runs": len(failed),
        "cancelled_runs": groups.count("cancelled"),
        "running_runs": groups.count("running"),
        "failure_rate": len(failed) / (len(failed) + len(completed))
        if failed or completed
        else None,
        "consecutive_failures": streak,
        "last_error": last_failed.get("latest_error") if last_failed else None,
        "last_error_at": _finished(last_failed) if last_failed else None,
        "last_success_at": _finished(last_done) if last_done else None,
        "expected_intervals": len(expected),
        "missing_intervals": len(gaps),
        "missing_ranges": merge_ranges(gaps),
        "zero_record_runs": sum(1 for r in completed if r.get("records_completed") == 0),
        "records_exported": sum(_tally(r.get("records_completed")) for r in completed),
        "open_backfills": len(open_backfills),
        "backfill_progress": sum(f for f, _ in totals) / total_runs if total_runs else None,
        "paused_by_system_likely": paused_by_system,
    }
    row["status"] = _status(row)
    return row


def _tally(value: Any) -> int:
    """A count from the server: a whole number >= 0, else 0 (text, a bool, -1, inf, 2.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return 0
    return max(0, int(value))


def _status(row: Mapping[str, Any]) -> str:
    if row["paused"]:
        return "auto-paused" if row["paused_by_system_likely"] else "paused"
    if row["consecutive_failures"]:
        return "failing"
    if row["missing_intervals"]:
        return "gaps"
    return "healthy" if row["runs"] else "no runs"


def health_frame(
    exports: Iterable[Mapping[str, Any]],
    runs: Iterable[Mapping[str, Any]],
    backfills: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    since: datetime,
    grace: timedelta = timedelta(hours=1),
) -> pd.DataFrame:
    """One typed row per export; ``runs``/``backfills`` carry ``batch_export`` (the id)."""
    from .ops_frames import HEALTH_COLUMNS, frame_from_records

    by_export: dict[Any, list[Mapping[str, Any]]] = {}
    for run in runs:
        by_export.setdefault(run.get("batch_export") or run.get("export_id"), []).append(run)
    fills: dict[Any, list[Mapping[str, Any]]] = {}
    for backfill in backfills:
        fills.setdefault(backfill.get("batch_export"), []).append(backfill)
    rows = [
        health_row(
            e,
            by_export.get(e.get("id"), []),
            fills.get(e.get("id"), []),
            now=now,
            since=since,
            grace=grace,
        )
        for e in exports
    ]
    return frame_from_records(rows, HEALTH_COLUMNS)
