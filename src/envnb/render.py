"""Turn server text into HTML that is safe to put into an HTML widget.

Two ways in, and every server string that reaches an ``ipywidgets.HTML`` goes through one:

* :func:`render_markdown` — assistant Markdown: markdown-it-py (raw HTML disabled, so a
  ``<script>`` in the text stays text) and then nh3 with a tight allow-list, as a second
  line of defence in case a Markdown construct produces something unexpected.
* :func:`escape` — everything else (error messages, notes): plain text.

Names and titles from the server go through :func:`isolate` (HTML) or :func:`label` (plain
text for a dropdown or list): each is isolated from the text around it, so a right-to-left
override in a name cannot run into (or reverse) the panel's own words; the explicit override
and embedding controls themselves are shown as visible marks; and a name made only of
invisible characters (zero-width, blanks, fillers) is shown as such instead of as nothing.
"""

from __future__ import annotations

import html
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

__all__ = ["escape", "isolate", "label", "render_markdown", "visible"]

# Formatting a chat reply needs (and <bdi>, which isolates names in static panel views);
# no images (tracking pixels, onerror), no forms, no iframes,
# no style attributes (CSS can overlay the notebook UI).
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "bdi",
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


# Bidi controls that change the direction of what follows them (LRE, RLE, PDF, LRO, RLO):
# shown as a visible mark, since inside an isolate they would still reverse the name itself.
_BIDI_OVERRIDES = {chr(c): f"\u27e6U+{c:04X}\u27e7" for c in range(0x202A, 0x202F)}
# Characters that draw nothing though they are not in a blank/format/control category.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_FSI, _PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate


def _invisible(ch: str) -> bool:
    return ch in _FILLERS or unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn"}


def visible(text: object) -> str:
    """``text`` made safe to show as a name (plain text, not yet HTML-escaped).

    A string of invisible characters only becomes ``(blank: U+200B U+200B)`` (at most eight
    code points listed), the empty string ``(empty)``; direction overrides become ``⟦U+202E⟧``.
    """
    value = "" if text is None else str(text)
    if not value:
        return "(empty)"
    if all(_invisible(ch) for ch in value):
        points = " ".join(f"U+{ord(ch):04X}" for ch in value[:8])
        return f"(blank: {points}{' …' if len(value) > 8 else ''})"
    return "".join(_BIDI_OVERRIDES.get(ch, ch) for ch in value)


def isolate(text: object) -> str:
    """A server name or title as HTML: escaped, made :func:`visible`, inside ``<bdi>``."""
    return f"<bdi>{escape(visible(text))}</bdi>"


def label(text: object) -> str:
    """A server name as plain text for a widget label (a Dropdown or Select option).

    Made :func:`visible` and wrapped in U+2068/U+2069 (first-strong isolate / pop isolate),
    the plain-text form of ``<bdi>``.
    """
    return f"{_FSI}{visible(text)}{_PDI}"
