"""04-profile-configs in a real browser: the structured editor moves, renames, removes and adds
panels, saves PostHog's shape, survives a reload; the JSON view flags bad JSON; the editor
fits from 1920 px down to a 700 px pane with nothing cut or overlapping."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

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
from .layout import layout_problems
from .sandbox_http import SandboxHTTP

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

NOTEBOOK = "04-profile-configs.ipynb"


def editor(page: Page) -> Locator:
    """The ProfileConfigEditor's root (list, then the Panels / JSON views)."""
    return notebook(page).locator(".envnb-profile-editor").first


def pick(page: Page, config: dict[str, Any]) -> Locator:
    """Click the config in the editor's list; return its panel rows once they show it."""
    ed = editor(page)
    select = ed.locator("select[size]")
    label = next(t for t in select.locator("option").all_inner_texts() if config["id"][:8] in t)
    select.select_option(label=label)
    rows = ed.locator(".envnb-panel-row")
    # the editor may still show the notebook's last config: wait for this one's panels
    expect(rows).to_have_count(len(config["content"]), timeout=15_000)
    first = sorted(config["content"], key=lambda p: p.get("index", 999))[0]
    expect(rows.first.locator("input[type=text]")).to_have_value(first["title"])
    return rows


def button(row: Locator, tooltip: str) -> Locator:
    """An icon button of a panel row (its accessible name is the icon glyph; title is text)."""
    return row.locator(f"button[title='{tooltip}']")


def titles(rows: Locator) -> list[str]:
    """The title box of each panel row, in order."""
    return [rows.nth(i).locator("input[type=text]").input_value() for i in range(rows.count())]


def test_structured_edit_save_reload_and_json_view(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    """Panels edited by clicks are saved in PostHog's shape and read back after a reload."""
    api = SandboxHTTP(browser_sandbox.env())
    # A seeded config the notebook itself does not touch (it creates and deletes its own).
    target = next(c for c in api.all("customer_profile_configs") if c["scope"] == "group_3")
    open_nb(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)
    rows = pick(page, target)
    assert titles(rows) == [
        "Usage metrics",
        "Customer journey",
        "Events",
        "LLM traces",
        "Zendesk tickets",
        "Issues",
    ]
    expect(rows.nth(1)).to_contain_text("only when the customer-journeys feature flag is on")
    button(rows.nth(0), "Move down").click()
    expect(rows.nth(1).locator("input[type=text]")).to_have_value("Usage metrics")
    button(rows.nth(5), "Remove this panel").click()
    expect(rows).to_have_count(5)
    title = rows.nth(2).locator("input[type=text]")
    title.fill("Recent events")
    title.press("Enter")
    ed = editor(page)
    picker = ed.locator("select").filter(has_text="Issues (ph-issues)")
    picker.select_option(label="Issues (ph-issues)")
    ed.get_by_role("button", name="Add panel").click()
    expect(rows).to_have_count(6)
    expect(ed).to_contain_text("unsaved changes")
    screenshot(ed, "profile-editor-panels")
    ed.get_by_role("button", name="Save").click()
    expect(ed).to_contain_text("Saved (content)", timeout=15_000)
    expected = [
        {"type": "ph-customer-journey", "title": "Customer journey", "index": 0},
        {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 1},
        {"type": "ph-query", "title": "Recent events", "index": 2},
        {"type": "ph-llm-trace", "title": "LLM traces", "index": 3},
        {"type": "ph-zendesk-tickets", "title": "Zendesk tickets", "index": 4},
        {"type": "ph-issues", "title": "Issues", "index": 5},
    ]
    assert api.get(f"customer_profile_configs/{target['id']}")["content"] == expected

    # Reload: a fresh editor (same kernel) reads the layout back from the server.
    page.reload()
    expect(notebook(page)).to_be_visible(timeout=60_000)
    wait_kernel_idle(page)
    run_all(page)
    wait_all_cells_done(page)
    rows = pick(page, {"id": target["id"], "content": expected})
    assert titles(rows) == [p["title"] for p in expected]

    # The JSON view holds the same state; invalid JSON is flagged there and not saved.
    ed = editor(page)
    ed.get_by_role("radio", name="JSON").or_(ed.get_by_role("button", name="JSON")).click()
    content = ed.locator("textarea").first
    expect(content).to_be_visible()
    assert json.loads(content.input_value()) == expected
    content.fill('[{"type": "ph-issues",')
    feedback = content.locator("xpath=../following-sibling::div[1]")
    expect(feedback).to_contain_text(re.compile(r"error at line 1, column \d+"))
    ed.get_by_role("button", name="Save").click()
    expect(ed).to_contain_text("Fix the JSON errors")
    screenshot(ed, "profile-editor-json")
    assert api.get(f"customer_profile_configs/{target['id']}")["content"] == expected
    ed.get_by_role("button", name="Discard").click()
    expect(content).to_have_value(re.compile("Recent events"), timeout=15_000)


def test_editor_fits_from_wide_to_a_narrow_pane(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    """Nothing in the editor is cut, overflows or overlaps at 1920, 1280, 1024 and 760 px."""
    api = SandboxHTTP(browser_sandbox.env())
    target = next(c for c in api.all("customer_profile_configs") if c["scope"] == "group_2")
    open_nb(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)
    rows = pick(page, target)
    expect(rows.nth(1)).to_contain_text("unknown type")
    ed = editor(page)
    options = ed.locator("select[size] option")
    # the notebook refreshed its list after deleting what it created
    expect(options).to_have_count(len(api.all("customer_profile_configs")))
    problems: list[str] = []
    for width in (1920, 1280, 1024, 760):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(600)  # JupyterLab re-lays out on resize
        ed.scroll_into_view_if_needed()
        problems += [f"{width}px: {p}" for p in layout_problems(ed)]
        # every config's label is shown whole: the list is as wide as its longest label
        select = ed.locator("select[size]")
        widths = select.evaluate("(s) => [s.scrollWidth, s.clientWidth, s.size, s.length]")
        if widths[0] > widths[1] + 1 or widths[2] < widths[3]:
            problems.append(f"{width}px: list cut or scrolling {widths}")
        screenshot(ed, f"profile-editor-{width}")
    assert not problems, "\n".join(problems[:40])
