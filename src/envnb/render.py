"""Turn server text into HTML that is safe to put into an HTML widget.

Two ways in, and every server string that reaches an ``ipywidgets.HTML`` goes through one:

* :func:`render_markdown` — assistant Markdown: markdown-it-py (raw HTML disabled, so a
  ``<script>`` in the text stays text) and then nh3 with a tight allow-list, as a second
  line of defence in case a Markdown construct produces something unexpected.
* :func:`escape` — everything else (names, titles, error messages): plain text.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

__all__ = ["escape", "render_markdown"]

# Formatting a chat reply needs; no images (tracking pixels, onerror), no forms, no iframes,
# no style attributes (CSS can overlay the notebook UI).
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}
# Drop the content of these as well as the tag: their text is never meant to be read.
_CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "commonmark" with html=False: raw HTML in the reply is escaped, not passed through.
    # Images are disabled at the parser so `![alt](url)` stays a visible link instead of a
    # tag the sanitizer would silently drop (and no remote image loads from a reply).
    md = MarkdownIt("commonmark", {"html": False})
    return md.enable(["table", "strikethrough"]).disable("image")


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitize(fragment: str) -> str:
    """Sanitize an HTML fragment with the allow-list used for rendered Markdown."""
    return _cleaner().clean(fragment)


def render_markdown(text: str) -> str:
    """Render Markdown to HTML and sanitize it (safe for an HTML widget)."""
    return sanitize(_markdown().render(text or ""))


def escape(text: object) -> str:
    """Escape any value as HTML text (``None`` becomes an empty string)."""
    return "" if text is None else html.escape(str(text), quote=True)
