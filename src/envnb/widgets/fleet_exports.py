"""``ExportPanel(fleet)``: every project's exports, grouped by project under its heading.

Each project is an ordinary :class:`ExportPanel` on that project's client (so pause,
resume, tests and details work as in one project); this panel only lays them out, refreshes
them together and gathers their rows and state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as W

from ..render import escape
from ._layout import wrap_row
from .exports import ExportPanel, ExportRow

if TYPE_CHECKING:
    from ..projects.fleet import Fleet


class FleetExportPanel(ExportPanel):
    """What ``ExportPanel(fleet)`` builds: ``projects`` (label → ExportPanel), ``rows`` (all)."""

    def __init__(self, fleet: Fleet) -> None:
        """One ExportPanel per project of ``fleet``, each under a heading ``project · region``."""
        self.fleet = fleet
        self.projects: dict[str, ExportPanel] = {
            m.project: ExportPanel(m.client) for m in fleet.members
        }
        # The base keeps a client only for its own tasks; this panel sends nothing itself.
        super(ExportPanel, self).__init__(fleet.members[0].client)
        self.refresh_button = W.Button(description="Refresh all", icon="refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        groups: list[W.Widget] = []
        for member, panel in zip(fleet.members, self.projects.values(), strict=True):
            panel.header.value = (
                f"<b>{escape(member.project)}</b> · {escape(member.region)} · "
                f"project {escape(member.project_id)}"
            )
            groups.append(panel.widget)
        self.widget = W.VBox([wrap_row([self.refresh_button, self.status_html]), *groups])
        self.widget.add_class("envnb-exports")
        self._set_status(f"{len(self.projects)} projects")

    @property
    def rows(self) -> list[ExportRow]:
        """Every project's rows, project by project."""
        return [row for panel in self.projects.values() for row in panel.rows]

    @rows.setter
    def rows(self, value: list[ExportRow]) -> None:
        pass  # the rows belong to the projects' panels

    def refresh(self) -> None:
        """Reload every project's exports."""
        for panel in self.projects.values():
            panel.refresh()

    async def wait(self, timeout: float = 60.0) -> None:
        """Wait until every project's panel has finished its calls."""
        for panel in self.projects.values():
            await panel.wait(timeout)
        counts = ", ".join(f"{name}: {len(p.rows)}" for name, p in self.projects.items())
        failed = [f"{name}: {p.error}" for name, p in self.projects.items() if p.error]
        self.error = "; ".join(failed)
        self._set_status(f"exports by project — {counts}", error=bool(failed))
        await super().wait(timeout)

    def _static_body(self) -> str:
        parts = [f"<p>{escape(self.status)}</p>"]
        for name, panel in self.projects.items():
            parts.append(f"<h5>{escape(name)}</h5>{panel._static_body()}")
        return "".join(parts)
