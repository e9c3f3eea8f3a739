"""HTML of the export-operations parts of ExportPanel (pure: records in, escaped HTML out).

The runs strip shows one mark per interval of the export's schedule, newest on the right,
coloured by the status group of the interval's best run (a completed run wins over a failed
attempt at the same interval); an interval without any run is a hollow mark, so a gap is
visible at a glance. Every server string is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..batch_exports.health import STEPS, expected_intervals, instant
from ..batch_exports.ops_models import status_group
from ..render import escape

if TYPE_CHECKING:
    import pandas as pd

COLORS = {
    "completed": "#2e7d32",
    "empty": "#a5d6a7",  # completed without records
    "failed": "#c62828",
    "running": "#1565c0",
    "cancelled": "#9e9e9e",
    "other": "#6a1b9a",
}
_RANK = {"completed": 4, "running": 3, "failed": 2, "cancelled": 1, "other": 0}
MARKS = {"hour": 48, "day": 30, "week": 12, "every 5 minutes": 48, "every 15 minutes": 48}
_MARK = "display:inline-block;width:7px;height:16px;margin-right:1px;border-radius:1px;"


def _mark(kind: str, title: str) -> str:
    if kind == "gap":
        style = _MARK + "box-sizing:border-box;border:1px dashed #c62828;background:transparent"
    else:
        style = _MARK + f"background:{COLORS[kind]}"
    return f'<span class="envnb-run-mark envnb-run-{kind}" style="{style}" title="{title}"></span>'


def strip_marks(
    interval: str,
    runs: Iterable[Mapping[str, Any]],
    now: datetime,
    count: int | None = None,
    since: datetime | None = None,
    schedule: Mapping[str, Any] | None = None,
) -> list[tuple[datetime, datetime, str, Mapping[str, Any] | None]]:
    """The last ``count`` intervals ending by ``now``: (start, end, kind, best run or None).

    ``kind`` is a status group, ``"empty"`` (completed, 0 records) or ``"gap"`` (no run).
    With ``since`` (the ``after`` that ``runs`` were read with: runs created since then),
    intervals ending before it are left out: their runs were not read, so no run there is
    not a gap (a run is created when its interval ends, so one ending later was read).
    ``schedule`` (the export: ``offset_day``, ``offset_hour``, ``timezone``) places day and
    week intervals where the export's runs are, as ``health()`` does.
    """
    step = STEPS.get(interval)
    if step is None:
        return []
    count = count or MARKS.get(interval, 30)
    sched = schedule or {}
    slots = expected_intervals(
        interval,
        now - step * (count + 1),
        now,
        offset_day=sched.get("offset_day"),
        offset_hour=sched.get("offset_hour"),
        timezone=sched.get("timezone"),
    )[-count:]
    if since is not None:
        slots = [(start, end) for start, end in slots if end >= since]
    best: dict[datetime, tuple[int, datetime, Mapping[str, Any]]] = {}
    for run in runs:
        end = instant(run.get("data_interval_end"))
        if end is None:
            continue
        group = status_group(run.get("status")).value
        rank = (_RANK.get(group, 0), instant(run.get("created_at")) or end)
        if end not in best or (best[end][0], best[end][1]) < rank:
            best[end] = (rank[0], rank[1], run)
    out: list[tuple[datetime, datetime, str, Mapping[str, Any] | None]] = []
    for start, end in slots:
        found = best.get(end)
        if found is None:
            out.append((start, end, "gap", None))
            continue
        run = found[2]
        kind = status_group(run.get("status")).value
        if kind == "completed" and run.get("records_completed") == 0:
            kind = "empty"
        out.append((start, end, kind, run))
    return out


def strip_html(
    interval: str,
    runs: Iterable[Mapping[str, Any]],
    now: datetime,
    count: int | None = None,
    since: datetime | None = None,
    schedule: Mapping[str, Any] | None = None,
) -> str:
    """The runs strip as HTML (hover a mark for its interval, status and records); ``since``
    as in :func:`strip_marks`."""
    marks = []
    for start, end, kind, run in strip_marks(interval, runs, now, count, since, schedule):
        span = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
        if run is None:
            title = f"{span}: no run"
        else:
            records = run.get("records_completed")
            extra = f", {records} records" if records is not None else ""
            title = f"{span}: {run.get('status')}{extra}"
        marks.append(_mark(kind, escape(title)))
    return f'<div class="envnb-runs-strip" style="line-height:0">{"".join(marks)}</div>'


def health_html(row: Mapping[str, Any]) -> str:
    """One export's health figures on one line (see ``envnb.batch_exports.health``)."""
    parts = [f"<b>{escape(row.get('status') or '')}</b>"]
    rate = row.get("failure_rate")
    if rate is not None and rate == rate:
        parts.append(f"failure rate {rate:.0%}")
    for key, label in (
        ("consecutive_failures", "consecutive failures"),
        ("missing_intervals", "missing intervals"),
        ("zero_record_runs", "runs without records"),
        ("running_runs", "running"),
    ):
        value = row.get(key)
        if value:
            parts.append(f"{int(value)} {label}")
    progress = row.get("backfill_progress")
    if row.get("open_backfills"):
        done = f" ({progress:.0%})" if progress is not None and progress == progress else ""
        parts.append(f"{int(row['open_backfills'])} backfill(s) running{done}")
    if row.get("paused_by_system_likely"):
        parts.append("paused by PostHog after failures (likely)")
    return f'<div class="envnb-health">{" · ".join(parts)}</div>'


def error_html(message: str | None, when: Any = None) -> str:
    """The last error in full (pre-wrapped, escaped), with when it happened."""
    if not message:
        return ""
    at = instant(when)
    head = f"Last error ({at:%Y-%m-%d %H:%M} UTC)" if at else "Last error"
    return (
        f'<div class="envnb-last-error"><b>{head}</b>'
        f'<pre style="white-space:pre-wrap;margin:2px 0;color:#b00020">{escape(message)}</pre>'
        "</div>"
    )


def logs_html(entries: Iterable[Mapping[str, Any]]) -> str:
    """Log entries as a small table, newest first (messages escaped)."""
    rows = []
    colors = {"ERROR": "#b00020", "WARN": "#b26a00"}
    for e in entries:
        at = instant(e.get("timestamp"))
        level = str(e.get("level") or "")
        color = colors.get(level, "inherit")
        rows.append(
            f"<tr><td style='white-space:nowrap'>{at:%m-%d %H:%M:%S}</td>"
            f"<td style='color:{color}'>{escape(level)}</td>"
            f"<td style='white-space:pre-wrap'>{escape(str(e.get('message') or ''))}</td></tr>"
            if at
            else f"<tr><td></td><td>{escape(level)}</td>"
            f"<td>{escape(str(e.get('message') or ''))}</td></tr>"
        )
    if not rows:
        return "<i>No log entries.</i>"
    return (
        '<table class="envnb-logs" style="font-size:0.85em;border-collapse:collapse">'
        + "".join(rows)
        + "</table>"
    )


def records_of(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Frame rows as dicts with None for missing values (NA/NaT do not compare)."""
    if df.empty:
        return []
    clean = df.astype(object).where(df.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in clean.to_dict("records")]


def as_api(run: Mapping[str, Any]) -> dict[str, Any]:
    """A runs-frame row with the API's field names (the pure helpers read those)."""
    return {**run, "batch_export": run.get("export_id")}


def backfill_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A backfills-frame row in the API's shape (``progress`` nested)."""
    progress = None
    if row.get("total_runs") is not None:
        progress = {"total_runs": row.get("total_runs"), "finished_runs": row.get("finished_runs"),
                    "progress": row.get("progress")}  # fmt: skip
    return {**row, "batch_export": row.get("export_id"), "progress": progress}


def when_text(value: Any) -> str:
    at = instant(value)
    return f"{at:%Y-%m-%d %H:%M}" if at else "—"


def span_text(run: Mapping[str, Any]) -> str:
    return (
        f"{when_text(run.get('data_interval_start'))}–{when_text(run.get('data_interval_end'))} UTC"
    )
