"""Responsive layout pieces shared by the panels, built from ipywidgets Layouts only.

A row is a wrapping flex line of *groups*; each group is a CSS grid with fixed tracks.
Every group has a fixed flex basis, so at a given panel width every row of a panel wraps
at the same points (one row height per width), and the grids keep the columns of
successive rows aligned. Wide panels show a row on one line; narrower ones put the
groups on two or three lines instead of squeezing, cutting or overlapping them. Nothing
here needs a stylesheet (an ``HTML`` widget with ``<style>`` would be global and is not
portable to every front end).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as W

# Widget text wraps inside its box (long names, hostile unbroken strings) instead of
# running under the next column.
WRAP = "overflow-wrap:anywhere;word-break:break-word;line-height:1.35"
GAP = "0.25em 0.6em"


def group(children: Sequence[W.Widget], columns: str, basis: str, *, grow: int = 0) -> W.GridBox:
    """A grid of ``children`` with fixed ``columns`` tracks, a flex item of basis ``basis``.

    ``grow`` > 0 lets the group take the row's spare width (its ``fr`` tracks widen).
    """
    return W.GridBox(
        list(children),
        layout=W.Layout(
            grid_template_columns=columns,
            grid_gap=GAP,
            align_items="center",
            flex=f"{grow} 1 {basis}",
            min_width="0",
            max_width="100%",
            overflow="visible",
            margin="0",
        ),
    )


def wrap_row(groups: Sequence[W.Widget], *, min_height: str = "2.3em") -> W.HBox:
    """Groups side by side, wrapping onto further lines when the panel is too narrow."""
    return W.HBox(
        list(groups),
        layout=W.Layout(
            flex_flow="row wrap",
            align_items="center",
            grid_gap=GAP,
            min_height=min_height,
            width="100%",
            overflow="visible",
        ),
    )


def cell(widget: W.Widget) -> W.Widget:
    """Let ``widget`` fill its grid cell without pushing the track wider."""
    with widget.layout.hold_sync():  # one widget message, not three
        widget.layout.width = "auto"
        widget.layout.min_width = "0"
        widget.layout.margin = "0"
    return widget


def shown(widget: W.HTML, html: str) -> None:
    """Set an HTML widget's value and hide it while empty (no blank line in the panel)."""
    widget.value = html
    widget.layout.display = "" if html else "none"
