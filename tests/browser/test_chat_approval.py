"""03-chat in a real browser: a proposal PostHog AI waits on shows with Approve / Reject, and
Approve runs it on the server (the sandbox's exports are paused), then the reply follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from playwright.sync_api import Page, expect

from .lab import LabServer, open_notebook, run_all, screenshot, wait_all_cells_done
from .sandbox_http import SandboxHTTP
from .test_chat import NOTEBOOK, PLACEHOLDER, chat_panel

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox


def test_approve_in_the_browser_runs_the_proposal(
    page: Page, lab: LabServer, browser_sandbox: Sandbox
) -> None:
    witness = SandboxHTTP(browser_sandbox.env())
    running = [e["id"] for e in witness.all("batch_exports/") if not e["paused"]]
    assert running  # the seed keeps some exports running
    try:
        open_notebook(page, lab, NOTEBOOK)
        run_all(page)
        wait_all_cells_done(page)
        panel = chat_panel(page)
        panel.get_by_role("button", name="New conversation").click()
        panel.get_by_placeholder(PLACEHOLDER).fill("pause all exports")
        panel.get_by_role("button", name="Send").click()
        expect(panel).to_contain_text("Approval needed", timeout=30_000)
        expect(panel).to_contain_text("pause_batch_exports")
        expect(panel).to_contain_text(f"Pause {len(running)} batch export")
        screenshot(panel, "chat-approval")
        approve = panel.get_by_role("button", name="Approve")
        expect(approve).to_be_enabled()
        approve.click()
        noun = f"{len(running)} batch export{'s' if len(running) != 1 else ''}"
        expect(panel).to_contain_text(f"Done: I paused {noun}.", timeout=30_000)
        expect(panel.get_by_role("button", name="Approve")).to_have_count(0)
        # The server, asked directly: every export is paused and the proposal approved.
        assert all(e["paused"] for e in witness.all("batch_exports/"))
        conversations = witness.get("conversations/", limit=5)["results"]
        mine = next(c for c in conversations if c["title"] == "pause all exports")
        detail = witness.get(f"conversations/{mine['id']}/")
        assert [a["decision_status"] for a in detail["pending_approvals"]] == ["approved"]
        screenshot(panel, "chat-approved")
    finally:
        # The sandbox is shared by the browser tests: put the exports back as they were.
        for export_id in running:
            httpx.post(
                f"{witness.base}/batch_exports/{export_id}/unpause/",
                headers=witness.headers,
                json={},
                timeout=10,
            ).raise_for_status()
