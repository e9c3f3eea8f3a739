"""ExportPanel: one row per batch export — pause / resume (with backfill), destination tests.

Each row owns its buttons and its error line, so an error shows next to the export that
caused it. A row is ``busy`` while its call is in flight: its buttons are disabled and a
second click is ignored, so two conflicting calls are never sent (the row's ``Actions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import ipywidgets as W

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ..projects.fleet import Fleet

from ..batch_exports.destinations import DESTINATIONS
from ..batch_exports.models import TESTABLE_TYPES
from ..errors import EnvnbError, NotFoundError, PermissionDeniedError, RequestValidationError
from ..render import escape, isolate
from ._base import Actions, Panel, loop_running, utc_minutes
from ._export_ops import ExportOps
from ._export_overview import load_overview
from ._layout import WRAP, cell, group, shown, wrap_row
from ._steps import FAILED, PASSED, RUNNING, SKIPPED, StepRun
from ._transcript import note_html

_PILL = "color:#fff;padding:1px 6px;border-radius:8px;background:"
_BADGE = {
    True: f'<span style="{_PILL}#f0ad4e">Paused</span>',
    False: f'<span style="{_PILL}#5cb85c">Active</span>',
}
_STEP_ICON = {"pending": "○", RUNNING: "◔", PASSED: "✔", FAILED: "✘", SKIPPED: "–"}
BACKFILL_HELP = (
    "Also backfill: re-export the data for the window the export was paused "
    "(from the pause time until now)."
)


# Column tracks of the three groups a row (and the header) is made of. Fixed tracks keep
# the columns of successive rows aligned; the name/destination group takes the spare width.
_IDENTITY = ("minmax(0, 1fr) 13.5em", "25em")
_STATE = ("5.5em 11.5em", "17.6em")
_ACTIONS = ("6.5em 15.5em 10em", "33.2em")


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def columns(identity: list[W.Widget], state: list[W.Widget], actions: list[W.Widget]) -> W.HBox:
    """One row's groups; at any width every row (and the header) wraps at the same points."""
    return wrap_row(
        [
            group(identity, _IDENTITY[0], _IDENTITY[1], grow=1),
            group(state, *_STATE),
            group(actions, *_ACTIONS),
        ]
    )


def no_test_reason(destination_type: str) -> str:
    """Why a destination type has no test to run, or "" when it has one."""
    if destination_type in TESTABLE_TYPES:
        return ""
    # Known means an entry of DESTINATIONS (no second list of types to keep up to date).
    if destination_type in {str(t) for t in DESTINATIONS}:
        return f"{destination_type} destinations have no test."
    return f"{destination_type} destinations have no test this version of envnb knows how to run."


class ExportRow:
    """One export's widgets and state: ``paused``, ``error``, ``status``, ``steps``..."""

    def __init__(self, panel: ExportPanel, export: Any) -> None:
        """Build the row's widgets for ``export``."""
        self._panel = panel
        self.error = ""
        self.status = ""
        self.steps: StepRun | None = None
        self.test_message = ""
        self.name_html = cell(W.HTML())
        self.info_html = cell(W.HTML())
        self.badge_html = cell(W.HTML())
        self.paused_html = cell(W.HTML())
        self.toggle_button = cell(W.Button())
        self.backfill = cell(
            W.Checkbox(value=False, description="backfill the paused window", indent=False)
        )
        self.backfill.tooltip = BACKFILL_HELP
        self.backfill_help = W.HTML()
        self.test_button = cell(W.Button(description="Test destination"))
        self.message_html = W.HTML()
        self.steps_html = W.HTML()
        # One call at a time per row: any of them holds all of the row's inputs.
        self.actions = Actions(panel, show=self._show_outcome, on_change=self._render)
        self._inputs = (self.toggle_button, self.test_button, self.backfill)
        self.toggle_button.on_click(lambda _b: self.toggle())
        self.test_button.on_click(lambda _b: self.test())
        self.backfill.observe(lambda _c: self._render(), names="value")
        line = columns(
            [self.name_html, self.info_html],
            [self.badge_html, self.paused_html],
            [self.toggle_button, self.backfill, self.test_button],
        )
        line.add_class("envnb-export-row")
        self.widget = W.VBox(
            [
                line,
                self.backfill_help,
                self.message_html,
                self.steps_html,
            ],
            layout=W.Layout(border_bottom="1px solid #8882", padding="2px 0"),
        )
        self.update(export)
        self.ops = ExportOps(self)  # runs strip, health and details (reads the export)
        self.widget.children = (*self.widget.children, self.ops.widget)

    # ---- state -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while one of the row's calls is in flight."""
        return bool(self.actions)

    def update(self, export: Any) -> None:
        """Show ``export`` as the server returned it."""
        self.export = export
        self.id: str = export.id
        self.name: str = export.name
        self.destination_type = _text(export.destination.type)
        self.interval = _text(export.interval)
        self.model = _text(export.model) or "events"
        self.paused: bool = bool(export.paused)
        self.last_paused_at = export.last_paused_at
        self._render()

    def _render(self) -> None:
        self.name_html.value = f'<div style="{WRAP}"><b>{isolate(self.name)}</b></div>'
        info = " · ".join(isolate(p) for p in (self.destination_type, self.interval, self.model))
        self.info_html.value = f'<div style="{WRAP}">{info}</div>'
        self.badge_html.value = _BADGE[self.paused]
        when = utc_minutes(self.last_paused_at) or "—"
        self.paused_html.value = f'<span title="last paused">{escape(when)}</span>'
        self.toggle_button.description = "Resume" if self.paused else "Pause"
        no_test = no_test_reason(self.destination_type)
        if not self.actions.holds(self.test_button):  # else the call puts it back
            self.test_button.disabled = bool(no_test)
        self.test_button.tooltip = no_test or "Run the destination's test steps, one by one"
        self.backfill.layout.visibility = "visible" if self.paused else "hidden"
        shown(
            self.backfill_help,
            note_html(BACKFILL_HELP) if self.paused and self.backfill.value else "",
        )
        if self.error:
            shown(self.message_html, note_html(self.error, error=True))
        else:
            shown(self.message_html, note_html(self.status))
        shown(self.steps_html, self._steps_html())

    def static_row(self) -> str:
        """This row as a table row for the panel's static rendering (all text escaped)."""
        notes = [self.error or self.status, self.test_message]
        if self.steps is not None:
            notes += [
                f"{i}. {s.name}: {s.status}" + (f" — {s.message}" if s.message else "")
                for i, s in enumerate(self.steps.steps, 1)
            ]
        cells = [
            f"<strong>{isolate(self.name)}</strong>",
            " · ".join(isolate(p) for p in (self.destination_type, self.interval, self.model)),
            "Paused" if self.paused else "Active",
            escape(utc_minutes(self.last_paused_at)),
            "<br>".join(escape(n) for n in notes if n),
        ]
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    def _steps_html(self) -> str:
        if self.steps is None:
            return note_html(self.test_message) if self.test_message else ""
        lines = []
        for i, s in enumerate(self.steps.steps, 1):
            msg = f" — {isolate(s.message)}" if s.message else ""
            color = {PASSED: "#2e7d32", FAILED: "#b00020"}.get(s.status, "#777")
            lines.append(
                f'<div style="color:{color}">{_STEP_ICON.get(s.status, "?")} {i}. '
                f"{isolate(s.name)}: <b>{escape(s.status)}</b>{msg}</div>"
            )
        if self.test_message:
            lines.append(note_html(self.test_message))
        return "".join(lines)

    # ---- actions ---------------------------------------------------------------------

    def toggle(self) -> None:
        """Pause an active export, or resume a paused one (with backfill if ticked)."""
        if self.busy:
            return
        self.actions.start(
            "toggle",
            self._toggle(resume=self.paused, backfill=self.backfill.value),
            disable=self._inputs,
            status="Resuming…" if self.paused else "Pausing…",
        )

    def test(self) -> None:
        """Run the destination test's steps in order, with live per-step status."""
        if self.busy:
            return
        self.steps, self.test_message = None, "Fetching the test steps…"
        self.actions.start("test", self._test(), disable=self._inputs, status="")

    def _show_outcome(self, text: str, error: bool) -> None:
        """The row's own line, under its buttons: an error stays beside its export."""
        self.error, self.status = (text, "") if error else ("", text)

    async def _toggle(self, *, resume: bool, backfill: bool) -> None:
        api = self._panel.aclient.batch_exports
        done = "Resumed" if resume else "Paused"
        if resume:
            result = await api.unpause(self.id, backfill=backfill)
        else:
            result = await api.pause(self.id)
        self.paused = bool(result.paused)  # the server's answer, even if the reload fails
        self.backfill.value = False
        if resume and backfill:
            self.status = f"{done}; backfill of the paused window started."
        else:
            self.status = f"{done}."
        try:
            self.update(await api.get(self.id))  # last paused time etc. as the server has them
        except EnvnbError as err:
            self.error = f"{done}, but the row could not be reloaded: {err}"

    async def _test(self) -> None:
        api = self._panel.aclient.batch_exports
        try:
            steps = await api.test_steps(self.destination_type)
        except NotFoundError:
            self.test_message = no_test_reason(self.destination_type) or (
                f"{self.destination_type} destinations have no test."
            )
            return
        except PermissionDeniedError as err:
            self.test_message = ""
            self.error = _scope_message(err)
            return
        except RequestValidationError as err:
            # A type newer than this envnb (the model keeps unknown values): say so plainly
            # instead of the client's "not allowed; allowed values: …" list.
            if err.attr == "destination_type":
                self.test_message = no_test_reason(self.destination_type)
                return
            self.test_message = ""
            raise
        except EnvnbError:
            self.test_message = ""
            raise
        self.steps = StepRun.of([(s.name, s.description or "") for s in steps])
        self.test_message = ""
        while (i := self.steps.next_index()) is not None:
            self.steps.start(i)
            self._render()
            try:
                result = await api.run_test_step(self.id, i)
            except PermissionDeniedError as err:
                self.steps.abort(i, _scope_message(err))
                continue
            except EnvnbError as err:
                self.steps.abort(i, str(err))
                continue
            res = result.result
            if res is None:
                self.steps.finish(i, FAILED, "the server returned no result")
            else:
                self.steps.finish(i, _text(res.status), res.message)
        self.test_message = self.steps.summary


def _title(text: str) -> W.HTML:
    return cell(W.HTML(f'<div style="color:#777;font-size:0.85em;{WRAP}">{escape(text)}</div>'))


def _scope_message(err: PermissionDeniedError) -> str:
    """Say which scope is missing when the server names one (else the server's words)."""
    detail = err.detail or ""
    marker = "missing required scope '"
    if marker in detail:
        scope = detail.split(marker, 1)[1].split("'", 1)[0]
        return (
            f"This API key is missing the scope '{scope}' needed to run destination tests. "
            f"Use a key with '{scope}' (or an unscoped/legacy key). ({err})"
        )
    return str(err)


class ExportPanel(Panel):
    """Batch exports of the project as rows; state for tests: ``rows``, ``status``, ``error``.

    Each row also shows its recent runs (``runs_window``, default the last 7 days) as a
    strip and its health, with details (runs, Retry/Cancel, backfills, logs) on demand;
    open backfills are followed every ``poll_interval`` seconds until they end.
    """

    static_title = "Batch exports"
    runs_window = "-7d"
    poll_interval = 2.0

    def __new__(cls, client: Client | AsyncClient | Fleet) -> ExportPanel:
        """``ExportPanel(fleet)`` is a FleetExportPanel: the exports grouped by project."""
        from ..projects.fleet import Fleet

        if cls is ExportPanel and isinstance(client, Fleet):
            from .fleet_exports import FleetExportPanel

            cls = FleetExportPanel
        return super().__new__(cls)

    def __init__(self, client: Client | AsyncClient | Fleet) -> None:
        """Build the panel and load the exports in the background."""
        # A Fleet never gets here: __new__ made a FleetExportPanel, which has its own.
        super().__init__(cast("Client | AsyncClient", client))
        self.rows: list[ExportRow] = []
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.header = W.HTML("<b>Batch exports</b>")
        self.column_titles = columns(
            [_title("name"), _title("destination · interval · model")],
            [_title("state"), _title("last paused")],
            [],
        )
        self.rows_box = W.VBox()
        self.widget = W.VBox(
            [
                wrap_row([self.refresh_button, self.status_html]),
                self.header,
                self.column_titles,
                self.rows_box,
            ]
        )
        self.widget.add_class("envnb-exports")
        if loop_running():
            self.refresh()
        else:
            self._set_status("Click Refresh to load the exports.")

    def row(self, key: str) -> ExportRow:
        """The row for an export id or name."""
        for r in self.rows:
            if key in (r.id, r.name):
                return r
        raise KeyError(key)

    def refresh(self) -> None:
        """Reload every export from the server."""
        self.actions.start(
            "refresh", self._refresh(), disable=[self.refresh_button], status="Loading…"
        )

    async def _refresh(self) -> None:
        exports = [e async for e in self.aclient.batch_exports.list()]
        self.error = ""
        by_id = {r.id: r for r in self.rows}
        rows = []
        for e in exports:
            row = by_id.get(e.id)
            if row is not None and not row.busy:
                row.update(e)
            rows.append(row or ExportRow(self, e))
        self.rows = rows
        self.rows_box.children = [r.widget for r in rows]
        self._set_status(f"{len(rows)} exports")
        self._spawn(load_overview(self))

    def _static_body(self) -> str:
        head = "".join(
            f"<th>{t}</th>"
            for t in ("name", "destination · interval · model", "state", "last paused", "")
        )
        rows = "".join(r.static_row() for r in self.rows)
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        return f"<p>{escape(self.status)}</p>{table if self.rows else ''}"
