"""Incremental Markdown rendering for a reply that grows while it streams.

Each frame carries the whole text so far, and re-rendering all of it at every flush costs
O(length) per flush, O(length²) per reply. Two caches keep a flush O(new text):

* blocks: the text up to the last blank line outside a code fence is rendered once;
* a long single-line paragraph still being written (a chatty reply without breaks) is
  rendered in chunks cut at spaces, whose ``<p>`` bodies are joined into one paragraph.

Pieces rendered apart can differ cosmetically from one pass (a list split by a blank line,
emphasis spanning a chunk cut), so the final text is always rendered in one pass.
"""

from __future__ import annotations

import re

from ..render import render_markdown

SOFT_CHUNK = 1000  # characters of an open paragraph re-rendered per flush, at most ~1.5x
_PLAIN_START = re.compile(r"[^\s#>\-+*|`~<=\d]|\d+[^.)\d]")


class IncrementalMarkdown:
    """Render a growing Markdown text, re-rendering only its newest part."""

    def __init__(self) -> None:
        """Start empty."""
        self._stable_src = ""
        self._stable_html = ""
        self._para_src = ""  # leading chunks of the open paragraph, already rendered
        self._para_html = ""  # their <p> bodies, joined

    def render(self, text: str, *, final: bool = False) -> str:
        """HTML for ``text``; ``final`` renders it in one pass (and resets the caches)."""
        if final or not text.startswith(self._stable_src):
            self._stable_src = self._stable_html = ""
            self._para_src = self._para_html = ""
            if final:
                return render_markdown(text)
        cut = _stable_cut(text, len(self._stable_src))
        if cut > len(self._stable_src):
            self._stable_html += render_markdown(text[len(self._stable_src) : cut])
            self._stable_src = text[:cut]
            self._para_src = self._para_html = ""
        return self._stable_html + self._open_paragraph(text[cut:])

    def _open_paragraph(self, block: str) -> str:
        if "\n" in block or not _PLAIN_START.match(block) or not block.startswith(self._para_src):
            self._para_src = self._para_html = ""
            return render_markdown(block)
        rest = block[len(self._para_src) :]
        if len(rest) > SOFT_CHUNK:
            k = rest.rfind(" ", 0, len(rest) - SOFT_CHUNK // 2)
            tries = 20  # bounded: an unbalanced "(" early on must not make a flush O(n²)
            while k > 0 and not _balanced(rest[:k]):  # don't cut inside `code`, **em**, [links]
                tries -= 1
                k = rest.rfind(" ", 0, k) if tries else -1
            inner = _p_body(render_markdown(rest[:k])) if k > 0 else None
            if inner is not None and not inner.endswith("\\"):
                self._para_html += inner + " "
                self._para_src += rest[: k + 1]
                rest = rest[k + 1 :]
        if not self._para_html:
            return render_markdown(block)
        tail = _p_body(render_markdown(rest)) if rest.strip() else ""
        if tail is None:  # the tail is not a plain paragraph any more: one pass
            self._para_src = self._para_html = ""
            return render_markdown(block)
        return f"<p>{self._para_html}{tail}</p>\n"


def _balanced(chunk: str) -> bool:
    """True when no inline construct is left open at the end of ``chunk`` (a cheap check)."""
    return (
        chunk.count("[") == chunk.count("]")
        and chunk.count("(") == chunk.count(")")
        and all(chunk.count(c) % 2 == 0 for c in "`*~_")
    )


def _p_body(html: str) -> str | None:
    """The body of ``<p>…</p>\\n`` when ``html`` is exactly one paragraph, else None."""
    if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
        return html[3:-5]
    return None


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
