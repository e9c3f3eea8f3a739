"""Visualization messages drawn as what they are: title, chart, "Show query", table preview.

Shared by ChatCell and ``%%chat``. The data comes from running the message's query through
the query API *after* the message arrived (the caller fetches; this module only keeps the
state and renders it), so a chart never holds up the stream or Stop. The chart is a PNG
(matplotlib, Agg) inlined as a data URI: it survives nbconvert's HTML export and GitHub.

Rules:
1. Everything from the server (titles, query text, cell values) is escaped.
2. A failed query shows its error in place of the chart; nothing else changes.
3. Each visualization is keyed ``<message id>#<index>``; its placeholder HTML is stable
   until its data (or error) arrives, so callers can swap it in already-rendered HTML.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..query.kinds import ChartStyle, draw, view_html
from ..query.results import Visualization, visualizations
from ..render import escape, isolate

if TYPE_CHECKING:
    import pandas as pd

    from ..query.results import QueryResult

log = logging.getLogger("envnb.widgets")
PREVIEW_ROWS = 8
VIZ_TYPES = frozenset({"ai/viz", "ai/multi_viz", "ai/artifact"})
_BOX = "border:1px solid #ddd;border-radius:6px;padding:6px 8px;margin:6px 0;max-width:760px"
_DIM = "color:#777;font-size:0.85em"
_ERR = "color:#b00020"


@dataclass
class Chart:
    """One visualization's state: waiting (neither set), loaded (``result``) or ``error``."""

    key: str
    viz: Visualization
    result: QueryResult | None = None
    error: str | None = None
    png: bytes | None = None

    @property
    def done(self) -> bool:
        """True once the data or an error arrived."""
        return self.result is not None or self.error is not None


def charts_of(message: Any) -> list[Chart]:
    """The charts a message carries (none for other message kinds or while it streams)."""
    message_id = message.get("id") if isinstance(message, dict) else getattr(message, "id", None)
    if message_id is None:
        return []
    return [Chart(f"{message_id}#{i}", viz) for i, viz in enumerate(visualizations([message]))]


def _query_text(chart: Chart) -> str:
    body = chart.viz.body()
    if body.get("kind") == "HogQLQuery" and isinstance(body.get("query"), str):
        return str(body["query"])
    return json.dumps(body, indent=2, ensure_ascii=False, default=str)


def chart_html(chart: Chart) -> str:
    """HTML of one chart in its current state."""
    title = f'<div style="font-weight:600;margin-bottom:4px">📈 {isolate(chart.viz.title)}</div>'
    if chart.error is not None:
        body = f'<div style="{_ERR}">⚠ Could not run this query: {escape(chart.error)}</div>'
    elif chart.result is None:
        body = f'<div style="{_DIM}">Loading the data…</div>'
    else:
        body = _view(chart.result) or _picture(chart)
        body += _table(chart.result)
    query = f"<pre style='white-space:pre-wrap;margin:4px 0'>{escape(_query_text(chart))}</pre>"
    ran = chart.result.hogql if chart.result is not None else None
    if ran and ran.strip() != _query_text(chart).strip():
        query += f"<div style='{_DIM}'>HogQL PostHog ran:</div>"
        query += f"<pre style='white-space:pre-wrap;margin:4px 0'>{escape(ran)}</pre>"
    details = (
        f"<details><summary style='{_DIM};cursor:pointer'>Show query</summary>{query}</details>"
    )
    opening = f'<div class="envnb-viz" data-key="{escape(chart.key)}" style="{_BOX}">'
    return f"{opening}{title}{body}{details}</div>"


def _picture(chart: Chart) -> str:
    if not chart.png:
        return ""
    data = base64.b64encode(chart.png).decode()
    alt = escape(chart.viz.title)
    return f'<img alt="{alt}" src="data:image/png;base64,{data}" style="max-width:100%"/>'


def _view(result: QueryResult) -> str:
    """The kind's own HTML view (retention triangle, ranked paths), "" for pictured kinds."""
    try:
        return view_html(result.df, result.query) or ""
    except Exception:  # a view that cannot be built still leaves the table
        log.exception("envnb could not build a chart")
        return ""


def _table(result: QueryResult) -> str:
    frame = result.df
    more = len(frame) - PREVIEW_ROWS
    html = _preview(frame.head(PREVIEW_ROWS)).to_html(index=False, escape=True, border=0, na_rep="")
    note = (
        f"<div style='{_DIM}'>… {more} more row{'s' if more != 1 else ''}</div>" if more > 0 else ""
    )
    if result.has_more:
        note += f"<div style='{_DIM}'>PostHog kept more rows back (add a LIMIT).</div>"
    return f"<div style='overflow-x:auto;font-size:0.85em'>{html}</div>{note}"


def _preview(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as a person reads them: no all-empty breakdown, midnight dates as dates."""
    import pandas as pd

    if "breakdown_value" in frame.columns and frame["breakdown_value"].isna().all():
        frame = frame.drop(columns="breakdown_value")
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column) and column.notna().any():
            dates = column.dropna()
            midnight = bool((dates == dates.dt.normalize()).all())
            frame = frame.assign(
                **{str(name): column.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")}
            )
    return frame


def render_png(result: QueryResult, title: str) -> bytes | None:
    """A PNG of the data (lines over time, bars by category), or None when nothing to draw
    (no numeric column, or matplotlib is not installed)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    try:
        return _png(Figure, result, title)
    except Exception:  # a chart that cannot be drawn still has its table
        log.exception("envnb could not draw a chart")
        return None


def _png(figure_cls: Any, result: QueryResult, title: str) -> bytes | None:
    frame = result.df
    if frame.empty:
        return None
    figure = figure_cls(figsize=(7.0, 2.8), dpi=96)
    axes = figure.add_subplot()
    if not _draw(axes, result, frame):
        return None
    axes.set_title(title, fontsize=10, loc="left")
    axes.grid(True, alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _draw(axes: Any, result: QueryResult, frame: pd.DataFrame) -> bool:
    import pandas as pd

    if view_html(frame, result.query) is not None:
        return False  # drawn as HTML (retention triangle, paths), not as a picture
    drawn = draw(axes, frame, result.query)
    if drawn is not None:
        return drawn

    if result.chart == ChartStyle.SERIES and {"date", "value", "series"} <= set(frame.columns):
        if frame["date"].isna().all():  # aggregated display: one bar per series/breakdown
            labels = _series_keys(frame)
            if "breakdown_value" in frame.columns:
                labels = frame["breakdown_value"].fillna(labels).astype(str)
            axes.bar(labels.tolist(), frame["value"].astype(float).tolist())
            return True
        keys = _series_keys(frame)
        if "breakdown_value" in frame.columns and frame["breakdown_value"].notna().any():
            keys = frame["breakdown_value"].fillna("None").astype(str)
        for name, part in frame.groupby(keys, sort=False):
            axes.plot(part["date"].dt.tz_localize(None), part["value"].astype(float), label=name)
        if keys.nunique() > 1:
            axes.legend(fontsize=8, ncol=2)
        return True
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    first = frame.columns[0]
    values = [c for c in numeric if c != first][:3]
    if not values:
        return False
    if pd.api.types.is_datetime64_any_dtype(frame[first]):
        x = frame[first].dt.tz_localize(None) if frame[first].dt.tz is not None else frame[first]
        for column in values:
            axes.plot(x, frame[column].astype(float), label=str(column))
    else:
        head = frame.head(20)
        axes.bar(head[first].astype(str).tolist(), head[values[0]].astype(float).tolist())
        axes.set_ylabel(str(values[0]))
        return True
    if len(values) > 1:
        axes.legend(fontsize=8)
    return True


def _series_keys(frame: pd.DataFrame) -> pd.Series:
    """A legend name per row: the series, with its math when two series share a name (a
    total and a unique-users count of one event), and "(previous)" for compare rows."""
    keys = frame["series"].astype(str)
    if "series_index" in frame.columns and "math" in frame.columns:
        shared = frame.groupby("series")["series_index"].transform("nunique") > 1
        keys = keys.where(~shared, keys + " (" + frame["math"].astype(str) + ")")
    if "compare" in frame.columns:
        keys = keys.where(frame["compare"].fillna("") != "previous", keys + " (previous)")
    return keys


def result_html(result: QueryResult, title: str | None = None) -> str:
    """A QueryResult as a notebook shows it: its chart (a PNG, or the kind's HTML view), its
    first rows and its query — static HTML, so it survives an export without widgets."""
    name = title or result.kind
    chart = Chart("result", Visualization(name, result.query), result=result)
    chart.png = render_png(result, name)
    return chart_html(chart)


class ChartBoard:
    """The charts of a transcript by key, with their HTML (what ChatCell and %%chat keep)."""

    def __init__(self) -> None:
        """Start empty."""
        self.charts: dict[str, Chart] = {}

    def add(self, message: Any) -> list[Chart]:
        """Register the charts of a finished message; returns the ones not seen before."""
        new = [c for c in charts_of(message) if c.key not in self.charts]
        for chart in new:
            self.charts[chart.key] = chart
        return new

    def html(self, message: Any) -> str:
        """HTML of a message's charts in their current state ("" if it carries none)."""
        return "".join(chart_html(self.charts.get(c.key, c)) for c in charts_of(message))

    def static_html(self, message: Any) -> str:
        """A message's charts for an export without widgets: title, PNG, first rows."""
        parts = []
        for fresh in charts_of(message):
            chart = self.charts.get(fresh.key, fresh)
            parts.append(f"<p><strong>📈 {isolate(chart.viz.title)}</strong></p>")
            if chart.error is not None:
                parts.append(f"<p><em>⚠ Could not run this query: {escape(chart.error)}</em></p>")
            elif chart.result is not None:
                marker = self.picture_marker(chart) if chart.png else ""
                parts.append(marker + _view(chart.result) + _table(chart.result))
        return "".join(parts)

    def picture_marker(self, chart: Chart) -> str:
        """Stands for a chart's PNG in HTML that is sanitized afterwards (the sanitizer drops
        ``data:`` images); :meth:`put_pictures` swaps the PNGs back in."""
        return f"<p>[envnb chart {list(self.charts).index(chart.key)}]</p>"

    def put_pictures(self, html: str) -> str:
        """``html`` with each marker replaced by its chart's PNG (ours, not the server's)."""
        for chart in self.charts.values():
            if chart.png and chart.key in self.charts:
                html = html.replace(self.picture_marker(chart), _picture(chart))
        return html

    def settle(
        self,
        chart: Chart,
        *,
        result: QueryResult | None = None,
        error: str | None = None,
        png: bytes | None = None,
    ) -> tuple[str, str]:
        """Record a chart's data or error; returns (HTML before, HTML after) for swapping."""
        before = chart_html(chart)
        chart.result, chart.error, chart.png = result, error, png
        return before, chart_html(chart)

    @property
    def pending(self) -> int:
        """How many charts are still waiting for their data."""
        return sum(not c.done for c in self.charts.values())
