"""Incremental Markdown rendering for a reply that grows while it streams.

Each frame carries the whole text so far. Re-rendering all of it at every flush costs
O(length) per flush; instead the text up to the last blank line outside a code fence is
rendered once and cached, and only the tail is rendered again. Blocks rendered apart can
differ cosmetically from one pass (a list split by a blank line), so the final text is
always rendered in one pass.
"""

from __future__ import annotations

from ..render import render_markdown


class IncrementalMarkdown:
    """Render a growing Markdown text, re-rendering only its last block."""

    def __init__(self) -> None:
        """Start empty."""
        self._stable_src = ""
        self._stable_html = ""

    def render(self, text: str, *, final: bool = False) -> str:
        """HTML for ``text``; ``final`` renders it in one pass (and resets the cache)."""
        if final or not text.startswith(self._stable_src):
            self._stable_src = self._stable_html = ""
            if final:
                return render_markdown(text)
        cut = _stable_cut(text, len(self._stable_src))
        if cut > len(self._stable_src):
            self._stable_html += render_markdown(text[len(self._stable_src) : cut])
            self._stable_src = text[:cut]
        return self._stable_html + render_markdown(text[cut:])


def _stable_cut(text: str, start: int) -> int:
    """Offset just after the last blank line at or after ``start`` that is outside a fence."""
    # The cached prefix always ends at a blank line outside a fence, so scanning from
    # ``start`` begins outside one.
    cut, in_fence, pos = start, False, start
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            return cut
        line = text[pos:nl]
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not line.strip() and not in_fence:
            cut = nl + 1
        pos = nl + 1
