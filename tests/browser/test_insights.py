"""Funnels in a real browser: PostHog AI's funnel answer in ChatCell draws its chart and its
table, and notebook 09's funnel section, exported to HTML without widget state (as GitHub,
nbviewer or ``nbconvert --to html`` show it), still shows the chart and the numbers when
chromium opens the file with no network."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from playwright.sync_api import Browser, Locator, Page, Route, expect

from .lab import (
    REPO,
    XSS_TRAP,
    LabServer,
    open_notebook,
    run_all,
    screenshot,
    wait_all_cells_done,
    xss_calls,
)
from .test_chat import PLACEHOLDER, chat_panel

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(240)
QUESTION = "Where do users drop off between sign-up and purchase?"
STEPS = ("signed_up", "purchase")


def test_a_funnel_answer_in_chatcell_shows_its_chart_and_table(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    open_notebook(page, lab, "03-chat.ipynb")
    run_all(page)
    wait_all_cells_done(page)
    panel = chat_panel(page)
    panel.get_by_role("button", name="New conversation").click()
    panel.get_by_placeholder(PLACEHOLDER).fill(QUESTION)
    panel.get_by_role("button", name="Send").click()
    viz = panel.locator(".envnb-viz", has_text="Funnel").first
    expect(viz).to_contain_text("sign-ups → purchases", timeout=60_000)
    chart = viz.locator('img[src^="data:image/png;base64,"]')
    expect(chart).to_be_visible(timeout=60_000)
    assert _drawn(chart), "the funnel chart was not drawn (decoded, >200×80 px)"
    table = viz.locator("table").first
    expect(table).to_be_visible()
    expect(table).to_contain_text("conversion_rate")
    for step in STEPS:
        expect(table.locator("tbody tr", has_text=step)).to_have_count(1)
    screenshot(panel, "chat-funnel")


def _drawn(chart: Locator, seconds: float = 15.0) -> bool:
    """The image is decoded and laid out at a readable size. Measured in the page in one step
    and asked again while the panel redraws its history (a reply still streaming replaces
    the element), until the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        decoded, width, height = chart.evaluate(
            "img => [img.complete && img.naturalWidth > 0,"
            " img.getBoundingClientRect().width, img.getBoundingClientRect().height]"
        )
        if decoded and width > 200 and height > 80:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


@pytest.fixture(scope="module")
def exported_notebook(
    browser_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, int]]]:
    """Notebook 09 run on the sandbox and exported to HTML without widget state; also the
    funnel's step counts as the run printed them in its frame (the expected numbers)."""
    nb = nbformat.read(REPO / "notebooks" / "09-insights.ipynb", as_version=4)
    with pytest.MonkeyPatch.context() as env:
        for key, value in browser_sandbox.env().items():
            env.setenv(key, value)  # the kernel inherits them: connect() finds the sandbox
        NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    nb.metadata.pop("widgets", None)
    html, _ = HTMLExporter().from_notebook_node(nb)
    path = tmp_path_factory.mktemp("export") / "09-insights.html"
    path.write_text(html, encoding="utf-8")
    counts = _counts(nb)
    yield path, counts


def _counts(nb: nbformat.NotebookNode) -> dict[str, int]:
    """The funnel's counts from the executed notebook's own frame (``funnel``, its text/plain
    output: index, step, step_name, count, …) — the numbers the exported page must show."""
    cell = next(c for c in nb.cells if c.source.strip().startswith("(funnel,) = answer.frames()"))
    (shown,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    rows = [line.split() for line in shown.data["text/plain"].splitlines()]
    return {row[2]: int(row[3]) for row in rows if len(row) > 3 and row[2] in STEPS}


def _offline(route: Route) -> None:
    # The exported page asks CDNs for require.js and MathJax; here nothing leaves the machine
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def test_the_exported_funnel_section_shows_chart_and_numbers(
    browser: Browser, exported_notebook: tuple[Path, dict[str, int]]
) -> None:
    path, counts = exported_notebook
    assert set(counts) == set(STEPS) and counts["signed_up"] > counts["purchase"] > 0
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    context.add_init_script(XSS_TRAP)
    context.route("**/*", _offline)
    page = context.new_page()
    try:
        page.goto(path.as_uri(), wait_until="domcontentloaded")
        section = page.locator(".jp-Cell", has_text="result = client.query(funnel_query)")
        expect(section).to_have_count(1)
        chart = section.locator('img[src^="data:image/png;base64,"]')
        expect(chart).to_be_visible()
        assert _drawn(chart), "the exported funnel chart was not drawn"
        table = section.locator("table").first
        expect(table).to_be_visible()
        expect(table).to_contain_text("conversion_rate")
        for step, count in counts.items():
            row = table.locator("tbody tr", has_text=step)
            expect(row).to_have_count(1)
            cells = [c.strip() for c in row.locator("td, th").all_inner_texts()]
            assert str(count) in cells, (step, count, cells)
        expect(section).to_contain_text("FunnelsQuery")  # the query behind it
        dropped = page.locator(".jp-Cell", has_text="people signed up and did not buy")
        expect(dropped.locator("table").first).to_be_visible()  # the people, a static table
        screenshot(section, "export-funnel")
        assert xss_calls(page) == []
    finally:
        context.close()
