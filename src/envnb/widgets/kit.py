"""The public building blocks of the panels, for code that draws chat turns and charts
outside a panel (``%%chat`` in ``envnb.magics``, a notebook of your own).

- ``LiveTurn``: one question and its streamed reply as HTML (fed event by event).
- ``ChartBoard`` / ``render_png``: the charts of visualization messages and their pictures.
- ``Throttle`` / ``Pacer``: redraw at most a few times a second while events pour in.
- ``Actions``: busy state and status line of a panel's calls (see ``Panel``).
- ``decide_hint``: the line that says how to answer a proposal the reply awaits.
- ``result_html``: a query result's chart, first rows and query as static HTML.
"""

from __future__ import annotations

from ._base import Actions, Panel
from ._charts import ChartBoard, render_png, result_html
from ._chat_asks import decide_hint
from ._livechat import LiveTurn
from ._throttle import Pacer, Throttle

__all__ = [
    "Actions",
    "ChartBoard",
    "LiveTurn",
    "Pacer",
    "Panel",
    "Throttle",
    "decide_hint",
    "render_png",
    "result_html",
]
