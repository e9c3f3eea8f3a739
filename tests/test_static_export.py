"""A notebook with the three panels, executed, then converted to HTML without widget state
(as GitHub, nbviewer or `nbconvert --to html` see it): each panel's state is still there."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(240)

CELLS = [
    "import envnb\nfrom envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor\n"
    "client = envnb.connect()",
    "panel = ExportPanel(client)\npanel",
    "await panel.wait()\nrow = panel.row('Postgres mirror')\nrow.toggle_button.click()\n"
    "await panel.wait()",
    "chat = ChatCell(client)\nchat",
    "chat.input.value = 'list exports by destination'\nchat.send_button.click()\nawait chat.wait()",
    "editor = ProfileConfigEditor(client)\neditor",
    "await editor.wait()\neditor.select(editor.rows[0]['id'])\nawait editor.wait()",
]


def test_panels_survive_export_without_widget_state(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(seed=0) as sb:
        for key, value in sb.env().items():
            monkeypatch.setenv(key, value)  # the kernel inherits them: connect() finds sb
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
        NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    nb.metadata.pop("widgets", None)  # no saved widget state: what GitHub/nbviewer get
    html, _ = HTMLExporter().from_notebook_node(nb)

    # Shown at display time with nothing loaded; refreshed in place once the calls finished.
    assert "<h4>Batch exports</h4><p>12 exports</p><table>" in html
    assert re.search(
        r"<td><strong><bdi>Postgres mirror</bdi></strong></td>"
        r"<td><bdi>Postgres</bdi> · <bdi>hour</bdi> · <bdi>events</bdi></td>"
        r"<td>Paused</td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td><td>Paused\.</td>",
        html,
    )
    assert "<td><strong><bdi>Warehouse sync</bdi></strong></td>" in html
    assert "<p><strong>You:</strong> list exports by destination</p>" in html
    assert "<p><strong>PostHog AI:</strong></p><p>Batch exports by destination:</p>" in html
    assert "<h4>Customer profile configs</h4>" in html
    assert "<p>content</p><pre><code>" in html
    assert "Loading…" not in html
    _outputs_are_the_live_view_then_its_snapshot(nb)


def _outputs_are_the_live_view_then_its_snapshot(nb: nbformat.NotebookNode) -> None:
    """Each panel cell: the live view (no HTML: a reader would see the panel twice), then the
    snapshot, refreshed in place, carrying a removed view (model id "") that JupyterLab hides.
    Refreshing the live output made JupyterLab build a new view of the whole panel after
    every call (focus and keystrokes lost)."""
    view = "application/vnd.jupyter.widget-view+json"
    for index in (1, 3, 5):  # the cells that show a panel
        live, snapshot = nb.cells[index].outputs
        assert live["data"][view]["model_id"] != "" and "text/html" not in live["data"]
        assert snapshot["data"][view]["model_id"] == ""
        assert snapshot["data"]["text/html"].startswith("<h4>")
