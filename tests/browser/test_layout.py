"""Every panel at 1920, 1280 and 1024 px with JupyterLab's file browser open: nothing in a
panel overflows its box, is cut, or overlaps another element (measured in the page), and
the ExportPanel's rows keep one height per width. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from .lab import LabServer, notebook, open_notebook, run_all, screenshot, wait_all_cells_done
from .layout import export_row_heights, layout_problems

WIDTHS = (1920, 1280, 1024)
PANELS = [
    pytest.param(
        "02-batch-export-controls.ipynb", ".envnb-panel.envnb-exports", "export-panel", id="exports"
    ),
    pytest.param("03-chat.ipynb", ".envnb-panel.envnb-chat", "chat-cell", id="chat"),
    pytest.param(
        "04-profile-configs.ipynb", ".envnb-panel.envnb-profile-editor", "editor", id="editor"
    ),
]


def show_file_browser(page: Page) -> None:
    """Open the left sidebar's file browser (the narrow case people actually have)."""
    if not page.locator("#jp-left-stack").is_visible():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").click()
    expect(page.locator("#jp-left-stack")).to_be_visible()


def _check_at_widths(page: Page, panels: Locator, shot: str) -> list[str]:
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(600)  # JupyterLab re-lays out on resize
        for i in range(panels.count()):
            panel = panels.nth(i)
            panel.scroll_into_view_if_needed()
            problems += [f"{width}px, panel {i}: {p}" for p in layout_problems(panel)]
            if "envnb-exports" in (panel.get_attribute("class") or ""):
                heights = {h for name, h in export_row_heights(panel) if "<" not in name}
                if len(heights) > 1:
                    problems.append(f"{width}px: export rows of different heights {heights}")
            screenshot(panel, f"layout-{shot}-{width}{'-' + str(i) if i else ''}")
    return problems


@pytest.mark.parametrize(("name", "selector", "shot"), PANELS)
def test_panel_fits_at_every_width(
    page: Page, lab: LabServer, name: str, selector: str, shot: str
) -> None:
    """No overflow, cut text or overlap in the panel at any of the three widths."""
    open_notebook(page, lab, name)
    run_all(page)
    wait_all_cells_done(page)
    show_file_browser(page)
    panels = notebook(page).locator(selector)
    expect(panels.first).to_be_visible()
    problems = _check_at_widths(page, panels, shot)
    assert not problems, "\n".join(problems[:40])
