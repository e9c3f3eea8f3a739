"""A notebook saved from JupyterLab carries each panel's static view as of its last call:
what GitHub or nbviewer will show from that file."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page, expect

from .lab import LabServer, notebook, open_notebook, run_all, wait_all_cells_done

NOTEBOOK = "02-batch-export-controls.ipynb"


def _panel_html(lab: LabServer) -> list[str]:
    nb = json.loads((lab.root / NOTEBOOK).read_text())
    return [
        "".join(out["data"]["text/html"])
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if "<h4>Batch exports</h4>" in "".join(out.get("data", {}).get("text/html", ""))
    ]


def test_saved_notebook_has_the_panels_final_state(page: Page, lab: LabServer) -> None:
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    wait_all_cells_done(page)
    # The snapshot is an output of its own that JupyterLab hides (a removed widget view):
    # the page shows the live panel only, once.
    expect(notebook(page).locator(".envnb-panel.envnb-exports")).to_have_count(1)
    expect(notebook(page).get_by_text("A snapshot of this panel")).to_have_count(0)
    notebook(page).click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 20
    while not _panel_html(lab) and time.monotonic() < deadline:
        time.sleep(0.25)
    shown = _panel_html(lab)
    assert len(shown) == 1
    # Rows, each row's outcome and the destination test's steps, not "Loading…".
    assert "<table>" in shown[0] and "Loading" not in shown[0]
    assert "All steps passed." in shown[0] or "did not pass" in shown[0]
