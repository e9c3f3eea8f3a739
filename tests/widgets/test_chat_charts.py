"""Charts in ChatCell and %%chat, and %%hogql: a chart question draws the data of its query."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from widget_helpers import assert_no_secrets, client_for

from envnb import magics
from envnb.query.results import QueryResult, TruncatedResultWarning
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell
from envnb.widgets._charts import ChartBoard

pytestmark = pytest.mark.timeout(90)
CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def chart_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.002) as sb:
        yield sb


async def _ask(cell: ChatCell, text: str) -> None:
    cell.input.value = text
    cell.send_button.click()
    await cell.wait()


@pytest.mark.anyio
async def test_a_chart_question_draws_a_chart_a_query_and_a_table(chart_sandbox: Sandbox) -> None:
    sb = chart_sandbox
    cell = ChatCell(client_for(sb))
    await cell.wait()
    before = sb.stats()["queries"]
    await _ask(cell, "show daily pageviews for the last 14 days")
    assert sb.stats()["queries"] == before + 1
    (chart,) = cell.charts.charts.values()
    assert chart.viz.title == "Daily pageviews, last 14 days"
    assert chart.error is None and chart.result is not None
    frame = chart.result.df
    assert len(frame) == 15 and frame["value"].sum() == 9760
    assert chart.png is not None and chart.png.startswith(b"\x89PNG")
    history = cell.history_html.value
    assert "📈 <bdi>Daily pageviews, last 14 days</bdi>" in history
    assert "data:image/png;base64," in history
    assert "<summary" in history and "Show query" in history and "TrendsQuery" in history
    assert "<table" in history and "2026-02-16" in history
    assert "Loading the data" not in history
    static = cell.static_html()  # what an export without widget state shows
    assert "📈 <bdi>Daily pageviews, last 14 days</bdi>" in static
    assert "data:image/png;base64," in static and "<table" in static
    assert cell.reply.startswith("Here is **Daily pageviews")  # the conversation went on
    assert_no_secrets(cell, sb.api_key)


@pytest.mark.anyio
async def test_a_failed_query_shows_its_error_in_place(chart_sandbox: Sandbox) -> None:
    sb = chart_sandbox
    cell = ChatCell(client_for(sb, max_retries=0))
    await cell.wait()
    sb.set_faults("status=400,route=query")
    try:
        await _ask(cell, "how many purchases per week")
    finally:
        sb.set_faults(None)
    (chart,) = cell.charts.charts.values()
    assert chart.result is None and chart.error is not None and "400" in chart.error
    history = cell.history_html.value
    assert "⚠ Could not run this query" in history and "Show query" in history
    assert cell.error == "" and cell.reply  # the reply itself is fine
    await _ask(cell, "lorem 3")  # and the conversation continues
    assert cell.reply == "lorem ipsum dolor"


@pytest.mark.anyio
async def test_stop_does_not_wait_for_a_chart(chart_sandbox: Sandbox) -> None:
    sb = chart_sandbox
    cell = ChatCell(client_for(sb))
    await cell.wait()
    sb.set_faults("latency=3,route=query")
    sb.set_stream(stream_delay=0.05)
    try:
        cell.input.value = "top pages"
        cell.send_button.click()
        async with asyncio.timeout(20):
            while not cell.charts.charts:
                await asyncio.sleep(0.01)
        cell.stop_button.click()
        assert cell.stream_task is not None
        await asyncio.gather(cell.stream_task, return_exceptions=True)
        # Stop is not held up by the chart's query: the stream ended while that query was
        # still waiting for its answer (the order of the two events, no time limit).
        assert cell.charts.pending == 1
        await cell.wait(30)
    finally:
        sb.set_faults(None)
        sb.set_stream(stream_delay=0.002)
    (chart,) = cell.charts.charts.values()
    assert chart.result is not None and chart.result.columns == ["page", "pageviews", "visitors"]


# ---- %%chat and %%hogql ------------------------------------------------------------------------


@pytest.fixture
def shell(chart_sandbox: Sandbox) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.display_pub = CapturingDisplayPublisher()
    magics.load_ipython_extension(ip)
    magics.new_conversation()
    ip.user_ns["client"] = chart_sandbox.client()
    ip.run_line_magic("chat_client", "client")
    yield ip
    magics.use_client(None)
    magics.new_conversation()


def _html(ip: InteractiveShell) -> str:
    outputs = ip.display_pub.outputs  # type: ignore[attr-defined]
    return str(outputs[-1]["data"]["text/html"]) if outputs else ""


def test_chat_magic_draws_the_chart_and_pins_the_queries(shell: InteractiveShell) -> None:
    pinned: list[str] = []
    shell.set_next_input = lambda text, replace=False: pinned.append(text)  # type: ignore[method-assign]
    reply = shell.run_cell_magic("chat", "--pin", "signups by browser this month")
    html = _html(shell)
    assert "📈 <bdi>Daily sign-ups by browser, this month</bdi>" in html
    assert "data:image/png;base64," in html and "<table" in html and "Chrome" in html
    assert [q.title for q in reply.queries] == ["Daily sign-ups by browser, this month"]
    (code,) = pinned
    assert code.startswith("# Pinned from PostHog AI")
    assert "# Question: signups by browser this month" in code
    assert f"max?chat={reply.conversation_id}" in code
    assert "daily_sign_ups_by_browser_this_month = client.query_df(" in code
    (frame,) = reply.frames()
    browsers = sorted(frame["breakdown_value"].unique())
    # no Edge sign-up since the 1st; 4 from persons without $browser (PostHog's null label)
    assert browsers == ["Chrome", "Firefox", "None", "Opera", "Safari"]


def test_hogql_magic_assigns_a_typed_frame_and_quotes_variables(shell: InteractiveShell) -> None:
    shell.user_ns["event"] = "signed_up"
    frame = shell.run_cell_magic(
        "hogql",
        "by_browser",
        "SELECT properties.$browser AS browser, count() AS n FROM events\n"
        "WHERE event = {event} GROUP BY browser ORDER BY browser",
    )
    assert shell.user_ns["by_browser"] is frame
    assert frame.to_dict("list") == {
        "browser": ["Chrome", "Edge", "Firefox", "Opera", "Safari", None],
        "n": [703, 68, 128, 37, 284, 60],
    }
    assert [str(t) for t in frame.dtypes] == ["string", "Int64"]
    shell.user_ns["event"] = "x' OR 1=1 --"
    evil = shell.run_cell_magic(
        "hogql", "", "SELECT count() AS n FROM events WHERE event = {event}"
    )
    assert evil["n"].tolist() == [0]
    with pytest.raises(UsageError, match="Unable to resolve field: nope"):
        shell.run_cell_magic("hogql", "", "SELECT nope FROM events")
    with pytest.raises(UsageError, match="no notebook variable named 'missing'"):
        shell.run_cell_magic("hogql", "", "SELECT {missing}")
    with pytest.warns(TruncatedResultWarning):
        rows = shell.run_cell_magic("hogql", "", "SELECT uuid FROM events")
    assert len(rows) == 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(shell.run_cell_magic("hogql", "", "SELECT uuid FROM events LIMIT 300")) == 300


def test_server_text_in_a_chart_is_escaped() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    message = {
        "type": "ai/viz",
        "id": "v1",
        "query": hostile,
        "answer": {"kind": "HogQLQuery", "query": "SELECT '<script>alert(1)</script>' AS x"},
    }
    board = ChartBoard()
    (chart,) = board.add(message)
    raw = {
        "columns": [hostile],
        "types": [[hostile, "String"]],
        "results": [["<script>x</script>"]],
    }
    board.settle(chart, result=QueryResult(chart.viz.body(), raw))
    for html in (board.html(message), board.static_html(message)):
        assert "<img src=x" not in html and "<script>" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    board.settle(chart, error=hostile)
    assert "<img src=x" not in board.html(message)
