"""ProfileConfigEditor: list customer profile configs, edit one, save only changes.

A config is edited in two views of the same state: **Panels** (the profile page as PostHog
lays it out: panels in order with titles, added from the scope's catalog, moved, renamed,
removed, reset to PostHog's defaults) and **JSON** (the ``content`` and ``sidebar`` text).
The JSON text is the state; the Panels view reads it and writes it back.

The user's text is never lost: a validation error, a network error, a server error or a
conflict leaves the editor untouched. Before a save the editor re-reads the config; if it
changed on the server since it was loaded, nothing is overwritten and both versions are
shown to choose from. Render-time fields PostHog injects are stripped before saving.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any

from ..errors import EnvnbError
from ..profile_configs.layout import ProfileLayout
from ..render import escape
from ._base import loop_running
from ._configdiff import changed_fields, preview, server_changed
from ._profile_view import (
    SCOPES,
    ProfileEditorView,
    config_label,
    plain_config,
    saved_form,
    shown_ids,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["SCOPES", "ProfileConfigEditor"]

# One lock per (host, config id) while some editor holds it (weak: no lock outlives its use).
_locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()


def _save_lock(host: str, config_id: str) -> asyncio.Lock:
    """The lock that makes one editor's conflict check and PATCH a single step."""
    key = (host, str(config_id))
    lock = _locks.get(key)
    if lock is None:
        lock = _locks[key] = asyncio.Lock()
    return lock


class ProfileConfigEditor(ProfileEditorView):
    """State for tests: ``rows``, ``loaded``, ``dirty``, ``errors``, ``status``, ``conflict``."""

    static_title = "Customer profile configs"

    def __init__(self, client: Client | AsyncClient) -> None:
        """Build the editor and load the list of configs in the background."""
        super().__init__(client)
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.save_button.on_click(lambda _b: self.save())
        self.new_button.on_click(lambda _b: self.new())
        self.discard_button.on_click(lambda _b: self.discard())
        self.delete_button.on_click(lambda _b: self.delete())
        self.keep_mine_button.on_click(lambda _b: self.resolve(keep_mine=True))
        self.take_server_button.on_click(lambda _b: self.resolve(keep_mine=False))
        self.list_select.observe(self._on_select, names="value")
        if loop_running():
            self.refresh()
        else:
            self._set_status("Click Refresh to load the configs.")

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
        if self.mode == "edit" and not changed_fields(saved_form(self.loaded or {}), values):
            self._set_status("No changes to save.")
            return
        self._act(self._save(values, check_conflict=True), "Saving…")

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
            self._act(
                self._load(self.loaded["id"]),
                "Reloading the server's version…",
                "Could not load the config: ",
            )
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
        self._act(self._save(values, check_conflict=False), "Saving over the server's version…")

    def delete(self) -> None:
        """Delete the loaded config on the server; the first click asks to click again."""
        if self._busy() or self.mode != "edit" or self.loaded is None:
            return
        if self.delete_button.description != "Really delete?":
            self.delete_button.description = "Really delete?"
            self.delete_button.button_style = "danger"
            self._set_status("Click “Really delete?” to delete this config on the server.")
            return
        self._act(self._delete(self.loaded["id"]), "Deleting…", "Not deleted: ")

    def _open_shown(self, _config_id: str) -> None:
        """Open the config PostHog's UI shows for the scope (asked of the server)."""
        if self._busy():
            return
        self._act(
            self._find_shown(str(self.scope.value)),
            "Finding the config PostHog shows…",
            "Could not find the config PostHog shows: ",
        )

    # ---- tasks -------------------------------------------------------------------------

    async def _delete(self, config_id: str) -> None:
        try:
            await self.aclient.profile_configs.delete(config_id)
        finally:
            self.delete_button.description, self.delete_button.button_style = "Delete", ""
        self.mode, self.loaded, self.conflict = "empty", None, None
        self._set_rows([r for r in self.rows if r["id"] != config_id])
        self._fill({"scope": "person", "content": {}, "sidebar": {}})
        self._set_status(f"Deleted {config_id}.")

    async def _find_shown(self, scope: str) -> None:
        shown = await self.aclient.profile_configs.for_scope(scope)
        rows = [plain_config(c) async for c in self.aclient.profile_configs.list()]
        self._set_rows(rows)
        if shown is None:
            self._set_status(f"There is no {scope} config on the server any more.")
            return
        if self.dirty:  # as a click on it in the list: edits are never thrown away
            self._select_quietly(self.loaded["id"] if self.loaded else None)
            self._set_status("You have unsaved changes: Save or Discard them first.", error=True)
            return
        # Loaded within this call (a select() would be refused: the editor is busy until
        # the call ends).
        self._select_quietly(shown.id)
        await self._load(shown.id)

    async def _refresh(self) -> None:
        try:
            rows = [plain_config(c) async for c in self.aclient.profile_configs.list()]
        except EnvnbError as err:
            self._set_status(f"Could not list configs: {err}", error=True)
            return
        self._set_rows(rows)
        if self.status.startswith("Click Refresh"):
            self._set_status("")

    async def _load(self, config_id: str) -> None:
        cfg = plain_config(await self.aclient.profile_configs.get(config_id))
        self.mode, self.loaded, self.conflict, self.errors = "edit", cfg, None, {}
        self._fill(cfg)
        self._replace_row(cfg)
        self._set_status("")

    async def _save(self, values: dict[str, Any], *, check_conflict: bool) -> None:
        api = self.aclient.profile_configs
        try:
            if self.mode == "new":
                saved = plain_config(await api.create(**values))
                self._set_rows([saved, *self.rows])
                self._set_status("Created.")
            else:
                assert self.loaded is not None
                # The check and the PATCH are one step for every editor of this config in
                # the kernel: else two saves both read the old version, both PATCH, and the
                # second says "Saved" over the first's edit (PostHog has no If-Match).
                async with _save_lock(self.aclient.host, self.loaded["id"]):
                    if check_conflict:
                        current = plain_config(await api.get(self.loaded["id"]))
                        if server_changed(self.loaded, current):
                            self._show_conflict(current, values)
                            return
                    patch = changed_fields(saved_form(self.loaded), values)
                    saved = plain_config(await api.update(self.loaded["id"], **patch))
                self._replace_row(saved)
                self._set_status(f"Saved ({', '.join(patch) or 'no changes'}).")
        except EnvnbError as err:
            self._show_error(err)  # the editor's text stays as it is
            return
        self.mode, self.loaded, self.errors = "edit", saved, {}
        self._select_quietly(saved["id"])
        self._on_edit()

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
        self._act(self._load(change["new"]), "Loading…", "Could not load the config: ")

    def _static_body(self) -> str:
        shown = shown_ids(self.rows)
        items = "".join(f"<li>{escape(config_label(c, c['id'] in shown))}</li>" for c in self.rows)
        parts = [f"<p>{escape(self.status)}</p>" if self.status else "", f"<ul>{items}</ul>"]
        if self.loaded is not None:
            title = config_label(self.loaded, self.loaded["id"] in shown)
            parts.append(f"<p><strong>{escape(title)}</strong></p>")
            for field in ("content", "sidebar"):
                # preview(): a multi-megabyte config must not become multi-megabyte HTML
                text = preview(self.loaded.get(field) or {})
                parts.append(f"<p>{field}</p><pre><code>{escape(text)}</code></pre>")
            layout = ProfileLayout.from_config(
                self.loaded["scope"], self.loaded.get("content"), self.loaded.get("sidebar")
            )
            panels = "".join(
                f"<li>{escape(p.title or '')} <code>{escape(p.type)}</code></li>"
                for p in layout.panels[:200]
            )
            parts.append(f"<p>Panels, as PostHog shows them</p><ol>{panels}</ol>")
        return "".join(parts)
