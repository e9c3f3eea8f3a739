"""health(): every column on hand-made exports whose right answers are written out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from envnb._core.framing import dtypes_of
from envnb.batch_exports.health import (
    expected_intervals,
    health_frame,
    health_row,
    pause_lookback,
)
from envnb.batch_exports.ops_frames import HEALTH_COLUMNS

NOW = datetime(2026, 1, 2, 2, 30, tzinfo=UTC)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
JAN1 = datetime(2026, 1, 1, tzinfo=UTC)


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def run(
    export: str, start_hour: int, status: str = "Completed", records: int = 100, **extra: Any
) -> dict[str, Any]:
    """A run of the hour starting ``start_hour`` hours after Jan 1 00:00 UTC."""
    start = JAN1 + timedelta(hours=start_hour)
    created = extra.pop("created", start + timedelta(hours=1, minutes=1))
    return {
        "id": f"{export}-{start_hour}-{status}",
        "batch_export": export,
        "status": status,
        "records_completed": records if status == "Completed" else None,
        "latest_error": extra.pop("error", None),
        "data_interval_start": z(start),
        "data_interval_end": z(start + timedelta(hours=1)),
        "created_at": z(created),
        "finished_at": z(created + timedelta(minutes=4)),
        **extra,
    }


def hourly(export_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": export_id,
        "name": export_id.title(),
        "destination": {"type": "S3", "config": {}},
        "interval": "hour",
        "paused": False,
        "created_at": "2026-01-01T00:00:00Z",
        **extra,
    }


def failing_export_runs() -> list[dict[str, Any]]:
    outcomes = {10: "boom 1", 12: "boom 2", 24: "boom 3", 25: "boom 4"}
    runs = []
    for hour in range(26):
        if hour in (5, 6, 7):
            continue  # a gap: no runs at all
        if hour in outcomes:
            runs.append(run("e1", hour, "Failed", error=outcomes[hour]))
        elif hour == 15:
            runs.append(run("e1", hour, "Cancelled"))
        else:
            runs.append(run("e1", hour, records=0 if hour == 3 else 100))
    retry = run("e1", 10, created=JAN1 + timedelta(hours=20), backfill="b1")
    return [*runs, {**retry, "id": "e1-10-retry"}]


def test_a_failing_export_with_gaps_retries_and_backfills() -> None:
    backfills = [
        {"status": "Running", "progress": {"total_runs": 10, "finished_runs": 4}},
        {"status": "Completed", "progress": {"total_runs": 3, "finished_runs": 3}},
    ]
    row = health_row(hourly("e1"), failing_export_runs(), backfills, now=NOW, since=SINCE)
    assert row == {
        "export_id": "e1",
        "name": "E1",
        "destination_type": "S3",
        "interval": "hour",
        "paused": False,
        "last_paused_at": None,
        "runs": 24,
        "completed_runs": 19,
        "failed_runs": 4,
        "cancelled_runs": 1,
        "running_runs": 0,
        "failure_rate": 4 / 23,
        "consecutive_failures": 2,
        "last_error": "boom 4",
        "last_error_at": datetime(2026, 1, 2, 2, 5, tzinfo=UTC),
        "last_success_at": datetime(2026, 1, 2, 0, 5, tzinfo=UTC),
        "expected_intervals": 25,
        "missing_intervals": 6,
        "missing_ranges": [
            (datetime(2026, 1, 1, 5, tzinfo=UTC), datetime(2026, 1, 1, 8, tzinfo=UTC)),
            (datetime(2026, 1, 1, 12, tzinfo=UTC), datetime(2026, 1, 1, 13, tzinfo=UTC)),
            (datetime(2026, 1, 1, 15, tzinfo=UTC), datetime(2026, 1, 1, 16, tzinfo=UTC)),
            (datetime(2026, 1, 2, 0, tzinfo=UTC), datetime(2026, 1, 2, 1, tzinfo=UTC)),
        ],
        "zero_record_runs": 1,
        "records_exported": 1800,
        "open_backfills": 1,
        "backfill_progress": 0.4,
        "paused_by_system_likely": False,
        "status": "failing",
    }


def test_paused_by_the_system_after_three_failures_and_by_a_person() -> None:
    failures = [run("auto", h, "Failed", error="denied") for h in (7, 8, 9)]
    history = [run("auto", h) for h in range(7)] + failures
    auto = hourly("auto", paused=True, last_paused_at="2026-01-01T10:06:00Z")
    row = health_row(auto, history, [], now=NOW, since=SINCE)
    assert (row["status"], row["paused_by_system_likely"], row["consecutive_failures"]) == (
        "auto-paused",
        True,
        3,
    )
    assert row["missing_intervals"] == 25 - 7  # nothing exported since 07:00
    manual = hourly("manual", paused=True, last_paused_at="2026-01-01T10:06:00Z")
    done = [run("manual", h) for h in range(10)]
    row = health_row(manual, done, [], now=NOW, since=SINCE)
    assert (row["status"], row["paused_by_system_likely"]) == ("paused", False)
    late = hourly("late", paused=True, last_paused_at="2026-01-01T12:00:00Z")
    row = health_row(late, [run("late", h) for h in range(7)] + failures, [], now=NOW, since=SINCE)
    assert row["paused_by_system_likely"] is False  # paused 1 h 56 min after the failure


def test_two_failures_in_the_window_are_not_an_auto_pause() -> None:
    runs = [run("x", h) for h in range(8)] + [run("x", h, "Failed", error="e") for h in (8, 9)]
    export = hourly("x", paused=True, last_paused_at="2026-01-01T10:06:00Z")
    assert health_row(export, runs, [], now=NOW, since=SINCE)["paused_by_system_likely"] is False


def test_healthy_and_no_runs() -> None:
    runs = [run("ok", h) for h in range(26)]
    healthy = health_row(hourly("ok"), runs, [], now=NOW, since=SINCE)
    assert (healthy["status"], healthy["missing_intervals"], healthy["failure_rate"]) == (
        "healthy",
        0,
        0.0,
    )
    new = hourly("new", created_at="2026-01-02T01:00:00Z")
    empty = health_row(new, [], [], now=NOW, since=SINCE)
    assert (empty["status"], empty["expected_intervals"], empty["failure_rate"]) == (
        "no runs",
        0,
        None,
    )
    assert empty["backfill_progress"] is None and empty["last_error"] is None


def test_since_bounds_the_runs_and_the_intervals() -> None:
    since = datetime(2026, 1, 1, 20, tzinfo=UTC)
    row = health_row(hourly("e1"), failing_export_runs(), [], now=NOW, since=since)
    # intervals 20:00 .. Jan 2 01:00 (5 end by 01:30); runs created from 20:00 on: those of
    # 19:00 .. Jan 2 01:00 (created a minute after their hour) and the retry made at 20:00
    assert (row["expected_intervals"], row["missing_intervals"], row["runs"]) == (5, 1, 8)


def test_health_frame_types_and_an_empty_frame() -> None:
    new = hourly("new", created_at="2026-01-02T01:00:00Z")
    df = health_frame([hourly("e1"), new], failing_export_runs(), [], now=NOW, since=SINCE)
    assert {c: str(t) for c, t in df.dtypes.items()} == dtypes_of(HEALTH_COLUMNS)
    assert list(df["status"]) == ["failing", "no runs"]
    assert df["failure_rate"].iloc[0] == 4 / 23 and df["failure_rate"].isna().iloc[1]
    assert df["last_error_at"].iloc[0] == pd.Timestamp("2026-01-02T02:05:00Z")
    empty = health_frame([], [], [], now=NOW, since=SINCE)
    assert list(empty.columns) == list(df.columns) and len(empty) == 0
    assert [str(t) for t in empty.dtypes] == [str(t) for t in df.dtypes]


def test_expected_intervals_for_each_schedule() -> None:
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
    weekly = expected_intervals("week", start, end, offset_day=1, offset_hour=2)
    assert [(s.isoformat(), e.isoformat()) for s, e in weekly] == [
        ("2026-11-02T02:00:00+00:00", "2026-11-09T02:00:00+00:00"),
        ("2026-11-09T02:00:00+00:00", "2026-11-16T02:00:00+00:00"),
        ("2026-11-16T02:00:00+00:00", "2026-11-23T02:00:00+00:00"),
    ]
    daily = expected_intervals("day", start, start + timedelta(days=3), offset_hour=3)
    assert [s.isoformat() for s, _ in daily] == [
        "2026-11-01T03:00:00+00:00",
        "2026-11-02T03:00:00+00:00",
    ]
    five = expected_intervals(
        "every 5 minutes", start + timedelta(minutes=2), start + timedelta(minutes=21)
    )
    assert [s.minute for s, _ in five] == [5, 10, 15]
    assert expected_intervals("fortnight", start, end) == []
    # An interval ending exactly at ``end`` is expected: 00:00 to 03:00 holds three hours.
    hours = expected_intervals("hour", start, start + timedelta(hours=3))
    assert [(s.hour, e.hour) for s, e in hours] == [(0, 1), (1, 2), (2, 3)]


def test_daily_intervals_follow_the_timezone_across_dst() -> None:
    start, end = datetime(2026, 3, 27, 23, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
    days = expected_intervals("day", start, end, offset_hour=0, timezone="Europe/Berlin")
    assert [(s.isoformat(), (e - s).total_seconds() / 3600) for s, e in days] == [
        ("2026-03-27T23:00:00+00:00", 24.0),
        ("2026-03-28T23:00:00+00:00", 23.0),  # clocks went forward on the 29th
        ("2026-03-29T22:00:00+00:00", 24.0),
    ]


def test_odd_counts_from_the_server_keep_progress_within_bounds() -> None:
    # Issue 10 #8: counts the server sends are used for sizing only when they are whole
    # numbers >= 0; a backfill never reports more than all of its runs finished.
    backfills = [
        {"status": "Running", "progress": {"total_runs": 4, "finished_runs": 9}},
        {"status": "Running", "progress": {"total_runs": "6", "finished_runs": 1}},
        {"status": "Starting", "progress": {"total_runs": float("inf"), "finished_runs": -3}},
        {"status": "Running", "progress": {"total_runs": 4.0, "finished_runs": True}},
    ]
    runs = [
        run("e1", 0, records="lots"),  # type: ignore[arg-type]
        run("e1", 1, records=float("nan")),  # type: ignore[arg-type]
        run("e1", 2, records=5),
    ]
    row = health_row(hourly("e1"), runs, backfills, now=NOW, since=SINCE)
    assert row["records_exported"] == 5
    assert row["open_backfills"] == 4 and row["backfill_progress"] == 0.5


def test_a_paused_export_is_read_back_to_the_runs_before_its_pause() -> None:
    """The runs that decide an auto-pause (24 hourly / 7 daily before the pause, plus an hour)
    are read even when they are older than ``since``; an unpaused export reads from since."""
    since = datetime(2026, 1, 2, tzinfo=UTC)
    paused = {"paused": True, "last_paused_at": "2026-01-01T12:00:00Z"}
    assert pause_lookback({**paused, "interval": "hour"}, since) == datetime(
        2025, 12, 31, 11, tzinfo=UTC
    )
    assert pause_lookback({**paused, "interval": "day"}, since) == datetime(
        2025, 12, 25, 11, tzinfo=UTC
    )
    assert pause_lookback({**paused, "paused": False, "interval": "hour"}, since) == since
    early = datetime(2025, 12, 1, tzinfo=UTC)
    assert pause_lookback({**paused, "interval": "hour"}, early) == early


def test_zero_record_runs_and_a_run_created_exactly_at_since() -> None:
    """A count of 0 is a zero-record run, a missing count is not; ``since`` is inclusive."""
    runs = [run("z", h) for h in range(26)]
    runs[0]["records_completed"] = 0
    runs[1]["records_completed"] = None
    row = health_row(hourly("z"), runs, [], now=NOW, since=SINCE)
    assert (row["zero_record_runs"], row["records_exported"]) == (1, 2400)
    at_since = health_row(
        hourly("z"), runs, [], now=NOW, since=JAN1 + timedelta(hours=4, minutes=1)
    )
    assert at_since["runs"] == 23  # hours 3..25: hour 3's run was created at 04:01
