"""02-batch-export-controls in a real browser: pause from the panel, run a destination test."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

from .lab import (
    LabServer,
    notebook,
    open_notebook,
    run_all,
    screenshot,
    wait_all_cells_done,
    wait_kernel_idle,
)
from .sandbox_http import SandboxHTTP

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

NOTEBOOK = "02-batch-export-controls.ipynb"
BADGE = re.compile(r"^(Paused|Active)$")


def _row(page: Page, name: str) -> tuple[Locator, Locator]:
    """(the row's line of name/badge/buttons, the row's whole VBox with its steps)."""
    name_cell = page.locator(".widget-html b", has_text=re.compile(f"^{re.escape(name)}$"))
    nb = notebook(page)
    # Panel and list are VBoxes too; in document order the row's own VBox comes last.
    return nb.locator(".envnb-export-row", has=name_cell).first, nb.locator(
        ".widget-vbox", has=name_cell
    ).last


def _clean(exports: list[dict], pred: Callable[[dict], bool]) -> dict:
    """The first export satisfying ``pred`` whose name carries no canary payload."""
    return next(e for e in exports if "<" not in e["name"] and pred(e))


def test_pause_and_destination_test(page: Page, lab: LabServer, browser_sandbox: Sandbox) -> None:
    """Pause flips the badge and the server; a test run shows each step's status."""
    api = SandboxHTTP(browser_sandbox.env())
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)

    # Pause an active export; the badge changes, and the sandbox agrees.
    target = _clean(api.all("batch_exports"), lambda e: not e["paused"])
    row, _ = _row(page, target["name"])
    badge = row.locator("span", has_text=BADGE)
    expect(badge).to_have_text("Active")
    # The panel's view survives its calls: a call that changes the panel refreshes its
    # snapshot, which once made JupyterLab rebuild the whole view (focus, keystrokes lost).
    panel = notebook(page).locator(".envnb-panel.envnb-exports").first.element_handle()
    row.get_by_role("button", name="Pause", exact=True).click()
    expect(badge).to_have_text("Paused")
    expect(row.get_by_role("button", name="Resume", exact=True)).to_be_visible()
    assert api.get(f"batch_exports/{target['id']}")["paused"] is True
    wait_kernel_idle(page)
    page.wait_for_timeout(1000)  # the snapshot refresh lands after the call's end
    assert panel.evaluate("node => node.isConnected"), "the panel's view was rebuilt"

    # Run a Snowflake destination test; every step ends with its status shown.
    snowflake = _clean(api.all("batch_exports"), lambda e: e["destination"]["type"] == "Snowflake")
    steps = api.get("batch_exports/test", destination="Snowflake")["steps"]
    assert steps
    row, row_box = _row(page, snowflake["name"])
    row.get_by_role("button", name="Test destination").click()
    for i, step in enumerate(steps, 1):
        line = rf"{i}\. {re.escape(step['name'])}: (Passed|Failed|Skipped)"
        expect(row_box).to_contain_text(re.compile(line), timeout=30_000)
    expect(row_box).to_contain_text(re.compile(r"All steps passed\.|did not pass\."))
    screenshot(notebook(page).locator(".envnb-panel.envnb-exports").first, "export-panel")
