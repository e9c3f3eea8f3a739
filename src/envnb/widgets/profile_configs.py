"""ProfileConfigEditor: list customer profile configs, edit one as JSON, save only changes.

The user's text is never lost: a validation error, a network error, a server error or a
conflict leaves the editor untouched. Before a save the editor re-reads the config; if it
changed on the server since it was loaded, nothing is overwritten and both versions are
shown to choose from.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import ipywidgets as W

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

from ..errors import EnvnbError
from ..render import escape, label
from ._base import Panel, loop_running, utc_minutes
from ._configdiff import EDITABLE, changed_fields, server_changed
from ._jsontext import check_json, dump_json
from ._transcript import note_html

SCOPES = ("person", "group_0", "group_1", "group_2", "group_3", "group_4")
_OK = "color:#2e7d32;font-size:0.85em"


def _plain(config: Any) -> dict[str, Any]:
    """A config as plain JSON values (enums as strings, datetimes as ISO text)."""
    data: dict[str, Any] = config.model_dump(mode="json")
    return data


def _label(cfg: dict[str, Any]) -> str:
    updated = utc_minutes(cfg.get("updated_at") or cfg.get("created_at"))
    return f"{label(cfg['scope'])} · updated {updated or '—'} · {cfg['id'][:8]}"


class ProfileConfigEditor(Panel):
    """State for tests: ``rows``, ``loaded``, ``dirty``, ``errors``, ``status``, ``conflict``."""

    def __init__(self, client: Client | AsyncClient) -> None:
        """Build the editor and load the list of configs in the background."""
        super().__init__(client)
        self.rows: list[dict[str, Any]] = []
        self.loaded: dict[str, Any] | None = None  # the server's version being edited
        self.mode = "empty"  # "empty" | "edit" | "new"
        self.dirty = False
        self.errors: dict[str, str] = {}
        self.status = ""
        self.conflict: dict[str, Any] | None = None  # the server's newer version
        self._quiet = False

        self.list_select = W.Select(options=[], rows=8, layout=W.Layout(width="100%"))
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.scope = W.Dropdown(options=list(SCOPES), value="person", description="scope")
        self.content = W.Textarea(layout=W.Layout(width="100%", height="160px"))
        self.sidebar = W.Textarea(layout=W.Layout(width="100%", height="120px"))
        self.scope_feedback = W.HTML()
        self.content_feedback = W.HTML()
        self.sidebar_feedback = W.HTML()
        self.dirty_html = W.HTML()
        self.status_html = W.HTML()
        self.save_button = W.Button(description="Save", button_style="primary", icon="save")
        self.new_button = W.Button(description="New", icon="plus")
        self.discard_button = W.Button(description="Discard", icon="undo")
        self.conflict_html = W.HTML()
        self.keep_mine_button = W.Button(description="Overwrite with mine", button_style="warning")
        self.take_server_button = W.Button(description="Use the server's version")
        self.conflict_box = W.VBox(
            [self.conflict_html, W.HBox([self.keep_mine_button, self.take_server_button])]
        )
        self.conflict_box.layout.display = "none"

        self.refresh_button.on_click(lambda _b: self.refresh())
        self.save_button.on_click(lambda _b: self.save())
        self.new_button.on_click(lambda _b: self.new())
        self.discard_button.on_click(lambda _b: self.discard())
        self.keep_mine_button.on_click(lambda _b: self.resolve(keep_mine=True))
        self.take_server_button.on_click(lambda _b: self.resolve(keep_mine=False))
        self.list_select.observe(self._on_select, names="value")
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
        self.widget = W.HBox(
            [
                W.VBox([self.refresh_button, self.list_select], layout=W.Layout(width="35%")),
                W.VBox(
                    [
                        W.HBox([self.scope, self.dirty_html]),
                        self.scope_feedback,
                        W.HTML("<b>content</b>"),
                        self.content,
                        self.content_feedback,
                        W.HTML("<b>sidebar</b>"),
                        self.sidebar,
                        self.sidebar_feedback,
                        W.HBox([self.save_button, self.new_button, self.discard_button]),
                        self.status_html,
                        self.conflict_box,
                    ],
                    layout=W.Layout(width="65%"),
                ),
            ]
        )
        self._on_edit()
        if loop_running():
            self.refresh()
        else:
            self._set_status("Click Refresh to load the configs.")

    # ---- what the editor holds ---------------------------------------------------------

    def edited(self) -> dict[str, Any] | None:
        """The editor's values, or None while a JSON field is invalid."""
        values: dict[str, Any] = {"scope": self.scope.value}
        for name in ("content", "sidebar"):
            res = check_json(self.fields[name].value, field=name)
            if not res.ok:
                return None
            values[name] = res.value
        return values

    def select(self, config_id: str) -> None:
        """Select a config in the list (as a click on it would)."""
        self.list_select.value = config_id

    # ---- actions -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the list of configs (the editor's text is left alone)."""
        self._spawn(self._refresh())

    def save(self) -> None:
        """Create (new) or PATCH the changed fields (edit), after a conflict check."""
        if self._busy():
            return
        values = self.edited()
        if values is None:
            self._set_status("Fix the JSON errors above before saving.", error=True)
            return
        if self.mode == "edit" and not changed_fields(self.loaded or {}, values):
            self._set_status("No changes to save.")
            return
        self._set_busy(True, "Saving…")
        self._spawn(self._save(values, check_conflict=True))

    def new(self) -> None:
        """Start a new config from what is in the editor (Save will create it)."""
        if self._busy():
            return
        self.mode, self.loaded, self.conflict = "new", None, None
        self._select_quietly(None)
        self.conflict_box.layout.display = "none"
        self._on_edit()
        self._set_status("New config: edit it, then Save to create it.")

    def discard(self) -> None:
        """Throw away the edits and show the server's version again."""
        if self._busy():
            return
        self.conflict, self.errors = None, {}
        self.conflict_box.layout.display = "none"
        if self.mode == "edit" and self.loaded is not None:
            self._set_busy(True, "Reloading the server's version…")
            self._spawn(self._load(self.loaded["id"]))
        else:
            self.mode, self.loaded = "empty", None
            self._fill({"scope": "person", "content": {}, "sidebar": {}})
            self._set_status("")

    def resolve(self, *, keep_mine: bool) -> None:
        """After a conflict: overwrite the server with the editor's text, or take the server's."""
        if self.conflict is None or self._busy():
            return
        server = self.conflict
        self.conflict = None
        self.conflict_box.layout.display = "none"
        if not keep_mine:
            self.loaded = server
            self._fill(server)
            self._set_status("Loaded the server's version.")
            return
        values = self.edited()
        if values is None:
            self._set_status("Fix the JSON errors above before saving.", error=True)
            return
        self.loaded = server  # diff against what the server has now
        self._set_busy(True, "Saving over the server's version…")
        self._spawn(self._save(values, check_conflict=False))

    # ---- tasks -------------------------------------------------------------------------

    async def _refresh(self) -> None:
        try:
            rows = [_plain(c) async for c in self.aclient.profile_configs.list()]
        except EnvnbError as err:
            self._set_status(f"Could not list configs: {err}", error=True)
            return
        self._set_rows(rows)
        if self.status.startswith("Click Refresh"):
            self._set_status("")

    async def _load(self, config_id: str) -> None:
        try:
            cfg = _plain(await self.aclient.profile_configs.get(config_id))
        except EnvnbError as err:
            self._set_status(f"Could not load the config: {err}", error=True)
            return
        finally:
            self._set_busy(False)
        self.mode, self.loaded, self.conflict, self.errors = "edit", cfg, None, {}
        self._fill(cfg)
        self._replace_row(cfg)
        self._set_status("")

    async def _save(self, values: dict[str, Any], *, check_conflict: bool) -> None:
        api = self.aclient.profile_configs
        try:
            if self.mode == "new":
                saved = _plain(await api.create(**values))
                self._set_rows([saved, *self.rows])
                self._set_status("Created.")
            else:
                assert self.loaded is not None
                if check_conflict:
                    current = _plain(await api.get(self.loaded["id"]))
                    if server_changed(self.loaded, current):
                        self._show_conflict(current, values)
                        return
                patch = changed_fields(self.loaded, values)
                saved = _plain(await api.update(self.loaded["id"], **patch))
                self._replace_row(saved)
                self._set_status(f"Saved ({', '.join(patch) or 'no changes'}).")
        except EnvnbError as err:
            self._show_error(err)  # the editor's text stays as it is
            return
        finally:
            self._set_busy(False)
        self.mode, self.loaded, self.errors = "edit", saved, {}
        self._select_quietly(saved["id"])
        self._on_edit()

    # ---- view --------------------------------------------------------------------------

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
        pre = "white-space:pre-wrap;font-size:0.85em;background:#f6f6f6;padding:4px"
        self.conflict_html.value = (
            note_html(
                "This config changed on the server since you loaded it "
                f"(updated {server.get('updated_at') or '?'}). Nothing was overwritten.",
                error=True,
            )
            + "<div style='display:flex;gap:8px'>"
            + f"<div style='flex:1'><b>Server's version</b><pre style='{pre}'>"
            + f"{escape(json.dumps(theirs, indent=2))}</pre></div>"
            + f"<div style='flex:1'><b>Your version</b><pre style='{pre}'>"
            + f"{escape(json.dumps(yours, indent=2))}</pre></div></div>"
        )
        self.conflict_box.layout.display = "flex"
        self._set_status("Conflict: choose which version to keep.", error=True)

    def _fill(self, cfg: dict[str, Any]) -> None:
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

    def _on_field_edit(self, name: str) -> None:
        if not self._quiet:
            self.errors.pop(name, None)  # the user is fixing what the server rejected
        self._on_edit()

    def _on_edit(self) -> None:
        if self._quiet:
            return
        for name in ("content", "sidebar"):
            res = check_json(self.fields[name].value, field=name)
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
            self.dirty = values is None or bool(changed_fields(self.loaded, values))
        else:
            self.dirty = False
        self.dirty_html.value = note_html("● unsaved changes", error=True) if self.dirty else ""

    def _set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        current = self.loaded["id"] if self.mode == "edit" and self.loaded else None
        self._select_quietly(current, options=[(_label(r), r["id"]) for r in rows])

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

    def _on_select(self, change: dict[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        if self._busy() or (self.dirty and change["new"] != (self.loaded or {}).get("id")):
            # Switching now would throw away the user's edits: stay on the current one.
            self._select_quietly(change["old"])
            if self.dirty:
                self._set_status(
                    "You have unsaved changes: Save or Discard them first.", error=True
                )
            return
        self._set_busy(True, "Loading…")
        self._spawn(self._load(change["new"]))

    def _busy(self) -> bool:
        return self.save_button.disabled

    def _set_busy(self, busy: bool, status: str | None = None) -> None:
        for b in (self.save_button, self.new_button, self.discard_button):
            b.disabled = busy
        if status is not None:
            self._set_status(status)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status = text
        self.status_html.value = note_html(text, error=error)

    def _show_unexpected(self, err: Exception) -> None:
        self._set_busy(False)
        self._set_status(f"Unexpected error (your edits are kept): {err}", error=True)
