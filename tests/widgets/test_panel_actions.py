"""Every panel's calls go through one helper (``Actions``): its buttons are disabled from the
click until the call ends, put back whatever the end, and a failure is shown beside the buttons
that caused it while everything the user typed stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from widget_helpers import client_for, writes

from conftest import seeded_hour
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _export_panel(sb: Sandbox) -> ExportPanel:
    panel = ExportPanel(client_for(sb, max_retries=0))
    await panel.wait()
    return panel


async def test_failing_backfill_frees_its_buttons_and_keeps_the_window(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    panel = await _export_panel(sb)
    row = panel.row("Events archive")
    ops = row.ops
    ops.details_button.value = True
    hour = seeded_hour(sb)
    start, end = (hour - timedelta(hours=30)).isoformat(), (hour - timedelta(hours=25)).isoformat()
    ops.start_at.value, ops.end_at.value = start, end
    ops.backfill_button.click()  # first: the overlap warning offers "Backfill anyway"
    await panel.wait()
    sb.set_faults("status=500,method=POST,route=backfills")
    ops.anyway_button.click()
    assert ops.backfill_button.disabled and ops.anyway_button.disabled  # during the call
    assert "backfill" in ops.actions
    await panel.wait()
    sb.set_faults(None)
    assert writes(sb, "batch_export.backfill") == 0
    assert not ops.backfill_button.disabled and not ops.anyway_button.disabled
    assert "500" in ops.backfill_error and "500" in ops.backfill_note.value
    assert (ops.start_at.value, ops.end_at.value) == (start, end)  # the typed window stays
    # Beside its cause: neither the row's line nor the panel's line carry it.
    assert row.error == "" and panel.error == "" and "500" not in panel.status
    assert not ops.logs_button.disabled and not row.toggle_button.disabled


async def test_a_bug_in_a_row_call_frees_the_row_and_stays_on_that_row(sandbox: Sandbox) -> None:
    panel = await _export_panel(sandbox)
    row, other = panel.row("Events archive"), panel.row("BigQuery events 2")
    before = row.test_button.disabled

    async def bug() -> None:
        raise RuntimeError("a bug in a row call")

    row.actions.start("toggle", bug(), disable=row._inputs, status="Pausing…")
    assert row.busy and row.toggle_button.disabled and row.backfill.disabled
    assert row.actions.start("toggle", bug(), disable=row._inputs) is None  # second click
    await panel.wait()
    assert not row.busy and not row.toggle_button.disabled and not row.backfill.disabled
    assert row.test_button.disabled == before  # put back as it was, not simply enabled
    assert row.error == "Unexpected error: a bug in a row call"
    assert "a bug in a row call" in row.message_html.value
    assert other.error == "" and panel.error == ""


async def test_failing_save_frees_the_editor_and_keeps_the_text(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = ProfileConfigEditor(client_for(sb, max_retries=0))
    await ed.wait()
    ed.select(ed.rows[0]["id"])
    await ed.wait()
    mine = '{"kept": "yes"}'
    ed.content.value = mine
    sb.set_faults("status=500,method=PATCH")
    ed.save_button.click()
    buttons = (ed.save_button, ed.new_button, ed.discard_button, ed.delete_button)
    assert all(b.disabled for b in buttons) and ed.status == "Saving…"
    ed.save_button.click()  # ignored while the first save is in flight
    await ed.wait()
    sb.set_faults(None)
    assert not any(b.disabled for b in buttons)
    assert ed.status.startswith("Not saved") and "500" in ed.status_html.value
    assert ed.content.value == mine and ed.dirty


async def test_failing_chat_turn_frees_send_and_keeps_the_question(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = ChatCell(client_for(sb, max_retries=0))
    await cell.wait()
    sb.set_faults("status=500,method=POST,route=conversations")
    cell.input.value = "How many signups last week?"
    cell.send()
    assert cell.new_button.disabled and cell.picker.disabled
    # Stop, and Send (now "Queue": other text typed meanwhile is queued) stay on.
    assert not cell.stop_button.disabled and cell.send_button.description == "Queue"
    await cell.wait()
    sb.set_faults(None)
    assert not cell.send_button.disabled and not cell.new_button.disabled
    assert not cell.picker.disabled and cell.stop_button.disabled
    assert "500" in cell.error and "500" in cell.status_html.value
    assert cell.input.value == "How many signups last week?"


async def test_a_closed_panel_stops_following_a_running_backfill(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    closed, witness = await _export_panel(sb), await _export_panel(sb)
    for panel in (closed, witness):
        panel.poll_interval = 0.02
        panel.row("Postgres mirror 2").ops.details_button.value = True  # a Running backfill
    follower = closed.row("Postgres mirror 2").ops.watcher
    ops = witness.row("Postgres mirror 2").ops
    assert follower is not None and not follower.done()
    closed.close()
    await asyncio.gather(follower, return_exceptions=True)
    assert follower.cancelled() and not closed._tasks and not closed._background
    assert closed.widget.comm is None  # its widgets are closed too
    # The open panel's follower is the clock: between two of its polls the closed panel,
    # polling at the same pace, would have sent its own.
    start = ops.polls + 1
    while ops.polls < start:
        await asyncio.sleep(0)  # waits on the witness's polls, not on a duration
    sb.reset_stats()  # just after a poll ended: the next one has not started
    while ops.polls < start + 2:
        await asyncio.sleep(0)
    assert sb.stats()["requests"] == 2  # the witness's two reloads, nothing from the closed
    witness.close()
