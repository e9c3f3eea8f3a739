"""The notebooks' charts stay readable at the sizes they are drawn: no tick labels on top
of each other (05's records axis once read "2,000,0004,000,000…" with the sandbox's data)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _cell(notebook: str, marker: str) -> str:
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    return next("".join(c["source"]) for c in cells if marker in "".join(c["source"]))


def _overlapping_labels(ax: plt.Axes) -> list[tuple[str, str]]:
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
    boxes.sort(key=lambda item: item[1].x0)
    return [(a, b) for (a, box_a), (b, box_b) in itertools.pairwise(boxes) if box_a.x1 > box_b.x0]


def test_report_records_axis_labels_do_not_overlap() -> None:
    # Sums of the sandbox's seeded runs per destination, and a larger PostHog-sized set.
    for records in (
        [16_500_000, 14_500_000, 4_900_000, 2_300_000, 1_700_000, 80_000],
        [2_400_000_000, 900_000_000, 12_000, 5, 0, 0],
    ):
        runs = pd.DataFrame(
            {
                "destination": ["BigQuery", "Snowflake", "S3", "Redshift", "HTTP", "Postgres"],
                "records": records,
            }
        )
        namespace = {
            "plt": plt,
            "runs": runs,
            "MaxNLocator": MaxNLocator,
            "StrMethodFormatter": StrMethodFormatter,
        }
        exec(_cell("05-report.ipynb", "Records exported by destination"), namespace)
        fig = plt.gcf()
        try:
            assert _overlapping_labels(fig.axes[0]) == []
        finally:
            plt.close(fig)


class _RunsDf:
    """Stands in for ``client.batch_exports`` in the cell: a fixed ``runs_df``."""

    def __init__(self, runs: pd.DataFrame) -> None:
        self.runs = runs

    def runs_df(self, **_: object) -> pd.DataFrame:
        return self.runs


def test_report_runs_per_day_chart_draws_without_a_warning() -> None:
    # 05's "runs per day" cell set tick labels on the bar chart's own locator: matplotlib
    # printed a UserWarning ("set_ticklabels() should only be used with a fixed number of
    # ticks") into the report.
    import types
    import warnings

    # A month of consecutive days: pandas then puts its time-series locator on the bar axis.
    days = pd.date_range("2026-11-01T01:00Z", periods=30, freq="D")
    runs = pd.DataFrame(
        {"created_at": days.repeat(2), "status_group": ["completed", "failed"] * 30}
    )
    client = types.SimpleNamespace(batch_exports=_RunsDf(runs))
    stamp = pd.Timestamp("2026-12-04T00:00Z")
    namespace = {"plt": plt, "client": client, "start": stamp, "stop": stamp}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(_cell("05-report.ipynb", "Batch export runs per day by status"), namespace)
    fig = plt.gcf()
    try:
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert labels == [f"11-{day:02d}" for day in range(1, 31)]
    finally:
        plt.close(fig)
