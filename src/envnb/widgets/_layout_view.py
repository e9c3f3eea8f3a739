"""The structured view of a profile layout: panels in order, with titles, as PostHog shows them.

The view owns no state of its own: the editor hands it a ``ProfileLayout`` to show, and
every action (add, remove, move, rename, reset) mutates that layout and calls
``on_change(layout)``, after which the editor writes the layout back into its JSON text and
shows it again. So the JSON view and this one always edit the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W

from ..profile_configs.layout import ProfileLayout, spec_for
from ..render import escape, isolate
from ._layout import cell
from ._transcript import note_html

_SMALL = "font-size:0.85em;color:#555;overflow-wrap:anywhere"
_UNKNOWN = "font-size:0.8em;background:#fff3cd;color:#7a5b00;padding:0 4px;border-radius:3px"
_ROW_COLUMNS = "1.8em minmax(6em, 1.2fr) minmax(6em, 1fr) 2.4em 2.4em 2.4em"


def _row_layout() -> W.Layout:
    # One Layout per row: a Layout is a widget of its own, closed with its row.
    return W.Layout(
        display="grid",
        grid_template_columns=_ROW_COLUMNS,
        grid_gap="2px 6px",
        align_items="center",
        width="100%",
        margin="1px 0",
    )


def _icon_button(icon: str, tooltip: str) -> W.Button:
    button = W.Button(icon=icon, tooltip=tooltip)
    button.layout.padding = "0"
    return cell(button)


def _text_button(description: str, icon: str = "") -> W.Button:
    # width auto: a Button's default fixed width cuts a longer description.
    return W.Button(description=description, icon=icon, layout=W.Layout(width="auto"))


class PanelRow:
    """One panel shown: position, editable title, type and notes, up/down/remove buttons.

    A row belongs to a position, not to a panel: every edit shows the layout again by
    filling the rows in place (``fill``). Rebuilding them sent ~40 widget messages per row
    per keystroke in the JSON view, bursts past the IOPub high-water mark (ZeroMQ then
    drops messages and widgets fail to show).
    """

    def __init__(self, view: LayoutView, position: int) -> None:
        """Build the row's widgets for the panel at ``position`` (``fill`` shows a panel)."""
        self.position = position
        self.type = ""
        self.unknown = False
        self.only_when: str | None = None
        self._filling = False
        self.title = cell(W.Text(continuous_update=False))
        self.info = cell(W.HTML())
        self.up_button = _icon_button("arrow-up", "Move up")
        self.down_button = _icon_button("arrow-down", "Move down")
        self.remove_button = _icon_button("trash", "Remove this panel")
        self.up_button.on_click(lambda _b: view.move(position, -1))
        self.down_button.on_click(lambda _b: view.move(position, +1))
        self.remove_button.on_click(lambda _b: view.remove(position))
        self.title.observe(
            lambda c: None if self._filling else view.rename(position, c["new"]), names="value"
        )
        self.widget = W.Box(
            [
                cell(W.HTML(f"<b>{position + 1}</b>")),
                self.title,
                self.info,
                self.up_button,
                self.down_button,
                self.remove_button,
            ],
            layout=_row_layout(),
        )
        self.widget.add_class("envnb-panel-row")

    def fill(self, scope: str, raw_title: str | None, panel_type: str) -> None:
        """Show the panel of type ``panel_type`` titled ``raw_title`` (None: untitled)."""
        spec = spec_for(scope, panel_type)
        self.type = panel_type
        self.unknown = spec is None
        self.only_when = spec.only_when if spec is not None else None
        self._filling = True  # showing the layout's own title is not a rename
        try:
            with self.title.hold_sync():
                self.title.placeholder = spec.title if spec is not None else "(no title)"
                self.title.value = raw_title or ""
        finally:
            self._filling = False
        notes = [f"<code>{isolate(panel_type or '(no type)')}</code>"]
        if self.unknown:
            notes.append(
                f"<span style='{_UNKNOWN}'>unknown type: kept as is, PostHog may not show it</span>"
            )
        elif self.only_when:
            notes.append(f"shown {escape(self.only_when)}")
        self.info.value = f"<span style='{_SMALL}'>{' · '.join(notes)}</span>"

    def close(self) -> None:
        """Close the row's widgets (a row past the layout's last panel)."""
        for w in self.widget.children:
            for part in (w.layout, getattr(w, "style", None)):
                if part is not None:
                    part.close()
            w.close()
        self.widget.layout.close()
        self.widget.close()


class LayoutView:
    """Panels of the layout being edited, plus add-from-catalog and reset-to-defaults."""

    def __init__(
        self,
        on_change: Callable[[ProfileLayout], None],
        on_open: Callable[[str], None],
    ) -> None:
        """``on_change(layout)`` after every edit; ``on_open(id)`` opens another config."""
        self._on_change = on_change
        self._on_open = on_open
        self.layout: ProfileLayout | None = None
        self.rows: list[PanelRow] = []
        self.open_target: str | None = None
        self.warning_html = W.HTML()
        self.open_first_button = _text_button("Open the config PostHog shows")
        self.open_first_button.layout.display = "none"
        self.open_first_button.on_click(lambda _b: self._open())
        self.rows_box = W.VBox(layout=W.Layout(width="100%"))
        self.empty_html = W.HTML(f"<span style='{_SMALL}'>No panels.</span>")
        self.add_picker = W.Dropdown(options=[], layout=W.Layout(width="auto", min_width="0"))
        self.add_button = _text_button("Add panel", "plus")
        self.add_button.on_click(lambda _b: self.add(self.add_picker.value))
        self.reset_button = _text_button("Reset to PostHog's defaults", "undo")
        self.reset_button.on_click(lambda _b: self.reset())
        self.sidebar_html = W.HTML()
        wrap = W.Layout(display="flex", flex_flow="row wrap", align_items="center", width="100%")
        self.widget = W.VBox(
            [
                self.warning_html,
                self.open_first_button,
                self.rows_box,
                W.Box([self.add_picker, self.add_button, self.reset_button], layout=wrap),
                self.sidebar_html,
            ],
            layout=W.Layout(width="100%"),
        )

    # ---- showing -----------------------------------------------------------------------

    def show(
        self,
        layout: ProfileLayout | None,
        *,
        problem: str = "",
        notes: list[str] | None = None,
        open_target: str | None = None,
    ) -> None:
        """Show ``layout`` (None: the JSON is invalid, ``problem`` says why)."""
        self.layout = layout
        self.open_target = open_target
        self.open_first_button.layout.display = "" if open_target else "none"
        warnings = [note_html(problem, error=True)] if problem else []
        warnings += [note_html(n, error=True) for n in notes or []]
        if layout is not None and not layout.content_shape_ok:
            warnings.append(
                note_html(
                    "content is not a list of panels: PostHog stores it but shows none of "
                    "it. Reset to PostHog's defaults, or edit it in the JSON view.",
                    error=True,
                )
            )
        if layout is not None and layout.unknown():
            kinds = ", ".join(sorted({p.type or "(no type)" for p in layout.unknown()}))
            warnings.append(
                note_html(f"Unknown panel types (kept as they are): {kinds}.", error=False)
            )
        self.warning_html.value = "".join(warnings)
        editable = layout is not None and layout.content_shape_ok
        panels = layout.panels if layout is not None and editable else []
        while len(self.rows) > len(panels):
            self.rows.pop().close()
        self.rows += [PanelRow(self, i) for i in range(len(self.rows), len(panels))]
        for row, panel in zip(self.rows, panels, strict=True):
            row.fill(layout.scope if layout is not None else "", panel.title, panel.type)
        children = [r.widget for r in self.rows] or [self.empty_html]
        if list(self.rows_box.children) != children:
            self.rows_box.children = children
        addable = layout.addable() if layout is not None and editable else []
        self.add_picker.options = [(f"{s.title} ({s.type})", s.type) for s in addable]
        self.add_button.disabled = self.add_picker.disabled = not addable
        self.reset_button.disabled = layout is None
        self.sidebar_html.value = self._sidebar_text(layout)

    @staticmethod
    def _sidebar_text(layout: ProfileLayout | None) -> str:
        if layout is None:
            return ""
        if layout.sidebar_foreign is not None:
            body = "not a list of sections: PostHog shows none of it"
        else:
            body = " · ".join(isolate(s.title or s.type or "?") for s in layout.sidebar) or "none"
        return f"<span style='{_SMALL}'><b>Sidebar</b> (edit in the JSON view): {body}</span>"

    # ---- actions -----------------------------------------------------------------------

    def add(self, panel_type: Any) -> None:
        """Append a catalog panel of the scope."""
        if self.layout is None or not panel_type:
            return
        self.layout.add(str(panel_type))
        self._on_change(self.layout)

    def remove(self, position: int) -> None:
        """Remove the panel at ``position``."""
        if self.layout is not None:
            self.layout.remove(position)
            self._on_change(self.layout)

    def move(self, position: int, delta: int) -> None:
        """Move the panel at ``position`` up (-1) or down (+1)."""
        if self.layout is not None:
            self.layout.move(position, delta)
            self._on_change(self.layout)

    def rename(self, position: int, title: str) -> None:
        """Retitle the panel at ``position``."""
        if self.layout is not None and self.layout.panels[position].title != title:
            self.layout.rename(position, title)
            self._on_change(self.layout)

    def reset(self) -> None:
        """Replace the panels and sidebar with PostHog's defaults for the scope."""
        if self.layout is not None:
            self.layout.reset()
            self._on_change(self.layout)

    def _open(self) -> None:
        if self.open_target:
            self._on_open(self.open_target)
