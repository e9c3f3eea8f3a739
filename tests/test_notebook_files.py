"""What the checked-in notebooks carry before anyone runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_widget_views_or_widget_state_saved(path: Path) -> None:
    """A saved widget view names a model that lived in a kernel long gone: JupyterLab shows
    "Error displaying widget: model not found" in its place to everyone who opens the
    notebook (and a test reopening it starts from those errors). Text outputs stay."""
    nb = json.loads(path.read_text())
    views = [
        i
        for i, cell in enumerate(nb["cells"])
        for out in cell.get("outputs", [])
        if WIDGET_VIEW in out.get("data", {})
    ]
    assert views == [], f"cells {views} of {path.name} carry widget views"
    assert "widgets" not in nb["metadata"]
