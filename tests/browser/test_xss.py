"""XSS canaries: seeded names, titles and messages carry script payloads; none may run."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .lab import (
    LabServer,
    notebook,
    open_notebook,
    run_all,
    screenshot,
    wait_all_cells_done,
    xss_calls,
)
from .test_chat import chat_panel

IMG = "<img src=x onerror=\"alert('envnb-xss')\">"
SCRIPT = "<script>alert('envnb-xss')</script>"
# Elements a payload would have created had any widget put server text in as HTML.
INJECTED = ".jupyter-widgets img[src='x'], .jupyter-widgets script, .jupyter-widgets svg[onload]"


def test_export_names_shown_literally(page: Page, lab: LabServer) -> None:
    """The export list shows the payloads as text; no element was created, nothing ran."""
    open_notebook(page, lab, "02-batch-export-controls.ipynb")
    run_all(page)
    wait_all_cells_done(page)
    widgets = notebook(page).locator(".jupyter-widgets")
    # The rows are built by a task after the cell ends. Once, in CI, they never came: the
    # rows' ~2,200 widget messages overran the IOPub high-water mark and some were dropped
    # (now ~1,000: ExportOps builds its details area on first use).
    expect(widgets.get_by_text(IMG, exact=False).first).to_be_visible(timeout=30_000)
    expect(widgets.get_by_text(SCRIPT, exact=False).first).to_be_visible()
    expect(notebook(page).locator(INJECTED)).to_have_count(0)
    page.wait_for_timeout(500)  # an <img onerror> fires asynchronously
    assert xss_calls(page) == []


def test_conversation_titles_and_messages_shown_literally(page: Page, lab: LabServer) -> None:
    """A canary conversation, loaded into the ChatCell, shows its payloads as text."""
    open_notebook(page, lab, "03-chat.ipynb")
    run_all(page)
    wait_all_cells_done(page)
    panel = chat_panel(page)
    panel.get_by_role("button", name="New conversation").click()
    picker = panel.locator("select").first
    labels = picker.locator("option").all_inner_texts()
    canary = next(t for t in labels if "envnb-xss" in t)
    picker.select_option(label=canary)
    # Title, question and answer of a canary conversation each carry a payload.
    shown = panel.locator(".widget-html", has_text="envnb-xss")
    expect(shown.first).to_be_visible(timeout=15_000)
    # The title (with its payload) shows literally; so do the payloads in the messages.
    # (ipywidgets shows option labels with non-breaking spaces)
    # (and wraps server titles in U+2068/U+2069 isolates there; the <h4> isolates with <bdi>)
    title = canary.replace("\xa0", " ").rsplit(" · ", 1)[0].strip("\u2068\u2069")
    expect(panel.locator("h4")).to_have_text(title)
    assert shown.count() >= 2  # the title and at least one message carry a payload
    expect(notebook(page).locator(INJECTED)).to_have_count(0)
    page.wait_for_timeout(500)
    assert xss_calls(page) == []
    screenshot(panel, "chat-canary")
