"""Smoke test of the browser infrastructure: a kernel reaches the sandbox, a widget renders."""

from __future__ import annotations

import re

import nbformat
from playwright.sync_api import Page, expect

from .lab import LabServer, notebook, open_notebook, run_all, wait_all_cells_done

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
SOURCE = [
    # The kernel inherits the server's environment, so a plain Client finds the sandbox.
    "import envnb\nclient = envnb.Client()\nprint('exports:', len(client.batch_exports.list_df()))",
    "import ipywidgets as w\nb = w.Button(description='Count')\nl = w.Label('0')\n"
    "b.on_click(lambda _: setattr(l, 'value', str(int(l.value) + 1)))\nw.HBox([b, l])",
]


def test_kernel_reaches_sandbox_and_widgets_render(page: Page, lab: LabServer) -> None:
    """A notebook lists the sandbox's exports and a button click round-trips to the kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SOURCE]
    nbformat.write(nb, lab.root / "smoke.ipynb")

    open_notebook(page, lab, "smoke.ipynb")
    run_all(page)
    wait_all_cells_done(page)
    panel = notebook(page)
    output = panel.locator(".jp-OutputArea-output pre", has_text="exports:")
    expect(output).to_have_text(re.compile(r"exports: [1-9]\d*"))
    page.get_by_role("button", name="Count").click()
    expect(panel.locator(".widget-label")).to_have_text("1")
