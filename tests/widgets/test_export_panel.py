"""ExportPanel against the sandbox: rows, pause/resume/backfill, destination tests, errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from widget_helpers import api_get, assert_no_secrets, client_for, html_of, writes

from envnb.sandbox import Sandbox
from envnb.widgets import ExportPanel
from envnb.widgets._steps import FAILED, PASSED, SKIPPED

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _panel(sb: Any, **kw: Any) -> ExportPanel:
    panel = ExportPanel(client_for(sb, **kw))
    await panel.wait()
    return panel


def _first(panel: ExportPanel, *, paused: bool | None = None, dtype: str | None = None) -> Any:
    return next(
        r
        for r in panel.rows
        if (paused is None or r.paused == paused) and (dtype is None or r.destination_type == dtype)
    )


async def test_rows_match_the_server(sandbox: Sandbox) -> None:
    panel = await _panel(sandbox)
    server = api_get(sandbox, "batch_exports/?limit=100")["results"]
    assert {r.id for r in panel.rows} == {e["id"] for e in server}
    by_id = {e["id"]: e for e in server}
    for row in panel.rows:
        e = by_id[row.id]
        assert (row.name, row.destination_type, row.interval, row.paused) == (
            e["name"],
            e["destination"]["type"],
            e["interval"],
            e["paused"],
        )
        assert ("Paused" if row.paused else "Active") in row.badge_html.value
        assert row.toggle_button.description == ("Resume" if row.paused else "Pause")
    assert panel.status == f"{len(server)} exports"
    assert_no_secrets(panel, sandbox.api_key)


async def test_pause_updates_row_and_server_once_despite_double_click(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    row = _first(panel, paused=False)
    sb.reset_stats()
    row.toggle_button.click()
    assert row.busy and row.toggle_button.disabled
    row.toggle_button.click()  # a double click while in flight is ignored
    await panel.wait()
    assert writes(sb, "batch_export.pause") == 1
    assert writes(sb, "batch_export.unpause") == 0
    assert row.paused and not row.busy and not row.toggle_button.disabled
    assert row.toggle_button.description == "Resume" and row.status == "Paused."
    server = api_get(sb, f"batch_exports/{row.id}/")
    assert server["paused"] is True and row.last_paused_at is not None


async def test_resume_with_backfill(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    row = _first(panel, paused=True)
    assert row.backfill.layout.visibility == "visible"
    row.backfill.value = True
    assert "re-export the data for the window the export was paused" in row.backfill_help.value
    sb.reset_stats()
    row.toggle_button.click()
    await panel.wait()
    assert writes(sb, "batch_export.unpause") == 1
    assert writes(sb, "batch_export.backfill") == 1
    assert not row.paused and "backfill" in row.status and not row.backfill.value
    assert api_get(sb, f"batch_exports/{row.id}/")["paused"] is False


async def test_resume_without_backfill_starts_none(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    row = _first(panel, paused=True)
    sb.reset_stats()
    row.toggle_button.click()
    await panel.wait()
    assert writes(sb, "batch_export.unpause") == 1
    assert writes(sb, "batch_export.backfill") == 0
    assert row.status == "Resumed."


async def test_server_error_shows_in_the_row_in_words(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb, max_retries=0)
    row = _first(panel, paused=False)
    sb.set_faults("status=500,route=pause")
    row.toggle_button.click()
    await panel.wait()
    sb.set_faults(None)
    assert "500" in row.error and "Traceback" not in row.error
    assert "500" in row.message_html.value
    assert not row.paused and not row.busy and row.toggle_button.description == "Pause"
    assert api_get(sb, f"batch_exports/{row.id}/")["paused"] is False
    # the other rows are untouched
    assert all(not r.error for r in panel.rows if r is not row)


async def test_destination_test_passes_step_by_step(sandbox: Sandbox) -> None:
    panel = await _panel(sandbox)
    row = _first(panel, dtype="Snowflake")
    row.test_button.click()
    assert row.test_button.disabled
    await panel.wait()
    assert row.steps is not None
    assert next(s.name for s in row.steps.steps) == "Establish connection to Snowflake"
    assert [s.status for s in row.steps.steps] == [PASSED] * 4
    assert row.test_message == "All steps passed."
    assert "✔ 4. <bdi>Verify Snowflake schema</bdi>" in row.steps_html.value


async def test_destination_test_failure_skips_the_rest(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    client = sb.client()
    panel = await _panel(sb)
    row = _first(panel, dtype="Snowflake")
    client.batch_exports.update(
        row.id, destination={"type": "Snowflake", "config": {"warehouse": "MISSING_WH"}}
    )
    row.test_button.click()
    await panel.wait()
    assert row.steps is not None
    assert [s.status for s in row.steps.steps] == [PASSED, FAILED, SKIPPED, SKIPPED]
    assert "MISSING_WH" in row.steps.steps[1].message
    assert row.test_message == "The destination test did not pass."


async def test_type_without_test_says_so(sandbox: Sandbox) -> None:
    panel = await _panel(sandbox)
    row = _first(panel, dtype="Postgres")
    row.test_button.click()
    await panel.wait()
    assert row.steps is None and not row.error
    assert row.test_message == "Postgres destinations have no test."


async def test_key_without_internal_scope_names_it(sandbox: Sandbox) -> None:
    key = sandbox.create_key(scopes=["batch_export:read", "batch_export:write"])
    panel = await _panel(sandbox, api_key=key)
    row = _first(panel, dtype="S3")
    row.test_button.click()
    await panel.wait()
    assert "missing the scope 'INTERNAL'" in row.error
    assert row.steps is None
    assert_no_secrets(panel, key, sandbox.api_key)


async def test_hostile_names_show_as_text() -> None:
    with Sandbox(canary=True, batch_exports=6) as sb:
        panel = await _panel(sb)
        html = html_of(panel)
        assert "&lt;img src=x onerror=" in html or "&lt;img src=x onerror" in html
        assert "<img" not in html and "<script" not in html and "<svg" not in html
        assert any("<img" in r.name for r in panel.rows)  # the raw name is kept as data
        assert_no_secrets(panel, sb.api_key)


async def test_list_error_shows_in_the_panel_and_refresh_recovers(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.set_faults("status=503,route=batch_exports,method=GET")
    panel = await _panel(sb, max_retries=0)
    sb.set_faults(None)
    assert panel.rows == [] and "503" in panel.error and "503" in panel.status_html.value
    assert not panel.refresh_button.disabled
    panel.refresh_button.click()
    await panel.wait()
    assert panel.error == "" and len(panel.rows) == len(api_get(sb, "batch_exports/")["results"])


async def test_paused_but_reload_failed_still_shows_paused(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb, max_retries=0)
    row = _first(panel, paused=False)
    sb.set_faults("status=500,method=GET,route=batch_exports")
    row.toggle_button.click()
    await panel.wait()
    sb.set_faults(None)
    assert row.paused and row.toggle_button.description == "Resume"
    assert row.error.startswith("Paused, but the row could not be reloaded: 500")
    assert api_get(sb, f"batch_exports/{row.id}/")["paused"] is True


async def test_type_unknown_to_envnb_says_it_has_no_test(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    row = _first(panel, dtype="S3")
    # A destination type newer than this envnb, as a newer PostHog could return.
    with sb.store.tx() as db:
        db.execute("UPDATE batch_exports SET dest_type = 'Kafka' WHERE id = ?", (row.id,))
    panel.refresh_button.click()
    await panel.wait()
    row = panel.row(row.id)
    assert row.destination_type == "Kafka"
    assert row.test_button.disabled
    assert row.test_button.tooltip == (
        "Kafka destinations have no test this version of envnb knows how to run."
    )
    row.test_button.click()  # a click from code still explains itself
    await panel.wait()
    assert row.error == "" and row.steps is None
    assert (
        row.test_message
        == "Kafka destinations have no test this version of envnb knows how to run."
    )
    assert "allowed values" not in html_of(panel)


async def test_unexpected_error_is_words_in_the_panel_not_a_traceback(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a kernel: no logging configured (pytest's own capture handlers removed).
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    panel = await _panel(sandbox)
    capsys.readouterr()

    async def bug() -> None:
        raise RuntimeError("a bug in a panel task")

    panel._spawn(bug())
    await panel.wait()
    assert panel.error == "Unexpected error: a bug in a panel task"
    assert "a bug in a panel task" in panel.status_html.value
    # stderr is what a notebook cell shows: no traceback may land there.
    assert "Traceback" not in capsys.readouterr().err


async def test_last_paused_time_is_shown_in_utc(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    panel = await _panel(sb)
    row = _first(panel)
    # A server answering with an offset: 12:30 at +02:00 is 10:30 UTC.
    with sb.store.tx() as db:
        db.execute(
            "UPDATE batch_exports SET last_paused_at = '2026-11-20T12:30:00+02:00' WHERE id = ?",
            (row.id,),
        )
    panel.refresh_button.click()
    await panel.wait()
    assert "2026-11-20 10:30 UTC" in panel.row(row.id).paused_html.value


async def test_reversing_and_blank_names_are_isolated_and_shown(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    client = client_for(sb)
    first = api_get(sb, "batch_exports/?limit=2")["results"]
    client.batch_exports.update(first[0]["id"], name="invoice.\u202etxt.exe")
    client.batch_exports.update(first[1]["id"], name="\u200b\u200b")
    panel = await _panel(sb)
    rows = {r.id: r for r in panel.rows}
    assert rows[first[0]["id"]].name == "invoice.\u202etxt.exe"  # the data stays exact
    assert rows[first[0]["id"]].name_html.value.endswith(
        "><b><bdi>invoice.⟦U+202E⟧txt.exe</bdi></b></div>"
    )
    assert rows[first[1]["id"]].name_html.value.endswith(
        "><b><bdi>(blank: U+200B U+200B)</bdi></b></div>"
    )
    assert "\u202e" not in html_of(panel)
    static = panel.static_html()  # what a notebook exported without widget state shows
    assert "<strong><bdi>invoice.⟦U+202E⟧txt.exe</bdi></strong>" in static
    assert "<strong><bdi>(blank: U+200B U+200B)</bdi></strong>" in static
    assert "\u202e" not in static


async def test_test_button_disabled_with_a_reason_on_types_without_test(sandbox: Sandbox) -> None:
    panel = await _panel(sandbox)
    for dtype in ("Postgres", "Redshift", "HTTP"):
        row = _first(panel, dtype=dtype)
        assert row.test_button.disabled
        assert row.test_button.tooltip == f"{dtype} destinations have no test."
    for dtype in ("S3", "Snowflake", "BigQuery"):
        row = _first(panel, dtype=dtype)
        assert not row.test_button.disabled
        assert row.test_button.tooltip == "Run the destination's test steps, one by one"
