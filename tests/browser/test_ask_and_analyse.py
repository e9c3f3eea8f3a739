"""06-ask-and-analyse in a real browser: a chart question gives a chart and a table in ChatCell,
and "Show query" opens the query."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import nbformat
from playwright.sync_api import expect

from .lab import (
    REPO,
    LabServer,
    assert_no_errors,
    notebook,
    open_notebook,
    run_all,
    screenshot,
    wait_kernel_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from envnb.sandbox import Sandbox

NOTEBOOK = "06-ask-and-analyse.ipynb"


def wait_for_run_all(page: Page, code_cells: int, timeout: float = 180.0) -> list[str]:
    """Wait until the notebook's own code cells ran; returns every code cell's prompt.

    Pinning inserts new cells below (IPython's set_next_input) that Run All, having started,
    does not run: they keep an empty prompt, so "every prompt numbered" never comes.
    """
    prompts = notebook(page).locator(".jp-CodeCell .jp-InputArea-prompt")
    deadline = time.monotonic() + timeout
    while True:
        texts = [t.strip() for t in prompts.all_text_contents()]
        done = [t for t in texts if re.fullmatch(r"\[\d+\]:", t)]
        if len(done) >= code_cells and "[*]:" not in texts:
            return texts
        assert time.monotonic() < deadline, f"cells not all done: {texts}"
        time.sleep(0.25)


def test_chart_question_shows_chart_query_and_table(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    code_cells = sum(
        c.cell_type == "code" for c in nbformat.read(REPO / "notebooks" / NOTEBOOK, 4).cells
    )
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    prompts = wait_for_run_all(page, code_cells)
    wait_kernel_idle(page)
    assert_no_errors(page)
    nb = notebook(page)
    # answer.pin() and %%chat --pin each wrote a next cell holding the pinned query
    assert len(prompts) == code_cells + 2, prompts
    pinned = nb.locator(".jp-CodeCell .jp-InputArea-editor", has_text="# Pinned from PostHog AI")
    expect(pinned).to_have_count(2)
    expect(pinned.first).to_contain_text("client.query_df(")
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
