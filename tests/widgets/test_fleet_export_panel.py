"""ExportPanel(fleet): the exports of a two-project sandbox, grouped by project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import envnb
from envnb.sandbox import Sandbox
from envnb.widgets import ExportPanel
from envnb.widgets.fleet_exports import FleetExportPanel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture
def two_projects() -> Iterator[Sandbox]:
    with Sandbox(projects=2, conversations=5) as sb:
        yield sb


async def test_exports_grouped_by_project(two_projects: Sandbox) -> None:
    sb = two_projects
    with sb.client() as client, envnb.Fleet.every_project(client) as fleet:
        panel = ExportPanel(fleet)
        assert isinstance(panel, FleetExportPanel)
        await panel.wait()
        assert list(panel.projects) == ["Staging", "Production"]
        assert {name: len(p.rows) for name, p in panel.projects.items()} == {
            "Staging": 12,
            "Production": 11,
        }
        assert len(panel.rows) == 23
        assert panel.status == "exports by project — Staging: 12, Production: 11"
        assert panel.projects["Production"].header.value.startswith("<b>Production</b> · ")
        assert panel.row("Audit log archive") in panel.projects["Production"].rows
        html = panel.static_html()
        assert "<h5>Staging</h5>" in html and "<h5>Production</h5>" in html
        assert sb.api_key not in html


async def test_a_row_acts_on_its_own_project(two_projects: Sandbox) -> None:
    sb = two_projects
    with sb.client() as client, envnb.Fleet.every_project(client) as fleet:
        panel = ExportPanel(fleet)
        await panel.wait()
        row = next(r for r in panel.projects["Production"].rows if not r.paused)
        row.toggle_button.click()
        await panel.wait()
        assert row.paused is True
        paused = sb.store.one("SELECT team_id, paused FROM batch_exports WHERE id = ?", (row.id,))
        assert paused is not None and (paused["team_id"], paused["paused"]) == (2, 1)
