"""Re-running panel cells does not pile up connection pools (sockets counted in /proc)."""

from __future__ import annotations

import gc
import os

import pytest
from widget_helpers import client_for

from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


def _sockets() -> int:
    """Open sockets of this process (client and, in-process, the sandbox's side)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue  # closed while we looked
    return count


async def test_rerunning_panel_cells_30_times_opens_no_new_sockets(
    fresh_sandbox: Sandbox,
) -> None:
    client = client_for(fresh_sandbox)
    panels = [cls(client) for cls in (ExportPanel, ChatCell, ProfileConfigEditor)]
    for panel in panels:
        await panel.wait()
    gc.collect()
    before = _sockets()
    for _ in range(30):  # the user re-runs the three cells
        panels = [cls(client) for cls in (ExportPanel, ChatCell, ProfileConfigEditor)]
        for panel in panels:
            await panel.wait()
    gc.collect()
    after = _sockets()
    # One pool shared by the panels of one client: its keep-alive connections are reused.
    assert after - before <= 2, (before, after)
    assert len({id(panel.aclient) for panel in panels}) == 1
