"""A panel's static snapshot: its state as plain HTML, for a notebook read without widgets.

Front ends with the widget manager show the live panel; nbconvert (when no widget state was
saved), GitHub and nbviewer show the snapshot. Rules:

1. The snapshot is its own output, after the live one, refreshed in place (same display id)
   whenever one of the panel's calls finishes. Refreshing the live output instead made
   JupyterLab build a new view of the whole panel each time (its widget renderer wipes the
   old view): focus and keystrokes in the panel were lost, and hundreds of views rebuilt.
2. The snapshot output also carries a widget view with an empty model id, ipywidgets' "this
   view was removed": JupyterLab's widget renderer hides it, so Lab shows the panel once;
   a reader without widget state falls back to its ``text/html``.
3. The live output carries no ``text/html`` (a reader would see the panel twice).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import ipywidgets as W

from ..render import escape, sanitize

log = logging.getLogger("envnb.widgets")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HIDDEN_VIEW = {"version_major": 2, "version_minor": 0, "model_id": ""}  # rule 2


class Snapshot:
    """Mixed into Panel: ``static_html()`` and how the panel is displayed."""

    widget: W.Widget
    #: Heading of the panel's static rendering.
    static_title = "envnb panel"
    _display_id: str | None = None
    _published_html = ""

    def _static_body(self) -> str:
        """The panel's state as HTML, every server string escaped or sanitized (subclasses)."""
        return ""

    def static_html(self) -> str:
        """The panel's current state as static HTML (sanitized with the Markdown allow-list).

        What a notebook exported without widget state shows in place of the live panel.
        """
        note = "A snapshot of this panel; run the notebook in Jupyter to use it."
        body = f"<h4>{escape(self.static_title)}</h4>{self._static_body()}<p><em>{note}</em></p>"
        return sanitize(body)

    def _live_bundle(self, **kwargs: Any) -> dict[str, Any]:
        # The class marks every panel's root in the page (layout checks, user CSS).
        self.widget.add_class("envnb-panel")
        return dict(self.widget._repr_mimebundle_(**kwargs) or {})

    def _snapshot_bundle(self) -> dict[str, Any]:
        self._published_html = html = self.static_html()
        return {WIDGET_VIEW: dict(HIDDEN_VIEW), "text/html": html, "text/plain": ""}

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """One bundle (for front ends that do not call ``_ipython_display_``): the live
        view with the snapshot as its ``text/html``."""
        bundle = self._live_bundle(**kwargs)
        self._published_html = bundle["text/html"] = self.static_html()
        return bundle

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self._display_id is None:
            self._display_id = f"envnb-{uuid.uuid4().hex}"
        live = self._live_bundle()  # a widget view and text/plain: no HTML (rule 3)
        live["text/plain"] = ""
        display(live, raw=True)
        display(self._snapshot_bundle(), raw=True, display_id=self._display_id)

    def _publish(self) -> None:
        """Refresh the snapshot output when the panel's state changed (rule 1)."""
        if self._display_id is None or self.static_html() == self._published_html:
            return
        from IPython.display import update_display

        try:
            update_display(self._snapshot_bundle(), raw=True, display_id=self._display_id)
        except Exception:  # the live panel matters more than its snapshot
            log.exception("envnb panel: could not refresh the static rendering")
