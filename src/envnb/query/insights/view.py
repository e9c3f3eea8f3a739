"""How each insight kind is drawn: a picture (matplotlib, drawn on given axes) or an HTML
view (the retention triangle as a heatmap table, paths as a ranked table).

``QUERY_KINDS`` (``..kinds``) names each kind's drawing or view; a kind with neither is drawn
by the caller's generic rule (lines over time, bars by category). Every value from the server is
escaped (``envnb.render``); the pictures take their labels from the tidy frames.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...render import escape
from .funnels import funnel_view

if TYPE_CHECKING:
    import pandas as pd

_STATUS_COLOURS = {
    "new": "#1d4aff",
    "returning": "#621da6",
    "resurrecting": "#42827e",
    "dormant": "#ce0e74",
}
_CELL = "padding:2px 6px;text-align:right;border:1px solid #eee"
_TABLE = "border-collapse:collapse;font-size:0.85em"


def funnel_chart(axes: Any, frame: pd.DataFrame, query: dict[str, Any]) -> bool:
    """Steps: a bar per step (grouped by breakdown value) with its conversion rate;
    trends view: conversion over time; time to convert: people per bin."""
    view = funnel_view(query)
    if view == "trends":
        for name, part in frame.groupby(frame["breakdown_value"].fillna("All"), sort=False):
            axes.plot(
                part["date"].dt.tz_localize(None),
                part["conversion_rate"].astype(float) * 100,
                label=str(name),
            )
        axes.set_ylabel("converted (%)")
        return not frame.empty
    if view == "time_to_convert":
        hours = frame["seconds"].astype(float) / 3600
        axes.bar(
            hours.tolist(),
            frame["count"].astype(float).tolist(),
            width=max(float(hours.diff().median() or 1) * 0.8, 0.01),
            align="edge",
        )
        axes.set_xlabel("hours to convert")
        return not frame.empty
    groups = list(frame.groupby(frame["breakdown_value"].fillna(""), sort=False))
    width = 0.8 / max(len(groups), 1)
    for i, (name, part) in enumerate(groups):
        xs = [s - 1 + i * width for s in part["step"].astype(int)]
        bars = axes.bar(
            xs, part["count"].astype(float).tolist(), width=width, label=str(name) or None
        )
        for bar, rate in zip(bars, part["conversion_rate"], strict=True):
            text = "" if rate is None or rate != rate else f"{float(rate):.0%}"
            axes.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    steps = frame.drop_duplicates("step")
    axes.set_xticks([s - 1 + 0.4 - width / 2 for s in steps["step"].astype(int)])
    axes.set_xticklabels(
        [f"{s}. {n}" for s, n in zip(steps["step"], steps["step_name"], strict=True)], fontsize=8
    )
    if len(groups) > 1:
        axes.legend(fontsize=8, ncol=2)
    return True


def lifecycle_chart(axes: Any, frame: pd.DataFrame, query: dict[str, Any]) -> bool:
    """Stacked bars per bucket: new, returning and resurrecting above the axis, dormant below."""
    table = frame.pivot_table(
        index="date", columns="status", values="value", aggfunc="sum", sort=False
    )
    days = [d.tz_localize(None) for d in table.index]
    above = [0.0] * len(days)
    for status, colour in _STATUS_COLOURS.items():
        if status not in table.columns:
            continue
        values = table[status].fillna(0).astype(float).tolist()
        bottom = [0.0] * len(days) if status == "dormant" else above
        axes.bar(days, values, bottom=bottom, color=colour, label=status)
        if status != "dormant":
            above = [a + v for a, v in zip(above, values, strict=True)]
    axes.axhline(0, color="#999", linewidth=0.8)
    axes.legend(fontsize=8, ncol=4)
    return bool(days)


def stickiness_chart(axes: Any, frame: pd.DataFrame, query: dict[str, Any]) -> bool:
    """Bars: people by the number of intervals they were active in."""
    groups = list(frame.groupby(["series_index", "series"], sort=False))
    width = 0.8 / max(len(groups), 1)
    for i, ((_, name), part) in enumerate(groups):
        xs = [n + i * width for n in part["interval"].astype(int)]
        axes.bar(xs, part["value"].astype(float).tolist(), width=width, label=str(name))
    axes.set_xlabel(f"{query.get('interval') or 'day'}s active")
    if len(groups) > 1:
        axes.legend(fontsize=8)
    return not frame.empty


Drawing = Callable[[Any, "pd.DataFrame", dict[str, Any]], bool]
Html = Callable[["pd.DataFrame", dict[str, Any]], str]


def retention_view(frame: pd.DataFrame, query: dict[str, Any]) -> str:
    """The triangle: a row per cohort, a column per interval, cells shaded by retention."""
    if frame.empty:
        return ""
    intervals = sorted(int(i) for i in frame["interval"].unique())
    head = "".join(f"<th style='{_CELL}'>{i}</th>" for i in intervals)
    rows = []
    for cohort, part in frame.groupby("cohort", sort=True):
        size = part["cohort_size"].iloc[0]
        cells = []
        for interval in intervals:
            found = part[part["interval"] == interval]
            if found.empty:
                cells.append(f"<td style='{_CELL}'></td>")
                continue
            rate = found["retention_rate"].iloc[0]
            share = 0.0 if rate is None or rate != rate else float(rate)
            colour = f"rgba(29,74,255,{0.1 + 0.8 * share:.2f})"
            ink = "#fff" if share > 0.5 else "#000"
            cells.append(f"<td style='{_CELL};background:{colour};color:{ink}'>{share:.1%}</td>")
        label = escape(f"{cohort:%Y-%m-%d}")
        first = f"<th style='{_CELL};text-align:left'>{label}</th>"
        rows.append(f"<tr>{first}<td style='{_CELL}'>{escape(size)}</td>{''.join(cells)}</tr>")
    heading = f"<tr><th style='{_CELL}'>cohort</th><th style='{_CELL}'>people</th>{head}</tr>"
    return f"<table class='envnb-retention' style='{_TABLE}'>{heading}{''.join(rows)}</table>"


def paths_view(frame: pd.DataFrame, query: dict[str, Any]) -> str:
    """The 15 most taken links, ranked, with a bar for their share of the top one."""
    top = frame.head(15)
    if top.empty:
        return ""
    most = float(top["value"].max()) or 1.0
    rows = []
    for rank, link in enumerate(top.to_dict("records"), start=1):
        share = float(link["value"]) / most
        bar = f"<div style='background:#1d4aff;height:8px;width:{share * 120:.0f}px'></div>"
        cells = [
            str(rank),
            escape(link["source"]),
            "→",
            escape(link["target"]),
            escape(link["value"]),
            bar,
        ]
        rows.append("<tr>" + "".join(f"<td style='{_CELL}'>{c}</td>" for c in cells) + "</tr>")
    return f"<table class='envnb-paths' style='{_TABLE}'>{''.join(rows)}</table>"
