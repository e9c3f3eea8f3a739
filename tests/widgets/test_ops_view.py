"""The runs strip, health figures, last error and logs HTML of ExportPanel (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from envnb.widgets._ops_view import error_html, health_html, logs_html, strip_html, strip_marks

NOW = datetime(2026, 1, 2, 0, 30, tzinfo=UTC)


def run(hour: int, status: str = "Completed", records: int | None = 100, **extra: Any) -> dict:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hour)
    return {
        "status": status,
        "records_completed": records,
        "data_interval_start": start.isoformat(),
        "data_interval_end": (start + timedelta(hours=1)).isoformat(),
        "created_at": (start + timedelta(hours=1, minutes=1)).isoformat(),
        **extra,
    }


def test_one_mark_per_interval_with_gaps_and_the_best_attempt() -> None:
    runs = [run(h) for h in range(22) if h not in (20, 21)]
    runs += [run(22, "Failed", None), run(23, "Running", None), run(19, records=0)]
    runs += [run(18, "Failed", None, created_at="2026-01-01T23:00:00+00:00")]  # retry lost
    marks = strip_marks("hour", runs, NOW, count=8)
    assert [(m[0].hour, m[2]) for m in marks] == [
        (16, "completed"),
        (17, "completed"),
        (18, "completed"),  # a completed run wins over a later failed attempt
        (19, "completed"),  # the zero-record run arrived later but ranks equal: newest wins
        (20, "gap"),
        (21, "gap"),
        (22, "failed"),
        (23, "running"),
    ]


def test_strip_html_escapes_and_marks_gaps() -> None:
    runs = [run(23, "<img src=x onerror=alert(1)>")]
    html = strip_html("hour", runs, NOW, count=2)
    assert html.count("envnb-run-mark") == 2
    assert "envnb-run-gap" in html and "envnb-run-other" in html
    assert "<img" not in html and "&lt;img src=x" in html
    assert strip_html("fortnight", runs, NOW) == (
        '<div class="envnb-runs-strip" style="line-height:0"></div>'
    )


def test_intervals_before_the_loaded_window_are_not_gaps() -> None:
    """A daily export's runs read for the last 7 days: 7 marks, none hollow (was 30 marks,
    23 of them 'gaps' before the window the runs were read for)."""
    now = datetime(2026, 1, 31, 0, 30, tzinfo=UTC)
    days = [datetime(2026, 1, d, tzinfo=UTC) for d in range(24, 31)]
    runs = [
        {
            "status": "Completed",
            "records_completed": 10,
            "data_interval_start": d.isoformat(),
            "data_interval_end": (d + timedelta(days=1)).isoformat(),
            "created_at": (d + timedelta(days=1, minutes=5)).isoformat(),
        }
        for d in days
    ]
    marks = strip_marks("day", runs, now, since=now - timedelta(days=7))
    assert [(m[0].day, m[2]) for m in marks] == [(d.day, "completed") for d in days]
    assert len(strip_marks("day", runs, now)) == 30  # without a window: the last 30 days
    html = strip_html("day", runs, now, since=now - timedelta(days=7))
    assert html.count("envnb-run-mark") == 7 and "envnb-run-gap" not in html


def test_day_marks_follow_the_exports_offset_hour() -> None:
    """Daily runs at 03:00 UTC (offset_hour 3) fill their marks; slots at midnight missed
    every run and showed a healthy export as all gaps."""
    now = datetime(2026, 1, 31, 4, 0, tzinfo=UTC)
    days = [datetime(2026, 1, d, 3, tzinfo=UTC) for d in range(24, 31)]
    runs = [
        {
            "status": "Completed",
            "records_completed": 10,
            "data_interval_start": d.isoformat(),
            "data_interval_end": (d + timedelta(days=1)).isoformat(),
            "created_at": (d + timedelta(days=1, minutes=5)).isoformat(),
        }
        for d in days
    ]
    schedule = {"offset_hour": 3, "offset_day": None, "timezone": "UTC"}
    since = datetime(2026, 1, 24, 4, 0, tzinfo=UTC)
    marks = strip_marks("day", runs, now, since=since, schedule=schedule)
    assert [(m[0].day, m[0].hour, m[2]) for m in marks] == [(d.day, 3, "completed") for d in days]
    assert {m[2] for m in strip_marks("day", runs, now, since=since)} == {"gap"}


def test_empty_runs_get_their_own_colour() -> None:
    [(_, _, kind, _)] = strip_marks("hour", [run(23, records=0)], NOW, count=1)
    assert kind == "empty"


def test_health_figures() -> None:
    row = {
        "status": "failing",
        "failure_rate": 4 / 23,
        "consecutive_failures": 2,
        "missing_intervals": 6,
        "zero_record_runs": 0,
        "running_runs": 0,
        "open_backfills": 1,
        "backfill_progress": 0.4,
        "paused_by_system_likely": False,
    }
    assert health_html(row) == (
        '<div class="envnb-health"><b>failing</b> · failure rate 17% · 2 consecutive failures'
        " · 6 missing intervals · 1 backfill(s) running (40%)</div>"
    )
    auto = {"status": "auto-paused", "failure_rate": None, "paused_by_system_likely": True}
    assert health_html(auto) == (
        '<div class="envnb-health"><b>auto-paused</b> · paused by PostHog after failures '
        "(likely)</div>"
    )


def test_last_error_in_full_and_logs_escaped() -> None:
    html = error_html("line 1\n<script>x</script>", "2026-01-01T10:41:00Z")
    assert "Last error (2026-01-01 10:41 UTC)" in html
    assert "line 1\n&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert error_html(None) == ""
    logs = logs_html(
        [{"timestamp": "2026-01-01T10:41:00Z", "level": "ERROR", "message": "<b>denied</b>"}]
    )
    assert "01-01 10:41:00" in logs and "&lt;b&gt;denied&lt;/b&gt;" in logs
    assert logs_html([]) == "<i>No log entries.</i>"
