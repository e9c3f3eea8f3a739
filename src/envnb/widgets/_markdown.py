"""Incremental Markdown rendering for a reply that grows while it streams.

Each frame carries the whole text so far, and re-rendering all of it at every flush costs
O(length) per flush, O(length²) per reply. The rules that keep a flush O(new text):

Rule 1: the text up to the last point where a block certainly ends — a blank line outside
a code fence, the closing line of a fence, a heading or a thematic break — is rendered once
and cached. The scan for that point resumes where the previous flush stopped.
Rule 2: the block still being written (the "open block") is rendered in chunks of about
:data:`SOFT_CHUNK` characters when its shape allows splicing their HTML back together: a
fenced code block (cut at lines), a table (cut at rows; the header is repeated for each
chunk and dropped again), a tight list (cut before an item with the same marker), a
paragraph (cut at a space or line end) and a quoted paragraph (cut before a ``>`` line).
Any other block, or a chunk that does not render as its shape, is rendered in one pass.
Rule 3: line ends are CR, LF or CRLF (normalised to LF, as markdown-it does), nothing else.

Pieces rendered apart can differ cosmetically from one pass (a list split by a blank line,
emphasis spanning a chunk cut), so the final text is always rendered in one pass.
"""

from __future__ import annotations

import re

from .._core.lines import to_lf
from ..render import render_markdown

SOFT_CHUNK = 1000  # characters of an open block re-rendered per flush, at most ~1.5x
_TRIES = 20  # cut points tried per flush: bounded, so a flush never scans the whole block
_PLAIN_START = re.compile(r"[^\s#>\-+*|`~<=\d]|\d+[^.)\d]")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_LIST_ITEM = re.compile(r" {0,3}([-+*]|\d{1,9}[.)])(?= |$)")
_TABLE_DELIM = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
# A line at column 0 that ends its block: an ATX heading, a thematic break or a setext
# underline. What follows it starts a new block.
_BLOCK_END = re.compile(
    r"#{1,6}(?:[ \t].*)?|(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*"
)


class IncrementalMarkdown:
    """Render a growing Markdown text, re-rendering only its newest part."""

    def __init__(self) -> None:
        """Start empty."""
        self._reset()

    def _reset(self) -> None:
        self._scanned = ""  # the text up to the scan position, to notice an edit before it
        self._stable_src = ""
        self._stable_html = ""
        self._scan = _BlockScan()
        self._open: _Chunked | None = None

    def render(self, text: str, *, final: bool = False) -> str:
        """HTML for ``text``; ``final`` renders it in one pass (and resets the caches)."""
        text = to_lf(text)
        if final or not text.startswith(self._scanned):
            self._reset()
            if final:
                return render_markdown(text)
        cut = self._scan.advance(text)
        self._scanned = text[: self._scan.pos]
        if cut > len(self._stable_src):
            self._stable_html += render_markdown(text[len(self._stable_src) : cut])
            self._stable_src = text[:cut]
            self._open = None
        block = text[cut:]
        if self._open is None or not self._open.src or not block.startswith(self._open.src):
            # Nothing cached yet: look again (a second line can make a paragraph a table).
            self._open = _Chunked.for_block(block)
        html = self._open.render(block) if self._open is not None else None
        return self._stable_html + (render_markdown(block) if html is None else html)


class _BlockScan:
    """Finds the last offset where a block certainly ends; resumes where it stopped."""

    def __init__(self) -> None:
        self.pos = 0  # start of the first line not scanned yet
        self.cut = 0
        self.fence: tuple[str, bool] | None = None  # (opening marker, unindented)

    def advance(self, text: str) -> int:
        pos = self.pos
        while True:
            nl = text.find("\n", pos)
            if nl < 0:
                break
            self._line(text[pos:nl], pos, nl + 1)
            pos = nl + 1
        self.pos = pos
        return self.cut

    def _line(self, line: str, start: int, end: int) -> None:
        if self.fence is not None:
            marker, unindented = self.fence
            if _closes(line, marker):
                self.fence = None
                if unindented:
                    self.cut = end  # a closed top-level fence is a finished block
            return
        m = _FENCE.fullmatch(line)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            self.fence = (m.group(2), not m.group(1))
            if not m.group(1):
                self.cut = start  # an unindented fence interrupts whatever came before
        elif not line.strip() or _BLOCK_END.fullmatch(line):
            self.cut = end


class _Shape:
    """How one kind of block is cut into chunks and their HTML spliced back together."""

    open = re.compile("")  # HTML a later chunk starts with, dropped at the seam
    close = ""  # HTML every chunk ends with, dropped at the seam
    cuts_at_spaces = False  # a chunk may also end at a space (paragraphs)

    def __init__(self, block: str) -> None:
        self.head = ""  # source repeated before every later chunk

    def cut_ok(self, block: str, lo: int, i: int) -> bool:
        """May a new chunk start at offset ``i`` (just after a line end or a space)?

        ``lo`` is where the chunk being closed starts.
        """
        return block[i - 1] == "\n"

    def source(self, chunk: str, first: bool) -> str:
        return chunk if first else self.head + chunk

    def seam(self, src: str) -> str:
        """HTML between the chunks rendered so far (``src``) and the next one."""
        return ""

    def valid(self, html: str) -> bool:
        return True


class _Fence(_Shape):
    open = re.compile(r"<pre><code[^>]*>")
    close = "</code></pre>\n"

    def __init__(self, block: str) -> None:
        self.head = block[: block.find("\n") + 1]
        m = _FENCE.match(self.head)
        assert m is not None
        self.marker = m.group(2)

    def cut_ok(self, block: str, lo: int, i: int) -> bool:
        return i >= len(self.head) and block[i - 1] == "\n"

    def source(self, chunk: str, first: bool) -> str:
        src = chunk if first else self.head + chunk
        last = src[src.rfind("\n", 0, len(src) - 1) + 1 :]
        if src != self.head and _closes(last, self.marker):
            return src  # it closes itself
        return src + ("" if src.endswith("\n") else "\n") + self.marker

    def valid(self, html: str) -> bool:
        return html.count("<pre>") == 1


class _Table(_Shape):
    open = re.compile(r"(?s).*?<tbody>\n")
    close = "</tbody>\n</table>\n"

    def __init__(self, block: str) -> None:
        second = block.find("\n", block.find("\n") + 1)
        self.head = block[: second + 1]

    def cut_ok(self, block: str, lo: int, i: int) -> bool:
        return i > len(self.head) and block[i - 1] == "\n"

    def valid(self, html: str) -> bool:
        return html.startswith("<table>") and html.count("<table>") == 1 and "<tbody>" in html


class _List(_Shape):
    close = "</ul>\n"

    def __init__(self, block: str) -> None:
        m = _LIST_ITEM.match(block)
        assert m is not None
        self.head = ""
        marker = m.group(1)
        indent = re.escape(m.group(0)[: len(m.group(0)) - len(marker)])
        if marker[0].isdigit():
            self.item = re.compile(indent + r"\d{1,9}" + re.escape(marker[-1]) + "(?= |$)")
            self.open = re.compile(r'<ol(?: start="\d+")?>\n')
            self.close = "</ol>\n"
        else:
            self.item = re.compile(indent + re.escape(marker) + "(?= |$)")
            self.open = re.compile(r"<ul>\n")

    def cut_ok(self, block: str, lo: int, i: int) -> bool:
        return block[i - 1] == "\n" and self.item.match(block, i) is not None

    def valid(self, html: str) -> bool:
        return self.open.match(html) is not None


class _Paragraph(_Shape):
    open = re.compile("<p>")
    close = "</p>\n"
    cuts_at_spaces = True

    def seam(self, src: str) -> str:
        # A chunk rendered alone drops its trailing spaces, and so a line's hard break.
        if src.endswith("\n"):
            return "<br>\n" if src.endswith("  \n") else "\n"
        return " "

    def cut_ok(self, block: str, lo: int, i: int) -> bool:
        return (
            _PLAIN_START.match(block, i) is not None
            and _clean_end(block, i)
            and _balanced(block[lo:i])
        )

    def valid(self, html: str) -> bool:
        return html.startswith("<p>") and html.count("<p>") == 1


class _Quote(_Paragraph):
    open = re.compile("<blockquote>\n<p>")
    close = "</p>\n</blockquote>\n"
    cuts_at_spaces = False

    def cut_ok(self, block: str, lo: int, i: int) -> bool:
        if block[i - 1] != "\n" or not block.startswith(">", i):
            return False
        body = i + (2 if block.startswith("> ", i) else 1)
        return (
            _PLAIN_START.match(block, body) is not None
            and _clean_end(block, i)
            and _balanced(block[lo:i])
        )

    def valid(self, html: str) -> bool:
        return html.startswith("<blockquote>\n<p>") and html.count("<p>") == 1


def _shape_of(block: str) -> _Shape | None:
    first_nl = block.find("\n")
    if first_nl < 0 and len(block) <= SOFT_CHUNK:
        return None  # one short line: nothing to cache yet
    first = block if first_nl < 0 else block[:first_nl]
    fence = _FENCE.fullmatch(first)
    if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
        return _Fence(block) if first_nl >= 0 else None
    if _LIST_ITEM.match(first):
        return _List(block)
    second_end = block.find("\n", first_nl + 1) if first_nl >= 0 else -1
    if "|" in first and second_end > 0 and _TABLE_DELIM.fullmatch(block[first_nl + 1 : second_end]):
        return _Table(block)
    if first.startswith(">") and _PLAIN_START.match(first, 2 if first.startswith("> ") else 1):
        return _Quote(block)
    if _PLAIN_START.match(first):
        return _Paragraph(block)
    return None


class _Chunked:
    """The open block: whole chunks rendered once (``src`` → ``body``), the tail each time."""

    def __init__(self, shape: _Shape) -> None:
        self.shape = shape
        self.src = ""  # the block's source rendered into ``body`` so far
        self.body = ""  # their HTML without the last chunk's closing tags

    @classmethod
    def for_block(cls, block: str) -> _Chunked | None:
        shape = _shape_of(block)
        return None if shape is None else cls(shape)

    def render(self, block: str) -> str | None:
        """HTML of the block, or None when it must be rendered in one pass."""
        shape, done = self.shape, len(self.src)
        if len(block) - done > SOFT_CHUNK:
            cut = self._cut(block, done, len(block) - SOFT_CHUNK // 2)
            piece = self._piece(block[done:cut]) if cut > done else None
            if piece is not None:
                self.body = self._join(piece)
                self.src = block[:cut]
        if not self.src:
            return None
        rest = block[len(self.src) :]
        if not rest.strip():
            return self.body + shape.close
        tail = self._piece(rest)
        return None if tail is None else self._join(tail) + shape.close

    def _cut(self, block: str, lo: int, hi: int) -> int:
        seps = ("\n", " ") if self.shape.cuts_at_spaces else ("\n",)
        for _ in range(_TRIES):
            i = max(block.rfind(s, lo, hi) for s in seps)
            if i < lo:
                return -1
            if i + 1 < len(block) and self.shape.cut_ok(block, lo, i + 1):
                return i + 1
            hi = i
        return -1

    def _piece(self, chunk: str) -> str | None:
        """The chunk's HTML without its closing tags (and, after the first, its opening)."""
        shape, first = self.shape, not self.src
        html = render_markdown(shape.source(chunk, first))
        if not html.endswith(shape.close) or not shape.valid(html):
            return None
        html = html[: len(html) - len(shape.close)]
        if first:
            return html
        m = shape.open.match(html)
        return None if m is None else html[m.end() :]

    def _join(self, piece: str) -> str:
        if not self.src:
            return piece
        return self.body + self.shape.seam(self.src) + piece


def _closes(line: str, marker: str) -> bool:
    """True when ``line`` closes a fence opened with ``marker`` (CommonMark §4.5)."""
    body = line.lstrip(" ")
    fence = body.rstrip()
    return (
        len(line) - len(body) <= 3 and len(fence) >= len(marker) and fence == marker[0] * len(fence)
    )


def _clean_end(block: str, i: int) -> bool:
    """True unless the text before the cut at ``i`` ends in a tab, a backslash or (mid-line)
    a second space, whose meaning depends on what follows."""
    before = block[i - 2 : i - 1]
    return before not in ("\t", "\\") and not (before == " " and block[i - 1] == " ")


def _balanced(chunk: str) -> bool:
    """True when no inline construct is left open at the end of ``chunk`` (a cheap check)."""
    return (
        chunk.count("[") == chunk.count("]")
        and chunk.count("(") == chunk.count(")")
        and all(chunk.count(c) % 2 == 0 for c in "`*~_")
    )
