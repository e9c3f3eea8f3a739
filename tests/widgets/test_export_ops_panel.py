"""ExportPanel's runs strip, health, Retry/Cancel, backfill form and logs, on the sandbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from widget_helpers import assert_no_secrets, client_for, html_of, writes

from conftest import seeded_hour
from envnb.sandbox import Sandbox
from envnb.widgets import ExportPanel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]
DENIED = "403 Access Denied: Table acme-analytics:posthog.events"


async def _panel(sb: Sandbox, **kw: Any) -> ExportPanel:
    panel = ExportPanel(client_for(sb, **kw))
    panel.poll_interval = 0.05
    await panel.wait()  # the rows, then every export's recent runs and backfills
    return panel


def _lines(ops: Any) -> list[Any]:
    """The runs table's lines as shown (each: interval, status, facts, a button)."""
    return list(ops.runs_box.children)


def _button(line: Any) -> Any:
    return line.children[-1]


async def test_strip_and_health_per_export(fresh_sandbox: Sandbox) -> None:
    panel = await _panel(fresh_sandbox)
    archive = panel.row("Events archive").ops
    assert archive.strip_html.value.count("envnb-run-mark") == 48
    assert archive.strip_html.value.count("envnb-run-gap") == 6  # the seeded 6-hour gap
    assert (archive.health["status"], archive.health["missing_intervals"]) == ("gaps", 6)
    assert "6 missing intervals" in archive.health_html.value
    assert "2 runs without records" in archive.health_html.value
    auto = panel.row("BigQuery events 2").ops
    assert auto.health["status"] == "auto-paused"
    assert "paused by PostHog after failures (likely)" in auto.health_html.value
    assert DENIED in auto.error_html.value  # the last error in full
    assert "<b>Last error (" in auto.error_html.value
    mirror = panel.row("Postgres mirror 2").ops
    assert [b["status"] for b in mirror.backfills] == ["Running"]
    assert mirror.progress_box.children[0].children[0].value == 0.4  # 12 of 30 runs
    assert mirror.watcher is None  # followed only while its details are open
    mirror.details_button.value = True
    assert mirror.watcher is not None and not mirror.watcher.done()
    assert_no_secrets(panel, fresh_sandbox.api_key)


async def test_details_runs_filter_and_retry_after_reading_the_error(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    ops = panel.row("BigQuery events 2").ops
    ops.details_button.value = True
    assert ops.details.layout.display == ""
    ops.filter.value = "failed"
    lines = _lines(ops)
    assert len(lines) == 3 and all(_button(line).description == "Retry" for line in lines)
    sb.reset_stats()
    _button(lines[0]).click()
    assert ops.confirm_box.layout.display == "" and DENIED in ops.confirm_html.value
    assert writes(sb, "batch_export.run_retry") == 0  # nothing sent before the confirmation
    ops.confirm_button.click()
    ops.confirm_button.click()  # a double click while in flight does nothing more
    await panel.wait()
    assert writes(sb, "batch_export.run_retry") == 1
    assert ops.run_status.startswith("Retry started: backfill ")
    assert ops.confirm_run is None and ops.confirm_box.layout.display == "none"
    assert len(ops.backfills) == 1 and ops.backfills[0]["start_at"] is not None


async def test_backfill_form_checks_warns_creates_and_follows_to_the_end() -> None:
    with Sandbox(seed=0, backfill_pace=0.1) as sb:
        panel = await _panel(sb)
        ops = panel.row("Events archive").ops
        ops.details_button.value = True
        assert ops.start_at.placeholder == "YYYY-MM-DDTHH:MM+00:00"
        ops.start_at.value, ops.end_at.value = "2026-01-01T00:00:00", "2026-01-01T05:00:00Z"
        ops.backfill_button.click()
        assert "start_at: Input 2026-01-01T00:00:00 is naive." in ops.backfill_note.value
        assert ops.start_at.value == "2026-01-01T00:00:00"  # what was typed stays
        hour = seeded_hour(sb)
        ops.start_at.value = (hour - timedelta(hours=30)).isoformat()
        ops.end_at.value = (hour - timedelta(hours=25)).isoformat()
        sb.reset_stats()
        ops.backfill_button.click()
        await panel.wait()
        assert ops.backfill_status == (
            "This would export data twice: 5 completed run(s) already exported data in this window"
        )
        assert ops.anyway_button.layout.display == "" and writes(sb, "batch_export.backfill") == 0
        ops.anyway_button.click()
        ops.anyway_button.click()
        await panel.wait()
        assert writes(sb, "batch_export.backfill") == 1
        assert ops.backfill_status.startswith("Backfill ") and ops.backfill_error == ""
        assert ops.watcher is not None
        await asyncio.wait_for(ops.watcher, 30)
        assert ops.backfills[0]["status"] == "Completed"
        assert ops.backfills[0]["progress"] == {
            "total_runs": 5,
            "finished_runs": 5,
            "progress": 1.0,
        }
        bar = ops.progress_box.children[0].children[0]
        assert bar.value == 1.0
        assert "Completed" in ops.progress_box.children[0].children[1].value


async def test_cancel_a_running_run(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    ops = panel.row("Postgres mirror 2").ops
    ops.filter.value = "running"
    assert _lines(ops) == []  # no run-line widgets while the details are hidden
    ops.details_button.value = True
    # The seeded backfill's run is Running; so is the hour's scheduled run for a minute or
    # two after each hour (this test failed at 03:00): cancel the backfill's, by position.
    running = [r for r in ops.runs if r.get("status_group") == "running"]
    lines = _lines(ops)
    assert len(lines) == len(running) and 1 <= len(running) <= 2
    line = lines[next(i for i, r in enumerate(running) if r.get("backfill"))]
    assert _button(line).description == "Cancel"
    sb.reset_stats()
    _button(line).click()
    await panel.wait()
    assert writes(sb, "batch_export.run_cancel") == 1
    assert ops.run_status.startswith("Run of ") and ops.run_status.endswith("cancelled.")
    assert _lines(ops) == [] or "Cancelled" not in html_of(panel)  # filtered out as running
    ops.filter.value = "cancelled"
    assert any("Cancelled" in c.value for c in _lines(ops)[0].children[:2])


async def test_logs_level_filter_and_search(sandbox: Sandbox) -> None:
    panel = await _panel(sandbox)
    ops = panel.row("BigQuery events 2").ops
    ops.level.value = "ERROR"
    ops.logs_button.click()
    ops.logs_button.click()
    await panel.wait()
    assert [e["level"] for e in ops.logs] == ["ERROR"] * 3
    assert "Access Denied" in ops.logs_html.value
    ops.level.value, ops.search.value = "all", "ACCESS DENIED"
    ops.logs_button.click()
    await panel.wait()
    assert sorted(e["level"] for e in ops.logs) == ["ERROR"] * 3 + ["WARN"] * 6


async def test_errors_show_beside_the_action(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    key = sb.create_key(["batch_export:read"])
    panel = await _panel(sb, api_key=key)
    ops = panel.row("BigQuery events 2").ops
    ops.filter.value = "failed"
    ops.details_button.value = True
    _button(_lines(ops)[0]).click()
    ops.confirm_button.click()
    await panel.wait()
    assert "missing required scope 'batch_export:write'" in ops.runs_error
    assert "Retry failed:" in ops.runs_note.value and ops.backfill_error == ""
    assert writes(sb, "batch_export.run_retry") == 0
    assert panel.error == ""  # the panel's own line stays clean


async def test_a_one_day_window_still_shows_an_auto_pause(sandbox: Sandbox) -> None:
    panel = ExportPanel(client_for(sandbox))
    panel.runs_window = "-1d"  # the 3 failures that made PostHog pause it are 2 days old
    await panel.wait()
    auto = panel.row("BigQuery events 2").ops
    assert auto.health["status"] == "auto-paused" and auto.health["runs"] == 0
    assert "paused by PostHog after failures (likely)" in auto.health_html.value
    assert auto.runs == []  # the window's own runs list stays the window's


async def test_details_area_is_built_on_first_open(fresh_sandbox: Sandbox) -> None:
    """Twelve rows each with a hidden details area were ~2,200 widget messages in one burst:
    past ZeroMQ's IOPub high-water mark, messages were dropped and the rows never showed
    (a CI browser run). A closed row holds only its summary; opening Details builds the
    rest, already showing the row's state."""
    from envnb.widgets._base import iter_widgets

    panel = await _panel(fresh_sandbox)
    auto = panel.row("BigQuery events 2")
    closed = len(list(iter_widgets(auto.widget)))
    assert not auto.ops.built
    assert closed <= 20  # the row's line and the ops summary: 19 widgets today
    assert DENIED not in "".join(str(getattr(w, "value", "")) for w in iter_widgets(auto.widget))
    auto.ops.details_button.value = True
    assert auto.ops.built and auto.ops.details.layout.display == ""
    assert len(list(iter_widgets(auto.widget))) > closed + 25
    assert DENIED in auto.ops.error_html.value  # rendered from the state it already had
    assert len(_lines(auto.ops)) > 0
    auto.ops.details_button.value = False
    assert auto.ops.details.layout.display == "none"
    assert all(not r.ops.built for r in panel.rows if r is not auto)
