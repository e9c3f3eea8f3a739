"""Insight answers in ChatCell: a funnel question draws its funnel chart and its table, and
the reply's frames and pinned cell re-run the funnel; a retention question its triangle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from widget_helpers import assert_no_secrets, client_for

from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell

pytestmark = pytest.mark.timeout(90)
CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)
QUESTION = "Where do users drop off between sign-up and purchase?"


@pytest.fixture(scope="module")
def insight_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.002) as sb:
        yield sb


async def _ask(cell: ChatCell, text: str) -> None:
    cell.input.value = text
    cell.send_button.click()
    await cell.wait()


@pytest.mark.anyio
async def test_a_funnel_answer_shows_its_chart_and_table(insight_sandbox: Sandbox) -> None:
    sb = insight_sandbox
    cell = ChatCell(client_for(sb))
    await cell.wait()
    await _ask(cell, QUESTION)
    (chart,) = cell.charts.charts.values()
    assert chart.viz.title == "Funnel: sign-ups → purchases, last 30 days"
    assert chart.viz.query["kind"] == "FunnelsQuery"
    assert chart.error is None and chart.result is not None
    frame = chart.result.df
    assert frame["step_name"].tolist() == ["signed_up", "purchase"]
    assert frame["count"].iloc[0] > frame["count"].iloc[1] > 0
    assert chart.png is not None and chart.png.startswith(b"\x89PNG")
    history = cell.history_html.value
    assert "data:image/png;base64," in history
    assert "<table" in history and "conversion_rate" in history and "signed_up" in history
    static = cell.static_html()
    assert "data:image/png;base64," in static and "conversion_rate" in static
    assert_no_secrets(cell, sb.api_key)


@pytest.mark.anyio
async def test_a_retention_answer_shows_its_triangle(insight_sandbox: Sandbox) -> None:
    cell = ChatCell(client_for(insight_sandbox))
    await cell.wait()
    await _ask(cell, "Do visitors come back week after week?")
    (chart,) = cell.charts.charts.values()
    assert chart.viz.query["kind"] == "RetentionQuery" and chart.result is not None
    assert "envnb-retention" in cell.history_html.value
    assert chart.png is None  # drawn as a heatmap table, not a picture
