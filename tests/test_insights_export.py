"""notebooks/09-insights.ipynb executed, then exported to HTML without widget state (as GitHub,
nbviewer or ``nbconvert --to html`` see it): the funnel section still shows chart and table."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(240)
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "09-insights.ipynb"


def test_the_funnel_section_survives_export_without_widget_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    with Sandbox(seed=0) as sb:
        for key, value in sb.env().items():
            monkeypatch.setenv(key, value)  # the kernel inherits them: connect() finds sb
        NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    nb.metadata.pop("widgets", None)
    html, _ = HTMLExporter().from_notebook_node(nb)
    chart_cell = next(c for c in nb.cells if "result = client.query(funnel_query)" in c.source)
    (shown,) = [o for o in chart_cell.outputs if o.output_type == "execute_result"]
    funnel_html = shown.data["text/html"]
    assert "data:image/png;base64," in funnel_html  # the funnel chart
    assert "<table" in funnel_html and "conversion_rate" in funnel_html  # its rows
    assert "FunnelsQuery" in funnel_html  # and the query behind it
    assert funnel_html.split("base64,")[1][:40] in html  # in the exported page too
    assert "envnb-retention" in html  # the saved retention insight's triangle
    assert "people signed up and did not buy" in html
