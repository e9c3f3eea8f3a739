"""Each panel's static rendering (the ``text/html`` next to its widget view) shows its state."""

from __future__ import annotations

import pytest
from widget_helpers import client_for

from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_export_panel_rows_as_a_table_names_escaped() -> None:
    with Sandbox(seed=0, canary=True, batch_exports=6) as sb:
        panel = ExportPanel(client_for(sb))
        await panel.wait()
        html = panel.static_html()
        assert html.startswith("<h4>Batch exports</h4><p>6 exports</p><table>")
        assert "<td><strong><bdi>Postgres mirror</bdi></strong></td>" in html
        assert (
            "<td><bdi>Postgres</bdi> · <bdi>hour</bdi> · <bdi>events</bdi></td><td>Active</td>"
            in html
        )
        assert (
            "<td><bdi>Redshift</bdi> · <bdi>hour</bdi> · <bdi>events</bdi></td><td>Paused</td>"
            in html
        )
        assert "&lt;img src=x onerror=" in html
        assert "<img" not in html and "<script" not in html
        # The static view is in the display data, next to the live widget's view.
        bundle = panel._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert bundle["text/html"] == html


async def test_export_panel_static_view_follows_the_state(fresh_sandbox: Sandbox) -> None:
    panel = ExportPanel(client_for(fresh_sandbox))
    await panel.wait()
    row = panel.row("Postgres mirror")
    row.toggle_button.click()
    await panel.wait()
    assert "<td><strong><bdi>Postgres mirror</bdi></strong></td>" in panel.static_html()
    assert (
        "<td><bdi>Postgres</bdi> · <bdi>hour</bdi> · <bdi>events</bdi></td><td>Paused</td>"
        in panel.static_html()
    )
    assert "Paused.</td></tr>" in panel.static_html()


async def test_chat_cell_transcript_rendered_and_sanitized(fresh_sandbox: Sandbox) -> None:
    cell = ChatCell(client_for(fresh_sandbox))
    await cell.wait()
    cell.input.value = "list exports by destination <script>alert(1)</script>"
    cell.send_button.click()
    await cell.wait()
    html = cell.static_html()
    assert html.startswith("<h4>PostHog AI</h4>")
    assert (
        "<p><strong>You:</strong> list exports by destination "
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    ) in html
    assert "<p><strong>PostHog AI:</strong></p><p>Batch exports by destination:</p>" in html
    assert "<table>" in html and "<th>destination</th>" in html
    assert "<script" not in html


async def test_editor_lists_configs_and_shows_the_loaded_one(sandbox: Sandbox) -> None:
    editor = ProfileConfigEditor(client_for(sandbox))
    await editor.wait()
    assert editor.rows
    first = editor.rows[0]
    editor.select(first["id"])
    await editor.wait()
    html = editor.static_html()
    assert html.startswith("<h4>Customer profile configs</h4>")
    assert html.split("</ul>")[0].count("<li>") == len(editor.rows)
    # the loaded layout as PostHog shows it: panel titles in order
    assert (
        "<p>Panels, as PostHog shows them</p>"
        "<ol><li>Usage metrics <code>ph-usage-metrics</code></li>" in html
    )
    assert f"{first['id'][:8]} · updated " in html
    assert "</strong></p><p>content</p><pre><code>" in html
