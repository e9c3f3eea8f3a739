"""Lines of server or user text: only CR, LF and CRLF end a line.

``str.splitlines()`` also splits on U+2028/U+2029, U+0085, form feed, vertical tab and the
file/group/record separators, which are ordinary characters in a question or a reply (and
so must survive a round trip through a transcript). Everything in envnb that splits such
text into lines uses this module.
"""

from __future__ import annotations

import re

LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """``text`` split at CR, LF and CRLF; like ``splitlines()``, ``""`` gives ``[]`` and a
    trailing line end no empty last line."""
    if not text:
        return []
    lines = LINE_END.split(text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


def to_lf(text: str) -> str:
    """``text`` with every CR and CRLF line end made LF."""
    return LINE_END.sub("\n", text) if "\r" in text else text


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``, counting CR, LF and CRLF."""
    before = text[:offset]
    ends = list(LINE_END.finditer(before))
    start = ends[-1].end() if ends else 0
    return len(ends) + 1, offset - start + 1
