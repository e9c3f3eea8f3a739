"""ExportPanel's operations part: per export a runs strip and health figures, and a details
area with the runs (status filter, Retry / Cancel), the last error in full, a backfill form
with live progress, and the latest logs (level filter, search).

Same rules as the rest of the panel (``Actions``): every call runs as a task on the kernel's
loop, each action has its own busy state (a second click while it runs does nothing), an
error shows beside what caused it, server text is escaped, and nothing typed is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from ..batch_exports.backfill_rules import DATE_INTERVALS, check_window
from ..batch_exports.health import health_row
from ..batch_exports.ops_models import status_group
from ..errors import EnvnbError
from ..render import escape
from ._base import Actions
from ._layout import cell, shown, wrap_row
from ._ops_lines import progress_lines, run_line
from ._ops_view import (
    as_api,
    error_html,
    health_html,
    logs_html,
    records_of,
    span_text,
    strip_html,
)
from ._transcript import note_html

if TYPE_CHECKING:
    from .exports import ExportRow

FILTERS = ("all", "running", "completed", "failed", "cancelled")
LEVELS = ("all", "ERROR", "WARN", "INFO", "DEBUG")
SHOWN_RUNS = 20
# The details area's widgets (ExportOps builds them on first use).
DETAIL_PARTS = frozenset(
    [
        "error_html",
        "filter",
        "runs_box",
        "runs_note",
        "confirm_html",
        "confirm_button",
        "keep_button",
        "confirm_box",
        "start_at",
        "end_at",
        "backfill_button",
        "anyway_button",
        "backfill_note",
        "progress_box",
        "level",
        "search",
        "logs_button",
        "logs_html",
        "details",
    ]
)


class ExportOps:
    """The operations widgets of one export row; state for tests is plain attributes."""

    def __init__(self, row: ExportRow) -> None:
        """Build the summary line of ``row`` (the details area waits for first use)."""
        self.row = row
        self.runs: list[dict[str, Any]] = []
        self.backfills: list[dict[str, Any]] = []
        self.health: dict[str, Any] = {}
        self.logs: list[dict[str, Any]] = []
        self.runs_error = self.backfill_error = self.logs_error = self.run_status = ""
        self.backfill_status = ""
        self.confirm_run: dict[str, Any] | None = None
        self.confirm_window: tuple[str, str] | None = None
        self._watching = False
        self.built = False  # the details area (see _build_details)
        self.watcher: asyncio.Task[Any] | None = None
        self.polls = 0  # backfill reloads the watcher made (state for tests)
        self.strip_html = W.HTML()
        self.health_html = W.HTML()
        self.details_button = cell(W.ToggleButton(description="Details", value=False))
        self.details_button.observe(lambda _c: self._toggle_details(), names="value")
        self.summary = wrap_row([self.strip_html, self.health_html, self.details_button])
        self.widget = W.VBox([self.summary])
        # Actions "retry", "cancel", "backfill", "logs": each shows its outcome on its own line.
        self.actions = Actions(row._panel, show=self._runs_line, on_change=self._render)
        self._render()

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: a part of the details area, which is built
        # on first use (opening Details, or code touching one of its widgets).
        if name in DETAIL_PARTS and not self.__dict__.get("built"):
            self._build_details()
            return getattr(self, name)
        raise AttributeError(name)

    def _build_details(self) -> None:
        """The details area: ~30 widgets (~80 widget models) per row, so built only when
        wanted. Built for every row of a project at once, they flood the kernel's IOPub
        channel past ZeroMQ's high-water mark, which then drops messages (widget models
        the panel's rows need) whenever the front end reads late: rows never appear."""
        self.built = True
        row = self.row
        self.error_html = W.HTML()
        self.filter = W.Dropdown(options=FILTERS, value="all", description="status")
        self.filter.observe(lambda _c: self._render_runs(), names="value")
        self.runs_box = W.VBox()
        self.runs_note = W.HTML()
        self.confirm_html = W.HTML()
        self.confirm_button = W.Button(description="Retry now", button_style="warning")
        self.keep_button = W.Button(description="Keep")
        self.confirm_button.on_click(lambda _b: self._retry_confirmed())
        self.keep_button.on_click(lambda _b: self._drop_confirm())
        self.confirm_box = W.VBox(
            [self.confirm_html, wrap_row([self.confirm_button, self.keep_button])]
        )
        date_only = str(row.interval) in DATE_INTERVALS
        hint = "YYYY-MM-DD" if date_only else "YYYY-MM-DDTHH:MM+00:00"
        self.start_at = W.Text(description="from", placeholder=hint)
        self.end_at = W.Text(description="to", placeholder=hint)
        self.backfill_button = W.Button(description="Backfill", icon="history")
        self.backfill_button.on_click(lambda _b: self.create_backfill())
        self.anyway_button = W.Button(description="Backfill anyway", button_style="warning")
        self.anyway_button.on_click(lambda _b: self.create_backfill(confirmed=True))
        self.backfill_note = W.HTML()
        self.progress_box = W.VBox()
        self.level = W.Dropdown(options=LEVELS, value="all", description="level")
        self.search = W.Text(description="search", placeholder="text in the message")
        self.logs_button = W.Button(description="Show logs", icon="list")
        self.logs_button.on_click(lambda _b: self.load_logs())
        self.logs_html = W.HTML()
        self.details = W.VBox(
            [
                self.error_html,
                wrap_row([W.HTML("<b>Runs</b>"), self.filter]),
                self.runs_note,
                self.confirm_box,
                self.runs_box,
                wrap_row(
                    [
                        W.HTML("<b>Backfill</b>"),
                        self.start_at,
                        self.end_at,
                        self.backfill_button,
                        self.anyway_button,
                    ]
                ),
                self.backfill_note,
                self.progress_box,
                wrap_row([W.HTML("<b>Logs</b>"), self.level, self.search, self.logs_button]),
                self.logs_html,
            ],
            layout=W.Layout(display="none", padding="4px 0 4px 1em"),
        )
        self.widget.children = (*self.widget.children, self.details)
        self._render_details()

    # ---- what the panel feeds in ------------------------------------------------------

    @property
    def api(self) -> Any:
        """The async batch exports resource."""
        return self.row._panel.aclient.batch_exports

    def show(
        self,
        runs: list[dict[str, Any]],
        backfills: list[dict[str, Any]],
        since: datetime,
        before_window: list[dict[str, Any]] | None = None,
    ) -> None:
        """New runs and backfills of this export (from the panel's overview load);
        ``before_window``: older runs that only decide whether PostHog paused it."""
        self.runs = runs
        self.backfills = backfills
        now = datetime.now(UTC)
        export = self.row.export.model_dump(mode="json", by_alias=True)
        api_runs = [as_api(r) for r in runs]
        older = [as_api(r) for r in before_window or []]
        self.health = health_row(export, api_runs + older, backfills, now=now, since=since)
        self.strip_html.value = strip_html(
            str(self.row.interval), api_runs, now, since=since, schedule=export
        )
        self._render()
        if self.details_button.value:
            self._watch_open()

    # ---- rendering --------------------------------------------------------------------

    def _render(self) -> None:
        self.health_html.value = health_html(self.health) if self.health else ""
        if self.built:
            self._render_details()

    def _render_details(self) -> None:
        shown(
            self.error_html,
            error_html(self.health.get("last_error"), self.health.get("last_error_at")),
        )
        self._render_runs()
        shown(
            self.backfill_note,
            note_html(self.backfill_error or self.backfill_status, error=bool(self.backfill_error)),
        )
        self.anyway_button.layout.display = "" if self.confirm_window else "none"
        self._render_progress()

    def _render_runs(self) -> None:
        wanted = self.filter.value
        runs = [r for r in self.runs if wanted == "all" or r.get("status_group") == wanted]
        # Each run line is ~20 widget messages: built for every row of a project, they flood
        # the kernel's IOPub channel past ZeroMQ's high-water mark, which drops messages
        # (a cell's "idle", widget models) when the front end reads late. Hidden lines
        # serve no one, so they exist only while the details are open.
        shown_runs = runs[:SHOWN_RUNS] if self.details_button.value else []
        self.runs_box.children = [
            run_line(r, self.actions.busy, on_cancel=self.cancel_run, on_retry=self.ask_retry)
            for r in shown_runs
        ]
        more = f"{len(runs)} runs" + (
            f", newest {SHOWN_RUNS} shown" if len(runs) > SHOWN_RUNS else ""
        )
        note = self.runs_error or self.run_status or more
        shown(self.runs_note, note_html(note, error=bool(self.runs_error)))
        if self.confirm_run is None:
            self.confirm_box.layout.display = "none"
        else:
            self.confirm_box.layout.display = ""
            run = self.confirm_run
            self.confirm_html.value = (
                f"<b>Retry the run of {escape(span_text(run))}?</b> PostHog advises fixing what "
                "made it fail first."
                + (
                    error_html(run.get("latest_error"), run.get("finished_at"))
                    or note_html("It recorded no error.")
                )
            )

    def _render_progress(self) -> None:
        if not self.built:
            return
        self.progress_box.children = progress_lines(self.backfills[:5])

    def _toggle_details(self) -> None:
        self.details.layout.display = "" if self.details_button.value else "none"
        self._render_runs()
        if self.details_button.value:
            self._watch_open()

    def _watch_open(self) -> None:
        """Follow the open backfills while the details are shown (and after a create)."""
        if any(b.get("status") in ("Starting", "Running") for b in self.backfills):
            self._watch()

    # ---- actions ----------------------------------------------------------------------

    def _runs_line(self, text: str, error: bool) -> None:
        self.runs_error, self.run_status = (text, "") if error else ("", text)

    def _backfill_line(self, text: str, error: bool) -> None:
        self.backfill_error, self.backfill_status = (text, "") if error else ("", text)

    def _logs_line(self, text: str, error: bool) -> None:
        self.logs_error = text if error else ""
        shown(self.logs_html, note_html(text, error=error))

    def ask_retry(self, run: Mapping[str, Any]) -> None:
        """Show the run's latest error and ask before retrying (PostHog's advice)."""
        if "retry" in self.actions:
            return
        self.confirm_run, self.runs_error, self.run_status = dict(run), "", ""
        self._render()

    def _drop_confirm(self) -> None:
        self.confirm_run = None
        self._render()

    def _retry_confirmed(self) -> None:
        run = self.confirm_run
        if run is None:
            return
        self.actions.start(
            "retry", self._retry(run), disable=[self.confirm_button], failed="Retry failed: "
        )

    async def _retry(self, run: Mapping[str, Any]) -> None:
        backfill = await self.api.retry_run(self.row.id, run["id"])
        self.confirm_run = None
        self._runs_line(f"Retry started: backfill {backfill} of {span_text(run)}.", False)
        await self._reload_backfills()

    def cancel_run(self, run: Mapping[str, Any]) -> None:
        """Cancel a running run."""
        self.actions.start("cancel", self._cancel(run), failed="Cancel failed: ")

    async def _cancel(self, run: Mapping[str, Any]) -> None:
        await self.api.cancel_run(self.row.id, run["id"])
        fresh = await self.api.get_run(self.row.id, run["id"])
        self._runs_line(f"Run of {span_text(run)} cancelled.", False)
        for r in self.runs:
            if r.get("id") == fresh.id:
                r["status"] = str(getattr(fresh.status, "value", fresh.status))
                r["status_group"] = status_group(r["status"]).value

    def create_backfill(self, *, confirmed: bool = False) -> None:
        """Check the window locally, warn about overlaps, then create the backfill."""
        if "backfill" in self.actions:
            return
        start, end = self.start_at.value.strip(), self.end_at.value.strip()
        try:
            check_window(self.row.export.model_dump(), start, end, datetime.now(UTC))
        except EnvnbError as err:
            self.backfill_error, self.confirm_window = str(err), None
            self._render()
            return
        if confirmed and self.confirm_window != (start, end):
            confirmed = False  # the window changed since the warning: check it again
        self.actions.start(
            "backfill",
            self._create(start, end, confirmed),
            disable=[self.backfill_button, self.anyway_button],
            status="",
            show=self._backfill_line,
        )

    async def _create(self, start: str, end: str, confirmed: bool) -> None:
        if not confirmed:
            notes = await self.api.backfill_overlaps(self.row.export, start, end)
            if notes:
                self.confirm_window = (start, end)
                self.backfill_status = "This would export data twice: " + "; ".join(notes)
                return
        backfill = await self.api.create_backfill(self.row.export, start, end, warn=False)
        self.confirm_window = None
        self.backfill_status = f"Backfill {backfill} started."
        await self._reload_backfills()

    async def _reload_backfills(self) -> None:
        try:
            self.backfills = [
                b.model_dump(mode="json") async for b in self.api.backfills(self.row.id)
            ]
        except EnvnbError as err:
            self.backfill_error = f"Could not reload the backfills: {err}"
            return
        self._render()
        self._watch()

    def _watch(self) -> None:
        if not self._watching:
            self._watching = True
            # A backfill may run for hours: its watcher is not a call the panel waits for
            # (panel.wait()); tests and notebooks that want the end await ``watcher``;
            # panel.close() cancels it.
            self.watcher = self.row._panel._spawn_background(self._poll())

    async def _poll(self) -> None:
        """Reload the backfills every ``poll_interval`` s while one is Starting or Running."""
        try:
            while any(b.get("status") in ("Starting", "Running") for b in self.backfills):
                await asyncio.sleep(self.row._panel.poll_interval)
                try:
                    items = [
                        b.model_dump(mode="json") async for b in self.api.backfills(self.row.id)
                    ]
                except EnvnbError as err:
                    self.backfill_error = f"Could not follow the backfills: {err}"
                    return
                self.backfills = items
                self.polls += 1
                self._render_progress()
        finally:
            self._watching = False
            self._render()

    def load_logs(self) -> None:
        """Load the latest logs with the chosen level and search text."""
        level = None if self.level.value == "all" else self.level.value
        self.actions.start(
            "logs",
            self._logs(level, self.search.value.strip() or None),
            disable=[self.logs_button],
            show=self._logs_line,
        )

    async def _logs(self, level: str | None, search: str | None) -> None:
        df = await self.api.logs_df(self.row.id, level=level, search=search, limit=100)
        self.logs_error = ""
        self.logs = records_of(df)
        shown(self.logs_html, logs_html(self.logs))
