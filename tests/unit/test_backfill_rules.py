"""Backfill input rules checked locally, with PostHog's messages; the overlap notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest

from envnb._core.framing import dtypes_of
from envnb.batch_exports.backfill_rules import check_window, open_retry, overlaps
from envnb.batch_exports.ops_frames import (
    BACKFILL_COLUMNS,
    LOG_COLUMNS,
    RUN_COLUMNS,
    finish_runs_frame,
    frame_from_records,
    metrics_frame,
)
from envnb.errors import RequestValidationError

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
DAILY = {"interval": "day", "offset_hour": 3, "timezone": None}
WEEKLY = {"interval": "week", "offset_day": 1, "offset_hour": 2}
HOURLY = {"interval": "hour"}


def refused(export: dict[str, object], start: object, end: object) -> RequestValidationError:
    with pytest.raises(RequestValidationError) as info:
        check_window(export, start, end, NOW)  # type: ignore[arg-type]
    return info.value


def test_daily_takes_dates_read_at_the_offset_hour() -> None:
    window = check_window(DAILY, date(2026, 11, 1), "2026-11-03", NOW)
    assert window.body == {"start_at": "2026-11-01", "end_at": "2026-11-03"}
    assert window.start == datetime(2026, 11, 1, 3, tzinfo=UTC)
    assert window.end == datetime(2026, 11, 3, 3, tzinfo=UTC)
    berlin = check_window({**DAILY, "timezone": "Europe/Berlin"}, "2026-11-01", "2026-11-02", NOW)
    assert berlin.start == datetime(2026, 11, 1, 2, tzinfo=UTC)


def test_daily_refuses_a_time_and_garbage() -> None:
    err = refused(DAILY, datetime(2026, 11, 1, 5, tzinfo=UTC), "2026-11-02")
    assert err.attr == "start_at"
    assert str(err) == (
        "start_at: Input '2026-11-01T05:00:00+00:00' is not a valid ISO formatted date. Daily "
        "or weekly batch export backfills expect only the date component, but a time was "
        "included."
    )
    err = refused(DAILY, "2026-11-01", "tomorrow")
    assert (err.attr, str(err)) == (
        "end_at",
        "end_at: Input 'tomorrow' is not a valid ISO formatted date.",
    )


def test_weekly_dates_must_fall_on_the_offset_day() -> None:
    err = refused(WEEKLY, "2026-11-01", "2026-11-09")
    assert str(err) == (
        "start_at: Input 2026-11-01 is not on the correct day of the week for this batch "
        "export. 2026-11-01 is a Sunday but this batch export is configured to run weekly on "
        "Monday."
    )
    window = check_window(WEEKLY, "2026-11-02", "2026-11-16", NOW)
    assert window.end - window.start == timedelta(days=14)


def test_other_intervals_want_aware_datetimes() -> None:
    err = refused(HOURLY, "2026-11-01T00:00:00", "2026-11-02T00:00:00Z")
    assert str(err) == "start_at: Input 2026-11-01T00:00:00 is naive."
    err = refused(HOURLY, datetime(2026, 11, 1, tzinfo=UTC), "soon")
    assert str(err) == "end_at: Input soon is not a valid ISO formatted datetime."
    err = refused(HOURLY, date(2026, 11, 1), "2026-11-02T00:00:00Z")
    assert str(err) == "start_at: Input 2026-11-01 is naive."
    plus_two = timezone(timedelta(hours=2))
    window = check_window(HOURLY, datetime(2026, 11, 1, 2, tzinfo=plus_two), "2026-11-01T05Z", NOW)
    assert window.body == {
        "start_at": "2026-11-01T02:00:00+02:00",
        "end_at": "2026-11-01T05:00:00+00:00",
    }
    assert window.start == datetime(2026, 11, 1, tzinfo=UTC)


def test_order_future_and_missing_bounds() -> None:
    err = refused(HOURLY, "2026-11-02T00:00Z", "2026-11-01T00:00Z")
    assert str(err) == "start_at: The initial backfill datetime 'start_at' must be before 'end_at'"
    err = refused(HOURLY, "2026-11-01T00:00Z", "2026-11-01T00:00Z")
    assert str(err) == "start_at: The initial backfill datetime 'start_at' must be before 'end_at'"
    err = refused(DAILY, "2026-11-01", "2026-12-01")
    assert str(err) == "end_at: The provided 'end_at' (2026-12-01T03:00:00+00:00) is in the future"
    err = refused(DAILY, None, "2026-11-02")
    assert (
        str(err) == "start_at: Backfilling from the beginning of time is not enabled for this team."
    )
    err = refused(DAILY, "2026-11-01", None)
    assert err.attr == "end_at"


def test_overlaps_name_backfills_and_count_completed_runs() -> None:
    window = check_window(HOURLY, "2026-11-01T00:00Z", "2026-11-01T04:00Z", NOW)
    backfills = [
        {"id": "b1", "status": "Running", "start_at": "2026-11-01T03:00:00Z",
         "end_at": "2026-11-01T06:00:00Z"},
        {"id": "b2", "status": "Cancelled", "start_at": "2026-11-01T00:00:00Z",
         "end_at": "2026-11-01T06:00:00Z"},
        {"id": "b3", "status": "Completed", "start_at": "2026-11-01T04:00:00Z",
         "end_at": "2026-11-01T06:00:00Z"},
    ]  # fmt: skip
    runs = [
        {"status": "Completed", "data_interval_start": f"2026-11-01T0{h}:00:00Z",
         "data_interval_end": f"2026-11-01T0{h + 1}:00:00Z"}
        for h in range(6)
    ] + [{"status": "Failed", "data_interval_start": "2026-11-01T01:00:00Z",
          "data_interval_end": "2026-11-01T02:00:00Z"}]  # fmt: skip
    assert overlaps(window, backfills, runs) == [
        "overlaps backfill b1 (Running, 2026-11-01T03:00:00+00:00 to 2026-11-01T06:00:00+00:00)",
        "4 completed run(s) already exported data in this window",
    ]
    assert overlaps(window, [], []) == []


def test_run_backfill_log_metric_frames() -> None:
    runs = [
        {
            "id": "r1", "batch_export": "e1", "status": "FailedRetryable",
            "created_at": "2026-11-01T01:00:30Z", "finished_at": "2026-11-01T01:02:00Z",
            "records_completed": None, "records_total_count": 10, "latest_error": "x",
        },
        {"id": "r2", "batch_export": "e2", "status": "SomethingNew", "created_at": None},
    ]  # fmt: skip
    df = finish_runs_frame(frame_from_records(runs, RUN_COLUMNS), {"e1": "Archive"})
    assert {c: str(t) for c, t in df.dtypes.items()} == dtypes_of(RUN_COLUMNS)
    assert list(df["status_group"]) == ["failed", "other"]
    assert list(df["export_name"].astype(object).fillna("-")) == ["Archive", "-"]
    assert df["duration_s"].iloc[0] == 90.0 and df["duration_s"].isna().iloc[1]
    assert "SomethingNew" in df["status"].cat.categories
    empty = finish_runs_frame(frame_from_records([], RUN_COLUMNS), {})
    assert [str(t) for t in empty.dtypes] == [str(t) for t in df.dtypes]
    backfill = {"id": "b", "batch_export": "e1", "status": "Running",
                "progress": {"total_runs": 30, "finished_runs": 12, "progress": 0.4}}  # fmt: skip
    bf = frame_from_records([backfill], BACKFILL_COLUMNS)
    assert (bf["total_runs"].iloc[0], bf["finished_runs"].iloc[0], bf["progress"].iloc[0]) == (
        30,
        12,
        0.4,
    )
    logs = frame_from_records(
        [{"timestamp": "2026-11-01T01:00:00Z", "level": "WARN", "message": "m",
          "instance_id": "r1", "log_source_id": "e1"}],
        LOG_COLUMNS,
    )  # fmt: skip
    assert list(logs.columns) == ["timestamp", "level", "message", "run_id", "export_id"]
    metrics = metrics_frame(
        {"dates": ["2026-11-01", "2026-11-02"], "successes": [5, 0], "failures": [0, 7],
         "successes_on_retry": [0, 0]}
    )  # fmt: skip
    assert list(metrics["date"]) == [pd.Timestamp("2026-11-01", tz="UTC"),
                                     pd.Timestamp("2026-11-02", tz="UTC")]  # fmt: skip
    assert list(metrics["failures"]) == [0, 7]


def hourly_run(start: str, end: str, status: str = "Completed") -> dict[str, str]:
    return {"status": status, "data_interval_start": start, "data_interval_end": end}


def test_runs_partly_inside_count_and_runs_only_touching_do_not() -> None:
    """A window from 00:30 to 02:30 meets the 00-01, 01-02 and 02-03 runs (only 01-02 lies
    wholly inside); runs ending at 00:30 or starting at 02:30 export none of it twice."""
    window = check_window(HOURLY, "2026-11-01T00:30Z", "2026-11-01T02:30Z", NOW)
    runs = [
        hourly_run("2026-10-31T23:30:00Z", "2026-11-01T00:30:00Z"),
        hourly_run("2026-11-01T00:00:00Z", "2026-11-01T01:00:00Z"),
        hourly_run("2026-11-01T01:00:00Z", "2026-11-01T02:00:00Z"),
        hourly_run("2026-11-01T02:00:00Z", "2026-11-01T03:00:00Z"),
        hourly_run("2026-11-01T02:30:00Z", "2026-11-01T03:30:00Z"),
    ]
    backfills = [
        {"id": "s1", "status": "Starting", "start_at": "2026-11-01T02:00:00Z",
         "end_at": "2026-11-01T05:00:00Z"},
        {"id": "a1", "status": "Completed", "start_at": "2026-11-01T02:30:00Z",
         "end_at": "2026-11-01T05:00:00Z"},
    ]  # fmt: skip
    assert overlaps(window, backfills, runs) == [
        "overlaps backfill s1 (Starting, 2026-11-01T02:00:00+00:00 to 2026-11-01T05:00:00+00:00)",
        "3 completed run(s) already exported data in this window",
    ]


def test_a_sunday_week_is_the_default_and_read_at_midnight() -> None:
    window = check_window({"interval": "week"}, "2026-11-01", date(2026, 11, 8), NOW)
    assert window.body == {"start_at": "2026-11-01", "end_at": "2026-11-08"}
    assert window.start == datetime(2026, 11, 1, tzinfo=UTC)
    err = refused({"interval": "week"}, "2026-11-02", "2026-11-08")
    assert "configured to run weekly on Sunday" in str(err)


def test_a_retry_waits_for_the_run_and_reuses_an_open_retry() -> None:
    run = {"id": "r1", **hourly_run("2026-11-01T01:00:00Z", "2026-11-01T02:00:00Z", "Failed")}
    for running in ("Running", "Starting"):
        with pytest.raises(RequestValidationError) as info:
            open_retry({**run, "status": running}, [])
        assert info.value.attr == "run" and f"r1 is still {running}" in str(info.value)

    def retry(bid: str, status: str, end: str = "2026-11-01T02:00:00Z") -> dict[str, str]:
        return {"id": bid, "status": status, "start_at": "2026-11-01T01:00:00Z", "end_at": end}

    assert open_retry(run, []) is None
    assert open_retry(run, [retry("b1", "Completed"), retry("b2", "Failed")]) is None
    assert open_retry(run, [retry("b3", "Running", "2026-11-01T03:00:00Z")]) is None
    assert open_retry(run, [retry("b4", "Starting")]) == "b4"
    assert open_retry(run, [retry("b1", "Completed"), retry("b5", "Running")]) == "b5"
