"""04-profile-configs in a real browser: edit, save, reload, still there; bad JSON is flagged."""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

from .lab import (
    LabServer,
    notebook,
    run_all,
    screenshot,
    wait_all_cells_done,
    wait_kernel_idle,
)
from .lab import open_notebook as open_nb
from .sandbox_http import SandboxHTTP

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

NOTEBOOK = "04-profile-configs.ipynb"


def editor(page: Page) -> Locator:
    """The ProfileConfigEditor's outer HBox (list on the left, fields on the right)."""
    return notebook(page).locator(".widget-hbox", has=page.locator("select[size]")).first


def pick(page: Page, config_id: str) -> Locator:
    """Click the config in the editor's list and return the content text area once loaded."""
    ed = editor(page)
    select = ed.locator("select[size]")
    label = next(t for t in select.locator("option").all_inner_texts() if config_id[:8] in t)
    select.select_option(label=label)
    content = ed.locator("textarea").first
    expect(content).not_to_have_value("", timeout=15_000)
    return content


def feedback_of(textarea: Locator) -> Locator:
    """The note shown right under a text area (the field's own error line)."""
    return textarea.locator("xpath=../following-sibling::div[1]")


def test_edit_save_reload_and_invalid_json(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    """A saved edit survives a reload; invalid JSON is reported at the field and not saved."""
    api = SandboxHTTP(browser_sandbox.env())
    # A seeded config the notebook itself does not touch (it creates its own).
    target = next(c for c in api.all("customer_profile_configs") if c["scope"] == "group_3")
    marker = f"edited-in-browser-{uuid.uuid4().hex[:8]}"
    new_content = {"blocks": [{"type": "notes", "title": marker}]}

    open_nb(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)
    content = pick(page, target["id"])
    content.fill(json.dumps(new_content, indent=2))
    expect(feedback_of(content)).to_contain_text("valid JSON")
    editor(page).get_by_role("button", name="Save").click()
    expect(editor(page)).to_contain_text("Saved (content)", timeout=15_000)
    assert api.get(f"customer_profile_configs/{target['id']}")["content"] == new_content

    # Reload the page: a fresh editor (same kernel) reads the config back from the server.
    page.reload()
    expect(notebook(page)).to_be_visible(timeout=60_000)
    wait_kernel_idle(page)
    run_all(page)
    wait_all_cells_done(page)
    content = pick(page, target["id"])
    expect(content).to_have_value(re.compile(marker))

    # Invalid JSON: the error shows under the field, and Save refuses to send it.
    content.fill('{"blocks": [')
    expect(feedback_of(content)).to_contain_text(re.compile(r"error at line 1, column \d+"))
    editor(page).get_by_role("button", name="Save").click()
    expect(editor(page)).to_contain_text("Fix the JSON errors")
    screenshot(editor(page), "profile-config-editor")
    assert api.get(f"customer_profile_configs/{target['id']}")["content"] == new_content
