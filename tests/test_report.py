"""`make report`'s two commands, run into a temp dir: papermill injects, nbconvert renders HTML."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "notebooks" / "05-report.ipynb"
SINCE = "2026-11-01"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """Run the report as the Makefile does (sandbox by default) and return (notebook, html)."""
    out = tmp_path_factory.mktemp("report")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    executed = out / "05-report.ipynb"
    subprocess.run(
        [sys.executable, "-m", "papermill", str(REPORT), str(executed), "-p", "since", SINCE,
         "-k", "python3", "--no-progress-bar"],
        env=env, cwd=out, check=True, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--no-input",
         str(executed), "--output-dir", str(out)],
        env=env, cwd=out, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return json.loads(executed.read_text()), (out / "05-report.html").read_text()


def test_parameters_are_injected(rendered: tuple[dict, str]) -> None:
    """papermill adds an injected-parameters cell carrying `since`, and the report uses it."""
    nb, html = rendered
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    assert f'since = "{SINCE}"' in "".join(injected[0]["source"])
    assert f"Report for {SINCE} to " in html


def test_html_has_tables_and_plots_and_no_code(rendered: tuple[dict, str]) -> None:
    """The rendered HTML carries the DataFrame tables and the matplotlib PNGs, not the code."""
    _, html = rendered
    # pandas' own tables, or envnb.display.table's (a Styler: <table id="T_...">)
    tables = re.findall(r'<table[^>]*(?:class="dataframe|id="T_)', html)
    plots = re.findall(r'<img[^>]+src="data:image/png;base64,', html)
    assert len(tables) >= 3, len(tables)
    assert len(plots) >= 2, len(plots)
    assert "client.batch_exports.list_df()" not in html  # --no-input hides the code
    assert "Traceback" not in html


def test_papermill_understands_every_parameter() -> None:
    """papermill's own parser reads each parameter (an `=` in a comment used to hide them)."""
    import papermill

    params = papermill.inspect_notebook(str(REPORT))
    assert set(params) == {"since", "until", "host"}
    assert all(p["help"] for p in params.values()), params


def test_html_holds_the_report_only(rendered: tuple[dict, str]) -> None:
    """No how-to-run text and no sandbox URL; range and data source stated once; captions."""
    _, html = rendered
    for howto in ("make report", "papermill", "nbconvert", "-p since", "http://127.0.0.1"):
        assert howto not in html, howto
    assert html.count("Report for ") == 1
    assert html.count("data: ") == 1
    assert f"Report for {SINCE} to " in html
    assert "(UTC days, both included); data: the envnb sandbox (sample data)" in html
    for caption in (
        "<caption>Batch exports by destination and status (all exports, now)</caption>",
        "<caption>Runs per destination and status (recent runs ending in the range)</caption>",
        "<caption>The 10 latest conversations started in the range</caption>",
        "<caption>Export health over the report's range (one row per export)</caption>",
        "<caption>Purchases per week, from the pinned PostHog AI query</caption>",
    ):
        assert caption in html


def test_tables_show_seconds_and_blank_cells(rendered: tuple[dict, str]) -> None:
    """Timestamps to the second, no NaT/None/<NA> in any table (health and pinned included)."""
    _, html = rendered
    tables = re.findall(r'<table id="T_.*?</table>', html, re.S)
    assert len(tables) == 5
    assert not re.search(r'<table[^>]*class="dataframe', html)  # every table is envnb's
    cells = [c for t in tables for c in re.findall(r"<td[^>]*>(.*?)</td>", t, re.S)]
    assert cells
    stamps = [c for c in cells if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", c.strip())]
    assert stamps  # the conversations table's created_at
    assert not [c for c in cells if re.search(r"\d\d:\d\d:\d\d\.\d|\+00:00", c)]
    assert not [c for c in cells if c.strip() in {"NaT", "None", "NaN", "&lt;NA&gt;"}]
