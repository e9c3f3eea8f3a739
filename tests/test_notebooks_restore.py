"""Notebooks 01, 02 and 05 leave the sandbox as they found it (02 resumes what it paused).

03 asks PostHog AI questions: PostHog's API has no way to delete a conversation, so its
new conversations stay (on PostHog as on the sandbox); 04 cleans up after itself (its own
test). Run with nbclient against one sandbox; state is read with plain httpx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from envnb.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(300)


def _state(sb: Sandbox) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    base = f"{sb.url}/api/projects/{sb.project_id}"

    def rows(path: str) -> list[dict[str, Any]]:
        resp = httpx.get(f"{base}/{path}/?limit=1000", headers=headers, timeout=30)
        resp.raise_for_status()
        return list(resp.json()["results"])

    return {
        "exports": sorted((e["id"], e["paused"]) for e in rows("batch_exports")),
        "configs": sorted(c["id"] for c in rows("customer_profile_configs")),
        "conversations": len(rows("conversations")),
    }


@pytest.mark.parametrize(
    "name", ["01-quickstart.ipynb", "02-batch-export-controls.ipynb", "05-report.ipynb"]
)
def test_notebook_leaves_the_sandbox_as_it_found_it(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(seed=0) as sb:
        for key, value in sb.env().items():
            monkeypatch.setenv(key, value)  # the kernel inherits them: connect() finds sb
        monkeypatch.setenv("MPLBACKEND", "agg")
        before = _state(sb)
        assert any(paused is False for _, paused in before["exports"])
        nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
        NotebookClient(
            nb, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
        after = _state(sb)
    assert after == before
