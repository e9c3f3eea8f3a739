"""03-chat in a real browser: a long reply grows while it streams, and Stop stops it."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

from .lab import LabServer, notebook, open_notebook, run_all, screenshot, wait_all_cells_done

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

NOTEBOOK = "03-chat.ipynb"
PLACEHOLDER = "Ask PostHog AI…"
WORD = re.compile(r"\b(lorem|ipsum|dolor|sit|amet|consectetur|adipiscing|elit|sed|do)\b")


def chat_panel(page: Page) -> Locator:
    """The ChatCell's outer VBox (the one holding the question box)."""
    nb = notebook(page)
    return nb.locator(".widget-vbox", has=page.get_by_placeholder(PLACEHOLDER)).first


def _lorem_words(panel: Locator) -> int:
    return len(WORD.findall(panel.inner_text()))


def test_reply_streams_and_stop_stops_it(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    """`lorem 400` grows in the browser; Stop mid-stream ends growth and cancels on the server."""
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)
    panel = chat_panel(page)
    # The notebook asked a question from code: its Markdown answer is shown in the panel.
    expect(panel).to_contain_text("paused")
    screenshot(panel, "chat-panel")

    cancels = browser_sandbox.stats()["writes"].get("conversation.cancel", 0)
    panel.get_by_role("button", name="New conversation").click()
    panel.get_by_placeholder(PLACEHOLDER).fill("lorem 400")
    panel.get_by_role("button", name="Send").click()
    stop = panel.get_by_role("button", name="Stop")
    expect(stop).to_be_enabled()

    # Growing: two samples apart, more words the second time (and far from all 400).
    deadline = time.monotonic() + 15
    while (first := _lorem_words(panel)) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.8)
    second = _lorem_words(panel)
    assert first < second < 400, (first, second)

    stop.click()
    expect(panel).to_contain_text("Stopped.", timeout=10_000)  # the server confirmed the cancel
    expect(stop).to_be_disabled()
    stopped_at = _lorem_words(panel)
    time.sleep(1.5)  # the full reply would have gained ~60 words by now
    assert _lorem_words(panel) == stopped_at
    assert second <= stopped_at < 400, stopped_at
    assert browser_sandbox.stats()["writes"].get("conversation.cancel", 0) == cancels + 1
    screenshot(panel, "chat-stopped")
