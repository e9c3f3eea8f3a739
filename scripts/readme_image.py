"""Regenerate docs/img/panels.png (the README's picture) from a clean demo run.

A plain sandbox (no XSS canaries, no faults), JupyterLab, chromium at 1280 px: a notebook
shows the three panels as a new user would use them (a destination test, a question to
PostHog AI, a profile config opened), then each panel is screenshotted and the three are
stacked into one image. Needs /usr/bin/chromium (``make chromium``)::

    .venv/bin/python scripts/readme_image.py [--out docs/img/panels.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the browser-test helpers live in tests/browser/

CELLS = (
    "import envnb\nfrom envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor\n"
    "client = envnb.connect()",
    "panel = ExportPanel(client)\npanel",
    "await panel.wait()\n"
    "row = next(r for r in panel.rows if r.destination_type == 'Snowflake')\n"
    "row.test_button.click()\nawait panel.wait()",
    "chat = ChatCell(client)\nchat",
    "chat.input.value = 'Which batch exports are paused?'\nchat.send_button.click()\n"
    "await chat.wait()",
    "editor = ProfileConfigEditor(client)\neditor",
    "await editor.wait()\neditor.select(editor.first_of_scope('person'))\nawait editor.wait()",
)
PANELS = (
    ".envnb-panel.envnb-exports",
    ".envnb-panel.envnb-chat",
    ".envnb-panel.envnb-profile-editor",
)
NOTEBOOK = "panels.ipynb"
GAP = 16  # px of white between the stacked panels


def main() -> None:
    """Run the notebooks in a real browser and write the stacked screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "panels.png")
    args = parser.parse_args()

    import nbformat
    from PIL import Image
    from playwright.sync_api import sync_playwright
    from tests.browser.lab import (
        CHROMIUM,
        CHROMIUM_ARGS,
        LabServer,
        notebook,
        open_notebook,
        run_all,
        wait_all_cells_done,
    )

    from envnb.sandbox import Sandbox

    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sb:
        lab = LabServer(Path(tmp), sb.env())
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
        nbformat.write(nb, lab.root / NOTEBOOK)
        lab.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.set_default_timeout(60_000)
                open_notebook(page, lab, NOTEBOOK)
                run_all(page)
                wait_all_cells_done(page)
                for i, selector in enumerate(PANELS):
                    panel = notebook(page).locator(selector).first
                    page.set_viewport_size({"width": 1280, "height": 4000})  # the whole panel
                    page.wait_for_timeout(500)
                    panel.scroll_into_view_if_needed()
                    path = Path(tmp) / f"panel-{i}.png"
                    panel.screenshot(path=str(path))
                    page.set_viewport_size({"width": 1280, "height": 1000})
                    shots.append(path)
                browser.close()
        finally:
            lab.stop()
        images = [Image.open(p).convert("RGB") for p in shots]
        width = max(i.width for i in images)
        height = sum(i.height for i in images) + GAP * (len(images) - 1)
        out = Image.new("RGB", (width, height), "white")
        y = 0
        for img in images:
            out.paste(img, (0, y))
            y += img.height + GAP
        args.out.parent.mkdir(parents=True, exist_ok=True)
        out.save(args.out, optimize=True)
    print(f"wrote {args.out} ({width}x{height})")


if __name__ == "__main__":
    main()
