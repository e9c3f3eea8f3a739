"""06-ask-and-analyse in a real browser: a chart question gives a chart and a table in ChatCell,
and "Show query" opens the query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .lab import (
    LabServer,
    assert_no_errors,
    notebook,
    open_notebook,
    run_all,
    screenshot,
    wait_all_cells_done,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from envnb.sandbox import Sandbox

NOTEBOOK = "06-ask-and-analyse.ipynb"


def test_chart_question_shows_chart_query_and_table(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page, timeout=180_000)
    assert_no_errors(page)
    nb = notebook(page)
    panel = nb.locator(".widget-vbox", has=page.get_by_placeholder("Ask PostHog AI…")).first
    viz = panel.locator(".envnb-viz").first
    expect(viz).to_contain_text("Weekly purchases, last 90 days", timeout=60_000)
    chart = viz.locator('img[src^="data:image/png;base64,"]')
    expect(chart).to_be_visible(timeout=60_000)
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80, box
    expect(viz.locator("table")).to_be_visible()
    expect(viz.locator("table tbody tr").first).to_be_visible()
    query = viz.locator("details pre").first
    expect(query).to_be_hidden()
    viz.get_by_text("Show query").click()
    expect(query).to_be_visible()
    expect(query).to_contain_text("TrendsQuery")
    screenshot(panel, "chat-chart")
    assert browser_sandbox.stats()["queries"] > 0
