"""ChatCell's charts: a visualization message's data is fetched after it arrives, in a task
of its own, and its box in the transcript is redrawn when the data (or an error) is in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..errors import EnvnbError
from ._charts import Chart, ChartBoard, render_png


class ChatCharts:
    """The mixin: ChatCell provides ``aclient``, ``charts``, the history and the redraws."""

    aclient: Any
    charts: ChartBoard
    _history_parts: list[str]
    history_html: Any
    _spawn: Callable[..., Any]
    _flush: Callable[[], None]
    _publish: Callable[[], None]

    def _fetch_charts(self, messages: list[Any]) -> None:
        """Start fetching the data of the finished visualization messages not seen yet."""
        for message in messages:
            for chart in self.charts.add(message):
                self._spawn(self._fetch_chart(self.charts, chart))

    async def _fetch_chart(self, board: ChartBoard, chart: Chart) -> None:
        # Its own task: the stream and Stop never wait for it; a failure stays in its box.
        try:
            result = await self.aclient.query(chart.viz.body())
        except EnvnbError as err:
            before, after = board.settle(chart, error=str(err))
        else:
            png = await asyncio.to_thread(render_png, result, chart.viz.title)
            before, after = board.settle(chart, result=result, png=png)
        if board is not self.charts:
            return  # the view moved on to another conversation
        self._history_parts = [part.replace(before, after) for part in self._history_parts]
        self.history_html.value = "".join(self._history_parts)
        self._flush()
        self._publish()
