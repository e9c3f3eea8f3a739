"""The widgets and view logic of ProfileConfigEditor (its actions live in profile_configs.py).

Two views edit one state, the JSON text of ``content`` and ``sidebar``: the Panels view
(``LayoutView``) reads the text as a ``ProfileLayout`` and writes it back after each edit;
the JSON view is the text itself, checked as you type (after a pause, for large texts).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from .._core.models import allowed_values
from ..errors import EnvnbError
from ..profile_configs.layout import ProfileLayout, strip_render_fields
from ..profile_configs.models import Scope
from ..render import escape, label
from ._base import Panel, utc_minutes
from ._configdiff import EDITABLE, changed_fields, preview
from ._jsontext import JsonCheck, check_json, dump_json
from ._layout_view import LayoutView
from ._throttle import Debounce
from ._transcript import note_html

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

SCOPES = allowed_values(Scope)
_OK = "color:#2e7d32;font-size:0.85em"
# Texts longer than this are checked after a pause in typing rather than on every
# keystroke: parsing an 11 MB config took ~0.4 s a keystroke.
LARGE_TEXT = 100_000
PANELS, JSON_VIEW = "Panels", "JSON"


def plain_config(config: Any) -> dict[str, Any]:
    """A config as plain JSON values (enums as strings, datetimes as ISO text)."""
    data: dict[str, Any] = config.model_dump(mode="json")
    return data


def shown_ids(rows: list[dict[str, Any]]) -> set[str]:
    """Ids of the configs PostHog's UI shows: the first listed of each scope."""
    return set({r["scope"]: r["id"] for r in reversed(rows)}.values())


def config_label(cfg: dict[str, Any], shown: bool) -> str:
    """A config's label in the list: scope, short id, updated time (UTC), "not shown"."""
    updated = utc_minutes(cfg.get("updated_at") or cfg.get("created_at"))
    hidden = "" if shown else " · not shown"
    return f"{label(cfg['scope'])} · {cfg['id'][:8]} · updated {updated or '—'}{hidden}"


def saved_form(values: dict[str, Any]) -> dict[str, Any]:
    """Editable fields as they would be saved: render-time fields stripped."""
    out = dict(values)
    if "content" in out:
        out["content"] = strip_render_fields(out["content"])
    if "sidebar" in out:
        out["sidebar"] = strip_render_fields(out["sidebar"], sidebar=True)
    return out


class ProfileEditorView(Panel):
    """Widgets, the text/Panels state and its display; no network calls."""

    def __init__(self, client: Client | AsyncClient) -> None:
        """Build the widgets; the subclass wires the actions."""
        super().__init__(client)
        self.rows: list[dict[str, Any]] = []
        self.loaded: dict[str, Any] | None = None  # the server's version being edited
        self.mode = "empty"  # "empty" | "edit" | "new"
        self.dirty = False
        self.errors: dict[str, str] = {}
        self.conflict: dict[str, Any] | None = None  # the server's newer version
        self._quiet = False
        self._checks: dict[str, tuple[str, JsonCheck]] = {}  # field -> (text, its check)
        self._check_later = Debounce(self._on_edit)

        # max-content: the select is as wide as its longest label, so no id is cut.
        self.list_select = W.Select(
            options=[], rows=4, layout=W.Layout(width="max-content", max_width="100%")
        )
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.scope = W.Dropdown(options=list(SCOPES), value="person", description="scope")
        self.content = W.Textarea(layout=W.Layout(width="100%", height="160px"))
        self.sidebar = W.Textarea(layout=W.Layout(width="100%", height="120px"))
        self.scope_feedback = W.HTML()
        self.content_feedback = W.HTML()
        self.sidebar_feedback = W.HTML()
        self.dirty_html = W.HTML()
        self.save_button = W.Button(description="Save", button_style="primary", icon="save")
        self.new_button = W.Button(description="New", icon="plus")
        self.discard_button = W.Button(description="Discard", icon="undo")
        self.delete_button = W.Button(
            description="Delete", icon="trash", tooltip="Delete this config on the server"
        )
        self.conflict_html = W.HTML()
        self.keep_mine_button = W.Button(
            description="Overwrite with mine",
            button_style="warning",
            layout=W.Layout(width="auto"),
        )
        self.take_server_button = W.Button(
            description="Use the server's version", layout=W.Layout(width="auto")
        )
        self.conflict_box = W.VBox(
            [self.conflict_html, W.HBox([self.keep_mine_button, self.take_server_button])]
        )
        self.conflict_box.layout.display = "none"
        self.view = W.ToggleButtons(options=[PANELS, JSON_VIEW], value=PANELS)
        self.layout_view = LayoutView(self._on_layout_change, self._open_shown)
        self.json_box = W.VBox(
            [
                W.HTML("<b>content</b>"),
                self.content,
                self.content_feedback,
                W.HTML("<b>sidebar</b>"),
                self.sidebar,
                self.sidebar_feedback,
            ],
            layout=W.Layout(width="100%", display="none"),
        )
        self.view.observe(lambda _c: self._show_view(), names="value")

        for name, w in (
            ("scope", self.scope),
            ("content", self.content),
            ("sidebar", self.sidebar),
        ):
            w.observe(lambda _c, name=name: self._on_field_edit(name), names="value")

        self.fields = {"scope": self.scope, "content": self.content, "sidebar": self.sidebar}
        self.feedback = {
            "scope": self.scope_feedback,
            "content": self.content_feedback,
            "sidebar": self.sidebar_feedback,
        }
        wrap = W.Layout(display="flex", flex_flow="row wrap", align_items="center", width="100%")
        # Two columns that wrap: the list takes the width of its labels, the editor the
        # rest, and below ~800 px the editor moves under the list instead of shrinking.
        self.widget = W.Box(
            [
                W.VBox(
                    [self.refresh_button, self.list_select],
                    layout=W.Layout(flex="0 1 auto", min_width="0", max_width="100%"),
                ),
                W.VBox(
                    [
                        W.Box([self.scope, self.dirty_html], layout=wrap),
                        self.scope_feedback,
                        self.view,
                        self.layout_view.widget,
                        self.json_box,
                        W.Box(
                            [
                                self.save_button,
                                self.new_button,
                                self.discard_button,
                                self.delete_button,
                            ],
                            layout=wrap,
                        ),
                        self.status_html,
                        self.conflict_box,
                    ],
                    layout=W.Layout(flex="1 1 440px", min_width="0"),
                ),
            ],
            layout=W.Layout(
                display="flex", flex_flow="row wrap", grid_gap="8px 16px", width="100%"
            ),
        )
        self.widget.add_class("envnb-profile-editor")
        self._on_edit()

    # ---- what the editor holds ---------------------------------------------------------

    def edited(self) -> dict[str, Any] | None:
        """The editor's values as they would be saved, or None while a JSON field is invalid.

        Render-time fields PostHog injects (``nodeId``, ``personId``, …) are stripped.
        """
        values: dict[str, Any] = {"scope": self.scope.value}
        for name in ("content", "sidebar"):
            res = self._check(name)
            if not res.ok:
                return None
            values[name] = res.value
        return saved_form(values)

    @property
    def layout(self) -> ProfileLayout | None:
        """The layout the editor holds (None while the JSON is invalid)."""
        content, sidebar = self._check("content"), self._check("sidebar")
        if not (content.ok and sidebar.ok):
            return None
        return ProfileLayout.from_config(self.scope.value, content.value, sidebar.value)

    def first_of_scope(self, scope: str) -> str | None:
        """Id of the config PostHog's UI shows for ``scope``: the first listed, or None."""
        return next((r["id"] for r in self.rows if r["scope"] == scope), None)

    def select(self, config_id: str) -> None:
        """Select a config in the list (as a click on it would)."""
        self.list_select.value = config_id

    def _show_error(self, err: EnvnbError) -> None:
        attr = (getattr(err, "attr", None) or "").split("__")[0]
        if attr in self.feedback:
            self.errors = {attr: str(err)}
            self._on_edit()
            self._set_status(f"Not saved: the server rejected '{attr}'.", error=True)
        else:
            self._set_status(f"Not saved — your edits are kept. {err}", error=True)

    def _show_conflict(self, server: dict[str, Any], mine: dict[str, Any]) -> None:
        self.conflict = server
        theirs = {f: server.get(f) for f in EDITABLE}
        yours = {f: mine.get(f) for f in EDITABLE}
        # Both sides are cut (preview): a huge config must not become a huge HTML widget.
        pre = "white-space:pre-wrap;font-size:0.85em;background:#f6f6f6;padding:4px"
        self.conflict_html.value = (
            note_html(
                "This config changed on the server since you loaded it "
                f"(updated {server.get('updated_at') or '?'}). Nothing was overwritten.",
                error=True,
            )
            + "<div style='display:flex;gap:8px'>"
            + f"<div style='flex:1'><b>Server's version</b><pre style='{pre}'>"
            + f"{escape(preview(theirs))}</pre></div>"
            + f"<div style='flex:1'><b>Your version</b><pre style='{pre}'>"
            + f"{escape(preview(yours))}</pre></div></div>"
        )
        self.conflict_box.layout.display = "flex"
        self._set_status("Conflict: choose which version to keep.", error=True)

    def _fill(self, cfg: dict[str, Any]) -> None:
        # Another config (or none) is shown: a pending "Really delete?" no longer applies.
        self.delete_button.description, self.delete_button.button_style = "Delete", ""
        self._quiet = True
        try:
            scope = cfg.get("scope")
            if scope not in SCOPES:  # a scope this version does not know: offer it anyway
                self.scope.options = [*SCOPES, str(scope)]
            self.scope.value = str(scope)
            self.content.value = dump_json(cfg.get("content"))
            self.sidebar.value = dump_json(cfg.get("sidebar"))
        finally:
            self._quiet = False
        self._on_edit()

    def _check(self, name: str) -> JsonCheck:
        """The check of a JSON field's current text (parsed once per text, not per call)."""
        text = self.fields[name].value
        cached = self._checks.get(name)
        if cached is not None and cached[0] is text:
            return cached[1]
        res = check_json(text, field=name)
        self._checks[name] = (text, res)
        return res

    def _on_field_edit(self, name: str) -> None:
        if not self._quiet:
            self.errors.pop(name, None)  # the user is fixing what the server rejected
        if name != "scope" and len(self.fields[name].value) > LARGE_TEXT and not self._quiet:
            self.feedback[name].value = note_html("checking… (after a pause in typing)")
            self._check_later.push()
            return
        self._on_edit()

    def check_now(self) -> None:
        """Run a check that waits for a pause in typing at once (tests, notebooks)."""
        self._check_later.flush()

    def _on_edit(self) -> None:
        if self._quiet:
            return
        self._check_later.cancel()
        for name in ("content", "sidebar"):
            res = self._check(name)
            if name in self.errors:
                self.feedback[name].value = note_html(self.errors[name], error=True)
            elif res.ok:
                self.feedback[name].value = f"<span style='{_OK}'>✔ {escape(res.message)}</span>"
            else:
                self.feedback[name].value = note_html(res.message, error=True)
        self.scope_feedback.value = note_html(self.errors.get("scope", ""), error=True)
        values = self.edited()
        if self.mode == "new":
            self.dirty = True
        elif self.mode == "edit" and self.loaded is not None:
            self.dirty = values is None or bool(changed_fields(saved_form(self.loaded), values))
        else:
            self.dirty = False
        self.dirty_html.value = note_html("● unsaved changes", error=True) if self.dirty else ""
        if self.view.value == PANELS:
            self._show_layout()

    # ---- the Panels view ---------------------------------------------------------------

    def _open_shown(self, _config_id: str) -> None:
        """Open the config PostHog shows for the editor's scope (the subclass asks the server)."""

    def _show_view(self) -> None:
        panels = self.view.value == PANELS
        self.layout_view.widget.layout.display = "" if panels else "none"
        self.json_box.layout.display = "none" if panels else ""
        if panels:
            self.check_now()
            self._show_layout()

    def _show_layout(self) -> None:
        layout = self.layout
        problem = ""
        if layout is None:
            bad = [n for n in ("content", "sidebar") if not self._check(n).ok]
            problem = f"{' and '.join(bad)}: not valid JSON — fix it in the JSON view."
        notes, target = self._scope_notes()
        self.layout_view.show(layout, problem=problem, notes=notes, open_target=target)

    def _scope_notes(self) -> tuple[list[str], str | None]:
        """The several-configs-per-scope warning, and the config to offer to open."""
        scope = self.scope.value
        first = self.first_of_scope(scope)
        own = self.loaded["id"] if self.mode == "edit" and self.loaded else None
        others = [r["id"] for r in self.rows if r["scope"] == scope and r["id"] != own]
        if first is None or not others:
            return [], None
        if own == first:
            return [
                f"{len(others)} other {scope} config(s) exist; PostHog shows only this one, "
                "the first."
            ], None
        return [f"Several {scope} configs: only the first is shown in PostHog: {first}"], first

    def _on_layout_change(self, layout: ProfileLayout) -> None:
        """A Panels-view edit: write the layout back into the JSON text, the one state."""
        self._quiet = True
        try:
            self.content.value = dump_json(layout.to_content())
            self.sidebar.value = dump_json(layout.to_sidebar())
        finally:
            self._quiet = False
        self.errors.pop("content", None)
        self.errors.pop("sidebar", None)
        self._on_edit()

    def _set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        current = self.loaded["id"] if self.mode == "edit" and self.loaded else None
        shown = shown_ids(rows)
        options = [(config_label(r, r["id"] in shown), r["id"]) for r in rows]
        self.list_select.rows = max(4, min(len(options), 20))
        self._select_quietly(current, options=options)
        if self.view.value == PANELS:
            self._show_layout()

    def _replace_row(self, cfg: dict[str, Any]) -> None:
        rows = [cfg if r["id"] == cfg["id"] else r for r in self.rows]
        if not any(r["id"] == cfg["id"] for r in rows):
            rows.insert(0, cfg)
        self._set_rows(rows)

    def _select_quietly(self, value: str | None, options: list[Any] | None = None) -> None:
        self._quiet = True
        try:
            if options is not None:
                self.list_select.options = options
            ids = {v for _, v in self.list_select.options}
            self.list_select.value = value if value in ids else None
        finally:
            self._quiet = False

    def _busy(self) -> bool:
        return bool(self.actions)

    def _act(self, coro: Coroutine[Any, Any, Any], status: str, failed: str = "") -> None:
        """Run one of the editor's calls: one at a time, its buttons held until it ends."""
        buttons = (self.save_button, self.new_button, self.discard_button, self.delete_button)
        self.actions.start("call", coro, disable=buttons, status=status, failed=failed)
