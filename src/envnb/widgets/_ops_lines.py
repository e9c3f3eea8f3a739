"""The widget lines of export operations: one per run (with its Cancel/Retry button) and one
progress bar per backfill. Every server string is escaped or isolated.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import ipywidgets as W

from ..batch_exports.ops_models import status_group
from ..render import escape, isolate
from ._layout import wrap_row
from ._ops_view import span_text, when_text

_PILL = "color:#fff;padding:0 5px;border-radius:7px;background:"
_GROUP_COLOR = {"completed": "#2e7d32", "failed": "#c62828", "running": "#1565c0"}

RunAction = Callable[[Mapping[str, Any]], None]


def run_line(
    run: Mapping[str, Any], busy: Collection[str], *, on_cancel: RunAction, on_retry: RunAction
) -> W.Widget:
    """One run: its span, status pill and facts, and Cancel (running) or Retry (ended).

    A button is disabled while its action (``"cancel"``/``"retry"``) is in ``busy``.
    """
    group = str(run.get("status_group") or status_group(run.get("status")).value)
    color = _GROUP_COLOR.get(group, "#9e9e9e")
    records = run.get("records_completed")
    took = run.get("duration_s")
    facts = " · ".join(
        p
        for p in (
            f"{records} records" if records is not None else "",
            f"{took:.0f} s" if isinstance(took, float) else "",
            "backfill" if run.get("backfill") else "",
        )
        if p
    )
    cells: list[W.Widget] = [
        W.HTML(f"{escape(span_text(run))}"),
        W.HTML(f'<span style="{_PILL}{color}">{isolate(str(run.get("status")))}</span>'),
        W.HTML(escape(facts)),
    ]
    if group == "running":
        button = W.Button(description="Cancel", disabled="cancel" in busy)
        button.on_click(lambda _b, r=run: on_cancel(r))
        cells.append(button)
    elif group in ("failed", "cancelled", "completed"):
        button = W.Button(description="Retry", disabled="retry" in busy)
        button.on_click(lambda _b, r=run: on_retry(r))
        cells.append(button)
    return wrap_row(cells, min_height="1.8em")


def progress_lines(backfills: Iterable[Mapping[str, Any]]) -> list[W.Widget]:
    """One progress bar per backfill: finished/total runs, or full once it is Completed."""
    lines = []
    for b in backfills:
        progress = b.get("progress") if isinstance(b.get("progress"), Mapping) else None
        done = progress.get("finished_runs") if progress else None
        total = progress.get("total_runs") if progress else None
        value = (
            (done / total)
            if done is not None and total
            else (1.0 if b.get("status") == "Completed" else 0.0)
        )
        label = (
            f"{escape(str(b.get('status')))} · {when_text(b.get('start_at'))} → "
            f"{when_text(b.get('end_at'))}" + (f" · {done}/{total} runs" if total else "")
        )
        bar = W.FloatProgress(value=value, min=0.0, max=1.0, layout=W.Layout(width="12em"))
        lines.append(wrap_row([bar, W.HTML(label)], min_height="1.6em"))
    return lines
