"""ExportPanel's runs strip and backfill progress in a real browser (notebook 02)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from .lab import LabServer, notebook, open_notebook, run_all, screenshot, wait_all_cells_done
from .sandbox_http import SandboxHTTP

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

NOTEBOOK = "02-batch-export-controls.ipynb"


def _row_box(page: Page, name: str):  # type: ignore[no-untyped-def]
    """The export row's whole VBox (line, strip, health, details)."""
    name_cell = page.locator(".widget-html b", has_text=re.compile(f"^{re.escape(name)}$"))
    return (
        notebook(page)
        .locator(".widget-vbox", has=name_cell)
        .filter(has=page.locator(".envnb-runs-strip"))
        .last
    )


def test_runs_strip_and_backfill_progress(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    """Gaps show as hollow marks; a backfill made in the panel shows progress to its end."""
    api = SandboxHTTP(browser_sandbox.env())
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)

    # PostHog paused "BigQuery events 2" two days ago: its last 48 hours are all gaps.
    paused = _row_box(page, "BigQuery events 2")
    expect(paused.locator(".envnb-runs-strip .envnb-run-mark")).to_have_count(48)
    expect(paused.locator(".envnb-run-gap")).to_have_count(48)
    expect(paused.locator(".envnb-health")).to_contain_text("auto-paused")

    # A backfill from the Details form: overlap warning, then progress until Completed.
    box = _row_box(page, "Postgres mirror")
    expect(box.locator(".envnb-run-completed").first).to_be_visible()
    box.get_by_role("button", name="Details").click()
    export = next(e for e in api.all("batch_exports") if e["name"] == "Postgres mirror")
    runs = api.get(f"batch_exports/{export['id']}/runs", after="-2d")["results"]
    done = sorted(r["data_interval_start"] for r in runs if r["status"] == "Completed")
    start, end = done[-4], done[-2]  # two completed hours: the form must warn first
    box.get_by_placeholder("YYYY-MM-DDTHH:MM+00:00").first.fill(start.replace("Z", "+00:00"))
    box.get_by_placeholder("YYYY-MM-DDTHH:MM+00:00").last.fill(end.replace("Z", "+00:00"))
    box.get_by_role("button", name="Backfill", exact=True).click()
    expect(box).to_contain_text("This would export data twice", timeout=30_000)
    box.get_by_role("button", name="Backfill anyway").click()
    expect(box).to_contain_text(re.compile(r"Backfill [0-9a-f-]{36} started\."), timeout=30_000)
    expect(box).to_contain_text(re.compile(r"Completed · .* · 2/2 runs"), timeout=60_000)
    assert box.locator(".widget-progress").count() >= 1
    fills = api.get(f"batch_exports/{export['id']}/backfills")["results"]
    assert fills[0]["status"] == "Completed" and fills[0]["progress"]["total_runs"] == 2
    screenshot(box, "export-ops")
